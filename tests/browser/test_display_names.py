"""Display names in a real browser: named on their page, then shown by the builder's
value suggestions and by a paths chart (whose nodes keep their raw names)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from opsloop.core import actions as core_actions
from opsloop.events.generate import generate
from tests.browser.conftest import login
from tests.conftest import PASSWORD


@pytest.mark.browser
@pytest.mark.parametrize("browser_locale", ["zh-CN"])
def test_names_set_on_their_page_show_in_suggestions_and_a_paths_chart(
    page: Page, console_errors: list[str], transactional_db, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    settings.INSIGHTS_PERSONS_TTL = 0
    lead = core_actions.do_signup(
        username="lead", email="lead@example.com", password=PASSWORD, display_name="王总"
    )
    workspace = core_actions.do_create_workspace(actor=lead, slug="ops", name="运营团队")
    generate(workspace=workspace, events=2000, persons=200, days=30, seed=7)
    login(page, "lead", PASSWORD)
    page.goto("/w/ops/")
    page.get_by_test_id("nav-names").click()
    page.wait_for_url("**/w/ops/insights/names/")

    # An event's name, in the events section.
    events = page.get_by_test_id("names-event")
    row = events.get_by_test_id("name-row").filter(has_text="signup")
    row.get_by_test_id("name-input").fill("注册")
    page.get_by_test_id("save-event").click()
    expect(
        page.get_by_test_id("names-event")
        .get_by_test_id("name-row")
        .filter(has_text="signup")
        .get_by_test_id("name-input")
    ).to_have_value("注册")

    # A channel's name, among the values of utm_source.
    page.get_by_test_id("values-key").fill("utm_source")
    page.get_by_test_id("values-key").press("Enter")
    values = page.get_by_test_id("names-value")
    values.get_by_test_id("name-row").filter(has_text="xiaohongshu").get_by_test_id(
        "name-input"
    ).fill("小红书")
    page.get_by_test_id("save-value").click()
    expect(
        page.get_by_test_id("names-value")
        .get_by_test_id("name-row")
        .filter(has_text="xiaohongshu")
        .get_by_test_id("name-input")
    ).to_have_value("小红书")

    # The builder's value field offers the channel under its name.
    page.goto("/w/ops/insights/?kind=trends")
    key = page.locator("input[name=fkey]").first
    key.fill("utm_source")
    key.dispatch_event("change")
    option = page.locator("#filter-values-1 option[value=xiaohongshu]")
    expect(option).to_have_count(1)
    assert option.get_attribute("label").startswith("小红书 · ")

    # Paths from the first visit: nodes named by their events, shown by their names.
    page.goto("/w/ops/insights/?kind=paths&event=%24pageview&range=last_30_days")
    expect(page.get_by_test_id("paths-table")).to_contain_text("注册")
    expect(page.locator("#insight-chart canvas")).to_have_count(1)
    shown = page.evaluate(
        """() => {
          const chart = echarts.getInstanceByDom(document.getElementById("insight-chart"));
          const series = chart.getOption().series[0];
          const node = series.data.find((n) => n.name.endsWith(". signup"));
          return [node.name, series.label.formatter({ name: node.name })];
        }"""
    )
    assert shown[0].endswith(". signup") and shown[1].endswith(". 注册"), shown
    assert not console_errors
