"""Files attached to a meeting are seen by who sees the meeting, whatever their role."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from opsloop.core.errors import Invalid
from opsloop.files.queries import PlaceIn, resolve_place, visible_files
from opsloop.meetings import actions as meeting_actions
from opsloop.meetings.schemas import MeetingIn
from tests.conftest import membership_of


def _one_to_one(organizer_ms, other):
    return meeting_actions.do_create_meeting(
        actor=organizer_ms,
        data=MeetingIn(
            title="1:1 绩效沟通",
            kind="one_on_one",
            starts_at=timezone.now() + timedelta(days=1),
            attendee_ids=[other.pk],
        ),
    )


def test_a_private_meetings_file_is_hidden_even_from_admins(
    workspace, member, admin_user, guest, upload
):
    member_ms = membership_of(member, workspace)
    meeting = _one_to_one(member_ms, guest)
    place = resolve_place(member_ms, PlaceIn(meeting_id=meeting.pk))
    assert place.project is None and place.meeting == meeting
    file = upload("绩效.png", actor=member_ms, project=None, meeting=meeting)
    assert file in visible_files(member_ms)
    assert file in visible_files(membership_of(guest, workspace))  # an attendee, if a guest
    assert file not in visible_files(membership_of(admin_user, workspace))


def test_uploading_to_an_unseen_meeting_names_the_field(workspace, member, admin_user, guest):
    meeting = _one_to_one(membership_of(member, workspace), guest)
    with pytest.raises(Invalid) as caught:
        resolve_place(membership_of(admin_user, workspace), PlaceIn(meeting_id=meeting.pk))
    assert caught.value.field == "meeting_id"
