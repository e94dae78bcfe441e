"""Items: create, change (one activity per changed field), move on the board, delete."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F, Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from opsloop.core.errors import Conflict, Invalid
from opsloop.core.models import Membership, User
from opsloop.core.rows import lock_current, save_changed
from opsloop.work.actions.common import _check_dates, _record
from opsloop.work.actions.fields import _resolve_field_values, _write_field_values
from opsloop.work.actions.states import get_state
from opsloop.work.models import (
    PRIORITY_NAMES,
    PRIORITY_VALUES,
    Activity,
    Item,
    Label,
    Project,
    State,
    StateGroup,
)
from opsloop.work.queries import EDIT, assignable_users, check_project_permission
from opsloop.work.schemas import ItemIn, ItemMoveIn, ItemPatch
from opsloop.work.signals import item_changed

SORT_GAP = 1024.0


def _resolve_assignees(project: Project, user_ids: list[int]) -> list[User]:
    user_ids = list(dict.fromkeys(user_ids))
    users = list(assignable_users(project).filter(pk__in=user_ids))
    if len(users) != len(user_ids):
        missing = sorted(set(user_ids) - {u.pk for u in users})
        raise Invalid(
            _("Cannot assign user %(id)s: not a member who can see this project.")
            % {"id": missing[0]},
            field="assignee_ids",
        )
    return users


def _set_assignees(item: Item, users: list[User]) -> None:
    """Make users the item's assignees; each row carries the item's project (ItemAssignee)."""
    item.assignees.set(users, through_defaults={"project_id": item.project_id})


def _resolve_labels(project: Project, label_ids: list[int]) -> list[Label]:
    label_ids = list(dict.fromkeys(label_ids))
    labels = list(Label.objects.filter(workspace_id=project.workspace_id, pk__in=label_ids))
    if len(labels) != len(label_ids):
        missing = sorted(set(label_ids) - {label.pk for label in labels})
        raise Invalid(
            _("Label %(id)s does not exist in this workspace.") % {"id": missing[0]},
            field="label_ids",
        )
    return labels


def _resolve_parent(project: Project, parent_id: int, item: Item | None = None) -> Item:
    parent = Item.objects.filter(project=project, pk=parent_id).first()
    if parent is None:
        raise Invalid(
            _("Parent item %(id)s is not in this project.") % {"id": parent_id}, field="parent_id"
        )
    if item is not None:
        # Walk up from the new parent: meeting the item itself would make a loop.
        seen: set[int] = set()
        node: Item | None = parent
        while node is not None and node.pk not in seen:
            if node.pk == item.pk:
                raise Conflict(_("An item cannot be a sub-item of itself or of its own sub-items."))
            seen.add(node.pk)
            node = Item.objects.filter(pk=node.parent_id).first() if node.parent_id else None
    return parent


def _default_state(project: Project) -> State:
    state = (
        State.objects.filter(project=project, is_default=True).first()
        or State.objects.filter(project=project).order_by("sequence").first()
    )
    if state is None:
        raise Conflict(_("This project has no workflow states."))
    return state


def _apply_state(item: Item, state: State) -> None:
    item.state = state
    if state.group == StateGroup.DONE:
        item.completed_at = item.completed_at or timezone.now()
        item.progress = 100
    else:
        item.completed_at = None


def do_create_item(*, actor: Membership, project: Project, data: ItemIn) -> Item:
    check_project_permission(actor, project, EDIT)
    _check_dates(data.start_date, data.due_date, "start_date", "due_date")
    state = get_state(project, data.state_id) if data.state_id else _default_state(project)
    assignees = _resolve_assignees(project, data.assignee_ids)
    labels = _resolve_labels(project, data.label_ids)
    parent = _resolve_parent(project, data.parent_id) if data.parent_id else None
    values = _resolve_field_values(project, data.custom_fields)
    with transaction.atomic():
        # Take the next number under a row lock so that concurrent creates never share one.
        Project.objects.filter(pk=project.pk).update(item_counter=F("item_counter") + 1)
        number = Project.objects.filter(pk=project.pk).values_list("item_counter", flat=True).get()
        last = Item.objects.filter(project=project).aggregate(m=Max("sort_order"))["m"] or 0.0
        item = Item(
            workspace_id=project.workspace_id,
            project=project,
            number=number,
            title=data.title,
            description=data.description,
            priority=PRIORITY_VALUES[data.priority],
            start_date=data.start_date,
            due_date=data.due_date,
            estimate_hours=data.estimate_hours,
            progress=data.progress,
            parent=parent,
            sort_order=last + SORT_GAP,
            created_by=actor.user,
            updated_by=actor.user,
        )
        _apply_state(item, state)
        item.save()
        if assignees:
            _set_assignees(item, assignees)
        if labels:
            item.labels.set(labels)
        _write_field_values(item, values)
        _record(actor=actor.user, project=project, item=item, verb="created").save()
        item_changed.send(
            sender=Item,
            actor=actor.user,
            item=item,
            created=True,
            changes=[],
            added_assignees=assignees,
        )
    project.item_counter = number
    return item


def _display(name: str, value: Any) -> str:
    if value is None:
        return ""
    if name == "priority":
        return PRIORITY_NAMES[value]
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def do_update_item(*, actor: Membership, item: Item, data: ItemPatch) -> Item:
    """Change the fields given; record one activity per changed field.

    When data.version is given and the item has moved on since, nothing is written and a
    Conflict carries the current values."""
    project = item.project
    check_project_permission(actor, project, EDIT)
    changes = data.model_dump(exclude_unset=True)
    expected_version = changes.pop("version", None)
    for required in (
        "title",
        "priority",
        "state_id",
        "progress",
        "assignee_ids",
        "label_ids",
        "description",
        "sort_order",
    ):
        if required in changes and changes[required] is None:
            raise Invalid(_("%(field)s cannot be empty.") % {"field": required}, field=required)
    values = (
        _resolve_field_values(project, changes["custom_fields"])
        if changes.get("custom_fields")
        else []
    )
    activities: list[Activity] = []
    added_assignees: list[User] = []

    def note(field: str, old: Any, new: Any) -> None:
        if _display(field, old) != _display(field, new):
            activities.append(
                _record(
                    actor=actor.user,
                    project=project,
                    item=item,
                    verb="updated",
                    field=field,
                    old=_display(field, old),
                    new=_display(field, new),
                )
            )

    with transaction.atomic():
        # Compare with and write over the row as it is now, not as the caller read it.
        before = lock_current(item)
        if expected_version is not None and item.version != expected_version:
            raise Conflict(
                _(
                    "Someone else changed this item since you opened it; review their change and try again."
                ),
                data={"current_version": item.version},
            )
        _check_dates(
            changes.get("start_date", item.start_date),
            changes.get("due_date", item.due_date),
            "start_date",
            "due_date",
        )
        if "state_id" in changes and changes["state_id"] != item.state_id:
            state = get_state(project, changes["state_id"])
            note("state", item.state.name, state.name)
            _apply_state(item, state)
        for name in (
            "title",
            "description",
            "start_date",
            "due_date",
            "estimate_hours",
            "sort_order",
        ):
            if name in changes:
                if name != "sort_order":
                    note(name, getattr(item, name), changes[name])
                setattr(item, name, changes[name])
        if "progress" in changes:
            note("progress", item.progress, changes["progress"])
            item.progress = changes["progress"]
        if "priority" in changes:
            value = PRIORITY_VALUES[changes["priority"]]
            note("priority", item.priority, value)
            item.priority = value
        if "parent_id" in changes:
            parent = (
                _resolve_parent(project, changes["parent_id"], item)
                if changes["parent_id"]
                else None
            )
            note("parent", item.parent.ref if item.parent else None, parent.ref if parent else None)
            item.parent = parent
        if "assignee_ids" in changes:
            users = _resolve_assignees(project, changes["assignee_ids"])
            had = list(item.assignees.all())
            old = sorted(u.username for u in had)
            note("assignees", old, sorted(u.username for u in users))
            added_assignees = [u for u in users if u not in had]
            _set_assignees(item, users)
        if "label_ids" in changes:
            labels = _resolve_labels(project, changes["label_ids"])
            old = sorted(label.name for label in item.labels.all())
            note("labels", old, sorted(label.name for label in labels))
            item.labels.set(labels)
        for field, was, now in _write_field_values(item, values):
            note(f"cf:{field.name}"[:40], was, now)
        if activities or "sort_order" in changes:
            item.version += 1
            item.updated_by = actor.user
            save_changed(item, before, "updated_at")
            Activity.objects.bulk_create(activities)
        if activities:
            item_changed.send(
                sender=Item,
                actor=actor.user,
                item=item,
                created=False,
                changes=activities,
                added_assignees=added_assignees,
            )
    if "assignee_ids" in changes or "label_ids" in changes:
        # Drop the prefetched relations that set() made stale.
        item = (
            Item.objects.select_related("project", "state", "parent__project")
            .prefetch_related("assignees", "labels")
            .get(pk=item.pk)
        )
    return item


def do_move_item(*, actor: Membership, item: Item, data: ItemMoveIn) -> Item:
    """Put an item in a state and between two neighbours (the board's drag and drop)."""
    project = item.project
    check_project_permission(actor, project, EDIT)
    state = get_state(project, data.state_id)
    neighbours = {
        i.pk: i
        for i in Item.objects.filter(
            project=project, pk__in=[x for x in (data.before_id, data.after_id) if x]
        )
    }
    before = neighbours.get(data.before_id) if data.before_id else None
    after = neighbours.get(data.after_id) if data.after_id else None
    for field, wanted, found in (
        ("before_id", data.before_id, before),
        ("after_id", data.after_id, after),
    ):
        if wanted and found is None:
            raise Invalid(_("The neighbouring item is not in this project."), field=field)
    if before is not None and after is not None:
        sort_order = (before.sort_order + after.sort_order) / 2
    elif before is not None:
        # Just above `before`: halfway to the item above it in the same state.
        above = (
            Item.objects.filter(project=project, state=state, sort_order__lt=before.sort_order)
            .exclude(pk=item.pk)
            .aggregate(m=Max("sort_order"))["m"]
        )
        sort_order = (
            (above + before.sort_order) / 2 if above is not None else before.sort_order - SORT_GAP
        )
    elif after is not None:
        below = (
            Item.objects.filter(project=project, state=state, sort_order__gt=after.sort_order)
            .exclude(pk=item.pk)
            .aggregate(m=Min("sort_order"))["m"]
        )
        sort_order = (
            (after.sort_order + below) / 2 if below is not None else after.sort_order + SORT_GAP
        )
    else:
        sort_order = item.sort_order
    return do_update_item(
        actor=actor, item=item, data=ItemPatch(state_id=state.pk, sort_order=sort_order)
    )


def do_delete_item(*, actor: Membership, item: Item) -> None:
    check_project_permission(actor, item.project, EDIT)
    with transaction.atomic():
        Activity.objects.create(
            workspace_id=item.workspace_id,
            project=item.project,
            actor=actor.user,
            verb="deleted",
            field="item",
            old_value=f"{item.ref} {item.title}"[:500],
        )
        item.delete()
