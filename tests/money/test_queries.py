"""Known answers of a campaign's budget against its spend, worked by hand
(docs/money.md#a-worked-example).

Lines: 抖音信息流 (ads, 抖音) 30,000 and 小红书达人 (KOL, 小红书) 20,000: planned 50,000.
Spent:
- the feed placement (ads line, 抖音): 11-02 5,000.00 and 11-09 7,500.50 = 12,500.50;
- the search placement (no line, no channel): 11-12 500.00;
- entries on the KOL line: 11-03 8,000 and 11-10 15,000 = 23,000 (over its 20,000);
- an entry on no line: 11-05 1,000;
- a top-up of the feed placement, 11-01 10,000: a payment, not counted.
Total 12,500.50 + 500 + 23,000 + 1,000 = 37,000.50; left 12,999.50; used 74.00 %.
Weeks (D11 runs 11-02 to 11-15, 14 days): W45 spent 5,000 + 8,000 + 1,000 = 14,000,
W46 spent 7,500.50 + 15,000 + 500 = 23,000.50; planned 25,000 each (50,000 over 14 days).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from opsloop.money import actions, queries
from opsloop.money.schemas import BudgetLineIn, SpendEntryIn
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ProjectIn, ProjectPatch

D = Decimal


def test_planned_against_spent_per_line(known, d11):
    budget = queries.budget_of(d11)
    assert budget.currency == "CNY"
    assert (budget.planned, budget.planned_from) == (D("50000.00"), "lines")
    assert budget.actual == D("37000.50")
    assert budget.left == D("12999.50")
    assert budget.used_percent == D("74.00")
    assert budget.overspent is False
    rows = [(f.name, f.planned, f.actual, f.left, f.overspent) for f in budget.lines]
    assert rows == [
        ("抖音信息流", D("30000.00"), D("12500.50"), D("17499.50"), False),
        ("小红书达人", D("20000.00"), D("23000.00"), D("-3000.00"), True),
        ("Not on a budget line", D("0.00"), D("1500.00"), D("-1500.00"), False),
    ]
    assert [f.line_id for f in budget.overspent_lines] == [known["kol"].pk]


def test_planned_against_spent_per_channel(known, d11):
    channels = {c.name: (c.planned, c.actual, c.overspent) for c in queries.budget_of(d11).channels}
    assert channels == {
        "抖音": (D("30000.00"), D("12500.50"), False),
        "小红书": (D("20000.00"), D("23000.00"), True),
        "No channel": (D("0.00"), D("1500.00"), False),
    }


def test_planned_against_spent_per_iso_week(known, d11):
    weeks = [
        (w.week, w.starts_on, w.planned, w.actual, w.planned_to_date, w.actual_to_date)
        for w in queries.budget_of(d11).weeks
    ]
    assert weeks == [
        ("2026-W45", dt.date(2026, 11, 2), D("25000.00"), D("14000.00"), D("25000.00"),
         D("14000.00")),
        ("2026-W46", dt.date(2026, 11, 9), D("25000.00"), D("23000.50"), D("50000.00"),
         D("37000.50")),
    ]  # fmt: skip


def test_weeks_add_up_to_the_budget_when_it_does_not_divide(d11, owner_ms):
    """10,000 over 14 days, from a Wednesday: 5 days, 7 days, 2 days."""
    work_actions.do_update_project(
        actor=owner_ms, project=d11,
        data=ProjectPatch(start_date=dt.date(2026, 11, 4), end_date=dt.date(2026, 11, 17)),
    )  # fmt: skip
    d11.refresh_from_db()
    actions.do_create_line(
        actor=owner_ms, project=d11,
        data=BudgetLineIn(name="奖品", category="prizes", planned=D("10000")),
    )  # fmt: skip
    weeks = queries.budget_of(d11).weeks
    assert [w.planned for w in weeks] == [D("3571.43"), D("5000.00"), D("1428.57")]
    assert sum(w.planned for w in weeks) == D("10000.00")
    assert [w.week for w in weeks] == ["2026-W45", "2026-W46", "2026-W47"]


def test_overspend_in_total(known, d11, owner_ms):
    actions.do_create_entry(
        actor=owner_ms, project=d11,
        data=SpendEntryIn(day=dt.date(2026, 11, 14), amount=D("13000"), line_id=known["ads"].pk),
    )  # fmt: skip
    budget = queries.budget_of(d11)
    assert budget.actual == D("50000.50")
    assert budget.overspent is True and budget.left == D("-0.50")
    assert budget.used_percent == D("100.00")  # 100.001 % to two places
    # The KPI's value: 0.50 over 50,000 is -0.001 % left, below 0 (the alert's threshold).
    assert queries.budget_left_percent(budget) == -0.001


def test_without_lines_the_plan_is_the_projects_budget(workspace, owner_ms):
    project = work_actions.do_create_project(
        actor=owner_ms, data=ProjectIn(name="会员日", key="VIP", budget=D("8000"))
    )
    actions.do_create_entry(
        actor=owner_ms, project=project,
        data=SpendEntryIn(day=dt.date(2026, 5, 1), amount=D("9000.10")),
    )  # fmt: skip
    budget = queries.budget_of(project)
    assert (budget.planned, budget.planned_from) == (D("8000.00"), "project")
    assert budget.overspent and budget.left == D("-1000.10")
    assert budget.lines[0].line is None and budget.weeks[0].planned is None
    bare = work_actions.do_create_project(actor=owner_ms, data=ProjectIn(name="空", key="NIL"))
    nothing = queries.budget_of(bare)
    assert (nothing.planned, nothing.planned_from, nothing.actual) == (None, "none", D("0.00"))
    assert nothing.weeks == [] and nothing.overspent is False


def test_placement_figures_per_placement_and_per_day(known, d11):
    feed = queries.get_placement(d11, known["feed"].pk)
    f = feed.figures
    assert (f.spend, f.impressions, f.clicks, f.conversions) == (D("12500.50"), 250_000, 4_500, 75)
    # CTR 4,500 / 250,000 = 1.8 %; CPC 12,500.50 / 4,500 = 2.7779; CPM 12,500.50 / 250 = 50.002.
    assert (f.ctr, f.cpc, f.cpm) == (D("1.80"), D("2.78"), D("50.00"))
    days = queries.placement_days(feed)
    assert [(d.day, g.ctr, g.cpc, g.cpm) for d, g in days] == [
        (dt.date(2026, 11, 2), D("2.00"), D("2.50"), D("50.00")),
        (dt.date(2026, 11, 9), D("1.67"), D("3.00"), D("50.00")),
    ]
    search = queries.get_placement(d11, known["search"].pk).figures
    assert (search.ctr, search.cpc, search.cpm, search.conversions) == (None, None, None, None)
    listed = {p.name: p.figures.spend for p in queries.list_placements(d11)}
    assert listed == {"双十一-信息流-拉新": D("12500.50"), "双十一-搜索": D("500.00")}


def test_list_queries_are_bounded(known, d11, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        queries.budget_of(d11)
    with django_assert_max_num_queries(1):
        entries = queries.list_entries(d11)
        [(e.line and e.line.name, e.placement and e.placement.name) for e in entries]
    with django_assert_max_num_queries(1):
        placements = queries.list_placements(d11)
        [(p.figures.spend, p.budget_line and p.budget_line.name) for p in placements]


def test_planned_by_project_adds_up_the_lines(known, d11, owner_ms):
    bare = work_actions.do_create_project(actor=owner_ms, data=ProjectIn(name="空", key="NIL"))
    assert queries.planned_by_project([d11.pk, bare.pk]) == {d11.pk: D("50000.00")}
    assert queries.spent_by_project([d11.pk, bare.pk]) == {d11.pk: D("37000.50")}
