"""Pages of the timeline (Gantt), the calendar, milestones, and an item's dependency forms.

The timeline and the calendar are drawn by timeline.js / calendar.js from data the page
embeds; dragging saves through the reschedule API with the version the page read."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opsloop.core.errors import Invalid, OpsloopError
from opsloop.core.inputs import parse_input
from opsloop.core.models import Role
from opsloop.core.pages import form_data, int_param, page, raise_if_denied
from opsloop.core.queries import access_workspace
from opsloop.planning import actions, queries
from opsloop.planning.schemas import MilestoneIn, MilestonePatch
from opsloop.work.queries import (
    EDIT,
    access_item,
    access_project,
    assignable_users,
)

ZOOMS = ("day", "week", "month")
DAY_ITEMS = 8
GROUPINGS = ("none", "assignee", "parent", "project")


def _choice(request: HttpRequest, name: str, allowed: tuple[str, ...]) -> str:
    value = request.GET.get(name) or allowed[0]
    return value if value in allowed else allowed[0]


def _timeline_text() -> dict[str, str]:
    """The chart script's words, in the page's language (sent through json_script)."""
    return {
        "unassigned": _("Unassigned"),
        "noParent": _("No parent"),
        "all": _("All items"),
        "noDates": _("No dates"),
        "saved": _("Saved."),
        "saving": _("Saving…"),
        "conflict": _(
            "Someone else changed this item since you opened the page; reload to see their change."
        ),
        "failed": _("Could not save:"),
        "breaks": _("This move breaks:"),
        "startsBefore": _("{b} starts before {a} is due"),
        "shift": _("Shift dependents"),
        "anyway": _("Move anyway"),
        "cancel": _("Cancel"),
        "reload": _("Reload"),
        "today": _("Today"),
    }


def _timeline_context(request: HttpRequest, membership, payload: dict) -> dict:
    return {
        "timeline_text": _timeline_text(),
        "membership": membership,
        "workspace": membership.workspace,
        "payload": payload,
        "zoom": _choice(request, "zoom", ZOOMS),
        "group": _choice(request, "group", GROUPINGS),
        "can_edit": membership.at_least(Role.MEMBER),
        "item_count": len(payload["items"]),
    }


@login_required
@page
def project_timeline(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    access = access_project(request.user, slug, key)
    payload = queries.project_timeline_payload(
        access.membership, access.project, today=timezone.localdate()
    )
    context = _timeline_context(request, access.membership, payload) | {
        "project": access.project,
        "view": "timeline",
        "nav": f"project:{access.project.key}",
    }
    return TemplateResponse(request, "planning/timeline.html", context)


@login_required
@page
def timeline(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    visible = queries.projects_by_name(membership)
    chosen = request.GET.get("project", "")
    assignee = None
    error = None
    try:
        assignee = int_param(request.GET["assignee"]) if request.GET.get("assignee") else None
    except Invalid as exc:
        error = exc
    payload = queries.workspace_timeline(
        membership, today=timezone.localdate(), project_key=chosen, assignee=assignee
    )
    context = _timeline_context(request, membership, payload) | {
        "projects": list(visible),
        "chosen_project": chosen.upper(),
        "assignee": assignee,
        "error": error,
        "nav": "timeline",
    }
    return TemplateResponse(
        request, "planning/timeline.html", context, status=400 if error else 200
    )


def _anchor(request: HttpRequest) -> date:
    try:
        return date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return timezone.localdate()


@login_required
@page
def project_calendar(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    access = access_project(request.user, slug, key)
    mode = _choice(request, "mode", ("month", "week"))
    anchor = _anchor(request)
    if mode == "week":
        weeks = [queries.week_days(anchor)]
        previous, following = anchor - timedelta(days=7), anchor + timedelta(days=7)
    else:
        weeks = queries.month_grid(anchor)
        first = anchor.replace(day=1)
        previous = (first - timedelta(days=1)).replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
    by_day = queries.calendar_items(access.project, weeks[0][0], weeks[-1][-1])
    context = {
        "membership": access.membership,
        "workspace": access.membership.workspace,
        "project": access.project,
        "view": "calendar",
        "nav": f"project:{access.project.key}",
        "mode": mode,
        "anchor": anchor,
        "today": timezone.localdate(),
        # A busy day shows its first few items and how many more there are.
        "weeks": [
            [(day, by_day.get(day, [])[:DAY_ITEMS], len(by_day.get(day, []))) for day in week]
            for week in weeks
        ],
        "previous": previous,
        "following": following,
        "undated": queries.count_undated(access.project),
        "can_edit": access.membership.at_least(Role.MEMBER),
    }
    return TemplateResponse(request, "planning/calendar.html", context)


def _milestone_post(request: HttpRequest, access) -> None:
    op = request.POST.get("op", "create")
    data = form_data(request, blank_is_none=("date",))
    data["item_refs"] = [r for r in data.get("item_refs", "").replace(",", " ").split() if r]
    data.pop("op", None)
    if op == "create":
        values = parse_input(MilestoneIn, data)
        actions.do_create_milestone(actor=access.membership, project=access.project, data=values)
        return
    milestone = queries.access_milestone(
        request.user,
        access.membership.workspace.slug,
        access.project.key,
        int_param(request.POST.get("milestone_id")),
    ).milestone
    data.pop("milestone_id", None)
    if op == "delete":
        actions.do_delete_milestone(actor=access.membership, milestone=milestone)
    else:
        values = parse_input(MilestonePatch, data)
        actions.do_update_milestone(actor=access.membership, milestone=milestone, data=values)


@login_required
@page
def project_milestones(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    access = access_project(request.user, slug, key)
    error, values = None, {}
    if request.method == "POST":
        values = request.POST
        try:
            _milestone_post(request, access)
        except OpsloopError as exc:
            raise_if_denied(exc)
            error = exc
        else:
            return redirect("project_milestones", slug=slug, key=access.project.key)
    context = {
        "membership": access.membership,
        "workspace": access.membership.workspace,
        "project": access.project,
        "view": "milestones",
        "nav": f"project:{access.project.key}",
        "rows": queries.list_milestones([access.project], timezone.localdate()),
        "can_edit": access.membership.at_least(Role.MEMBER),
        "editing": request.GET.get("edit", ""),
        "error": error,
        "values": values,
        "people": assignable_users(access.project),
    }
    return TemplateResponse(
        request, "planning/milestones.html", context, status=400 if error else 200
    )


@login_required
@require_POST
@page
def item_dependencies(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    access = access_item(request.user, slug, ref, EDIT)
    try:
        if request.POST.get("op") == "remove":
            dependency = queries.get_item_dependency(
                access.item, int_param(request.POST.get("dependency_id"))
            )
            actions.do_remove_dependency(actor=access.membership, dependency=dependency)
        else:
            kind = request.POST.get("kind", "blocks")
            if kind not in ("blocks", "blocked_by", "relates", "duplicates"):
                raise Invalid(_("Choose a kind of link."), field="kind")
            actions.do_add_link(
                actor=access.membership,
                item=access.item,
                ref=request.POST.get("ref", ""),
                kind=kind,
            )
    except OpsloopError as exc:
        raise_if_denied(exc)
        messages.error(request, exc.message)
    return redirect(reverse("item_detail", args=[slug, access.item.ref]) + "#dependencies")
