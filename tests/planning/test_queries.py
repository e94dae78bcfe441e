"""Milestone status, cycle paths, the shift plan and blockers, with answers worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from opsloop.planning import actions, queries
from opsloop.planning.schemas import MilestoneIn
from opsloop.work import actions as work_actions
from opsloop.work.models import State
from opsloop.work.schemas import ItemIn, ItemPatch
from tests.conftest import membership_of

TODAY = date(2026, 11, 1)
D = date  # short for the tables below


# --- milestone status: (milestone date, [(state group, due)], expected)
STATUS_CASES = [
    # Every item closed, at least one: done, even when the date has passed.
    (D(2026, 11, 11), [("done", None), ("cancelled", None)], "done"),
    (D(2026, 10, 20), [("done", D(2026, 10, 19))], "done"),
    # Not done and the date has passed: late.
    (D(2026, 10, 31), [("done", None), ("todo", None)], "late"),
    (D(2026, 10, 31), [], "late"),
    # An open item due after the milestone: at risk.
    (D(2026, 11, 20), [("todo", D(2026, 11, 21))], "at_risk"),
    # An open item already overdue: at risk.
    (D(2026, 11, 20), [("in_progress", D(2026, 10, 30))], "at_risk"),
    # Within 3 days and under 80% done: at risk (3 of 4 = 75%).
    (D(2026, 11, 4), [("done", None)] * 3 + [("todo", None)], "at_risk"),
    # Within 3 days and 80% done (4 of 5): on track.
    (D(2026, 11, 4), [("done", None)] * 4 + [("todo", None)], "on_track"),
    # Four days away: the 80% rule does not apply yet.
    (D(2026, 11, 5), [("todo", None)], "on_track"),
    # Empty and within 3 days: nothing done, at risk; empty and far away: on track.
    (D(2026, 11, 2), [], "at_risk"),
    (D(2026, 12, 1), [], "on_track"),
    # Due on the milestone's own day is fine; a closed item past the date does not count.
    (D(2026, 11, 20), [("todo", D(2026, 11, 20)), ("done", D(2026, 12, 1))], "on_track"),
    # Due today is not overdue.
    (D(2026, 11, 20), [("todo", D(2026, 11, 1))], "on_track"),
]


@pytest.mark.parametrize(("when", "items", "expected"), STATUS_CASES)
def test_status_from_known_answers(when, items, expected):
    assert queries.status_from(when, items, TODAY) == expected


def test_milestone_status_reads_the_items(project, owner, workspace):
    ms = membership_of(owner, workspace)
    done = State.objects.get(project=project, group="done")
    a = work_actions.do_create_item(actor=ms, project=project, data=ItemIn(title="A"))
    b = work_actions.do_create_item(actor=ms, project=project, data=ItemIn(title="B"))
    milestone = actions.do_create_milestone(
        actor=ms,
        project=project,
        data=MilestoneIn(name="预热期", date=D(2026, 11, 10), item_refs=[a.ref, str(b.number)]),
    )
    assert queries.milestone_status(milestone, TODAY) == "on_track"
    assert queries.milestone_status(milestone, D(2026, 11, 11)) == "late"
    for it in (a, b):
        work_actions.do_update_item(actor=ms, item=it, data=ItemPatch(state_id=done.pk))
    assert queries.milestone_status(milestone, D(2026, 11, 11)) == "done"


# --- the shift plan: spans {id: (start, due)}, links (blocker, dependent), moved id


def test_shift_chain_keeps_durations():
    # 1 now due 11-10; 2 (11-05..11-07) must start 11-11, three days; 3 follows 2.
    spans = {
        1: (D(2026, 11, 1), D(2026, 11, 10)),
        2: (D(2026, 11, 5), D(2026, 11, 7)),
        3: (D(2026, 11, 8), D(2026, 11, 8)),
    }
    plan = queries.shift_plan(spans, [(1, 2), (2, 3)], 1)
    assert plan == {
        2: (D(2026, 11, 11), D(2026, 11, 13)),
        3: (D(2026, 11, 14), D(2026, 11, 14)),
    }


def test_shift_diamond_waits_for_the_latest_blocker():
    # 1 -> 2 -> 4 and 1 -> 3 -> 4; 3 is long, so 4 starts after 3.
    spans = {
        1: (D(2026, 11, 1), D(2026, 11, 3)),
        2: (D(2026, 11, 2), D(2026, 11, 2)),
        3: (D(2026, 11, 2), D(2026, 11, 6)),
        4: (D(2026, 11, 4), D(2026, 11, 5)),
    }
    plan = queries.shift_plan(spans, [(1, 2), (1, 3), (2, 4), (3, 4)], 1)
    # 2: one day, starts 11-04. 3: five days, 11-04..11-08. 4: after 3, 11-09..11-10.
    assert plan == {
        2: (D(2026, 11, 4), D(2026, 11, 4)),
        3: (D(2026, 11, 4), D(2026, 11, 8)),
        4: (D(2026, 11, 9), D(2026, 11, 10)),
    }


def test_shift_leaves_satisfied_dependents():
    spans = {1: (D(2026, 11, 1), D(2026, 11, 3)), 2: (D(2026, 11, 10), D(2026, 11, 12))}
    assert queries.shift_plan(spans, [(1, 2)], 1) == {}


def test_shift_skips_items_without_dates_and_does_not_pass_through_them():
    spans = {
        1: (D(2026, 11, 1), D(2026, 11, 9)),
        2: (None, None),
        3: (D(2026, 11, 2), D(2026, 11, 2)),
    }
    assert queries.shift_plan(spans, [(1, 2), (2, 3)], 1) == {}


def test_shift_due_only_item_moves_its_due_date():
    spans = {1: (D(2026, 11, 1), D(2026, 11, 9)), 2: (None, D(2026, 11, 5))}
    assert queries.shift_plan(spans, [(1, 2)], 1) == {2: (None, D(2026, 11, 10))}


def test_span():
    assert queries.span(None, None) is None
    assert queries.span(None, D(2026, 11, 5)) == (D(2026, 11, 5), D(2026, 11, 5))
    assert queries.span(D(2026, 11, 1), None) == (D(2026, 11, 1), D(2026, 11, 1))


# --- blockers


def test_blockers_of_lists_only_open_blockers(project, owner, workspace):
    ms = membership_of(owner, workspace)
    a, b, c = (
        work_actions.do_create_item(actor=ms, project=project, data=ItemIn(title=t))
        for t in ("A", "B", "C")
    )
    actions.do_add_dependency(actor=ms, source=a, target=c)
    actions.do_add_dependency(actor=ms, source=b, target=c)
    actions.do_add_dependency(actor=ms, source=a, target=b, kind="relates")
    done = State.objects.get(project=project, group="done")
    work_actions.do_update_item(actor=ms, item=b, data=ItemPatch(state_id=done.pk))
    blockers = queries.blockers_of([a, b, c])
    assert blockers == {a.pk: [], b.pk: [], c.pk: [a]}


def test_blocks_path_finds_the_cycle(project, owner, workspace):
    ms = membership_of(owner, workspace)
    a, b, c = (
        work_actions.do_create_item(actor=ms, project=project, data=ItemIn(title=t))
        for t in ("A", "B", "C")
    )
    actions.do_add_dependency(actor=ms, source=a, target=b)
    actions.do_add_dependency(actor=ms, source=b, target=c)
    assert queries.blocks_path(workspace.pk, a.pk, c.pk) == [a.pk, b.pk, c.pk]
    assert queries.blocks_path(workspace.pk, c.pk, a.pk) is None
