"""API of projects, workflow states, labels and work items."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opsloop.core.models import Role
from opsloop.work import actions
from opsloop.work.models import Activity, Item, Label, Project, ProjectMember, State
from opsloop.work.schemas import ItemIn, LabelIn, ProjectIn
from tests.conftest import ApiClient, add_member, membership_of

W = "/api/v1/workspaces/acme"
P = f"{W}/projects/D11"


def states_of(project) -> dict[str, State]:
    return {s.group: s for s in State.objects.filter(project=project)}


def make_label(workspace, owner, name: str) -> Label:
    return actions.do_create_label(actor=membership_of(owner, workspace), data=LabelIn(name=name))


def make_item(workspace, owner, project, **fields) -> Item:
    return actions.do_create_item(
        actor=membership_of(owner, workspace), project=project, data=ItemIn(**fields)
    )


# --- projects


def test_list_projects_with_counts(api, project, item):
    body = api.get(f"{W}/projects").json()
    assert len(body) == 1
    row = body[0]
    assert (row["key"], row["name"], row["kind"], row["stage"]) == (
        "D11",
        "双十一大促",
        "campaign",
        "planning",
    )
    assert (row["item_count"], row["open_count"]) == (1, 1)
    assert row["owner"]["username"] == "owner"


def test_create_project(api, workspace, member, owner):
    response = api.post(
        f"{W}/projects",
        {
            "name": "Q4 内容计划",
            "key": "q4c",
            "kind": "content",
            "goal": "公众号涨粉 5 万",
            "start_date": "2026-10-01",
            "end_date": "2026-12-31",
            "budget": "120000.50",
            "owner_id": member.pk,
            "visibility": "private",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["key"] == "Q4C"
    assert body["owner"]["id"] == member.pk
    assert body["budget"] == "120000.50"
    project = Project.objects.get(key="Q4C")
    assert set(project.members.values_list("username", flat=True)) == {"owner", "member"}
    assert [s.group for s in State.objects.filter(project=project)] == [
        "backlog",
        "todo",
        "in_progress",
        "in_review",
        "done",
        "cancelled",
    ]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "x", "key": "D11"}, "key"),  # taken
        ({"name": "x", "key": "1AB"}, "key"),
        ({"name": "x", "key": "TOOLONGKEY1"}, "key"),
        ({"name": "", "key": "AB"}, "name"),
        ({"name": "x" * 121, "key": "AB"}, "name"),
        ({"name": "x", "key": "AB", "kind": "party"}, "kind"),
        ({"name": "x", "key": "AB", "budget": "-1"}, "budget"),
        ({"name": "x", "key": "AB", "start_date": "2026-12-01", "end_date": "2026-11-01"}, None),
        ({"name": "x", "key": "AB", "owner_id": 999999}, "owner_id"),
        ({"name": "x", "key": "AB", "member_ids": [999999]}, "member_ids"),
    ],
)
def test_create_project_rejects_bad_input(api, project, payload, field):
    response = api.post(f"{W}/projects", payload)
    assert response.status_code == 400, response.json()
    if field:
        assert response.json()["field"] == field
    assert response.json()["message"]
    assert Project.objects.count() == 1


def test_get_and_update_project(api, project):
    assert api.get(f"{W}/projects/d11").json()["name"] == "双十一大促"
    response = api.patch(P, {"name": "双十一", "stage": "executing", "goal": None})
    assert response.status_code == 200, response.json()
    assert (response.json()["name"], response.json()["stage"], response.json()["goal"]) == (
        "双十一",
        "executing",
        "",
    )
    assert Activity.objects.filter(project=project, field="stage", new_value="executing").exists()


def test_stage_moves_one_step_at_a_time(api, project):
    response = api.patch(P, {"stage": "monitoring", "name": "renamed"})
    assert response.status_code == 409
    assert "one stage at a time" in response.json()["message"]
    project.refresh_from_db()
    assert (project.stage, project.name) == ("planning", "双十一大促")
    assert api.patch(P, {"stage": "closed"}).json()["stage"] == "closed"


def test_member_cannot_change_someone_elses_project(project, member):
    response = ApiClient(member).patch(P, {"name": "mine"})
    assert response.status_code == 403
    assert Project.objects.get(pk=project.pk).name == "双十一大促"


def test_delete_project_admin_only(api, project, item, member):
    assert ApiClient(member).delete(P).status_code == 403
    assert api.delete(P).status_code == 204
    assert not Project.objects.exists() and not Item.objects.exists()
    assert api.get(P).status_code == 404


def test_project_members(api, project, guest):
    assert {u["username"] for u in api.get(f"{P}/members").json()} == {"owner"}
    response = api.post(f"{P}/members", {"user_id": guest.pk})
    assert response.status_code == 201
    assert response.json()["username"] == "guest"
    # Sharing the project is what lets the guest see it.
    assert ApiClient(guest).get(P).status_code == 200
    assert api.delete(f"{P}/members/{guest.pk}").status_code == 204
    assert ApiClient(guest).get(P).status_code == 404
    assert api.delete(f"{P}/members/{guest.pk}").status_code == 404


def test_project_owner_stays_a_member(api, project, owner):
    response = api.delete(f"{P}/members/{owner.pk}")
    assert response.status_code == 409
    assert ProjectMember.objects.filter(project=project, user=owner).exists()


def test_only_workspace_members_join_projects(api, project, outsider):
    response = api.post(f"{P}/members", {"user_id": outsider.pk})
    assert (response.status_code, response.json()["field"]) == (400, "user_id")


# --- workflow states


def test_states_list_create_rename_reorder(api, project):
    states = api.get(f"{P}/states").json()
    assert [s["group"] for s in states] == [
        "backlog",
        "todo",
        "in_progress",
        "in_review",
        "done",
        "cancelled",
    ]
    response = api.post(
        f"{P}/states", {"name": "设计中", "group": "in_progress", "color": "#112233"}
    )
    assert response.status_code == 201
    new = response.json()
    # A new state goes last within its group.
    names = [s["name"] for s in api.get(f"{P}/states").json()]
    assert names.index("设计中") == names.index(states[2]["name"]) + 1

    response = api.patch(f"{P}/states/{new['id']}", {"name": "设计", "is_default": True})
    assert (response.json()["name"], response.json()["is_default"]) == ("设计", True)
    assert State.objects.filter(project=project, is_default=True).count() == 1

    ids = [s["id"] for s in api.get(f"{P}/states").json()][::-1]
    response = api.put(f"{P}/states/order", {"state_ids": ids})
    assert response.status_code == 200
    assert [s["id"] for s in response.json()] == ids
    assert [s["id"] for s in api.get(f"{P}/states").json()] == ids


def test_reorder_needs_every_state_once(api, project):
    ids = [s.pk for s in State.objects.filter(project=project)]
    before = list(State.objects.values_list("pk", "sequence"))
    response = api.put(f"{P}/states/order", {"state_ids": ids[:-1]})
    assert (response.status_code, response.json()["field"]) == (400, "state_ids")
    response = api.put(f"{P}/states/order", {"state_ids": [*ids[:-1], ids[0]]})
    assert response.status_code == 400
    assert list(State.objects.values_list("pk", "sequence")) == before


def test_duplicate_state_name_is_400(api, project):
    name = states_of(project)["todo"].name
    response = api.post(f"{P}/states", {"name": name, "group": "todo"})
    assert (response.status_code, response.json()["field"]) == (400, "name")
    assert State.objects.filter(project=project).count() == 6


def test_delete_state_moves_its_items(api, project, item):
    todo = states_of(project)["todo"]
    extra = api.post(f"{P}/states", {"name": "待排期", "group": "todo"}).json()
    assert api.delete(f"{P}/states/{todo.pk}").status_code == 409  # has items, no move_to
    response = api.delete(f"{P}/states/{todo.pk}?move_to={extra['id']}")
    assert response.status_code == 204
    assert Item.objects.get(pk=item.pk).state_id == extra["id"]
    assert not State.objects.filter(pk=todo.pk).exists()
    # Deleting the default state hands the default on to another state.
    assert State.objects.filter(project=project, is_default=True).count() == 1


def test_last_state_of_a_group_cannot_go(api, project):
    done = states_of(project)["done"]
    response = api.delete(f"{P}/states/{done.pk}")
    assert response.status_code == 409
    assert "group" in response.json()["message"]
    assert State.objects.filter(pk=done.pk).exists()


def test_move_to_must_be_a_state_of_the_project(api, project, item, workspace, owner):
    other = actions.do_create_project(
        actor=membership_of(owner, workspace), data=ProjectIn(name="其他", key="OTH")
    )
    todo = states_of(project)["todo"]
    api.post(f"{P}/states", {"name": "待排期", "group": "todo"})
    foreign = states_of(other)["todo"]
    response = api.delete(f"{P}/states/{todo.pk}?move_to={foreign.pk}")
    assert (response.status_code, response.json()["field"]) == (400, "move_to")
    assert Item.objects.get(pk=item.pk).state_id == todo.pk


def test_state_of_another_project_is_404(api, project, workspace, owner):
    other = actions.do_create_project(
        actor=membership_of(owner, workspace), data=ProjectIn(name="其他", key="OTH")
    )
    foreign = states_of(other)["todo"]
    assert api.patch(f"{P}/states/{foreign.pk}", {"name": "x"}).status_code == 404
    assert api.delete(f"{P}/states/{foreign.pk}").status_code == 404


# --- labels


def test_labels_crud(api, workspace):
    response = api.post(f"{W}/labels", {"name": "设计", "color": "#ff0000"})
    assert response.status_code == 201
    label = response.json()
    assert api.get(f"{W}/labels").json() == [label]
    response = api.patch(f"{W}/labels/{label['id']}", {"name": "视觉"})
    assert response.json() == {**label, "name": "视觉"}
    assert api.delete(f"{W}/labels/{label['id']}").status_code == 204
    assert api.get(f"{W}/labels").json() == []
    assert api.delete(f"{W}/labels/{label['id']}").status_code == 404


def test_label_rules(api, workspace, member):
    api.post(f"{W}/labels", {"name": "设计"})
    assert api.post(f"{W}/labels", {"name": "设计"}).status_code == 400
    assert api.post(f"{W}/labels", {"name": "x", "color": "red"}).json()["field"] == "color"
    client = ApiClient(member)
    label = client.post(f"{W}/labels", {"name": "文案"}).json()
    assert client.patch(f"{W}/labels/{label['id']}", {"name": "y"}).status_code == 403
    assert client.delete(f"{W}/labels/{label['id']}").status_code == 403
    assert Label.objects.filter(name="文案").exists()


# --- items


def test_create_item_with_everything(api, project, workspace, owner, member):
    label = make_label(workspace, owner, "设计")
    parent = make_item(workspace, owner, project, title="主会场")
    in_progress = states_of(project)["in_progress"]
    response = api.post(
        f"{P}/items",
        {
            "title": "  主会场海报定稿  ",
            "description": "**加粗** <script>alert(1)</script>",
            "state_id": in_progress.pk,
            "priority": "high",
            "assignee_ids": [member.pk, owner.pk],
            "label_ids": [label.pk],
            "start_date": "2026-11-01",
            "due_date": "2026-11-05",
            "estimate_hours": "6.5",
            "progress": 20,
            "parent_id": parent.pk,
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["ref"] == "D11-2" and body["project_key"] == "D11"
    assert body["title"] == "主会场海报定稿"
    assert body["state"]["id"] == in_progress.pk
    assert body["priority"] == "high"
    assert {u["username"] for u in body["assignees"]} == {"owner", "member"}
    assert [lbl["name"] for lbl in body["labels"]] == ["设计"]
    assert (body["due_date"], Decimal(body["estimate_hours"]), body["progress"]) == (
        "2026-11-05",
        Decimal("6.5"),
        20,
    )
    assert body["parent_id"] == parent.pk
    assert body["version"] == 1
    assert Activity.objects.filter(item_id=body["id"], verb="created").exists()


def test_create_item_defaults_to_the_default_state(api, project):
    body = api.post(f"{P}/items", {"title": "快速创建"}).json()
    assert body["state"]["group"] == "todo"
    assert body["priority"] == "none"


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"title": ""}, 400, "title"),
        ({"title": "   "}, 400, "title"),
        ({"title": "x" * 256}, 400, "title"),
        ({"title": "x", "priority": "asap"}, 400, "priority"),
        ({"title": "x", "progress": 101}, 400, "progress"),
        ({"title": "x", "estimate_hours": -1}, 400, "estimate_hours"),
        ({"title": "x", "state_id": 999999}, 400, "state_id"),
        ({"title": "x", "assignee_ids": [999999]}, 400, "assignee_ids"),
        ({"title": "x", "label_ids": [999999]}, 400, "label_ids"),
        ({"title": "x", "parent_id": 999999}, 400, "parent_id"),
        ({"title": "x", "due_date": "2026-13-45"}, 400, "due_date"),
        ({"title": "x", "start_date": "2026-11-05", "due_date": "2026-11-01"}, 400, "due_date"),
        ({"title": "x", "assignee_ids": list(range(101))}, 400, "assignee_ids"),
    ],
)
def test_create_item_rejects_bad_input(api, project, item, payload, status, field):
    response = api.post(f"{P}/items", payload)
    assert response.status_code == status, response.json()
    assert response.json()["field"] == field
    assert Item.objects.count() == 1
    assert Project.objects.get(pk=project.pk).item_counter == 1


def test_cannot_assign_someone_who_cannot_see_the_project(
    api, workspace, owner, member, guest, outsider
):
    private = actions.do_create_project(
        actor=membership_of(owner, workspace),
        data=ProjectIn(name="机密", key="SEC", visibility="private"),
    )
    for user in (member, guest, outsider):
        response = api.post(f"{W}/projects/SEC/items", {"title": "x", "assignee_ids": [user.pk]})
        assert (response.status_code, response.json()["field"]) == (400, "assignee_ids")
    assert not Item.objects.filter(project=private).exists()


def test_get_item(api, item):
    body = api.get(f"{W}/items/d11-1").json()
    assert (body["ref"], body["title"]) == ("D11-1", "准备主会场海报")


@pytest.mark.parametrize("ref", ["D11-999", "XX-1", "D11", "not a ref", "D11-1-2"])
def test_unknown_item_is_404(api, item, ref):
    response = api.get(f"{W}/items/{ref}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_update_item_records_activity_and_bumps_version(api, item, member, workspace, owner):
    label = make_label(workspace, owner, "文案")
    done = states_of(item.project)["done"]
    response = api.patch(
        f"{W}/items/D11-1",
        {
            "title": "海报定稿",
            "priority": "urgent",
            "assignee_ids": [member.pk],
            "label_ids": [label.pk],
            "state_id": done.pk,
            "due_date": "2026-11-10",
            "version": 1,
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["version"] == 2
    assert body["state"]["group"] == "done" and body["progress"] == 100
    assert body["completed_at"] is not None
    assert [u["username"] for u in body["assignees"]] == ["member"]
    assert [lbl["name"] for lbl in body["labels"]] == ["文案"]
    fields = set(Activity.objects.filter(item=item, verb="updated").values_list("field", flat=True))
    assert fields == {"title", "priority", "assignees", "labels", "state", "due_date"}

    activity = api.get(f"{W}/items/D11-1/activity").json()
    assert activity[0]["verb"] == "created"
    priority = next(a for a in activity if a["field"] == "priority")
    assert (priority["old_value"], priority["new_value"]) == ("none", "urgent")
    assert priority["actor"]["username"] == "owner"


def test_stale_version_is_409_and_writes_nothing(api, item):
    api.patch(f"{W}/items/D11-1", {"title": "第二版"})
    response = api.patch(f"{W}/items/D11-1", {"title": "覆盖", "version": 1})
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert response.json()["current_version"] == 2
    assert Item.objects.get(pk=item.pk).title == "第二版"


def test_patch_clears_optional_fields_and_refuses_to_clear_required(api, item):
    api.patch(f"{W}/items/D11-1", {"due_date": "2026-11-11", "estimate_hours": 3})
    body = api.patch(f"{W}/items/D11-1", {"due_date": None, "estimate_hours": None}).json()
    assert (body["due_date"], body["estimate_hours"]) == (None, None)
    for required in ("title", "state_id", "priority", "sort_order"):
        response = api.patch(f"{W}/items/D11-1", {required: None})
        assert response.status_code == 400, required
        assert response.json()["field"] == required


def test_parent_cycle_is_refused(api, workspace, owner, project, item):
    child = make_item(workspace, owner, project, title="子任务", parent_id=item.pk)
    grandchild = make_item(workspace, owner, project, title="孙任务", parent_id=child.pk)
    response = api.patch(f"{W}/items/D11-1", {"parent_id": grandchild.pk})
    assert response.status_code == 409
    assert "sub-item" in response.json()["message"]
    assert api.patch(f"{W}/items/D11-1", {"parent_id": item.pk}).status_code == 409
    assert Item.objects.get(pk=item.pk).parent_id is None


def test_move_item_between_neighbours(api, workspace, owner, project):
    a, b, c = (make_item(workspace, owner, project, title=t) for t in "abc")
    doing = states_of(project)["in_progress"]
    response = api.post(f"{W}/items/{c.ref}/move", {"state_id": doing.pk})
    assert response.status_code == 200
    assert response.json()["state"]["id"] == doing.pk
    api.post(f"{W}/items/{a.ref}/move", {"state_id": doing.pk, "before_id": c.pk})
    api.post(f"{W}/items/{b.ref}/move", {"state_id": doing.pk, "after_id": a.pk})
    order = list(
        Item.objects.filter(state=doing).order_by("sort_order").values_list("title", flat=True)
    )
    assert order == ["a", "b", "c"]


def test_move_rejects_foreign_state_and_neighbour(api, workspace, owner, project, item):
    other = actions.do_create_project(
        actor=membership_of(owner, workspace), data=ProjectIn(name="其他", key="OTH")
    )
    foreign = make_item(workspace, owner, other, title="别处")
    state = states_of(other)["todo"]
    response = api.post(f"{W}/items/D11-1/move", {"state_id": state.pk})
    assert (response.status_code, response.json()["field"]) == (400, "state_id")
    todo = states_of(project)["todo"]
    response = api.post(f"{W}/items/D11-1/move", {"state_id": todo.pk, "before_id": foreign.pk})
    assert response.status_code == 400
    assert Item.objects.get(pk=item.pk).version == 1


def test_delete_item(api, item, guest):
    assert api.delete(f"{W}/items/D11-1").status_code == 204
    assert not Item.objects.filter(pk=item.pk).exists()
    assert Activity.objects.filter(verb="deleted", old_value__startswith="D11-1").exists()
    assert api.get(f"{W}/items/D11-1").status_code == 404


# --- item lists


@pytest.fixture
def spread(workspace, owner, member, project):
    """Items with varied state, priority, assignees, labels and due dates."""
    design = make_label(workspace, owner, "设计")
    copy = make_label(workspace, owner, "文案")
    states = states_of(project)
    today = date(2026, 11, 1)
    rows = [
        ("海报", "urgent", [owner.pk], [design.pk], "todo", today),
        ("文案初稿", "high", [member.pk], [copy.pk], "in_progress", today + timedelta(days=3)),
        ("落地页", "medium", [owner.pk, member.pk], [design.pk, copy.pk], "in_progress", None),
        ("复盘", "low", [], [], "done", today + timedelta(days=10)),
        ("预算", "none", [], [], "backlog", today - timedelta(days=5)),
    ]
    made = {}
    for title, priority, assignees, labels, group, due in rows:
        made[title] = make_item(
            workspace,
            owner,
            project,
            title=title,
            priority=priority,
            assignee_ids=assignees,
            label_ids=labels,
            state_id=states[group].pk,
            due_date=due,
        )
    return {"labels": {"设计": design, "文案": copy}, "items": made, "states": states}


def titles(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [r["title"] for r in response.json()["results"]]


def test_item_list_page_shape(api, spread):
    body = api.get(f"{P}/items").json()
    assert (body["count"], body["page"], body["per_page"], body["pages"]) == (5, 1, 50, 1)
    assert titles(api.get(f"{P}/items")) == ["海报", "文案初稿", "落地页", "复盘", "预算"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("priority=urgent,high", {"海报", "文案初稿"}),
        ("priority=low&priority=none", {"复盘", "预算"}),
        ("state_group=in_progress", {"文案初稿", "落地页"}),
        ("assignee=me", {"海报", "落地页"}),
        ("assignee=none", {"复盘", "预算"}),
        ("assignee=me,none", {"海报", "落地页", "复盘", "预算"}),
        ("due_after=2026-11-02", {"文案初稿", "复盘"}),
        ("due_before=2026-11-01", {"海报", "预算"}),
        ("due_after=2026-11-01&due_before=2026-11-04", {"海报", "文案初稿"}),
        ("q=文案", {"文案初稿"}),
        ("q=D11-1", {"海报"}),
    ],
)
def test_item_list_filters(api, spread, query, expected):
    assert set(titles(api.get(f"{P}/items?{query}"))) == expected


def test_item_list_filters_by_ids(api, spread, member):
    design = spread["labels"]["设计"].pk
    assert set(titles(api.get(f"{P}/items?label={design}"))) == {"海报", "落地页"}
    assert set(titles(api.get(f"{P}/items?assignee={member.pk}"))) == {"文案初稿", "落地页"}
    done = spread["states"]["done"].pk
    assert titles(api.get(f"{P}/items?state={done}")) == ["复盘"]


def test_item_list_sorts(api, spread):
    assert titles(api.get(f"{P}/items?sort=priority"))[:2] == ["海报", "文案初稿"]
    assert titles(api.get(f"{P}/items?sort=due")) == ["预算", "海报", "文案初稿", "复盘", "落地页"]
    assert titles(api.get(f"{P}/items?sort=-number"))[0] == "预算"


def test_item_list_groups(api, spread, owner, member):
    body = api.get(f"{P}/items?group=assignee").json()
    rows = [(r["title"], r["group_key"]) for r in body["results"]]
    # An item with two assignees is listed under each; unassigned ones come last.
    assert ("落地页", owner.pk) in rows and ("落地页", member.pk) in rows
    assert body["count"] == 6
    assert [key for _title, key in rows[-2:]] == [None, None]
    # The groups follow the assignees' usernames, whole, wherever a page cuts them.
    assert list(dict.fromkeys(key for _title, key in rows)) == [member.pk, owner.pk, None]
    paged = [
        r["group_key"]
        for page in (1, 2, 3)
        for r in api.get(f"{P}/items?group=assignee&per_page=2&page={page}").json()["results"]
    ]
    assert paged == [key for _title, key in rows]
    body = api.get(f"{P}/items?group=priority").json()
    assert [r["group_key"] for r in body["results"]] == ["urgent", "high", "medium", "low", "none"]


def test_item_list_pagination(api, spread):
    body = api.get(f"{P}/items?per_page=2&page=3").json()
    assert (body["count"], body["pages"], body["page"]) == (5, 3, 3)
    assert [r["title"] for r in body["results"]] == ["预算"]
    assert api.get(f"{P}/items?per_page=2&page=9").json()["results"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("priority=asap", "priority"),
        ("state_group=limbo", "state_group"),
        ("assignee=someone", "assignee"),
        ("label=x", "label"),
        ("state=1;2", "state"),
        ("due_after=tomorrow", "due_after"),
        ("sort=random", "sort"),
        ("group=colour", "group"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("per_page=201", "per_page"),
        ("q=" + "x" * 201, "q"),
    ],
)
def test_item_list_rejects_bad_filters(api, spread, query, field):
    response = api.get(f"{P}/items?{query}")
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert response.json()["message"]


def test_workspace_items_span_visible_projects(api, spread, workspace, owner, member):
    other = actions.do_create_project(
        actor=membership_of(owner, workspace), data=ProjectIn(name="拉新", key="GRW")
    )
    make_item(workspace, owner, other, title="邀请有礼", assignee_ids=[member.pk])
    secret = actions.do_create_project(
        actor=membership_of(owner, workspace),
        data=ProjectIn(name="机密", key="SEC", visibility="private"),
    )
    make_item(workspace, owner, secret, title="机密任务", assignee_ids=[owner.pk])

    everything = titles(api.get(f"{W}/items?per_page=100"))
    assert {"邀请有礼", "机密任务", "海报"} <= set(everything)

    mine = ApiClient(member).get(f"{W}/items?assignee=me&state_group=todo,in_progress&sort=due")
    assert titles(mine) == ["文案初稿", "落地页", "邀请有礼"]
    assert "机密任务" not in titles(ApiClient(member).get(f"{W}/items?per_page=100"))
    assert {r["project_key"] for r in mine.json()["results"]} == {"D11", "GRW"}


def test_item_list_has_no_n_plus_one(api, workspace, owner, member, project):
    labels = [make_label(workspace, owner, f"L{i}").pk for i in range(3)]
    for i in range(60):
        make_item(
            workspace,
            owner,
            project,
            title=f"item {i}",
            assignee_ids=[owner.pk, member.pk],
            label_ids=labels[: 1 + i % 3],
        )
    api.get("/api/v1/me")  # token use is written once a minute; keep that write out of the count
    with CaptureQueriesContext(connection) as few:
        api.get(f"{P}/items?per_page=5")
    with CaptureQueriesContext(connection) as many:
        body = api.get(f"{P}/items?per_page=50").json()
    assert len(body["results"]) == 50
    assert all(len(r["assignees"]) == 2 and r["labels"] for r in body["results"])
    assert len(many) == len(few)


def test_item_list_query_count_is_pinned(
    api, workspace, owner, member, project, django_assert_max_num_queries
):
    labels = [make_label(workspace, owner, f"L{i}").pk for i in range(3)]
    for i in range(50):
        make_item(
            workspace,
            owner,
            project,
            title=f"item {i}",
            assignee_ids=[owner.pk, member.pk],
            label_ids=labels,
        )
    api.get("/api/v1/me")
    # token, membership, project, count, the page's ids, its rows, assignees, labels,
    # custom field values
    with django_assert_max_num_queries(9):
        response = api.get(f"{P}/items?per_page=50&sort=priority")
    assert len(response.json()["results"]) == 50
    with django_assert_max_num_queries(9):
        response = api.get(f"{W}/items?per_page=50&assignee=me&label={labels[0]}")
    assert len(response.json()["results"]) == 50
    # grouped: the groups' sizes and their order instead of the count
    with django_assert_max_num_queries(10):
        response = api.get(f"{P}/items?per_page=50&group=label")
    assert len(response.json()["results"]) == 50


def test_project_list_query_count_is_flat(api, workspace, owner, django_assert_max_num_queries):
    for i in range(20):
        actions.do_create_project(
            actor=membership_of(owner, workspace), data=ProjectIn(name=f"P{i}", key=f"P{i:02d}")
        )
    api.get("/api/v1/me")
    with django_assert_max_num_queries(3):
        assert len(api.get(f"{W}/projects").json()) == 20


def test_guest_lists_only_shared_projects(workspace, owner, guest, project):
    actions.do_create_project(
        actor=membership_of(owner, workspace), data=ProjectIn(name="不共享", key="NOPE")
    )
    client = ApiClient(guest)
    assert client.get(f"{W}/projects").json() == []
    actions.do_add_project_member(
        actor=membership_of(owner, workspace), project=project, user_id=guest.pk
    )
    assert [p["key"] for p in client.get(f"{W}/projects").json()] == ["D11"]


def test_admin_sees_private_projects(workspace, owner, admin_user):
    actions.do_create_project(
        actor=membership_of(owner, workspace),
        data=ProjectIn(name="机密", key="SEC", visibility="private"),
    )
    assert [p["key"] for p in ApiClient(admin_user).get(f"{W}/projects").json()] == ["SEC"]
    member = add_member(workspace, "m2", Role.MEMBER)
    assert ApiClient(member).get(f"{W}/projects").json() == []
