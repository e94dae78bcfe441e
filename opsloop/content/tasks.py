"""Background tasks of content (django-tasks; the worker runs them in `opsloop run`)."""

from __future__ import annotations

from django_tasks import task

from opsloop.content.actions import do_remind_publishing


@task()
def remind_publishing() -> int:
    """Remind the owners of the pieces whose planned time has come (each once); queued for
    a piece's planned time when it is set, and by `opsloop content remind`."""
    return do_remind_publishing()
