"""API of a campaign's impact: its KPIs' lift against the baseline before it and against a
control cohort, and the target and control cohorts it is held to (docs/goals.md#campaign-impact)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from django.http import HttpRequest
from ninja import Router

from opsloop.core.schemas import ERROR_CODES, ErrorOut
from opsloop.goals import actions, campaign
from opsloop.goals.campaign import ImpactReport, ImpactRow, Period
from opsloop.goals.schemas import CampaignCohortsIn, CampaignCohortsOut, ImpactOut

router = Router()
ERRORS = {ERROR_CODES: ErrorOut}
GOALS = ["Goals"]
PROJECT = "/workspaces/{slug}/projects/{key}"


def _period(period: Period | None) -> dict[str, Any] | None:
    if period is None:
        return None
    return {"first": period.first, "last": period.last, "days": period.days}


def _row(row: ImpactRow) -> dict[str, Any]:
    return {f.name: getattr(row, f.name) for f in fields(row)}


def report_out(report: ImpactReport) -> dict[str, Any]:
    """The report as the API (and the page's chart) gives it."""
    return {
        "project": report.project,
        "campaign": _period(report.campaign),
        "baseline": _period(report.baseline),
        "target": report.target,
        "control": report.control,
        "reason": report.reason,
        "rows": [_row(r) for r in report.rows],
    }


@router.get(
    PROJECT + "/impact",
    response={200: ImpactOut, **ERRORS},
    summary="A campaign's impact",
    description="Members and above who see the project. Each KPI linked to the project "
    "(through key results): its lift during the campaign against as many days before, with "
    "a 95% interval, and the target cohort's against the control's when both are set. A "
    "project that is not a campaign, or has no dates, answers with `reason` and no rows.",
    tags=GOALS,
)
def get_impact(request: HttpRequest, slug: str, key: str) -> dict:
    access = campaign.access_campaign(request.auth, slug, key)
    return report_out(campaign.campaign_impact(access.project, access.membership))


@router.put(
    PROJECT + "/campaign-cohorts",
    response={200: CampaignCohortsOut, **ERRORS},
    summary="Set a campaign's target and control cohorts",
    description="Members and above who may edit the project, for a campaign project: "
    "cohorts of the workspace, not the same one (400 names the field). Audit-logged.",
    tags=GOALS,
)
def set_campaign_cohorts(
    request: HttpRequest, slug: str, key: str, payload: CampaignCohortsIn
) -> dict:
    access = campaign.access_campaign(request.auth, slug, key)
    chosen = actions.do_set_campaign_cohorts(
        actor=access.membership, project=access.project, data=payload
    )
    return {"target": chosen.target, "control": chosen.control}
