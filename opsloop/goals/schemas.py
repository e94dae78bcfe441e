"""Input and output shapes of goals: KPIs and their values, alert rules, objectives and
key results, and a campaign's impact. The API receives the inputs parsed by ninja; the
pages parse their forms with the same schemas (opsloop.core.inputs.parse_input, decision
0004), and both hand the result to the same action."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field, StringConstraints

from opsloop.core.inputs import Bool, Date, Float, Int
from opsloop.core.schemas import Out, UserOut

Name = Annotated[str, StringConstraints(max_length=200)]
Text = Annotated[str, StringConstraints(max_length=5000)]
Short = Annotated[str, StringConstraints(max_length=80)]


# --- KPIs and their values


class KpiIn(Schema):
    name: Name
    source: str = Field(
        description="insight, manual (entered or imported), work or results (a campaign's "
        "or channel's results, docs/money.md#results)."
    )
    insight_id: Int | None = Field(None, description="source insight: the saved insight.")
    definition: dict[str, Any] = Field(
        default_factory=dict,
        description='source insight: which number, e.g. {"series": 0} (trends), '
        '{"measure": "conversion"} (funnel), {"period": 7} (retention); source work: '
        '{"measure": "items_done", "project_ids": [..]} or '
        '{"measure": "milestone_done_percent", "milestone_id": n}; source results: '
        '{"metric": "cac", "project_key": "D11"} or {"metric": "roas", "channel_id": n}, '
        'with "touch" (first, last) and "days" (30).',
    )
    unit: Short = ""
    description: Text = ""
    owner_id: Int | None = None


class KpiPatch(Schema):
    name: Name | None = None
    source: str | None = None
    insight_id: Int | None = None
    definition: dict[str, Any] | None = None
    unit: Short | None = None
    description: Text | None = None
    owner_id: Int | None = None


class KpiOut(Out):
    id: int
    name: str
    description: str
    unit: str
    source: str
    insight_id: int | None
    definition: dict[str, Any]
    version: int = Field(description="Raised by each change of where the values come from.")
    owner: UserOut | None
    computed_at: dt.datetime | None
    stale: bool = Field(description="The last computation failed (error says why).")
    error: str


class ValueOut(Out):
    day: dt.date
    value: float
    version: int = Field(description="The KPI's definition version the value was made under.")


class ValueIn(Schema):
    day: Date
    value: Float


class ValuesIn(Schema):
    values: list[ValueIn] = Field(description="A day given again replaces its value.")


class ValuesQuery(Schema):
    since: Date | None = None
    until: Date | None = None


class RecordedOut(Schema):
    recorded: int


# --- alert rules


class AlertIn(Schema):
    kind: str = Field(description="below, change, forecast or weekday.")
    threshold: Float | None = Field(None, description="below: fires under this value.")
    percent: Float | None = Field(None, description="change: fires past this % day on day.")
    weeks: Int = Field(4, description="weekday: how many weeks of that weekday (3-12).")
    z: Float = Field(3, description="weekday: how many standard deviations away.")
    create_item: Bool = Field(False, description="Also make a work item in project_id.")
    project_id: Int | None = None


class FiringOut(Out):
    day: dt.date
    value: float
    numbers: dict[str, Any]
    item_id: int | None


class AlertOut(Out):
    id: int
    kind: str
    threshold: float | None
    percent: float | None
    weeks: int
    z: float
    create_item: bool
    project_id: int | None
    enabled: bool
    last_fired_on: dt.date | None
    recent: list[FiringOut] = Field(description="Its last 10 firings, the latest first.")


# --- objectives and key results


class ObjectiveIn(Schema):
    title: Name
    description: Text = ""
    period_kind: str = Field("quarter", description="quarter, month or custom.")
    start_date: Date = Field(description="A quarter or month: any day of it.")
    end_date: Date | None = Field(None, description="custom periods only.")
    level: str = Field("workspace", description="workspace, team or project.")
    team: Short = ""
    project_id: Int | None = None
    owner_id: Int | None = None


class ObjectivePatch(Schema):
    title: Name | None = None
    description: Text | None = None
    period_kind: str | None = None
    start_date: Date | None = None
    end_date: Date | None = None
    level: str | None = None
    team: Short | None = None
    project_id: Int | None = None
    owner_id: Int | None = None


class KeyResultIn(Schema):
    title: Name
    kpi_id: Int
    direction: str = Field(
        "increase",
        description="increase or decrease to target_value; at_least or at_most "
        "target_value (a floor or a ceiling to keep); or band (band_low, band_high).",
    )
    start_value: Float | None = None
    target_value: Float | None = None
    band_low: Float | None = None
    band_high: Float | None = None
    weight: Float = 1
    owner_id: Int | None = None


class KeyResultPatch(Schema):
    title: Name | None = None
    kpi_id: Int | None = None
    direction: str | None = Field(None, description="As KeyResultIn's.")
    start_value: Float | None = None
    target_value: Float | None = None
    band_low: Float | None = None
    band_high: Float | None = None
    weight: Float | None = None
    owner_id: Int | None = None


class LinksIn(Schema):
    project_ids: list[Int] | None = Field(None, description="Replaces the linked projects.")
    item_refs: list[str] | None = Field(None, description="Replaces the linked items (D11-42).")


class ForecastOut(Schema):
    day: dt.date
    value: float
    low: float = Field(description="The 80% range's low end.")
    high: float
    points: int
    slope_per_day: float


class ProjectRef(Out):
    id: int
    key: str
    name: str


class KeyResultOut(Schema):
    id: int
    title: str
    kpi: KpiOut
    direction: str
    start_value: float
    target_value: float
    band_low: float | None
    band_high: float | None
    weight: float
    owner: UserOut | None
    projects: list[ProjectRef]
    current: float | None = Field(description="The KPI's latest value in the period.")
    current_day: dt.date | None
    progress: float | None = Field(
        description="0 to 1, from the start value to the target, unrounded (at_least and "
        "at_most: 1 while the value holds)."
    )
    decimals: int = Field(
        description="How many decimal places tell its numbers (current, start, target, "
        "band) apart when shown."
    )
    forecast: ForecastOut | None
    status: str = Field(description="on_track, at_risk, off_track or unknown.")
    method: str = Field(description="How the status was reached, in words.")


class ObjectiveOut(Schema):
    id: int
    title: str
    description: str
    level: str
    team: str
    project: ProjectRef | None
    period_kind: str
    start_date: dt.date
    end_date: dt.date
    owner: UserOut | None
    progress: float | None = Field(description="Its key results' weighted progress, 0 to 1.")
    status: str = Field(description="Its worst key result's status.")
    elapsed: float = Field(description="The share of the period gone, 0 to 1.")
    key_results: list[KeyResultOut]


class ObjectivesQuery(Schema):
    on: Date | None = Field(None, description="Only objectives whose period holds this day.")
    level: str | None = None
    project_id: Int | None = None


# --- a campaign's impact


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
    target: Int | None = Field(None, description="The targeted cohort's id; null clears it.")
    control: Int | None = Field(None, description="The control cohort's id; null clears it.")


class CampaignCohortsOut(Schema):
    target: CohortRef | None
    control: CohortRef | None
