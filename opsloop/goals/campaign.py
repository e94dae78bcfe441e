"""A campaign project's impact on the KPIs linked to it (docs/goals.md#campaign-impact):
the campaign's days (the project's start to end, up to yesterday) against a baseline of
as many days just before, and, when the project names a target and a control cohort,
the target against the control over the campaign's days. The statistics are
opsloop/goals/impact.py's; this module picks the numbers to feed them.

- A KPI from a funnel insight's conversion (overall or of a step) is a rate: the funnel
  is run again over each period (or for each cohort), and its entered and converted
  persons go to the two-proportion test.
- Any other KPI compares its recorded daily values (KpiValue) of the two periods by a
  bootstrap. Split by cohort, a trend insight's daily values are read again for each
  cohort; counts of persons or events are taken per person of the cohort, so cohorts of
  different sizes compare.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from opsloop.core.errors import OpsloopError
from opsloop.core.models import Membership, User
from opsloop.events import queries as event_queries
from opsloop.goals import impact, queries, sources
from opsloop.goals.models import CampaignCohorts, KeyResult, Kpi, KpiSource, KpiValue
from opsloop.insights import queries as insight_queries
from opsloop.insights.models import Cohort
from opsloop.work import queries as work_queries
from opsloop.work.models import Project, ProjectKind

BASELINE, COHORT = "baseline", "cohort"
TWO_PROPORTIONS, MEAN_LIFT = "two_proportions", "mean_lift"
RATE_MEASURES = ("conversion", "step_conversion")
# Trend maths that count (persons or events, or add a property up): split by cohort,
# they are taken per person of the cohort. Averages, medians and per-person maths are
# compared as they are.
PER_PERSON_MATHS = ("total", "persons", "dau", "wau", "mau", "sum")


def access_campaign(user: User, slug: str, key: str) -> work_queries.ProjectAccess:
    """The project, if the user sees it (404 otherwise) and may see the events its KPIs
    come from (members and above; 403 for guests)."""
    access = work_queries.access_project(user, slug, key)
    event_queries.check_sees_events(access.membership)
    return access


def get_campaign_cohorts(project: Project) -> CampaignCohorts | None:
    return (
        CampaignCohorts.objects.select_related("target", "control").filter(project=project).first()
    )


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


@dataclass(frozen=True)
class ImpactRow:
    """One KPI's lift in one comparison (baseline: the campaign's period against the one
    before; cohort: the target cohort against the control, over the campaign's period).
    For a rate, `campaign` and `baseline` are percentages and `lift`, `low` and `high`
    percentage points; otherwise they are in the KPI's unit. `reason` says why there is
    no lift (then the numbers are None)."""

    kpi: Kpi
    comparison: str
    method: str = ""
    rate: bool = False
    campaign: float | None = None
    baseline: float | None = None
    lift: float | None = None
    relative: float | None = None
    low: float | None = None
    high: float | None = None
    p_value: float | None = None
    clear: bool | None = None
    campaign_n: int | None = None  # persons who entered (a rate) or days (daily values)
    baseline_n: int | None = None
    words: str = ""
    reason: str = ""


@dataclass(frozen=True)
class ImpactReport:
    project: Project
    campaign: Period | None
    baseline: Period | None
    target: Cohort | None
    control: Cohort | None
    rows: list[ImpactRow] = field(default_factory=list)
    # Why no KPI could be measured at all (not a campaign, no dates, nothing linked).
    reason: str = ""

    @property
    def compares_cohorts(self) -> bool:
        return self.target is not None and self.control is not None


def linked_kpis(project: Project, viewer: Membership) -> list[Kpi]:
    """The KPIs of the key results meant to move the project (linked to it, or of its
    own objectives), of the objectives and KPIs the viewer sees; by name."""
    results = KeyResult.objects.filter(
        objective__in=queries.list_objectives(viewer).values("pk")
    ).filter(Q(projects=project) | Q(objective__project=project))
    return list(
        Kpi.objects.filter(pk__in=results.values("kpi_id"))
        .exclude(pk__in=queries.hidden_kpi_ids(viewer))
        .select_related("insight__workspace", "workspace")
    )


@dataclass(frozen=True)
class KeyResultImpact:
    """A campaign project linked to a key result, and its lift on the key result's KPI
    (campaign_impact's rows for that KPI), or why there is none."""

    project: Project
    rows: list[ImpactRow]
    reason: str = ""


def key_result_impacts(
    viewer: Membership,
    links: list[tuple[KeyResult, list[Project]]],
    *,
    today: dt.date | None = None,
) -> dict[int, list[KeyResultImpact]]:
    """For each key result (with the linked projects the viewer sees), the lift of each
    linked campaign project on its KPI, by key result id. Each project's report is made
    once, for the KPIs of the key results it is linked to."""
    wanted: dict[int, set[int]] = {}
    projects: dict[int, Project] = {}
    for key_result, linked in links:
        for project in linked:
            if project.kind == ProjectKind.CAMPAIGN:
                wanted.setdefault(project.pk, set()).add(key_result.kpi_id)
                projects[project.pk] = project
    reports = {
        pk: campaign_impact(projects[pk], viewer, today=today, kpi_ids=kpi_ids)
        for pk, kpi_ids in wanted.items()
    }
    out: dict[int, list[KeyResultImpact]] = {}
    for key_result, linked in links:
        for project in linked:
            report = reports.get(project.pk)
            if report is None:
                continue
            rows = [r for r in report.rows if r.kpi.pk == key_result.kpi_id]
            out.setdefault(key_result.pk, []).append(
                KeyResultImpact(project, rows, "" if rows else report.reason)
            )
    return out


def periods(project: Project, today: dt.date) -> tuple[Period | None, Period | None, str]:
    """The campaign's period (its dates, up to yesterday: today is not over) and the
    baseline of as many days just before; or why there are none."""
    if project.kind != ProjectKind.CAMPAIGN:
        why = _("This project is not a campaign: impact is measured for campaign projects.")
        return None, None, why
    if project.start_date is None or project.end_date is None:
        why = _("The campaign has no start and end dates: set them in the project's settings.")
        return None, None, why
    yesterday = today - dt.timedelta(days=1)
    if project.start_date > yesterday:
        why = _(
            "The campaign has not had a whole day yet: its impact shows from the day after "
            "it starts."
        )
        return None, None, why
    campaign = Period(project.start_date, min(project.end_date, yesterday))
    baseline = Period(
        campaign.first - dt.timedelta(days=campaign.days), campaign.first - dt.timedelta(days=1)
    )
    return campaign, baseline, ""


def campaign_impact(
    project: Project,
    viewer: Membership,
    *,
    today: dt.date | None = None,
    kpi_ids: set[int] | None = None,
) -> ImpactReport:
    """Each linked KPI's lift against the baseline, and against the control cohort when
    the project names a target and a control; only the KPIs `kpi_ids` names, when given."""
    workspace = viewer.workspace
    today = today or insight_queries.local_today(workspace)
    chosen = get_campaign_cohorts(project)
    target = chosen.target if chosen else None
    control = chosen.control if chosen else None
    campaign, baseline, reason = periods(project, today)
    if campaign is None or baseline is None:
        return ImpactReport(project, None, None, target, control, reason=reason)
    kpis = linked_kpis(project, viewer)
    if kpi_ids is not None:
        kpis = [k for k in kpis if k.pk in kpi_ids]
    if not kpis:
        why = _(
            "No KPI is linked to this project yet: link the project to a key result (on its "
            "objective's page) to measure its impact."
        )
        return ImpactReport(project, campaign, baseline, target, control, reason=why)
    values = _daily_values([k.pk for k in kpis], baseline.first, campaign.last)
    runner = _Runner(workspace, today)
    rows = []
    for kpi in kpis:
        rows.append(_against_baseline(kpi, campaign, baseline, values.get(kpi.pk, {}), runner))
        if target is not None and control is not None:
            rows.append(_against_control(kpi, campaign, target, control, runner))
    return ImpactReport(project, campaign, baseline, target, control, rows)


def _daily_values(
    kpi_ids: list[int], first: dt.date, last: dt.date
) -> dict[int, dict[dt.date, float]]:
    """Every KPI's values from `first` to `last` (one query)."""
    rows = KpiValue.objects.filter(kpi_id__in=kpi_ids, day__gte=first, day__lte=last)
    out: dict[int, dict[dt.date, float]] = {}
    for kpi_id, day, value in rows.values_list("kpi_id", "day", "value"):
        out.setdefault(kpi_id, {})[day] = value
    return out


class _Runner:
    """Runs a KPI's insight again over a period, for a cohort; the cohorts' sizes once."""

    def __init__(self, workspace: Any, today: dt.date) -> None:
        self.workspace = workspace
        self.today = today
        self.sizes: dict[int, int] = {}

    def run(self, kpi: Kpi, period: Period, cohort: Cohort | None = None) -> dict[str, Any]:
        assert kpi.insight is not None
        data = dict(kpi.insight.query or {})
        data["date_range"] = {
            "preset": "custom",
            "date_from": period.first.isoformat(),
            "date_to": period.last.isoformat(),
        }
        if kpi.insight.kind == "funnel":
            # Only the funnel's overall numbers are read.
            data.pop("trend", None)
            data.pop("breakdown", None)
        data.pop("compare", None)
        if cohort is not None:
            data["cohort"] = cohort.pk
        query = insight_queries.check_query(data, field="insight")
        return insight_queries.run_insight(workspace=self.workspace, query=query, today=self.today)

    def size(self, cohort: Cohort) -> int:
        if cohort.pk not in self.sizes:
            self.sizes[cohort.pk] = len(insight_queries.cohort_person_ids(cohort))
        return self.sizes[cohort.pk]


def _is_rate(kpi: Kpi) -> bool:
    return (
        kpi.source == KpiSource.INSIGHT
        and kpi.insight is not None
        and kpi.insight.kind == "funnel"
        and (kpi.definition or {}).get("measure", "conversion") in RATE_MEASURES
    )


def _counts(kpi: Kpi, result: dict[str, Any]) -> tuple[int, int]:
    """(converted, entered) of the KPI's rate in a funnel's result: the whole funnel's,
    or one step's of the step before."""
    if (kpi.definition or {}).get("measure", "conversion") == "conversion":
        return int(result.get("converted") or 0), int(result.get("entered") or 0)
    steps = result.get("steps") or []
    step = int(kpi.definition.get("step", 1))
    if step >= len(steps):
        return 0, 0
    return int(steps[step]["count"]), int(steps[max(step - 1, 0)]["count"])


def _row(
    kpi: Kpi, comparison: str, lift: impact.Lift, *, rate: bool, sizes: tuple[int, int]
) -> ImpactRow:
    scale = 100.0 if rate else 1.0
    return ImpactRow(
        kpi=kpi,
        comparison=comparison,
        method=TWO_PROPORTIONS if rate else MEAN_LIFT,
        rate=rate,
        campaign=lift.campaign * scale,
        baseline=lift.baseline * scale,
        lift=lift.lift * scale,
        relative=lift.relative,
        low=lift.low * scale,
        high=lift.high * scale,
        p_value=lift.p_value,
        clear=lift.clear,
        campaign_n=sizes[0],
        baseline_n=sizes[1],
        words=impact.in_words(lift, percent=rate, control=comparison == COHORT),
    )


def _proportions(
    kpi: Kpi, comparison: str, first: dict[str, Any], second: dict[str, Any]
) -> ImpactRow:
    converted, entered = _counts(kpi, first)
    base_converted, base_entered = _counts(kpi, second)
    if entered <= 0 or base_entered <= 0:
        if comparison == COHORT:
            why = _(
                "No one of the target or the control cohort entered the funnel in the "
                "campaign's days."
            )
        else:
            why = _("No one entered the funnel in the campaign's days or in the days before.")
        return ImpactRow(kpi, comparison, TWO_PROPORTIONS, rate=True, reason=why)
    lift = impact.two_proportions(converted, entered, base_converted, base_entered)
    return _row(kpi, comparison, lift, rate=True, sizes=(entered, base_entered))


def _means(kpi: Kpi, comparison: str, first: list[float], second: list[float]) -> ImpactRow:
    if len(first) < 2 or len(second) < 2:
        if comparison == COHORT:
            why = _(
                "Too few daily values to compare: the target cohort has %(first)d, the "
                "control %(second)d (two each at least)."
            )
        else:
            why = _(
                "Too few daily values to compare: the campaign has %(first)d, the baseline "
                "before it %(second)d (two each at least)."
            )
        return ImpactRow(
            kpi, comparison, MEAN_LIFT, reason=why % {"first": len(first), "second": len(second)}
        )
    lift = impact.mean_lift(first, second)
    return _row(kpi, comparison, lift, rate=False, sizes=(len(first), len(second)))


def _against_baseline(
    kpi: Kpi,
    campaign: Period,
    baseline: Period,
    values: dict[dt.date, float],
    runner: _Runner,
) -> ImpactRow:
    if _is_rate(kpi):
        try:
            during = runner.run(kpi, campaign)
            before = runner.run(kpi, baseline)
        except OpsloopError as exc:
            return ImpactRow(kpi, BASELINE, TWO_PROPORTIONS, rate=True, reason=exc.message)
        return _proportions(kpi, BASELINE, during, before)
    during_values = [v for d, v in sorted(values.items()) if campaign.first <= d <= campaign.last]
    before_values = [v for d, v in sorted(values.items()) if baseline.first <= d <= baseline.last]
    return _means(kpi, BASELINE, during_values, before_values)


def _against_control(
    kpi: Kpi, campaign: Period, target: Cohort, control: Cohort, runner: _Runner
) -> ImpactRow:
    insight = kpi.insight
    if (
        kpi.source != KpiSource.INSIGHT
        or insight is None
        or insight.kind not in ("funnel", "trends")
    ):
        why = _("Only a KPI from a funnel or a trend insight can be split by cohort.")
        return ImpactRow(kpi, COHORT, reason=why)
    if (insight.query or {}).get("cohort"):
        why = _(
            "Its insight keeps to a cohort of its own, so it cannot be split by the target "
            "and control cohorts."
        )
        return ImpactRow(kpi, COHORT, reason=why)
    rate = _is_rate(kpi)
    if insight.kind == "funnel" and not rate:
        why = _("Only a funnel's conversion can be split by cohort, not its counts.")
        return ImpactRow(kpi, COHORT, reason=why)
    try:
        for_target = runner.run(kpi, campaign, target)
        for_control = runner.run(kpi, campaign, control)
        if rate:
            return _proportions(kpi, COHORT, for_target, for_control)
        pick = kpi.definition or {}
        divide = not pick.get("formula") and _series_math(insight.query, pick) in PER_PERSON_MATHS
        days = []
        for result, cohort in ((for_target, target), (for_control, control)):
            daily = sources._trend_days(result, pick, runner.today)
            size = runner.size(cohort) if divide else 1
            days.append([v / size for _d, v in sorted(daily.items())] if size else [])
    except OpsloopError as exc:
        method = TWO_PROPORTIONS if rate else MEAN_LIFT
        return ImpactRow(kpi, COHORT, method, rate=rate, reason=exc.message)
    return _means(kpi, COHORT, days[0], days[1])


def _series_math(query: dict[str, Any], pick: dict[str, Any]) -> str:
    series = query.get("series") or []
    index = int(pick.get("series", 0))
    return str(series[index].get("math", "total")) if index < len(series) else ""
