"""The dashboards API: make a dashboard, add its tiles, arrange them, read what each
shows, and share it read-only; bad input answered with the field at fault."""

from __future__ import annotations

from opsloop.dashboards import actions
from opsloop.dashboards.models import Dashboard, DashboardShare
from opsloop.goals import actions as goal_actions
from opsloop.goals.schemas import KpiIn
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ProjectIn
from tests.conftest import ApiClient, add_member
from tests.dashboards.conftest import make_board

API = "/api/v1/workspaces/acme/dashboards"


def test_a_dashboard_made_tiled_arranged_and_read_through_the_api(api, owner_ms, project):
    kpi = goal_actions.do_create_kpi(
        actor=owner_ms, data=KpiIn(name="GMV", source="manual", unit="万元")
    )
    goal_actions.do_record_kpi_values(actor=owner_ms, kpi=kpi, values=[("2026-12-01", 88.5)])
    made = api.post(
        API,
        {
            "name": "双十一作战室",
            "date_range": {"preset": "custom", "date_from": "2026-11-25", "date_to": "2026-12-01"},
            "filters": [{"key": "utm_source", "value": "douyin"}],
        },
    )
    assert made.status_code == 201, made.content
    board = made.json()
    assert board["tiles"] == [] and board["can_change"] is True
    assert board["filters"] == [
        {"type": "event", "key": "utm_source", "op": "eq", "value": "douyin"}
    ]
    url = f"{API}/{board['id']}"
    number = api.post(f"{url}/tiles", {"kind": "kpi", "kpi_id": kpi.pk}).json()
    text = api.post(f"{url}/tiles", {"kind": "note", "text": "# 要点", "w": 9}).json()
    assert (number["x"], number["y"], number["w"], number["h"]) == (0, 0, 3, 3)
    assert (text["x"], text["y"], text["w"]) == (3, 0, 9)
    arranged = api.put(
        f"{url}/layout",
        {"tiles": [{"id": text["id"], "x": 0, "y": 0, "w": 9, "h": 3},
                   {"id": number["id"], "x": 9, "y": 0, "w": 3, "h": 3}]},
    )  # fmt: skip
    assert arranged.status_code == 200, arranged.content
    assert [(t["id"], t["x"]) for t in arranged.json()] == [(text["id"], 0), (number["id"], 9)]
    data = api.get(f"{url}/tiles/{number['id']}/data").json()
    assert data["state"] == "ready" and data["title"] == "GMV"
    assert data["data"]["value"] == 88.5 and data["data"]["values"] == [
        {"day": "2026-12-01", "value": 88.5}
    ]
    assert "<h1>要点</h1>" in api.get(f"{url}/tiles/{text['id']}/data").json()["data"]["html"]
    patched = api.patch(f"{url}/tiles/{text['id']}", {"title": "本周", "h": 2}).json()
    assert (patched["title"], patched["h"]) == ("本周", 2)
    assert api.delete(f"{url}/tiles/{number['id']}").status_code == 204
    assert [t["id"] for t in api.get(url).json()["tiles"]] == [text["id"]]
    renamed = api.patch(url, {"name": "大促看板", "refresh_seconds": 60}).json()
    assert (renamed["name"], renamed["refresh_seconds"]) == ("大促看板", 60)
    assert [d["name"] for d in api.get(API).json()] == ["大促看板"]
    assert api.delete(url).status_code == 204
    assert not Dashboard.objects.exists()


def test_every_tile_reads_through_the_api(api, owner_ms, project):
    board = make_board(owner_ms, project)
    url = f"{API}/{board.dashboard.pk}/tiles"
    read = {k: api.get(f"{url}/{t.pk}/data").json() for k, t in board.tiles.items()}
    assert {r["state"] for r in read.values()} == {"ready"}
    assert read["kpi"]["data"]["value"] == 1200 and read["kpi"]["data"]["target"] == 3000
    assert read["insight"]["data"]["result"]["kind"] == "trends"
    assert read["objective"]["data"]["key_results"][0]["title"] == "粉丝到 3000"
    assert len(read["burnup"]["data"]["days"]) == 7
    assert read["at_risk"]["data"]["count"] == 1
    assert read["at_risk"]["data"]["items"][0]["reasons"]


def test_a_share_link_is_shown_once_and_opens_read_only(api, owner_ms, project):
    board = make_board(owner_ms, project)
    url = f"{API}/{board.dashboard.pk}/shares"
    made = api.post(url, {"expires_in_days": 30})
    assert made.status_code == 201, made.content
    share = made.json()
    assert share["path"] == f"/s/d/{share['token']}/" and share["prefix"] == share["token"][:8]
    assert DashboardShare.objects.get(pk=share["id"]).token_hash != share["token"]
    listed = api.get(url).json()
    assert [s["id"] for s in listed] == [share["id"]] and "token" not in listed[0]
    anonymous = ApiClient()
    page = anonymous.get(share["path"])
    assert page.status_code == 200 and "双十一作战室" in page.content.decode()
    assert page["X-Robots-Tag"] == "noindex" and page["Referrer-Policy"] == "no-referrer"
    assert 'name="op"' not in page.content.decode()  # no forms on a read-only page
    revoked = api.delete(f"{url}/{share['id']}")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert anonymous.get(share["path"]).status_code == 404
    tile = board.tiles["kpi"]
    assert anonymous.get(f"{share['path']}tiles/{tile.pk}/").status_code == 404


def test_bad_input_names_the_field_and_changes_nothing(api, owner_ms):
    made = api.post(API, {"name": "看板"}).json()
    url = f"{API}/{made['id']}"
    refused = [
        (api.post(API, {"name": "看板", "refresh_seconds": 1}), "refresh_seconds"),
        (api.post(API, {"name": "看板", "date_range": {"preset": "next_week"}}), "date_range"),
        (api.patch(url, {"filters": [{"key": "city", "op": "in", "value": "上海"}]}), "filters"),
        (api.post(f"{url}/tiles", {"kind": "kpi"}), "kpi_id"),
        (api.post(f"{url}/tiles", {"kind": "note", "text": "a", "x": 11, "w": 3}), "w"),
        (
            api.put(f"{url}/layout", {"tiles": [{"id": 123456, "x": 0, "y": 0, "w": 3, "h": 2}]}),
            "tiles.0.id",
        ),
        (api.post(f"{url}/shares", {"expires_in_days": 400}), "expires_in_days"),
    ]
    for response, field in refused:
        assert response.status_code == 400, response.content
        assert response.json()["field"] == field, response.json()
        assert response.json()["message"]
    assert api.get(f"{url}/tiles/123456/data").status_code == 404
    assert api.get(f"{API}/123456").status_code == 404
    assert api.get(url).json()["tiles"] == [] and Dashboard.objects.count() == 1


def test_a_tile_of_a_project_the_caller_may_not_see_says_only_that(owner_ms, project, workspace):
    secret = work_actions.do_create_project(
        actor=owner_ms, data=ProjectIn(name="保密复盘", key="SEC", visibility="private")
    )
    board = make_board(owner_ms, project)
    tile = actions.do_add_tile(
        actor=owner_ms, dashboard=board.dashboard, data={"kind": "at_risk", "project_id": secret.pk}
    )
    reader = ApiClient(add_member(workspace, "reader", "member"))
    read = reader.get(f"{API}/{board.dashboard.pk}/tiles/{tile.pk}/data")
    assert read.status_code == 200
    assert read.json()["state"] == "hidden" and read.json()["data"] == {}
    assert "保密" not in read.content.decode("unicode_escape")
