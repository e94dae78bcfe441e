"""An item list's filters, sort, grouping and columns, parsed from query parameters."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db.models import F, Model
from django.utils.translation import gettext as _

from opsloop.core.errors import Invalid
from opsloop.core.models import User
from opsloop.work.models import PRIORITY_VALUES, CustomField, FieldType, Label, State, StateGroup

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
