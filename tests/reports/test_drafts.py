"""Drafts: the numbers of a weekly draft over a fixed clock and fixed data, computed by
hand (tests/reports/conftest.py); a draft that never changes after the data does; and a
schedule that drafts once per period, across restarts and with two workers."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from opsloop.core.errors import Conflict
from opsloop.goals import actions as goal_actions
from opsloop.reports import actions, tasks
from opsloop.reports.models import Report
from opsloop.reports.periods import month_of, week_of
from opsloop.reports.render import report_markdown
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ItemPatch
from tests.reports.conftest import WEEK, at, build_world, moment, now_after_week


def _draft(world):
    with at(dt.date(2026, 3, 9), 9):
        report, made = actions.do_draft_report(
            template=world.template, period=week_of(WEEK), origin="schedule"
        )
    assert made
    return report


def _block(report, kind):
    return next(b for b in report.blocks if b["kind"] == kind)


def test_a_weekly_draft_has_the_numbers_computed_by_hand(world):
    report = _draft(world)
    assert report.title == "运营周报 2026-W10"
    assert (report.period_start, report.period_end) == (dt.date(2026, 3, 2), dt.date(2026, 3, 8))
    assert report.writer == world.owner_ms.user
    heading = _block(report, "heading")
    assert heading["text"] == "Acme 运营 周报 2026-W10"
    assert _block(report, "text")["text"] == "本周（2026-03-02 至 2026-03-08）要点：……"

    kpi = _block(report, "kpi")["data"]
    assert (kpi["value"], kpi["previous"], kpi["change"], kpi["change_percent"]) == (
        1250.0, 1000.0, 250.0, 25.0,
    )  # fmt: skip
    assert kpi["day"] == "2026-03-08" and kpi["previous_day"] == "2026-03-01"
    chart = _block(report, "kpi")["chart"]
    assert chart["x"] == ["2026-03-01", "2026-03-04", "2026-03-08"]
    assert chart["series"][0]["data"] == [1000.0, 1100.0, 1250.0]

    numbers = _block(report, "numbers")["table"]["rows"]
    assert numbers == [
        ["公众号粉丝", "人", 1250.0, 1000.0, 250.0, 25.0],
        ["成交额 GMV", "元", 60000.0, 80000.0, -20000.0, -25.0],
    ]

    progress = _block(report, "project_progress")
    rows = [(r[0], r[2], r[3]) for r in progress["table"]["rows"]]
    assert rows == [
        ("Done", "主会场海报", "done March 5"),
        ("Slipped", "KOL 名单", "5 days past due"),
        ("At risk", "KOL 名单", "5 days past due"),
        ("At risk", "直播脚本", "due in 1 day and not started"),
    ]
    assert progress["data"]["done"] == 1 and progress["data"]["slipped"] == 1
    assert "1 of 2 items due by" in progress["text"] and "(50%)" in progress["text"]

    decisions = _block(report, "decisions")["table"]["rows"]
    assert decisions == [["2026-03-04", "周会 2026-03-04", "主会场预算追加 2 万", "Meeting"]]
    assert all(b["error"] == "" for b in report.blocks)


def test_the_markdown_export_holds_the_frozen_numbers(world):
    report = _draft(world)
    text = report_markdown(report)
    assert text.startswith("# 运营周报 2026-W10\n")
    assert "## Acme 运营 周报 2026-W10" in text
    assert "| 公众号粉丝 | 人 | 1,250 | 1,000 | +250 | +25% |" in text
    assert "| 成交额 GMV | 元 | 60,000 | 80,000 | -20,000 | -25% |" in text


def test_a_draft_never_changes_after_the_data_does(world):
    report = _draft(world)
    frozen = Report.objects.get(pk=report.pk).blocks
    # The data moves on: a value is corrected, the slipped item is done, a decision added.
    goal_actions.do_record_kpi_values(
        actor=world.owner_ms, kpi=world.fans, values=[(dt.date(2026, 3, 8), 9999.0)]
    )
    with at(dt.date(2026, 3, 6)):
        work_actions.do_update_item(
            actor=world.owner_ms,
            item=world.items["kol"],
            data=ItemPatch(state_id=world.project.states.filter(group="done").first().pk),
        )
    stored = Report.objects.get(pk=report.pk)
    assert stored.blocks == frozen
    assert _block(stored, "kpi")["data"]["value"] == 1250.0
    # Only the writer's explicit refresh reads the data again, and it is recorded.
    index = next(i for i, b in enumerate(stored.blocks) if b["kind"] == "kpi")
    with at(dt.date(2026, 3, 9), 11):
        actions.do_refresh_block(actor=world.owner_ms, report=stored, index=index)
    refreshed = Report.objects.get(pk=report.pk)
    assert refreshed.blocks[index]["data"]["value"] == 9999.0
    assert refreshed.blocks[:index] == frozen[:index]
    assert refreshed.events.filter(kind="refreshed", block=index).exists()


def test_the_schedule_fires_once_per_period_across_restarts(world):
    # Monday 2 March at 8:00: the week just ended is not due before 9:00; the latest
    # firing (23 February, 9:00) was for the week before it.
    early = moment(dt.date(2026, 3, 2), 8)
    assert [p for _t, p in actions.due_drafts(early)] == [week_of(dt.date(2026, 2, 16))]
    now = now_after_week()
    assert actions.do_schedule_reports(now=now) >= 1
    queued = DBTaskResult.objects.filter(task_path="opsloop.reports.tasks.draft_scheduled_report")
    args = [tuple(t.args_kwargs["args"]) for t in queued]
    assert (world.template.pk, "week", "2026-03-02") in args
    # Two workers run the queued draft (or a restart queues it again): one report.
    with at(dt.date(2026, 3, 9), 9):
        first = tasks.draft_scheduled_report.call(world.template.pk, "week", "2026-03-02")
        second = tasks.draft_scheduled_report.call(world.template.pk, "week", "2026-03-02")
    assert first == second
    assert Report.objects.filter(template=world.template, period_start=WEEK).count() == 1
    # After a restart, the schedule finds the period drafted and queues nothing for it.
    assert all(p != week_of(WEEK) for _t, p in actions.due_drafts(now))
    # An hour later, still nothing; the next Monday, the next week.
    later = now + dt.timedelta(hours=1)
    assert all(p != week_of(WEEK) for _t, p in actions.due_drafts(later))
    next_week = [p for _t, p in actions.due_drafts(now + dt.timedelta(days=7))]
    assert next_week == [week_of(dt.date(2026, 3, 9))]


def test_a_draft_by_hand_of_a_drafted_period_is_a_conflict(world):
    _draft(world)
    with pytest.raises(Conflict):
        actions.do_draft_report(template=world.template, period=week_of(WEEK), actor=world.owner_ms)


def test_a_monthly_template_drafts_the_month_just_ended(world):
    world.template.schedule, world.template.day = "monthly", 1
    world.template.save()
    due = [p for t, p in actions.due_drafts(moment(dt.date(2026, 4, 1), 10))]
    assert due == [month_of(dt.date(2026, 3, 1))]
    assert due[0].previous() == month_of(dt.date(2026, 2, 1))


def test_a_draft_made_by_another_worker_meanwhile_stands(world):
    """The race without threads: another worker's report of the same period is written
    between this worker's look and its own write (the unique constraint answers)."""
    made: list[int] = []

    def other_worker_first(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        # Right after this worker looked and found no report for the period.
        if sql.startswith("SELECT") and 'FROM "reports_report"' in sql and not made:
            made.append(0)
            other = Report.objects.create(
                workspace_id=world.template.workspace_id, template=world.template,
                title="other", period_kind="week", period_start=WEEK,
                period_end=WEEK + dt.timedelta(days=6), origin="schedule",
            )  # fmt: skip
            made[0] = other.pk
        return result

    with connection.execute_wrapper(other_worker_first), at(dt.date(2026, 3, 9), 9):
        report, created = actions.do_draft_report(
            template=world.template, period=week_of(WEEK), origin="schedule"
        )
    assert not created and report.pk == made[0]
    assert Report.objects.filter(template=world.template).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_make_one_draft(owner, workspace, project):
    """Two threads at once, on PostgreSQL (`scripts/with_postgres.py`); SQLite's
    in-memory test database refuses a second writer outright instead of waiting."""
    from tests.conftest import membership_of

    if connection.vendor == "sqlite":
        pytest.skip("needs a database with concurrent writers (PostgreSQL)")

    owner_ms = membership_of(owner, workspace)
    workspace.time_zone = "Asia/Shanghai"
    workspace.save(update_fields=["time_zone"])
    world = build_world(owner_ms, project)
    start = threading.Barrier(2)
    results: list = []
    errors: list = []

    def worker() -> None:
        try:
            start.wait()
            results.append(
                actions.do_draft_scheduled(
                    template_id=world.template.pk, kind="week", start="2026-03-02"
                )
            )
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connection.close()

    # The clock is set once, here: a patch entered in each thread restores the other's
    # mock on exit, and the next tests of the process lived in March 2026.
    threads = [threading.Thread(target=worker) for _ in range(2)]
    with at(dt.date(2026, 3, 9), 9):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert len(results) == 2 and results[0] == results[1]
    assert Report.objects.filter(template=world.template).count() == 1
