"""Insights in a real browser, as the operator of the issue's "done" would: build a
funnel, a retention table and a channel report on generated events without writing SQL,
and click into the persons behind a number."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from opsloop.core import actions as core_actions
from opsloop.events.generate import generate
from tests.browser.conftest import login, screenshot
from tests.conftest import PASSWORD


@pytest.mark.browser
@pytest.mark.parametrize("browser_locale", ["zh-CN"])  # the README's tour is in Chinese
def test_funnel_retention_and_channels_from_the_builder(
    page: Page, console_errors: list[str], transactional_db, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    settings.INSIGHTS_PERSONS_TTL = 0
    lead = core_actions.do_signup(
        username="lead", email="lead@example.com", password=PASSWORD, display_name="王总"
    )
    workspace = core_actions.do_create_workspace(actor=lead, slug="ops", name="运营团队")
    generate(workspace=workspace, events=6000, persons=600, days=30, seed=7)

    login(page, "lead", PASSWORD)
    page.goto("/w/ops/")
    page.get_by_test_id("nav-insights").click()
    page.wait_for_url("**/w/ops/insights/")
    expect(page.get_by_test_id("result")).to_be_visible()

    # A funnel of three steps by channel.
    page.get_by_test_id("tab-funnel").click()
    steps = page.get_by_test_id("funnel-step")
    # A web source's first visits are $pageview (opsloop/events/generate.py).
    expect(page.get_by_test_id("choose-events")).to_be_visible()
    for i, event in enumerate(["$pageview", "signup", "first_order"]):
        steps.nth(i).fill(event)
    page.get_by_test_id("funnel-breakdown").fill("utm_source")
    page.get_by_test_id("range").select_option("last_30_days")
    page.get_by_test_id("run").click()
    table = page.get_by_test_id("funnel-table")
    expect(table).to_contain_text("signup")
    expect(table).to_contain_text("douyin")
    expect(page.locator("#insight-chart canvas")).to_have_count(1)
    screenshot(page, "insights-funnel")

    # The persons behind step 2, in the side panel.
    table.get_by_test_id("persons-link").nth(1).click()
    panel = page.locator("#persons-panel")
    expect(panel).to_be_visible()
    expect(panel.get_by_test_id("behind-person").first).to_be_visible()
    assert "/insights/" in page.url  # the page stayed; the panel came by htmx
    # Those persons, kept as a cohort.
    panel.get_by_test_id("cohort-name").fill("注册用户")
    panel.get_by_test_id("save-cohort").click()
    expect(page.get_by_test_id("cohort-filter")).to_contain_text("注册用户")

    # The funnel saved under a name, and a comment on it.
    page.get_by_test_id("save-name").fill("注册到首单")
    page.get_by_test_id("save-insight").click()
    expect(page.get_by_test_id("result-title")).to_have_text("注册到首单")
    page.get_by_test_id("comment-body").fill("**抖音**来的转化最好")
    page.get_by_test_id("comment-send").click()
    expect(page.get_by_test_id("insight-comments")).to_contain_text("抖音来的转化最好")
    expect(page.get_by_test_id("saved-insights")).to_contain_text("注册到首单")

    # Weekly retention of those who signed up.
    page.get_by_test_id("tab-retention").click()
    page.get_by_test_id("retention-start").fill("signup")
    page.get_by_test_id("retention-return").fill("$pageview")
    page.get_by_test_id("run").click()
    expect(page.get_by_test_id("retention-table")).to_be_visible()
    screenshot(page, "insights-retention")

    # Channels: first orders by first touch.
    page.get_by_test_id("tab-attribution").click()
    page.get_by_test_id("attribution-conversion").fill("first_order")
    page.get_by_test_id("run").click()
    channels = page.get_by_test_id("insight-table")
    for channel in ("douyin", "xiaohongshu", "wechat", "baidu"):
        expect(channels).to_contain_text(channel)
    screenshot(page, "insights-channels")
    assert console_errors == []


@pytest.mark.browser
@pytest.mark.parametrize("browser_locale", ["zh-CN"])
def test_a_filter_offers_its_keys_values_and_an_empty_answer_says_why(
    page: Page, console_errors: list[str], transactional_db, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    settings.INSIGHTS_PERSONS_TTL = 0
    lead = core_actions.do_signup(
        username="lead", email="lead@example.com", password=PASSWORD, display_name="王总"
    )
    workspace = core_actions.do_create_workspace(actor=lead, slug="ops", name="运营团队")
    generate(workspace=workspace, events=3000, persons=300, days=30, seed=7)
    login(page, "lead", PASSWORD)
    page.goto("/w/ops/insights/?kind=retention")
    # A web source's visits are $pageview; only a first visit carries its UTM.
    page.get_by_test_id("retention-start").fill("$pageview")
    page.get_by_test_id("retention-return").fill("$pageview")
    key = page.locator("input[name=fkey]").first
    key.fill("utm_source")
    key.dispatch_event("change")
    # The value field's list fills with the key's values from the store.
    expect(page.locator("#filter-values-1 option[value=douyin]")).to_have_count(1)
    page.locator("input[name=fvalue]").first.fill("douyin")
    page.get_by_test_id("range").select_option("last_30_days")
    page.get_by_test_id("run").click()
    hint = page.get_by_test_id("insight-hint")
    expect(hint).to_contain_text("person.channel")
    hint.get_by_test_id("hint-use").click()
    expect(page.get_by_test_id("retention-table")).to_be_visible()
    expect(page.locator("input[name=fkey]").first).to_have_value("person.channel")
    assert not console_errors
