"""A campaign project's Impact tab: its KPIs' lift against the baseline before it (and the
target cohort's against the control's), with the form to choose the cohorts."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from opsloop.core.errors import OpsloopError
from opsloop.core.inputs import parse_input
from opsloop.core.models import Membership
from opsloop.core.pages import form_data, page, run_post
from opsloop.goals import actions, campaign
from opsloop.goals.campaign import ImpactReport
from opsloop.goals.schemas import CampaignCohortsIn
from opsloop.insights import queries as insight_queries
from opsloop.work import queries as work_queries
from opsloop.work.models import Project


@login_required
@page
def project_impact(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """The report as a table (lift ± interval, in words), a chart of each lift as a share
    of the baseline, and the cohorts' form for who may edit the project."""
    access = campaign.access_campaign(request.user, slug, key)
    membership, project = access.membership, access.project

    def post() -> HttpResponse:
        values = form_data(request, blank_is_none=("target", "control"))
        actions.do_set_campaign_cohorts(
            actor=membership, project=project, data=parse_input(CampaignCohortsIn, values)
        )
        messages.success(request, _("Cohorts saved."))
        return redirect("project_impact", slug, project.key)

    response, error = run_post(request, post)
    if response is not None:
        return response
    report = campaign.campaign_impact(project, membership)
    can_edit = _may_edit(membership, project)
    context = {
        "workspace": membership.workspace,
        "membership": membership,
        "project": project,
        "nav": f"project:{project.key}",
        "view": "impact",
        "report": report,
        "chart": _chart(report),
        "can_edit": can_edit,
        "cohorts": insight_queries.list_cohorts(membership.workspace) if can_edit else [],
        "error": error,
        "posted": request.POST if error else {},
    }
    return TemplateResponse(
        request, "goals/campaign.html", context, status=error.status if error else 200
    )


def _may_edit(membership: Membership, project: Project) -> bool:
    try:
        work_queries.check_project_permission(membership, project, work_queries.EDIT)
    except OpsloopError:
        return False
    return True


def _chart(report: ImpactReport) -> dict[str, Any]:
    """What campaign.js draws: each lift with its interval as a share of the baseline (so
    KPIs of different units share one axis), clear ones coloured."""
    rows = []
    for row in report.rows:
        if row.lift is None or not row.baseline:
            continue
        base = abs(row.baseline)
        label = (
            row.kpi.name
            if row.comparison == campaign.BASELINE
            else _("%(kpi)s (cohorts)") % {"kpi": row.kpi.name}
        )
        rows.append(
            {
                "label": label,
                "lift": round(100 * row.lift / base, 2),
                "low": round(100 * (row.low or 0) / base, 2),
                "high": round(100 * (row.high or 0) / base, 2),
                "clear": bool(row.clear),
            }
        )
    return {
        "rows": rows,
        "labels": {"axis": _("Change against the baseline or the control cohort (%)")},
    }
