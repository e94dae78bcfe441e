"""The workspace timeline grouped by project: the API's groups, the page's option, and
private projects left out of both."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from opsloop.work import actions as work_actions
from opsloop.work.schemas import ItemIn, ProjectIn
from tests.conftest import ApiClient, membership_of

BASE = "/api/v1/workspaces/acme"


@pytest.fixture
def plan(owner, workspace, project, member):
    ms = membership_of(owner, workspace)
    cnt = work_actions.do_create_project(actor=ms, data=ProjectIn(name="Q4 内容", key="CNT"))
    sec = work_actions.do_create_project(
        actor=ms, data=ProjectIn(name="机密项目", key="SEC", visibility="private")
    )
    for p, title in (
        (project, "主会场海报"),
        (cnt, "公众号推文"),
        (project, "预热页"),
        (sec, "机密"),
    ):
        work_actions.do_create_item(
            actor=ms, project=p,
            data=ItemIn(title=title, start_date=date(2026, 11, 1), due_date=date(2026, 11, 3)),
        )  # fmt: skip
    return ms


def test_the_api_groups_bars_by_project(plan, owner, member):
    body = ApiClient(owner).get(f"{BASE}/timeline?group=project").json()
    assert [(g["project"], g["name"], len(g["item_ids"])) for g in body["groups"]] == [
        ("CNT", "Q4 内容", 1), ("D11", "双十一大促", 2), ("SEC", "机密项目", 1),
    ]  # fmt: skip
    assert body["projects"]["D11"] == "双十一大促"
    ids = {i["id"] for i in body["items"]}
    assert {pk for g in body["groups"] for pk in g["item_ids"]} == ids
    # Without the option there are no groups; members do not see the private project.
    assert "groups" not in ApiClient(owner).get(f"{BASE}/timeline").json()
    mine = ApiClient(member).get(f"{BASE}/timeline?group=project").json()
    assert [g["project"] for g in mine["groups"]] == ["CNT", "D11"]
    assert "机密" not in str(mine)


def test_an_unknown_group_is_400(plan, owner):
    response = ApiClient(owner).get(f"{BASE}/timeline?group=colour")
    assert response.status_code == 400
    assert response.json()["field"] == "group"


def test_the_page_offers_the_project_group(plan, owner):
    client = Client()
    client.force_login(owner)
    body = client.get("/w/acme/timeline/?group=project").content.decode()
    assert 'data-testid="group-project"' in body
    assert 'data-zoom="day" data-group="project"' in body
    # The chart script names each group by the project's key and name.
    assert '"projects": {"CNT": "Q4 \\u5185\\u5bb9", "D11":' in body
    # A project's own timeline has one project: no such option.
    assert (
        'data-testid="group-project"' not in client.get("/w/acme/p/D11/timeline/").content.decode()
    )
