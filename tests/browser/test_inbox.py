"""Notifications in a real browser: one member assigns an item to another, whose unread
badge rises; they open the inbox, click the row, land on the item, and the badge falls."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from opsloop.core.models import Role
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ItemIn, ProjectIn
from tests.browser.conftest import TIMEOUT_MS, VIEWPORT, login
from tests.conftest import PASSWORD, add_member, make_user, membership_of


@pytest.mark.browser
def test_assignment_reaches_the_assignees_inbox(
    page: Page, browser: Browser, live_server, console_errors: list[str], transactional_db
):
    from opsloop.core import actions as core_actions

    owner = make_user("wangzong", display_name="王总")
    workspace = core_actions.do_create_workspace(actor=owner, slug="acme", name="鲸选运营团队")
    li = add_member(workspace, "lilei", Role.MEMBER)
    li.display_name = "李雷"
    li.save()
    project = work_actions.do_create_project(
        actor=membership_of(owner, workspace), data=ProjectIn(name="双十一大促", key="D11")
    )
    item = work_actions.do_create_item(
        actor=membership_of(owner, workspace), project=project, data=ItemIn(title="双11预热海报")
    )

    # 李雷 signs in first: nothing unread.
    other = browser.new_context(base_url=live_server.url, locale="en", viewport=VIEWPORT)
    other.set_default_timeout(TIMEOUT_MS)
    li_page = other.new_page()
    li_page.on("pageerror", lambda error: console_errors.append(f"page error: {error}"))
    login(li_page, "lilei", PASSWORD)
    li_page.goto("/w/acme/my/")
    badge = li_page.get_by_test_id("inbox-badge")
    expect(badge).to_have_attribute("data-count", "0")

    # 王总 assigns the item to 李雷 on the item page.
    login(page, "wangzong", PASSWORD)
    page.goto(f"/w/acme/i/{item.ref}/")
    page.get_by_label("李雷").check()
    page.get_by_test_id("save-item").click()
    page.wait_for_load_state()
    expect(page.get_by_label("李雷")).to_be_checked()

    # 李雷's badge rises.
    li_page.reload()
    expect(badge).to_have_attribute("data-count", "1")
    expect(badge).to_have_text("1")

    li_page.get_by_test_id("nav-inbox").click()
    li_page.wait_for_url("**/w/acme/inbox/")
    row = li_page.get_by_test_id("notification").filter(
        has_text="王总 assigned you D11-1 双11预热海报"
    )
    expect(row).to_have_count(1)
    row.get_by_test_id("notification-link").click()
    li_page.wait_for_url(re.compile(rf"/w/acme/i/{item.ref}/$"))
    expect(li_page.get_by_test_id("inbox-badge")).to_have_attribute("data-count", "0")

    # Back in the inbox the row is read; snoozing it with htmx takes it off the list.
    li_page.goto("/w/acme/inbox/?tab=all")
    row = li_page.get_by_test_id("notification").first
    expect(row).not_to_have_class(re.compile(r"\bunread\b"))
    row.locator("details.snooze summary").click()
    row.get_by_role("button", name=re.compile("Tomorrow")).click()
    expect(li_page.get_by_test_id("notification")).to_have_count(0)
    li_page.goto("/w/acme/inbox/?tab=snoozed")
    expect(li_page.get_by_test_id("notification")).to_have_count(1)
    other.close()
    assert console_errors == []
