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
from opsloop.core.inputs import parse_input
from opsloop.core.models import Membership
from opsloop.core.pages import form_data, int_param, page, run_post
from opsloop.files.uploads import uploaded_file
from opsloop.goals import actions, campaign, queries, sources
from opsloop.goals.models import AlertKind, Direction, KpiSource, Level, PeriodKind
from opsloop.goals.queries import KeyResultReport
from opsloop.goals.schemas import (
    AlertIn,
    KeyResultIn,
    KeyResultPatch,
    KpiIn,
    LinksIn,
    ObjectiveIn,
    ValueIn,
)
from opsloop.insights import queries as insight_queries

DIRECTIONS = Direction.choices
SOURCES = KpiSource.choices
LEVELS = Level.choices
PERIODS = PeriodKind.choices
# The fields of each form that may be left blank: the schema's default applies.
OBJECTIVE_OPTIONAL = ("period_kind", "start_date", "end_date", "level", "project_id")
KEY_RESULT_OPTIONAL = (
    "kpi_id", "direction", "start_value", "target_value", "band_low", "band_high", "weight",
)  # fmt: skip
ALERT_OPTIONAL = ("threshold", "percent", "weeks", "z", "project_id")


def _day_param(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _form(request: HttpRequest, *, optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """The posted form as a schema's input: an optional field left blank is left out, so
    the schema's default applies, as when an API client leaves it out."""
    data = form_data(request, blank_is_none=optional)
    return {k: v for k, v in data.items() if not (k in optional and v is None)}


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
        # A period starts today unless the form says otherwise.
        values = {"start_date": today, **_form(request, optional=OBJECTIVE_OPTIONAL)}
        objective = actions.do_create_objective(
            actor=membership, data=parse_input(ObjectiveIn, values)
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
        "projects": queries.project_choices(membership),
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
    work = queries.linked_work(membership, report)
    linked = work.projects
    charts = {
        r.key_result.pk: _chart(
            r,
            objective.end_date,
            [m for m in work.milestones if m.project in linked[r.key_result.pk]],
            linked[r.key_result.pk],
        )
        for r in report.key_results
    }
    done = queries.work_progress({p.pk for ps in linked.values() for p in ps})
    key_results = [r.key_result for r in report.key_results]
    # Each linked campaign's lift on the key result's KPI, as its Impact tab says it.
    impacts = campaign.key_result_impacts(membership, [(kr, linked[kr.pk]) for kr in key_results])
    owners = (objective.owner_id, objective.created_by_id)
    context = {
        "membership": membership,
        "workspace": workspace,
        "nav": "goals",
        "report": report,
        "objective": objective,
        "linked": linked,
        "done": done,
        "items": work.items,
        "charts": charts,
        "milestones": work.milestones,
        "kpis": queries.list_kpis(membership),
        "projects": queries.project_choices(membership),
        "directions": DIRECTIONS,
        "error": error,
        "posted": request.POST if error else {},
        "statuses": queries.STATUS_LABELS,
        "can_change": _may_change(membership, *owners),
        # The key results whose edit form the member gets (their owner may change one).
        "editable": {kr.pk for kr in key_results if _may_change(membership, *owners, kr.owner_id)},
        "impacts": impacts,
        "forms": {
            kr.pk: _key_result_values(kr, request.POST if error else None) for kr in key_results
        },
        "new_form": _posted_values(request.POST)
        if error and request.POST.get("op") == "add_key_result"
        else {},
    }
    return TemplateResponse(
        request, "goals/goal.html", context, status=error.status if error else 200
    )


def _post_goal(request: HttpRequest, membership: Membership, objective: Any) -> HttpResponse:
    op = request.POST.get("op", "")
    slug = membership.workspace.slug
    here = reverse("goal", args=[slug, objective.pk])
    if op == "add_key_result":
        data = parse_input(KeyResultIn, _form(request, optional=KEY_RESULT_OPTIONAL))
        actions.do_add_key_result(actor=membership, objective=objective, data=data)
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
        actions.do_link_work(
            actor=membership, key_result=key_result, data=parse_input(LinksIn, _links(request))
        )
        messages.success(request, _("Linked work saved."))
        return redirect(f"{here}#kr-{key_result.pk}")
    if op == "edit_key_result":
        values = _form(request, optional=("weight",)) | _blanks(request)
        patch = parse_input(KeyResultPatch, values)
        actions.do_update_key_result(actor=membership, key_result=key_result, data=patch)
        messages.success(request, _("Key result saved."))
        return redirect(f"{here}#kr-{key_result.pk}")
    if op == "delete_key_result":
        actions.do_delete_key_result(actor=membership, key_result=key_result)
        messages.success(request, _("Key result deleted."))
        return redirect(here)
    raise Invalid(_("Unknown operation."))


KEY_RESULT_FIELDS = (
    "title", "kpi_id", "direction", "start_value", "target_value", "band_low", "band_high",
    "weight",
)  # fmt: skip


def _posted_values(posted: Any) -> dict[str, str]:
    return {name: posted.get(name, "") for name in KEY_RESULT_FIELDS}


def _key_result_values(kr: Any, posted: Any) -> dict[str, str]:
    """What a key result's edit form shows: what was posted to it when that failed, else
    the key result's values in full (not rounded as the page shows them)."""
    editing = posted is not None and posted.get("op") == "edit_key_result"
    if editing and posted.get("key_result") == str(kr.pk):
        return _posted_values(posted)
    band = kr.direction == Direction.BAND
    return {
        "title": kr.title,
        "kpi_id": str(kr.kpi_id),
        "direction": kr.direction,
        "start_value": _plain(kr.start_value),
        "target_value": "" if band else _plain(kr.target_value),
        "band_low": _plain(kr.band_low),
        "band_high": _plain(kr.band_high),
        "weight": _plain(kr.weight),
    }


def _plain(value: float | None) -> str:
    """A number as typed: 800, 25.3377 (every digit kept), "" for none."""
    if value is None:
        return ""
    return str(int(value)) if value == int(value) else repr(value)


def _blanks(request: HttpRequest) -> dict[str, Any]:
    """The edit form's numbers left blank: a band's end cleared, the start value 0 (as
    when a key result is added), a missing target refused by the action."""
    names = ("start_value", "target_value", "band_low", "band_high")
    return {n: None for n in names if n in request.POST and request.POST[n].strip() == ""}


def _links(request: HttpRequest) -> dict[str, Any]:
    """LinksIn from the form: the projects picked, and the items' refs typed in one
    field, separated by commas (a Chinese comma too)."""
    refs = request.POST.get("item_refs", "").replace("，", ",").split(",")
    return {
        "project_ids": [p for p in request.POST.getlist("project_ids") if p != ""],
        "item_refs": [r.strip() for r in refs if r.strip()],
    }


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
    target_label = {
        Direction.AT_LEAST.value: _("At least"),
        Direction.AT_MOST.value: _("At most"),
    }.get(kr.direction, _("Target"))
    data: dict[str, Any] = {
        "points": [[d.isoformat(), v] for d, v in report.points],
        "unit": kr.kpi.unit,
        "direction": kr.direction,
        "target": kr.target_value if kr.direction != Direction.BAND else None,
        "band": [kr.band_low, kr.band_high] if kr.direction == Direction.BAND else None,
        # The places that tell the key result's numbers apart; the axis may need more.
        "decimals": report.decimals,
        "labels": {
            "value": kr.kpi.name,
            "target": target_label,
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
    listed = list(queries.list_kpis(membership))
    latest = queries.latest_values([k.pk for k in listed])
    context = {
        "membership": membership,
        "workspace": workspace,
        "nav": "goals",
        "kpis": [(k, latest.get(k.pk), queries.list_alerts(k)) for k in listed],
        "alert_kinds": AlertKind.choices,
        "insights": insight_queries.list_insights(workspace, limit=200),
        "projects": queries.project_choices(membership),
        "milestones": queries.milestone_choices(membership),
        "sources": SOURCES,
        "source_fields": {
            name: source.form_fields(membership)
            for name, source in sources.registered_sources().items()
        },
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
        kpi = actions.do_create_kpi(actor=membership, data=parse_input(KpiIn, _kpi_form(request)))
        if kpi.stale:
            messages.warning(
                request, _("KPI saved, but computing it failed: %(error)s") % {"error": kpi.error}
            )
        else:
            messages.success(request, _("KPI saved."))
        return redirect(f"{here}#kpi-{kpi.pk}")
    kpi = queries.get_kpi(membership, int_param(request.POST.get("kpi")))
    if op == "value":
        value = parse_input(ValueIn, _form(request, optional=("day", "value")))
        actions.do_record_kpi_values(
            actor=membership, kpi=kpi, values=actions.check_values([value])
        )
        messages.success(request, _("Value recorded."))
    elif op == "import":
        upload = uploaded_file(
            request,
            max_bytes=actions.MAX_IMPORT_BYTES,
            missing=_("Choose a CSV or Excel file."),
        )
        values = actions.parse_value_file(upload.name or "", upload.read())
        n = actions.do_record_kpi_values(actor=membership, kpi=kpi, values=values)
        messages.success(request, _("%(n)d values imported.") % {"n": n})
    elif op == "alert":
        data = _form(request, optional=ALERT_OPTIONAL)
        data["create_item"] = request.POST.get("create_item") == "1"
        actions.do_create_alert_rule(actor=membership, kpi=kpi, data=parse_input(AlertIn, data))
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


def _kpi_form(request: HttpRequest) -> dict[str, Any]:
    """KpiIn from the form: its fields are the API's, but the definition is spread over
    fields of its own (one set for an insight, one for the work)."""
    data = _form(request, optional=("insight_id",))
    data.setdefault("source", KpiSource.MANUAL)
    if data["source"] == KpiSource.INSIGHT:
        data["definition"] = _pick(request)
    elif data["source"] == KpiSource.WORK:
        data["definition"] = _work_measure(request)
    elif data["source"] in sources.registered_sources():
        # A registered source's fields are posted as <source>-<name> (kpis.html).
        prefix = f"{data['source']}-"
        data["definition"] = {
            key.removeprefix(prefix): value
            for key, value in request.POST.items()
            if key.startswith(prefix) and value != ""
        }
    return data


def _pick(request: HttpRequest) -> dict[str, Any]:
    """Which number of the chosen insight, as the API's definition says it."""
    pick: dict[str, Any] = {}
    for name in ("series", "step", "period"):
        if request.POST.get(name, "") != "":
            pick[name] = request.POST[name]
    if request.POST.get("measure_funnel"):
        pick["measure"] = request.POST["measure_funnel"]
    if request.POST.get("breakdown"):
        pick["breakdown"] = request.POST["breakdown"]
    return pick


def _work_measure(request: HttpRequest) -> dict[str, Any]:
    """What of the work the KPI measures, as the API's definition says it."""
    measure: dict[str, Any] = {"measure": request.POST.get("measure", "items_done")}
    if measure["measure"] == "milestone_done_percent":
        measure["milestone_id"] = request.POST.get("milestone_id")
    else:
        measure["project_ids"] = request.POST.getlist("project_ids")
    return measure
