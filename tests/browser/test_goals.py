"""Goals in a real browser, as an operations lead would: make a KPI from a saved
insight, set an objective with a key result measured by it, see its progress and
forecast, and link the campaign meant to move it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from opsloop.core import actions as core_actions
from opsloop.events.generate import generate
from opsloop.insights import actions as insight_actions
from opsloop.insights.queries import local_today
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ProjectIn
from tests.browser.conftest import login, screenshot
from tests.conftest import PASSWORD, membership_of


@pytest.mark.browser
@pytest.mark.parametrize("browser_locale", ["zh-CN"])
def test_an_objective_with_a_key_result_from_an_insight(
    page: Page, console_errors: list[str], transactional_db, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    settings.INSIGHTS_PERSONS_TTL = 0
    lead = core_actions.do_signup(
        username="lead", email="lead@example.com", password=PASSWORD, display_name="王总"
    )
    workspace = core_actions.do_create_workspace(actor=lead, slug="ops", name="运营团队")
    owner_ms = membership_of(lead, workspace)
    work_actions.do_create_project(
        actor=owner_ms, data=ProjectIn(name="双十一大促", key="D11", kind="campaign")
    )
    today = local_today(workspace)
    generate(workspace=workspace, events=6000, persons=600, days=30, seed=7, end=today)
    insight_actions.do_save_insight(
        actor=owner_ms,
        name="网页日活",
        query={
            "kind": "trends",
            "series": [{"event": "$pageview", "math": "dau"}],
            "date_range": {"preset": "last_30_days"},
        },
    )

    login(page, "lead", PASSWORD)
    page.goto("/w/ops/")
    page.get_by_test_id("nav-goals").click()
    page.wait_for_url("**/w/ops/goals/")

    # A KPI from the saved insight: its history comes with it.
    page.get_by_test_id("tab-kpis").click()
    form = page.get_by_test_id("kpi-form")
    form.locator("input[name=name]").fill("网页日活跃用户")
    form.locator("input[name=unit]").fill("人")
    page.get_by_test_id("kpi-insight").select_option(label="网页日活 · 趋势")
    page.get_by_test_id("create-kpi").click()
    row = page.get_by_test_id("kpi-row").filter(has_text="网页日活跃用户")
    expect(row.get_by_test_id("kpi-latest")).not_to_have_text("—")

    # An objective for a custom period that began three weeks ago.
    page.get_by_test_id("tab-objectives").click()
    objective = page.get_by_test_id("objective-form")
    objective.locator("input[name=title]").fill("双十一带来更多活跃用户")
    page.get_by_test_id("period-kind").select_option("custom")
    objective.locator("input[name=start_date]").fill((today - dt.timedelta(days=20)).isoformat())
    objective.locator("input[name=end_date]").fill((today + dt.timedelta(days=10)).isoformat())
    page.get_by_test_id("create-objective").click()
    expect(page.get_by_test_id("objective-title")).to_have_text("双十一带来更多活跃用户")

    # A key result measured by the KPI: progress, a forecast and a status at once.
    kr_form = page.get_by_test_id("key-result-form")
    kr_form.locator("input[name=title]").fill("日活到 200")
    page.get_by_test_id("kr-kpi").select_option(label="网页日活跃用户 (人)")
    page.get_by_test_id("kr-target").fill("200")
    page.get_by_test_id("add-key-result").click()
    kr = page.get_by_test_id("key-result")
    expect(kr.get_by_test_id("kr-progress")).to_have_text(re.compile(r"\d+%"))
    expect(kr.get_by_test_id("kr-forecast")).to_be_visible()
    expect(kr.get_by_test_id("kr-status")).to_have_text(re.compile("正常推进|有风险|偏离"))
    expect(page.locator("[data-chart] svg")).to_have_count(1)

    # The campaign meant to move it.
    page.get_by_text("关联工作", exact=True).click()
    page.get_by_test_id("link-projects").select_option(label="D11 双十一大促")
    page.get_by_test_id("save-links").click()
    expect(page.get_by_test_id("linked-work")).to_contain_text("D11 双十一大促")
    screenshot(page, "goals-objective")

    page.get_by_test_id("nav-goals").click()
    expect(page.get_by_test_id("objective")).to_contain_text("日活到 200")
    screenshot(page, "goals")

    # An alert on the KPI: below 10,000 users a day fires at the next computation.
    page.get_by_test_id("tab-kpis").click()
    row = page.get_by_test_id("kpi-row").filter(has_text="网页日活跃用户")
    row.get_by_test_id("kpi-alerts").locator("summary").click()
    alert = row.get_by_test_id("alert-form")
    alert.locator("select[name=kind]").select_option("below")
    alert.locator("input[name=threshold]").fill("10000")
    alert.get_by_role("button").click()
    row = page.get_by_test_id("kpi-row").filter(has_text="网页日活跃用户")
    row.get_by_test_id("compute-kpi").click()
    row = page.get_by_test_id("kpi-row").filter(has_text="网页日活跃用户")
    row.get_by_test_id("kpi-alerts").locator("summary").click()
    expect(row.get_by_test_id("alert-firing")).to_have_count(1)
    screenshot(page, "goals-kpis")
    assert console_errors == []
