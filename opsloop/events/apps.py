from __future__ import annotations

from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "opsloop.events"
    label = "events"
    verbose_name = "opsloop events"

    def opsloop_checks(self) -> list:
        """`opsloop check`'s lines for the event store and the flusher."""
        from opsloop.events.checks import check_events

        return check_events()
