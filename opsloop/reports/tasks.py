"""Background tasks of reports (django-tasks; the worker runs them in `opsloop run`)."""

from __future__ import annotations

from django_tasks import task

from opsloop.reports import actions


@task()
def draft_scheduled_report(template_id: int, kind: str, start: str) -> int | None:
    """Draft a template's report for a period, once: the report's id."""
    return actions.do_draft_scheduled(template_id=template_id, kind=kind, start=start)


@task()
def deliver_report(report_id: int) -> int:
    """Email a published report to its recipients; how many got it now."""
    return actions.do_deliver_report(report_id=report_id)
