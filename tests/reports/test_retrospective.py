"""A campaign's retrospective (复盘), drafted when the campaign closes, over the week of
known numbers (tests/reports/conftest.py), with D11 running 2 to 8 March 2026 on a budget
of 50,000:
- 涨粉 (公众号粉丝 to 2,000 from 1,000): 1,250 on 8 March, 25% of the way;
- 主会场海报 due 3 March, done 5 March: done 2 days late; KOL 名单 due 4 March, open:
  4 days past due on 8 March; 直播脚本 due 10 March: not yet due;
- milestone 主会场上线 on 4 March holds the poster, done 5 March: 1 day late;
- the project's meeting on 6 March decided 「加投信息流」."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from opsloop.goals import actions as goal_actions
from opsloop.goals.schemas import KeyResultIn, LinksIn, ObjectiveIn
from opsloop.meetings import actions as meeting_actions
from opsloop.meetings.schemas import DecisionIn, MeetingIn
from opsloop.planning import actions as planning_actions
from opsloop.planning.schemas import MilestoneIn
from opsloop.reports import actions, retrospective
from opsloop.reports.models import Report, ReportTemplate
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ProjectIn, ProjectPatch
from tests.reports.conftest import at, moment


def _stage(world, stage: str, project=None, day=dt.date(2026, 3, 9)):
    project = project or world.project
    with at(day):
        work_actions.do_update_project(
            actor=world.owner_ms, project=project, data=ProjectPatch(stage=stage)
        )


@pytest.fixture
def campaign(world):
    owner = world.owner_ms
    work_actions.do_update_project(
        actor=owner, project=world.project,
        data=ProjectPatch(start_date=dt.date(2026, 3, 2), end_date=dt.date(2026, 3, 8),
                          budget="50000"),
    )  # fmt: skip
    objective = goal_actions.do_create_objective(
        actor=owner, data=ObjectiveIn(title="Q1 拉新", start_date=dt.date(2026, 1, 1))
    )
    result = goal_actions.do_add_key_result(
        actor=owner, objective=objective,
        data=KeyResultIn(title="涨粉", kpi_id=world.fans.pk, start_value=1000, target_value=2000),
    )  # fmt: skip
    goal_actions.do_link_work(
        actor=owner, key_result=result, data=LinksIn(project_ids=[world.project.pk])
    )
    planning_actions.do_create_milestone(
        actor=owner, project=world.project,
        data=MilestoneIn(name="主会场上线", date=dt.date(2026, 3, 4),
                         item_refs=[world.items["poster"].ref]),
    )  # fmt: skip
    with at(dt.date(2026, 3, 6)):
        meeting = meeting_actions.do_create_meeting(
            actor=owner,
            data=MeetingIn(title="D11 复盘会", starts_at=moment(dt.date(2026, 3, 6), 15),
                           project_key="D11"),
        )  # fmt: skip
        meeting_actions.do_add_decision(
            actor=owner, meeting=meeting, data=DecisionIn(text="加投信息流")
        )
    return world


def _blocks(report) -> dict:
    return {b["kind"] + ("" if b["kind"] != "text" else b["title"]): b for b in report.blocks}


def test_closing_a_campaign_drafts_its_retrospective(campaign):
    world = campaign
    world.owner_ms.user.language = "zh-hans"
    world.owner_ms.user.save()
    _stage(world, "closed")
    report = Report.objects.get(project=world.project, origin="retrospective")
    assert (report.period_start, report.period_end) == (dt.date(2026, 3, 2), dt.date(2026, 3, 8))
    assert report.status == "draft" and report.writer_id == world.owner_ms.user_id
    template = ReportTemplate.objects.get(purpose="retrospective")  # seeded on first need
    assert template.purpose == "retrospective" and report.template_id == template.pk
    kinds = [b["kind"] for b in report.blocks]
    assert kinds == [
        "heading", "text", "campaign_results", "campaign_lift", "campaign_budget",
        "campaign_timeline", "decisions", "text", "text",
    ]  # fmt: skip
    blocks = report.blocks
    assert all(not b["error"] for b in blocks), [b["error"] for b in blocks]
    results = blocks[2]["table"]["rows"]
    assert results == [["涨粉", "Q1 拉新", 1250.0, 2000.0, 25.0, results[0][5]]]
    lift = blocks[3]
    assert [r[0] for r in lift["table"]["rows"]] == ["公众号粉丝"]
    assert blocks[4]["table"]["rows"] == [[50000.0, None, None, None]]
    assert blocks[4]["text"] == "opsloop 尚未记录花费：请在这里写明实际花费。"
    rows = blocks[5]["table"]["rows"]
    assert rows == [
        ["延期完成", "D11-2", "主会场海报", "2026-03-03", "2026-03-05", 2],
        ["逾期未完成", "D11-3", "KOL 名单", "2026-03-04", None, 4],
        ["里程碑", "", "主会场上线", "2026-03-04", "2026-03-05", 1],
    ]
    assert blocks[5]["data"] == {
        "project_id": world.project.pk,
        "done_late": 1,
        "open_late": 1,
        "milestones_late": 1,
    }
    decisions = [r[2] for r in blocks[6]["table"]["rows"]]
    assert decisions == ["加投信息流"]  # the project's meeting; not the workspace's
    assert [b["title"] for b in blocks[7:]] == ["做得好的", "要改进的"]


def test_closing_again_makes_no_second_draft_for_the_same_period(campaign):
    world = campaign
    _stage(world, "closed")
    _stage(world, "monitoring", day=dt.date(2026, 3, 10))
    _stage(world, "closed", day=dt.date(2026, 3, 11))
    assert Report.objects.filter(project=world.project, origin="retrospective").count() == 1
    # New dates are a new period: a retrospective of its own.
    _stage(world, "monitoring", day=dt.date(2026, 3, 12))
    with at(dt.date(2026, 3, 20)):
        work_actions.do_update_project(
            actor=world.owner_ms, project=world.project,
            data=ProjectPatch(end_date=dt.date(2026, 3, 15), stage="closed"),
        )  # fmt: skip
    periods = Report.objects.filter(project=world.project, origin="retrospective").values_list(
        "period_end", flat=True
    )
    assert sorted(periods) == [dt.date(2026, 3, 8), dt.date(2026, 3, 15)]


def test_two_campaigns_of_the_same_days_get_one_each_and_other_projects_none(campaign):
    world = campaign
    twin = work_actions.do_create_project(
        actor=world.owner_ms,
        data=ProjectIn(name="年货节", key="NHJ", kind="campaign",
                       start_date=dt.date(2026, 3, 2), end_date=dt.date(2026, 3, 8)),
    )  # fmt: skip
    plain = work_actions.do_create_project(
        actor=world.owner_ms, data=ProjectIn(name="内容日常", key="NR", kind="content")
    )
    for project in (world.project, twin, plain):
        _stage(world, "closed", project=project)
    drafted = Report.objects.filter(origin="retrospective").values_list("project__key", flat=True)
    assert sorted(drafted) == ["D11", "NHJ"]
    assert ReportTemplate.objects.filter(purpose="retrospective").count() == 1


def test_the_retrospective_is_written_refreshed_and_not_drafted_by_hand(campaign):
    from opsloop.core.errors import Conflict
    from opsloop.reports.schemas import ReportDraftIn

    world = campaign
    _stage(world, "closed")
    report = Report.objects.get(project=world.project, origin="retrospective")
    report.workspace = world.owner_ms.workspace
    with translation.override("en"):
        actions.do_edit_text(actor=world.owner_ms, report=report, index=7,
                             markdown="- 海报提前定稿")  # fmt: skip
        # A block refreshed reads the campaign again, not "choose a project".
        actions.do_refresh_block(actor=world.owner_ms, report=report, index=5)
    report.refresh_from_db()
    assert report.blocks[7]["text"] == "- 海报提前定稿"
    assert not report.blocks[5]["error"] and report.blocks[5]["data"]["done_late"] == 1
    with pytest.raises(Conflict):
        actions.check_draft_period(
            report.template, ReportDraftIn(period_kind="week", period_start=dt.date(2026, 3, 2))
        )


def test_a_draft_that_fails_does_not_undo_the_close(campaign, monkeypatch):
    world = campaign

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(retrospective, "do_draft_retrospective", broken)
    _stage(world, "closed")
    world.project.refresh_from_db()
    assert world.project.stage == "closed"
    assert not Report.objects.filter(origin="retrospective").exists()


def test_a_retrospective_template_takes_no_schedule(campaign):
    from opsloop.core.errors import Invalid

    world = campaign
    _stage(world, "closed")
    template = ReportTemplate.objects.get(purpose="retrospective")
    with pytest.raises(Invalid) as refused:
        actions.do_update_template(
            actor=world.owner_ms, template=template, changes={"schedule": "weekly"}
        )
    assert refused.value.field == "schedule"
    template.refresh_from_db()
    assert template.schedule == "none"
    # Its other settings still change.
    actions.do_update_template(actor=world.owner_ms, template=template, changes={"name": "复盘"})
    template.refresh_from_db()
    assert template.name == "复盘"
