"""Who may call this app's API routes and pages (see tests/test_api_permissions.py and
tests/test_page_permissions.py, which read this module)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from opsloop.core.models import User
from opsloop.meetings import actions
from opsloop.meetings.schemas import ActionItemIn, AgendaItemIn, DecisionIn, MeetingIn

M = "/workspaces/{slug}/meetings"
ONE = M + "/{meeting_id}"
READ = "200 200 200 200 404"
# The meeting's organizer is the owner and the member attends; admins may change a meeting
# that is not private; guests only read.
EDIT = "200 200 200 403 404"
MADE = "201 201 201 403 404"
GONE = "204 204 204 403 404"

# (method, path) -> (statuses of owner admin member guest outsider on a shared project, body)
API_ROUTES: dict = {
    ("GET", M): (READ, None),
    ("POST", M): (MADE, lambda c: {"title": "周例会", "starts_at": "2026-11-02T10:00:00+08:00"}),
    ("GET", ONE): (READ, None),
    ("PATCH", ONE): (EDIT, lambda c: {"title": "改名", "location": "3F 会议室"}),
    # Only its organizer, or an admin: attending does not make a meeting yours to delete.
    ("DELETE", ONE): ("204 204 403 403 404", None),
    ("POST", ONE + "/next"): (MADE, None),
    ("POST", ONE + "/agenda"): (MADE, lambda c: {"title": "上周复盘", "owner_id": c["member_id"]}),
    ("PUT", ONE + "/agenda/order"): (
        EDIT,
        lambda c: {"agenda_item_ids": c.get("agenda_item_ids", [1])},
    ),
    ("PATCH", ONE + "/agenda/{agenda_item_id}"): (EDIT, lambda c: {"title": "改", "done": True}),
    ("DELETE", ONE + "/agenda/{agenda_item_id}"): (GONE, None),
    ("POST", ONE + "/decisions"): (MADE, lambda c: {"text": "双十一预算加 10%"}),
    ("DELETE", ONE + "/decisions/{decision_id}"): (GONE, None),
    ("POST", ONE + "/action-items"): (
        MADE,
        lambda c: {"title": "整理报名名单", "owner_id": c["member_id"], "due_date": "2026-11-05"},
    ),
    ("PATCH", ONE + "/action-items/{action_item_id}"): (EDIT, lambda c: {"title": "改"}),
    ("DELETE", ONE + "/action-items/{action_item_id}"): (GONE, None),
    ("POST", ONE + "/action-items/{action_item_id}/convert"): (
        MADE,
        lambda c: {"project_key": c.get("key", "SHR")},
    ),
}

P = "/w/acme/meetings/{meeting_id}/"
EVERYONE = dict(owner="ok", admin="ok", member="ok", guest="ok", shared_guest="ok", outsider=404)
IN_D11 = dict(owner="ok", admin="ok", member="ok", guest=404, shared_guest="ok", outsider=404)
EDIT_D11 = dict(owner="ok", admin="ok", member="ok", guest=404, shared_guest=403, outsider=404)
MEMBERS = dict(owner="ok", admin="ok", member="ok", guest=403, shared_guest=403, outsider=404)
PAGE_CASES: list = [
    ("GET", "meetings", "/w/acme/meetings/", EVERYONE),
    ("GET", "meeting_new", "/w/acme/meetings/new/", MEMBERS),
    ("POST", "meeting_new", "/w/acme/meetings/new/", MEMBERS),
    ("GET", "project_meetings", "/w/acme/p/D11/meetings/", IN_D11),
    ("GET", "project_meetings", "/w/acme/p/SEC/meetings/", dict(EVERYONE, member=404, guest=404, shared_guest=404)),
    ("GET", "meeting", P, IN_D11),
    ("POST", "meeting", P, EDIT_D11),
    ("GET", "meeting_edit", P + "edit/", EDIT_D11),
    ("POST", "meeting_edit", P + "edit/", EDIT_D11),
    ("GET", "meeting_ics", P + "meeting.ics", IN_D11),
    # A one-to-one between the owner and the member: nobody else sees it, admins included.
    ("GET", "meeting", "/w/acme/meetings/{one_on_one_id}/", dict(IN_D11, admin=404, shared_guest=404)),
    ("GET", "meeting_ics", "/w/acme/meetings/{one_on_one_id}/meeting.ics", dict(IN_D11, admin=404, shared_guest=404)),
]  # fmt: skip
PAGE_POST_DATA: dict = {
    "meeting_new": {"title": "周例会", "kind": "meeting", "starts_at": "2026-11-02T10:00"},
    "meeting": {"op": "add_agenda", "title": "上周复盘"},
    "meeting_edit": lambda c: {
        "title": "周例会（改）",
        "kind": "meeting",
        "project_key": "D11",
        "starts_at": "2026-11-02T10:00",
        "ends_at": "2026-11-02T11:00",
        "private": "false",
        "recurrence": "weekly",
        "attendee_ids": [str(c["member_id"])],
    },
}


def _start() -> datetime:
    return datetime(2026, 11, 2, 10, 0, tzinfo=timezone.get_current_timezone())


def _member(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def project_context(*, owner_ms, project, item, tag) -> dict:
    """Ids the API routes above need, made in `project` (its names carry `tag`)."""
    member = _member("member")
    # The member attends where they can see the project (not in the private one).
    attendees = [member.pk] if member and project.visibility == "workspace" else []
    meeting = actions.do_create_meeting(
        actor=owner_ms,
        data=MeetingIn(
            title=f"{tag} 周例会",
            project_key=project.key,
            starts_at=_start(),
            location=f"{tag} 会议室",
            attendee_ids=attendees,
            recurrence="weekly",
        ),
    )
    topics = [
        actions.do_add_agenda_item(
            actor=owner_ms, meeting=meeting, data=AgendaItemIn(title=f"{tag} 议题 {i}")
        )
        for i in (1, 2)
    ]
    decision = actions.do_add_decision(
        actor=owner_ms, meeting=meeting, data=DecisionIn(text=f"{tag} 决定")
    )
    action = actions.do_add_action_item(
        actor=owner_ms,
        meeting=meeting,
        data=ActionItemIn(title=f"{tag} 待办", owner_id=owner_ms.user_id),
    )
    return {
        "meeting_id": meeting.pk,
        "agenda_item_id": topics[0].pk,
        "agenda_item_ids": [t.pk for t in reversed(topics)],
        "decision_id": decision.pk,
        "action_item_id": action.pk,
    }


def page_context(*, owner_ms, project, item) -> dict:
    """Ids the pages above need, made in D11."""
    member = _member("member")
    meeting = actions.do_create_meeting(
        actor=owner_ms,
        data=MeetingIn(
            title="大促周会",
            project_key=project.key,
            starts_at=_start(),
            attendee_ids=[member.pk],
        ),
    )
    one_on_one = actions.do_create_meeting(
        actor=owner_ms,
        data=MeetingIn(
            title="一对一",
            kind="one_on_one",
            starts_at=_start() + timedelta(days=1),
            attendee_ids=[member.pk],
        ),
    )
    return {"meeting_id": meeting.pk, "one_on_one_id": one_on_one.pk, "member_id": member.pk}
