"""The portfolio page and the timeline's project groups in a real browser: the table
with its groups and subtotals in both languages (the docs' screenshot), sorting by a
column's header, and the timeline drawing a heading and the bars of each project."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from opsloop.core import actions as core_actions
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ItemIn
from tests.browser.conftest import login, screenshot
from tests.conftest import PASSWORD, make_user
from tests.portfolio.conftest import build_world


@pytest.fixture
def world(transactional_db):
    owner = make_user("owner", display_name="王总")
    workspace = core_actions.do_create_workspace(actor=owner, slug="acme", name="Acme 运营")
    made = build_world(owner, workspace)
    today = timezone.localdate()
    for project, title in ((made.cnt, "公众号推文"), (made.d11, "直播彩排")):
        work_actions.do_create_item(
            actor=made.owner_ms, project=project,
            data=ItemIn(title=title, start_date=today, due_date=today + timedelta(days=3)),
        )  # fmt: skip
    return made


@pytest.mark.browser
@pytest.mark.parametrize("browser_locale", ["en", "zh-CN"])
def test_the_portfolio_grouped_and_sorted(page: Page, console_errors, world, browser_locale):
    login(page, "owner", PASSWORD)
    page.goto("/w/acme/portfolio/?group=kind")
    expect(page.get_by_test_id("portfolio-group")).to_have_count(3)
    expect(page.get_by_test_id("portfolio-row")).to_have_count(3)
    expect(page.get_by_test_id("nav-portfolio")).to_have_class(re.compile("active"))
    total = page.get_by_test_id("portfolio-total")
    if browser_locale == "en":
        expect(total).to_contain_text("157,999.50")
        expect(page.get_by_role("heading", name="Portfolio")).to_be_visible()
        screenshot(page, "portfolio")
    else:
        expect(page.get_by_role("heading", name="项目组合")).to_be_visible()
        expect(total).to_contain_text("合计：3 个项目")
        expect(total).to_contain_text("157,999.50")
        screenshot(page, "portfolio-zh")
    # Sorting by budget, largest first, from the column's header.
    page.goto("/w/acme/portfolio/")
    page.locator("th a[href*='sort=-budget']").click()
    expect(page).to_have_url(re.compile(r"sort=-budget"))
    keys = page.get_by_test_id("portfolio-row").evaluate_all("rows => rows.map(r => r.dataset.key)")
    assert keys == ["SEC", "D11", "CNT"]
    assert not console_errors


@pytest.mark.browser
def test_the_timeline_groups_bars_by_project(page: Page, console_errors, world):
    login(page, "owner", PASSWORD)
    page.goto("/w/acme/timeline/?group=project")
    for key in ("CNT", "D11", "SEC"):
        expect(page.get_by_test_id(f"tl-group-{key}")).to_be_visible()
    expect(page.get_by_test_id("tl-group-D11")).to_contain_text("D11 双十一大促")
    # Each project's bars lie below its heading and above the next one's.
    cnt = page.get_by_test_id("tl-group-CNT").bounding_box()
    d11 = page.get_by_test_id("tl-group-D11").bounding_box()
    bar = page.get_by_test_id("bar-CNT-1").bounding_box()
    assert cnt and d11 and bar
    assert cnt["y"] < bar["y"] < d11["y"]
    expect(page.get_by_test_id("group-project")).to_have_class(re.compile("active"))
    assert not console_errors
