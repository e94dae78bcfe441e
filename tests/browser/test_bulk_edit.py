"""Bulk edit in a real browser: select three items of the list and change their state."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from opsloop.work import actions as work_actions
from opsloop.work.models import Activity, Item, State
from opsloop.work.schemas import ItemIn, ProjectIn
from tests.browser.conftest import login
from tests.conftest import PASSWORD, make_user, membership_of


@pytest.mark.browser
def test_select_three_items_and_change_their_state(
    page: Page, console_errors: list[str], transactional_db
):
    from opsloop.core import actions as core_actions

    owner = make_user("wangzong", display_name="王总")
    workspace = core_actions.do_create_workspace(actor=owner, slug="acme", name="鲸选运营团队")
    actor = membership_of(owner, workspace)
    project = work_actions.do_create_project(
        actor=actor, data=ProjectIn(name="双十一大促", key="D11")
    )
    items = [
        work_actions.do_create_item(actor=actor, project=project, data=ItemIn(title=title))
        for title in ("主会场海报", "KOL 投放排期", "短信召回文案", "复盘报告")
    ]
    doing = State.objects.get(project=project, group="in_progress")
    login(page, "wangzong", PASSWORD)
    page.goto("/w/acme/p/D11/")

    bar = page.get_by_test_id("bulk-bar")
    expect(bar).to_be_hidden()
    for item in items[:3]:
        page.get_by_test_id(f"pick-{item.ref}").check()
    expect(bar).to_be_visible()
    expect(page.get_by_test_id("bulk-count")).to_contain_text("3")
    bar.locator("select[name=state_id]").select_option(str(doing.pk))
    page.get_by_test_id("bulk-apply").click()
    expect(page.get_by_text("Changed 3 items.")).to_be_visible()

    assert Item.objects.filter(state=doing).count() == 3
    assert Item.objects.get(pk=items[3].pk).state != doing
    assert Activity.objects.filter(field="state", verb="updated").count() == 3
    # Select all on this page picks every row.
    page.get_by_test_id("pick-all").check()
    expect(page.get_by_test_id("bulk-count")).to_contain_text("4")
    assert not console_errors, console_errors
