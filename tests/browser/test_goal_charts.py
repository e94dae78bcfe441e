"""A key result's chart as it is drawn: the target's label inside the picture, the
campaign's and the milestones' labels apart, a day axis for a KPI with one value, and
tick labels at a sensible precision. Measured on the SVG chromium lays out."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page

from opsloop.core import actions as core_actions
from opsloop.goals import actions
from opsloop.goals.schemas import KeyResultIn, KpiIn, LinksIn, ObjectiveIn
from opsloop.insights.queries import local_today
from opsloop.planning import actions as planning_actions
from opsloop.planning.schemas import MilestoneIn
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ProjectIn
from tests.browser.conftest import login
from tests.conftest import PASSWORD, membership_of

# Every text the chart draws, with its box, and the SVG's box.
TEXTS = """(el) => {
  const svg = el.querySelector("svg").getBoundingClientRect();
  return {
    svg: {left: svg.left, right: svg.right, top: svg.top, bottom: svg.bottom},
    texts: Array.from(el.querySelectorAll("svg text")).map((t) => {
      const r = t.getBoundingClientRect();
      return {text: t.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom};
    }),
  };
}"""


def overlap(a: dict, b: dict) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and (b["top"] < a["bottom"])
    )


@pytest.mark.browser
@pytest.mark.parametrize("browser_locale", ["zh-CN"])
def test_key_result_charts_keep_their_labels_in_sight_and_apart(
    page: Page, console_errors: list[str], transactional_db, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    lead = core_actions.do_signup(
        username="lead", email="lead@example.com", password=PASSWORD, display_name="王总"
    )
    workspace = core_actions.do_create_workspace(actor=lead, slug="ops", name="运营团队")
    ms = membership_of(lead, workspace)
    today = local_today(workspace)
    campaign = work_actions.do_create_project(
        actor=ms,
        data=ProjectIn(
            name="双十一大促",
            key="D11",
            kind="campaign",
            start_date=today - dt.timedelta(days=8),
            end_date=today + dt.timedelta(days=8),
        ),
    )
    # A milestone in the middle of the campaign: where both labels would meet.
    planning_actions.do_create_milestone(
        actor=ms, project=campaign, data=MilestoneIn(name="预售开始", date=today)
    )
    fans = actions.do_create_kpi(
        actor=ms, data=KpiIn(name="公众号粉丝", source="manual", unit="人")
    )
    actions.do_record_kpi_values(
        actor=ms,
        kpi=fans,
        values=[(today - dt.timedelta(days=9 - n), 500.0 + 10 * n) for n in range(10)],
    )
    rate = actions.do_create_kpi(actor=ms, data=KpiIn(name="复购率", source="manual", unit="%"))
    actions.do_record_kpi_values(actor=ms, kpi=rate, values=[(today, 8.8476)])
    objective = actions.do_create_objective(
        actor=ms,
        data=ObjectiveIn(
            title="双十一",
            period_kind="custom",
            start_date=today - dt.timedelta(days=20),
            end_date=today + dt.timedelta(days=20),
        ),
    )
    kr_fans = actions.do_add_key_result(
        actor=ms,
        objective=objective,
        data=KeyResultIn(title="粉丝到 800", kpi_id=fans.pk, start_value=500, target_value=800),
    )
    actions.do_link_work(actor=ms, key_result=kr_fans, data=LinksIn(project_ids=[campaign.pk]))
    kr_rate = actions.do_add_key_result(
        actor=ms,
        objective=objective,
        data=KeyResultIn(title="复购率到 12%", kpi_id=rate.pk, target_value=12),
    )

    login(page, "lead", PASSWORD)
    page.goto(f"/w/ops/goals/{objective.pk}/")
    fans_chart = page.locator(f"[data-chart='{kr_fans.pk}']")
    fans_chart.locator("svg text").first.wait_for()
    drawn = fans_chart.evaluate(TEXTS)
    svg, texts = drawn["svg"], drawn["texts"]

    # The target's label, "目标值 800", whole and inside the picture.
    (target,) = [t for t in texts if t["text"].startswith("目标值")]
    assert target["text"] == "目标值 800"
    for t in texts:
        assert svg["left"] <= t["left"] and t["right"] <= svg["right"] + 0.5, t
        assert svg["top"] <= t["top"] and t["bottom"] <= svg["bottom"] + 0.5, t

    # The campaign's band label and the milestone's label do not cover each other.
    band = [t for t in texts if t["text"] == "D11 双十一大促"]
    milestone = [t for t in texts if t["text"] == "D11 预售开始"]
    assert band and milestone
    assert not overlap(band[0], milestone[0]), (band, milestone)

    # One daily value: a day axis (no hours), ticks at a sensible precision.
    rate_chart = page.locator(f"[data-chart='{kr_rate.pk}']")
    rate_chart.locator("svg text").first.wait_for()
    texts = [t["text"] for t in rate_chart.evaluate(TEXTS)["texts"]]
    days = [t for t in texts if re.fullmatch(r"\d{2}-\d{2}", t)]
    assert days and not [t for t in texts if ":" in t], texts
    ticks = [t for t in texts if t.endswith("%") and not t.startswith("目标值")]
    assert ticks, texts
    for tick in ticks:
        assert re.fullmatch(r"-?[\d,]+(\.\d{1,2})?%", tick), ticks
    assert console_errors == []
