"""The timeline in a real browser: drag a bar and the dates are saved; a stale version after
someone else's edit shows a conflict; a move that breaks a dependency offers to shift."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from opsloop.core import actions as core_actions
from opsloop.core.models import Membership
from opsloop.planning import actions
from opsloop.work import actions as work_actions
from opsloop.work.models import Item
from opsloop.work.schemas import ItemIn, ItemPatch, ProjectIn
from tests.browser.conftest import login
from tests.conftest import PASSWORD

DAY_PX = 32  # the timeline's width of a day at zoom "day"


@pytest.fixture
def plan(transactional_db):
    lead = core_actions.do_signup(
        username="lead", email="lead@example.com", password=PASSWORD, display_name="王总"
    )
    core_actions.do_create_workspace(actor=lead, slug="ops", name="运营团队")
    ms = Membership.objects.select_related("workspace", "user").get(user=lead)
    project = work_actions.do_create_project(actor=ms, data=ProjectIn(name="双十一大促", key="D11"))
    today = timezone.localdate()
    poster = work_actions.do_create_item(
        actor=ms,
        project=project,
        data=ItemIn(title="主会场海报", start_date=today, due_date=today + timedelta(days=2)),
    )
    launch = work_actions.do_create_item(
        actor=ms,
        project=project,
        data=ItemIn(
            title="上线预热页",
            start_date=today + timedelta(days=3),
            due_date=today + timedelta(days=4),
        ),
    )
    actions.do_add_dependency(actor=ms, source=poster, target=launch)
    return {"ms": ms, "today": today, "poster": poster, "launch": launch}


def _drag(page: Page, test_id: str, days: int) -> None:
    box = page.get_by_test_id(test_id).bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + days * DAY_PX / 2, y, steps=4)
    page.mouse.move(x + days * DAY_PX, y, steps=4)
    page.mouse.up()


@pytest.mark.browser
def test_drag_a_bar_saves_its_dates_and_shifts_dependents(page: Page, console_errors, plan):
    login(page, "lead", PASSWORD)
    page.goto("/w/ops/p/D11/timeline/")
    expect(page.get_by_test_id("bar-D11-1")).to_be_visible()
    # performance.now() when the bars were drawn: milliseconds since navigation started.
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_have_attribute("data-painted", re.compile(r"^\d+$"))
    painted = float(timeline.get_attribute("data-painted") or "0")
    assert painted > 0
    print(f"timeline: bars painted {painted:.0f} ms after navigation start")
    today = plan["today"]
    # Two days later the poster is due after the launch page starts: shift it along.
    _drag(page, "bar-D11-1", 2)
    expect(page.get_by_test_id("tl-dialog")).to_be_visible()
    page.get_by_test_id("tl-shift").click()
    expect(page.get_by_test_id("tl-status")).to_have_text("Saved.")
    poster = Item.objects.get(pk=plan["poster"].pk)
    launch = Item.objects.get(pk=plan["launch"].pk)
    assert (poster.start_date, poster.due_date) == (
        today + timedelta(days=2),
        today + timedelta(days=4),
    )
    assert (launch.start_date, launch.due_date) == (
        today + timedelta(days=5),
        today + timedelta(days=6),
    )
    assert not console_errors


@pytest.mark.browser
def test_a_stale_bar_shows_a_conflict(page: Page, plan):
    login(page, "lead", PASSWORD)
    page.goto("/w/ops/p/D11/timeline/")
    expect(page.get_by_test_id("bar-D11-2")).to_be_visible()
    # Someone else renames the launch page after the timeline was read.
    work_actions.do_update_item(actor=plan["ms"], item=plan["launch"], data=ItemPatch(title="改过"))
    _drag(page, "bar-D11-2", 3)
    expect(page.get_by_test_id("tl-status")).to_contain_text("Someone else changed this item")
    launch = Item.objects.get(pk=plan["launch"].pk)
    assert launch.start_date == plan["today"] + timedelta(days=3)
