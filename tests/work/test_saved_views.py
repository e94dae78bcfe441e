"""Saved views: private ones are their owner's alone; shared ones the project's."""

from __future__ import annotations

import pytest
from django.test import Client

from opsloop.core.errors import Forbidden, Invalid
from opsloop.work import actions
from opsloop.work.schemas import SavedViewIn, SavedViewPatch
from tests.conftest import PASSWORD, ApiClient, membership_of

V = "/api/v1/workspaces/acme/projects/D11/views"


def test_private_views_are_invisible_to_others(owner, member, admin_user, workspace, project):
    mine = actions.do_create_view(
        actor=membership_of(member, workspace), project=project, data=SavedViewIn(name="我的紧急", query="?priority=urgent&page=3")
    )  # fmt: skip
    assert mine.query == "priority=urgent"
    shared = actions.do_create_view(
        actor=membership_of(owner, workspace), project=project, data=SavedViewIn(name="全组看板", layout="board", shared=True)
    )  # fmt: skip
    assert [v["name"] for v in ApiClient(member).get(V).json()] == ["全组看板", "我的紧急"]
    assert [v["name"] for v in ApiClient(admin_user).get(V).json()] == ["全组看板"]
    assert ApiClient(admin_user).get(f"{V}/{mine.pk}").status_code == 404
    # Only its owner, the project owner or an admin change a shared view.
    with pytest.raises(Forbidden):
        actions.do_update_view(
            actor=membership_of(member, workspace), view=shared, data=SavedViewPatch(name="改")
        )
    actions.do_update_view(
        actor=membership_of(admin_user, workspace), view=shared, data=SavedViewPatch(name="改")
    )
    with pytest.raises(Invalid) as exc:
        actions.do_create_view(
            actor=membership_of(member, workspace),
            project=project,
            data=SavedViewIn(name="坏", query="sort=nope"),
        )
    assert exc.value.field == "query"


def test_guests_save_private_views_only(owner, guest, workspace, project):
    actions.do_add_project_member(
        actor=membership_of(owner, workspace), project=project, user_id=guest.pk
    )
    client = ApiClient(guest)
    assert client.post(V, {"name": "我的", "query": "priority=high"}).status_code == 201
    assert client.post(V, {"name": "共享", "shared": True}).status_code == 403


def test_save_open_and_delete_a_view_from_the_pages(owner, workspace, project):
    client = Client()
    assert client.login(username=owner.username, password=PASSWORD)
    response = client.post(
        "/w/acme/p/D11/views/", {"op": "create", "name": "日历视图", "layout": "calendar", "query": "priority=high"}
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"].endswith("?priority=high")
    board = client.post(
        "/w/acme/p/D11/views/", {"op": "create", "name": "看板", "layout": "board", "shared": "1"}
    )
    assert board["Location"] == "/w/acme/p/D11/board/"
    listing = client.get("/w/acme/p/D11/").content.decode()
    assert 'data-testid="views-menu"' in listing and "日历视图" in listing and "看板" in listing
    view = ApiClient(owner).get(V).json()[0]
    client.post("/w/acme/p/D11/views/", {"op": "delete", "view_id": view["id"]})
    assert len(ApiClient(owner).get(V).json()) == 1
