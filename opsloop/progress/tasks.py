"""Background tasks of the progress app (django-tasks; the worker runs them in `opsloop run`)."""

from __future__ import annotations

from django_tasks import task

from opsloop.progress import actions


@task()
def send_weekly_summary(send_id: int) -> int:
    """Email a recorded weekly summary send to its members; how many got it."""
    return actions.do_deliver_weekly_summary(send_id=send_id)
