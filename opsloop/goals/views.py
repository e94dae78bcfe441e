"""The goals pages: the objectives of a period with their key results' progress and
status, one objective with each key result's chart (values, target, forecast and its
range, the linked projects' milestones), and the KPIs with their sources and values."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from opsloop.core.errors import Invalid, OpsloopError
from opsloop.core.models import Membership
from opsloop.core.pages import int_param, page, run_post
from opsloop.goals import actions, queries
from opsloop.goals.models import AlertKind, Direction, KpiSource, Level, PeriodKind
from opsloop.goals.queries import KeyResultReport
from opsloop.insights import queries as insight_queries
from opsloop.planning.models import Milestone
from opsloop.work import queries as work_queries

DIRECTIONS = Direction.choices
SOURCES = KpiSource.choices
LEVELS = Level.choices
PERIODS = PeriodKind.choices


def _day_param(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
@page
def goals(request: HttpRequest, slug: str) -> HttpResponse:
    """The objectives whose period holds a day (today by default; ?all=1 for every one),
    each with its key results; a form to set one."""
    membership = queries.access_goals(request.user, slug)
    workspace = membership.workspace
    today = insight_queries.local_today(workspace)
    on = _day_param(request.GET.get("on")) or today
    shown_all = request.GET.get("all") == "1"

    def post() -> HttpResponse:
        objective = actions.do_create_objective(
            actor=membership,
            title=request.POST.get("title", ""),
            period_kind=request.POST.get("period_kind", PeriodKind.QUARTER),
            start_date=request.POST.get("start_date") or today.isoformat(),
            end_date=request.POST.get("end_date") or None,
            level=request.POST.get("level", Level.WORKSPACE),
            team=request.POST.get("team", ""),
            project_id=request.POST.get("project_id") or None,
            description=request.POST.get("description", ""),
        )
        messages.success(request, _("Objective set."))
        return redirect("goal", slug, objective.pk)

    response, error = run_post(request, post)
    if response is not None:
        return response
    objectives = list(queries.list_objectives(membership, on=None if shown_all else on))
    reports = queries.report_objectives(objectives, today)
    context = {
        "membership": membership,
        "workspace": workspace,
        "nav": "goals",
        "reports": reports,
        "charts": {r.key_result.pk: _chart(r, None, []) for o in reports for r in o.key_results},
        "on": on,
        "today": today,
        "shown_all": shown_all,
        "error": error,
        "posted": request.POST if error else {},
        "levels": LEVELS,
        "periods": PERIODS,
        "projects": work_queries.visible_projects(membership).order_by("name"),
        "statuses": queries.STATUS_LABELS,
    }
    return TemplateResponse(
        request, "goals/goals.html", context, status=error.status if error else 200
    )


@login_required
@page
def goal(request: HttpRequest, slug: str, objective_id: int) -> HttpResponse:
    """One objective: each key result's chart and linked work; forms to add a key result,
    link work, delete."""
    membership = queries.access_goals(request.user, slug)
    workspace = membership.workspace
    objective = queries.get_objective(membership, objective_id)
    response, error = run_post(request, lambda: _post_goal(request, membership, objective))
    if response is not None:
        return response
    report = queries.report_objectives([objective])[0]
    visible = queries.visible_project_ids(membership)
    linked = {
        r.key_result.pk: [p for p in r.key_result.projects.all() if p.pk in visible]
        for r in report.key_results
    }
    milestones = list(
        Milestone.objects.filter(project_id__in={p.pk for ps in linked.values() for p in ps})
        .filter(date__gte=objective.start_date, date__lte=objective.end_date)
        .select_related("project")
        .order_by("date")
    )
    items = {
        r.key_result.pk: [
            i
            for i in r.key_result.items.select_related("project", "state")
            if i.project_id in visible
        ]
        for r in report.key_results
    }
    charts = {
        r.key_result.pk: _chart(
            r,
            objective.end_date,
            [m for m in milestones if m.project in linked[r.key_result.pk]],
            linked[r.key_result.pk],
        )
        for r in report.key_results
    }
    done = queries.work_progress({p.pk for ps in linked.values() for p in ps})
    context = {
        "membership": membership,
        "workspace": workspace,
        "nav": "goals",
        "report": report,
        "objective": objective,
        "linked": linked,
        "done": done,
        "items": items,
        "charts": charts,
        "milestones": milestones,
        "kpis": queries.list_kpis(workspace),
        "projects": work_queries.visible_projects(membership).order_by("name"),
        "directions": DIRECTIONS,
        "error": error,
        "posted": request.POST if error else {},
        "statuses": queries.STATUS_LABELS,
        "can_change": _may_change(membership, objective.owner_id, objective.created_by_id),
    }
    return TemplateResponse(
        request, "goals/goal.html", context, status=error.status if error else 200
    )


def _post_goal(request: HttpRequest, membership: Membership, objective: Any) -> HttpResponse:
    op = request.POST.get("op", "")
    slug = membership.workspace.slug
    here = reverse("goal", args=[slug, objective.pk])
    if op == "add_key_result":
        actions.do_add_key_result(
            actor=membership,
            objective=objective,
            title=request.POST.get("title", ""),
            kpi_id=request.POST.get("kpi_id") or None,
            direction=request.POST.get("direction", Direction.INCREASE),
            start_value=request.POST.get("start_value") or None,
            target_value=request.POST.get("target_value") or None,
            band_low=request.POST.get("band_low") or None,
            band_high=request.POST.get("band_high") or None,
            weight=request.POST.get("weight") or 1,
        )
        messages.success(request, _("Key result added."))
        return redirect(here)
    if op == "delete":
        actions.do_delete_objective(actor=membership, objective=objective)
        messages.success(request, _("Objective deleted."))
        return redirect("goals", slug)
    key_result = queries.get_key_result(membership, int_param(request.POST.get("key_result")))
    if key_result.objective_id != objective.pk:
        raise Invalid(_("Unknown operation."))
    if op == "link":
        refs = [r.strip() for r in request.POST.get("item_refs", "").replace("，", ",").split(",")]
        actions.do_link_work(
            actor=membership,
            key_result=key_result,
            project_ids=request.POST.getlist("project_ids"),
            item_refs=[r for r in refs if r],
        )
        messages.success(request, _("Linked work saved."))
        return redirect(f"{here}#kr-{key_result.pk}")
    if op == "delete_key_result":
        actions.do_delete_key_result(actor=membership, key_result=key_result)
        messages.success(request, _("Key result deleted."))
        return redirect(here)
    raise Invalid(_("Unknown operation."))


def _may_change(membership: Membership, *owners: int | None) -> bool:
    try:
        actions.check_changes(membership, *owners)
    except OpsloopError:
        return False
    return True


def _chart(
    report: KeyResultReport,
    end: dt.date | None,
    milestones: list[Any],
    projects: list[Any] | None = None,
) -> dict[str, Any]:
    """What goals.js draws: the values, the target (or band), the forecast line from the
    last value to the period's end with its range, and the linked campaigns' dates and
    milestones on the time axis."""
    kr = report.key_result
    data: dict[str, Any] = {
        "points": [[d.isoformat(), v] for d, v in report.points],
        "unit": kr.kpi.unit,
        "direction": kr.direction,
        "target": kr.target_value if kr.direction != Direction.BAND else None,
        "band": [kr.band_low, kr.band_high] if kr.direction == Direction.BAND else None,
        "labels": {
            "value": kr.kpi.name,
            "target": _("Target"),
            "forecast": _("Forecast"),
            "range": _("Likely range"),
        },  # fmt: skip
        "milestones": [[m.date.isoformat(), f"{m.project.key} {m.name}"] for m in milestones],
        "campaigns": [
            [p.start_date.isoformat(), p.end_date.isoformat(), f"{p.key} {p.name}"]
            for p in projects or []
            if p.start_date and p.end_date
        ],
    }
    if report.forecast is not None and report.points and end is not None:
        last_day, last_value = report.points[-1]
        f = report.forecast
        data["forecast"] = [[last_day.isoformat(), last_value], [f.day.isoformat(), f.value]]
        data["range"] = [f.day.isoformat(), f.low, f.high]
    return data


@login_required
@page
def kpis(request: HttpRequest, slug: str) -> HttpResponse:
    """The KPIs: where each one's values come from, its latest value, its state; forms to
    make one, enter or import a manual one's values, and compute one now."""
    membership = queries.access_goals(request.user, slug)
    workspace = membership.workspace
    response, error = run_post(request, lambda: _post_kpis(request, membership))
    if response is not None:
        return response
    listed = list(queries.list_kpis(workspace))
    latest = queries.latest_values([k.pk for k in listed])
    context = {
        "membership": membership,
        "workspace": workspace,
        "nav": "goals",
        "kpis": [(k, latest.get(k.pk), queries.list_alerts(k)) for k in listed],
        "alert_kinds": AlertKind.choices,
        "insights": insight_queries.list_insights(workspace, limit=200),
        "projects": work_queries.visible_projects(membership).order_by("name"),
        "milestones": Milestone.objects.filter(
            project__in=work_queries.visible_projects(membership)
        ).select_related("project"),
        "sources": SOURCES,
        "error": error,
        "posted": request.POST if error else {},
        "today": insight_queries.local_today(workspace),
    }
    return TemplateResponse(
        request, "goals/kpis.html", context, status=error.status if error else 200
    )


def _post_kpis(request: HttpRequest, membership: Membership) -> HttpResponse:
    op = request.POST.get("op", "")
    here = reverse("kpis", args=[membership.workspace.slug])
    if op == "create":
        source = request.POST.get("source", KpiSource.MANUAL)
        definition: dict[str, Any] = {}
        if source == KpiSource.INSIGHT:
            definition = _pick(request)
        elif source == KpiSource.WORK:
            definition = {"measure": request.POST.get("measure", "items_done")}
            if definition["measure"] == "milestone_done_percent":
                definition["milestone_id"] = request.POST.get("milestone_id")
            else:
                definition["project_ids"] = request.POST.getlist("project_ids")
        kpi = actions.do_create_kpi(
            actor=membership,
            name=request.POST.get("name", ""),
            source=source,
            insight_id=request.POST.get("insight_id") or None,
            definition=definition,
            unit=request.POST.get("unit", ""),
        )
        if kpi.stale:
            messages.warning(
                request, _("KPI saved, but computing it failed: %(error)s") % {"error": kpi.error}
            )
        else:
            messages.success(request, _("KPI saved."))
        return redirect(f"{here}#kpi-{kpi.pk}")
    kpi = queries.get_kpi(membership.workspace, int_param(request.POST.get("kpi")))
    if op == "value":
        values = actions.check_values(
            [{"day": request.POST.get("day"), "value": request.POST.get("value")}]
        )
        actions.do_record_kpi_values(actor=membership, kpi=kpi, values=values)
        messages.success(request, _("Value recorded."))
    elif op == "import":
        upload = request.FILES.get("file")
        if upload is None:
            raise Invalid(_("Choose a CSV or Excel file."), field="file")
        if upload.size and upload.size > actions.MAX_IMPORT_BYTES:
            raise Invalid(_("The file is larger than 2 MB."), field="file")
        values = actions.parse_value_file(upload.name or "", upload.read())
        n = actions.do_record_kpi_values(actor=membership, kpi=kpi, values=values)
        messages.success(request, _("%(n)d values imported.") % {"n": n})
    elif op == "alert":
        actions.do_create_alert_rule(
            actor=membership,
            kpi=kpi,
            kind=request.POST.get("kind", ""),
            threshold=request.POST.get("threshold") or None,
            percent=request.POST.get("percent") or None,
            weeks=request.POST.get("weeks") or 4,
            z=request.POST.get("z") or 3,
            create_item=request.POST.get("create_item") == "1",
            project_id=request.POST.get("project_id") or None,
        )
        messages.success(request, _("Alert set."))
    elif op == "delete_alert":
        rule = queries.get_alert(kpi, int_param(request.POST.get("alert")))
        actions.do_delete_alert_rule(actor=membership, rule=rule)
        messages.success(request, _("Alert deleted."))
    elif op == "compute":
        if actions.do_compute_kpi(kpi=kpi):
            messages.success(request, _("KPI computed."))
        else:
            messages.warning(request, _("Computing it failed: %(error)s") % {"error": kpi.error})
    else:
        raise Invalid(_("Unknown operation."))
    return redirect(f"{here}#kpi-{kpi.pk}")


def _pick(request: HttpRequest) -> dict[str, Any]:
    """Which number of the chosen insight, from the form's fields."""
    pick: dict[str, Any] = {}
    for name in ("series", "step", "period"):
        if request.POST.get(name, "") != "":
            pick[name] = request.POST[name]
    if request.POST.get("measure_funnel"):
        pick["measure"] = request.POST["measure_funnel"]
    if request.POST.get("breakdown"):
        pick["breakdown"] = request.POST["breakdown"]
    return pick
