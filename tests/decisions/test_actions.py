"""Writes of decision records: the flow, who may do what, the reminder, promotion."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from opsloop.core.errors import Conflict, Forbidden, Invalid
from opsloop.decisions import actions, queries
from opsloop.decisions.models import DecisionRecord, Score, Status
from opsloop.decisions.schemas import (
    DecideIn,
    DecisionRecordIn,
    DecisionRecordPatch,
    DecisionReviewIn,
    ScoreIn,
)
from opsloop.goals import actions as goal_actions
from opsloop.goals.schemas import KpiIn
from opsloop.inbox.models import Notification
from opsloop.meetings import actions as meeting_actions
from opsloop.meetings.schemas import DecisionIn, MeetingIn
from tests.conftest import membership_of

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def score(actor, record, cells):
    return actions.do_score(
        actor=actor,
        record=record,
        scores=[ScoreIn(option_id=o.pk, criterion_id=c.pk, value=v) for o, c, v in cells],
    )


def test_two_people_score_and_the_ranking_follows(scored, owner_ms, member_ms):
    record, (douyin, keep), (roi, risk) = scored
    score(owner_ms, record, [(douyin, roi, 5), (douyin, risk, 2), (keep, roi, 3), (keep, risk, 5)])
    score(member_ms, record, [(douyin, roi, 3), (douyin, risk, 2), (keep, roi, 3), (keep, risk, 4)])
    found = queries.record_ranking(record)
    # douyin: (3*4 + 1*2) / 4 = 3.5; keep: (3*3 + 1*4.5) / 4 = 3.375
    assert [(r.option.title, r.result.weighted, r.result.rank) for r in found.options] == [
        ("加码抖音", 3.5, 1),
        ("维持原预算", 3.375, 2),
    ]
    assert sorted(found.scorers_done) == sorted([owner_ms.user_id, member_ms.user_id])
    # A score changes until the decision; null takes it back.
    score(member_ms, record, [(douyin, roi, 4)])
    assert Score.objects.get(scorer=member_ms.user, option=douyin, criterion=roi).value == 4
    score(member_ms, record, [(douyin, roi, None)])
    assert not Score.objects.filter(scorer=member_ms.user, option=douyin, criterion=roi).exists()


def test_only_people_asked_score_and_only_while_scoring(scored, owner_ms, workspace, admin_user):
    record, (douyin, _keep), (roi, _risk) = scored
    with pytest.raises(Forbidden):
        score(membership_of(admin_user, workspace), record, [(douyin, roi, 3)])
    actions.do_set_status(actor=owner_ms, record=record, status="draft")
    with pytest.raises(Conflict):
        score(owner_ms, record, [(douyin, roi, 3)])


def test_scores_of_another_records_cells_are_refused(scored, owner_ms, project):
    record, (douyin, _keep), _criteria = scored
    other = actions.do_create_record(actor=owner_ms, data=DecisionRecordIn(title="另一个"))
    from opsloop.decisions.schemas import CriterionIn

    foreign = actions.do_add_criterion(actor=owner_ms, record=other, data=CriterionIn(title="x"))
    with pytest.raises(Invalid) as refused:
        score(owner_ms, record, [(douyin, foreign, 3)])
    assert refused.value.field == "scores.0.criterion_id"


def test_member_who_is_not_owner_cannot_edit(scored, member_ms):
    record, *_rest = scored
    with pytest.raises(Forbidden):
        actions.do_update_record(
            actor=member_ms, record=record, data=DecisionRecordPatch(title="改")
        )


def test_scorers_must_see_the_project(owner_ms, workspace, guest, project):
    with pytest.raises(Invalid) as refused:
        actions.do_create_record(
            actor=owner_ms,
            data=DecisionRecordIn(title="x", project_key=project.key, scorer_ids=[guest.pk]),
        )
    assert refused.value.field == "scorer_ids"


def test_decide_freezes_and_schedules_one_reminder(scored, owner_ms, member_ms):
    record, (douyin, keep), (roi, _risk) = scored
    decided = actions.do_decide(
        actor=owner_ms,
        record=record,
        data=DecideIn(option_id=keep.pk, rationale="**风险**更低", review_on=dt.date(2026, 12, 15)),
    )
    assert decided.status == Status.DECIDED and decided.chosen_option == keep
    assert "<strong>风险</strong>" in decided.rationale_html
    assert decided.decided_by == owner_ms.user
    with pytest.raises(Conflict):
        score(member_ms, record, [(douyin, roi, 5)])
    from django_tasks_db.models import DBTaskResult

    queued = DBTaskResult.objects.filter(task_path="opsloop.decisions.tasks.remind_reviews")
    assert queued.count() == 1
    # 09:00 on the review day in the workspace's zone.
    run_after = queued.get().run_after
    zone = owner_ms.workspace.time_zone
    assert run_after.astimezone(zoneinfo.ZoneInfo(zone)).hour == 9


def test_reminder_is_sent_once_even_by_two_workers(scored, owner_ms, member):
    record, (douyin, _keep), _criteria = scored
    actions.do_decide(
        actor=owner_ms,
        record=record,
        data=DecideIn(option_id=douyin.pk, review_on=dt.date(2026, 12, 15)),
    )
    before = dt.datetime(2026, 12, 14, 12, 0, tzinfo=SHANGHAI)
    assert actions.do_remind_reviews(now=before) == 0
    due = dt.datetime(2026, 12, 15, 9, 30, tzinfo=SHANGHAI)
    # Two workers read the due reviews at the same moment, then each reminds.
    first, second = queries.due_reviews(due), queries.due_reviews(due)
    assert [r.pk for r in first] == [r.pk for r in second] == [record.pk]
    assert actions.do_remind_review(record=first[0], now=due) is True
    assert actions.do_remind_review(record=second[0], now=due) is False
    assert actions.do_remind_reviews(now=due) == 0
    told = Notification.objects.filter(recipient=owner_ms.user, url__endswith="/review/")
    assert told.count() == 1
    assert told.get().email_due  # the owner has an email address: it goes out by email too
    assert not Notification.objects.filter(recipient=member, url__endswith="/review/").exists()


def test_review_compares_kpis_before_and_after(scored, owner_ms, member_ms):
    record, (douyin, _keep), _criteria = scored
    kpi = goal_actions.do_create_kpi(
        actor=owner_ms, data=KpiIn(name="抖音 GMV", source="manual", unit="万元")
    )
    goal_actions.do_record_kpi_values(
        actor=owner_ms,
        kpi=kpi,
        values=[(dt.date(2026, 11, 1), 100.0), (dt.date(2026, 11, 3), 120.0),
                (dt.date(2026, 11, 20), 150.0), (dt.date(2026, 12, 20), 400.0)],
    )  # fmt: skip
    actions.do_update_record(
        actor=owner_ms, record=record, data=DecisionRecordPatch(kpi_ids=[kpi.pk])
    )
    actions.do_decide(
        actor=owner_ms,
        record=record,
        data=DecideIn(option_id=douyin.pk, review_on=dt.date(2026, 12, 1)),
    )
    DecisionRecord.objects.filter(pk=record.pk).update(
        decided_at=dt.datetime(2026, 11, 5, 15, 0, tzinfo=SHANGHAI)
    )
    record.refresh_from_db()
    # Before: the last value on or before the decision day (11-03: 120); after: the last
    # on or before the review day, once it has passed (11-20: 150), not the later 400.
    (row,) = queries.review_comparison(owner_ms, record, today=dt.date(2026, 12, 30))
    assert (row.before.value, row.after.value, row.change) == (120.0, 150.0, 30.0)
    assert row.change_percent == pytest.approx(25.0)
    # Before the review day: the latest so far.
    (row,) = queries.review_comparison(owner_ms, record, today=dt.date(2026, 11, 10))
    assert row.after is None and row.change is None
    reviewed = actions.do_review(
        actor=owner_ms, record=record, data=DecisionReviewIn(outcome="partly", note="GMV 涨了")
    )
    assert (reviewed.status, reviewed.outcome, reviewed.reviewed_by) == (
        "reviewed",
        "partly",
        owner_ms.user,
    )


def test_review_needs_a_decision(scored, owner_ms):
    record, *_rest = scored
    with pytest.raises(Conflict):
        actions.do_review(actor=owner_ms, record=record, data=DecisionReviewIn(outcome="worked"))


def test_a_meeting_decision_becomes_a_record_once(owner_ms, project):
    meeting = meeting_actions.do_create_meeting(
        actor=owner_ms,
        data=MeetingIn(
            title="大促周会", project_key=project.key, starts_at="2026-11-02T10:00:00+08:00"
        ),
    )
    decision = meeting_actions.do_add_decision(
        actor=owner_ms, meeting=meeting, data=DecisionIn(text="主会场加码抖音投放\n预算另议")
    )
    made = actions.do_promote_meeting_decision(actor=owner_ms, decision=decision)
    assert made.created
    record = made.record
    assert record.title == "主会场加码抖音投放"
    assert record.project == project and record.owner == owner_ms.user
    assert f'href="/w/acme/meetings/{meeting.pk}/"' in record.context_html
    assert "预算另议" in record.context
    again = actions.do_promote_meeting_decision(actor=owner_ms, decision=decision)
    assert not again.created and again.record.pk == record.pk


def test_decisions_in_period_for_reports(scored, owner_ms, member_ms, guest, workspace):
    record, (douyin, _keep), _criteria = scored
    actions.do_decide(
        actor=owner_ms, record=record, data=DecideIn(option_id=douyin.pk, rationale="ROI")
    )
    DecisionRecord.objects.filter(pk=record.pk).update(
        decided_at=dt.datetime(2026, 11, 10, 23, 30, tzinfo=SHANGHAI)
    )
    actions.do_create_record(actor=owner_ms, data=DecisionRecordIn(title="未决"))
    (found,) = queries.decisions_in_period(member_ms, dt.date(2026, 11, 10), dt.date(2026, 11, 16))
    assert (found.title, found.chosen, found.project_key, found.rationale) == (
        "双十一主会场是否加码抖音投放", "加码抖音", "D11", "ROI",
    )  # fmt: skip
    assert (
        queries.decisions_in_period(member_ms, dt.date(2026, 11, 11), dt.date(2026, 11, 16)) == []
    )
    # A guest the project is not shared with sees none.
    assert (
        queries.decisions_in_period(
            membership_of(guest, workspace), dt.date(2026, 11, 1), dt.date(2026, 11, 30)
        )
        == []
    )


def test_workspace_records_are_hidden_from_guests(owner_ms, guest, workspace):
    record = actions.do_create_record(actor=owner_ms, data=DecisionRecordIn(title="团队分工"))
    guest_ms = membership_of(guest, workspace)
    assert not queries.visible_records(guest_ms).filter(pk=record.pk).exists()
    assert queries.visible_records(owner_ms).filter(pk=record.pk).exists()
