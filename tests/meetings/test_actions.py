"""Writes of meetings: one-to-ones, recurrence, agenda carry-over, action items made work items."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command

from opsloop.core.errors import Conflict, Forbidden, Invalid
from opsloop.core.models import Role
from opsloop.inbox.models import Notification
from opsloop.meetings import actions
from opsloop.meetings.models import Meeting
from opsloop.meetings.schemas import (
    ActionItemIn,
    AgendaItemIn,
    AgendaItemPatch,
    MeetingPatch,
)
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ProjectIn
from tests.conftest import add_member, membership_of
from tests.meetings.conftest import at, make_meeting


def test_create_meeting_invites_attendees_and_the_organizer_attends(owner_ms, member, project):
    meeting = make_meeting(owner_ms, project_key="d11", attendee_ids=[member.pk], location="3F")
    assert meeting.project == project
    assert set(meeting.attendees.values_list("username", flat=True)) == {"owner", "member"}
    assert meeting.ends_at - meeting.starts_at == timedelta(hours=1)
    assert not meeting.private
    note = Notification.objects.get(recipient=member, kind="meeting")
    assert "周例会" in note.title and note.url == f"/w/acme/meetings/{meeting.pk}/"
    assert not Notification.objects.filter(recipient__username="owner").exists()


def test_one_to_one_has_exactly_two_attendees_and_is_private(owner_ms, member, admin_user):
    meeting = make_meeting(owner_ms, kind="one_on_one", attendee_ids=[member.pk])
    assert meeting.private
    with pytest.raises(Invalid) as alone:
        make_meeting(owner_ms, kind="one_on_one", attendee_ids=[])
    assert alone.value.field == "attendee_ids"
    with pytest.raises(Invalid) as crowd:
        make_meeting(owner_ms, kind="one_on_one", attendee_ids=[member.pk, admin_user.pk])
    assert crowd.value.field == "attendee_ids"
    assert "exactly two" in crowd.value.message
    with pytest.raises(Invalid) as public:
        make_meeting(owner_ms, kind="one_on_one", attendee_ids=[member.pk], private=False)
    assert public.value.field == "private"
    # Turning a meeting of three into a one-to-one is refused the same way.
    group = make_meeting(owner_ms, attendee_ids=[member.pk, admin_user.pk])
    with pytest.raises(Invalid):
        actions.do_update_meeting(
            actor=owner_ms, meeting=group, data=MeetingPatch(kind="one_on_one")
        )
    actions.do_update_meeting(
        actor=owner_ms,
        meeting=group,
        data=MeetingPatch(kind="one_on_one", attendee_ids=[member.pk]),
    )
    group.refresh_from_db()
    assert group.private and group.attendees.count() == 2


def test_attendees_must_be_members_who_see_the_project(owner_ms, workspace, outsider, project):
    with pytest.raises(Invalid) as stranger:
        make_meeting(owner_ms, attendee_ids=[outsider.pk])
    assert stranger.value.field == "attendee_ids"
    guest = add_member(workspace, "visitor", Role.GUEST)
    with pytest.raises(Invalid) as unseen:
        make_meeting(owner_ms, project_key="D11", attendee_ids=[guest.pk])
    assert "D11" in unseen.value.message


def test_end_before_start_and_guests_are_refused(owner_ms, guest, workspace):
    with pytest.raises(Invalid) as backwards:
        make_meeting(owner_ms, ends_at=at(2026, 11, 2, 9))
    assert backwards.value.field == "ends_at"
    with pytest.raises(Forbidden):
        make_meeting(membership_of(guest, workspace))


def test_moving_a_meeting_keeps_its_length(owner_ms):
    meeting = make_meeting(owner_ms, ends_at=at(2026, 11, 2, 11, 30))
    actions.do_update_meeting(
        actor=owner_ms, meeting=meeting, data=MeetingPatch(starts_at=at(2026, 11, 3, 14))
    )
    meeting.refresh_from_db()
    assert meeting.ends_at == at(2026, 11, 3, 15, 30)


@pytest.mark.parametrize(
    ("recurrence", "start", "expected"),
    [
        ("weekly", at(2026, 11, 2), at(2026, 11, 9)),
        ("biweekly", at(2026, 12, 28), at(2027, 1, 11)),
        ("monthly", at(2026, 1, 31), at(2026, 2, 28)),
        ("monthly", at(2028, 1, 31), at(2028, 2, 29)),
        ("monthly", at(2026, 3, 31), at(2026, 4, 30)),
        ("monthly", at(2026, 12, 15, 23, 30), at(2027, 1, 15, 23, 30)),
    ],
)
def test_recurrence_date_math(recurrence, start, expected):
    assert actions.shift(start, recurrence) == expected


def test_next_occurrence_copies_the_meeting_and_carries_open_topics(owner_ms, member, project):
    meeting = make_meeting(
        owner_ms,
        project_key="D11",
        attendee_ids=[member.pk],
        location="飞书会议",
        recurrence="weekly",
        private=True,
    )
    done = actions.do_add_agenda_item(
        actor=owner_ms, meeting=meeting, data=AgendaItemIn(title="已讨论")
    )
    actions.do_update_agenda_item(actor=owner_ms, topic=done, data=AgendaItemPatch(done=True))
    actions.do_add_agenda_item(
        actor=owner_ms, meeting=meeting, data=AgendaItemIn(title="预算", owner_id=member.pk)
    )
    following = actions.do_create_next_occurrence(actor=owner_ms, meeting=meeting)
    assert following.previous == meeting
    assert following.starts_at == at(2026, 11, 9)
    assert following.ends_at == at(2026, 11, 9, 11)
    assert (following.title, following.location, following.project, following.private) == (
        "周例会",
        "飞书会议",
        project,
        True,
    )
    assert set(following.attendees.all()) == set(meeting.attendees.all())
    assert [(t.title, t.owner_id, t.done) for t in following.agenda.all()] == [
        ("预算", member.pk, False)
    ]
    with pytest.raises(Conflict):
        actions.do_create_next_occurrence(actor=owner_ms, meeting=meeting)


def test_a_meeting_that_does_not_repeat_has_no_next(owner_ms):
    with pytest.raises(Invalid):
        actions.do_create_next_occurrence(actor=owner_ms, meeting=make_meeting(owner_ms))


def test_roll_makes_one_next_occurrence_per_started_series(owner_ms, member, capsys):
    started = make_meeting(owner_ms, title="周会", starts_at=at(2020, 1, 6), recurrence="weekly")
    make_meeting(owner_ms, title="未来", starts_at=at(2099, 1, 6), recurrence="weekly")
    make_meeting(owner_ms, title="一次", starts_at=at(2020, 1, 6))
    call_command("meetings_roll")
    assert "1 created" in capsys.readouterr().out
    assert Meeting.objects.get(previous=started).starts_at == at(2020, 1, 13)
    # The new one has started too: the next run rolls it, and only it.
    call_command("meetings_roll")
    assert Meeting.objects.filter(title="周会").count() == 3
    assert Meeting.objects.filter(title="未来").count() == 1
    assert Meeting.objects.filter(title="一次").count() == 1


def test_roll_skips_a_series_whose_organizer_left(owner_ms, workspace, member, member_ms):
    make_meeting(member_ms, starts_at=at(2020, 1, 6), recurrence="weekly")
    member_ms.delete()
    result = actions.do_roll_meetings()
    assert result.created == [] and len(result.skipped) == 1


def _action(meeting, actor, owner_id=None, due=None):
    return actions.do_add_action_item(
        actor=actor,
        meeting=meeting,
        data=ActionItemIn(title="整理报名名单", owner_id=owner_id, due_date=due),
    )


def test_convert_creates_an_assigned_item_linked_back_once(owner_ms, member, project):
    meeting = make_meeting(owner_ms, project_key="D11", attendee_ids=[member.pk])
    action = _action(meeting, owner_ms, owner_id=member.pk, due=at(2026, 11, 5).date())
    item = actions.do_convert_action_item(actor=owner_ms, action=action)
    action.refresh_from_db()
    assert action.work_item == item
    assert item.project == project and item.title == "整理报名名单"
    assert list(item.assignees.all()) == [member]
    assert item.due_date == at(2026, 11, 5).date()
    assert f"/w/acme/meetings/{meeting.pk}/" in item.description
    with pytest.raises(Conflict):
        actions.do_convert_action_item(actor=owner_ms, action=action)
    assert project.items.count() == 1


def test_convert_needs_edit_rights_in_the_target_project(
    owner_ms, workspace, member, member_ms, project
):
    secret = work_actions.do_create_project(
        actor=owner_ms, data=ProjectIn(name="保密", key="SEC", visibility="private")
    )
    meeting = make_meeting(owner_ms, attendee_ids=[member.pk])
    action = _action(meeting, owner_ms)
    # A project the member cannot see is as good as unknown.
    with pytest.raises(Invalid) as hidden:
        actions.do_convert_action_item(actor=member_ms, action=action, project_key="SEC")
    assert hidden.value.field == "project_key"
    # A workspace meeting has no project to default to.
    with pytest.raises(Invalid):
        actions.do_convert_action_item(actor=member_ms, action=action)
    # An owner who cannot see the project cannot be assigned there.
    owned = _action(meeting, owner_ms, owner_id=member.pk)
    with pytest.raises(Invalid):
        actions.do_convert_action_item(actor=owner_ms, action=owned, project_key="SEC")
    assert secret.items.count() == 0
    # A guest who sees the project still may not create items in it.
    guest = add_member(workspace, "agency", Role.GUEST)
    work_actions.do_add_project_member(actor=owner_ms, project=project, user_id=guest.pk)
    shared = make_meeting(owner_ms, project_key="D11", attendee_ids=[guest.pk])
    with pytest.raises(Forbidden):
        actions.do_convert_action_item(
            actor=membership_of(guest, workspace), action=_action(shared, owner_ms)
        )


def test_only_organizer_attendees_and_admins_edit(owner_ms, member_ms, admin_user, workspace):
    meeting = make_meeting(owner_ms)
    with pytest.raises(Forbidden):
        actions.do_add_agenda_item(actor=member_ms, meeting=meeting, data=AgendaItemIn(title="x"))
    admin_ms = membership_of(admin_user, workspace)
    actions.do_add_agenda_item(actor=admin_ms, meeting=meeting, data=AgendaItemIn(title="x"))
    private = make_meeting(owner_ms, private=True)
    with pytest.raises(Forbidden):
        actions.do_add_agenda_item(actor=admin_ms, meeting=private, data=AgendaItemIn(title="x"))
    with pytest.raises(Forbidden):
        actions.do_delete_meeting(actor=admin_ms, meeting=private)


def test_agenda_owner_must_attend_and_reorder_takes_every_topic(owner_ms, member):
    meeting = make_meeting(owner_ms)
    with pytest.raises(Invalid) as stranger:
        actions.do_add_agenda_item(
            actor=owner_ms, meeting=meeting, data=AgendaItemIn(title="x", owner_id=member.pk)
        )
    assert stranger.value.field == "owner_id"
    a, b, c = (
        actions.do_add_agenda_item(actor=owner_ms, meeting=meeting, data=AgendaItemIn(title=t))
        for t in "abc"
    )
    actions.do_reorder_agenda(actor=owner_ms, meeting=meeting, agenda_item_ids=[c.pk, a.pk, b.pk])
    assert [t.title for t in meeting.agenda.all()] == ["c", "a", "b"]
    with pytest.raises(Invalid):
        actions.do_reorder_agenda(actor=owner_ms, meeting=meeting, agenda_item_ids=[c.pk, a.pk])
    actions.do_move_agenda_item(actor=owner_ms, topic=meeting.agenda.get(title="b"), step=-1)
    assert [t.title for t in meeting.agenda.all()] == ["c", "b", "a"]


def test_minutes_are_rendered_sanitized(owner_ms):
    meeting = make_meeting(owner_ms)
    actions.do_update_meeting(
        actor=owner_ms,
        meeting=meeting,
        data=MeetingPatch(minutes="**结论** <script>alert(1)</script> [x](javascript:alert(1))"),
    )
    meeting.refresh_from_db()
    assert "<strong>结论</strong>" in meeting.minutes_html
    assert "<script" not in meeting.minutes_html
    assert 'href="javascript' not in meeting.minutes_html
