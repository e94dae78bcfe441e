"""Background tasks of the inbox (django-tasks; the database worker runs them in `opsloop run`)."""

from __future__ import annotations

from django_tasks import task

from opsloop.inbox import actions


@task()
def send_notification_email(user_id: int) -> int:
    """Send the person's batched notification email if it is due; how many it covered."""
    return actions.do_send_notification_email(user_id=user_id)
