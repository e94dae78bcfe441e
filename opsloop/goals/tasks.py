"""Background tasks of goals (django-tasks; the worker runs them in `opsloop run`)."""

from __future__ import annotations

from django_tasks import task

from opsloop.goals import actions


@task()
def compute_workspace_kpis(workspace_id: int) -> list[int]:
    """Compute a workspace's KPIs: [succeeded, failed]."""
    good, bad = actions.do_compute_workspace_kpis(workspace_id=workspace_id)
    return [good, bad]
