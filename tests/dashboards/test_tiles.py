"""What each tile shows, read under the dashboard's days and filters, as its reader may
see it: a KPI's latest value, change and target; a saved insight (pending until it has
run, then from the cache); an objective's progress; a project's burn-up and items at
risk; a note. One broken tile shows its error and the others go on."""

from __future__ import annotations

import datetime as dt

from opsloop.dashboards import actions, queries, tiles
from opsloop.insights.models import Insight
from opsloop.insights.queries import local_today
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ProjectIn
from tests.conftest import add_member, membership_of
from tests.dashboards.conftest import make_board
from tests.events.test_actions import make_person
from tests.insights.test_api import send, today_at


def views_of(board, viewer, **options):
    dashboard = board.dashboard
    return {
        v.kind: v
        for v in tiles.tile_views(
            dashboard, queries.list_tiles(dashboard), viewer=viewer, **options
        )
    }


def test_each_kind_of_tile_shows_what_it_reads(board, owner_ms):
    views = views_of(board, owner_ms, wait=True)
    assert {v.state for v in views.values()} == {tiles.READY}
    kpi = views["kpi"].data
    # 1,000 → 1,200 over the five days: +20%; 10% of the way from 1,000 to 3,000.
    assert kpi["value"] == 1200 and round(kpi["change"], 6) == 20
    assert kpi["target"] == 3000 and round(kpi["progress"], 6) == 0.1
    assert views["kpi"].chart["data"] == [1000, 1050, 1100, 1150, 1200]
    assert views["kpi"].title == "公众号粉丝"
    assert views["insight"].data["kind"] == "trends"
    assert views["objective"].data["report"].objective == board.objective
    assert views["burnup"].data["scope"] == 1 and views["burnup"].data["done"] == 0
    assert len(views["burnup"].chart["x"]) == 7  # the dashboard's last 7 days
    assert views["at_risk"].data["count"] == 1
    assert views["at_risk"].data["risks"][0].item.title == "预热海报"
    assert "<strong>本周重点</strong>" in views["note"].data["html"]


def test_an_insight_tile_is_pending_until_run_then_read_from_the_cache(board, owner_ms):
    assert views_of(board, owner_ms)["insight"].state == tiles.PENDING
    assert views_of(board, owner_ms, wait=True)["insight"].state == tiles.READY
    assert views_of(board, owner_ms)["insight"].state == tiles.READY


def test_the_dashboards_days_and_filters_apply_to_every_insight(board, owner_ms, workspace):
    one, two = make_person(workspace, "u1"), make_person(workspace, "u2")
    send(workspace, one, "app_open", today_at(workspace, 9, days=1), utm_source="douyin")
    send(workspace, two, "app_open", today_at(workspace, 9, days=1), utm_source="wechat")
    send(workspace, two, "app_open", today_at(workspace, 9, days=20), utm_source="douyin")

    def daily() -> list:
        result = views_of(board, owner_ms, wait=True)["insight"].data["result"]
        (series,) = result["series"]
        return series["data"]

    saved = Insight.objects.get(pk=board.insight.pk).query
    values = daily()
    assert len(values) == 7 and sum(v or 0 for v in values) == 2  # day 20 is out of range
    actions.do_update_dashboard(
        actor=owner_ms,
        dashboard=board.dashboard,
        changes={
            "date_range": {"preset": "last_30_days"},
            "filters": [{"key": "utm_source", "value": "douyin"}],
        },
    )
    values = daily()
    assert len(values) == 30 and sum(v or 0 for v in values) == 2  # u1 yesterday, u2 day 20
    assert Insight.objects.get(pk=board.insight.pk).query == saved  # the insight as it was


def test_a_tile_of_a_project_the_reader_may_not_see_is_hidden_and_names_nothing(
    owner_ms, workspace, project
):
    secret = work_actions.do_create_project(
        actor=owner_ms, data=ProjectIn(name="保密复盘", key="SEC", visibility="private")
    )
    board = make_board(owner_ms, project)
    for kind in ("burnup", "at_risk"):
        actions.do_add_tile(
            actor=owner_ms, dashboard=board.dashboard, data={"kind": kind, "project_id": secret.pk}
        )
    reader = membership_of(add_member(workspace, "reader", "member"), workspace)
    shown = tiles.tile_views(board.dashboard, queries.list_tiles(board.dashboard), viewer=reader)
    hidden = [v for v in shown if v.state == tiles.HIDDEN]
    assert [v.tile.project_id for v in hidden] == [secret.pk, secret.pk]
    assert all("保密" not in v.title and not v.data and not v.chart for v in hidden)
    assert [v.title for v in hidden] == ["Project burn-up", "Items at risk"]
    # The owner, in the project, sees them.
    mine = tiles.tile_views(board.dashboard, queries.list_tiles(board.dashboard), viewer=owner_ms)
    assert tiles.HIDDEN not in {v.state for v in mine}


def test_a_broken_tile_shows_its_error_and_the_others_go_on(board, owner_ms):
    Insight.objects.filter(pk=board.insight.pk).update(query={"kind": "trends", "series": []})
    views = views_of(board, owner_ms, wait=True)
    assert views["insight"].state == tiles.ERROR and views["insight"].message
    assert views["insight"].title == "日活"
    assert {v.state for k, v in views.items() if k != "insight"} == {tiles.READY}


def test_a_kpi_tile_without_values_in_the_days_says_so(owner_ms, project):
    board = make_board(owner_ms, project)
    later = local_today(owner_ms.workspace) - dt.timedelta(days=60)
    actions.do_update_dashboard(
        actor=owner_ms,
        dashboard=board.dashboard,
        changes={"date_range": {"preset": "custom", "date_from": later, "date_to": later}},
    )
    kpi = views_of(board, owner_ms)["kpi"]
    assert kpi.state == tiles.READY and kpi.data["value"] is None and kpi.chart["data"] == []


def test_a_dashboard_reads_in_a_fixed_number_of_queries(
    owner_ms, project, django_assert_max_num_queries
):
    board = make_board(owner_ms, project)
    for n in range(6):
        actions.do_add_tile(
            actor=owner_ms, dashboard=board.dashboard,
            data={"kind": "kpi" if n % 2 else "burnup", "kpi_id": board.kpi.pk,
                  "project_id": project.pk},
        )  # fmt: skip
    tile_rows = queries.list_tiles(board.dashboard)
    with django_assert_max_num_queries(40) as counted:
        tiles.tile_views(board.dashboard, tile_rows, viewer=owner_ms)
    few = len(counted.captured_queries)
    for n in range(6):
        actions.do_add_tile(
            actor=owner_ms, dashboard=board.dashboard,
            data={"kind": "kpi" if n % 2 else "at_risk", "kpi_id": board.kpi.pk,
                  "project_id": project.pk},
        )  # fmt: skip
    tile_rows = queries.list_tiles(board.dashboard)
    with django_assert_max_num_queries(few + 2):
        tiles.tile_views(board.dashboard, tile_rows, viewer=owner_ms)
