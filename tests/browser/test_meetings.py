"""A meeting in a real browser: plan it, add a topic and an action item, turn the action item
into a work item, and find the meeting again from the item's page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from opsloop.core import actions as core_actions
from opsloop.core.models import Membership, Role
from opsloop.meetings.models import ActionItem
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ProjectIn
from tests.browser.conftest import login
from tests.conftest import PASSWORD


@pytest.mark.browser
def test_meeting_action_item_becomes_a_work_item(
    page: Page, console_errors: list[str], transactional_db
):
    lead = core_actions.do_signup(
        username="lead", email="lead@example.com", password=PASSWORD, display_name="王总"
    )
    workspace = core_actions.do_create_workspace(actor=lead, slug="ops", name="运营团队")
    amy = core_actions.do_signup(
        username="amy", email="amy@example.com", password=PASSWORD, display_name="Amy"
    )
    Membership.objects.create(workspace=workspace, user=amy, role=Role.MEMBER)
    lead_ms = Membership.objects.select_related("workspace", "user").get(user=lead)
    work_actions.do_create_project(actor=lead_ms, data=ProjectIn(name="双十一大促", key="D11"))

    login(page, "lead", PASSWORD)
    page.goto("/w/ops/p/D11/")
    page.get_by_test_id("tab-meetings").click()
    page.wait_for_url("**/w/ops/p/D11/meetings/")
    page.get_by_test_id("new-meeting").click()
    # The end follows the start by a script: on a busy machine the form can be filled
    # before the page's scripts have run, so wait for the page to have loaded.
    page.wait_for_url("**/meetings/new/**")
    page.wait_for_load_state("load")
    form = page.get_by_test_id("meeting-form")
    form.locator("input[name=title]").fill("周例会")
    form.locator("input[name=starts_at]").fill("2026-11-02T10:00")
    form.locator("select[name=recurrence]").select_option("weekly")
    form.locator("label.check", has_text="Amy").locator("input").check()
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/w/ops/meetings/\d+/$"))
    expect(page.get_by_test_id("meeting-title")).to_contain_text("周例会")
    expect(page.get_by_test_id("attendees")).to_contain_text("Amy")
    # No decision yet: the line saying so has no check mark before it.
    empty = page.get_by_test_id("decisions").locator("li.empty-line")
    expect(empty).to_be_visible()
    assert empty.evaluate("e => getComputedStyle(e, '::marker').content") in ("none", "normal")
    assert "✔" not in empty.evaluate("e => getComputedStyle(e, '::marker').content")

    topic = page.get_by_test_id("add-topic")
    topic.locator("input[name=title]").fill("大促预算复盘")
    topic.locator("select[name=owner_id]").select_option(label="Amy")
    topic.locator("button").click()
    expect(page.get_by_test_id("agenda")).to_contain_text("大促预算复盘")

    action = page.get_by_test_id("add-action")
    action.locator("input[name=title]").fill("整理 KOL 报名名单")
    action.locator("select[name=owner_id]").select_option(label="Amy")
    action.locator("input[name=due_date]").fill("2026-11-05")
    action.locator("button").click()
    expect(page.get_by_test_id("action-items")).to_contain_text("整理 KOL 报名名单")

    page.get_by_test_id("convert").click()
    link = page.get_by_test_id("work-item-link")
    expect(link).to_have_text("D11-1")
    assert ActionItem.objects.get().work_item.assignees.get() == amy

    link.click()
    page.wait_for_url("**/w/ops/i/D11-1/")
    meetings = page.get_by_test_id("item-meetings")
    expect(meetings).to_contain_text("From meeting:")
    expect(meetings.get_by_role("link", name="周例会")).to_be_visible()
    meetings.get_by_role("link", name="周例会").click()
    page.wait_for_url(re.compile(r"/w/ops/meetings/\d+/$"))
    expect(page.get_by_test_id("create-next")).to_be_visible()
    assert console_errors == []
