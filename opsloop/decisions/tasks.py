"""Background tasks of decisions (django-tasks; the worker runs them in `opsloop run`)."""

from __future__ import annotations

from django_tasks import task

from opsloop.decisions.actions import do_remind_reviews


@task()
def remind_reviews() -> int:
    """Remind the owners of the decisions whose review day has come (each once); queued
    for a review day when a decision is taken, and by `opsloop decisions remind`."""
    return do_remind_reviews()
