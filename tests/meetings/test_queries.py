"""Who sees which meeting, and the lists built on it."""

from __future__ import annotations

import pytest

from opsloop.core.errors import Forbidden, NotFound
from opsloop.meetings import actions, queries
from opsloop.meetings.schemas import ActionItemIn, MeetingPatch
from opsloop.work import actions as work_actions
from opsloop.work.queries import EDIT
from opsloop.work.schemas import ProjectIn
from tests.conftest import membership_of
from tests.meetings.conftest import at, make_meeting


@pytest.fixture
def meetings(owner_ms, member, guest, project):
    """A workspace meeting, a D11 meeting, a private one, a one-to-one, one the guest attends,
    and one in a private project."""
    secret = work_actions.do_create_project(
        actor=owner_ms, data=ProjectIn(name="保密", key="SEC", visibility="private")
    )
    work_actions.do_add_project_member(actor=owner_ms, project=project, user_id=guest.pk)
    return {
        "workspace": make_meeting(owner_ms, title="全员会"),
        "project": make_meeting(owner_ms, title="大促会", project_key="D11"),
        "private": make_meeting(owner_ms, title="薪酬会", private=True),
        "one_on_one": make_meeting(
            owner_ms, title="一对一", kind="one_on_one", attendee_ids=[member.pk]
        ),
        "guest_attends": make_meeting(owner_ms, title="代理商会", attendee_ids=[guest.pk]),
        "secret": make_meeting(owner_ms, title="保密会", project_key=secret.key),
    }


def _seen(user, workspace) -> set[str]:
    return set(
        queries.visible_meetings(membership_of(user, workspace)).values_list("title", flat=True)
    )


def test_owner_sees_everything_they_organize(meetings, owner, workspace):
    assert _seen(owner, workspace) == {m.title for m in meetings.values()}


def test_private_meeting_is_hidden_from_an_admin_who_does_not_attend(
    meetings, admin_user, workspace
):
    assert _seen(admin_user, workspace) == {"全员会", "大促会", "代理商会", "保密会"}


def test_member_sees_open_meetings_and_their_one_to_one(meetings, member, workspace):
    assert _seen(member, workspace) == {"全员会", "大促会", "一对一", "代理商会"}


def test_guest_sees_what_they_attend_and_the_shared_projects_meetings(meetings, guest, workspace):
    assert _seen(guest, workspace) == {"大促会", "代理商会"}


def test_access_meeting_answers_404_for_hidden_and_403_for_read_only(
    meetings, admin_user, guest, member, workspace
):
    with pytest.raises(NotFound):
        queries.access_meeting(admin_user, "acme", meetings["one_on_one"].pk)
    with pytest.raises(NotFound):
        queries.access_meeting(member, "acme", meetings["secret"].pk)
    access = queries.access_meeting(guest, "acme", meetings["project"].pk)
    assert not access.can_edit
    with pytest.raises(Forbidden):
        queries.access_meeting(guest, "acme", meetings["guest_attends"].pk, EDIT)
    # Members who do not attend read a workspace meeting but do not change it.
    with pytest.raises(Forbidden):
        queries.access_meeting(member, "acme", meetings["workspace"].pk, EDIT)
    assert queries.access_meeting(admin_user, "acme", meetings["workspace"].pk, EDIT).can_edit


def test_filters_mine_one_to_ones_project_and_dates(meetings, member, owner_ms, workspace):
    ms = membership_of(member, workspace)
    later = make_meeting(owner_ms, title="下月会", starts_at=at(2026, 12, 7))

    def titles(**params) -> list[str]:
        filters = queries.parse_meeting_filters(params)
        return [m.title for m in queries.list_meetings(ms, filters)]

    assert titles(scope="mine") == ["一对一"]
    assert titles(scope="one_on_one") == ["一对一"]
    assert titles(project="d11") == ["大促会"]
    assert titles(**{"from": "2026-12-01"}) == [later.title]
    assert "下月会" not in titles(to="2026-11-30")


def test_item_meetings_shows_only_meetings_the_viewer_sees(owner_ms, member, workspace, project):
    private = make_meeting(owner_ms, title="私下", project_key="D11", private=True)
    action = actions.do_add_action_item(
        actor=owner_ms, meeting=private, data=ActionItemIn(title="跟进")
    )
    item = actions.do_convert_action_item(actor=owner_ms, action=action)
    assert [m.title for m in queries.item_meetings(owner_ms, item)] == ["私下"]
    assert queries.item_meetings(membership_of(member, workspace), item) == []


# --- the previous meeting's action items


def test_the_next_meeting_lists_last_meetings_action_items_with_their_state(
    series, owner_ms, member_ms, django_assert_num_queries
):
    with django_assert_num_queries(3):
        previous = queries.previous_actions(member_ms, series["next"])
    assert previous is not None and previous.meeting.pk == series["first"].pk
    rows = [(c.action.title, c.status, c.done, c.text) for c in previous.actions]
    assert rows == [
        ("海报定稿", "done", True, "Done"),
        ("直播脚本", "open", False, "In progress"),
        ("复盘文档", "open", False, "Open, no work item"),
        # Its work item is in a project the member cannot see: neither it nor its state.
        ("预算审批", "hidden", False, "In a project you cannot see"),
    ]
    assert [c.item.ref if c.item else None for c in previous.actions] == [
        series["done"].ref,
        series["doing"].ref,
        None,
        None,
    ]
    assert previous.open_count == 3
    # The owner sees the private project's item and its state.
    mine = queries.previous_actions(owner_ms, series["next"])
    assert mine is not None
    assert (mine.actions[3].status, mine.actions[3].item.ref) == ("open", series["hidden"].ref)


def test_no_previous_section_without_a_previous_meeting_the_member_sees(
    series, owner_ms, member_ms
):
    assert queries.previous_actions(owner_ms, series["first"]) is None
    # The meeting before becomes private and the member no longer attends it.
    actions.do_update_meeting(
        actor=owner_ms,
        meeting=series["first"],
        data=MeetingPatch(private=True, attendee_ids=[owner_ms.user_id]),
    )
    assert queries.previous_actions(member_ms, series["next"]) is None
    assert queries.previous_actions(owner_ms, series["next"]) is not None
