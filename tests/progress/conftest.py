"""Fixtures of the progress tests: a clock to make history on chosen days, and item helpers.

History is written by the work actions as people would; only the moment is chosen, by
holding django.utils.timezone.now at a time of the day asked for."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from unittest import mock

import pytest
from django.utils import timezone

from opsloop.work import actions as work_actions
from opsloop.work.schemas import ItemIn, ItemPatch
from tests.conftest import membership_of

# Monday 2 November 2026, the first day of every case.
D1 = date(2026, 11, 2)


def day(n: int) -> date:
    """Day n of the cases: day(1) is D1."""
    return D1 + timedelta(days=n - 1)


@contextmanager
def at(when: date, hour: int = 10) -> Iterator[None]:
    moment = datetime.combine(when, time(hour), tzinfo=timezone.get_current_timezone())
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


@pytest.fixture(autouse=True)
def _english_by_default():
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


class Maker:
    """Creates and changes items of one project on chosen days, through the actions."""

    def __init__(self, project, user, workspace) -> None:
        self.project = project
        self.actor = membership_of(user, workspace)

    def state(self, group: str) -> int:
        return self.project.states.filter(group=group).order_by("sequence").first().pk

    def create(self, title: str, on: date, **fields):
        with at(on):
            return work_actions.do_create_item(
                actor=self.actor, project=self.project, data=ItemIn(title=title, **fields)
            )

    def update(self, item, on: date, hour: int = 10, **fields):
        with at(on, hour):
            return work_actions.do_update_item(
                actor=self.actor, item=item, data=ItemPatch(**fields)
            )

    def move(self, item, group: str, on: date, hour: int = 10):
        return self.update(item, on, hour, state_id=self.state(group))

    def delete(self, item, on: date) -> None:
        with at(on):
            work_actions.do_delete_item(actor=self.actor, item=item)


@pytest.fixture
def make(project, owner, workspace) -> Maker:
    return Maker(project, owner, workspace)
