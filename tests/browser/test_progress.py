"""The progress page in a real browser: the burn-up drawn on a canvas, the items at risk,
and the weekly summary copied to the clipboard."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from opsloop.core import actions as core_actions
from opsloop.core.models import Membership
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ItemIn, ItemPatch, ProjectIn
from tests.browser.conftest import login
from tests.conftest import PASSWORD


@pytest.mark.browser
def test_progress_page_draws_the_burn_up_and_copies_the_summary(
    page: Page, console_errors: list[str], transactional_db
):
    lead = core_actions.do_signup(
        username="lead", email="lead@example.com", password=PASSWORD, display_name="王总"
    )
    core_actions.do_create_workspace(actor=lead, slug="ops", name="运营团队")
    lead_ms = Membership.objects.select_related("workspace", "user").get(user=lead)
    project = work_actions.do_create_project(
        actor=lead_ms, data=ProjectIn(name="双十一大促", key="D11")
    )
    today = timezone.localdate()
    late = work_actions.do_create_item(
        actor=lead_ms,
        project=project,
        data=ItemIn(title="主会场海报", due_date=today - timedelta(days=2)),
    )
    done = work_actions.do_create_item(
        actor=lead_ms, project=project, data=ItemIn(title="KOL 名单", due_date=today)
    )
    work_actions.do_update_item(
        actor=lead_ms,
        item=done,
        data=ItemPatch(state_id=project.states.get(group="done").pk),
    )
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])

    login(page, "lead", PASSWORD)
    page.goto("/w/ops/p/D11/")
    page.get_by_test_id("tab-progress").click()
    page.wait_for_url("**/w/ops/p/D11/progress/")
    chart = page.get_by_test_id("burn-up-chart")
    expect(chart).to_be_visible()
    expect(chart.locator("canvas")).to_have_count(1)
    # The table stays for those without JavaScript; with it, it folds away.
    expect(page.get_by_test_id("burn-up-table")).not_to_have_attribute("open", "")
    risks = page.get_by_test_id("at-risk")
    expect(risks).to_contain_text("主会场海报")
    expect(risks).to_contain_text("2 days past due")
    expect(page.get_by_test_id("planned-vs-actual")).to_contain_text("50%")

    page.get_by_test_id("copy-markdown").click()
    expect(page.locator(".copy-done")).to_have_text("Copied to the clipboard.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("## D11 双十一大促")
    assert f"[{late.ref}](" in copied and "2 days past due" in copied
    assert console_errors == []
