"""Meetings made through actions, for the meetings tests."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import timezone

from opsloop.meetings import actions
from opsloop.meetings.schemas import MeetingIn
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
