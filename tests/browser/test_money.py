"""A campaign's money in a real browser: budget lines and spend on the Budget tab with its
weekly chart and an overspent line, a placement's day entered, and an ad platform's
report imported through the mapping step."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from opsloop.channels.models import Channel
from opsloop.core import actions as core_actions
from opsloop.core.models import Membership
from opsloop.money import actions
from opsloop.money.models import PlacementDay
from opsloop.money.schemas import PlacementIn
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ProjectIn
from tests.browser.conftest import login
from tests.conftest import PASSWORD


def _world():
    lead = core_actions.do_signup(
        username="lead", email="lead@example.com", password=PASSWORD, display_name="林晓"
    )
    workspace = core_actions.do_create_workspace(actor=lead, slug="ops", name="运营团队")
    lead_ms = Membership.objects.select_related("workspace", "user").get(user=lead)
    project = work_actions.do_create_project(
        actor=lead_ms,
        data=ProjectIn(name="双十一大促", key="D11", kind="campaign",
                       start_date=dt.date(2026, 11, 2), end_date=dt.date(2026, 11, 15)),
    )  # fmt: skip
    project.workspace = workspace
    Channel.objects.create(workspace=workspace, name="小红书", platform="xiaohongshu")
    return lead_ms, project


@pytest.mark.browser
def test_lines_spend_and_an_overspent_line(page: Page, console_errors: list[str], transactional_db):
    lead_ms, project = _world()
    login(page, "lead", PASSWORD)
    page.goto("/w/ops/p/D11/")
    page.get_by_test_id("tab-budget").click()
    page.get_by_test_id("edit-lines").click()
    page.get_by_test_id("line-name").fill("小红书达人")
    page.get_by_test_id("line-category").select_option("kol")
    page.get_by_test_id("line-planned").fill("20000")
    page.get_by_test_id("add-line-button").click()
    expect(page.get_by_test_id("edit-line-row")).to_have_count(1)
    page.goto("/w/ops/p/D11/budget/")
    form = page.get_by_test_id("spend-form")
    form.locator("input[name=day]").fill("2026-11-03")
    form.get_by_test_id("spend-amount").fill("21000.50")
    form.get_by_test_id("spend-line").select_option(label="小红书达人")
    form.get_by_test_id("add-spend").click()
    expect(page.get_by_test_id("spend-row")).to_have_count(1)
    expect(page.get_by_test_id("budget-actual")).to_have_text("21,000.50")
    expect(page.get_by_test_id("line-overspent")).to_have_count(1)
    expect(page.get_by_test_id("overspent")).to_be_visible()
    # The weekly chart draws (echarts' SVG) from the page's JSON, under the CSP.
    expect(page.get_by_test_id("weeks-chart").locator("svg")).to_have_count(1)
    assert not console_errors, console_errors


@pytest.mark.browser
def test_a_placements_day_entered(page: Page, console_errors: list[str], transactional_db):
    lead_ms, project = _world()
    placement = actions.do_create_placement(
        actor=lead_ms, project=project,
        data=PlacementIn(name="双十一-信息流", platform="ocean_engine", external_id="1790001"),
    )  # fmt: skip
    login(page, "lead", PASSWORD)
    page.goto("/w/ops/p/D11/")
    page.get_by_test_id("tab-placements").click()
    page.get_by_role("link", name="双十一-信息流").click()
    page.get_by_test_id("day-day").fill("2026-11-02")
    page.get_by_test_id("day-spend").fill("5000")
    page.get_by_test_id("day-impressions").fill("100000")
    page.get_by_test_id("day-clicks").fill("2000")
    page.get_by_test_id("save-day").click()
    expect(page.get_by_test_id("day-row")).to_have_count(1)
    expect(page.get_by_test_id("figure-ctr")).to_have_text("2.00%")
    expect(page.get_by_test_id("figure-cpc")).to_have_text("2.50")
    expect(page.get_by_test_id("days-chart").locator("svg")).to_have_count(1)
    day = PlacementDay.objects.get(placement=placement)
    assert (day.spend, day.clicks) == (Decimal("5000.00"), 2000)
    assert not console_errors, console_errors


REPORT = (
    "时间,计划名称,计划ID,消耗,展示数,点击数,点击率,转化数\r\n"
    '2026-11-02,双十一-信息流,1790001,"5,000.00","100,000","2,000",2.00%,40\r\n'
    '2026-11-03,双十一-信息流,1790001,"4,200.40","80,000","1,500",1.88%,30\r\n'
    "合计,-,-,9200.40,180000,3500,1.94%,70\r\n"
).encode("gb18030")


@pytest.mark.browser
def test_import_an_ad_platform_csv_through_the_mapping_step(
    page: Page, console_errors: list[str], transactional_db, tmp_path
):
    lead_ms, project = _world()
    placement = actions.do_create_placement(
        actor=lead_ms, project=project,
        data=PlacementIn(name="双十一-信息流", platform="ocean_engine", external_id="1790001"),
    )  # fmt: skip
    report = tmp_path / "巨量引擎-计划报表.csv"
    report.write_bytes(REPORT)
    login(page, "lead", PASSWORD)
    page.goto(f"/w/ops/p/D11/placements/{placement.pk}/")
    page.get_by_test_id("import-link").first.click()
    page.wait_for_url(re.compile(r"/w/ops/import/money\.ocean_engine/\?target=D11"))
    page.get_by_test_id("import-file").set_input_files(str(report))
    page.get_by_test_id("import-upload-button").click()
    # The mapping step: each column guessed from the 巨量引擎 headers, and a preview.
    mapping = page.get_by_test_id("import-mapping")
    expect(mapping.get_by_test_id("map-day")).to_have_value("时间")
    expect(mapping.get_by_test_id("map-spend")).to_have_value("消耗")
    expect(mapping.get_by_test_id("map-external_id")).to_have_value("计划ID")
    expect(page.get_by_test_id("import-summary")).to_contain_text("3 rows, 3 read")
    expect(page.get_by_test_id("preview-errors")).to_have_count(0)
    assert not PlacementDay.objects.filter(placement=placement).exists()  # a preview
    page.get_by_test_id("import-button").click()
    # Back on the placement: the two days, the total row left out.
    page.wait_for_url(re.compile(rf"/w/ops/p/D11/placements/{placement.pk}/$"))
    expect(page.get_by_test_id("day-row")).to_have_count(2)
    expect(page.get_by_test_id("figure-spend")).to_have_text("9,200.40")
    assert PlacementDay.objects.filter(placement=placement).count() == 2
    assert not console_errors, console_errors
