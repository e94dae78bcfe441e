"""A campaign's results in a real browser: read its spend, new users, CAC, ROAS and ROI
from the users' events, switch to the last touch, read the daily chart and the tables by
placement and partner, then every campaign ranked, and set the conversion window."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from opsloop.core import actions as core_actions
from opsloop.events.store import get_store
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ProjectIn
from tests.browser.conftest import login, screenshot
from tests.conftest import PASSWORD, membership_of
from tests.money.test_results import build_campaign


@pytest.mark.browser
def test_read_a_campaigns_results(
    page: Page, console_errors: list[str], transactional_db, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    settings.EVENTS_BACKEND = "duckdb"
    settings.INSIGHTS_PERSONS_TTL = 0
    lead = core_actions.do_signup(
        username="lead", email="lead@example.com", password=PASSWORD, display_name="林晓"
    )
    workspace = core_actions.do_create_workspace(actor=lead, slug="acme", name="鲸选运营团队")
    project = work_actions.do_create_project(
        actor=membership_of(lead, workspace),
        data=ProjectIn(name="双十一大促", key="D11", kind="campaign"),
    )
    build_campaign(workspace, lead, project, get_store())

    login(page, "lead", PASSWORD)
    page.goto("/w/acme/p/D11/results/?from=2026-03-01&to=2026-03-10")
    totals = page.get_by_test_id("results-totals")
    expect(totals.get_by_test_id("total-spend")).to_contain_text("1,100.00")
    expect(totals.get_by_test_id("total-new-users")).to_contain_text("4")
    expect(totals.get_by_test_id("total-cac")).to_contain_text("275.00")
    expect(totals.get_by_test_id("total-roas")).to_contain_text("0.73×")
    expect(totals.get_by_test_id("total-roi")).to_contain_text("-27.27%")
    # The daily chart is drawn (ECharts' SVG), the tables are there.
    expect(page.locator("[data-testid=results-chart] svg")).to_have_count(1)
    placements = page.get_by_test_id("results-placements")
    expect(placements).to_contain_text("抖音信息流")
    expect(placements.locator("[data-metric=cac]").first).to_have_text("166.67")
    expect(page.get_by_test_id("results-partners")).to_contain_text("小红书达人A")
    screenshot(page, "money-results")

    # The last touch: u3 came from another campaign first, and from this one last.
    page.get_by_test_id("results-touch").get_by_label("Last touch").check()
    page.get_by_test_id("results-apply").click()
    page.wait_for_url("**touch=last**")
    expect(page.get_by_test_id("total-cac")).to_contain_text("220.00")
    expect(page.get_by_test_id("total-roi")).to_contain_text("63.64%")

    # A conversion window of one day: u1's second order and u2's no longer count.
    page.get_by_test_id("conversion-event").fill("order_paid")
    page.get_by_test_id("conversion-revenue").fill("amount")
    page.get_by_test_id("conversion-window").fill("1")
    page.get_by_test_id("conversion-save").click()
    expect(page.get_by_test_id("conversion-now")).to_contain_text("within 1 day of")
    expect(page.get_by_test_id("total-conversions")).to_contain_text("2")

    # Every campaign, ranked, and back to this one.
    page.get_by_role("link", name="All campaigns").click()
    page.wait_for_url("**/w/acme/results/**")
    campaigns = page.get_by_test_id("results-campaigns")
    expect(campaigns).to_contain_text("双十一大促")
    expect(page.get_by_test_id("results-channels")).to_contain_text("抖音")
    screenshot(page, "money-results-ranked")
    campaigns.get_by_role("link", name="双十一大促").click()
    page.wait_for_url("**/w/acme/p/D11/results/**")
    expect(page.get_by_test_id("results-range")).to_contain_text("2026-03-01 – 2026-03-10")
    assert not console_errors, console_errors
