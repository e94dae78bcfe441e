"""A weekly report in a real browser: draft it now from live data, write its text with
a preview, submit it, have another member approve it, publish it, and receive it by
email at a real SMTP server."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from opsloop.core import actions as core_actions
from opsloop.core.models import Membership, Role
from opsloop.goals import actions as goal_actions
from opsloop.goals.schemas import KpiIn
from opsloop.reports import actions, tasks
from opsloop.reports.models import Report
from opsloop.reports.schemas import ReportTemplateIn
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ProjectIn
from tests.browser.conftest import login, screenshot
from tests.conftest import PASSWORD
from tests.inbox.conftest import parts, smtp  # noqa: F401 (fixture)


def _person(username: str, name: str, workspace, role: str):
    user = core_actions.do_signup(
        username=username, email=f"{username}@example.com", password=PASSWORD, display_name=name
    )
    Membership.objects.create(workspace=workspace, user=user, role=role)
    return user


def _weekly_template():
    """The team, a project, a KPI with last week's values and the weekly template."""
    lead = core_actions.do_signup(
        username="lead", email="lead@example.com", password=PASSWORD, display_name="林晓"
    )
    workspace = core_actions.do_create_workspace(actor=lead, slug="ops", name="鲸选运营团队")
    lead_ms = Membership.objects.select_related("workspace", "user").get(user=lead)
    hao = _person("hao", "孙浩", workspace, Role.MEMBER)
    amy = _person("amy", "张敏", workspace, Role.MEMBER)
    project = work_actions.do_create_project(
        actor=lead_ms, data=ProjectIn(name="双十一大促", key="D11")
    )
    fans = goal_actions.do_create_kpi(
        actor=lead_ms, data=KpiIn(name="公众号粉丝", source="manual", unit="人")
    )
    today = timezone.localdate()
    last_monday = today - dt.timedelta(days=today.weekday() + 7)
    goal_actions.do_record_kpi_values(
        actor=lead_ms,
        kpi=fans,
        values=[
            (last_monday - dt.timedelta(days=1), 50000.0),
            (last_monday + dt.timedelta(days=3), 51200.0),
            (last_monday + dt.timedelta(days=6), 52000.0),
        ],
    )
    template = actions.do_create_template(
        actor=lead_ms,
        data=ReportTemplateIn(
            name="运营周报",
            schedule="weekly",
            weekday=0,
            hour=9,
            blocks=[
                {"kind": "heading", "text": "{team} 运营周报 {period}"},
                {"kind": "text", "markdown": "本周概况：……"},
                {"kind": "kpi", "kpi_id": fans.pk},
                {"kind": "numbers", "title": "核心指标", "rows": [{"kpi_id": fans.pk}]},
                {"kind": "project_progress", "project_id": project.pk},
                {"kind": "decisions"},
            ],
            reviewer_ids=[hao.pk],
            subscriber_ids=[amy.pk],
            outside_emails=["boss@partner.example"],
        ),
    )
    return template, hao


@pytest.mark.browser
@pytest.mark.parametrize("browser_locale", ["zh-CN"])
def test_draft_and_publish_a_weekly_report(
    page: Page,
    console_errors: list[str],
    transactional_db,
    smtp,  # noqa: F811
):
    template, hao = _weekly_template()

    login(page, "lead", PASSWORD)
    page.goto("/w/ops/")
    page.get_by_test_id("nav-reports").click()
    page.get_by_role("link", name="运营周报").click()
    page.get_by_test_id("draft-button").click()
    expect(page.get_by_test_id("report-status")).to_have_text("草稿")
    expect(page.get_by_test_id("kpi-value")).to_have_text("52,000")
    expect(page.get_by_test_id("kpi-change")).to_have_text("+2,000")
    expect(page.get_by_test_id("block-chart").locator("svg")).to_have_count(1)

    editor = page.get_by_test_id("text-markdown")
    editor.fill("**粉丝破五万二**，环比增长 4%。")
    page.get_by_test_id("text-preview-button").click()
    expect(page.get_by_test_id("text-preview").locator("strong")).to_have_text("粉丝破五万二")
    page.get_by_test_id("text-save").click()
    expect(page.get_by_test_id("text-markdown")).to_have_value("**粉丝破五万二**，环比增长 4%。")
    page.get_by_test_id("comment-body").fill("数字已核对")
    page.get_by_test_id("comment-send").click()
    page.get_by_test_id("submit-report").click()
    expect(page.get_by_test_id("report-status")).to_have_text("评审中")
    report_url = page.url
    # The writer cannot approve their own report: no such button for them.
    expect(page.get_by_test_id("approve-report")).to_have_count(0)

    page.context.clear_cookies()
    login(page, "hao", PASSWORD)
    page.goto(report_url)
    page.get_by_test_id("review-note").fill("可以发")
    page.get_by_test_id("approve-report").click()
    expect(page.get_by_test_id("report-status")).to_have_text("已通过")
    expect(page.get_by_test_id("report-events")).to_contain_text("可以发")

    page.context.clear_cookies()
    login(page, "lead", PASSWORD)
    page.goto(report_url)
    page.get_by_test_id("publish-report").click()
    expect(page.get_by_test_id("report-status")).to_have_text("已发布")
    screenshot(page, "report")
    # The exports, as the boss downloads them from the page.
    for testid, start, suffix in (
        ("download-pdf", b"%PDF-", ".pdf"),
        ("download-xlsx", b"PK", ".xlsx"),
    ):
        with page.expect_download() as got:
            page.get_by_test_id(testid).click()
        assert got.value.suggested_filename.endswith(suffix)
        assert Path(got.value.path()).read_bytes().startswith(start)

    report = Report.objects.get(template=template)
    assert report.status == "published" and report.approved_by == hao
    # The background worker's task, run here: the report goes out by email.
    assert tasks.deliver_report.call(report.pk) == 2
    smtp.wait(2)
    received = {rcpt[0]: message for rcpt, message in smtp.messages}
    assert set(received) == {"amy@example.com", "boss@partner.example"}
    html = parts(received["boss@partner.example"])["text/html"]
    assert "粉丝破五万二" in html and "52,000" in html and "cid:chart-" in html
    assert console_errors == []


@pytest.mark.browser
@pytest.mark.parametrize("browser_locale", ["en-US"])
def test_arrange_a_templates_blocks_in_english(
    page: Page, console_errors: list[str], transactional_db
):
    """The add form shows the chosen kind's fields only; a block's settings change in
    its own form, and the list names what each block reads."""
    template, _hao = _weekly_template()
    login(page, "lead", PASSWORD)
    page.goto(f"/w/ops/reports/templates/{template.pk}/")
    form = page.get_by_test_id("add-block-form")
    expect(form.get_by_test_id("block-text")).to_be_visible()  # a heading, first
    expect(form.get_by_test_id("block-kpi")).to_be_hidden()
    form.get_by_test_id("block-kind").select_option("kpi")
    expect(form.get_by_test_id("block-text")).to_be_hidden()
    form.get_by_test_id("block-kpi").select_option(label="公众号粉丝")
    form.get_by_test_id("add-block").click()
    specs = page.get_by_test_id("spec")
    expect(specs).to_have_count(7)
    expect(specs.nth(6).get_by_test_id("spec-target")).to_have_text("公众号粉丝")

    numbers = specs.nth(3)
    numbers.get_by_test_id("edit-block").locator("summary").click()
    numbers.get_by_test_id("block-title").fill("Key numbers")
    numbers.get_by_test_id("save-block").click()
    expect(page.get_by_test_id("spec").nth(3)).to_contain_text("Numbers table · Key numbers")
    expect(page.get_by_test_id("spec").nth(3).get_by_test_id("spec-target")).to_have_text(
        "公众号粉丝"
    )
    screenshot(page, "report-template-en")
    assert not console_errors
