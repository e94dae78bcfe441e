"""The portfolio's rows, filters, groups and sorting, with known answers from the world
in conftest.py, and a read that does not grow with the number of projects."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from opsloop.core.errors import Invalid
from opsloop.goals import actions as goal_actions
from opsloop.goals.schemas import LinksIn
from opsloop.planning import actions as planning_actions
from opsloop.planning.schemas import MilestoneIn
from opsloop.portfolio import queries
from opsloop.portfolio.queries import PortfolioFilters, parse_filters, portfolio_rows
from opsloop.progress import queries as progress_queries
from tests.portfolio.conftest import D1, TODAY, make_project
from tests.progress.conftest import Maker


def _keys(rows) -> list[str]:
    return [r.key for r in rows]


def test_a_row_has_progress_risk_late_milestones_and_key_results(world):
    rows = {r.key: r for r in portfolio_rows(world.owner_ms, today=TODAY)}
    d11 = rows["D11"]
    assert (d11.kind, d11.stage, d11.owner_name) == ("campaign", "executing", "王总")
    assert (d11.start_date, d11.end_date) == (date(2026, 10, 20), date(2026, 11, 15))
    # 2 of 4 items done; the poster due on the 6th is past due; its milestone (the 8th)
    # is late, the one whose item is done is not.
    assert (d11.items, d11.done, d11.progress) == (4, 2, 50)
    assert d11.items_at_risk == 1
    assert (d11.milestones, d11.milestones_late) == (2, 1)
    assert d11.budget == Decimal("50000") and d11.spent is None
    # The owner sees every project, so both key results; GMV 140 of 100 -> 500 is 10%.
    titles = {kr.title: kr for kr in d11.key_results}
    assert set(titles) == {"GMV 到 500 万", "机密KR"}
    assert titles["GMV 到 500 万"].progress == pytest.approx(0.1)
    assert titles["GMV 到 500 万"].status in {"on_track", "at_risk", "off_track"}
    assert rows["CNT"].progress is None and rows["CNT"].owner_name == "李运营"


def test_the_same_numbers_as_the_progress_page(world):
    """No logic of its own: the counts are progress's, project by project."""
    row = next(r for r in portfolio_rows(world.owner_ms, today=TODAY) if r.key == "D11")
    snapshot = progress_queries.load_snapshot(world.d11)
    risks = progress_queries.items_at_risk(world.d11, TODAY, snapshot=snapshot)
    assert row.items_at_risk == len(risks)
    pva = progress_queries.planned_vs_actual(world.d11, TODAY, snapshot=snapshot)
    assert (row.items, row.done) == (pva.scope, pva.done)


def test_members_see_no_private_project_and_no_hidden_key_result(world):
    rows = portfolio_rows(world.member_ms, today=TODAY)
    assert "SEC" not in _keys(rows)
    d11 = next(r for r in rows if r.key == "D11")
    assert [kr.title for kr in d11.key_results] == ["GMV 到 500 万"]


def test_guests_see_only_shared_projects_and_no_goals(world):
    rows = portfolio_rows(world.guest_ms, today=TODAY)
    assert _keys(rows) == ["D11"]
    assert rows[0].key_results == ()


def test_filters(world):
    def keys(**params) -> list[str]:
        return sorted(_keys(portfolio_rows(world.owner_ms, parse_filters(params), today=TODAY)))

    assert keys(kind="campaign") == ["D11"]
    assert keys(kind=["campaign", "content"]) == ["CNT", "D11"]
    assert keys(kind="campaign,growth") == ["D11", "SEC"]
    assert keys(stage="planning") == ["CNT"]
    assert keys(owner=str(world.member_ms.user_id)) == ["CNT"]
    assert keys(quarter="2026-Q4") == ["D11", "SEC"]  # SEC has a start only: that day
    assert keys(quarter="2027-q1") == ["CNT"]
    assert keys(quarter="2026-Q3") == []
    assert keys(q="d1") == ["D11"]
    assert keys(q="内容") == ["CNT"]


def test_quarters_span_their_projects(world):
    # From September to January: it touches Q3 and Q4 of 2026 and Q1 of 2027.
    make_project(world.owner_ms, "LONG", "跨季度", start_date=date(2026, 9, 1),
                 end_date=date(2027, 1, 31))  # fmt: skip
    for quarter in ("2026-Q3", "2026-Q4", "2027-Q1"):
        rows = portfolio_rows(world.owner_ms, parse_filters({"quarter": quarter}), today=TODAY)
        assert "LONG" in _keys(rows)
    rows = portfolio_rows(world.owner_ms, parse_filters({"quarter": "2027-Q2"}), today=TODAY)
    assert "LONG" not in _keys(rows)
    assert queries.quarter_days("2026-Q4") == (date(2026, 10, 1), date(2026, 12, 31))


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "tv"}, "kind"),
        ({"stage": "done"}, "stage"),
        ({"owner": "me"}, "owner"),
        ({"quarter": "2026-Q5"}, "quarter"),
        ({"quarter": "Q1"}, "quarter"),
        ({"group": "colour"}, "group"),
        ({"sort": "-colour"}, "sort"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_bad_filters_are_errors(params, field):
    with pytest.raises(Invalid) as exc:
        parse_filters(params)
    assert exc.value.field == field


def test_groups_with_subtotals(world):
    table = queries.portfolio(world.owner_ms, PortfolioFilters(group="kind"), today=TODAY)
    assert [(g.key, g.count, g.budget) for g in table.groups] == [
        ("campaign", 1, Decimal("50000")),
        ("content", 1, Decimal("8000.50")),
        ("growth", 1, Decimal("99999")),
    ]
    assert table.total.count == 3 and table.total.budget == Decimal("157999.50")
    assert table.total.spent is None

    by_owner = queries.portfolio(world.owner_ms, PortfolioFilters(group="owner"), today=TODAY)
    assert [(g.label, g.count) for g in by_owner.groups] == [("李运营", 1), ("王总", 2)]

    make_project(world.owner_ms, "NODT", "无日期", budget=Decimal("1"))
    by_quarter = queries.portfolio(world.owner_ms, PortfolioFilters(group="quarter"), today=TODAY)
    assert [(g.key, g.count) for g in by_quarter.groups] == [
        ("2026-Q4", 2), ("2027-Q1", 1), ("none", 1),
    ]  # fmt: skip
    by_stage = queries.portfolio(world.owner_ms, PortfolioFilters(group="stage"), today=TODAY)
    assert [g.key for g in by_stage.groups] == ["planning", "executing"]


def test_subtotals_leave_out_private_projects(world):
    table = queries.portfolio(world.member_ms, PortfolioFilters(group="kind"), today=TODAY)
    assert [g.key for g in table.groups] == ["campaign", "content"]
    assert table.total.budget == Decimal("58000.50")


def test_sorting(world):
    def order(sort: str) -> list[str]:
        return _keys(portfolio_rows(world.owner_ms, PortfolioFilters(sort=sort), today=TODAY))

    assert order("budget") == ["CNT", "D11", "SEC"]
    assert order("-budget") == ["SEC", "D11", "CNT"]
    # Rows without a value come last either way.
    assert order("progress") == ["SEC", "D11", "CNT"]
    assert order("-progress") == ["D11", "SEC", "CNT"]
    assert order("end") == ["D11", "CNT", "SEC"]
    assert order("-end") == ["CNT", "D11", "SEC"]
    assert order("-late")[0] == "D11"


def _add_projects(world, start: int, stop: int) -> None:
    """Projects P<start>..P<stop - 1>: some private (the member in half of them, the
    guest in a quarter), each
    with two items (one past due), a milestone, and linked to the GMV key result."""
    added = []
    for i in range(start, stop):
        project = make_project(
            world.owner_ms, f"P{i}", f"项目{i}", budget=Decimal(i), start_date=D1,
            visibility="private" if i % 3 == 0 else "workspace",
            member_ids=([world.member_ms.user_id] if i % 2 else [])
            + ([world.guest_ms.user_id] if i % 4 == 1 else []),
        )  # fmt: skip
        make = Maker(project, world.owner_ms.user, world.owner_ms.workspace)
        item = make.create("任务", D1, due_date=D1)
        make.create("任务2", D1, due_date=TODAY)
        planning_actions.do_create_milestone(
            actor=world.owner_ms, project=project,
            data=MilestoneIn(name="M", date=D1, item_refs=[item.ref]),
        )  # fmt: skip
        added.append(project.pk)
    linked = list(world.key_result.projects.values_list("pk", flat=True))
    goal_actions.do_link_work(
        actor=world.owner_ms, key_result=world.key_result,
        data=LinksIn(project_ids=linked + added),
    )  # fmt: skip


@pytest.mark.parametrize("who", ["owner_ms", "member_ms", "guest_ms"])
def test_the_table_is_read_in_a_bounded_number_of_queries(
    world, who, django_assert_max_num_queries, django_assert_num_queries
):
    reader = getattr(world, who)
    _add_projects(world, 0, 3)
    with django_assert_max_num_queries(20) as few:
        small = portfolio_rows(reader, PortfolioFilters(group="kind"), today=TODAY)
    _add_projects(world, 3, 30)
    with django_assert_num_queries(len(few.captured_queries)):
        large = portfolio_rows(reader, PortfolioFilters(group="kind"), today=TODAY)
    assert len(large) > len(small)
    if who != "guest_ms":
        linked = [r for r in large if r.key.startswith("P") and r.key_results]
        assert len(linked) == len([r for r in large if r.key.startswith("P")]) > 3
