"""The planning API: dependencies, reschedule, timeline payload and milestones."""

from __future__ import annotations

from datetime import date

import pytest

from opsloop.planning import actions
from opsloop.planning.schemas import MilestoneIn
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ItemIn, ItemPatch, ProjectIn
from tests.conftest import ApiClient, membership_of

BASE = "/api/v1/workspaces/acme"


@pytest.fixture
def ms(owner, workspace):
    return membership_of(owner, workspace)


def make(ms, project, title, start=None, due=None):
    return work_actions.do_create_item(
        actor=ms, project=project, data=ItemIn(title=title, start_date=start, due_date=due)
    )


def test_add_list_remove_dependency(api, ms, project):
    a, b = make(ms, project, "A"), make(ms, project, "B")
    r = api.post(f"{BASE}/items/{a.ref}/dependencies", {"ref": b.ref, "kind": "blocked_by"})
    assert r.status_code == 201, r.content
    assert r.json()["kind"] == "blocked_by"
    assert r.json()["item"]["ref"] == b.ref
    r = api.post(f"{BASE}/items/{a.ref}/dependencies", {"ref": b.ref, "kind": "blocks"})
    assert r.status_code == 409
    assert "D11-1 → D11-2 → D11-1" in r.json()["message"]
    listed = api.get(f"{BASE}/items/{b.ref}/dependencies").json()
    assert [(x["kind"], x["item"]["ref"]) for x in listed] == [("blocks", a.ref)]
    r = api.delete(f"{BASE}/items/{b.ref}/dependencies/{listed[0]['id']}")
    assert r.status_code == 204
    assert api.get(f"{BASE}/items/{a.ref}/dependencies").json() == []
    r = api.post(f"{BASE}/items/{a.ref}/dependencies", {"ref": "D11-99"})
    assert r.status_code == 400
    assert r.json()["field"] == "ref"


def test_reschedule_shifts_and_reports_conflicts(api, ms, project):
    a = make(ms, project, "A", date(2026, 11, 1), date(2026, 11, 3))
    b = make(ms, project, "B", date(2026, 11, 4), date(2026, 11, 5))
    actions.do_add_dependency(actor=ms, source=a, target=b)
    body = {"start_date": "2026-11-02", "due_date": "2026-11-06", "version": a.version}
    r = api.post(f"{BASE}/items/{a.ref}/reschedule", body)
    assert r.status_code == 200
    assert r.json()["broken"] == ["D11-1 → D11-2"]
    r = api.post(f"{BASE}/items/{a.ref}/reschedule", body)  # the version is stale now
    assert r.status_code == 409
    assert r.json()["current_version"] == a.version + 1
    body["version"] = a.version + 1
    body["shift_dependents"] = True
    r = api.post(f"{BASE}/items/{a.ref}/reschedule", body)
    assert r.status_code == 200
    changed = {x["ref"]: (x["start_date"], x["due_date"]) for x in r.json()["changed"]}
    assert changed == {"D11-1": ("2026-11-02", "2026-11-06"), "D11-2": ("2026-11-07", "2026-11-08")}
    assert r.json()["broken"] == []
    r = api.post(
        f"{BASE}/items/{a.ref}/reschedule", {"start_date": "2026-11-09", "due_date": "2026-11-01"}
    )
    assert r.status_code == 400


def test_timeline_payload_in_a_fixed_number_of_queries(
    api, ms, project, member, django_assert_max_num_queries
):
    items = [
        make(ms, project, f"任务{i}", date(2026, 11, i + 1), date(2026, 11, i + 2))
        for i in range(6)
    ]
    work_actions.do_update_item(actor=ms, item=items[0], data=ItemPatch(assignee_ids=[member.pk]))
    for x, y in zip(items, items[1:], strict=False):
        actions.do_add_dependency(actor=ms, source=x, target=y)
    actions.do_create_milestone(
        actor=ms,
        project=project,
        data=MilestoneIn(name="上线", date=date(2026, 11, 11), item_refs=[items[0].ref]),
    )
    # Session, token, membership, project, then items, assignees, links, milestones, their items.
    with django_assert_max_num_queries(11):
        r = api.get(f"{BASE}/projects/D11/timeline")
    data = r.json()
    assert len(data["items"]) == 6
    assert data["items"][0]["ref"] == "D11-1"
    assert data["items"][0]["assignees"] == [member.pk]
    assert data["people"] == {str(member.pk): member.display_name or member.username}
    assert len(data["links"]) == 5
    assert data["milestones"][0]["name"] == "上线"


def test_milestones_crud_with_status(api, ms, project):
    a = make(ms, project, "A", due=date(2030, 1, 1))
    r = api.post(
        f"{BASE}/projects/D11/milestones",
        {"name": "预热", "date": "2029-12-01", "item_refs": [a.ref]},
    )
    assert r.status_code == 201
    made = r.json()
    # The item is due after the milestone: at risk.
    assert (made["status"], made["items_count"], made["done_count"]) == ("at_risk", 1, 0)
    one = f"{BASE}/projects/D11/milestones/{made['id']}"
    r = api.patch(one, {"date": "2030-02-01"})
    assert r.json()["status"] == "on_track"
    r = api.patch(one, {"item_refs": ["D11-42"]})
    assert r.status_code == 400
    assert [m["name"] for m in api.get(f"{BASE}/projects/D11/milestones").json()] == ["预热"]
    assert api.delete(one).status_code == 204
    assert api.get(one).status_code == 404


def test_workspace_timeline_spans_projects_and_narrows_by_project_and_assignee(
    ms, project, member, guest
):
    other = work_actions.do_create_project(actor=ms, data=ProjectIn(name="Q4 内容", key="CNT"))
    poster = make(ms, project, "主会场海报", date(2026, 11, 1), date(2026, 11, 3))
    make(ms, other, "公众号推文", date(2026, 11, 2), date(2026, 11, 2))
    work_actions.do_update_item(actor=ms, item=poster, data=ItemPatch(assignee_ids=[member.pk]))
    api = ApiClient(ms.user)

    refs = {i["ref"] for i in api.get(f"{BASE}/timeline").json()["items"]}
    assert refs == {"D11-1", "CNT-1"}
    assert [i["ref"] for i in api.get(f"{BASE}/timeline?project=cnt").json()["items"]] == ["CNT-1"]
    mine = api.get(f"{BASE}/timeline?assignee={member.pk}").json()["items"]
    assert [i["ref"] for i in mine] == ["D11-1"]
    # A guest sees only the projects shared with them: here none, then D11.
    assert ApiClient(guest).get(f"{BASE}/timeline").json()["items"] == []
    work_actions.do_add_project_member(actor=ms, project=project, user_id=guest.pk)
    shared = ApiClient(guest).get(f"{BASE}/timeline").json()["items"]
    assert [i["ref"] for i in shared] == ["D11-1"]
    r = api.get(f"{BASE}/timeline?assignee=someone")
    assert r.status_code == 400
