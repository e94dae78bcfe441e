"""A dashboard in a real browser, as an operations lead would build one: tiles for a
KPI, a saved insight and the campaign's items at risk, arranged by dragging, shown on a
TV, and shared read-only by a link that opens without logging in."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Browser, Page, expect

from opsloop.core import actions as core_actions
from opsloop.dashboards.models import DashboardTile
from opsloop.events.generate import generate
from opsloop.goals import actions as goal_actions
from opsloop.goals.schemas import KpiIn
from opsloop.insights import actions as insight_actions
from opsloop.insights.queries import local_today
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ItemIn, ProjectIn
from tests.browser.conftest import VIEWPORT, login, screenshot
from tests.conftest import PASSWORD, membership_of


@pytest.mark.browser
@pytest.mark.parametrize("browser_locale", ["zh-CN"])
def test_a_dashboard_built_arranged_shown_on_a_tv_and_shared(
    page: Page, browser: Browser, live_server, console_errors: list[str], transactional_db,
    settings, tmp_path,
):  # fmt: skip
    settings.DATA_DIR = tmp_path
    settings.INSIGHTS_PERSONS_TTL = 0
    lead = core_actions.do_signup(
        username="lead", email="lead@example.com", password=PASSWORD, display_name="王总"
    )
    workspace = core_actions.do_create_workspace(actor=lead, slug="ops", name="运营团队")
    owner_ms = membership_of(lead, workspace)
    today = local_today(workspace)
    project = work_actions.do_create_project(
        actor=owner_ms, data=ProjectIn(name="双十一大促", key="D11", kind="campaign")
    )
    for title, days in (("主会场海报", -2), ("达人直播排期", 1), ("复盘报告", 20)):
        work_actions.do_create_item(
            actor=owner_ms, project=project,
            data=ItemIn(title=title, due_date=today + dt.timedelta(days=days)),
        )  # fmt: skip
    kpi = goal_actions.do_create_kpi(
        actor=owner_ms, data=KpiIn(name="成交额 GMV", source="manual", unit="万元")
    )
    goal_actions.do_record_kpi_values(
        actor=owner_ms, kpi=kpi,
        values=[(today - dt.timedelta(days=6 - n), 80.0 + 7 * n) for n in range(7)],
    )  # fmt: skip
    generate(workspace=workspace, events=4000, persons=400, days=14, seed=11, end=today)
    insight_actions.do_save_insight(
        actor=owner_ms,
        name="网页日活",
        query={"kind": "trends", "series": [{"event": "$pageview", "math": "dau"}]},
    )

    login(page, "lead", PASSWORD)
    page.goto("/w/ops/")
    page.get_by_test_id("nav-dashboards").click()
    form = page.get_by_test_id("dashboard-form")
    form.locator("input[name=name]").fill("双十一作战室")
    page.get_by_test_id("create-dashboard").click()
    expect(page.get_by_test_id("dashboard-title")).to_have_text("双十一作战室")

    def add(kind: str, **fields: str) -> None:
        page.get_by_test_id("tile-kind").select_option(kind)
        for test_id, value in fields.items():
            box = page.get_by_test_id(test_id)
            if test_id == "tile-text":
                box.fill(value)
            else:
                box.select_option(label=value)
        page.get_by_test_id("add-tile-button").click()

    add("kpi", **{"tile-kpi": "成交额 GMV"})
    add("insight", **{"tile-insight": "网页日活 (趋势)"})
    add("at_risk", **{"tile-project": "D11 双十一大促"})
    add("note", **{"tile-text": "**今日重点**：直播间引流，海报今天必须上线。"})
    expect(page.get_by_test_id("tile")).to_have_count(4)
    expect(page.get_by_test_id("kpi-value")).to_have_text("122")
    expect(page.get_by_test_id("risk-count")).to_have_text("2")
    # The insight tile runs after the page is shown, then draws its chart.
    insight = page.locator('[data-testid=tile][data-kind="insight"]')
    expect(insight.get_by_test_id("tile-body")).to_have_attribute("data-state", "ready")
    expect(insight.locator("canvas")).to_have_count(1)

    # Arrange: drag the items at risk beside the number; the place is saved by the API.
    page.get_by_test_id("arrange").click()
    risks = page.locator('[data-testid=tile][data-kind="at_risk"]')
    assert DashboardTile.objects.get(kind="at_risk").x == 0
    risks.scroll_into_view_if_needed()
    start, grid = risks.bounding_box(), page.get_by_test_id("dash-grid").bounding_box()
    assert start and grid
    page.mouse.move(start["x"] + 60, start["y"] + 14)
    page.mouse.down()
    page.mouse.move(start["x"] + grid["width"] * 0.6, start["y"] + 14, steps=15)
    page.mouse.up()
    expect(page.locator("[data-layout-status]")).to_have_text("✓")
    page.get_by_test_id("arrange").click()
    moved = DashboardTile.objects.get(kind="at_risk")
    assert moved.x >= 6, (moved.x, moved.y)
    page.reload()
    expect(page.locator('[data-testid=tile][data-kind="at_risk"]')).to_have_attribute(
        "gs-x", str(moved.x)
    )
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "dashboard")

    page.get_by_test_id("tv-link").click()
    expect(page.get_by_test_id("tv")).to_be_visible()
    expect(page.locator("[data-testid=tv] canvas")).to_have_count(2)
    screenshot(page, "dashboard-tv")
    page.go_back()

    page.get_by_test_id("share").click()
    toast = page.locator(".toast").filter(has_text="/s/d/")
    expect(toast).to_have_count(1)
    path = "/s/d/" + (toast.text_content() or "").split("/s/d/")[1].split("/")[0] + "/"
    stranger = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=VIEWPORT)
    shared = stranger.new_page()
    shared.goto(path)
    expect(shared.get_by_test_id("dashboard-title")).to_have_text("双十一作战室")
    expect(shared.get_by_test_id("tile")).to_have_count(4)
    expect(shared.get_by_test_id("add-tile")).to_have_count(0)
    stranger.close()
    assert console_errors == []
