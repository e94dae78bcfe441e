"""Items: filtering a set of them, loading a page of them with their relations, and the
reads of one item's children and history."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import F, Q, QuerySet

from opsloop.core.models import Membership, User
from opsloop.work import history
from opsloop.work.models import (
    Activity,
    CustomFieldValue,
    FieldType,
    Item,
    ItemAssignee,
    Label,
    Project,
)
from opsloop.work.queries.access import REF_RE, visible_projects
from opsloop.work.queries.filters import FieldFilter, ItemFilters


def _field_condition(f: FieldFilter) -> Q:
    """The condition on CustomFieldValue rows of f.field that f asks for."""
    kind = f.field.type
    if f.op == "range":
        column = "number" if kind == FieldType.NUMBER else "date"
        cond = Q()
        if f.low is not None:
            cond &= Q(**{f"{column}__gte": f.low})
        if f.high is not None:
            cond &= Q(**{f"{column}__lte": f.high})
        return cond
    if kind == FieldType.CHECKBOX:
        return Q(flag=True)
    if kind == FieldType.USER:
        return Q(user_id__in=f.values)
    if kind == FieldType.SELECT:
        return Q(text__in=f.values)
    if kind == FieldType.MULTI_SELECT:
        cond = Q(pk__in=[])
        for option in f.values:
            cond |= Q(text__contains=f",{option},")
        return cond
    return Q(text__icontains=f.values[0])


def _assignments(project_id: int | None) -> QuerySet[ItemAssignee]:
    """Assignee rows, of one project when it is known (so that its indexes answer)."""
    rows = ItemAssignee.objects.all()
    return rows if project_id is None else rows.filter(project_id=project_id)


def filter_items(source: Project | QuerySet[Item], filters: ItemFilters) -> QuerySet[Item]:
    """The items of source (a project, or any items) that the filters keep."""
    items, project_id = items_of(source)
    for f in filters.custom:
        # Each a semi-join on the (field, …) index of the value table, as labels are.
        rows = CustomFieldValue.objects.filter(field_id=f.field.pk)
        if f.op == "none":
            items = items.exclude(pk__in=rows.values("item_id"))
        else:
            items = items.filter(pk__in=rows.filter(_field_condition(f)).values("item_id"))
    if filters.states:
        items = items.filter(state_id__in=filters.states)
    if filters.state_groups:
        items = items.filter(state__group__in=filters.state_groups)
    if filters.assignees or filters.unassigned:
        cond = Q()
        if filters.assignees:
            # A semi-join that the (project, user, item) index answers on its own.
            cond |= Q(
                pk__in=_assignments(project_id)
                .filter(user_id__in=filters.assignees)
                .values("item_id")
            )
        if filters.unassigned:
            cond |= Q(assignees__isnull=True)
        items = items.filter(cond)
    if filters.labels:
        items = items.filter(
            pk__in=Item.labels.through.objects.filter(label_id__in=filters.labels).values("item_id")
        )
    if filters.priorities:
        items = items.filter(priority__in=filters.priorities)
    if filters.due_after:
        items = items.filter(due_date__gte=filters.due_after)
    if filters.due_before:
        items = items.filter(due_date__lte=filters.due_before)
    if filters.parent:
        items = items.filter(parent_id=filters.parent)
    if filters.q:
        ref = REF_RE.match(filters.q)
        if ref:
            items = items.filter(project__key=ref.group(1).upper(), number=int(ref.group(2)))
        else:
            # Text without letter case (Chinese, digits) matches the same either way, and
            # matching it as it is spares PostgreSQL an UPPER() of every title it scans:
            # half the time of a search over 100,000 items.
            has_case = filters.q.lower() != filters.q.upper()
            text = Q(title__icontains=filters.q) if has_case else Q(title__contains=filters.q)
            if filters.q.isdigit():
                text |= Q(number=int(filters.q))
            items = items.filter(text)
    return items


def _load(items: QuerySet[Item]) -> list[Item]:
    """The items with their state, project, assignees and labels: three queries in all.

    prefetch_related("assignees", "labels") runs the same two extra queries, then builds a
    filtered QuerySet per item and relation (a clone and a compiled filter each) only to
    hold the results; at 50 items that bookkeeping cost more than the queries did. Here
    the rows are grouped by item by hand and left on each item as loaded_assignees and
    loaded_labels, which Item.assignee_list and Item.label_list return."""
    rows = list(items.select_related("state", "project"))
    if not rows:
        return rows
    ids = [item.pk for item in rows]
    people: dict[int, list[User]] = defaultdict(list)
    for user in (
        User.objects.filter(assigned_items__in=ids)
        .annotate(item_key=F("assigned_items__id"))
        .only("id", "username", "display_name", "first_name", "last_name")
        .order_by("display_name", "username", "id")
    ):
        people[user.item_key].append(user)
    labels: dict[int, list[Label]] = defaultdict(list)
    for label in (
        Label.objects.filter(items__in=ids).annotate(item_key=F("items__id")).order_by("name", "id")
    ):
        labels[label.item_key].append(label)
    values: dict[int, dict[int, CustomFieldValue]] = defaultdict(dict)
    for value in CustomFieldValue.objects.filter(item_id__in=ids).select_related("field", "user"):
        values[value.item_id][value.field_id] = value
    for item in rows:
        item.loaded_assignees = people.get(item.pk, [])
        item.loaded_labels = labels.get(item.pk, [])
        item.loaded_field_rows = values.get(item.pk, {})
    return rows


def project_items(project: Project) -> QuerySet[Item]:
    return Item.objects.filter(project=project)


def workspace_items(membership: Membership) -> QuerySet[Item]:
    return Item.objects.filter(project__in=visible_projects(membership))


def items_of(source: Project | QuerySet[Item]) -> tuple[QuerySet[Item], int | None]:
    """What a list starts from: a project's items, with the project's id, or any items
    (a workspace's, a member's own), with None.

    With the project known, the assignees of its items are one range of ItemAssignee's
    (project, ...) indexes, which is how a grouped list counts its groups and an assignee
    filter finds its items without joining every item of the project to its assignees.
    So a project's lists pass the project itself, not a queryset of its items."""
    if isinstance(source, Project):
        return project_items(source), source.pk
    return source, None


def possible_parents(item: Item, limit: int = 200) -> QuerySet[Item]:
    """Items of the item's project that its form offers as its parent, newest first."""
    return project_items(item.project).exclude(pk=item.pk).order_by("-number")[:limit]


def list_item_activity(item: Item) -> list[Activity]:
    """Its changes, oldest first, each with its field and values as a reader sees them."""
    changes = list(
        Activity.objects.filter(item=item).select_related("actor").order_by("created_at", "id")
    )
    history.describe(changes)
    return changes


def list_children(item: Item) -> list[Item]:
    return _load(Item.objects.filter(parent=item).order_by("sort_order", "id"))
