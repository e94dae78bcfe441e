"""Workload spreading and suggestion ranking, with answers worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from opsloop.capacity import actions, queries
from opsloop.capacity.queries import Candidate, ItemLoad
from opsloop.capacity.schemas import ProfilePatch, SkillIn, TimeEntryIn
from opsloop.core.errors import Invalid
from opsloop.core.models import Role
from opsloop.work import actions as work_actions
from opsloop.work.models import State
from opsloop.work.schemas import ItemIn, ItemPatch, LabelIn
from tests.conftest import add_member, membership_of

W47, W48, W49 = date(2026, 11, 16), date(2026, 11, 23), date(2026, 11, 30)  # Mondays


# --- spreading, by hand


def test_working_days_count_mondays_to_fridays():
    assert queries.working_days(date(2026, 11, 16), date(2026, 11, 20)) == 5
    assert queries.working_days(date(2026, 11, 16), date(2026, 11, 22)) == 5  # Mon-Sun
    assert queries.working_days(date(2026, 11, 21), date(2026, 11, 22)) == 0  # Sat-Sun
    assert queries.working_days(date(2026, 11, 19), date(2026, 11, 24)) == 4  # Thu-Tue
    assert queries.working_days(date(2026, 11, 20), date(2026, 11, 19)) == 0


@pytest.mark.parametrize(
    ("estimate", "start", "due", "expected"),
    [
        # Mon-Fri of one week: all of it that week.
        (10, date(2026, 11, 16), date(2026, 11, 20), {W47: 10}),
        # Thu, Fri, Mon, Tue: 3 h a day, 6 and 6.
        (12, date(2026, 11, 19), date(2026, 11, 24), {W47: 6, W48: 6}),
        # Wed, Thu, Fri, Mon: 1.5 h a day, 4.5 then 1.5.
        (6, date(2026, 11, 18), date(2026, 11, 23), {W47: 4.5, W48: 1.5}),
        # Three full weeks: 10 a week.
        (30, date(2026, 11, 16), date(2026, 12, 4), {W47: 10, W48: 10, W49: 10}),
        # A weekend only: all in the due date's week.
        (8, date(2026, 11, 21), date(2026, 11, 22), {W47: 8}),
        # Due only (a Wednesday): that week.
        (5, None, date(2026, 11, 25), {W48: 5}),
        # Start only: that week.
        (5, date(2026, 12, 1), None, {W49: 5}),
        # Start after due: the due date's week.
        (4, date(2026, 11, 30), date(2026, 11, 24), {W48: 4}),
    ],
)
def test_spread_hours(estimate, start, due, expected):
    assert queries.spread_hours(estimate, start, due) == pytest.approx(expected)


def test_no_dates_is_not_scheduled():
    assert queries.spread_hours(5, None, None) is None


def test_hours_split_equally_between_assignees():
    loads = [
        ItemLoad(1, 12, W47, date(2026, 11, 20), (1, 2)),  # 6 each in w47
        ItemLoad(2, 4, None, date(2026, 11, 18), (1,)),  # 4 for 1 in w47
        ItemLoad(3, 6, date(2026, 11, 19), date(2026, 11, 24), (2, 3)),  # 6/6 split: 3+3 each
        ItemLoad(4, 9, None, None, (1,)),  # unscheduled: nowhere
        ItemLoad(5, 9, W47, W47, ()),  # nobody's
    ]
    hours = queries.person_week_hours(loads)
    assert dict(hours) == pytest.approx(
        {(1, W47): 10, (2, W47): 6 + 1.5, (3, W47): 1.5, (2, W48): 1.5, (3, W48): 1.5}
    )


@pytest.mark.parametrize(
    ("hours", "capacity", "level"),
    [(0, 40, "ok"), (31.9, 40, "ok"), (32, 40, "high"), (40, 40, "high"), (40.5, 40, "over"),
     (1, 0, "over"), (0, 0, "ok")],
)  # fmt: skip
def test_levels(hours, capacity, level):
    assert queries.level_of(hours, capacity) == level


# --- ranking, by hand


class Person:
    def __init__(self, pk: int, label: str):
        self.pk = pk
        self.label = label


def test_ranking_by_skills_then_free_hours_then_open_items():
    wang, li, zhang, zhao = Person(1, "王"), Person(2, "李"), Person(3, "张"), Person(4, "赵")
    candidates = [
        Candidate(zhang, frozenset(), free_hours=40, open_items=0),
        Candidate(li, frozenset({"设计"}), free_hours=30, open_items=1),
        Candidate(wang, frozenset({"设计", "文案"}), free_hours=12, open_items=3),
        Candidate(zhao, frozenset({"设计", "数据"}), free_hours=30, open_items=0),
    ]
    ranked = queries.rank_candidates(candidates, ["设计", "文案"], [W47, W48])
    assert [s.user.label for s in ranked] == ["王", "赵", "李", "张"]
    assert ranked[0].matching_skills == ["设计", "文案"]
    assert ranked[0].reason == "设计, 文案 · 12 h free in w47-w48"
    with translation.override("zh-hans"):
        reason = queries.rank_candidates(candidates, ["设计", "文案"], [W47, W48])[0].reason
    assert reason == "设计、文案 · w47-w48 有 12 小时空闲"
    assert ranked[1].reason == "设计 · 30 h free in w47-w48"
    assert ranked[3].reason == "no matching skills · 40 h free in w47-w48"


def test_over_allocated_people_say_so():
    ranked = queries.rank_candidates(
        [Candidate(Person(1, "王"), frozenset(), free_hours=-6, open_items=2)], [], [W49]
    )
    assert ranked[0].reason == "no matching skills · 6 h over in w49"


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("1.5h", 90), ("1h30m", 90), ("1h 30m", 90), ("90m", 90), ("1:30", 90), ("2", 120),
     ("45 min", 45), ("2小时30分钟", 150), ("0.25h", 15)],
)  # fmt: skip
def test_durations(text, minutes):
    assert queries.parse_duration(text) == minutes


@pytest.mark.parametrize("text", ["", "abc", "1.5x", "h", "1:75"])
def test_bad_durations_say_how_to_write_them(text):
    with pytest.raises(Invalid) as exc:
        queries.parse_duration(text)
    assert exc.value.field == "duration"


# --- against the database


@pytest.fixture
def team(workspace, owner, project):
    """王总 (owner, 40 h) and 设计师 (member, 20 h, skill 设计) with open items in D11."""
    owner_ms = membership_of(owner, workspace)
    designer = add_member(workspace, "designer", Role.MEMBER)
    design = actions.do_create_skill(actor=owner_ms, data=SkillIn(name="设计"))
    actions.do_create_skill(actor=owner_ms, data=SkillIn(name="文案"))
    actions.do_update_profile(
        actor=owner_ms,
        member=membership_of(designer, workspace),
        data=ProfilePatch(weekly_capacity=20, skill_ids=[design.pk]),
    )
    return owner_ms, designer, design


def _item(owner_ms, project, **data):
    return work_actions.do_create_item(actor=owner_ms, project=project, data=ItemIn(**data))


def test_workload_spreads_and_colours(team, project, django_assert_max_num_queries):
    owner_ms, designer, design = team
    # 30 h over w47-w48 (Thu-Tue, 4 days: 15 + 15), for the designer alone: 15/20 and 15/20.
    _item(owner_ms, project, title="海报", assignee_ids=[designer.pk], estimate_hours=30,
          start_date=date(2026, 11, 19), due_date=date(2026, 11, 24))  # fmt: skip
    # 16 h due in w47, shared with the owner: 8 each, so the designer is at 23/20.
    _item(owner_ms, project, title="文案", assignee_ids=[designer.pk, owner_ms.user_id],
          estimate_hours=16, due_date=date(2026, 11, 18))  # fmt: skip
    # Undated: listed apart. Done: not counted.
    _item(owner_ms, project, title="以后再说", assignee_ids=[designer.pk], estimate_hours=5)
    done = State.objects.get(project=project, group="done")
    _item(owner_ms, project, title="已完成", assignee_ids=[designer.pk], estimate_hours=50,
          due_date=date(2026, 11, 18), state_id=done.pk)  # fmt: skip
    filters = queries.parse_workload_filters({"from": "2026-11-18", "weeks": "3"})
    with django_assert_max_num_queries(8):
        found = queries.workload(owner_ms, filters)
    assert found.weeks == [W47, W48, W49]
    rows = {r.user.username: r for r in found.rows}
    cells = [(c.hours, c.capacity, c.level) for c in rows["designer"].cells]
    assert cells == [(23, 20, "over"), (15, 20, "ok"), (0, 20, "ok")]
    assert [(c.hours, c.level) for c in rows["owner"].cells] == [(8, "ok"), (0, "ok"), (0, "ok")]
    assert [i.title for i in found.unscheduled] == ["以后再说"]
    only_design = queries.workload(
        owner_ms, queries.parse_workload_filters({"from": "2026-11-18", "skill": str(design.pk)})
    )
    assert [r.user.username for r in only_design.rows] == ["designer"]
    cell = queries.cell_items(owner_ms, designer.pk, W47)
    assert [(c.item.title, c.hours) for c in cell] == [("海报", 15), ("文案", 8)]


def test_workload_query_count_does_not_grow(team, project, django_assert_max_num_queries):
    owner_ms, designer, _design = team
    for n in range(30):
        _item(owner_ms, project, title=f"任务 {n}", assignee_ids=[designer.pk, owner_ms.user_id],
              estimate_hours=4, due_date=date(2026, 11, 16 + n % 10))  # fmt: skip
    for n in range(5):
        add_member(owner_ms.workspace, f"extra{n}", Role.MEMBER)
    with django_assert_max_num_queries(8):
        found = queries.workload(owner_ms, queries.parse_workload_filters({"from": "2026-11-16"}))
    assert len(found.rows) == 7
    assert sum(c.hours for r in found.rows for c in r.cells) == pytest.approx(120)


def test_workload_counts_only_projects_the_viewer_sees(team, workspace, project):
    owner_ms, designer, _design = team
    from opsloop.work.schemas import ProjectIn

    secret = work_actions.do_create_project(
        actor=owner_ms, data=ProjectIn(name="保密", key="SEC", visibility="private")
    )
    _item(owner_ms, secret, title="机密", assignee_ids=[owner_ms.user_id], estimate_hours=10,
          due_date=date(2026, 11, 18))  # fmt: skip
    member_ms = membership_of(designer, workspace)
    filters = queries.parse_workload_filters({"from": "2026-11-16", "weeks": "1"})
    seen = {r.user.username: r.cells[0].hours for r in queries.workload(member_ms, filters).rows}
    assert seen["owner"] == 0
    seen = {r.user.username: r.cells[0].hours for r in queries.workload(owner_ms, filters).rows}
    assert seen["owner"] == 10


def test_suggestions_rank_by_label_skills_and_free_hours(team, workspace, project):
    owner_ms, designer, design = team
    writer = add_member(workspace, "writer", Role.MEMBER)
    label = work_actions.do_create_label(actor=owner_ms, data=LabelIn(name="设计"))
    # The designer is busy in w48 (16 of 20 h): 4 h free; the writer and owner are free.
    _item(owner_ms, project, title="忙", assignee_ids=[designer.pk], estimate_hours=16,
          due_date=date(2026, 11, 25))  # fmt: skip
    item = _item(owner_ms, project, title="新海报", label_ids=[label.pk],
                 due_date=date(2026, 11, 26), estimate_hours=6)  # fmt: skip
    work_actions.do_update_item(actor=owner_ms, item=item, data=ItemPatch(assignee_ids=[writer.pk]))
    item.refresh_from_db()
    ranked = queries.suggestions(owner_ms, item)
    assert [s.user.username for s in ranked][:1] == ["designer"]
    assert ranked[0].reason == "设计 · 4 h free in w48"
    # The item itself does not count against its own assignee.
    writer_row = next(s for s in ranked if s.user.username == "writer")
    assert writer_row.free_hours == 40
    assert {s.user.username for s in ranked} == {"designer", "writer", "owner"}


def test_time_report_per_person_and_project(team, workspace, project, owner):
    owner_ms, designer, _design = team
    designer_ms = membership_of(designer, workspace)
    a = _item(owner_ms, project, title="A", estimate_hours=10)
    b = _item(owner_ms, project, title="B", estimate_hours=4)
    for actor, item, text, day in [
        (owner_ms, a, "2h", "2026-01-05"),
        (designer_ms, a, "3h", "2026-01-06"),
        (designer_ms, b, "1h30m", "2026-01-07"),
        (designer_ms, b, "8h", "2025-12-01"),  # outside the range
    ]:
        actions.do_log_time(actor=actor, item=item, data=TimeEntryIn(duration=text, spent_on=day))
    report = queries.time_report(owner_ms, {"from": "2026-01-01", "to": "2026-01-31"})
    people = {r.name: (r.logged_hours, r.estimate_hours) for r in report.people}
    # A's 10 h split between the two who logged on it; B's 4 h is the designer's alone.
    assert people == {"王总": (2, 5), "designer": (4.5, 9)}
    assert [(r.logged_hours, r.estimate_hours) for r in report.projects] == [(6.5, 14)]
    assert (report.total_logged_hours, report.total_estimate_hours) == (6.5, 14)
    with pytest.raises(Invalid):
        queries.time_report(owner_ms, {"from": "2026-02-01", "to": "2026-01-01"})
