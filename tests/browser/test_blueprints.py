"""An operations lead plans a campaign from a template in a real browser: the dates of
the plan follow the start date as it is typed, and the project lands with its work,
milestones, budget and content shifted to it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from opsloop.blueprints.actions import seed_demo_templates
from opsloop.content.models import ContentPiece
from opsloop.core import actions as core_actions
from opsloop.core.models import Membership
from opsloop.money.models import BudgetLine
from opsloop.planning.models import Milestone
from opsloop.work.models import Item, Project
from tests.browser.conftest import login, screenshot
from tests.conftest import PASSWORD


@pytest.mark.browser
def test_create_a_project_from_a_template(page: Page, console_errors: list[str], transactional_db):
    lead = core_actions.do_signup(
        username="lead", email="lead@example.com", password=PASSWORD, display_name="林晓"
    )
    core_actions.do_create_workspace(actor=lead, slug="ops", name="运营团队")
    seed_demo_templates(Membership.objects.select_related("workspace", "user").get(user=lead))

    login(page, "lead", PASSWORD)
    page.goto("/w/ops/")
    page.get_by_test_id("nav-blueprints").click()
    expect(page.get_by_test_id("blueprint-row")).to_have_count(4)
    page.get_by_test_id("blueprint-row").filter(has_text="双十一大促").get_by_test_id(
        "use-blueprint"
    ).click()
    page.get_by_test_id("use-name").fill("2027 双十一大促")
    page.get_by_test_id("use-key").fill("D27")
    page.get_by_test_id("use-start").fill("2027-10-01")
    # Before anything is made, every date shows where it lands: 11.11 is day 41.
    milestones = page.get_by_test_id("plan-milestones")
    expect(milestones.get_by_text("2027-11-11")).to_be_visible()
    expect(page.get_by_test_id("use-end")).to_have_text("2027-11-20")
    expect(page.get_by_test_id("plan-item").first.get_by_test_id("item-due")).to_have_text(
        "2027-10-06"
    )
    screenshot(page, "blueprint-use")
    page.get_by_test_id("use-submit").click()
    page.wait_for_url(re.compile(r"/w/ops/p/D27/$"))
    expect(page.get_by_text("活动策划与目标拆解").first).to_be_visible()

    project = Project.objects.get(key="D27")
    assert (str(project.start_date), str(project.end_date)) == ("2027-10-01", "2027-11-20")
    assert Item.objects.filter(project=project).count() == 21
    day = Milestone.objects.get(project=project, name="双十一当天")
    assert str(day.date) == "2027-11-11"
    assert BudgetLine.objects.filter(project=project).count() == 5
    assert ContentPiece.objects.filter(project=project, status="idea").count() == 8
    page.get_by_test_id("tab-milestones").click()
    expect(page.get_by_text("双十一当天")).to_be_visible()
    assert not console_errors, console_errors
