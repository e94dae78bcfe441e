"""Time entries, skills and profiles: the checks every write goes through."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from opsloop.capacity import actions, queries
from opsloop.capacity.models import TimeEntry
from opsloop.capacity.schemas import ProfilePatch, SkillIn, SkillPatch, TimeEntryIn, TimeEntryPatch
from opsloop.core.errors import Conflict, Forbidden, Invalid
from opsloop.core.inputs import parse_input
from tests.conftest import membership_of


@pytest.fixture
def owner_ms(owner, workspace):
    return membership_of(owner, workspace)


def test_log_time_reads_the_duration_and_defaults_to_today(owner_ms, item):
    entry = actions.do_log_time(
        actor=owner_ms, item=item, data=TimeEntryIn(duration="1h30m", note="初稿")
    )
    assert (entry.minutes, entry.spent_on, entry.note) == (90, timezone.localdate(), "初稿")
    assert queries.item_time(item).logged_minutes == 90


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"minutes": 25 * 60}, "minutes"),
        ({"duration": "25h"}, "duration"),
        ({"duration": "0m"}, "duration"),
        ({"duration": "soon"}, "duration"),
        ({}, "duration"),
        ({"duration": "1h", "minutes": 60}, "minutes"),
        ({"duration": "1h", "spent_on": timezone.localdate() + timedelta(days=1)}, "spent_on"),
    ],
)
def test_bad_time_is_refused_with_the_field(owner_ms, item, data, field):
    with pytest.raises(Invalid) as exc:
        actions.do_log_time(actor=owner_ms, item=item, data=parse_input(TimeEntryIn, data))
    assert exc.value.field == field
    assert not TimeEntry.objects.exists()


def test_at_most_24_hours_a_day_over_all_entries(owner_ms, item):
    day = timezone.localdate()
    actions.do_log_time(actor=owner_ms, item=item, data=TimeEntryIn(duration="20h", spent_on=day))
    with pytest.raises(Invalid) as exc:
        actions.do_log_time(
            actor=owner_ms, item=item, data=TimeEntryIn(duration="5h", spent_on=day)
        )
    assert exc.value.field == "spent_on"
    entry = actions.do_log_time(
        actor=owner_ms, item=item, data=TimeEntryIn(duration="4h", spent_on=day)
    )
    # Changing an entry counts the others, not itself.
    actions.do_update_time_entry(actor=owner_ms, entry=entry, data=TimeEntryPatch(duration="3h"))
    assert TimeEntry.objects.get(pk=entry.pk).minutes == 180


def test_guests_cannot_log_time(workspace, guest, item, owner_ms):
    from opsloop.work import actions as work_actions

    work_actions.do_add_project_member(actor=owner_ms, project=item.project, user_id=guest.pk)
    with pytest.raises(Forbidden):
        actions.do_log_time(
            actor=membership_of(guest, workspace), item=item, data=TimeEntryIn(duration="1h")
        )


def test_only_the_author_or_an_admin_changes_an_entry(
    workspace, owner_ms, member, admin_user, item
):
    member_ms = membership_of(member, workspace)
    entry = actions.do_log_time(actor=member_ms, item=item, data=TimeEntryIn(duration="1h"))
    other = actions.do_log_time(actor=owner_ms, item=item, data=TimeEntryIn(duration="1h"))
    with pytest.raises(Forbidden):
        actions.do_update_time_entry(actor=member_ms, entry=other, data=TimeEntryPatch(note="x"))
    with pytest.raises(Forbidden):
        actions.do_delete_time_entry(actor=member_ms, entry=other)
    actions.do_update_time_entry(actor=member_ms, entry=entry, data=TimeEntryPatch(note="自己的"))
    actions.do_delete_time_entry(actor=membership_of(admin_user, workspace), entry=other)
    assert list(TimeEntry.objects.values_list("note", flat=True)) == ["自己的"]


def test_skills_are_admins_and_unique(workspace, owner_ms, member):
    with pytest.raises(Forbidden):
        actions.do_create_skill(actor=membership_of(member, workspace), data=SkillIn(name="设计"))
    skill = actions.do_create_skill(actor=owner_ms, data=SkillIn(name="设计"))
    with pytest.raises(Conflict):
        actions.do_create_skill(actor=owner_ms, data=SkillIn(name="设计"))
    actions.do_update_skill(actor=owner_ms, skill=skill, data=SkillPatch(color="#ff0000"))
    assert [(s.name, s.color) for s in queries.list_skills(workspace.pk)] == [("设计", "#ff0000")]


def test_members_set_their_own_profile_admins_anyones(workspace, owner_ms, member, admin_user):
    member_ms = membership_of(member, workspace)
    skill = actions.do_create_skill(actor=owner_ms, data=SkillIn(name="数据"))
    actions.do_update_profile(
        actor=member_ms,
        member=member_ms,
        data=ProfilePatch(weekly_capacity=24, skill_ids=[skill.pk]),
    )
    with pytest.raises(Forbidden):
        actions.do_update_profile(
            actor=member_ms, member=owner_ms, data=ProfilePatch(weekly_capacity=1)
        )
    actions.do_update_profile(
        actor=membership_of(admin_user, workspace),
        member=owner_ms,
        data=ProfilePatch(weekly_capacity=30),
    )
    found = {
        m.user.username: (m.capacity, [s.name for s in m.skills])
        for m in queries.team_members(workspace.pk)
    }
    assert found["member"] == (24, ["数据"])
    assert found["owner"] == (30, [])
    assert found["admin"] == (40, [])  # the default, without a profile
    with pytest.raises(Invalid):
        actions.do_update_profile(
            actor=owner_ms, member=member_ms, data=ProfilePatch(skill_ids=[987654])
        )
