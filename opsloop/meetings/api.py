"""API of meetings and one-to-ones: agenda, decisions, action items, recurrence."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from opsloop.core.inputs import Bool
from opsloop.core.queries import access_workspace
from opsloop.core.schemas import ERROR_CODES, ErrorOut
from opsloop.meetings import actions
from opsloop.meetings.models import ActionItem, AgendaItem, Decision, Meeting
from opsloop.meetings.queries import (
    access_meeting,
    get_action_item,
    get_agenda_item,
    get_decision,
    list_meetings,
    load_meeting_parts,
    parse_meeting_filters,
    previous_actions,
)
from opsloop.meetings.schemas import (
    ActionItemIn,
    ActionItemOut,
    ActionItemPatch,
    AgendaItemIn,
    AgendaItemOut,
    AgendaItemPatch,
    AgendaOrderIn,
    ConvertIn,
    DecisionIn,
    DecisionOut,
    MeetingDetailOut,
    MeetingIn,
    MeetingOut,
    MeetingPatch,
    WorkItemRefOut,
)
from opsloop.work.queries import EDIT

router = Router()

TAGS = ["Meetings"]
ERRORS = {ERROR_CODES: ErrorOut}
MEETINGS = "/workspaces/{slug}/meetings"
MEETING = MEETINGS + "/{meeting_id}"
EDITORS = "The organizer and attendees, and admins on meetings that are not private."


class MeetingListQuery(Schema):
    project: str | None = Field(None, description="Only meetings of this project key.")
    mine: Bool | None = Field(None, description="Only meetings the caller organizes or attends.")
    kind: str | None = Field(None, description="meeting or one_on_one.")
    from_: str | None = Field(
        None, alias="from", description="Ending on or after this date (or date and time)."
    )
    to: str | None = Field(None, description="Starting on or before this date.")


def _reloaded(request: HttpRequest, slug: str, meeting_id: int) -> Meeting:
    """The meeting as the caller now sees it, with everything the detail shows."""
    access = access_meeting(request.auth, slug, meeting_id)
    meeting = load_meeting_parts(access.meeting, access.membership)
    meeting.previous_actions = previous_actions(access.membership, meeting)  # type: ignore[attr-defined]
    return meeting


@router.get(
    MEETINGS,
    response={200: list[MeetingOut], **ERRORS},
    summary="List meetings",
    description="The meetings the caller can see, earliest first, at most 200: narrow a long "
    "history with from and to.",
    tags=TAGS,
)
def get_meetings(request: HttpRequest, slug: str, filters: Query[MeetingListQuery]) -> list:
    membership = access_workspace(request.auth, slug)
    return list_meetings(membership, parse_meeting_filters(request.GET))


@router.post(
    MEETINGS,
    response={201: MeetingDetailOut, **ERRORS},
    summary="Create a meeting",
    description="Members and above. Attendees are told in their inbox. A one-to-one has "
    "exactly two attendees (the caller and one other) and is always private.",
    tags=TAGS,
)
def create_meeting(request: HttpRequest, slug: str, payload: MeetingIn) -> Status[Meeting]:
    membership = access_workspace(request.auth, slug)
    meeting = actions.do_create_meeting(actor=membership, data=payload)
    return Status(201, _reloaded(request, slug, meeting.pk))


@router.get(
    MEETING,
    response={200: MeetingDetailOut, **ERRORS},
    summary="Get a meeting",
    description="With its attendees, agenda, minutes, decisions and action items, and the "
    "previous meeting's action items with the state of each now.",
    tags=TAGS,
)
def get_meeting(request: HttpRequest, slug: str, meeting_id: int) -> Meeting:
    return _reloaded(request, slug, meeting_id)


@router.patch(
    MEETING,
    response={200: MeetingDetailOut, **ERRORS},
    summary="Change a meeting",
    description=EDITORS + " Only the fields sent change; attendee_ids replaces the list and "
    "newly invited people are told.",
    tags=TAGS,
)
def update_meeting(
    request: HttpRequest, slug: str, meeting_id: int, payload: MeetingPatch
) -> Meeting:
    access = access_meeting(request.auth, slug, meeting_id, EDIT)
    actions.do_update_meeting(actor=access.membership, meeting=access.meeting, data=payload)
    return _reloaded(request, slug, meeting_id)


@router.delete(
    MEETING,
    response={204: None, **ERRORS},
    summary="Delete a meeting",
    description="The organizer, or an admin when the meeting is not private.",
    tags=TAGS,
)
def delete_meeting(request: HttpRequest, slug: str, meeting_id: int) -> Status[None]:
    access = access_meeting(request.auth, slug, meeting_id)
    actions.do_delete_meeting(actor=access.membership, meeting=access.meeting)
    return Status(204, None)


@router.post(
    MEETING + "/next",
    response={201: MeetingDetailOut, **ERRORS},
    summary="Create the next occurrence",
    description=EDITORS + " Same title, attendees, place and project one period later; agenda "
    "topics not done carry over. 409 when the next occurrence exists already.",
    tags=TAGS,
)
def create_next(request: HttpRequest, slug: str, meeting_id: int) -> Status[Meeting]:
    access = access_meeting(request.auth, slug, meeting_id, EDIT)
    following = actions.do_create_next_occurrence(actor=access.membership, meeting=access.meeting)
    return Status(201, _reloaded(request, slug, following.pk))


# --- agenda


@router.post(
    MEETING + "/agenda",
    response={201: AgendaItemOut, **ERRORS},
    summary="Add an agenda topic",
    description=EDITORS + " The owner must attend; the topic goes last.",
    tags=TAGS,
)
def add_agenda_item(
    request: HttpRequest, slug: str, meeting_id: int, payload: AgendaItemIn
) -> Status[AgendaItem]:
    access = access_meeting(request.auth, slug, meeting_id, EDIT)
    topic = actions.do_add_agenda_item(
        actor=access.membership, meeting=access.meeting, data=payload
    )
    return Status(201, get_agenda_item(access.meeting, topic.pk))


@router.put(
    MEETING + "/agenda/order",
    response={200: list[AgendaItemOut], **ERRORS},
    summary="Reorder the agenda",
    description=EDITORS + " Send every topic id once, in the new order.",
    tags=TAGS,
)
def reorder_agenda(
    request: HttpRequest, slug: str, meeting_id: int, payload: AgendaOrderIn
) -> list:
    access = access_meeting(request.auth, slug, meeting_id, EDIT)
    actions.do_reorder_agenda(
        actor=access.membership, meeting=access.meeting, agenda_item_ids=payload.agenda_item_ids
    )
    return list(load_meeting_parts(access.meeting, access.membership).agenda.all())


@router.patch(
    MEETING + "/agenda/{agenda_item_id}",
    response={200: AgendaItemOut, **ERRORS},
    summary="Change an agenda topic",
    description=EDITORS + " Mark it done with done: true.",
    tags=TAGS,
)
def update_agenda_item(
    request: HttpRequest, slug: str, meeting_id: int, agenda_item_id: int, payload: AgendaItemPatch
) -> AgendaItem:
    access = access_meeting(request.auth, slug, meeting_id, EDIT)
    topic = get_agenda_item(access.meeting, agenda_item_id)
    actions.do_update_agenda_item(actor=access.membership, topic=topic, data=payload)
    return get_agenda_item(access.meeting, agenda_item_id)


@router.delete(
    MEETING + "/agenda/{agenda_item_id}",
    response={204: None, **ERRORS},
    summary="Remove an agenda topic",
    description=EDITORS,
    tags=TAGS,
)
def delete_agenda_item(
    request: HttpRequest, slug: str, meeting_id: int, agenda_item_id: int
) -> Status[None]:
    access = access_meeting(request.auth, slug, meeting_id, EDIT)
    topic = get_agenda_item(access.meeting, agenda_item_id)
    actions.do_delete_agenda_item(actor=access.membership, topic=topic)
    return Status(204, None)


# --- decisions


@router.post(
    MEETING + "/decisions",
    response={201: DecisionOut, **ERRORS},
    summary="Record a decision",
    description=EDITORS,
    tags=TAGS,
)
def add_decision(
    request: HttpRequest, slug: str, meeting_id: int, payload: DecisionIn
) -> Status[Decision]:
    access = access_meeting(request.auth, slug, meeting_id, EDIT)
    decision = actions.do_add_decision(
        actor=access.membership, meeting=access.meeting, data=payload
    )
    return Status(201, decision)


@router.delete(
    MEETING + "/decisions/{decision_id}",
    response={204: None, **ERRORS},
    summary="Remove a decision",
    description=EDITORS,
    tags=TAGS,
)
def delete_decision(
    request: HttpRequest, slug: str, meeting_id: int, decision_id: int
) -> Status[None]:
    access = access_meeting(request.auth, slug, meeting_id, EDIT)
    decision = get_decision(access.meeting, decision_id)
    actions.do_delete_decision(actor=access.membership, decision=decision)
    return Status(204, None)


# --- action items


@router.post(
    MEETING + "/action-items",
    response={201: ActionItemOut, **ERRORS},
    summary="Add an action item",
    description=EDITORS + " The owner must attend.",
    tags=TAGS,
)
def add_action_item(
    request: HttpRequest, slug: str, meeting_id: int, payload: ActionItemIn
) -> Status[ActionItem]:
    access = access_meeting(request.auth, slug, meeting_id, EDIT)
    action = actions.do_add_action_item(
        actor=access.membership, meeting=access.meeting, data=payload
    )
    return Status(201, get_action_item(access.membership, access.meeting, action.pk))


@router.patch(
    MEETING + "/action-items/{action_item_id}",
    response={200: ActionItemOut, **ERRORS},
    summary="Change an action item",
    description=EDITORS,
    tags=TAGS,
)
def update_action_item(
    request: HttpRequest,
    slug: str,
    meeting_id: int,
    action_item_id: int,
    payload: ActionItemPatch,
) -> ActionItem:
    access = access_meeting(request.auth, slug, meeting_id, EDIT)
    action = get_action_item(access.membership, access.meeting, action_item_id)
    actions.do_update_action_item(actor=access.membership, action=action, data=payload)
    return get_action_item(access.membership, access.meeting, action_item_id)


@router.delete(
    MEETING + "/action-items/{action_item_id}",
    response={204: None, **ERRORS},
    summary="Remove an action item",
    description=EDITORS + " A work item it became stays.",
    tags=TAGS,
)
def delete_action_item(
    request: HttpRequest, slug: str, meeting_id: int, action_item_id: int
) -> Status[None]:
    access = access_meeting(request.auth, slug, meeting_id, EDIT)
    action = get_action_item(access.membership, access.meeting, action_item_id)
    actions.do_delete_action_item(actor=access.membership, action=action)
    return Status(204, None)


@router.post(
    MEETING + "/action-items/{action_item_id}/convert",
    response={201: WorkItemRefOut, **ERRORS},
    summary="Make an action item a work item",
    description=EDITORS + " The item is created in project_key (default the meeting's project, "
    "where the caller may create items), assigned to the owner, due on the due date, its "
    "description linking to the meeting. 409 when it is a work item already.",
    tags=TAGS,
)
def convert_action_item(
    request: HttpRequest, slug: str, meeting_id: int, action_item_id: int, payload: ConvertIn
) -> Status[dict]:
    access = access_meeting(request.auth, slug, meeting_id, EDIT)
    action = get_action_item(access.membership, access.meeting, action_item_id)
    item = actions.do_convert_action_item(
        actor=access.membership, action=action, project_key=payload.project_key
    )
    return Status(
        201,
        {
            "ref": item.ref,
            "url": f"/w/{slug}/i/{item.ref}/",
            "action_item": get_action_item(access.membership, access.meeting, action_item_id),
        },
    )
