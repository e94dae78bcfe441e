"""The portfolio tile: added on the page and through the API, narrowed by kind and
stage, read as each member sees the workspace (a private project never shows), and
shown read-only through a share link without links into the workspace."""

from __future__ import annotations

import re
from decimal import Decimal

from django.test import Client

from opsloop.core.models import Role
from opsloop.dashboards import actions, tiles
from opsloop.dashboards.models import DashboardTile
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ProjectIn
from tests.conftest import ApiClient, add_member, membership_of

API = "/api/v1/workspaces/acme/dashboards"


def _projects(owner_ms):
    work_actions.do_create_project(
        actor=owner_ms,
        data=ProjectIn(name="小红书内容", key="CNT", kind="content", budget=Decimal("8000")),
    )
    work_actions.do_create_project(
        actor=owner_ms,
        data=ProjectIn(
            name="机密并购", key="SEC", kind="campaign", visibility="private",
            budget=Decimal("99999"),
        ),
    )  # fmt: skip


def test_a_portfolio_tile_through_the_api(api, owner_ms, project, workspace):
    _projects(owner_ms)
    board = api.post(API, {"name": "项目总览"}).json()
    url = f"{API}/{board['id']}"
    made = api.post(f"{url}/tiles", {"kind": "portfolio", "options": {"kind": ["campaign"]}})
    assert made.status_code == 201, made.content
    tile = made.json()
    assert tile["options"] == {"kind": ["campaign"]} and (tile["w"], tile["h"]) == (12, 5)
    data = api.get(f"{url}/tiles/{tile['id']}/data").json()
    assert data["state"] == "ready"
    assert [r["key"] for r in data["data"]["rows"]] == ["D11", "SEC"]
    # A member outside the private project reads the same tile without it.
    member = add_member(workspace, "member", Role.MEMBER)
    seen = ApiClient(member).get(f"{url}/tiles/{tile['id']}/data").json()
    assert [r["key"] for r in seen["data"]["rows"]] == ["D11"]
    assert "机密" not in str(seen) and "99999" not in str(seen)
    changed = api.patch(f"{url}/tiles/{tile['id']}", {"options": {"stage": ["planning"]}})
    assert changed.json()["options"] == {"stage": ["planning"]}
    bad = api.post(f"{url}/tiles", {"kind": "portfolio", "options": {"kind": ["tv"]}})
    assert bad.status_code == 400 and bad.json()["field"] == "kind"
    bad = api.post(f"{url}/tiles", {"kind": "portfolio", "options": {"owner": ["1"]}})
    assert bad.status_code == 400 and bad.json()["field"] == "options"


def test_a_portfolio_tile_on_the_page_and_through_a_share_link(owner, owner_ms, project):
    _projects(owner_ms)
    board = actions.do_create_dashboard(actor=owner_ms, name="项目总览")
    client = Client()
    client.force_login(owner)
    url = f"/w/acme/dashboards/{board.pk}/"
    client.post(
        url,
        {"op": "add_tile", "kind": "portfolio", "portfolio_kind": ["campaign", "content"]},
    )
    tile = DashboardTile.objects.get(dashboard=board)
    assert tile.options == {"kind": ["campaign", "content"]}
    body = client.get(url).content.decode()
    assert 'data-kind="portfolio"' in body and 'data-testid="portfolio-table"' in body
    assert "小红书内容" in body and "双十一大促" in body and "/w/acme/p/D11/progress/" in body
    view = tiles.tile_views(board, [tile], viewer=membership_of(owner, owner_ms.workspace))[0]
    assert [r.key for r in view.data["rows"]] == ["D11", "CNT", "SEC"] or {
        r.key for r in view.data["rows"]
    } == {"D11", "CNT", "SEC"}
    made = client.post(url, {"op": "share", "days": "7"}, follow=True)
    link = re.search(r"(/s/d/[\w-]+/)", made.content.decode()).group(1)
    shared = Client().get(link).content.decode()
    assert "双十一大促" in shared and "/w/acme/" not in shared
