"""A tile of a KPI that counts a private project's items, and a goal tile whose key result
such a KPI measures: hidden from who does not see the project (naming nothing of it),
shown to the project's members."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from opsloop.core.models import Role, User
from opsloop.dashboards import actions, queries, tiles
from opsloop.goals import actions as goal_actions
from opsloop.goals.schemas import KeyResultIn, KpiIn, ObjectiveIn
from opsloop.insights.queries import local_today
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ProjectIn
from tests.conftest import ApiClient, add_member, membership_of
from tests.dashboards.conftest import make_board

API = "/api/v1/workspaces/acme/dashboards"


@pytest.fixture
def secret_board(owner_ms, workspace, project):
    """The board of conftest, plus a tile of SEC's items done a day; the objective's
    second key result is measured by that KPI too. `insider` is in SEC; `reader` not."""
    secret = work_actions.do_create_project(
        actor=owner_ms, data=ProjectIn(name="保密复盘", key="SEC", visibility="private")
    )
    insider = add_member(workspace, "insider", Role.MEMBER)
    work_actions.do_add_project_member(actor=owner_ms, project=secret, user_id=insider.pk)
    add_member(workspace, "reader", Role.MEMBER)
    board = make_board(owner_ms, project)
    kpi = goal_actions.do_create_kpi(
        actor=owner_ms,
        data=KpiIn(
            name="保密完成数",
            source="work",
            definition={"measure": "items_done", "project_ids": [secret.pk]},
        ),
    )
    goal_actions.do_add_key_result(
        actor=owner_ms,
        objective=board.objective,
        data=KeyResultIn(title="保密交付 10 项", kpi_id=kpi.pk, target_value=10),
    )
    tile = actions.do_add_tile(
        actor=owner_ms, dashboard=board.dashboard, data={"kind": "kpi", "kpi_id": kpi.pk}
    )
    return board, kpi, tile


def views_for(board, username: str, workspace) -> dict[int, tiles.TileView]:
    viewer = membership_of(User.objects.get(username=username), workspace)
    dashboard = board.dashboard
    shown = tiles.tile_views(dashboard, queries.list_tiles(dashboard), viewer=viewer)
    return {v.tile.pk: v for v in shown}


def test_a_kpi_tile_of_a_private_projects_work_is_hidden_and_names_nothing(secret_board, workspace):
    board, _kpi, tile = secret_board
    outside = views_for(board, "reader", workspace)
    hidden = outside[tile.pk]
    assert hidden.state == tiles.HIDDEN
    assert hidden.title == "KPI" and not hidden.data and not hidden.chart
    assert {v.state for k, v in outside.items() if k != tile.pk} <= {tiles.READY, tiles.PENDING}
    goal = outside[board.tiles["objective"].pk].data["report"]
    assert [r.key_result.title for r in goal.key_results] == ["粉丝到 3000"]
    inside = views_for(board, "insider", workspace)
    assert inside[tile.pk].state == tiles.READY
    assert inside[tile.pk].title == "保密完成数"
    assert inside[tile.pk].data["value"] == 0
    goal = inside[board.tiles["objective"].pk].data["report"]
    assert [r.key_result.title for r in goal.key_results] == ["粉丝到 3000", "保密交付 10 项"]


def test_through_the_api_and_on_the_page_it_says_only_that(secret_board, workspace):
    board, _kpi, tile = secret_board
    reader = ApiClient(User.objects.get(username="reader"))
    read = reader.get(f"{API}/{board.dashboard.pk}/tiles/{tile.pk}/data")
    assert read.status_code == 200
    assert read.json()["state"] == "hidden" and read.json()["data"] == {}
    goal = reader.get(f"{API}/{board.dashboard.pk}/tiles/{board.tiles['objective'].pk}/data")
    assert "保密" not in goal.content.decode("unicode_escape")
    insider = ApiClient(User.objects.get(username="insider"))
    shown = insider.get(f"{API}/{board.dashboard.pk}/tiles/{tile.pk}/data").json()
    assert shown["state"] == "ready" and len(shown["data"]["values"]) == 7

    def page(username: str) -> str:
        client = Client()
        client.force_login(User.objects.get(username=username))
        response = client.get(f"/w/acme/dashboards/{board.dashboard.pk}/")
        assert response.status_code == 200
        return response.content.decode()

    assert "保密" not in page("reader")
    assert "保密完成数" in page("insider")


def test_who_does_not_see_the_kpi_cannot_put_it_on_a_dashboard(secret_board, workspace):
    _board, kpi, _tile = secret_board
    reader = ApiClient(User.objects.get(username="reader"))
    mine = reader.post(API, {"name": "我的看板", "personal": True}).json()
    added = reader.post(f"{API}/{mine['id']}/tiles", {"kind": "kpi", "kpi_id": kpi.pk})
    assert added.status_code == 404
    assert "保密" not in added.content.decode("unicode_escape")


def test_a_kpi_tiles_target_is_never_from_an_objective_of_a_hidden_project(
    owner_ms, workspace, project
):
    secret = work_actions.do_create_project(
        actor=owner_ms, data=ProjectIn(name="保密复盘", key="SEC", visibility="private")
    )
    add_member(workspace, "reader", Role.MEMBER)
    fans = goal_actions.do_create_kpi(actor=owner_ms, data=KpiIn(name="粉丝", source="manual"))
    today = local_today(workspace)
    hidden_goal = goal_actions.do_create_objective(
        actor=owner_ms,
        data=ObjectiveIn(
            title="保密目标", level="project", project_id=secret.pk, period_kind="custom",
            start_date=today - dt.timedelta(days=1), end_date=today + dt.timedelta(days=30),
        ),
    )  # fmt: skip
    goal_actions.do_add_key_result(
        actor=owner_ms,
        objective=hidden_goal,
        data=KeyResultIn(title="保密粉丝目标", kpi_id=fans.pk, target_value=5000),
    )
    dashboard = actions.do_create_dashboard(actor=owner_ms, name="看板")
    tile = actions.do_add_tile(
        actor=owner_ms, dashboard=dashboard, data={"kind": "kpi", "kpi_id": fans.pk}
    )
    reader = ApiClient(User.objects.get(username="reader"))
    read = reader.get(f"{API}/{dashboard.pk}/tiles/{tile.pk}/data").json()
    assert read["state"] == "ready" and read["data"]["target"] is None
    assert read["data"]["key_result_id"] is None
    mine = ApiClient(owner_ms.user).get(f"{API}/{dashboard.pk}/tiles/{tile.pk}/data").json()
    assert mine["data"]["target"] == 5000
