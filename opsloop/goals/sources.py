"""Where a computed KPI's values come from (docs/goals.md#kpis): a number of a saved
insight, or the work, or a source an app above goals registers (campaign results: its
CAC, ROAS ..., docs/decisions/0024). Each source checks its definition (`check_*`,
Invalid naming the field) and gives the KPI's values by local day (`values_*`): every
day it can tell, so a new KPI starts with its history where the source has one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from opsloop.core.errors import Invalid
from opsloop.core.models import Membership, Workspace
from opsloop.insights import queries as insight_queries
from opsloop.insights.buckets import period_days
from opsloop.insights.models import Insight
from opsloop.planning.models import Milestone
from opsloop.work.models import Item, StateGroup

INSIGHT_KINDS = ("trends", "funnel", "retention")
FUNNEL_MEASURES = ("conversion", "entered", "converted", "step_count", "step_conversion")
WORK_MEASURES = ("items_done", "milestone_done_percent")


# --- an insight's number


def check_insight_pick(insight: Insight, pick: Any) -> dict[str, Any]:
    """Which number of the insight's result is the KPI:
    trends {"series": i, "breakdown": value} or {"formula": true}; funnel {"measure":
    conversion | entered | converted | step_count | step_conversion, "step": k};
    retention {"period": n}. Rates are kept as percentages."""
    if not isinstance(pick, dict):
        raise Invalid(_("Say which number of the insight, as an object."), field="pick")
    kind = insight.kind
    if kind not in INSIGHT_KINDS:
        raise Invalid(
            _("A KPI takes its number from a trends, funnel or retention insight."),
            field="insight_id",
        )
    query = insight.query or {}
    if kind == "trends":
        if query.get("interval") == "hour":
            raise Invalid(_("A KPI has a value per day: use a daily, weekly or monthly trend."))
        if pick.get("formula"):
            if not query.get("formula"):
                raise Invalid(_("This insight has no formula."), field="pick.formula")
            return {"formula": True}
        series = _int(pick.get("series", 0), "pick.series")
        if series >= len(query.get("series") or [None]):
            raise Invalid(_("This insight has no such series."), field="pick.series")
        out: dict[str, Any] = {"series": series}
        if pick.get("breakdown") is not None:
            out["breakdown"] = str(pick["breakdown"])[:500]
        return out
    if kind == "funnel":
        measure = pick.get("measure", "conversion")
        if measure not in FUNNEL_MEASURES:
            raise Invalid(
                _("A funnel's number is one of: %(names)s.")
                % {"names": ", ".join(FUNNEL_MEASURES)},
                field="pick.measure",
            )
        out = {"measure": measure}
        if measure.startswith("step_"):
            step = _int(pick.get("step", 1), "pick.step")
            if step >= len(query.get("steps") or []):
                raise Invalid(_("This funnel has no such step."), field="pick.step")
            out["step"] = step
        return out
    period = _int(pick.get("period", 1), "pick.period")
    if period > int(query.get("periods", 8)):
        raise Invalid(_("This retention table has no such period."), field="pick.period")
    return {"period": period}


def values_from_insight(
    insight: Insight, pick: dict[str, Any], today: dt.date
) -> dict[dt.date, float]:
    """The picked number by day: a trend's every bucket up to yesterday (a week's or a
    month's value on each of its days; today is not over), a funnel's or retention's
    today (as its date range counts)."""
    query = insight_queries.check_query(insight.query, field="insight")
    result = insight_queries.run_insight(workspace=insight.workspace, query=query, today=today)
    if insight.kind == "trends":
        return _trend_days(result, pick, today)
    if insight.kind == "funnel":
        value = _funnel_number(result, pick)
    else:
        curve = result.get("curve") or []
        period = int(pick.get("period", 1))
        value = _percent(curve[period] if period < len(curve) else None)
    return {} if value is None else {today: value}


def _trend_days(
    result: dict[str, Any], pick: dict[str, Any], today: dt.date
) -> dict[dt.date, float]:
    if pick.get("formula"):
        lines = [f for f in result.get("formula") or [] if not f.get("compare")]
        wanted = lines[0]["data"] if lines else []
    else:
        index, breakdown = int(pick.get("series", 0)), pick.get("breakdown")
        lines = [
            s
            for s in result.get("series") or []
            if s["index"] == index and not s["compare"] and s.get("breakdown") == breakdown
        ]
        wanted = lines[0]["data"] if lines else []
    first = dt.date.fromisoformat(result["first_day"])
    # Today is not over: its count so far would read as a fall. Days up to yesterday.
    last = min(dt.date.fromisoformat(result["last_day"]), today - dt.timedelta(days=1))
    out: dict[dt.date, float] = {}
    for index, value in enumerate(wanted):
        if value is None:
            continue
        start, end = period_days(first, result["interval"], index)
        day = max(start, first)
        while day <= min(end, last):
            out[day] = float(value)
            day += dt.timedelta(days=1)
    return out


def _funnel_number(result: dict[str, Any], pick: dict[str, Any]) -> float | None:
    measure = pick.get("measure", "conversion")
    if measure == "conversion":
        return _percent(result.get("conversion"))
    if measure in ("entered", "converted"):
        return float(result.get(measure) or 0)
    steps = result.get("steps") or []
    step = int(pick.get("step", 1))
    if step >= len(steps):
        return None
    if measure == "step_count":
        return float(steps[step]["count"])
    return _percent(steps[step]["step_conversion"])


def _percent(rate: Any) -> float | None:
    return None if rate is None else round(float(rate) * 100, 6)


# --- the work


def check_work(workspace_id: int, definition: Any, visible_project_ids: set[int]) -> dict[str, Any]:
    """items_done {"project_ids": [...]}: items done in those projects (all the
    workspace's visible ones when empty); milestone_done_percent {"milestone_id": n}: the
    share of a milestone's items that are done."""
    if not isinstance(definition, dict):
        raise Invalid(_("Define the KPI as an object."), field="definition")
    measure = definition.get("measure")
    if measure not in WORK_MEASURES:
        raise Invalid(
            _("A KPI of the work is one of: %(names)s.") % {"names": ", ".join(WORK_MEASURES)},
            field="definition.measure",
        )
    if measure == "items_done":
        raw = definition.get("project_ids") or []
        if not isinstance(raw, list) or len(raw) > 100:
            raise Invalid(_("Give at most 100 project ids."), field="definition.project_ids")
        ids = sorted({_int(pk, "definition.project_ids") for pk in raw})
        if any(pk not in visible_project_ids for pk in ids):
            raise Invalid(_("No such project in this workspace."), field="definition.project_ids")
        return {"measure": measure, "project_ids": ids}
    milestone_id = _int(definition.get("milestone_id"), "definition.milestone_id")
    milestone = Milestone.objects.filter(workspace_id=workspace_id, pk=milestone_id).first()
    if milestone is None or milestone.project_id not in visible_project_ids:
        raise Invalid(_("No such milestone in this workspace."), field="definition.milestone_id")
    return {"measure": measure, "milestone_id": milestone_id}


def values_from_work(
    workspace_id: int, definition: dict[str, Any], today: dt.date, since: dt.date, tz: Any
) -> dict[dt.date, float]:
    """The measure on each day from `since` to today, by when the items now done were
    completed (an item reopened since is not done on any day)."""
    items = Item.objects.filter(workspace_id=workspace_id)
    if definition["measure"] == "items_done":
        if definition.get("project_ids"):
            items = items.filter(project_id__in=definition["project_ids"])
        total = None
    else:
        items = items.filter(milestones__pk=definition["milestone_id"])
        total = items.count()
    done = items.filter(Q(state__group=StateGroup.DONE), completed_at__isnull=False)
    finished = sorted(
        at.astimezone(tz).date() for at in done.values_list("completed_at", flat=True) if at
    )
    out: dict[dt.date, float] = {}
    count, i = 0, 0
    day = since
    while day <= today:
        while i < len(finished) and finished[i] <= day:
            count, i = count + 1, i + 1
        if total is None:
            out[day] = float(count)
        elif total:
            out[day] = round(100 * count / total, 6)
        day += dt.timedelta(days=1)
    return out


def _int(value: Any, field: str) -> int:
    if isinstance(value, bool):
        raise Invalid(_("Expected a whole number."), field=field)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Invalid(_("Expected a whole number."), field=field) from None
    if number < 0:
        raise Invalid(_("Expected a whole number, 0 or more."), field=field)
    return number


# --- sources registered by apps above goals (docs/decisions/0024)
#
# Goals may not import the apps above it (money, say), yet a KPI may take its values from
# them: such an app registers its source here when Django starts (its AppConfig.ready),
# under a KpiSource value, and goals calls it as it calls its own sources.


@dataclass(frozen=True)
class FormField:
    """A choice the KPI form offers for a registered source's definition: posted as
    `<source>-<name>`, it becomes definition[name]."""

    name: str
    label: str
    options: list[tuple[str, str]]


@dataclass(frozen=True)
class RegisteredSource:
    name: str  # a KpiSource value
    # definition -> the definition kept, or Invalid naming the field ("definition.x");
    # the member making the KPI may not name what they do not see.
    check: Callable[[Membership, Any], dict[str, Any]]
    # (workspace, definition, today) -> the values by local day, as values_from_work.
    values: Callable[[Workspace, dict[str, Any], dt.date], dict[dt.date, float]]
    # definition -> the ids of the projects whose data it reads (None: every project),
    # so that the KPI is seen only by who sees them (docs/decisions/0022).
    projects_read: Callable[[dict[str, Any]], set[int] | None]
    form_fields: Callable[[Membership], list[FormField]]


_REGISTERED: dict[str, RegisteredSource] = {}


def register_source(
    name: str,
    *,
    check: Callable[[Membership, Any], dict[str, Any]],
    values: Callable[[Workspace, dict[str, Any], dt.date], dict[dt.date, float]],
    projects_read: Callable[[dict[str, Any]], set[int] | None],
    form_fields: Callable[[Membership], list[FormField]],
) -> None:
    """Make `name` (a KpiSource value) a source of KPI values; a second registration
    of the name replaces the first."""
    from opsloop.goals.models import KpiSource

    if name not in KpiSource.values or name in (
        KpiSource.INSIGHT, KpiSource.MANUAL, KpiSource.WORK,
    ):  # fmt: skip
        raise ValueError(f"{name!r} is not a KpiSource an app may register")
    _REGISTERED[name] = RegisteredSource(name, check, values, projects_read, form_fields)


def registered_source(name: str) -> RegisteredSource | None:
    return _REGISTERED.get(name)


def registered_sources() -> dict[str, RegisteredSource]:
    return dict(_REGISTERED)
