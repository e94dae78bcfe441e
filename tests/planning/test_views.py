"""The timeline, calendar and milestones pages, and the item page's dependency forms."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.test import Client

from opsloop.planning import actions
from opsloop.planning.models import Dependency, Milestone
from opsloop.planning.schemas import MilestoneIn
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ItemIn
from tests.conftest import PASSWORD, membership_of


@pytest.fixture
def ms(owner, workspace):
    return membership_of(owner, workspace)


@pytest.fixture
def client(owner):
    c = Client()
    assert c.login(username=owner.username, password=PASSWORD)
    return c


def make(ms, project, title, start=None, due=None):
    return work_actions.do_create_item(
        actor=ms, project=project, data=ItemIn(title=title, start_date=start, due_date=due)
    )


def _payload(response) -> dict:
    body = response.content.decode()
    start = body.index('id="timeline-data" type="application/json">') + len(
        'id="timeline-data" type="application/json">'
    )
    return json.loads(body[start : body.index("</script>", start)])


def test_project_timeline_embeds_items_links_and_milestones(
    client, ms, project, django_assert_max_num_queries
):
    items = [
        make(ms, project, f"任务{i}", date(2026, 11, 1 + i), date(2026, 11, 2 + i))
        for i in range(5)
    ]
    for a, b in zip(items, items[1:], strict=False):
        actions.do_add_dependency(actor=ms, source=a, target=b)
    actions.do_create_milestone(
        actor=ms, project=project, data=MilestoneIn(name="开售", date=date(2026, 11, 11))
    )
    with django_assert_max_num_queries(14):
        response = client.get("/w/acme/p/D11/timeline/?zoom=week&group=assignee")
    assert response.status_code == 200
    data = _payload(response)
    assert [i["ref"] for i in data["items"]] == [f"D11-{n}" for n in range(1, 6)]
    assert len(data["links"]) == 4
    assert data["milestones"][0]["name"] == "开售"
    assert 'data-zoom="week"' in response.content.decode()


def test_workspace_timeline_filters_by_project(client, ms, project):
    make(ms, project, "双十一任务", due=date(2026, 11, 11))
    from opsloop.work.schemas import ProjectIn

    other = work_actions.do_create_project(actor=ms, data=ProjectIn(name="内容", key="CNT"))
    make(ms, other, "内容任务", due=date(2026, 11, 12))
    assert len(_payload(client.get("/w/acme/timeline/"))["items"]) == 2
    only = _payload(client.get("/w/acme/timeline/?project=CNT"))["items"]
    assert [i["ref"] for i in only] == ["CNT-1"]
    assert client.get("/w/acme/timeline/?assignee=x").status_code == 400


def test_calendar_shows_items_on_their_due_day(client, ms, project, django_assert_max_num_queries):
    make(ms, project, "海报定稿", due=date(2026, 11, 5))
    make(ms, project, "无日期")
    with django_assert_max_num_queries(12):
        response = client.get("/w/acme/p/D11/calendar/?date=2026-11-01")
    body = response.content.decode()
    day = body.index('data-testid="day-2026-11-05"')
    assert body.index("海报定稿", day) < body.index('data-testid="day-2026-11-06"')
    assert "1 item has no due date" in body
    week = client.get("/w/acme/p/D11/calendar/?mode=week&date=2026-11-04").content.decode()
    assert "海报定稿" in week and 'data-testid="day-2026-11-09"' not in week


def test_milestones_page_create_edit_delete(client, ms, project, django_assert_max_num_queries):
    make(ms, project, "A", due=date(2026, 11, 1))
    r = client.post(
        "/w/acme/p/D11/milestones/",
        {"op": "create", "name": "预热", "date": "2030-11-11", "item_refs": "D11-1"},
    )
    assert r.status_code == 302
    milestone = Milestone.objects.get()
    assert [i.ref for i in milestone.items.all()] == ["D11-1"]
    with django_assert_max_num_queries(12):
        page = client.get("/w/acme/p/D11/milestones/")
    assert "预热" in page.content.decode() and "ms-at_risk" in page.content.decode()
    r = client.post(
        "/w/acme/p/D11/milestones/",
        {
            "op": "update",
            "milestone_id": milestone.pk,
            "name": "正式",
            "date": "2030-11-12",
            "item_refs": "D11-9",
        },
    )
    assert r.status_code == 400
    assert "D11-9" in r.content.decode()
    client.post("/w/acme/p/D11/milestones/", {"op": "delete", "milestone_id": milestone.pk})
    assert not Milestone.objects.exists()


def test_item_page_adds_and_removes_dependencies(client, ms, project):
    a, b = make(ms, project, "A"), make(ms, project, "B")
    r = client.post(
        f"/w/acme/i/{a.ref}/dependencies/", {"op": "add", "kind": "blocked_by", "ref": "2"}
    )
    assert r.status_code == 302
    dep = Dependency.objects.get()
    assert (dep.source_id, dep.target_id) == (b.pk, a.pk)
    page = client.get(f"/w/acme/i/{a.ref}/").content.decode()
    assert 'id="dependencies"' in page and "D11-2" in page
    r = client.post(
        f"/w/acme/i/{b.ref}/dependencies/", {"op": "add", "kind": "blocked_by", "ref": "D11-1"}
    )
    followed = client.get(r["Location"]).content.decode()
    assert "D11-1 → D11-2 → D11-1" in followed
    client.post(f"/w/acme/i/{a.ref}/dependencies/", {"op": "remove", "dependency_id": dep.pk})
    assert not Dependency.objects.exists()
