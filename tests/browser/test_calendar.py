"""The calendar in a real browser: drag an item to another day and its due date changes,
keeping its duration."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from opsloop.core import actions as core_actions
from opsloop.core.models import Membership
from opsloop.work import actions as work_actions
from opsloop.work.models import Item
from opsloop.work.schemas import ItemIn, ProjectIn
from tests.browser.conftest import login
from tests.conftest import PASSWORD


@pytest.mark.browser
def test_drag_an_item_to_another_day(page: Page, console_errors, transactional_db):
    lead = core_actions.do_signup(username="lead", email="lead@example.com", password=PASSWORD)
    core_actions.do_create_workspace(actor=lead, slug="ops", name="运营团队")
    ms = Membership.objects.select_related("workspace", "user").get(user=lead)
    project = work_actions.do_create_project(actor=ms, data=ProjectIn(name="双十一大促", key="D11"))
    item = work_actions.do_create_item(
        actor=ms,
        project=project,
        data=ItemIn(title="海报定稿", start_date=date(2026, 11, 3), due_date=date(2026, 11, 5)),
    )
    login(page, "lead", PASSWORD)
    page.goto("/w/ops/p/D11/calendar/?date=2026-11-05")
    card = page.get_by_test_id("cal-item-D11-1")
    expect(card).to_be_visible()
    card.drag_to(page.get_by_test_id("day-2026-11-12"))
    expect(page.get_by_test_id("cal-status")).to_have_text("Saved.")
    item = Item.objects.get(pk=item.pk)
    assert (item.start_date, item.due_date) == (date(2026, 11, 10), date(2026, 11, 12))
    expect(page.get_by_test_id("day-2026-11-12")).to_contain_text("海报定稿")
    assert not console_errors
