"""Pages of the team (skills, capacity), time tracking, the time report and the workload."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opsloop.capacity import actions, queries
from opsloop.capacity.schemas import (
    ProfilePatch,
    SkillIn,
    SkillPatch,
    TimeEntryIn,
    TimeEntryPatch,
)
from opsloop.core.errors import Invalid, OpsloopError
from opsloop.core.inputs import parse_input
from opsloop.core.models import Role
from opsloop.core.pages import form_data, int_param, page, raise_if_denied
from opsloop.core.queries import get_member
from opsloop.work.queries import EDIT, access_item, list_projects


def _base(membership, view: str) -> dict:
    return {
        "membership": membership,
        "workspace": membership.workspace,
        "nav": "workload",
        "view": view,
        "is_admin": membership.at_least(Role.ADMIN),
    }


def _status(error: OpsloopError | None) -> int:
    return error.status if error else 200


# --- team


@login_required
@page
def team(request: HttpRequest, slug: str) -> HttpResponse:
    membership = queries.access_team(request.user, slug)
    error = None
    if request.method == "POST":
        data = form_data(request, lists=("skill_ids",), blank_is_none=("weekly_capacity",))
        user_id = int_param(data.pop("user_id", None) or str(membership.user_id))
        data.pop("op", None)
        try:
            target = get_member(membership.workspace, user_id)
            actions.do_update_profile(
                actor=membership, member=target, data=parse_input(ProfilePatch, data)
            )
        except OpsloopError as exc:
            raise_if_denied(exc)
            error = exc
        else:
            messages.success(request, _("Saved."))
            return redirect("team", slug=slug)
    members = queries.team_members(membership.workspace_id)
    context = _base(membership, "team") | {
        "members": [(m, queries.can_edit_profile(membership, m.membership)) for m in members],
        "skills": list(queries.list_skills(membership.workspace_id)),
        "error": error,
    }
    return TemplateResponse(request, "capacity/team.html", context, status=_status(error))


@login_required
@page
def team_skills(request: HttpRequest, slug: str) -> HttpResponse:
    """Add, change or delete a skill (admins); answers with a redirect to the team page."""
    membership = queries.access_team(request.user, slug)
    if request.method != "POST":
        return redirect("team", slug=slug)
    data = form_data(request)
    op = data.pop("op", "create")
    try:
        if op == "create":
            actions.do_create_skill(actor=membership, data=parse_input(SkillIn, data))
        else:
            skill = queries.get_skill(
                membership.workspace_id, int_param(data.pop("skill_id", None))
            )
            if op == "delete":
                actions.do_delete_skill(actor=membership, skill=skill)
            elif op == "update":
                actions.do_update_skill(
                    actor=membership, skill=skill, data=parse_input(SkillPatch, data)
                )
            else:
                raise Invalid(_("Unknown operation."))
    except OpsloopError as exc:
        raise_if_denied(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("team", slug=slug)


# --- time


def _time_form_context(access, entry=None, values=None, error=None) -> dict:
    return {
        "membership": access.membership,
        "workspace": access.membership.workspace,
        "project": access.item.project,
        "item": access.item,
        "entry": entry,
        "values": values or {},
        "error": error,
        "today": timezone.localdate(),
        "nav": f"project:{access.item.project.key}",
    }


@login_required
@page
def item_time(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    """Log time on an item; the item page's own form posts here. Errors show this page."""
    access = access_item(request.user, slug, ref, EDIT)
    error, values = None, {}
    if request.method == "POST":
        values = form_data(request, blank_is_none=("spent_on", "duration"))
        try:
            actions.do_log_time(
                actor=access.membership, item=access.item, data=parse_input(TimeEntryIn, values)
            )
        except OpsloopError as exc:
            raise_if_denied(exc)
            error = exc
        else:
            messages.success(request, _("Time logged."))
            return redirect(f"/w/{slug}/i/{access.item.ref}/#time")
    context = _time_form_context(access, values=values, error=error)
    return TemplateResponse(request, "capacity/time_form.html", context, status=_status(error))


@login_required
@page
def item_time_entry(request: HttpRequest, slug: str, ref: str, entry_id: int) -> HttpResponse:
    """Change or delete a time entry: its author, or an admin."""
    access = queries.access_time_entry(request.user, slug, ref, entry_id)
    entry = access.entry
    error = None
    values = {
        "spent_on": entry.spent_on.isoformat(),
        "duration": queries.format_minutes(entry.minutes).replace(" ", ""),
        "note": entry.note,
    }
    if request.method == "POST":
        data = form_data(request, blank_is_none=("spent_on", "duration"))
        op = data.pop("op", "update")
        try:
            if op == "delete":
                actions.do_delete_time_entry(actor=access.membership, entry=entry)
                messages.success(request, _("Time entry deleted."))
            else:
                values = data
                actions.do_update_time_entry(
                    actor=access.membership, entry=entry, data=parse_input(TimeEntryPatch, data)
                )
                messages.success(request, _("Saved."))
        except OpsloopError as exc:
            raise_if_denied(exc)
            error = exc
        else:
            return redirect(f"/w/{slug}/i/{access.item.ref}/#time")
    context = _time_form_context(access, entry=entry, values=values, error=error)
    return TemplateResponse(request, "capacity/time_form.html", context, status=_status(error))


@login_required
@page
def time_report(request: HttpRequest, slug: str) -> HttpResponse:
    membership = queries.access_team(request.user, slug)
    error = None
    try:
        report = queries.time_report(membership, request.GET)
    except Invalid as exc:
        error = exc
        report = queries.time_report(membership, {})
    context = _base(membership, "time") | {
        "report": report,
        "projects": list_projects(membership),
        "error": error,
    }
    return TemplateResponse(request, "capacity/time_report.html", context, status=_status(error))


# --- workload


@login_required
@page
def workload(request: HttpRequest, slug: str) -> HttpResponse:
    membership = queries.access_team(request.user, slug)
    error = None
    try:
        filters = queries.parse_workload_filters(request.GET)
        found = queries.workload(membership, filters)
    except Invalid as exc:
        error = exc
        filters = queries.parse_workload_filters({})
        found = queries.workload(membership, filters)
    this_week = queries.week_of(timezone.localdate())
    step = timedelta(weeks=4)
    context = _base(membership, "workload") | {
        "found": found,
        "filters": filters,
        "this_week": this_week,
        # Once, not per cell: a URL reversed 600 times cost more than the workload itself.
        "cell_url": reverse("workload_cell", args=[slug]),
        "project_q": quote(filters.project_key),
        "previous": (filters.start - step).isoformat(),
        "next": (filters.start + step).isoformat(),
        "projects": list_projects(membership),
        "skills": list(queries.list_skills(membership.workspace_id)),
        "error": error,
    }
    return TemplateResponse(request, "capacity/workload.html", context, status=_status(error))


@login_required
@page
def workload_cell(request: HttpRequest, slug: str) -> HttpResponse:
    """The items behind one cell of the workload: a panel for htmx, a page without it."""
    membership = queries.access_team(request.user, slug)
    user_id = int_param(request.GET.get("user"))
    person = get_member(membership.workspace, user_id).user
    week = queries.parse_workload_filters({"from": request.GET.get("week")}).start
    project = request.GET.get("project", "")
    items = queries.cell_items(membership, user_id, week, project)
    context = _base(membership, "workload") | {
        "person": person,
        "week": week,
        "week_name": queries.week_name(week),
        "items": items,
        "total": round(sum(c.hours for c in items), 1),
        "project_key": project,
    }
    template = "capacity/workload_cell.html"
    if request.headers.get("HX-Request"):
        template += "#cell"
    return TemplateResponse(request, template, context)
