"""Pages of meetings: the list, a project's meetings, new and edit forms, the meeting page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from opsloop.core.errors import Invalid, OpsloopError
from opsloop.core.inputs import parse_input
from opsloop.core.models import Membership, Role
from opsloop.core.pages import form_data, int_param, page, raise_if_denied
from opsloop.core.queries import access_workspace, list_members
from opsloop.meetings import actions, queries
from opsloop.meetings.ics import meeting_ics
from opsloop.meetings.models import Meeting, MeetingKind, Recurrence
from opsloop.meetings.queries import MeetingAccess
from opsloop.meetings.schemas import (
    ActionItemIn,
    AgendaItemIn,
    AgendaItemPatch,
    DecisionIn,
    MeetingIn,
    MeetingPatch,
)
from opsloop.work.queries import EDIT, access_project

FORM_LISTS = ("attendee_ids",)
FORM_BLANK_NONE = ("project_key", "ends_at", "private")
SCOPES = ("all", "mine", "one_on_one")


def _list_context(request: HttpRequest, membership: Membership, project=None) -> dict:
    error = None
    try:
        filters = queries.parse_meeting_filters(request.GET)
    except Invalid as exc:
        error, filters = exc, queries.MeetingFilters()
    if project is not None:
        filters.project = project.key
    found = queries.meetings_page(membership, filters)
    return {
        "membership": membership,
        "workspace": membership.workspace,
        "filters": filters,
        "sections": [(_("Upcoming"), found.upcoming), (_("Past"), found.past)],
        "projects": queries.project_choices(membership) if project is None else [],
        "scopes": [
            ("all", _("All")),
            ("mine", _("Mine")),
            ("one_on_one", _("One-to-ones")),
        ],
        "can_create": membership.at_least(Role.MEMBER),
        "error": error,
    }


@login_required
@page
def meeting_list(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    context = _list_context(request, membership) | {"nav": "meetings"}
    status = 400 if context["error"] else 200
    return TemplateResponse(request, "meetings/meeting_list.html", context, status=status)


@login_required
@page
def project_meetings(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    access = access_project(request.user, slug, key)
    context = _list_context(request, access.membership, access.project) | {
        "project": access.project,
        "nav": f"project:{access.project.key}",
        "view": "meetings",
    }
    status = 400 if context["error"] else 200
    return TemplateResponse(request, "meetings/project_meetings.html", context, status=status)


def _form_context(membership: Membership, values: dict, error: OpsloopError | None) -> dict:
    return {
        "membership": membership,
        "workspace": membership.workspace,
        "values": values,
        "error": error,
        "people": [m.user for m in list_members(membership.workspace)],
        "projects": queries.project_choices(membership),
        "kinds": MeetingKind.choices,
        "recurrences": Recurrence.choices,
        "nav": "meetings",
    }


def _local_input(moment) -> str:
    """A datetime as a datetime-local input shows it."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M") if moment else ""


@login_required
@page
def meeting_new(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug, Role.MEMBER)
    error = None
    start = timezone.localtime().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    values: dict = {
        "kind": "meeting",
        "recurrence": "none",
        "private": "false",
        "starts_at": _local_input(start),
        "ends_at": _local_input(start + actions.DEFAULT_LENGTH),
        "project_key": request.GET.get("project", ""),
        "attendee_ids": [],
    }
    if request.method == "POST":
        values = form_data(request, lists=FORM_LISTS, blank_is_none=FORM_BLANK_NONE)
        try:
            meeting = actions.do_create_meeting(
                actor=membership, data=parse_input(MeetingIn, values)
            )
        except OpsloopError as exc:
            error = exc
        else:
            messages.success(request, _("Meeting created."))
            return redirect("meeting", slug=slug, meeting_id=meeting.pk)
    context = _form_context(membership, values, error) | {"creating": True}
    return TemplateResponse(
        request, "meetings/meeting_form.html", context, status=error.status if error else 200
    )


@login_required
@page
def meeting_edit(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    access = queries.access_meeting(request.user, slug, meeting_id, EDIT)
    meeting = access.meeting
    error = None
    values: dict = {
        "title": meeting.title,
        "kind": meeting.kind,
        "project_key": meeting.project.key if meeting.project_id else "",
        "starts_at": _local_input(meeting.starts_at),
        "ends_at": _local_input(meeting.ends_at),
        "location": meeting.location,
        "private": "true" if meeting.private else "false",
        "recurrence": meeting.recurrence,
        "attendee_ids": [str(u.pk) for u in meeting.attendees.all()],
    }
    if request.method == "POST":
        values = form_data(request, lists=FORM_LISTS, blank_is_none=FORM_BLANK_NONE)
        values.setdefault("project_key", None)
        try:
            actions.do_update_meeting(
                actor=access.membership, meeting=meeting, data=parse_input(MeetingPatch, values)
            )
        except OpsloopError as exc:
            error = exc
            raise_if_denied(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("meeting", slug=slug, meeting_id=meeting.pk)
    context = _form_context(access.membership, values, error) | {"meeting": meeting}
    return TemplateResponse(
        request, "meetings/meeting_form.html", context, status=error.status if error else 200
    )


@login_required
@page
def meeting_detail(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    access = queries.access_meeting(request.user, slug, meeting_id)
    error = None
    if request.method == "POST":
        try:
            return _handle_post(request, access)
        except OpsloopError as exc:
            error = exc
            raise_if_denied(exc)
    meeting = queries.load_meeting_parts(access.meeting, access.membership)
    attendees = list(meeting.attendees.all())
    context = {
        "membership": access.membership,
        "workspace": access.membership.workspace,
        "meeting": meeting,
        "project": meeting.project,
        "attendees": attendees,
        "agenda": list(meeting.agenda.all()),
        "decisions": list(meeting.decisions.all()),
        "action_items": list(meeting.action_items.all()),
        "previous": queries.previous_actions(access.membership, meeting),
        "target_projects": list(queries.project_choices(access.membership))
        if access.can_edit
        else [],
        "can_edit": access.can_edit,
        "can_delete": access.can_delete,
        "error": error,
        "nav": "meetings",
    }
    return TemplateResponse(
        request, "meetings/meeting_detail.html", context, status=error.status if error else 200
    )


def _handle_post(request: HttpRequest, access: MeetingAccess) -> HttpResponse:
    """One change from the meeting page; answers with a redirect back to it (or away)."""
    op = request.POST.get("op", "")
    handler = OPS.get(op)
    if handler is None:
        raise Invalid(_("Unknown operation."))
    if not access.can_edit and op != "delete":
        queries.check_can_edit(access.membership, access.meeting)
    response = handler(request, access)
    return response or redirect(
        "meeting", slug=access.membership.workspace.slug, meeting_id=access.meeting.pk
    )


def _topic(request: HttpRequest, access: MeetingAccess):
    return queries.get_agenda_item(access.meeting, int_param(request.POST.get("agenda_item_id")))


def _add_agenda(request: HttpRequest, access: MeetingAccess) -> None:
    data = form_data(request, blank_is_none=("owner_id",))
    data.pop("op", None)
    actions.do_add_agenda_item(
        actor=access.membership, meeting=access.meeting, data=parse_input(AgendaItemIn, data)
    )


def _toggle_agenda(request: HttpRequest, access: MeetingAccess) -> None:
    topic = _topic(request, access)
    actions.do_update_agenda_item(
        actor=access.membership, topic=topic, data=AgendaItemPatch(done=not topic.done)
    )


def _move_agenda(step: int) -> Callable[[HttpRequest, MeetingAccess], None]:
    def move(request: HttpRequest, access: MeetingAccess) -> None:
        actions.do_move_agenda_item(
            actor=access.membership, topic=_topic(request, access), step=step
        )

    return move


def _delete_agenda(request: HttpRequest, access: MeetingAccess) -> None:
    actions.do_delete_agenda_item(actor=access.membership, topic=_topic(request, access))


def _minutes(request: HttpRequest, access: MeetingAccess) -> None:
    data = parse_input(MeetingPatch, {"minutes": request.POST.get("minutes", "")})
    actions.do_update_meeting(actor=access.membership, meeting=access.meeting, data=data)
    messages.success(request, _("Minutes saved."))


def _add_decision(request: HttpRequest, access: MeetingAccess) -> None:
    data = parse_input(DecisionIn, {"text": request.POST.get("text", "")})
    actions.do_add_decision(actor=access.membership, meeting=access.meeting, data=data)


def _delete_decision(request: HttpRequest, access: MeetingAccess) -> None:
    decision = queries.get_decision(access.meeting, int_param(request.POST.get("decision_id")))
    actions.do_delete_decision(actor=access.membership, decision=decision)


def _action(request: HttpRequest, access: MeetingAccess):
    return queries.get_action_item(
        access.membership, access.meeting, int_param(request.POST.get("action_item_id"))
    )


def _add_action(request: HttpRequest, access: MeetingAccess) -> None:
    data = form_data(request, blank_is_none=("owner_id", "due_date"))
    data.pop("op", None)
    actions.do_add_action_item(
        actor=access.membership, meeting=access.meeting, data=parse_input(ActionItemIn, data)
    )


def _delete_action(request: HttpRequest, access: MeetingAccess) -> None:
    actions.do_delete_action_item(actor=access.membership, action=_action(request, access))


def _convert(request: HttpRequest, access: MeetingAccess) -> None:
    item = actions.do_convert_action_item(
        actor=access.membership,
        action=_action(request, access),
        project_key=request.POST.get("project_key") or None,
    )
    messages.success(request, _("Created %(ref)s.") % {"ref": item.ref})


def _next(request: HttpRequest, access: MeetingAccess) -> HttpResponse:
    following = actions.do_create_next_occurrence(actor=access.membership, meeting=access.meeting)
    messages.success(request, _("Next occurrence created."))
    return redirect("meeting", slug=access.membership.workspace.slug, meeting_id=following.pk)


def _delete(request: HttpRequest, access: MeetingAccess) -> HttpResponse:
    actions.do_delete_meeting(actor=access.membership, meeting=access.meeting)
    messages.success(request, _("Meeting deleted."))
    return redirect("meetings", slug=access.membership.workspace.slug)


OPS: dict[str, Callable[[HttpRequest, MeetingAccess], HttpResponse | None]] = {
    "add_agenda": _add_agenda,
    "toggle_agenda": _toggle_agenda,
    "agenda_up": _move_agenda(-1),
    "agenda_down": _move_agenda(1),
    "delete_agenda": _delete_agenda,
    "minutes": _minutes,
    "add_decision": _add_decision,
    "delete_decision": _delete_decision,
    "add_action": _add_action,
    "delete_action": _delete_action,
    "convert": _convert,
    "next": _next,
    "delete": _delete,
}


@login_required
@page
def meeting_calendar(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    """The meeting as an iCalendar file, to add to Feishu, Outlook or any calendar."""
    meeting: Meeting = queries.access_meeting(request.user, slug, meeting_id).meeting
    response = HttpResponse(
        meeting_ics(
            meeting,
            request.build_absolute_uri(actions.meeting_url(meeting)),
            series_id=queries.series_first_id(meeting),
        ),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response
