"""API of a campaign's impact: its KPIs' lift against the baseline before it and against a
control cohort, and the target and control cohorts it is held to (docs/goals.md#campaign-impact)."""

from __future__ import annotations

import datetime as dt
from dataclasses import fields
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from opsloop.core.schemas import ERROR_CODES, ErrorOut, Out
from opsloop.goals import actions, campaign
from opsloop.goals.api import ProjectRef
from opsloop.goals.campaign import ImpactReport, ImpactRow, Period

router = Router()
ERRORS = {ERROR_CODES: ErrorOut}
GOALS = ["Goals"]
PROJECT = "/workspaces/{slug}/projects/{key}"


class CohortRef(Out):
    id: int
    name: str
    size: int


class KpiRef(Out):
    id: int
    name: str
    unit: str


class PeriodOut(Schema):
    first: dt.date
    last: dt.date
    days: int


class ImpactRowOut(Schema):
    kpi: KpiRef
    comparison: str = Field(
        description="baseline: the campaign's days against as many days before; cohort: the "
        "target cohort against the control, over the campaign's days."
    )
    method: str = Field(description="two_proportions (a rate) or mean_lift (daily values).")
    rate: bool = Field(
        description="A rate: campaign and baseline in %, lift, low, high in percentage points."
    )
    campaign: float | None = Field(description="The campaign's (or target cohort's) value.")
    baseline: float | None = Field(description="The baseline's (or control cohort's) value.")
    lift: float | None
    relative: float | None = Field(description="The lift as a share of the baseline.")
    low: float | None = Field(description="The 95% interval's low end.")
    high: float | None
    p_value: float | None = Field(description="The two-proportion test's; none for a bootstrap.")
    clear: bool | None = Field(description="The 95% interval leaves out zero.")
    campaign_n: int | None = Field(description="Persons who entered (a rate), or days.")
    baseline_n: int | None
    words: str = Field(description="The lift in plain words, in the caller's language.")
    reason: str = Field(description="Why there is no lift; empty when there is one.")


class ImpactOut(Schema):
    project: ProjectRef
    campaign: PeriodOut | None = Field(description="The project's dates, up to yesterday.")
    baseline: PeriodOut | None = Field(description="As many days, just before.")
    target: CohortRef | None
    control: CohortRef | None
    reason: str = Field(description="Why nothing is measured (not a campaign, no dates ...).")
    rows: list[ImpactRowOut]


class CampaignCohortsIn(Schema):
    target: int | None = Field(None, description="The targeted cohort's id; null clears it.")
    control: int | None = Field(None, description="The control cohort's id; null clears it.")


class CampaignCohortsOut(Schema):
    target: CohortRef | None
    control: CohortRef | None


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
        actor=access.membership,
        project=access.project,
        target=payload.target,
        control=payload.control,
    )
    return {"target": chosen.target, "control": chosen.control}
