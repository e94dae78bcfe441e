"""An item list's page, sorted and grouped; the CSV export's rows; a member's own work."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    F,
    FilteredRelation,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import OrderBy
from django.utils import timezone

from opsloop.core.models import Membership, User
from opsloop.core.paging import Paged, page_numbers
from opsloop.work.models import CLOSED_GROUPS, CustomField, FieldType, Item, ItemAssignee, Project
from opsloop.work.queries.filters import GROUP_KEYS, GROUP_ORDER, SORTS, ItemFilters
from opsloop.work.queries.items import _assignments, _load, filter_items, items_of, workspace_items


def _field_key(field: CustomField, relation: str) -> Case | F:
    """What a field's values sort by, through a FilteredRelation named relation: select
    options in their own order, people by username, the rest by their column."""
    kind = field.type
    if kind == FieldType.SELECT and field.options:
        return Case(
            *[
                When(**{f"{relation}__text": str(option.get("id"))}, then=Value(i))
                for i, option in enumerate(field.options)
            ],
            default=Value(None),
            output_field=IntegerField(),
        )
    column = {
        FieldType.NUMBER: "number",
        FieldType.DATE: "date",
        FieldType.USER: "user__username",
        FieldType.CHECKBOX: "flag",
    }.get(FieldType(kind), "text")
    return F(f"{relation}__{column}")


def _with_field(items: QuerySet[Item], relation: str, field: CustomField) -> QuerySet[Item]:
    """items LEFT JOINed to their value of field (one row at most: it is unique per item)."""
    return items.alias(
        **{relation: FilteredRelation("field_values", condition=Q(field_values__field_id=field.pk))}
    )


def _ordering(items: QuerySet[Item], filters: ItemFilters) -> tuple[QuerySet[Item], list]:
    if filters.sort_field is None:
        return items, list(SORTS[filters.sort])
    key = _field_key(filters.sort_field, "cf_sort")
    items = _with_field(items, "cf_sort", filters.sort_field)
    if filters.sort.startswith("-"):
        return items, [key.desc(nulls_last=True), "-id"]
    return items, [key.asc(nulls_last=True), "id"]


def _field_groups(
    items: QuerySet[Item], field: CustomField
) -> tuple[QuerySet[Item], str, Callable[[dict], tuple[list, dict]]]:
    """Grouping by a custom field: the rows, the group key, and a function from the groups'
    sizes to their order and headings."""
    items = _with_field(items, "cf_group", field)
    kind = field.type
    if kind == FieldType.SELECT:
        key = "cf_group__text"

        def arrange(sizes: dict) -> tuple[list, dict]:
            labels = {str(o.get("id")): str(o.get("label")) for o in field.options or []}
            return [k for k in labels if k in sizes], labels

    elif kind == FieldType.USER:
        key = "cf_group__user"

        def arrange(sizes: dict) -> tuple[list, dict]:
            people = list(
                User.objects.filter(pk__in=[k for k in sizes if k is not None]).order_by(
                    "username", "pk"
                )
            )
            return [u.pk for u in people], {u.pk: u.label for u in people}

    else:
        key = "cf_group__flag"

        def arrange(sizes: dict) -> tuple[list, dict]:
            return ([True] if True in sizes else []), {True: "✓"}

    return items, key, arrange


@dataclass
class ItemPage(Paged):
    items: list[Item]
    total: int
    page: int
    per_page: int
    # Rows under each group of a grouped list (its group headings show them).
    group_sizes: dict[object, int] = field(default_factory=dict)
    # Headings of the groups of a list grouped by a custom field.
    group_labels: dict[object, str] = field(default_factory=dict)


def _group_position(spanned: list[object]) -> list[OrderBy]:
    """The page's groups in list order, by their place among the groups it spans: a CASE
    over a few keys, where sorting by the groups' own names would join every row to its
    user or label (most of a grouped page's time at 100,000 items)."""
    if len(spanned) < 2:
        return []
    place = Case(
        *(
            When(group_key__isnull=True, then=Value(i))
            if k is None
            else When(group_key=k, then=Value(i))
            for i, k in enumerate(spanned)
        ),
        output_field=IntegerField(),
    )
    return [place.asc()]


class _CountDistinct(Func):
    """COUNT(DISTINCT column) that Django does not take for an aggregate, so that a
    subquery of it has no GROUP BY: it counts every row the subquery selects and always
    answers one row (0 when there are none)."""

    function = "COUNT"
    template = "%(function)s(DISTINCT %(expressions)s)"
    output_field = IntegerField()


def _assignee_group_sizes(items: QuerySet[Item], project_id: int) -> dict[object, int]:
    """Rows under each assignee of a whole project's list grouped by assignee, and under
    None the items with nobody: one query.

    Counted from the project's ItemAssignee rows, which the (project, user, item) and
    (project, item) indexes hold on their own; the items with nobody are the project's
    items less those with a row. Joining every item to its rows and grouping the joined
    rows cost 60 ms on SQLite at 100,000 items; this, 17 ms."""
    rows = _assignments(project_id)
    per_person = rows.order_by().values_list("user_id").annotate(rows=Count("*"))
    with_someone = rows.order_by().annotate(n=_CountDistinct("item_id")).values("n")
    nobody = (
        items.order_by()
        .annotate(nobody_key=Value(None, output_field=BigIntegerField()))
        .values_list("nobody_key")
        .annotate(rows=Count("pk") - Subquery(with_someone))
    )
    sizes: dict[object, int] = {}
    for group_key, size in per_person.union(nobody, all=True):
        if size:
            sizes[group_key] = size
    return sizes


def list_items(
    source: Project | QuerySet[Item],
    filters: ItemFilters,
    *,
    page: int | str | None = 1,
    per_page: int | str | None = 50,
) -> ItemPage:
    """One page of items, filtered and sorted; grouped lists are ordered by group first.

    Grouping by assignee or label lists an item once under each of its assignees or labels,
    as Plane and Jira do, so the group is part of the row (item.group_key).

    source is a project for a project's lists (see items_of), or any items."""
    page, per_page = page_numbers(page, per_page)
    items, order = _ordering(filter_items(source, filters), filters)
    offset = (page - 1) * per_page
    grouped = filters.group != "none"
    headings: dict[object, str] = {}
    if grouped and filters.group_field is not None:
        items, key, arrange = _field_groups(items, filters.group_field)
        sizes = {
            row[key]: row["rows"] for row in items.values(key).annotate(rows=Count("pk")).order_by()
        }
        ordered, headings = arrange(sizes)
    elif grouped:
        key_fields = GROUP_KEYS[filters.group]
        # Every group's size, in list order, tells which groups this page spans; only
        # their rows are then sorted, instead of every row of the list (a grouped list
        # of 100,000 items has more rows than items, and sorting them all for each page
        # cost hundreds of milliseconds).
        key = key_fields[-1]
        # A whole project's list counts its assignees' rows from the index alone; a
        # filtered one joins the items it keeps to their rows, which is cheaper than
        # matching all of the project's rows against those items.
        project_id = (
            items_of(source)[1] if filters.group == "assignee" and not filters.active else None
        )
        if project_id is not None:
            sizes = _assignee_group_sizes(items, project_id)
        else:
            sizes = {
                row[key]: row["rows"]
                for row in items.values(key).annotate(rows=Count("pk")).order_by()
            }
        if filters.group in GROUP_ORDER:
            # The groups' order by a query of their own (a few users, labels or states)
            # rather than a join per row: joining 100,000 rows to their users only to sort
            # the groups by username cost more than the counting. The database sorts, so
            # that its collation decides here as in the page's own ORDER BY.
            model, name = GROUP_ORDER[filters.group]
            ordered = list(
                model._default_manager.filter(pk__in=[k for k in sizes if k is not None])
                .order_by(name, "pk")
                .values_list("pk", flat=True)
            )
        else:
            ordered = sorted(sizes, reverse=key_fields[0].startswith("-"))
    if grouped:
        # Items with no assignee, label or value come last, in a group of their own.
        if None in sizes:
            ordered.append(None)
        total, before = 0, 0
        spanned: list[object] = []
        for group_key in ordered:
            if total + sizes[group_key] > offset and total < offset + per_page:
                before = before if spanned else total
                spanned.append(group_key)
            total += sizes[group_key]
        items = items.annotate(group_key=F(key))
        in_spanned = Q(group_key__in=[k for k in spanned if k is not None])
        if None in spanned:
            in_spanned |= Q(group_key__isnull=True)
        items = items.filter(in_spanned) if spanned else items.none()
        order = [*_group_position(spanned), *order]
        offset -= before
    else:
        total = items.count()
    # A deferred join: the page's ids come from a narrow query that an index answers (or
    # a sort of narrow rows), and only those rows are then read in full. Reading whole rows
    # with their joins for every row that OFFSET skips made deep pages grow with the data:
    # page 500 read 25,000 full rows to return 50.
    fields = ("pk", "group_key") if grouped else ("pk",)
    keys = list(items.order_by(*order).values_list(*fields)[offset : offset + per_page])
    by_id = {item.pk: item for item in _load(Item.objects.filter(pk__in={k[0] for k in keys}))}
    rows = []
    for row_key in keys:
        item = by_id[row_key[0]]
        if grouped:
            if hasattr(item, "group_key"):
                # The same item again, under its second assignee or label.
                item = copy.copy(item)
            item.group_key = row_key[1]  # type: ignore[attr-defined]  # a row's own attribute
        rows.append(item)
    return ItemPage(
        items=rows,
        total=total,
        page=page,
        per_page=per_page,
        group_sizes=sizes if grouped else {},
        group_labels=headings,
    )


EXPORT_CHUNK = 500


def export_items(source: Project | QuerySet[Item], filters: ItemFilters) -> Iterator[Item]:
    """Every item the filters match, in the list's sort order (grouping aside), read a
    chunk at a time so that an export of 100,000 items holds 500 of them at once."""
    items, order = _ordering(filter_items(source, filters), filters)
    ids = list(items.order_by(*order).values_list("pk", flat=True))
    for start in range(0, len(ids), EXPORT_CHUNK):
        chunk = ids[start : start + EXPORT_CHUNK]
        by_id = {
            item.pk: item
            for item in _load(Item.objects.filter(pk__in=chunk).select_related("parent"))
        }
        for pk in chunk:
            yield by_id[pk]


@dataclass
class MyWork:
    overdue: list[Item]
    due_this_week: list[Item]
    assigned: ItemPage


def my_work(
    membership: Membership, *, page: int | str | None = 1, today: date | None = None
) -> MyWork:
    """Open items assigned to the member across the projects they can see."""
    today = today or timezone.localdate()
    end_of_week = today + timedelta(days=6 - today.weekday())
    mine = (
        workspace_items(membership)
        .filter(pk__in=ItemAssignee.objects.filter(user_id=membership.user_id).values("item_id"))
        .exclude(state__group__in=CLOSED_GROUPS)
    )
    overdue = _load(mine.filter(due_date__lt=today).order_by("due_date", "id")[:100])
    this_week = _load(
        mine.filter(due_date__gte=today, due_date__lte=end_of_week).order_by("due_date", "id")[:100]
    )
    assigned = list_items(mine, ItemFilters(sort="priority"), page=page, per_page=50)
    return MyWork(overdue=overdue, due_this_week=this_week, assigned=assigned)
