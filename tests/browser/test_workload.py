"""Time and workload in a real browser: log time on an item and see logged against the
estimate; the workload shows an over-allocated week in red and lists its items."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from opsloop.capacity import actions as capacity_actions
from opsloop.capacity.schemas import ProfilePatch, SkillIn
from opsloop.core import actions as core_actions
from opsloop.core.models import Membership, Role
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ItemIn, LabelIn, ProjectIn
from tests.browser.conftest import login
from tests.conftest import PASSWORD


@pytest.mark.browser
def test_log_time_and_see_over_allocation(page: Page, console_errors: list[str], transactional_db):
    lead = core_actions.do_signup(
        username="lead", email="lead@example.com", password=PASSWORD, display_name="王总"
    )
    workspace = core_actions.do_create_workspace(actor=lead, slug="ops", name="运营团队")
    designer = core_actions.do_signup(
        username="mei", email="mei@example.com", password=PASSWORD, display_name="小美"
    )
    Membership.objects.create(workspace=workspace, user=designer, role=Role.MEMBER)
    lead_ms = Membership.objects.select_related("workspace", "user").get(user=lead)
    design = capacity_actions.do_create_skill(actor=lead_ms, data=SkillIn(name="设计"))
    capacity_actions.do_update_profile(
        actor=lead_ms,
        member=Membership.objects.get(user=designer),
        data=ProfilePatch(weekly_capacity=10, skill_ids=[design.pk]),
    )
    label = work_actions.do_create_label(actor=lead_ms, data=LabelIn(name="设计"))
    project = work_actions.do_create_project(
        actor=lead_ms, data=ProjectIn(name="双十一大促", key="D11")
    )
    today = timezone.localdate()
    friday = today + timedelta(days=4 - today.weekday())
    work_actions.do_create_item(
        actor=lead_ms,
        project=project,
        data=ItemIn(
            title="主会场海报", assignee_ids=[designer.pk], estimate_hours=16, due_date=friday
        ),
    )
    item = work_actions.do_create_item(
        actor=lead_ms,
        project=project,
        data=ItemIn(title="商品详情页", label_ids=[label.pk], estimate_hours=4, due_date=friday),
    )

    login(page, "lead", PASSWORD)
    page.goto(f"/w/ops/i/{item.ref}/")
    # The designer is suggested first, for the 设计 label; a click ticks their box.
    suggestions = page.get_by_test_id("suggestions")
    expect(suggestions).to_contain_text("设计")
    suggestions.locator("button[data-assign]").first.click()
    expect(page.locator(f'input[name="assignee_ids"][value="{designer.pk}"]')).to_be_checked()

    page.get_by_test_id("time-duration").fill("1h30m")
    page.get_by_test_id("log-time").click()
    page.wait_for_url(f"**/w/ops/i/{item.ref}/#time")
    expect(page.get_by_test_id("time-summary")).to_have_text("1h 30m of 4 h")
    expect(page.get_by_test_id("item-time")).to_contain_text("王总")

    page.get_by_test_id("nav-workload").click()
    page.wait_for_url("**/w/ops/workload/")
    red = page.locator('td.cell[data-level="over"]')
    expect(red).to_have_count(1)
    expect(red).to_contain_text("16/10")
    assert (
        red.locator("a").evaluate("a => getComputedStyle(a).backgroundColor")
        == "rgb(254, 226, 226)"
    )
    red.locator("a").click()
    expect(page.get_by_test_id("cell-detail")).to_contain_text("主会场海报")
    assert console_errors == []
