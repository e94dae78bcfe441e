"""Background tasks of the meetings app (Django Tasks API)."""

from __future__ import annotations

from django_tasks import task

from opsloop.meetings.actions import do_roll_meetings


@task()
def roll_meetings() -> int:
    """The scheduled roll of recurring meetings, queued instead of run in place
    (`opsloop meetings_roll --enqueue`); answers how many meetings it made."""
    return len(do_roll_meetings().created)
