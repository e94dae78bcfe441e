"""A report's blocks: what each kind reads, and the frozen form it is kept in.

A template holds block *specifications* (BlockSpec: a kind and what it points at, such
as a KPI's id); a report holds *frozen* blocks, computed from live data once, when the
report is drafted or a block refreshed. A frozen block is a plain dict, the same shape
for every kind, so that a page, an email, a PDF or a spreadsheet shows it without reading
anything else:

    {"kind": "kpi", "title": "成交额 GMV", "spec": {...the specification...},
     "text": "Markdown (a text block's words, a summary's lines) or ''",
     "table": {"columns": [{"label": "...", "type": "text|number|percent|date|change|change_percent"}],
               "rows": [[cell, ...], ...]} or None,     # cells are str, int, float, None
     "chart": {"type": "line|bar", "x": [...], "series": [{"name", "data"}]} or None,
     "data": {...what the kind adds: value, previous, change, status...},
     "computed_at": "2026-03-02T01:00:00+00:00", "error": ""}

Blocks are read as the report's writer sees the workspace, within the report's scope:
a project report reads that project only. A block that fails keeps its error in the
report and never stops the others.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError

from opsloop.core.errors import Invalid, NotFound, OpsloopError
from opsloop.core.inputs import Int
from opsloop.core.models import Membership, Workspace
from opsloop.goals import queries as goal_queries
from opsloop.goals.models import KeyResult, KpiValue
from opsloop.insights import display
from opsloop.insights import queries as insight_queries
from opsloop.insights.query import DateRange
from opsloop.meetings.models import Decision
from opsloop.meetings.queries import visible_meetings
from opsloop.progress import queries as progress_queries
from opsloop.reports.periods import Period
from opsloop.work import queries as work_queries
from opsloop.work.models import Project, Visibility

logger = logging.getLogger(__name__)

TEXT_LIMIT = 20_000
ITEMS_LIMIT = 100
Title = Annotated[str, StringConstraints(max_length=200)]

# --- specifications (what a template holds)


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Title = ""


class HeadingSpec(_Spec):
    kind: Literal["heading"]
    text: Annotated[str, StringConstraints(max_length=300)] = ""


class TextSpec(_Spec):
    kind: Literal["text"]
    markdown: Annotated[str, StringConstraints(max_length=TEXT_LIMIT)] = ""


class KpiSpec(_Spec):
    kind: Literal["kpi"]
    kpi_id: Int


class InsightSpec(_Spec):
    kind: Literal["insight"]
    insight_id: Int


class ObjectiveSpec(_Spec):
    kind: Literal["objective"]
    objective_id: Int


class ProjectProgressSpec(_Spec):
    kind: Literal["project_progress"]
    project_id: Int | None = None  # the template's project when empty


class ItemsSpec(_Spec):
    kind: Literal["items"]
    project_id: Int | None = None
    saved_view_id: Int | None = None
    # A list's query string, as the items page writes it: state_group=todo&priority=high
    query: Annotated[str, StringConstraints(max_length=2000)] = ""
    limit: Int = Field(20, ge=1, le=ITEMS_LIMIT)


class DecisionsSpec(_Spec):
    kind: Literal["decisions"]


class PortfolioSpec(_Spec):
    kind: Literal["portfolio"]


class NumberRow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: Title = ""
    kpi_id: Int | None = None
    insight_id: Int | None = None
    series: Int = Field(0, ge=0, le=50)  # which series of the insight


class NumbersSpec(_Spec):
    kind: Literal["numbers"]
    rows: list[NumberRow] = Field(default_factory=list, max_length=30)


class CampaignSpec(_Spec):
    """A campaign retrospective's block (opsloop/reports/retrospective.py): of the
    block's project, or the report's."""

    kind: Literal["campaign_results", "campaign_lift", "campaign_budget", "campaign_timeline"]
    project_id: Int | None = None


BlockSpec = Annotated[
    HeadingSpec
    | TextSpec
    | KpiSpec
    | InsightSpec
    | ObjectiveSpec
    | ProjectProgressSpec
    | ItemsSpec
    | DecisionsSpec
    | PortfolioSpec
    | NumbersSpec
    | CampaignSpec,
    Field(discriminator="kind"),
]
KINDS = (
    "heading", "text", "kpi", "insight", "objective", "project_progress", "items",
    "decisions", "portfolio", "numbers", "campaign_results", "campaign_lift",
    "campaign_budget", "campaign_timeline",
)  # fmt: skip
CAMPAIGN_KINDS = ("campaign_results", "campaign_lift", "campaign_budget", "campaign_timeline")
MAX_BLOCKS = 40
_SPECS: TypeAdapter[list[Any]] = TypeAdapter(list[BlockSpec])


def kind_labels() -> dict[str, str]:
    return {
        "heading": _("Heading"),
        "text": _("Text"),
        "kpi": _("KPI"),
        "insight": _("Saved insight"),
        "objective": _("Goal progress"),
        "project_progress": _("Project progress"),
        "items": _("Items by filter"),
        "decisions": _("Decisions of the period"),
        "portfolio": _("Portfolio"),
        "numbers": _("Numbers table"),
        "campaign_results": _("Key results against targets"),
        "campaign_lift": _("Lift"),
        "campaign_budget": _("Budget and spend"),
        "campaign_timeline": _("Timeline slips"),
    }


def check_specs(data: Any) -> list[dict[str, Any]]:
    """Block specifications from JSON, as plain dicts; Invalid naming the bad one."""
    if not isinstance(data, list):
        raise Invalid(_("Blocks must be a list."), field="blocks")
    if len(data) > MAX_BLOCKS:
        raise Invalid(_("At most %(n)d blocks.") % {"n": MAX_BLOCKS}, field="blocks")
    try:
        specs = _SPECS.validate_python(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = [str(p) for p in error.get("loc", ())]
        # pydantic names the union member ("kpi") after the index: leave it out.
        where = ".".join(p for i, p in enumerate(loc) if not (i == 1 and p in KINDS))
        raise Invalid(
            _("Block %(where)s is not valid: %(what)s")
            % {"where": where, "what": error.get("msg", "")},
            field=f"blocks.{where}" if where else "blocks",
        ) from None
    return [spec.model_dump() for spec in specs]


# --- what blocks are computed under


@dataclass(frozen=True)
class Frame:
    """Who reads (the writer), within what (the workspace or one project), over which
    days, with the words the text blocks' placeholders stand for."""

    workspace: Workspace
    viewer: Membership
    project: Project | None
    period: Period

    @property
    def previous(self) -> Period:
        return self.period.previous()

    def placeholders(self) -> dict[str, str]:
        team = self.workspace.name
        return {
            "period": self.period.name,
            "start": self.period.start.isoformat(),
            "end": self.period.end.isoformat(),
            "team": team,
            "workspace": team,
            "project": f"{self.project.key} {self.project.name}" if self.project else team,
        }


PLACEHOLDER = re.compile(r"\{(period|start|end|team|workspace|project)\}")


def fill(text: str, frame: Frame) -> str:
    """The text with its placeholders ({period}, {start}, {end}, {team}, {workspace},
    {project}) replaced; other braces are left as they are."""
    words = frame.placeholders()
    return PLACEHOLDER.sub(lambda m: words[m.group(1)], text)


def freeze(spec: dict[str, Any], frame: Frame) -> dict[str, Any]:
    """The block computed now from live data, as its frozen dict."""
    block: dict[str, Any] = {
        "kind": spec["kind"],
        "title": fill(spec.get("title") or "", frame),
        "spec": spec,
        "text": "",
        "table": None,
        "chart": None,
        "data": {},
        "computed_at": timezone.now().isoformat(),
        "error": "",
    }
    try:
        COMPUTE[spec["kind"]](spec, frame, block)
    except OpsloopError as exc:
        block["error"] = str(exc.message)
    except Exception:
        # One broken block must not stop the report; the log says why.
        logger.exception("report block %s failed", spec.get("kind"))
        block["error"] = _("This block could not be computed.")
    # A text block shows no heading of its own unless it was given one.
    if not block["title"] and spec["kind"] != "text":
        block["title"] = kind_labels().get(spec["kind"], spec["kind"])
    return block


def freeze_all(specs: list[dict[str, Any]], frame: Frame) -> list[dict[str, Any]]:
    return [freeze(spec, frame) for spec in specs]


def _col(label: str, kind: str = "text") -> dict[str, str]:
    return {"label": str(label), "type": kind}


def _change(value: float | None, previous: float | None) -> tuple[float | None, float | None]:
    """(difference, percent of the previous value), None where it cannot be said."""
    if value is None or previous is None:
        return None, None
    change = value - previous
    percent = round(change / abs(previous) * 100, 2) if previous else None
    return change, percent


# --- heading and text


def _heading(spec: dict[str, Any], frame: Frame, block: dict[str, Any]) -> None:
    block["text"] = fill(spec.get("text") or "", frame)
    block["title"] = block["title"] or block["text"]


def _text(spec: dict[str, Any], frame: Frame, block: dict[str, Any]) -> None:
    block["text"] = fill(spec.get("markdown") or "", frame)


# --- KPIs: the value at the period's end, against the previous period's end


def _kpi_value(kpi_id: int, until: dt.date) -> tuple[dt.date, float] | None:
    row = KpiValue.objects.filter(kpi_id=kpi_id, day__lte=until).order_by("-day").first()
    return (row.day, row.value) if row is not None else None


def kpi_numbers(frame: Frame, kpi_id: int) -> dict[str, Any]:
    """A KPI the writer sees: its value at the end of the period and of the one before."""
    kpi = goal_queries.get_kpi(frame.viewer, kpi_id)
    now = _kpi_value(kpi.pk, frame.period.end)
    before = _kpi_value(kpi.pk, frame.previous.end)
    value = now[1] if now else None
    previous = before[1] if before else None
    change, percent = _change(value, previous)
    return {
        "kpi_id": kpi.pk,
        "name": kpi.name,
        "unit": kpi.unit,
        "value": value,
        "day": now[0].isoformat() if now else None,
        "previous": previous,
        "previous_day": before[0].isoformat() if before else None,
        "change": change,
        "change_percent": percent,
    }


def _kpi(spec: dict[str, Any], frame: Frame, block: dict[str, Any]) -> None:
    numbers = kpi_numbers(frame, spec["kpi_id"])
    block["title"] = block["title"] or numbers["name"]
    block["data"] = numbers
    block["table"] = {
        "columns": [
            _col(_("KPI")),
            _col(_("This period"), "number"),
            _col(_("Previous period"), "number"),
            _col(_("Change"), "change"),
            _col(_("Change in percent"), "change_percent"),
        ],
        "rows": [
            [
                numbers["name"],
                numbers["value"],
                numbers["previous"],
                numbers["change"],
                numbers["change_percent"],
            ]
        ],
    }
    values = KpiValue.objects.filter(
        kpi_id=numbers["kpi_id"], day__gte=frame.previous.start, day__lte=frame.period.end
    ).order_by("day")
    points = list(values.values_list("day", "value"))
    if points:
        block["chart"] = {
            "type": "line",
            "x": [d.isoformat() for d, _v in points],
            "series": [{"name": numbers["name"], "data": [v for _d, v in points]}],
        }


# --- saved insights: the query over the period, its table and chart


CHART_TYPES = {"line": "line", "bar": "bar", "funnel": "bar", "stack": "bar"}


def insight_result(frame: Frame, insight_id: int, period: Period) -> tuple[Any, dict[str, Any]]:
    insight = insight_queries.get_insight(frame.workspace, insight_id)
    query = insight_queries.check_query(insight.query, field="insight")
    days = DateRange(preset="custom", date_from=period.start, date_to=period.end)
    query = query.model_copy(update={"date_range": days})
    result = insight_queries.run_insight(workspace=frame.workspace, query=query, today=period.end)
    return insight, result


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


def _insight(spec: dict[str, Any], frame: Frame, block: dict[str, Any]) -> None:
    insight, result = insight_result(frame, spec["insight_id"], frame.period)
    shown = display.tables(result)
    block["title"] = block["title"] or insight.name
    head = [str(h) for h in shown["head"]]
    has_total = any("total" in row and row["total"] is not None for row in shown["rows"])
    columns = [_col("")] + [_col(h, "number") for h in head]
    if has_total:
        columns.append(_col(_("Total"), "number"))
    rows = []
    for row in shown["rows"]:
        cells = [_plain(c.get("value")) for c in row["cells"]]
        line = [str(row["label"]), *cells]
        if has_total:
            line.append(_plain(row.get("total")))
        rows.append(line)
    block["table"] = {"columns": columns, "rows": rows}
    chart = shown.get("chart") or {}
    kind = CHART_TYPES.get(chart.get("type", ""))
    if kind and chart.get("x") is not None and chart.get("series"):
        block["chart"] = {
            "type": kind,
            "x": [str(x) for x in chart["x"]],
            "series": [
                {"name": str(s["name"]), "data": [_plain(v) for v in s["data"]]}
                for s in chart["series"]
            ],
        }
    block["data"] = {"insight_id": insight.pk, "insight_kind": result.get("kind", "")}


# --- goals: an objective's progress, status and key results at the period's end


def _objective(spec: dict[str, Any], frame: Frame, block: dict[str, Any]) -> None:
    objective = goal_queries.get_objective(frame.viewer, spec["objective_id"])
    objective.workspace = frame.workspace
    report = goal_queries.report_objectives([objective], frame.period.end)[0]
    block["title"] = block["title"] or objective.title
    progress = None if report.progress is None else round(report.progress * 100, 1)
    block["data"] = {
        "objective_id": objective.pk,
        "progress": progress,
        "status": report.status,
        "status_label": goal_queries.status_label(report.status),
    }
    block["text"] = _("Progress %(progress)s · %(status)s") % {
        "progress": "—" if progress is None else f"{progress:g}%",
        "status": goal_queries.status_label(report.status),
    }
    rows = []
    for kr in report.key_results:
        target = kr.key_result.target_value
        rows.append(
            [
                kr.key_result.title,
                kr.current,
                target,
                None if kr.progress is None else round(kr.progress * 100, 1),
                goal_queries.status_label(kr.status),
            ]
        )
    block["table"] = {
        "columns": [
            _col(_("Key result")),
            _col(_("Current"), "number"),
            _col(_("Target"), "number"),
            _col(_("Progress"), "percent"),
            _col(_("Status")),
        ],
        "rows": rows,
    }


# --- the work: a project's progress (the weekly summary's reckoning), items by filter


def _project(frame: Frame, project_id: int | None) -> Project:
    """The block's project, or the report's; one the writer sees and, in a project's
    report, that project alone."""
    if frame.project is not None and project_id in (None, frame.project.pk):
        return frame.project
    if frame.project is not None:
        raise Invalid(_("A project's report reads only its own project."), field="project_id")
    if project_id is None:
        raise Invalid(_("Choose a project."), field="project_id")
    project = work_queries.visible_projects(frame.viewer).filter(pk=project_id).first()
    if project is None:
        raise NotFound(_("Project not found."))
    return project


def project_progress(frame: Frame, project: Project) -> dict[str, Any]:
    """Done, slipped and at risk over the period, as the weekly summary reckons them
    (opsloop/progress/queries.py weekly_summary): done is every item finished within
    the period; slipped and at risk are those of its last week, as of its last day (the
    day after it, for a period that ends on a Sunday, as the summary of a week is)."""
    period = frame.period
    snapshot = progress_queries.load_snapshot(project)
    monday = period.start - dt.timedelta(days=period.start.weekday())
    last_monday = period.end - dt.timedelta(days=period.end.weekday())
    done: dict[int, Any] = {}
    summary = None
    while monday <= last_monday:
        last = monday == last_monday
        on = period.end
        if last and period.end.weekday() == 6:
            on = period.end + dt.timedelta(days=1)
        summary = progress_queries.weekly_summary(
            project, monday, on=on if last else monday + dt.timedelta(days=7),
            snapshot=snapshot, viewer=frame.viewer,
        )  # fmt: skip
        for d in summary.done:
            if period.start <= d.on <= period.end:
                done.setdefault(d.item.pk, d)
        monday += dt.timedelta(days=7)
    assert summary is not None
    return {
        "done": sorted(done.values(), key=lambda d: (d.on, d.item.number)),
        "slipped": summary.slipped,
        "at_risk": summary.at_risk,
        "lines": summary.progress.lines,
    }


def _project_progress(spec: dict[str, Any], frame: Frame, block: dict[str, Any]) -> None:
    project = _project(frame, spec.get("project_id"))
    found = project_progress(frame, project)
    block["title"] = block["title"] or f"{project.key} {project.name}"
    rows = []
    for section, entries in (
        (_("Done"), found["done"]),
        (_("Slipped"), found["slipped"]),
        (_("At risk"), found["at_risk"]),
    ):
        for entry in entries:
            rows.append([str(section), entry.item.ref, entry.item.title, str(entry.text)])
    block["table"] = {
        "columns": [_col(_("Section")), _col(_("Item")), _col(_("Title")), _col(_("Why"))],
        "rows": rows,
    }
    block["text"] = "\n".join(f"- {line}" for line in found["lines"])
    block["data"] = {
        "project_id": project.pk,
        "project": f"{project.key} {project.name}",
        "done": len(found["done"]),
        "slipped": len(found["slipped"]),
        "at_risk": len(found["at_risk"]),
    }


def _items(spec: dict[str, Any], frame: Frame, block: dict[str, Any]) -> None:
    project = _project(frame, spec.get("project_id"))
    query = spec.get("query") or ""
    name = ""
    if spec.get("saved_view_id"):
        view = work_queries.get_saved_view(frame.viewer, project, spec["saved_view_id"])
        query, name = view.query, view.name
    filters = work_queries.parse_item_filters(
        QueryDict(query), me=frame.viewer.user, fields=work_queries.applicable_fields(project)
    )
    items = work_queries.filter_items(project, filters)
    total = items.count()
    shown = (
        items.select_related("state", "project")
        .prefetch_related("assignees")
        .order_by(*work_queries.SORTS.get(filters.sort, ("sort_order", "id")))[: spec["limit"]]
    )
    block["title"] = block["title"] or name or f"{project.key} {project.name}"
    block["table"] = {
        "columns": [
            _col(_("Item")), _col(_("Title")), _col(_("State")), _col(_("Assignees")),
            _col(_("Due"), "date"),
        ],
        "rows": [
            [
                item.ref,
                item.title,
                item.state.name,
                ", ".join(u.label for u in item.assignees.all()),
                item.due_date.isoformat() if item.due_date else None,
            ]
            for item in shown
        ],
    }  # fmt: skip
    block["data"] = {"project_id": project.pk, "count": total, "query": query}


# --- decisions of the period: meetings' decisions and decision records


def _local_bounds(frame: Frame) -> tuple[dt.datetime, dt.datetime]:
    import zoneinfo

    zone = zoneinfo.ZoneInfo(frame.workspace.time_zone)
    start = dt.datetime.combine(frame.period.start, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(frame.period.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def _decisions(spec: dict[str, Any], frame: Frame, block: dict[str, Any]) -> None:
    start, end = _local_bounds(frame)
    # What everyone who reads the report may see: no private meeting, and in a workspace
    # report no meeting of a project closed to some of its readers.
    meetings = visible_meetings(frame.viewer).filter(private=False)
    if frame.project is not None:
        meetings = meetings.filter(project=frame.project)
    else:
        meetings = meetings.filter(
            Q(project__isnull=True) | Q(project__visibility=Visibility.WORKSPACE)
        )
    decisions = (
        Decision.objects.filter(meeting__in=meetings)
        .filter(meeting__starts_at__gte=start, meeting__starts_at__lt=end)
        .select_related("meeting")
        .order_by("meeting__starts_at", "pk")
    )
    zone = start.tzinfo
    rows: list[list[Any]] = [
        [
            d.meeting.starts_at.astimezone(zone).date().isoformat(),
            d.meeting.title,
            d.text,
            str(_("Meeting")),
        ]
        for d in decisions
    ]
    rows += _decision_records(frame)
    rows.sort(key=lambda r: (r[0] or "", r[1] or ""))
    block["table"] = {
        "columns": [_col(_("Date"), "date"), _col(_("Where")), _col(_("Decision")),
                    _col(_("Source"))],
        "rows": rows,
    }  # fmt: skip
    block["data"] = {"count": len(rows)}


def _optional(module: str, name: str) -> Callable[..., Any] | None:
    """A public query of an app that may not be installed in this version."""
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


def _field(row: Any, *names: str) -> Any:
    for name in names:
        value = row.get(name) if isinstance(row, dict) else getattr(row, name, None)
        if value is not None:
            return value
    return None


def _open_project_keys(frame: Frame) -> set[str]:
    """The keys of the projects every member sees (none private)."""
    return set(
        Project.objects.filter(
            workspace_id=frame.workspace.pk, visibility=Visibility.WORKSPACE
        ).values_list("key", flat=True)
    )


def _decision_records(frame: Frame) -> list[list[Any]]:
    """Decision records taken in the period (opsloop/decisions decisions_in_period)."""
    found = _optional("opsloop.decisions.queries", "decisions_in_period")
    if found is None:
        return []
    records = found(frame.viewer, frame.period.start, frame.period.end, project=frame.project)
    open_keys = _open_project_keys(frame) if frame.project is None else set()
    zone = _local_bounds(frame)[0].tzinfo
    rows = []
    for record in records:
        key = _field(record, "project_key")
        if frame.project is None and key is not None and key not in open_keys:
            continue  # a private project's decision stays out of the workspace's report
        when = _field(record, "decided_at", "created_at")
        if isinstance(when, dt.datetime):
            when = when.astimezone(zone).date()
        chosen = _field(record, "chosen", "decision") or ""
        rationale = _field(record, "rationale") or ""
        rows.append(
            [
                when.isoformat() if isinstance(when, dt.date) else _plain(when),
                _plain(_field(record, "title")),
                f"{chosen} — {rationale}" if chosen and rationale else (chosen or rationale),
                str(_("Decision record")),
            ]
        )
    return rows


# --- portfolio: every project the writer sees, from the portfolio app


def _portfolio(spec: dict[str, Any], frame: Frame, block: dict[str, Any]) -> None:
    """The portfolio as of the period's last day (opsloop/portfolio portfolio_rows):
    in a project's report that project's row, in the workspace's those of the projects
    every member sees."""
    rows_of = _optional("opsloop.portfolio.queries", "portfolio_rows")
    if rows_of is None:
        raise Invalid(_("The portfolio is not available in this version."))
    rows = list(rows_of(frame.viewer, today=frame.period.end))
    if frame.project is not None:
        rows = [r for r in rows if _field(r, "key") == frame.project.key]
    else:
        open_keys = _open_project_keys(frame)
        rows = [r for r in rows if _field(r, "key") in open_keys]
    fields = [
        ("key", _("Key"), "text"), ("name", _("Project"), "text"),
        ("kind_label", _("Kind"), "text"), ("stage_label", _("Stage"), "text"),
        ("owner_name", _("Owner"), "text"), ("progress", _("Progress"), "percent"),
        ("budget", _("Budget"), "number"), ("spent", _("Spent"), "number"),
        ("milestones_late", _("Milestones late"), "number"),
        ("items_at_risk", _("Items at risk"), "number"),
    ]  # fmt: skip
    block["table"] = {
        "columns": [_col(label, kind) for _n, label, kind in fields],
        "rows": [[_number(_field(r, name)) for name, _l, _k in fields] for r in rows],
    }
    block["data"] = {"count": len(rows)}


def _number(value: Any) -> Any:
    """Decimals (budgets) as floats, so that the frozen JSON keeps them as numbers."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        return float(value)
    return _plain(value)


# --- numbers: chosen KPIs and insight totals, this period against the previous one


def _insight_total(frame: Frame, insight_id: int, series: int, period: Period) -> float | None:
    _insight_obj, result = insight_result(frame, insight_id, period)
    lines = result.get("series") or []
    if series >= len(lines):
        return None
    total = lines[series].get("total")
    if total is None:
        # A count of unique users per day has no total of its own: the sum of its days.
        points = [v for v in lines[series].get("data") or [] if isinstance(v, int | float)]
        total = sum(points) if points else None
    return float(total) if total is not None else None


def _numbers(spec: dict[str, Any], frame: Frame, block: dict[str, Any]) -> None:
    rows = []
    for row in spec.get("rows") or []:
        if row.get("kpi_id"):
            numbers = kpi_numbers(frame, row["kpi_id"])
            label = row.get("label") or numbers["name"]
            unit, value, previous = numbers["unit"], numbers["value"], numbers["previous"]
        elif row.get("insight_id"):
            insight = insight_queries.get_insight(frame.workspace, row["insight_id"])
            label, unit = row.get("label") or insight.name, ""
            value = _insight_total(frame, insight.pk, row["series"], frame.period)
            previous = _insight_total(frame, insight.pk, row["series"], frame.previous)
        else:
            raise Invalid(_("A row of numbers names a KPI or an insight."), field="rows")
        change, percent = _change(value, previous)
        rows.append([label, unit, value, previous, change, percent])
    block["table"] = {
        "columns": [
            _col(_("Metric")), _col(_("Unit")), _col(_("This period"), "number"),
            _col(_("Previous period"), "number"), _col(_("Change"), "change"),
            _col(_("Change in percent"), "change_percent"),
        ],
        "rows": rows,
    }  # fmt: skip


# --- a campaign's retrospective: results against targets, lift, budget, slips


def _campaign_results(spec: dict[str, Any], frame: Frame, block: dict[str, Any]) -> None:
    """The key results linked to the campaign (or of its own objectives), as of the
    period's last day: current against target, progress and status."""
    project = _project(frame, spec.get("project_id"))
    linked = set(
        KeyResult.objects.filter(Q(projects=project) | Q(objective__project=project)).values_list(
            "pk", flat=True
        )
    )
    objectives = list(
        goal_queries.list_objectives(frame.viewer)
        .filter(key_results__pk__in=linked)
        .distinct()
        .order_by("pk")
    )
    for objective in objectives:
        objective.workspace = frame.workspace
    hidden = goal_queries.hidden_kpi_ids(frame.viewer)
    rows = []
    for report in goal_queries.report_objectives(objectives, frame.period.end):
        for kr in report.key_results:
            result = kr.key_result
            if result.pk not in linked or result.kpi_id in hidden:
                continue
            rows.append(
                [
                    result.title,
                    report.objective.title,
                    kr.current,
                    result.target_value,
                    None if kr.progress is None else round(kr.progress * 100, 1),
                    goal_queries.status_label(kr.status),
                ]
            )
    block["table"] = {
        "columns": [
            _col(_("Key result")), _col(_("Objective")), _col(_("Result"), "number"),
            _col(_("Target"), "number"), _col(_("Progress"), "percent"), _col(_("Status")),
        ],
        "rows": rows,
    }  # fmt: skip
    if not rows:
        block["text"] = _(
            "No key result is linked to this campaign: link it on an objective's page to "
            "compare its results with their targets."
        )
    block["data"] = {"project_id": project.pk, "count": len(rows)}


def _campaign_lift(spec: dict[str, Any], frame: Frame, block: dict[str, Any]) -> None:
    """Each linked KPI's lift over the campaign's days, as the goals app measures it
    (opsloop/goals/campaign.py campaign_impact), as of the day after the period."""
    from opsloop.goals.campaign import campaign_impact

    project = _project(frame, spec.get("project_id"))
    found = campaign_impact(project, frame.viewer, today=frame.period.end + dt.timedelta(days=1))
    comparisons = {"baseline": _("Before the campaign"), "cohort": _("Control cohort")}
    rows = [
        [
            row.kpi.name,
            str(comparisons.get(row.comparison, row.comparison)),
            row.campaign,
            row.baseline,
            row.lift,
            None if row.relative is None else round(row.relative * 100, 2),
            row.p_value,
            str(row.words or row.reason),
        ]
        for row in found.rows
    ]
    block["table"] = {
        "columns": [
            _col(_("KPI")), _col(_("Compared with")), _col(_("Campaign"), "number"),
            _col(_("Baseline"), "number"), _col(_("Lift"), "change"),
            _col(_("Lift in percent"), "change_percent"), _col(_("p-value"), "number"),
            _col(_("In words")),
        ],
        "rows": rows,
    }  # fmt: skip
    if found.reason:
        block["text"] = str(found.reason)
    elif found.campaign is not None and found.baseline is not None:
        block["text"] = _(
            "The campaign's days %(first)s – %(last)s against the %(days)d days before."
        ) % {
            "first": found.campaign.first.isoformat(),
            "last": found.campaign.last.isoformat(),
            "days": found.baseline.days,
        }
    block["data"] = {"project_id": project.pk, "count": len(rows)}


def _campaign_budget(spec: dict[str, Any], frame: Frame, block: dict[str, Any]) -> None:
    """The budget planned against what was spent (from the portfolio's spend, which
    says None until spend is recorded)."""
    project = _project(frame, spec.get("project_id"))
    spent_of = _optional("opsloop.portfolio.queries", "spent_by_project")
    spent = (spent_of([project.pk]) if spent_of else {}).get(project.pk)
    budget = _number(project.budget)
    spent_value = _number(spent)
    left = None if budget is None or spent_value is None else budget - spent_value
    used = round(spent_value / budget * 100, 1) if budget and spent_value is not None else None
    block["table"] = {
        "columns": [
            _col(_("Budget"), "number"), _col(_("Spent"), "number"),
            _col(_("Left"), "number"), _col(_("Used"), "percent"),
        ],
        "rows": [[budget, spent_value, left, used]],
    }  # fmt: skip
    notes = []
    if budget is None:
        notes.append(_("The project has no budget set."))
    if spent_value is None:
        notes.append(_("Spend is not recorded in opsloop yet: write what was spent here."))
    block["text"] = " ".join(str(n) for n in notes)
    block["data"] = {"project_id": project.pk, "budget": budget, "spent": spent_value}


def _campaign_timeline(spec: dict[str, Any], frame: Frame, block: dict[str, Any]) -> None:
    """What slipped, as of the period's last day: items finished after their due date,
    items still open past it, and milestones late (done after their date, or not done
    and past it or forecast after it)."""
    project = _project(frame, spec.get("project_id"))
    day = frame.period.end
    snapshot = progress_queries.load_snapshot(project)
    rows: list[list[Any]] = []
    for item in snapshot.items:
        due = item.due_date
        history = snapshot.history[item.pk]
        if due is None or due >= day or history.created > day:
            continue
        finished = history.closed_on(day)
        if finished is not None and item.state.group != "done":
            continue  # cancelled: not a slip
        if finished is not None and finished > due:
            rows.append([str(_("Done late")), item.ref, item.title, due.isoformat(),
                         finished.isoformat(), (finished - due).days])  # fmt: skip
        elif finished is None:
            rows.append([str(_("Open past due")), item.ref, item.title, due.isoformat(), None,
                         (day - due).days])  # fmt: skip
    for deviation in progress_queries.milestone_deviation(project, day, snapshot=snapshot):
        late = deviation.deviation_days
        if deviation.status == "late" or (late or 0) > 0:
            rows.append([
                str(_("Milestone")), "", deviation.milestone.name,
                deviation.planned.isoformat(),
                deviation.forecast.isoformat() if deviation.forecast else None, late,
            ])  # fmt: skip
    rows.sort(key=lambda r: (r[0], r[3] or "", r[1]))
    block["table"] = {
        "columns": [
            _col(_("Section")), _col(_("Item")), _col(_("Title")), _col(_("Due"), "date"),
            _col(_("Finished or forecast"), "date"), _col(_("Days late"), "number"),
        ],
        "rows": rows,
    }  # fmt: skip
    done_late = sum(1 for r in rows if r[0] == str(_("Done late")))
    still_open = sum(1 for r in rows if r[0] == str(_("Open past due")))
    milestones = len(rows) - done_late - still_open
    block["text"] = _(
        "Done after their due date: %(late)d · open past their due date: %(open)d · "
        "milestones late: %(milestones)d."
    ) % {"late": done_late, "open": still_open, "milestones": milestones}
    block["data"] = {
        "project_id": project.pk, "done_late": done_late, "open_late": still_open,
        "milestones_late": milestones,
    }  # fmt: skip


COMPUTE: dict[str, Callable[[dict[str, Any], Frame, dict[str, Any]], None]] = {
    "heading": _heading,
    "text": _text,
    "kpi": _kpi,
    "insight": _insight,
    "objective": _objective,
    "project_progress": _project_progress,
    "items": _items,
    "decisions": _decisions,
    "portfolio": _portfolio,
    "numbers": _numbers,
    "campaign_results": _campaign_results,
    "campaign_lift": _campaign_lift,
    "campaign_budget": _campaign_budget,
    "campaign_timeline": _campaign_timeline,
}
