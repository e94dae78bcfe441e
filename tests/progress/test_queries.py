"""Progress read from the activity history, against answers worked out by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from opsloop.core.errors import Invalid
from opsloop.planning import actions as planning_actions
from opsloop.planning.queries import milestone_status
from opsloop.planning.schemas import MilestoneIn
from opsloop.progress import queries
from opsloop.work import actions as work_actions
from opsloop.work.models import Activity
from opsloop.work.schemas import ProjectPatch
from tests.conftest import membership_of
from tests.progress.conftest import at, day


def burn(project, first: int, last: int) -> list[tuple[date, int, int]]:
    return queries.burn_up(project, day(first), day(last))


# --- burn-up


def test_burn_up_the_worked_example(project, make):
    # Day 1: A, B, C created. Day 2: A done. Day 3: D created. Day 4: B done, and
    # reopened the same afternoon. Day 5: B done again, C cancelled.
    a, b, c = (make.create(t, day(1)) for t in "ABC")
    make.move(a, "done", day(2))
    make.create("D", day(3))
    make.move(b, "done", day(4), hour=10)
    make.move(b, "in_progress", day(4), hour=15)
    make.move(b, "done", day(5))
    make.move(c, "cancelled", day(5))
    assert burn(project, 1, 6) == [
        (day(1), 3, 0),
        (day(2), 3, 1),
        (day(3), 4, 1),
        (day(4), 4, 1),  # done and reopened within the day: not done at its end
        (day(5), 4, 3),  # B done again and C cancelled: both count as done
        (day(6), 4, 3),
    ]


def test_reopened_on_a_later_day_drops_out_of_done(project, make):
    a = make.create("A", day(1))
    make.move(a, "done", day(2))
    make.move(a, "todo", day(4))
    assert burn(project, 1, 4) == [
        (day(1), 1, 0),
        (day(2), 1, 1),
        (day(3), 1, 1),
        (day(4), 1, 0),
    ]


def test_a_range_that_starts_late_carries_what_came_before(project, make):
    a = make.create("A", day(1))
    make.create("B", day(2))
    make.move(a, "done", day(2))
    make.create("C", day(6))
    assert burn(project, 3, 5) == [(day(3), 2, 1), (day(4), 2, 1), (day(5), 2, 1)]


def test_items_created_done_count_from_their_creation(project, make):
    make.create("Already done", day(2), state_id=make.state("done"))
    assert burn(project, 1, 2) == [(day(1), 0, 0), (day(2), 1, 1)]


def test_states_passed_through_on_the_way_count_by_their_group(project, make):
    a = make.create("A", day(1))
    for n, group in enumerate(["in_progress", "in_review", "done", "in_review"], start=2):
        make.move(a, group, day(n))
    assert [d.done for d in burn(project, 1, 5)] == [0, 0, 0, 1, 0]


def test_items_without_history_count_done_from_their_completion(project, make):
    a = make.create("From before history", day(1))
    make.move(a, "done", day(3))
    # An install older than the history: the item is there, its state rows are not.
    Activity.objects.filter(item=a, field="state").delete()
    assert [d.done for d in burn(project, 1, 4)] == [0, 0, 1, 1]


def test_a_renamed_state_still_ends_in_the_current_group(project, make, owner, workspace):
    from opsloop.work import actions as work_actions
    from opsloop.work.schemas import StatePatch

    a = make.create("A", day(1))
    make.move(a, "done", day(2))
    done = project.states.get(group="done")
    work_actions.do_update_state(
        actor=membership_of(owner, workspace), state=done, data=StatePatch(name="已上线")
    )
    assert [d.done for d in burn(project, 1, 3)] == [0, 1, 1]


def test_deleted_items_leave_the_chart(project, make):
    make.create("A", day(1))
    b = make.create("B", day(1))
    make.delete(b, day(3))
    assert [d.scope for d in burn(project, 1, 3)] == [1, 1, 1]


def test_burn_up_is_three_queries_however_many_items(project, make, django_assert_num_queries):
    items = [make.create(f"T{i}", day(1)) for i in range(12)]
    for i, item in enumerate(items):
        make.move(item, "done", day(2 + i % 5))
    with django_assert_num_queries(3):
        days = burn(project, 1, 30)
    assert days[-1] == (day(30), 12, 12)


def test_burn_up_refuses_a_backwards_or_too_long_range(project):
    with pytest.raises(Invalid) as exc:
        queries.burn_up(project, day(5), day(1))
    assert exc.value.field == "to"
    with pytest.raises(Invalid):
        queries.burn_up(project, day(1), day(1 + queries.BURN_UP_MAX_DAYS))


def test_default_range_runs_from_the_first_item_to_today(project, make):
    make.create("A", day(3))
    snapshot = queries.load_snapshot(project)
    assert queries.default_range(snapshot, on=day(9)) == (day(3), day(9))


# --- the planned (ideal) line


def test_the_ideal_line_runs_from_nothing_at_the_start_to_the_scope_at_the_end_date(
    project, make, owner, workspace
):
    work_actions.do_update_project(
        actor=membership_of(owner, workspace),
        project=project,
        data=ProjectPatch(start_date=day(1), end_date=day(11)),
    )
    project.refresh_from_db()
    for title in "ABCD":
        make.create(title, day(2))
    make.create("E", day(4))
    snapshot = queries.load_snapshot(project)
    line = queries.ideal_line(snapshot, on=day(5))
    assert line == queries.IdealLine(day(1), day(11), 5)
    assert [line.at(day(n)) for n in (1, 3, 6, 11, 14)] == [0.0, 1.0, 2.5, 5.0, 5.0]
    # The chart runs on to the end date so the planned line reaches the whole scope;
    # the actual lines stop today.
    days = queries.burn_up(project, day(1), day(5), snapshot=snapshot)
    chart = queries.burn_up_chart(days, line)
    assert chart.days == [day(n) for n in range(1, 12)]
    assert chart.ideal == [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0]
    assert chart.scope == [0, 4, 4, 5, 5, None, None, None, None, None, None]
    assert chart.done == [0, 0, 0, 0, 0, None, None, None, None, None, None]
    assert chart.target == day(11)


def test_without_an_end_date_the_plan_ends_on_the_latest_due_date(project, make):
    make.create("A", day(1), due_date=day(3))
    make.create("B", day(1), due_date=day(5))
    make.create("C", day(2))
    snapshot = queries.load_snapshot(project)
    line = queries.ideal_line(snapshot, on=day(9))
    assert line == queries.IdealLine(day(1), day(5), 3)
    # A target already past: the line is flat at the scope from then on, axis unchanged.
    chart = queries.burn_up_chart(queries.burn_up(project, day(1), day(9)), line)
    assert chart.days[-1] == day(9)
    assert chart.ideal == [0.0, 0.75, 1.5, 2.25, 3.0, 3.0, 3.0, 3.0, 3.0]


def test_no_plan_without_a_target_after_the_start(project, make):
    make.create("A", day(3), due_date=day(2))
    snapshot = queries.load_snapshot(project)
    assert queries.ideal_line(snapshot, on=day(5)) is None
    chart = queries.burn_up_chart(queries.burn_up(project, day(3), day(5)), None)
    assert chart.ideal is None and chart.target is None and chart.scope == [1, 1, 1]


# --- planned vs actual


def test_planned_vs_actual(project, make):
    a = make.create("A", day(1), due_date=day(3))
    b = make.create("B", day(1), due_date=day(4))
    make.create("C", day(1), due_date=day(5))
    d = make.create("D", day(1), due_date=day(7))
    make.create("E", day(1))
    make.move(a, "done", day(2))  # early
    make.move(b, "done", day(5))  # a day late
    make.move(d, "done", day(3))  # early, and not yet due
    pva = queries.planned_vs_actual(project, day(5))
    assert (pva.scope, pva.planned, pva.planned_done, pva.done) == (5, 3, 2, 3)
    assert (pva.early, pva.on_time, pva.late) == (2, 0, 1)
    assert (pva.behind, pva.percent) == (1, 67)
    assert pva.lines == [
        "2 of 3 items due by November 6 are done (67%).",
        "1 item due by then is still open.",
        "3 of 5 items are done in all.",
        "Finished early: 2, on the due date: 0, late: 1.",
    ]
    # Earlier, as the history had it: on day 4 B was due and still open.
    earlier = queries.planned_vs_actual(project, day(4))
    assert (earlier.planned, earlier.planned_done, earlier.done) == (2, 1, 2)


def test_planned_vs_actual_with_nothing_due(project, make):
    make.create("A", day(1))
    pva = queries.planned_vs_actual(project, day(1))
    assert pva.percent is None
    assert pva.lines[0] == "No items were due by November 2."


# --- items at risk


def test_items_at_risk_with_their_reasons(project, make, owner, workspace):
    late = make.create("Late", day(1), due_date=day(2), state_id=make.state("in_progress"))
    soon = make.create("Soon", day(1), due_date=day(7))
    make.create("Started", day(1), due_date=day(6), state_id=make.state("in_progress"))
    blocked = make.create("Blocked", day(1), due_date=day(20), state_id=make.state("in_progress"))
    today_ = make.create("Today", day(1), due_date=day(5), state_id=make.state("backlog"))
    make.create("Done late", day(1), due_date=day(2), state_id=make.state("done"))
    make.create("Later", day(1), due_date=day(12))
    planning_actions.do_add_dependency(
        actor=membership_of(owner, workspace), source=late, target=blocked
    )
    rows = queries.items_at_risk(project, day(5))
    assert [(r.item.title, r.text) for r in rows] == [
        ("Late", "3 days past due"),
        ("Blocked", f"blocked by {late.ref}, 3 days late"),
        ("Today", "due today and not started"),
        ("Soon", "due in 2 days and not started"),
    ]
    assert [r.kind for r in rows[0].reasons] == ["past_due"]
    assert {soon.ref, today_.ref} <= {r.item.ref for r in rows}


def test_a_blocker_on_time_is_no_risk(project, make, owner, workspace):
    first = make.create("First", day(1), due_date=day(9))
    second = make.create("Second", day(1), due_date=day(20))
    planning_actions.do_add_dependency(
        actor=membership_of(owner, workspace), source=first, target=second
    )
    assert queries.items_at_risk(project, day(5)) == []


def test_reasons_are_worded_in_the_active_language(project, make):
    from django.utils import translation

    make.create("Late", day(1), due_date=day(2))
    with translation.override("zh-hans"):
        text = queries.items_at_risk(project, day(5))[0].text
    assert text == "已逾期 3 天"


# --- milestones


def milestone(project, owner, workspace, name, when, items):
    return planning_actions.do_create_milestone(
        actor=membership_of(owner, workspace),
        project=project,
        data=MilestoneIn(name=name, date=when, item_refs=[i.ref for i in items]),
    )


def test_milestone_deviation(project, make, owner, workspace):
    a = make.create("A", day(1), due_date=day(8))
    b = make.create("B", day(1), due_date=day(12))
    c = make.create("C", day(1), due_date=day(3))
    d = make.create("D", day(1), due_date=day(3))
    e = make.create("E", day(1), due_date=day(2))
    make.move(c, "done", day(4))
    make.move(d, "done", day(6))
    milestone(project, owner, workspace, "预热期", day(10), [a, b])  # B is due 2 days after it
    milestone(project, owner, workspace, "素材齐", day(5), [c, d])  # all done, the last on day 6
    milestone(project, owner, workspace, "报名", day(6), [e])  # E is open and past due
    milestone(project, owner, workspace, "空的", day(9), [])
    rows = {m.milestone.name: m for m in queries.milestone_deviation(project, day(7))}
    assert (rows["预热期"].forecast, rows["预热期"].deviation_days) == (day(12), 2)
    assert rows["预热期"].text == "2 days late"
    assert rows["预热期"].status == "at_risk"
    assert (rows["素材齐"].forecast, rows["素材齐"].deviation_days) == (day(6), 1)
    assert rows["素材齐"].status == "done"
    # Open work cannot finish before today: its forecast is today at the earliest.
    assert (rows["报名"].forecast, rows["报名"].deviation_days) == (day(7), 1)
    assert rows["报名"].status == "late"
    for row in rows.values():
        assert row.status == milestone_status(row.milestone, day(7))
    assert rows["空的"].forecast is None
    assert rows["空的"].text == "No forecast: it has no items."


def test_a_milestone_ahead_of_plan(project, make, owner, workspace):
    a = make.create("A", day(1), due_date=day(4))
    milestone(project, owner, workspace, "M", day(10), [a])
    row = queries.milestone_deviation(project, day(2))[0]
    assert (row.deviation_days, row.text) == (-6, "6 days ahead")


def test_a_milestone_forecast_counts_the_work_left_and_what_blocks_it(
    project, make, owner, workspace
):
    """0 of 4 done, two past due, one blocked by one of them: not on schedule."""
    actor = membership_of(owner, workspace)
    late = make.create("物料", day(1), due_date=day(3), estimate_hours=Decimal("24"))
    stuck = make.create("审批", day(1), due_date=day(2))
    blocked = make.create("上线", day(1), due_date=day(9), estimate_hours=Decimal("16"))
    easy = make.create("通知", day(1), due_date=day(8))
    planning_actions.do_add_dependency(actor=actor, source=late, target=blocked)
    milestone(project, owner, workspace, "大促上线", day(9), [late, stuck, blocked, easy])
    row = queries.milestone_deviation(project, day(6))[0]
    # 物料 needs 3 days from day 6 (days 6-8); 上线 needs 2 days after it: day 10.
    assert row.forecast == day(10) and row.deviation_days == 1
    assert row.text == "1 day late"
    # Half done, the same work needs half the days.
    make.update(late, day(6), progress=50)
    row = queries.milestone_deviation(project, day(6))[0]
    assert row.forecast == day(9) and row.status == "at_risk"
    assert row.text == "at risk, though the forecast is on time"


# --- weekly summary


def test_weekly_summary(project, make):
    # The week of day 8 (Monday 9 November) to day 14, seen on day 11 (Thursday).
    done_early = make.create("Done this week", day(1), due_date=day(12))
    done_before = make.create("Done last week", day(1), due_date=day(5))
    overdue = make.create("Overdue", day(1), due_date=day(9))
    moved = make.create("Moved", day(1), due_date=day(10))
    make.create("Due Friday", day(1), due_date=day(12))
    make.move(done_before, "done", day(4))
    make.move(done_early, "done", day(9))
    make.update(moved, day(9), due_date=day(13))
    make.update(moved, day(10), due_date=day(15))
    summary = queries.weekly_summary(project, day(8), on=day(11))
    assert summary.week == "2026-W46"
    assert summary.as_of == day(11)
    assert [(d.item.title, d.on) for d in summary.done] == [("Done this week", day(9))]
    assert [(s.item.title, s.text) for s in summary.slipped] == [
        ("Overdue", "2 days past due"),
        ("Moved", "due date moved from November 11 to November 16 (5 days later)"),
    ]
    assert [r.item.title for r in summary.at_risk] == ["Overdue", "Due Friday"]
    text = summary.text
    assert text.startswith("D11 双十一大促: weekly progress 2026-W46 (November 9 – November 15)\n")
    assert "Done this week (1)\n- " + done_early.ref + " Done this week — done November 10" in text
    assert "Slipped (2)" in text and "At risk (2)" in text
    markdown = summary.markdown
    assert markdown.startswith("## D11 双十一大促")
    assert f"[{overdue.ref}](http://" in markdown and f"/w/acme/i/{overdue.ref}/)" in markdown


def test_a_past_week_is_summed_up_as_of_its_sunday(project, make):
    a = make.create("A", day(1), due_date=day(6))
    b = make.create("B", day(1), due_date=day(3))
    make.move(a, "done", day(5))
    make.move(b, "done", day(9))  # done the week after
    summary = queries.weekly_summary(project, day(1), on=day(20))
    assert summary.as_of == day(7)
    assert [d.item.title for d in summary.done] == ["A"]
    # B was due on day 3 and still open on Sunday: 5 days late on the Monday after.
    assert [(s.item.title, s.days_late) for s in summary.slipped] == [("B", 5)]


def test_parse_week():
    assert queries.parse_week("2026-W46") == day(8)
    assert queries.parse_week(None, on=day(10)) == day(8)
    for bad in ("2026-46", "2026-W54", "W46", "2026-W0"):
        with pytest.raises(Invalid) as exc:
            queries.parse_week(bad)
        assert exc.value.field == "week"


def test_page_reads_are_bounded(project, make, owner, workspace, django_assert_num_queries):
    items = [make.create(f"T{i}", day(1), due_date=day(3 + i)) for i in range(10)]
    for item in items[:4]:
        make.move(item, "done", day(4))
    for n in range(3):
        milestone(project, owner, workspace, f"M{n}", day(5 + n), items[n * 3 : n * 3 + 3])
    # Items, states, state history; blockers; milestones and their items, and the blockers
    # of their open items; due date moves; blockers again for the summary. However many
    # items and milestones.
    with at(day(9)), django_assert_num_queries(9):
        snapshot = queries.load_snapshot(project)
        queries.planned_vs_actual(project, day(9), snapshot=snapshot)
        queries.items_at_risk(project, day(9), snapshot=snapshot)
        queries.milestone_deviation(project, day(9), snapshot=snapshot)
        summary = queries.weekly_summary(project, day(8), snapshot=snapshot)
        assert summary.markdown
