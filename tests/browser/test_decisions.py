"""A decision in a real browser: two people asked score the options on the grid, the
ranking with its spread shows, and the owner decides."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from opsloop.core import actions as core_actions
from opsloop.core.models import Membership, Role
from opsloop.decisions import actions
from opsloop.decisions.schemas import CriterionIn, DecisionOptionIn, DecisionRecordIn
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ProjectIn
from tests.browser.conftest import login, screenshot
from tests.conftest import PASSWORD


def score(page: Page, cells: dict[tuple[int, int], int]) -> None:
    """Click each cell's point on the scale (row, column, score, counted from 1)."""
    for (row, column), value in cells.items():
        page.get_by_test_id(f"score-{row}-{column}-{value}").locator("xpath=..").click()
    page.get_by_test_id("save-scores").click()
    page.wait_for_url(re.compile(r"/decisions/\d+/$"))


@pytest.mark.browser
def test_two_people_score_and_the_owner_decides(
    page: Page, console_errors: list[str], transactional_db
):
    lead = core_actions.do_signup(
        username="lead", email="lead@example.com", password=PASSWORD, display_name="林晓"
    )
    workspace = core_actions.do_create_workspace(actor=lead, slug="ops", name="运营团队")
    leo = core_actions.do_signup(
        username="leo", email="leo@example.com", password=PASSWORD, display_name="王磊"
    )
    Membership.objects.create(workspace=workspace, user=leo, role=Role.MEMBER)
    lead_ms = Membership.objects.select_related("workspace", "user").get(user=lead)
    work_actions.do_create_project(actor=lead_ms, data=ProjectIn(name="双十一大促", key="D11"))
    record = actions.do_create_record(
        actor=lead_ms,
        data=DecisionRecordIn(
            title="双十一主会场是否加码抖音投放",
            project_key="D11",
            context="预售首周抖音新客 1.2 万，信息流 0.9 万；剩余可调预算 12 万元。",
            scorer_ids=[lead.pk, leo.pk],
        ),
    )
    for title in ("加码抖音 8 万", "维持原预算"):
        actions.do_add_option(actor=lead_ms, record=record, data=DecisionOptionIn(title=title))
    actions.do_add_criterion(
        actor=lead_ms, record=record, data=CriterionIn(title="预计 ROI", weight=3)
    )
    actions.do_add_criterion(
        actor=lead_ms, record=record, data=CriterionIn(title="执行风险", weight=1)
    )

    login(page, "lead", PASSWORD)
    page.goto("/w/ops/")
    page.get_by_test_id("nav-decisions").click()
    page.get_by_role("link", name="双十一主会场是否加码抖音投放").click()
    page.get_by_test_id("open-scoring").click()
    expect(page.get_by_test_id("decision-status")).to_have_text("Scoring")
    page.get_by_test_id("score-link").click()
    # 加码抖音: ROI 5, risk 2; 维持原预算: ROI 3, risk 5.
    score(page, {(1, 1): 5, (1, 2): 2, (2, 1): 3, (2, 2): 5})
    expect(page.get_by_test_id("score-coverage")).to_have_text("4 of 8 scores given")
    expect(page.get_by_test_id("waiting")).to_contain_text("王磊")

    page.context.clear_cookies()
    login(page, "leo", PASSWORD)
    page.goto(f"/w/ops/decisions/{record.pk}/score/")
    # 加码抖音: ROI 3, risk 2; 维持原预算: ROI 3, risk 4.
    score(page, {(1, 1): 3, (1, 2): 2, (2, 1): 3, (2, 2): 4})
    # leo was asked to score, not to decide.
    expect(page.get_by_test_id("decide")).to_have_count(0)

    page.context.clear_cookies()
    login(page, "lead", PASSWORD)
    page.goto(f"/w/ops/decisions/{record.pk}/")
    rows = page.get_by_test_id("ranked-option")
    # (3*4 + 1*2) / 4 = 3.50 and (3*3 + 1*4.5) / 4 = 3.38
    expect(rows.nth(0)).to_contain_text("加码抖音 8 万")
    expect(rows.nth(0).get_by_test_id("weighted")).to_have_text("3.50")
    expect(rows.nth(0).get_by_test_id("rank")).to_have_text("1")
    expect(rows.nth(1).get_by_test_id("weighted")).to_have_text("3.38")
    expect(rows.nth(0)).to_contain_text("3–5 · σ 1.00")
    expect(page.get_by_test_id("score-coverage")).to_have_text("8 of 8 scores given")
    screenshot(page, "decision")

    decide = page.get_by_test_id("decide")
    decide.get_by_test_id("decide-option").select_option(index=0)
    decide.get_by_test_id("decide-rationale").fill("ROI 领先，分歧小；达人档期本周锁定。")
    decide.get_by_test_id("decide-review-on").fill("2026-11-25")
    decide.get_by_test_id("decide-button").click()
    expect(page.get_by_test_id("decision-status")).to_have_text("Decided")
    expect(page.get_by_test_id("chosen-option")).to_have_text("加码抖音 8 万")
    expect(page.get_by_test_id("decision-taken")).to_contain_text("ROI 领先")
    assert not console_errors, console_errors
