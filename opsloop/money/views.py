"""Pages of a project's money: the Budget tab (planned against spent per line, channel
and week, the spend entries and their form, the budget watch), the budget lines' editor,
a spend entry's form, the Placements tab and a placement with its daily figures."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opsloop.core.errors import Invalid
from opsloop.core.inputs import parse_input
from opsloop.core.pages import form_data, int_param, page, run_post
from opsloop.insights.queries import local_today
from opsloop.money import actions, queries
from opsloop.money.models import Category, Platform
from opsloop.money.queries import EDIT, MANAGE, MoneyAccess, access_money
from opsloop.money.schemas import (
    BudgetLineIn,
    BudgetLinePatch,
    BudgetWatchIn,
    PlacementDayIn,
    PlacementIn,
    PlacementPatch,
    SpendEntryIn,
    SpendEntryPatch,
)

ENTRY_BLANKS = ("line_id", "partner_id", "placement_id", "invoice_id", "cooperation_id")
PLACEMENT_BLANKS = ("channel_id", "account_id", "budget_line_id", "link_id", "starts_on",
                    "ends_on")  # fmt: skip
IMPORT_KINDS = ("ocean_engine", "tencent_ads", "xhs_juguang", "baidu")


def _base(access: MoneyAccess, view: str) -> dict:
    return {
        "membership": access.membership,
        "workspace": access.membership.workspace,
        "project": access.project,
        "nav": f"project:{access.project.key}",
        "view": view,
        "can_manage": access.can_manage,
    }


def import_links(request: HttpRequest, access: MoneyAccess, platform: str = "") -> list:
    """(platform label, address of the import page for its export) for each ad platform,
    or only `platform`'s. The page is opsloop.core's generic import (mapping, preview)."""
    slug, key = access.membership.workspace.slug, access.project.key
    kinds = [platform] if platform in IMPORT_KINDS else list(IMPORT_KINDS)
    query = urlencode({"target": key, "next": request.get_full_path()})
    return [(Platform(k).label, f"/w/{slug}/import/money.{k}/?{query}") for k in kinds]


def _chart(budget: queries.Budget) -> dict:
    return {
        "currency": budget.currency,
        "weeks": [w.week for w in budget.weeks],
        "planned": [str(w.planned) if w.planned is not None else None for w in budget.weeks],
        "actual": [str(w.actual) for w in budget.weeks],
        "planned_to_date": [
            str(w.planned_to_date) if w.planned_to_date is not None else None for w in budget.weeks
        ],
        "actual_to_date": [str(w.actual_to_date) for w in budget.weeks],
        "labels": {
            "planned": _("Planned"),
            "actual": _("Spent"),
            "planned_to_date": _("Planned to date"),
            "actual_to_date": _("Spent to date"),
        },
    }


# --- the Budget tab


@login_required
@page
def project_budget(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    access = access_money(request.user, slug, key)
    membership, project = access.membership, access.project

    def post() -> HttpResponse:
        op = request.POST.get("op", "add_spend")
        handler = BUDGET_OPS.get(op)
        if handler is None:
            raise Invalid(_("Unknown operation."))
        handler(request, access)
        return redirect("project_budget", slug, project.key)

    response, error = run_post(request, post)
    if response is not None:
        return response
    budget = queries.budget_of(project)
    context = _base(access, "budget") | {
        "budget": budget,
        "chart": _chart(budget),
        "entries": queries.list_entries(project),
        "lines": [f.line for f in budget.lines if f.line is not None],
        "placements": queries.list_placements(project),
        "partners": queries.partner_choices(project.workspace_id),
        "invoices": queries.invoice_choices(membership, project),
        "currency": budget.currency,
        "error": error,
        "posted": request.POST if error else {},
        "today": local_today(membership.workspace),
    }
    return TemplateResponse(
        request, "money/budget.html", context, status=error.status if error else 200
    )


def _add_spend(request: HttpRequest, access: MoneyAccess) -> None:
    values = form_data(request, blank_is_none=ENTRY_BLANKS)
    values.pop("op", None)
    values.setdefault("currency", queries.project_currency(access.project))
    actions.do_create_entry(
        actor=access.membership, project=access.project, data=parse_input(SpendEntryIn, values)
    )
    messages.success(request, _("Spend recorded."))


def _delete_spend(request: HttpRequest, access: MoneyAccess) -> None:
    entry = queries.get_entry(access.project, int_param(request.POST.get("entry_id")))
    actions.do_delete_entry(actor=access.membership, entry=entry)
    messages.success(request, _("Spend entry deleted."))


def _watch(request: HttpRequest, access: MoneyAccess) -> None:
    queries.money_access(access.membership, access.project, MANAGE)
    data = parse_input(BudgetWatchIn, {"members_may_see": request.POST.get("members_may_see", "")
                                       in ("on", "true", "1")})  # fmt: skip
    watch = actions.do_watch_budget(actor=access.membership, project=access.project, data=data)
    messages.success(
        request, _("The budget is watched: %(kpi)s alerts on overspend.") % {"kpi": watch.kpi.name}
    )


def _unwatch(request: HttpRequest, access: MoneyAccess) -> None:
    actions.do_unwatch_budget(actor=access.membership, project=access.project)
    messages.success(request, _("The budget is no longer watched."))


BUDGET_OPS: dict[str, Callable[[HttpRequest, MoneyAccess], None]] = {
    "add_spend": _add_spend,
    "delete_spend": _delete_spend,
    "watch": _watch,
    "unwatch": _unwatch,
}


# --- budget lines


@login_required
@page
def budget_lines(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """The editor of the lines: add, change, delete (the project's owner and admins)."""
    access = access_money(request.user, slug, key, MANAGE)
    project = access.project

    def post() -> HttpResponse:
        op = request.POST.get("op", "add_line")
        values = form_data(request, blank_is_none=("channel_id",))
        values.pop("op", None)
        if op == "add_line":
            values.pop("line_id", None)
            values.setdefault("currency", queries.project_currency(project))
            data = parse_input(BudgetLineIn, values)
            actions.do_create_line(actor=access.membership, project=project, data=data)
            messages.success(request, _("Budget line added."))
        elif op in ("update_line", "delete_line"):
            line = queries.get_line(project, int_param(values.pop("line_id", None)))
            if op == "delete_line":
                actions.do_delete_line(actor=access.membership, line=line)
                messages.success(request, _("Budget line deleted."))
            else:
                values.setdefault("channel_id", None)
                data = parse_input(BudgetLinePatch, values)
                actions.do_update_line(actor=access.membership, line=line, data=data)
                messages.success(request, _("Saved."))
        else:
            raise Invalid(_("Unknown operation."))
        return redirect("budget_lines", slug, project.key)

    response, error = run_post(request, post)
    if response is not None:
        return response
    context = _base(access, "budget") | {
        "lines": queries.list_lines(project),
        "channels": queries.channel_choices(project.workspace_id),
        "categories": Category.choices,
        "currency": queries.project_currency(project),
        "error": error,
        "posted": request.POST if error else {},
    }
    return TemplateResponse(
        request, "money/budget_lines.html", context, status=error.status if error else 200
    )


# --- a spend entry


@login_required
@page
def spend_entry(request: HttpRequest, slug: str, key: str, entry_id: int) -> HttpResponse:
    """A spend entry's form: who recorded it, the project's owner and admins change it."""
    access = access_money(request.user, slug, key)
    project = access.project
    entry = queries.get_entry(project, entry_id)
    can_change = queries.can_change_record(access.membership, project, entry.created_by_id)

    def post() -> HttpResponse:
        queries.check_change_record(access.membership, project, entry.created_by_id)
        values = form_data(request, blank_is_none=ENTRY_BLANKS)
        if values.pop("op", "") == "delete":
            actions.do_delete_entry(actor=access.membership, entry=entry)
            messages.success(request, _("Spend entry deleted."))
            return redirect("project_budget", slug, project.key)
        for name in ENTRY_BLANKS:
            values.setdefault(name, None)
        data = parse_input(SpendEntryPatch, values)
        actions.do_update_entry(actor=access.membership, entry=entry, data=data)
        messages.success(request, _("Saved."))
        return redirect("project_budget", slug, project.key)

    response, error = run_post(request, post)
    if response is not None:
        return response
    context = _base(access, "budget") | {
        "entry": entry,
        "can_change": can_change,
        "lines": queries.list_lines(project),
        "placements": queries.list_placements(project),
        "partners": queries.partner_choices(project.workspace_id),
        "invoices": queries.invoice_choices(access.membership, project),
        "error": error,
        "posted": request.POST if error else {},
    }
    return TemplateResponse(
        request, "money/spend_entry.html", context, status=error.status if error else 200
    )


# --- placements


@login_required
@page
def project_placements(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    access = access_money(request.user, slug, key)
    project = access.project

    def post() -> HttpResponse:
        queries.money_access(access.membership, project, EDIT)
        values = form_data(request, blank_is_none=PLACEMENT_BLANKS)
        data = parse_input(PlacementIn, values)
        made = actions.do_create_placement(actor=access.membership, project=project, data=data)
        messages.success(request, _("Placement added."))
        return redirect("placement", slug, project.key, made.pk)

    response, error = run_post(request, post)
    if response is not None:
        return response
    placements = queries.list_placements(project)
    context = _base(access, "placements") | {
        "placements": placements,
        "totals": queries.figures(
            sum((p.figures.spend for p in placements), queries.ZERO),  # type: ignore[attr-defined]
            sum(p.figures.impressions for p in placements),  # type: ignore[attr-defined]
            sum(p.figures.clicks for p in placements),  # type: ignore[attr-defined]
            None,
        ),
        "platforms": Platform.choices,
        "channels": queries.channel_choices(project.workspace_id),
        "accounts": queries.account_choices(project.workspace_id),
        "lines": queries.list_lines(project),
        "import_links": import_links(request, access),
        "error": error,
        "posted": request.POST if error else {},
    }
    return TemplateResponse(
        request, "money/placements.html", context, status=error.status if error else 200
    )


def _placement_chart(days: list) -> dict:
    return {
        "days": [d.day.isoformat() for d, _f in days],
        "spend": [str(f.spend) for _d, f in days],
        "clicks": [f.clicks for _d, f in days],
        "labels": {"spend": _("Spend"), "clicks": _("Clicks")},
    }


@login_required
@page
def placement(request: HttpRequest, slug: str, key: str, placement_id: int) -> HttpResponse:
    """A placement with its figures per day, the day form and its settings."""
    access = access_money(request.user, slug, key)
    project = access.project
    found = queries.get_placement(project, placement_id)

    def post() -> HttpResponse:
        queries.money_access(access.membership, project, EDIT)
        op = request.POST.get("op", "day")
        if op == "day":
            values = form_data(request, blank_is_none=("conversions",))
            values.pop("op", None)
            for name in ("impressions", "clicks"):
                values[name] = values.get(name) or "0"
            values.setdefault("currency", queries.project_currency(project))
            day = parse_input(PlacementDayIn, values)
            actions.do_record_placement_days(actor=access.membership, placement=found, days=[day])
            messages.success(request, _("Figures of %(day)s saved.") % {"day": day.day})
        elif op == "delete_day":
            day_value = parse_date(request.POST.get("day", "") or "")
            if day_value is None:
                raise Invalid(_("The day is a date, YYYY-MM-DD."), field="day")
            actions.do_delete_placement_day(actor=access.membership, placement=found, day=day_value)
            messages.success(request, _("Figures of %(day)s deleted.") % {"day": day_value})
        elif op == "update":
            values = form_data(request, blank_is_none=PLACEMENT_BLANKS)
            values.pop("op", None)
            for name in PLACEMENT_BLANKS:
                values.setdefault(name, None)
            data = parse_input(PlacementPatch, values)
            actions.do_update_placement(actor=access.membership, placement=found, data=data)
            messages.success(request, _("Saved."))
        else:
            raise Invalid(_("Unknown operation."))
        return redirect("placement", slug, project.key, found.pk)

    response, error = run_post(request, post)
    if response is not None:
        return response
    days = queries.placement_days(found)
    context = _base(access, "placements") | {
        "placement": found,
        "days": list(reversed(days)),
        "chart": _placement_chart(days),
        "can_delete": queries.can_change_record(access.membership, project, found.created_by_id),
        "platforms": Platform.choices,
        "channels": queries.channel_choices(project.workspace_id),
        "accounts": queries.account_choices(project.workspace_id),
        "lines": queries.list_lines(project),
        "import_links": import_links(request, access, found.platform),
        "payments": queries.list_entries(project, queries.SpendQuery(placement_id=found.pk)),
        "currency": queries.project_currency(project),
        "error": error,
        "posted": request.POST if error else {},
        "today": local_today(access.membership.workspace),
    }
    return TemplateResponse(
        request, "money/placement.html", context, status=error.status if error else 200
    )


@login_required
@require_POST
@page
def placement_delete(request: HttpRequest, slug: str, key: str, placement_id: int) -> HttpResponse:
    access = access_money(request.user, slug, key, EDIT)
    found = queries.get_placement(access.project, placement_id)
    actions.do_delete_placement(actor=access.membership, placement=found)
    messages.success(request, _("Placement deleted."))
    return redirect("project_placements", slug, access.project.key)
