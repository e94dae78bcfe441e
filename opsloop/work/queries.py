"""Reads of projects and items that pages and the API share, with access checks."""

from __future__ import annotations

import copy
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    F,
    FilteredRelation,
    Func,
    IntegerField,
    Model,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import Col, OrderBy
from django.db.models.fields.related_lookups import RelatedExact
from django.db.models.sql.where import AND
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opsloop.core.errors import Forbidden, Invalid, NotFound
from opsloop.core.models import Membership, Role, User
from opsloop.core.paging import Paged, page_numbers
from opsloop.core.queries import access_workspace
from opsloop.work.models import (
    CLOSED_GROUPS,
    PRIORITY_VALUES,
    Activity,
    CustomField,
    CustomFieldValue,
    FieldType,
    Item,
    ItemAssignee,
    Label,
    Layout,
    Project,
    ProjectMember,
    SavedView,
    State,
    Visibility,
)

REF_RE = re.compile(r"^([A-Za-z][A-Za-z0-9]{1,9})-(\d{1,9})$")

# What a role may do in a project it can see.
VIEW, EDIT, MANAGE = "view", "edit", "manage"


def visible_projects(membership: Membership) -> QuerySet[Project]:
    """Projects the member may see: admins all, members the workspace-visible and
    their private ones, guests only those shared with them."""
    projects = Project.objects.filter(workspace_id=membership.workspace_id)
    if membership.at_least(Role.ADMIN):
        return projects
    shared = Q(pk__in=ProjectMember.objects.filter(user_id=membership.user_id).values("project_id"))
    if membership.role == Role.GUEST:
        return projects.filter(shared)
    return projects.filter(Q(visibility=Visibility.WORKSPACE) | shared)


def can_manage_project(membership: Membership, project: Project) -> bool:
    return membership.at_least(Role.ADMIN) or project.owner_id == membership.user_id


def check_project_permission(membership: Membership, project: Project, need: str) -> None:
    if need == VIEW:
        return
    if need == EDIT and membership.at_least(Role.MEMBER):
        return
    if (
        need == MANAGE
        and can_manage_project(membership, project)
        and membership.at_least(Role.MEMBER)
    ):
        return
    raise Forbidden(
        _("Guests can only read this project.")
        if membership.role == Role.GUEST
        else _("Only the project owner or a workspace admin can do this.")
    )


@dataclass(frozen=True)
class ProjectAccess:
    membership: Membership
    project: Project


def access_project(user: User, slug: str, key: str, need: str = VIEW) -> ProjectAccess:
    membership = access_workspace(user, slug)
    project = visible_projects(membership).select_related("owner").filter(key=key.upper()).first()
    if project is None:
        raise NotFound(_("Project not found."))
    project.workspace = membership.workspace
    check_project_permission(membership, project, need)
    return ProjectAccess(membership, project)


@dataclass(frozen=True)
class ItemAccess:
    membership: Membership
    item: Item


def parse_ref(ref: str) -> tuple[str, int]:
    match = REF_RE.match(ref or "")
    if not match:
        raise NotFound(_("Item not found."))
    return match.group(1).upper(), int(match.group(2))


def access_item(user: User, slug: str, ref: str, need: str = VIEW) -> ItemAccess:
    """An item by its reference (D11-42) in a project the user can see."""
    key, number = parse_ref(ref)
    membership = access_workspace(user, slug)
    item = (
        Item.objects.select_related(
            "project", "state", "parent__project", "created_by", "updated_by"
        )
        .prefetch_related("assignees", "labels")
        .filter(project__in=visible_projects(membership), project__key=key, number=number)
        .first()
    )
    if item is None:
        raise NotFound(_("Item not found."))
    item.project.workspace = membership.workspace
    check_project_permission(membership, item.project, need)
    return ItemAccess(membership, item)


def list_projects(membership: Membership, *, include_closed: bool = True) -> QuerySet[Project]:
    projects = visible_projects(membership).select_related("owner")
    if not include_closed:
        projects = projects.exclude(stage="closed")
    return projects.annotate(
        item_count=Count("items", distinct=True),
        open_count=Count("items", filter=~Q(items__state__group__in=CLOSED_GROUPS), distinct=True),
        done_count=Count("items", filter=Q(items__state__group="done"), distinct=True),
    ).order_by("name")


def list_states(project: Project) -> QuerySet[State]:
    return State.objects.filter(project=project).order_by("sequence", "id")


def get_project_state(project: Project, state_id: int) -> State:
    """A state of the project named in a URL; 404 when it belongs to no such project."""
    state = State.objects.filter(project=project, pk=state_id).first()
    if state is None:
        raise NotFound(_("State not found."))
    state.project = project
    return state


def list_labels(workspace_id: int) -> QuerySet[Label]:
    return Label.objects.filter(workspace_id=workspace_id).order_by("name")


def get_label(workspace_id: int, label_id: int) -> Label:
    label = Label.objects.filter(workspace_id=workspace_id, pk=label_id).first()
    if label is None:
        raise NotFound(_("Label not found."))
    return label


def list_project_members(project: Project) -> QuerySet[User]:
    return User.objects.filter(project_memberships__project=project).order_by(
        "display_name", "username"
    )


def assignable_users(project: Project) -> QuerySet[User]:
    """Workspace members who can see the project (the only valid assignees)."""
    members = Membership.objects.filter(workspace_id=project.workspace_id)
    if project.visibility == Visibility.PRIVATE:
        members = members.filter(
            Q(role__in=[Role.ADMIN, Role.OWNER]) | Q(user__project_memberships__project=project)
        )
    else:
        members = members.filter(
            Q(role__in=[Role.ADMIN, Role.OWNER, Role.MEMBER])
            | Q(user__project_memberships__project=project)
        )
    return User.objects.filter(pk__in=members.values("user_id")).order_by(
        "display_name", "username"
    )


# --- item lists: one filter description shared by the list page, the board and the API

SORTS = {
    "manual": ("sort_order", "id"),
    "priority": ("-priority", "sort_order", "id"),
    "due": (F("due_date").asc(nulls_last=True), "id"),
    "-due": (F("due_date").desc(nulls_last=True), "-id"),
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
    "title": ("title", "id"),
    "number": ("number", "id"),
    "-number": ("-number", "-id"),
}
GROUPS = ("none", "state", "assignee", "priority", "label")
GROUP_KEYS = {
    "state": ("state__sequence", "state_id"),
    "assignee": ("assignees__username", "assignees__id"),
    "priority": ("-priority", "priority"),
    "label": ("labels__name", "labels__id"),
}
# Where a group's place in the list comes from, when not from its key alone.
GROUP_ORDER: dict[str, tuple[type[Model], str]] = {
    "state": (State, "sequence"),
    "assignee": (User, "username"),
    "label": (Label, "name"),
}


# Columns of the list page, in this order; custom fields (cf_<id>) come after them.
COLUMNS = (
    "state",
    "priority",
    "assignees",
    "labels",
    "start",
    "due",
    "estimate",
    "progress",
    "updated",
)
DEFAULT_COLUMNS = ("state", "priority", "assignees", "due", "progress")
# Fields a list can be grouped by: one value per item.
GROUPABLE = (FieldType.SELECT, FieldType.USER, FieldType.CHECKBOX)
CF_PARAM = re.compile(r"^cf_(\d{1,12})(?:_(from|to))?$")


@dataclass(frozen=True)
class FieldFilter:
    """One custom field condition: op "none" (no value), "any" (one of values), "range"."""

    field: CustomField
    op: str
    values: tuple = ()
    low: object = None
    high: object = None


def applicable_fields(project: Project) -> QuerySet[CustomField]:
    """The workspace's fields and the project's own: the fields its items carry."""
    return CustomField.objects.filter(
        Q(project__isnull=True) | Q(project=project), workspace_id=project.workspace_id
    ).order_by(F("project_id").asc(nulls_first=True), "sequence", "id")


def workspace_fields(workspace_id: int) -> QuerySet[CustomField]:
    return CustomField.objects.filter(workspace_id=workspace_id, project__isnull=True).order_by(
        "sequence", "id"
    )


def project_own_fields(project: Project) -> QuerySet[CustomField]:
    return CustomField.objects.filter(project=project).order_by("sequence", "id")


def get_field(workspace_id: int, field_id: int, project: Project | None = None) -> CustomField:
    """A workspace-wide field, or with project a field of that project; 404 otherwise."""
    field = CustomField.objects.filter(
        workspace_id=workspace_id, pk=field_id, project=project
    ).first()
    if field is None:
        raise NotFound(_("Custom field not found."))
    return field


@dataclass
class ItemFilters:
    """Filters, sort and grouping of an item list, parsed from query parameters."""

    states: list[int] = field(default_factory=list)
    state_groups: list[str] = field(default_factory=list)
    assignees: list[int] = field(default_factory=list)
    unassigned: bool = False
    labels: list[int] = field(default_factory=list)
    priorities: list[int] = field(default_factory=list)
    due_after: date | None = None
    due_before: date | None = None
    q: str = ""
    parent: int | None = None
    sort: str = "manual"
    group: str = "none"
    # Custom fields: filters (cf_<id>=…), the field sorted or grouped by, list columns.
    custom: list[FieldFilter] = field(default_factory=list)
    sort_field: CustomField | None = None
    group_field: CustomField | None = None
    columns: list[str] = field(default_factory=lambda: list(DEFAULT_COLUMNS))

    @property
    def active(self) -> bool:
        return bool(
            self.custom
            or self.states
            or self.state_groups
            or self.assignees
            or self.unassigned
            or self.labels
            or self.priorities
            or self.due_after
            or self.due_before
            or self.q
            or self.parent
        )


def _ints(values: Iterable[str], field_name: str) -> list[int]:
    out = []
    for value in values:
        for part in str(value).split(","):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit():
                raise Invalid(
                    _("%(field)s must be a list of numeric ids.") % {"field": field_name},
                    field=field_name,
                )
            out.append(int(part))
    return out


def _strings(values: Iterable[str]) -> list[str]:
    return [p.strip() for v in values for p in str(v).split(",") if p.strip()]


def _date(value: str | None, field_name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(
            _("%(field)s must be a date like 2026-11-11.") % {"field": field_name}, field=field_name
        ) from None


def parse_item_filters(
    params: Mapping, *, me: User | None = None, fields: Iterable[CustomField] = ()
) -> ItemFilters:
    """Read filters from a QueryDict or dict of lists; raise Invalid naming the bad parameter.

    fields are the custom fields the list's items may carry (read only when a parameter
    names one): cf_<id> filters, sort=cf_<id>, group=cf_<id> and columns=cf_<id>."""

    def getlist(name: str) -> list[str]:
        if hasattr(params, "getlist"):
            return params.getlist(name)
        value = params.get(name)
        if value is None:
            return []
        return list(value) if isinstance(value, list | tuple) else [value]

    assignee_values = _strings(getlist("assignee"))
    unassigned = "none" in assignee_values
    if me is not None:
        assignee_values = [str(me.pk) if v == "me" else v for v in assignee_values]
    assignees = _ints([v for v in assignee_values if v != "none"], "assignee")
    priorities = []
    for name in _strings(getlist("priority")):
        if name not in PRIORITY_VALUES:
            raise Invalid(
                _("Unknown priority %(value)s; use urgent, high, medium, low or none.")
                % {"value": name},
                field="priority",
            )
        priorities.append(PRIORITY_VALUES[name])
    state_groups = _strings(getlist("state_group"))
    from opsloop.work.models import StateGroup

    for group in state_groups:
        if group not in StateGroup.values:
            raise Invalid(
                _("Unknown state group %(value)s.") % {"value": group}, field="state_group"
            )
    known: dict[int, CustomField] | None = None

    def custom_field(name: str, param: str) -> CustomField:
        nonlocal known
        if known is None:
            known = {f.pk: f for f in fields}
        match = CF_PARAM.match(name)
        found = known.get(int(match.group(1))) if match else None
        if found is None:
            raise Invalid(_("Unknown custom field %(value)s.") % {"value": name}, field=param)
        return found

    sort = (params.get("sort") or "manual").strip()
    sort_field = None
    if sort.lstrip("-").startswith("cf_"):
        sort_field = custom_field(sort.lstrip("-"), "sort")
    elif sort not in SORTS:
        raise Invalid(
            _("Unknown sort %(value)s; use one of: %(values)s.")
            % {"value": sort, "values": ", ".join(SORTS)},
            field="sort",
        )
    group = (params.get("group") or "none").strip()
    group_field = None
    if group.startswith("cf_"):
        group_field = custom_field(group, "group")
        if group_field.type not in GROUPABLE:
            raise Invalid(
                _("A list can be grouped by a single select, person or checkbox field."),
                field="group",
            )
    elif group not in GROUPS:
        raise Invalid(
            _("Unknown grouping %(value)s; use one of: %(values)s.")
            % {"value": group, "values": ", ".join(GROUPS)},
            field="group",
        )
    parent = _ints(getlist("parent"), "parent")
    q = (params.get("q") or "").strip()
    if len(q) > 200:
        raise Invalid(_("The search text is too long (at most 200 characters)."), field="q")
    columns = list(DEFAULT_COLUMNS)
    if params.get("columns") is not None:
        columns = list(dict.fromkeys(_strings(getlist("columns")))) or list(DEFAULT_COLUMNS)
        for column in columns:
            if column.startswith("cf_"):
                custom_field(column, "columns")
            elif column not in COLUMNS:
                raise Invalid(_("Unknown column %(value)s.") % {"value": column}, field="columns")
    custom: dict[int, FieldFilter] = {}
    for name in sorted({str(k) for k in params if str(k).startswith("cf_")}):
        values = [v.strip() for v in getlist(name) if v and v.strip()]
        if not values:
            continue
        custom_field_ = custom_field(name, name)
        custom[custom_field_.pk] = _field_filter(
            custom_field_, name, values, custom.get(custom_field_.pk), me
        )
    return ItemFilters(
        custom=list(custom.values()),
        sort_field=sort_field,
        group_field=group_field,
        columns=columns,
        states=_ints(getlist("state"), "state"),
        state_groups=state_groups,
        assignees=assignees,
        unassigned=unassigned,
        labels=_ints(getlist("label"), "label"),
        priorities=priorities,
        due_after=_date(params.get("due_after"), "due_after"),
        due_before=_date(params.get("due_before"), "due_before"),
        q=q,
        parent=parent[0] if parent else None,
        sort=sort,
        group=group,
    )


def _field_filter(
    field: CustomField, name: str, values: list[str], before: FieldFilter | None, me: User | None
) -> FieldFilter:
    """One cf_<id>, cf_<id>_from or cf_<id>_to parameter, merged with what came before."""
    end = CF_PARAM.match(name).group(2)  # type: ignore[union-attr]  # the caller matched it
    if values == ["__none"]:
        return FieldFilter(field=field, op="none")
    ranged = field.type in (FieldType.NUMBER, FieldType.DATE)
    if end and not ranged:
        raise Invalid(_("Only number and date fields take a range."), field=name)

    def typed(value: str) -> object:
        if field.type == FieldType.NUMBER:
            try:
                return Decimal(value)
            except InvalidOperation:
                raise Invalid(
                    _("%(field)s must be a number.") % {"field": name}, field=name
                ) from None
        return _date(value, name)

    if ranged:
        low = before.low if before else None
        high = before.high if before else None
        if end == "from":
            low = typed(values[-1])
        elif end == "to":
            high = typed(values[-1])
        else:
            low = high = typed(values[-1])
        return FieldFilter(field=field, op="range", low=low, high=high)
    if field.type == FieldType.CHECKBOX:
        word = values[-1].lower()
        if word not in ("true", "false"):
            raise Invalid(_("%(field)s is true or false.") % {"field": name}, field=name)
        return FieldFilter(field=field, op="any" if word == "true" else "none")
    if field.type == FieldType.USER:
        ids = [str(me.pk) if v == "me" and me is not None else v for v in _strings(values)]
        return FieldFilter(field=field, op="any", values=tuple(_ints(ids, name)))
    if field.type in (FieldType.SELECT, FieldType.MULTI_SELECT):
        return FieldFilter(field=field, op="any", values=tuple(_strings(values)))
    if len(values[-1]) > 200:
        raise Invalid(_("The search text is too long (at most 200 characters)."), field=name)
    return FieldFilter(field=field, op="any", values=(values[-1],))


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


def project_of(items: QuerySet[Item]) -> int | None:
    """The id of the one project that items are limited to, if they are: the lists of a
    project start from project_items(project), whose condition on the project this finds
    among the conditions that every item of the queryset must meet.

    With it, the assignees of those items are one range of ItemAssignee's (project, ...)
    indexes, which is how a grouped list counts its groups and an assignee filter finds
    its items without joining every item of the project to its assignees."""
    where = items.query.where
    if where.connector != AND or where.negated:
        return None
    project_field = Item._meta.get_field("project")
    for condition in where.children:
        if (
            isinstance(condition, RelatedExact)
            and isinstance(condition.lhs, Col)
            and condition.lhs.alias == Item._meta.db_table
            and condition.lhs.target is project_field
            and isinstance(condition.rhs, int)
        ):
            return condition.rhs
    return None


def _assignments(project_id: int | None) -> QuerySet[ItemAssignee]:
    """Assignee rows, of one project when it is known (so that its indexes answer)."""
    rows = ItemAssignee.objects.all()
    return rows if project_id is None else rows.filter(project_id=project_id)


def filter_items(items: QuerySet[Item], filters: ItemFilters) -> QuerySet[Item]:
    project_id = project_of(items) if filters.assignees else None
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
    base: QuerySet[Item],
    filters: ItemFilters,
    *,
    page: int | str | None = 1,
    per_page: int | str | None = 50,
) -> ItemPage:
    """One page of items, filtered and sorted; grouped lists are ordered by group first.

    Grouping by assignee or label lists an item once under each of its assignees or labels,
    as Plane and Jira do, so the group is part of the row (item.group_key)."""
    page, per_page = page_numbers(page, per_page)
    items, order = _ordering(filter_items(base, filters), filters)
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
            project_of(base) if filters.group == "assignee" and not filters.active else None
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


def export_items(base: QuerySet[Item], filters: ItemFilters) -> Iterator[Item]:
    """Every item the filters match, in the list's sort order (grouping aside), read a
    chunk at a time so that an export of 100,000 items holds 500 of them at once."""
    items, order = _ordering(filter_items(base, filters), filters)
    ids = list(items.order_by(*order).values_list("pk", flat=True))
    for start in range(0, len(ids), EXPORT_CHUNK):
        chunk = ids[start : start + EXPORT_CHUNK]
        by_id = {
            item.pk: item
            for item in _load(Item.objects.filter(pk__in=chunk).select_related("parent"))
        }
        for pk in chunk:
            yield by_id[pk]


def project_items(project: Project) -> QuerySet[Item]:
    return Item.objects.filter(project=project)


def workspace_items(membership: Membership) -> QuerySet[Item]:
    return Item.objects.filter(project__in=visible_projects(membership))


@dataclass
class BoardColumn:
    state: State
    items: list[Item]
    total: int
    # Where the next cards of this column start (the board's "load more").
    offset: int = 0

    @property
    def remaining(self) -> int:
        return max(0, self.total - self.offset - len(self.items))

    @property
    def next_offset(self) -> int:
        return self.offset + len(self.items)


BOARD_CARDS = 20


def board_columns(
    project: Project, filters: ItemFilters, *, per_column: int = BOARD_CARDS
) -> list[BoardColumn]:
    """The board: a column per state with its first items by manual order and its total.

    A column shows per_column cards at first, so the board's cost depends on the number
    of states, not of items; the rest come per column with board_column_more."""
    states = list(list_states(project))
    base = filter_items(project_items(project), filters)
    # Grouped by the state column itself, SQLite reads every item of the project through
    # the (project, state, ...) index to have them in state order, even when the filters'
    # own index would read a few (a busy assignee's high-priority items: 37 ms instead of
    # 8 at 100,000 items). Grouping filtered items by an expression of it lets the filters
    # choose the index; PostgreSQL hashes the groups either way.
    column = F("state_id") + 0 if filters.active else F("state_id")
    counts = dict(
        base.annotate(column=column)
        .values("column")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("column", "n")
    )
    columns = []
    ids: list[int] = []
    for state in states:
        state_ids = list(
            base.filter(state=state)
            .order_by("sort_order", "id")
            .values_list("pk", flat=True)[:per_column]
        )
        ids.extend(state_ids)
        columns.append((state, state_ids))
    by_id = {item.pk: item for item in _load(Item.objects.filter(pk__in=ids))}
    return [
        BoardColumn(
            state=state,
            items=[by_id[i] for i in state_ids if i in by_id],
            total=counts.get(state.pk, 0),
        )
        for state, state_ids in columns
    ]


def board_column_more(
    project: Project, filters: ItemFilters, state_id: int, offset: int, *, limit: int = BOARD_CARDS
) -> BoardColumn:
    """The next cards of one board column, after the first `offset` of them."""
    state = get_project_state(project, state_id)
    if offset < 0:
        raise Invalid(_("offset must be 0 or more."), field="offset")
    column = filter_items(project_items(project), filters).filter(state=state)
    ids = list(
        column.order_by("sort_order", "id").values_list("pk", flat=True)[offset : offset + limit]
    )
    by_id = {item.pk: item for item in _load(Item.objects.filter(pk__in=ids))}
    return BoardColumn(
        state=state,
        items=[by_id[i] for i in ids if i in by_id],
        total=column.count(),
        offset=offset,
    )


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


def list_item_activity(item: Item) -> QuerySet[Activity]:
    return Activity.objects.filter(item=item).select_related("actor").order_by("created_at", "id")


def list_children(item: Item) -> list[Item]:
    return _load(Item.objects.filter(parent=item).order_by("sort_order", "id"))


# --- saved views


def list_saved_views(membership: Membership, project: Project) -> QuerySet[SavedView]:
    """The project's shared views and the member's own private ones."""
    return (
        SavedView.objects.filter(project=project)
        .filter(Q(shared=True) | Q(owner_id=membership.user_id))
        .select_related("owner")
        .order_by("name", "id")
    )


def get_saved_view(membership: Membership, project: Project, view_id: int) -> SavedView:
    view = list_saved_views(membership, project).filter(pk=view_id).first()
    if view is None:
        raise NotFound(_("Saved view not found."))
    view.project = project
    return view


LAYOUT_URLS = {
    Layout.LIST: "project_items",
    Layout.BOARD: "project_board",
    Layout.TIMELINE: "project_timeline",
    Layout.CALENDAR: "project_calendar",
}


def saved_view_url(view: SavedView, workspace_slug: str, project_key: str) -> str:
    """Where a saved view opens: its layout's page with its query."""
    try:
        url = reverse(LAYOUT_URLS[Layout(view.layout)], args=[workspace_slug, project_key])
    except NoReverseMatch:
        url = reverse("project_items", args=[workspace_slug, project_key])
    return f"{url}?{view.query}" if view.query else url
