"""The burn-up in a real browser: the chart draws the planned (ideal) line from the data
the page embeds, dashed, from nothing done at the start to the whole scope on the target."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from opsloop.core import actions as core_actions
from opsloop.core.models import Membership
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ItemIn, ProjectIn
from tests.browser.conftest import login
from tests.conftest import PASSWORD

SERIES = """
() => echarts.getInstanceByDom(document.getElementById("burnup-chart")).getOption().series
  .map((s) => ({ name: s.name, data: s.data, dashed: (s.lineStyle || {}).type === "dashed" }))
"""


@pytest.mark.browser
def test_the_burn_up_draws_the_planned_line(page: Page, console_errors, transactional_db):
    lead = core_actions.do_signup(
        username="lead", email="lead@example.com", password=PASSWORD, display_name="王总"
    )
    core_actions.do_create_workspace(actor=lead, slug="ops", name="运营团队")
    ms = Membership.objects.select_related("workspace", "user").get(user=lead)
    today = timezone.localdate()
    project = work_actions.do_create_project(
        actor=ms,
        data=ProjectIn(
            name="双十一大促",
            key="D11",
            start_date=today - timedelta(days=4),
            end_date=today + timedelta(days=5),
        ),
    )
    for title in ("主会场海报", "KOL 名单", "直播脚本"):
        work_actions.do_create_item(actor=ms, project=project, data=ItemIn(title=title))

    login(page, "lead", PASSWORD)
    page.goto("/w/ops/p/D11/progress/")
    expect(page.get_by_test_id("burn-up-chart").locator("canvas")).to_have_count(1)
    series = page.evaluate(SERIES)
    assert [s["name"] for s in series] == ["Scope", "Done", "Planned"]
    planned = series[2]
    assert planned["dashed"]
    # Ten days from the start to the end date: 0 on the first, all 3 items on the last.
    assert len(planned["data"]) == 10
    assert planned["data"][0] == 0 and planned["data"][-1] == 3
    assert planned["data"][3] == pytest.approx(1.0)
    # The actual lines stop today, five days before the end date.
    assert series[0]["data"][4] == 3 and series[0]["data"][5:] == [None] * 5
    assert not console_errors
