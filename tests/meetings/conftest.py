"""Meetings made through actions, for the meetings tests."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import timezone

from opsloop.meetings import actions
from opsloop.meetings.schemas import ActionItemIn, MeetingIn
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ItemPatch, ProjectIn
from tests.conftest import membership_of


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A moment in the install's zone (Asia/Shanghai in the tests)."""
    return datetime(year, month, day, hour, minute, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def owner_ms(owner, workspace):
    return membership_of(owner, workspace)


@pytest.fixture
def member_ms(member, workspace):
    return membership_of(member, workspace)


def make_meeting(actor, **fields):
    data = {"title": "周例会", "starts_at": at(2026, 11, 2), **fields}
    return actions.do_create_meeting(actor=actor, data=MeetingIn(**data))


@pytest.fixture
def series(owner_ms, member, project):
    """A weekly meeting of D11 with four action items, and its next occurrence.

    "海报定稿" became D11 work that is done now, "直播脚本" D11 work still in progress,
    "复盘文档" is not a work item yet, "预算审批" became work in a private project that
    only the owner sees."""
    secret = work_actions.do_create_project(
        actor=owner_ms, data=ProjectIn(name="保密复盘", key="SEC", visibility="private")
    )
    first = make_meeting(owner_ms, project_key="D11", recurrence="weekly", attendee_ids=[member.pk])
    first.workspace = owner_ms.workspace
    titles = ["海报定稿", "直播脚本", "复盘文档", "预算审批"]
    rows = {
        t: actions.do_add_action_item(
            actor=owner_ms, meeting=first, data=ActionItemIn(title=t, owner_id=None)
        )
        for t in titles
    }
    done = actions.do_convert_action_item(actor=owner_ms, action=rows["海报定稿"])
    work_actions.do_update_item(
        actor=owner_ms,
        item=done,
        data=ItemPatch(state_id=project.states.get(group="done").pk),
    )
    doing = actions.do_convert_action_item(actor=owner_ms, action=rows["直播脚本"])
    work_actions.do_update_item(
        actor=owner_ms,
        item=doing,
        data=ItemPatch(state_id=project.states.get(group="in_progress").pk),
    )
    hidden = actions.do_convert_action_item(
        actor=owner_ms, action=rows["预算审批"], project_key="SEC"
    )
    following = actions.do_create_next_occurrence(actor=owner_ms, meeting=first)
    return {
        "first": first,
        "next": following,
        "actions": rows,
        "done": done,
        "doing": doing,
        "hidden": hidden,
        "secret": secret,
    }
