"""Project and item pages: create, list with filters and groups, board moves, item edits, my work."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from opsloop.core import actions as core_actions
from opsloop.work import actions
from opsloop.work.models import Activity, Item, Label, Project, State
from opsloop.work.schemas import ItemIn, ItemPatch, LabelIn, ProjectIn
from tests.conftest import PASSWORD, membership_of


@pytest.fixture
def client(owner):
    client = Client()
    assert client.login(username=owner.username, password=PASSWORD)
    return client


def make_items(project, owner, workspace, n, **fields):
    actor = membership_of(owner, workspace)
    return [
        actions.do_create_item(
            actor=actor, project=project, data=ItemIn(title=f"任务{i}", **fields)
        )
        for i in range(n)
    ]


def test_create_project_from_the_form(client, workspace, member):
    response = client.post(
        "/w/acme/projects/new/",
        {
            "name": "Q4 内容计划",
            "key": "cnt",
            "kind": "content",
            "stage": "planning",
            "visibility": "private",
            "budget": "12000.50",
            "start_date": "2026-10-01",
            "end_date": "2026-12-31",
            "member_ids": [member.pk],
        },
    )
    assert response.status_code == 302 and response["Location"] == "/w/acme/p/CNT/"
    project = Project.objects.get(key="CNT")
    assert project.visibility == "private" and str(project.budget) == "12000.50"
    assert set(project.members.values_list("username", flat=True)) == {"owner", "member"}


def test_project_form_errors_name_the_problem_and_write_nothing(client, project):
    response = client.post(
        "/w/acme/projects/new/",
        {
            "name": "重复",
            "key": "D11",
            "kind": "general",
            "stage": "planning",
            "visibility": "workspace",
        },
    )
    assert response.status_code == 400 and "D11" in response.content.decode()
    response = client.post(
        "/w/acme/projects/new/",
        {
            "name": "日期错",
            "key": "BAD",
            "kind": "general",
            "stage": "planning",
            "visibility": "workspace",
            "start_date": "2026-12-01",
            "end_date": "2026-11-01",
        },
    )
    assert response.status_code == 400
    assert not Project.objects.filter(key="BAD").exists()


def test_quick_create_and_list_filters(client, project, owner, workspace):
    label = actions.do_create_label(
        actor=membership_of(owner, workspace), data=LabelIn(name="小红书")
    )
    client.post(
        "/w/acme/p/D11/items/new/",
        {"title": "小红书种草笔记", "priority": "urgent", "assignee_ids": owner.pk},
    )
    make_items(project, owner, workspace, 3)
    item = Item.objects.get(title="小红书种草笔记")
    assert item.priority == 4 and list(item.assignees.all()) == [owner]
    actions.do_update_item(
        actor=membership_of(owner, workspace),
        item=item,
        data=ItemPatch(label_ids=[label.pk]),
    )
    body = client.get("/w/acme/p/D11/?q=种草").content.decode()
    assert "小红书种草笔记" in body and "任务1" not in body
    body = client.get("/w/acme/p/D11/?priority=urgent").content.decode()
    assert "小红书种草笔记" in body and "任务1" not in body
    body = client.get(f"/w/acme/p/D11/?label={label.pk}").content.decode()
    assert "小红书种草笔记" in body and "任务2" not in body
    body = client.get("/w/acme/p/D11/?assignee=none").content.decode()
    assert "小红书种草笔记" not in body and "任务2" in body
    assert client.get("/w/acme/p/D11/?priority=huge").status_code == 400


def test_htmx_filter_returns_only_the_results_partial(client, item):
    response = client.get("/w/acme/p/D11/?q=海报", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    body = response.content.decode()
    assert (
        response.status_code == 200
        and 'id="results"' in body
        and "<html" not in body
        and "准备主会场海报" in body
    )


def test_list_groups_by_state_and_paginates(client, project, owner, workspace):
    make_items(project, owner, workspace, 55)
    body = client.get("/w/acme/p/D11/?group=state").content.decode()
    assert "group-row" in body and "55" in body
    page2 = client.get("/w/acme/p/D11/?page=2").content.decode()
    assert "任务54" in page2 and "任务0<" not in page2


def test_list_page_query_count_does_not_grow(
    client, project, owner, workspace, django_assert_max_num_queries
):
    make_items(project, owner, workspace, 60, assignee_ids=[owner.pk])
    # The inbox badge and the project's watch toggle take one query each; the custom fields,
    # the page's field values and the saved views menu one each.
    with django_assert_max_num_queries(19):
        assert client.get("/w/acme/p/D11/?group=assignee").status_code == 200
    with django_assert_max_num_queries(24):
        assert client.get("/w/acme/p/D11/board/").status_code == 200


def test_board_move_changes_state_and_order(client, project, owner, workspace):
    a, b, c = make_items(project, owner, workspace, 3)
    doing = State.objects.get(project=project, group="in_progress")
    response = client.post(f"/w/acme/i/{c.ref}/move/", {"state_id": doing.pk})
    assert response.status_code == 200 and json.loads(response.content)["state_id"] == doing.pk
    response = client.post(f"/w/acme/i/{a.ref}/move/", {"state_id": doing.pk, "before_id": c.pk})
    assert response.status_code == 200
    column = list(
        Item.objects.filter(state=doing).order_by("sort_order").values_list("title", flat=True)
    )
    assert column == ["任务0", "任务2"]
    board = client.get("/w/acme/p/D11/board/").content.decode()
    assert board.index(a.ref) < board.index(c.ref)
    other = actions.do_create_project(
        actor=membership_of(owner, workspace), data=ProjectIn(name="别的", key="OTH")
    )
    foreign = other.states.first()
    response = client.post(f"/w/acme/i/{b.ref}/move/", {"state_id": foreign.pk})
    assert response.status_code == 400 and "state" in json.loads(response.content)["message"]


def test_item_page_edits_every_field_and_records_activity(
    client, project, item, owner, workspace, member
):
    label = actions.do_create_label(
        actor=membership_of(owner, workspace), data=LabelIn(name="设计")
    )
    parent = make_items(project, owner, workspace, 1)[0]
    review = State.objects.get(project=project, group="in_review")
    response = client.post(
        f"/w/acme/i/{item.ref}/",
        {
            "op": "update",
            "version": item.version,
            "title": "主会场海报 v2",
            "description": "<script>x</script>**粗体**",
            "state_id": review.pk,
            "priority": "high",
            "assignee_ids": [member.pk, owner.pk],
            "label_ids": [label.pk],
            "start_date": "2026-11-01",
            "due_date": "2026-11-09",
            "estimate_hours": "6.5",
            "progress": "40",
            "parent_id": parent.pk,
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (
        item.title,
        item.state,
        item.priority,
        str(item.estimate_hours),
        item.progress,
        item.parent,
    ) == ("主会场海报 v2", review, 3, "6.50", 40, parent)
    assert set(item.assignees.values_list("username", flat=True)) == {"member", "owner"}
    fields = set(Activity.objects.filter(item=item, verb="updated").values_list("field", flat=True))
    assert {
        "title",
        "state",
        "priority",
        "assignees",
        "labels",
        "due_date",
        "progress",
        "parent",
    } <= fields
    body = client.get(f"/w/acme/i/{item.ref}/").content.decode()
    assert "<strong>粗体</strong>" in body and "<script>x</script>" not in body


def test_stale_item_edit_is_refused_with_a_conflict(client, item, owner, workspace):
    actions.do_update_item(
        actor=membership_of(owner, workspace), item=item, data=ItemPatch(title="别人改了")
    )
    response = client.post(
        f"/w/acme/i/{item.ref}/",
        {"op": "update", "version": 1, "title": "我的改动", "priority": "low"},
    )
    assert response.status_code == 409
    item.refresh_from_db()
    assert item.title == "别人改了"


def test_comment_and_delete_item(client, item):
    client.post(
        f"/w/acme/i/{item.ref}/comments/",
        {"body": "看一下 **这里** <img src=x onerror=alert(1)>"},
    )
    body = client.get(f"/w/acme/i/{item.ref}/").content.decode()
    assert "<strong>这里</strong>" in body and "<img" not in body and "&lt;img" in body
    response = client.post(f"/w/acme/i/{item.ref}/", {"op": "delete"})
    assert response.status_code == 302 and not Item.objects.filter(pk=item.pk).exists()


def test_my_work_lists_overdue_and_this_week(client, project, owner, workspace, member):
    today = timezone.localdate()
    make_items(
        project, owner, workspace, 1, assignee_ids=[owner.pk], due_date=today - timedelta(days=2)
    )
    make_items(
        project, owner, workspace, 1, assignee_ids=[member.pk], due_date=today - timedelta(days=2)
    )
    body = client.get("/w/acme/my/").content.decode()
    assert 'data-testid="overdue-count">1<' in body


def test_settings_rename_reorder_extend_and_delete_states(client, project, item):
    todo = State.objects.get(project=project, group="todo")
    client.post(
        "/w/acme/p/D11/settings/",
        {"op": "add_state", "name": "已排期", "group": "todo", "color": "#112233"},
    )
    names = list(project.states.order_by("sequence").values_list("name", flat=True))
    assert names.index("已排期") == names.index(todo.name) + 1
    client.post(
        "/w/acme/p/D11/settings/", {"op": "edit_state", "state_id": todo.pk, "name": "待办"}
    )
    todo.refresh_from_db()
    assert todo.name == "待办"
    client.post("/w/acme/p/D11/settings/", {"op": "state_up", "state_id": todo.pk})
    assert project.states.order_by("sequence").first() == todo
    response = client.post("/w/acme/p/D11/settings/", {"op": "delete_state", "state_id": todo.pk})
    assert response.status_code == 409  # it has an item and no target
    scheduled = State.objects.get(project=project, name="已排期")
    client.post(
        "/w/acme/p/D11/settings/",
        {"op": "delete_state", "state_id": todo.pk, "move_to": scheduled.pk},
    )
    item.refresh_from_db()
    assert item.state == scheduled and not State.objects.filter(pk=todo.pk).exists()


def test_a_state_of_another_project_is_404_on_the_page_as_in_the_api(
    client, api, project, workspace, owner
):
    other = actions.do_create_project(
        actor=membership_of(owner, workspace), data=ProjectIn(name="别的项目", key="OTH")
    )
    foreign = State.objects.filter(project=other).first()
    for op in ("edit_state", "delete_state"):
        response = client.post(
            "/w/acme/p/D11/settings/", {"op": op, "state_id": foreign.pk, "name": "偷改"}
        )
        assert response.status_code == 404, op
    for ref in (foreign.pk, 987654):
        url = f"/api/v1/workspaces/acme/projects/D11/states/{ref}"
        assert api.patch(url, {"name": "偷改"}).status_code == 404
        assert api.delete(url).status_code == 404
    assert State.objects.get(pk=foreign.pk).name != "偷改"


def test_project_stage_moves_one_step_at_a_time(client, project):
    response = client.post("/w/acme/p/D11/settings/", {"op": "details", "stage": "monitoring"})
    assert response.status_code == 409
    assert (
        client.post("/w/acme/p/D11/settings/", {"op": "details", "stage": "executing"}).status_code
        == 302
    )
    assert Project.objects.get(pk=project.pk).stage == "executing"


def test_sub_item_is_created_from_the_item_page(client, item):
    page = client.get(f"/w/acme/i/{item.ref}/").content.decode()
    assert 'id="sub-item-form"' in page
    response = client.post(
        "/w/acme/p/D11/items/new/",
        {"title": "海报文案", "parent_id": item.pk, "next": f"/w/acme/i/{item.ref}/"},
    )
    assert response.status_code == 302 and response["Location"] == f"/w/acme/i/{item.ref}/"
    child = Item.objects.get(title="海报文案")
    assert child.parent == item
    assert "海报文案" in client.get(f"/w/acme/i/{item.ref}/").content.decode()


def test_quick_create_never_redirects_off_site(client, project):
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example/"):
        response = client.post("/w/acme/p/D11/items/new/", {"title": "x", "next": evil})
        assert response["Location"] == "/w/acme/p/D11/", evil


def test_labels_page_adds_and_deletes_and_a_label_it_cannot_see_is_404(client, owner, workspace):
    assert client.post("/w/acme/labels/", {"name": "设计"}).status_code == 302
    label = Label.objects.get(workspace=workspace, name="设计")
    other = core_actions.do_create_workspace(actor=owner, slug="beta", name="别家")
    foreign = actions.do_create_label(
        actor=membership_of(owner, other), data=LabelIn(name="别家的")
    )
    for label_id in (foreign.pk, 987654):
        response = client.post("/w/acme/labels/", {"op": "delete", "label_id": label_id})
        assert response.status_code == 404, label_id
    assert Label.objects.filter(pk=foreign.pk).exists()
    assert client.post("/w/acme/labels/", {"op": "delete", "label_id": label.pk}).status_code == 302
    assert not Label.objects.filter(pk=label.pk).exists()
