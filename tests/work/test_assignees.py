"""Item assignees live in ItemAssignee, whose rows carry their item's project: the actions
keep that copy right, the migration that made the model kept every row, and the lists
that count and filter by assignee read it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count, F
from django.test.utils import CaptureQueriesContext

from opsloop.work import actions, queries
from opsloop.work.models import Item, ItemAssignee, Project, State
from opsloop.work.schemas import (
    BulkChanges,
    ItemIn,
    ItemMoveIn,
    ItemPatch,
    ProjectIn,
)
from tests.conftest import add_member, membership_of


@pytest.fixture
def actor(owner, workspace):
    return membership_of(owner, workspace)


@pytest.fixture
def other_project(actor):
    return actions.do_create_project(actor=actor, data=ProjectIn(name="年货节", key="CNY"))


def rows_of(item: Item) -> list[tuple[int, int]]:
    """(user id, project id) of each of the item's assignee rows."""
    return sorted(
        ItemAssignee.objects.filter(item=item).values_list("user_id", "project_id").order_by()
    )


def assert_no_stale_rows() -> None:
    stale = ItemAssignee.objects.exclude(project_id=F("item__project_id"))
    assert list(stale.values_list("item_id", "user_id", "project_id")) == []


def test_rows_carry_the_project_of_their_item(actor, project, other_project, owner, member):
    here = actions.do_create_item(
        actor=actor, project=project, data=ItemIn(title="主会场海报", assignee_ids=[owner.pk])
    )
    there = actions.do_create_item(
        actor=actor,
        project=other_project,
        data=ItemIn(title="年货节海报", assignee_ids=[owner.pk, member.pk]),
    )
    assert rows_of(here) == [(owner.pk, project.pk)]
    assert rows_of(there) == [(owner.pk, other_project.pk), (member.pk, other_project.pk)]
    assert_no_stale_rows()


def test_setting_and_clearing_assignees_keeps_the_project(actor, project, owner, member):
    item = actions.do_create_item(actor=actor, project=project, data=ItemIn(title="推文"))
    assert rows_of(item) == []
    item = actions.do_update_item(
        actor=actor, item=item, data=ItemPatch(assignee_ids=[member.pk, owner.pk])
    )
    assert rows_of(item) == sorted([(owner.pk, project.pk), (member.pk, project.pk)])
    # The item as the action hands it back reads its new assignees.
    assert {u.pk for u in item.assignee_list} == {owner.pk, member.pk}
    item = actions.do_update_item(actor=actor, item=item, data=ItemPatch(assignee_ids=[member.pk]))
    assert rows_of(item) == [(member.pk, project.pk)]
    actions.do_update_item(actor=actor, item=item, data=ItemPatch(assignee_ids=[]))
    assert rows_of(item) == []
    assert_no_stale_rows()


def test_bulk_edit_and_the_board_keep_the_project(actor, project, owner, member):
    items = [
        actions.do_create_item(actor=actor, project=project, data=ItemIn(title=f"任务{i}"))
        for i in range(3)
    ]
    actions.do_bulk_update_items(
        actor=actor,
        project=project,
        refs=[i.ref for i in items],
        changes=BulkChanges(add_assignee_ids=[member.pk, owner.pk]),
    )
    actions.do_bulk_update_items(
        actor=actor,
        project=project,
        refs=[items[0].ref],
        changes=BulkChanges(remove_assignee_ids=[owner.pk]),
    )
    assert rows_of(items[0]) == [(member.pk, project.pk)]
    assert rows_of(items[1]) == sorted([(owner.pk, project.pk), (member.pk, project.pk)])
    # The board's drag and drop moves an item within its project: its rows stay right.
    doing = State.objects.get(project=project, group="in_progress")
    actions.do_move_item(
        actor=actor,
        item=Item.objects.select_related("project", "state").get(pk=items[1].pk),
        data=ItemMoveIn(state_id=doing.pk, before_id=items[0].pk),
    )
    assert rows_of(items[1]) == sorted([(owner.pk, project.pk), (member.pk, project.pk)])
    assert_no_stale_rows()


def test_no_action_takes_an_item_to_another_project():
    # ItemAssignee.project is written with each row and never rewritten, which holds only
    # while an item stays in the project it was created in. An action that moves items
    # between projects must rewrite the rows of the items it moves (and this test).
    for schema in (ItemIn, ItemPatch, ItemMoveIn, BulkChanges):
        assert not {"project", "project_id", "project_key"} & set(schema.model_fields), schema


def test_deleting_the_item_the_user_or_the_project_deletes_the_rows(
    actor, project, other_project, owner, workspace
):
    designer = add_member(workspace, "designer", "member")
    first = actions.do_create_item(
        actor=actor,
        project=project,
        data=ItemIn(title="海报", assignee_ids=[owner.pk, designer.pk]),
    )
    second = actions.do_create_item(
        actor=actor, project=other_project, data=ItemIn(title="文案", assignee_ids=[owner.pk])
    )
    actions.do_delete_item(actor=actor, item=first)
    assert not ItemAssignee.objects.filter(item_id=first.pk).exists()
    assert ItemAssignee.objects.count() == 1
    actions.do_delete_project(actor=actor, project=other_project)
    assert not ItemAssignee.objects.filter(item_id=second.pk).exists()
    assert ItemAssignee.objects.count() == 0


# --- the lists


def _joined_sizes(items) -> dict:
    """Each assignee group's rows, counted the way the list counts a filtered one."""
    return {
        row["assignees__id"]: row["rows"]
        for row in items.values("assignees__id").annotate(rows=Count("pk")).order_by()
    }


@pytest.fixture
def crowd(actor, project, other_project, owner, member):
    """Items with nobody, one or two assignees, and rows of another project alongside."""
    specs = [
        ([], "low"),
        ([owner.pk], "high"),
        ([owner.pk, member.pk], "low"),
        ([member.pk], "high"),
        ([], "high"),
        ([owner.pk], "high"),
    ]
    items = [
        actions.do_create_item(
            actor=actor,
            project=project,
            data=ItemIn(title=f"任务{i}", assignee_ids=people, priority=priority),
        )
        for i, (people, priority) in enumerate(specs)
    ]
    actions.do_create_item(
        actor=actor,
        project=other_project,
        data=ItemIn(title="别的项目", assignee_ids=[owner.pk, member.pk]),
    )
    actions.do_create_item(actor=actor, project=other_project, data=ItemIn(title="没人"))
    return items


def test_group_sizes_from_the_rows_match_the_join(crowd, project, owner, member):
    base = queries.project_items(project)
    with CaptureQueriesContext(connection) as run:
        page = queries.list_items(project, queries.parse_item_filters({"group": "assignee"}))
    # A project's list counts the project's assignee rows, without joining its items to them.
    assert any(
        '"work_item_assignees"."project_id" =' in query["sql"] for query in run.captured_queries
    )
    assert page.group_sizes == {owner.pk: 3, member.pk: 2, None: 2}
    assert page.group_sizes == _joined_sizes(base)
    assert page.total == 7
    assert [(i.ref, i.group_key) for i in page.items] == [
        # owner and member in username order, then nobody
        *[(i.ref, member.pk) for i in crowd if member.pk in {u.pk for u in i.assignee_list}],
        *[(i.ref, owner.pk) for i in crowd if owner.pk in {u.pk for u in i.assignee_list}],
        *[(i.ref, None) for i in crowd if not i.assignee_list],
    ]


def test_filtered_group_sizes_count_only_the_kept_items(crowd, project, owner, member):
    base = queries.project_items(project)
    filters = queries.parse_item_filters({"group": "assignee", "priority": "high"})
    page = queries.list_items(project, filters)
    assert page.group_sizes == {owner.pk: 2, member.pk: 1, None: 1}
    assert page.group_sizes == _joined_sizes(queries.filter_items(base, filters))


def test_a_project_with_nobody_assigned_has_one_group(actor, project):
    actions.do_create_item(actor=actor, project=project, data=ItemIn(title="独自"))
    page = queries.list_items(project, queries.parse_item_filters({"group": "assignee"}))
    assert page.group_sizes == {None: 1} and page.total == 1
    empty = actions.do_create_project(actor=actor, data=ProjectIn(name="空项目", key="NIL"))
    page = queries.list_items(empty, queries.parse_item_filters({"group": "assignee"}))
    assert page.group_sizes == {} and page.total == 0 and page.items == []


def test_assignee_filter_reads_the_projects_rows(crowd, project, other_project, owner, member):
    # A project's lists name the project; a queryset says nothing of its items' projects.
    assert queries.items_of(project)[1] == project.pk
    assert queries.items_of(queries.project_items(project))[1] is None
    filtered = queries.filter_items(
        project, queries.parse_item_filters({"assignee": str(member.pk)})
    )
    assert "project_id" in str(filtered.query).split("work_item_assignees", 1)[1]
    assert sorted(i.pk for i in filtered) == sorted(
        i.pk for i in crowd if member.pk in {u.pk for u in i.assignee_list}
    )
    # Without one project (the workspace's lists), every project's rows.
    everywhere = queries.filter_items(
        Item.objects.filter(project__in=Project.objects.all()),
        queries.parse_item_filters({"assignee": str(member.pk)}),
    )
    assert everywhere.count() == 3


def test_board_counts_each_column_under_an_assignee_filter(crowd, project, owner):
    filters = queries.parse_item_filters({"assignee": str(owner.pk), "priority": "high"})
    columns = queries.board_columns(project, filters)
    expected = [
        i.pk for i in crowd if i.priority == 3 and owner.pk in {u.pk for u in i.assignee_list}
    ]
    assert sum(c.total for c in columns) == len(expected) == 2
    assert {c.state.pk: c.total for c in columns if c.total} == {crowd[1].state_id: 2}
    assert sorted(i.pk for c in columns for i in c.items) == sorted(expected)
    unfiltered = queries.board_columns(project, queries.ItemFilters())
    assert sum(c.total for c in unfiltered) == len(crowd)


# --- the migration that made the model


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_every_row_and_fills_the_project(
    actor, project, other_project, owner, member
):
    assigned = [
        actions.do_create_item(
            actor=actor, project=p, data=ItemIn(title=f"{p.key} 任务", assignee_ids=people)
        )
        for p, people in (
            (project, [owner.pk]),
            (project, [owner.pk, member.pk]),
            (other_project, [member.pk]),
            (other_project, []),
        )
    ]
    before = sorted(ItemAssignee.objects.values_list("pk", "item_id", "user_id"))
    assert len(before) == 4
    executor = MigrationExecutor(connection)
    # Going back to work 0005 unapplies the migrations of every app that depends on work
    # (goals, dashboards ...): coming back must reapply them all, not work's alone, or the
    # tests that run after this one find their tables gone.
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate([("work", "0005_custom_field_values_by_type")])
        with connection.cursor() as cursor:
            columns = [
                c.name for c in connection.introspection.get_table_description(
                    cursor, "work_item_assignees"
                )
            ]  # fmt: skip
            assert "project_id" not in columns
            cursor.execute("SELECT id, item_id, user_id FROM work_item_assignees ORDER BY id")
            assert sorted(cursor.fetchall()) == before
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(latest)
    finally:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(latest):
            executor.migrate(latest)
    assert sorted(ItemAssignee.objects.values_list("pk", "item_id", "user_id")) == before
    assert sorted(ItemAssignee.objects.values_list("item_id", "project_id").distinct()) == sorted(
        (i.pk, i.project_id) for i in assigned if i.assignees.exists()
    )
    assert_no_stale_rows()
    # The adopted table takes new rows, with their project, as before.
    actions.do_update_item(actor=actor, item=assigned[3], data=ItemPatch(assignee_ids=[owner.pk]))
    assert rows_of(assigned[3]) == [(owner.pk, other_project.pk)]
