"""What each tile of a dashboard shows, read as one member sees the workspace, over the
dashboard's date range, with its filters added to every insight's own.

A tile that fails shows why and never stops the others. An insight tile whose result is
not in the cache yet is "pending" unless asked to wait: the page shows every other tile
at once and fetches that one after (docs/dashboards.md#how-tiles-load). The reads are
batched: one query for all the KPI tiles' values, one report for all the goal tiles,
one snapshot per project however many tiles show it."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from django.db.models import Q
from django.utils.translation import gettext as _
from pydantic import ValidationError

from opsloop.core.errors import Invalid, OpsloopError
from opsloop.core.markdown import render_markdown
from opsloop.core.models import Membership, Workspace
from opsloop.dashboards.models import Dashboard, DashboardTile, TileKind
from opsloop.goals import measure
from opsloop.goals import queries as goal_queries
from opsloop.goals.models import KeyResult, KpiValue
from opsloop.insights import display
from opsloop.insights import queries as insight_queries
from opsloop.insights.query import MAX_FILTERS, DateRange, PropertyFilter
from opsloop.portfolio import queries as portfolio_queries
from opsloop.progress import queries as progress_queries
from opsloop.work import queries as work_queries

logger = logging.getLogger(__name__)

READY, PENDING, ERROR, HIDDEN = "ready", "pending", "error", "hidden"
AT_RISK_SHOWN = 6


@dataclass
class TileView:
    """A tile and what it shows: `state` is ready, pending (an insight still to run),
    error (with `message`) or hidden (the reader may not see what it shows). `data` is
    for the template, `chart` for the page's script."""

    tile: DashboardTile
    title: str
    state: str = READY
    message: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    chart: dict[str, Any] | None = None

    @property
    def kind(self) -> str:
        return self.tile.kind

    @property
    def chart_json(self) -> str:
        """The chart for a data attribute (the template escapes it). Labels may be lazy
        translations (lifecycle's statuses): str() puts them in the active language."""
        return orjson.dumps(self.chart, default=str).decode() if self.chart else ""


@dataclass(frozen=True)
class Frame:
    """What every tile of a dashboard is read under: who reads, which days, which
    filters."""

    workspace: Workspace
    viewer: Membership
    today: dt.date
    date_range: DateRange
    filters: tuple[PropertyFilter, ...]

    @property
    def days(self) -> tuple[dt.date, dt.date]:
        return self.date_range.days(self.today)


def _validated(model: Any, data: Any, field: str, at: str | None = None) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in (at or field, *error.get("loc", ())))
        raise Invalid(
            _("%(where)s is not valid: %(what)s") % {"where": where, "what": error.get("msg", "")},
            field=field,
        ) from None


def check_date_range(data: Any) -> DateRange:
    """A dashboard's days: a preset ({"preset": "last_7_days"}) or custom dates."""
    if data in (None, {}):
        return DateRange()
    if not isinstance(data, dict):
        raise Invalid(_("The date range must be an object."), field="date_range")
    return _validated(DateRange, data, "date_range")


def check_filters(data: Any) -> list[PropertyFilter]:
    """The property filters a dashboard adds to every insight tile."""
    if data in (None, []):
        return []
    if not isinstance(data, list):
        raise Invalid(_("Filters must be a list."), field="filters")
    if len(data) > MAX_FILTERS:
        raise Invalid(_("At most %(n)d filters.") % {"n": MAX_FILTERS}, field="filters")
    return [_validated(PropertyFilter, f, "filters", f"filters.{i}") for i, f in enumerate(data)]


def frame_of(dashboard: Dashboard, viewer: Membership, today: dt.date | None = None) -> Frame:
    workspace = dashboard.workspace
    return Frame(
        workspace=workspace,
        viewer=viewer,
        today=today or insight_queries.local_today(workspace),
        date_range=check_date_range(dashboard.date_range),
        filters=tuple(check_filters(dashboard.filters)),
    )


def tile_views(
    dashboard: Dashboard,
    tiles: list[DashboardTile],
    *,
    viewer: Membership,
    today: dt.date | None = None,
    wait: bool = False,
) -> list[TileView]:
    """Every tile's view, in the tiles' order. With `wait`, insight tiles run their
    query when it is not cached; without, they are pending."""
    frame = frame_of(dashboard, viewer, today)
    batch = _Batch(frame, tiles)
    return [_safely(tile, functools.partial(batch.view, tile, wait=wait)) for tile in tiles]


def _safely(tile: DashboardTile, build: Callable[[], TileView]) -> TileView:
    try:
        return build()
    except OpsloopError as exc:
        return TileView(tile, tile.title or _kind_title(tile), ERROR, exc.message)
    except Exception:
        # One broken tile must not take the dashboard down with it; the log says why.
        logger.exception("dashboard tile %s failed", tile.pk)
        return TileView(
            tile, tile.title or _kind_title(tile), ERROR, _("This tile could not be shown.")
        )


def _default_title(tile: DashboardTile) -> str:
    named = tile.kpi or tile.insight or tile.objective or tile.project
    if named is not None:
        return str(named)
    return _kind_title(tile)


def _kind_title(tile: DashboardTile) -> str:
    """A title that names nothing the reader may not see: insights are the whole team's;
    a project, an objective, or a KPI of a project's work may not be the reader's to
    see."""
    return str(tile.insight) if tile.insight is not None else str(TileKind(tile.kind).label)


class _Batch:
    """The reads the tiles share, each made once, when the first tile needs it."""

    def __init__(self, frame: Frame, tiles: list[DashboardTile]) -> None:
        self.frame = frame
        self.tiles = tiles
        self._values: dict[int, list[tuple[dt.date, float]]] | None = None
        self._targets: dict[int, KeyResult] | None = None
        self._reports: dict[int, goal_queries.ObjectiveReport] | None = None
        self._projects: set[int] | None = None
        self._hidden_kpis: set[int] | None = None
        self._snapshots: dict[int, progress_queries.Snapshot] = {}

    def view(self, tile: DashboardTile, *, wait: bool) -> TileView:
        title = tile.title or _default_title(tile)
        if tile.kind == TileKind.NOTE:
            return TileView(tile, tile.title, data={"html": render_markdown(tile.text)})
        if tile.kind == TileKind.KPI:
            return self._kpi(tile, title)
        if tile.kind == TileKind.INSIGHT:
            return self._insight(tile, title, wait=wait)
        if tile.kind == TileKind.OBJECTIVE:
            return self._objective(tile, title)
        if tile.kind in (TileKind.BURNUP, TileKind.AT_RISK):
            return self._project(tile, title)
        if tile.kind == TileKind.PORTFOLIO:
            return self._portfolio(tile, title)
        raise Invalid(_("Unknown kind of tile."))

    # --- the portfolio: the projects the reader sees, narrowed by the tile's options

    def _portfolio(self, tile: DashboardTile, title: str) -> TileView:
        filters = portfolio_queries.parse_filters(tile.options or {})
        rows = portfolio_queries.portfolio_rows(self.frame.viewer, filters)
        total = portfolio_queries.PortfolioGroup("", _("Total"), list(rows))
        return TileView(tile, title, data={"rows": rows, "total": total})

    # --- KPIs: the latest value in the range, its sparkline, and its target this period

    def _kpi(self, tile: DashboardTile, title: str) -> TileView:
        kpi = tile.kpi
        assert kpi is not None
        if kpi.pk in self.hidden_kpis():
            return _hidden(tile)
        points = self.values().get(kpi.pk, [])
        latest = points[-1] if points else None
        first = points[0] if points else None
        change = None
        if latest and first and first[1] and latest[0] != first[0]:
            change = (latest[1] - first[1]) / abs(first[1]) * 100
        target = self.targets().get(kpi.pk)
        data: dict[str, Any] = {
            "kpi": kpi,
            "value": latest[1] if latest else None,
            "day": latest[0] if latest else None,
            "change": change,
            "stale": kpi.error,
        }
        if target is not None:
            goal = goal_queries.target_of(target)
            data["key_result"] = target
            data["target"] = goal.target if goal.direction != measure.BAND else None
            data["band"] = (goal.low, goal.high) if goal.direction == measure.BAND else None
            data["progress"] = measure.progress(goal, latest[1] if latest else None)
        chart = {
            "type": "spark",
            "x": [d.isoformat() for d, _v in points],
            "data": [v for _d, v in points],
            "target": data.get("target"),
        }
        return TileView(tile, title, data=data, chart=chart)

    def hidden_kpis(self) -> set[int]:
        """The KPIs the reader may not see: they count a project they do not see."""
        if self._hidden_kpis is None:
            self._hidden_kpis = goal_queries.hidden_kpi_ids(self.frame.viewer)
        return self._hidden_kpis

    def values(self) -> dict[int, list[tuple[dt.date, float]]]:
        if self._values is None:
            first, last = self.frame.days
            ids = {t.kpi_id for t in self.tiles if t.kind == TileKind.KPI and t.kpi_id}
            rows = KpiValue.objects.filter(kpi_id__in=ids, day__gte=first, day__lte=last)
            self._values = {}
            for kpi_id, day, value in rows.order_by("day").values_list("kpi_id", "day", "value"):
                self._values.setdefault(kpi_id, []).append((day, value))
        return self._values

    def targets(self) -> dict[int, KeyResult]:
        """Each KPI's key result in an objective of today's period (the first one) that
        the reader sees: not one of a project hidden from them."""
        if self._targets is None:
            ids = {t.kpi_id for t in self.tiles if t.kind == TileKind.KPI and t.kpi_id}
            today = self.frame.today
            projects = work_queries.visible_projects(self.frame.viewer)
            results = (
                KeyResult.objects.filter(kpi_id__in=ids)
                .filter(objective__workspace_id=self.frame.workspace.pk)
                .filter(Q(objective__project__isnull=True) | Q(objective__project__in=projects))
                .filter(objective__start_date__lte=today, objective__end_date__gte=today)
                .select_related("objective")
                .order_by("objective__start_date", "sort_order", "pk")
            )
            self._targets = {}
            for kr in results:
                self._targets.setdefault(kr.kpi_id, kr)
        return self._targets

    # --- insights: the saved query over the dashboard's days, with its filters added

    def _insight(self, tile: DashboardTile, title: str, *, wait: bool) -> TileView:
        insight = tile.insight
        assert insight is not None
        query = tile_query(self.frame, insight.query)
        workspace = self.frame.workspace
        result: dict[str, Any] | None
        if wait:
            result = insight_queries.run_insight(
                workspace=workspace, query=query, today=self.frame.today
            )
        else:
            result = insight_queries.cached_insight(
                workspace=workspace, query=query, today=self.frame.today
            )
        if result is None:
            return TileView(tile, title, PENDING, data={"insight": insight})
        shown = display.tables(result)
        return TileView(
            tile,
            title,
            data={"insight": insight, "kind": result["kind"], "result": result},
            chart=shown["chart"],
        )

    # --- goals: the objective's progress and each key result's

    def _objective(self, tile: DashboardTile, title: str) -> TileView:
        report = self.reports().get(tile.objective_id or 0)
        if report is None:
            return _hidden(tile)
        return TileView(
            tile,
            title,
            data={
                "report": report,
                "status": goal_queries.status_label(report.status),
                "statuses": goal_queries.STATUS_LABELS,
            },
        )

    def reports(self) -> dict[int, goal_queries.ObjectiveReport]:
        if self._reports is None:
            ids = {
                t.objective_id
                for t in self.tiles
                if t.kind == TileKind.OBJECTIVE and t.objective_id is not None
            }
            objectives = list(
                goal_queries.list_objectives(self.frame.viewer).filter(pk__in=ids)
            )  # fmt: skip
            reports = goal_queries.report_objectives(objectives, self.frame.today)
            self._reports = {r.objective.pk: r for r in reports}
        return self._reports

    # --- projects: the burn-up over the range, the items at risk today

    def _project(self, tile: DashboardTile, title: str) -> TileView:
        project = tile.project
        assert project is not None
        if project.pk not in self.visible_projects():
            return _hidden(tile)
        snapshot = self._snapshots.get(project.pk)
        if snapshot is None:
            snapshot = self._snapshots[project.pk] = progress_queries.load_snapshot(project)
        if tile.kind == TileKind.AT_RISK:
            risks = progress_queries.items_at_risk(
                project, self.frame.today, snapshot=snapshot, viewer=self.frame.viewer
            )
            return TileView(
                tile,
                title,
                data={"project": project, "risks": risks[:AT_RISK_SHOWN], "count": len(risks)},
            )
        first, last = self.frame.days
        first = max(first, last - dt.timedelta(days=progress_queries.BURN_UP_MAX_DAYS - 1))
        days = progress_queries.burn_up(project, first, last, snapshot=snapshot)
        chart = {
            "type": "line",
            "x": [d.day.isoformat() for d in days],
            "series": [
                {"name": _("Scope"), "data": [d.scope for d in days]},
                {"name": _("Done"), "data": [d.done for d in days]},
            ],
        }
        latest = days[-1] if days else None
        return TileView(
            tile,
            title,
            data={
                "project": project,
                "scope": latest.scope if latest else 0,
                "done": latest.done if latest else 0,
                "days": days,
            },
            chart=chart,
        )

    def visible_projects(self) -> set[int]:
        if self._projects is None:
            ids = {t.project_id for t in self.tiles if t.project_id}
            visible = work_queries.visible_projects(self.frame.viewer).filter(pk__in=ids)
            self._projects = set(visible.values_list("pk", flat=True))
        return self._projects


def _hidden(tile: DashboardTile) -> TileView:
    return TileView(
        tile, tile.title or _kind_title(tile), HIDDEN, _("You cannot see what this tile shows.")
    )


def tile_query(frame: Frame, stored: Any) -> Any:
    """A saved insight's query over the frame's days, with the frame's filters after its
    own (at most MAX_FILTERS in all)."""
    query = insight_queries.check_query(stored, field="insight")
    filters = [*query.filters, *frame.filters]
    if len(filters) > MAX_FILTERS:
        raise Invalid(
            _("The insight's filters and the dashboard's come to more than %(n)d.")
            % {"n": MAX_FILTERS}
        )
    return query.model_copy(update={"date_range": frame.date_range, "filters": filters})


def plain_data(view: TileView) -> dict[str, Any]:
    """What a tile shows as plain JSON values, for the API."""
    data = view.data
    if view.state != READY:
        return {}
    if view.kind == TileKind.NOTE:
        return {"html": data["html"]}
    if view.kind == TileKind.KPI:
        day = data["day"]
        return {
            "kpi_id": data["kpi"].pk,
            "unit": data["kpi"].unit,
            "value": data["value"],
            "day": day.isoformat() if day else None,
            "change_percent": data["change"],
            "stale": bool(data["stale"]),
            "key_result_id": data["key_result"].pk if "key_result" in data else None,
            "target": data.get("target"),
            "band": data.get("band"),
            "progress": data.get("progress"),
            "values": [
                {"day": d, "value": v}
                for d, v in zip(view.chart["x"], view.chart["data"], strict=True)
            ]
            if view.chart
            else [],
        }
    if view.kind == TileKind.INSIGHT:
        return {"insight_id": data["insight"].pk, "result": data["result"]}
    if view.kind == TileKind.OBJECTIVE:
        report = data["report"]
        return {
            "objective_id": report.objective.pk,
            "progress": report.progress,
            "elapsed": report.elapsed,
            "status": report.status,
            "key_results": [
                {
                    "id": r.key_result.pk,
                    "title": r.key_result.title,
                    "current": r.current,
                    "progress": r.progress,
                    "status": r.status,
                }
                for r in report.key_results
            ],
        }
    if view.kind == TileKind.PORTFOLIO:
        return {
            "options": view.tile.options or {},
            "count": data["total"].count,
            "budget": _money(data["total"].budget),
            "rows": [
                {
                    "key": r.key,
                    "name": r.name,
                    "kind": r.kind,
                    "stage": r.stage,
                    "end_date": r.end_date.isoformat() if r.end_date else None,
                    "progress": r.progress,
                    "budget": _money(r.budget),
                    "spent": _money(r.spent),
                    "milestones_late": r.milestones_late,
                    "items_at_risk": r.items_at_risk,
                }
                for r in data["rows"]
            ],
        }
    if view.kind == TileKind.AT_RISK:
        return {
            "project_id": data["project"].pk,
            "count": data["count"],
            "items": [
                {
                    "ref": r.item.ref,
                    "title": r.item.title,
                    "due_date": r.item.due_date.isoformat() if r.item.due_date else None,
                    "reasons": [reason.text for reason in r.reasons],
                }
                for r in data["risks"]
            ],
        }
    return {
        "project_id": data["project"].pk,
        "days": [
            {"day": d.day.isoformat(), "scope": d.scope, "done": d.done} for d in data["days"]
        ],
    }


def _money(value: Any) -> str | None:
    return None if value is None else str(value)
