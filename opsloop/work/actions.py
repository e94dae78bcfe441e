"""Every write to projects, workflows, labels and items: checks, activity, side effects."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Max, Min, Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from opsloop.core.actions import record_audit
from opsloop.core.errors import Conflict, Forbidden, Invalid, NotFound
from opsloop.core.models import Membership, Role, User
from opsloop.core.rows import lock_current, save_changed
from opsloop.work.fields import Stored, check_value, display, stored_of
from opsloop.work.models import (
    PRIORITY_NAMES,
    PRIORITY_VALUES,
    Activity,
    CustomField,
    CustomFieldValue,
    FieldType,
    Item,
    Label,
    Project,
    ProjectMember,
    SavedView,
    Stage,
    State,
    StateGroup,
)
from opsloop.work.queries import (
    EDIT,
    MANAGE,
    applicable_fields,
    assignable_users,
    can_manage_project,
    check_project_permission,
    parse_item_filters,
    parse_ref,
)
from opsloop.work.schemas import (
    BulkChanges,
    CustomFieldIn,
    CustomFieldPatch,
    ItemIn,
    ItemMoveIn,
    ItemPatch,
    LabelIn,
    LabelPatch,
    ProjectIn,
    ProjectPatch,
    SavedViewIn,
    SavedViewPatch,
    StateIn,
    StatePatch,
)
from opsloop.work.signals import item_changed

# A new project's workflow: one state per group, named after the group in the creator's language.
DEFAULT_WORKFLOW = [
    ("backlog", "#a3a3a3"),
    ("todo", "#64748b"),
    ("in_progress", "#f59e0b"),
    ("in_review", "#8b5cf6"),
    ("done", "#16a34a"),
    ("cancelled", "#ef4444"),
]
SORT_GAP = 1024.0

# Stage changes allowed: one step forward or back, close from anywhere, reopen into monitoring.
STAGE_ORDER = [Stage.PLANNING, Stage.EXECUTING, Stage.MONITORING, Stage.CLOSED]


def check_stage_change(old: str, new: str) -> None:
    if old == new or new == Stage.CLOSED:
        return
    i, j = STAGE_ORDER.index(Stage(old)), STAGE_ORDER.index(Stage(new))
    if abs(i - j) == 1:
        return
    raise Conflict(
        _("A project cannot go from %(old)s to %(new)s; move one stage at a time.")
        % {"old": Stage(old).label, "new": Stage(new).label}
    )


def _check_dates(start: date | None, end: date | None, start_field: str, end_field: str) -> None:
    if start and end and end < start:
        raise Invalid(_("The end date is before the start date."), field=end_field)


def _member_user(workspace_id: int, user_id: int, field: str) -> User:
    membership = (
        Membership.objects.select_related("user")
        .filter(workspace_id=workspace_id, user_id=user_id)
        .first()
    )
    if membership is None:
        raise Invalid(
            _("User %(id)s is not a member of this workspace.") % {"id": user_id}, field=field
        )
    return membership.user


def _record(
    *,
    actor: User,
    project: Project,
    item: Item | None,
    verb: str,
    field: str = "",
    old: Any = "",
    new: Any = "",
) -> Activity:
    return Activity(
        workspace_id=project.workspace_id,
        project=project,
        item=item,
        actor=actor,
        verb=verb,
        field=field,
        old_value="" if old is None else str(old),
        new_value="" if new is None else str(new),
    )


# --- projects


def do_create_project(*, actor: Membership, data: ProjectIn) -> Project:
    if not actor.at_least(Role.MEMBER):
        raise Forbidden(_("Guests cannot create projects."))
    _check_dates(data.start_date, data.end_date, "start_date", "end_date")
    workspace = actor.workspace
    owner = _member_user(workspace.pk, data.owner_id, "owner_id") if data.owner_id else actor.user
    members = {owner.pk: owner, actor.user.pk: actor.user}
    for user_id in data.member_ids:
        members[user_id] = _member_user(workspace.pk, user_id, "member_ids")
    try:
        with transaction.atomic():
            project = Project.objects.create(
                workspace=workspace,
                key=data.key,
                name=data.name,
                kind=data.kind,
                goal=data.goal,
                scope=data.scope,
                start_date=data.start_date,
                end_date=data.end_date,
                budget=data.budget,
                owner=owner,
                stage=data.stage,
                visibility=data.visibility,
                created_by=actor.user,
            )
            ProjectMember.objects.bulk_create(
                [ProjectMember(project=project, user=u) for u in members.values()]
            )
            State.objects.bulk_create(
                [
                    State(
                        project=project,
                        name=str(StateGroup(group).label),
                        group=group,
                        color=color,
                        sequence=i,
                        is_default=group == StateGroup.TODO,
                    )
                    for i, (group, color) in enumerate(DEFAULT_WORKFLOW)
                ]
            )
            Activity.objects.create(
                workspace_id=workspace.pk,
                project=project,
                actor=actor.user,
                verb="created",
                field="project",
            )
    except IntegrityError:
        raise Invalid(
            _("A project with key %(key)s already exists.") % {"key": data.key}, field="key"
        ) from None
    return project


def do_update_project(*, actor: Membership, project: Project, data: ProjectPatch) -> Project:
    check_project_permission(actor, project, MANAGE)
    changes = data.model_dump(exclude_unset=True)
    if "stage" in changes and changes["stage"] is None:
        raise Invalid(_("stage cannot be empty."), field="stage")
    for required in ("name", "kind", "visibility"):
        if required in changes and changes[required] is None:
            raise Invalid(_("%(field)s cannot be empty.") % {"field": required}, field=required)
    # Text columns are not nullable: null clears them.
    for text in ("goal", "scope"):
        if text in changes and changes[text] is None:
            changes[text] = ""
    activities = []
    with transaction.atomic():
        # Check against, record from and write over the row as it is now.
        before = lock_current(project)
        if "stage" in changes:
            check_stage_change(project.stage, changes["stage"])
        if "owner_id" in changes and changes["owner_id"] is not None:
            _member_user(project.workspace_id, changes["owner_id"], "owner_id")
        _check_dates(
            changes.get("start_date", project.start_date),
            changes.get("end_date", project.end_date),
            "start_date",
            "end_date",
        )
        for name, value in changes.items():
            old = getattr(project, name)
            if old != value:
                activities.append(
                    _record(
                        actor=actor.user,
                        project=project,
                        item=None,
                        verb="updated",
                        field=name,
                        old=old,
                        new=value,
                    )
                )
                setattr(project, name, value)
        save_changed(project, before, "updated_at")
        if "owner_id" in changes and changes["owner_id"]:
            ProjectMember.objects.get_or_create(project=project, user_id=changes["owner_id"])
        Activity.objects.bulk_create(activities)
    return project


def do_delete_project(*, actor: Membership, project: Project) -> None:
    if not actor.at_least(Role.ADMIN):
        raise Forbidden(_("Only workspace admins can delete projects."))
    key = project.key
    # Item.state is RESTRICT: a state with items cannot go alone, but the project's cascade
    # takes states and items together.
    project.delete()
    record_audit(actor=actor.user, action="project.delete", workspace=actor.workspace, target=key)


def do_add_project_member(*, actor: Membership, project: Project, user_id: int) -> ProjectMember:
    check_project_permission(actor, project, MANAGE)
    user = _member_user(project.workspace_id, user_id, "user_id")
    member, _created = ProjectMember.objects.get_or_create(project=project, user=user)
    return member


def do_remove_project_member(*, actor: Membership, project: Project, user_id: int) -> None:
    check_project_permission(actor, project, MANAGE)
    if project.owner_id == user_id:
        raise Conflict(_("The project owner stays a member; change the owner first."))
    deleted, _rows = ProjectMember.objects.filter(project=project, user_id=user_id).delete()
    if not deleted:
        raise NotFound(_("No such project member."))


# --- workflow states


def do_create_state(*, actor: Membership, project: Project, data: StateIn) -> State:
    check_project_permission(actor, project, MANAGE)
    # A new state goes last within its group, so groups stay together on the board.
    group_index = list(StateGroup.values).index(data.group)
    states = list(State.objects.filter(project=project).order_by("sequence", "id"))
    insert_at = len(states)
    for i, state in enumerate(states):
        if list(StateGroup.values).index(state.group) > group_index:
            insert_at = i
            break
    try:
        with transaction.atomic():
            state = State.objects.create(
                project=project, name=data.name, group=data.group, color=data.color
            )
            states.insert(insert_at, state)
            _resequence(states)
    except IntegrityError:
        raise Invalid(
            _("A state named %(name)s already exists.") % {"name": data.name}, field="name"
        ) from None
    return state


def _resequence(states: Iterable[State]) -> None:
    states = list(states)
    for i, state in enumerate(states):
        state.sequence = i
    State.objects.bulk_update(states, ["sequence"])


def get_state(project: Project, state_id: int, field: str = "state_id") -> State:
    state = State.objects.filter(project=project, pk=state_id).first()
    if state is None:
        raise Invalid(
            _("State %(id)s is not a state of this project.") % {"id": state_id}, field=field
        )
    return state


def do_update_state(*, actor: Membership, state: State, data: StatePatch) -> State:
    check_project_permission(actor, state.project, MANAGE)
    changes = data.model_dump(exclude_unset=True)
    try:
        with transaction.atomic():
            before = lock_current(state)
            if changes.get("name"):
                state.name = changes["name"]
            if changes.get("color"):
                state.color = changes["color"]
            if changes.get("is_default"):
                State.objects.filter(project_id=state.project_id).exclude(pk=state.pk).update(
                    is_default=False
                )
                state.is_default = True
            save_changed(state, before)
    except IntegrityError:
        raise Invalid(
            _("A state named %(name)s already exists.") % {"name": state.name}, field="name"
        ) from None
    return state


def do_reorder_states(*, actor: Membership, project: Project, state_ids: list[int]) -> list[State]:
    check_project_permission(actor, project, MANAGE)
    states = {s.pk: s for s in State.objects.filter(project=project)}
    if sorted(state_ids) != sorted(states):
        raise Invalid(_("Give every state of the project exactly once."), field="state_ids")
    ordered = [states[i] for i in state_ids]
    with transaction.atomic():
        _resequence(ordered)
    return ordered


def do_delete_state(*, actor: Membership, state: State, move_to_id: int | None = None) -> None:
    """Delete a state; its items move to move_to (required when it has items)."""
    project = state.project
    check_project_permission(actor, project, MANAGE)
    if State.objects.filter(project=project).count() <= 1:
        raise Conflict(_("A project needs at least one state."))
    if State.objects.filter(project=project, group=state.group).count() <= 1:
        raise Conflict(_("Each group keeps at least one state; rename this one instead."))
    with transaction.atomic():
        if state.items.exists():
            if move_to_id is None:
                raise Conflict(_("This state has items; choose a state to move them to."))
            target = get_state(project, move_to_id, "move_to")
            if target.pk == state.pk:
                raise Invalid(_("Choose another state to move the items to."), field="move_to")
            state.items.update(state=target, updated_at=timezone.now())
        if state.is_default:
            replacement = (
                State.objects.filter(project=project)
                .exclude(pk=state.pk)
                .order_by("sequence")
                .first()
            )
            if replacement is not None:
                State.objects.filter(pk=replacement.pk).update(is_default=True)
        state.delete()
        _resequence(State.objects.filter(project=project).order_by("sequence", "id"))


# --- labels


def do_create_label(*, actor: Membership, data: LabelIn) -> Label:
    if not actor.at_least(Role.MEMBER):
        raise Forbidden(_("Guests cannot create labels."))
    try:
        with transaction.atomic():
            return Label.objects.create(workspace=actor.workspace, name=data.name, color=data.color)
    except IntegrityError:
        raise Invalid(
            _("A label named %(name)s already exists.") % {"name": data.name}, field="name"
        ) from None


def do_update_label(*, actor: Membership, label: Label, data: LabelPatch) -> Label:
    if not actor.at_least(Role.ADMIN):
        raise Forbidden(_("Only admins can change labels."))
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    try:
        with transaction.atomic():
            before = lock_current(label)
            for name, value in changes.items():
                setattr(label, name, value)
            save_changed(label, before)
    except IntegrityError:
        raise Invalid(
            _("A label named %(name)s already exists.") % {"name": label.name}, field="name"
        ) from None
    return label


def do_delete_label(*, actor: Membership, label: Label) -> None:
    if not actor.at_least(Role.ADMIN):
        raise Forbidden(_("Only admins can delete labels."))
    label.delete()


# --- items


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


# --- custom field values


def _resolve_field_values(
    project: Project, raw: dict[str, Any]
) -> list[tuple[CustomField, Stored | None]]:
    """Each sent value checked against its field (a field of the project or workspace-wide)."""
    if not raw:
        return []
    fields = {str(f.pk): f for f in applicable_fields(project)}
    assignable: set[int] | None = None

    def can_assign(user_id: int) -> bool:
        nonlocal assignable
        if assignable is None:
            assignable = set(assignable_users(project).values_list("pk", flat=True))
        return user_id in assignable

    resolved = []
    for key, value in raw.items():
        where = f"custom_fields.{key}"
        field = fields.get(str(key).strip())
        if field is None:
            raise Invalid(_("This project has no custom field %(id)s.") % {"id": key}, field=where)
        resolved.append((field, check_value(field, value, where=where, can_assign=can_assign)))
    return resolved


def _write_field_values(
    item: Item, values: list[tuple[CustomField, Stored | None]]
) -> list[tuple[CustomField, str, str]]:
    """Store the values; return (field, before, after) as people read them, for each change."""
    if not values:
        return []
    current = {
        row.field_id: row
        for row in CustomFieldValue.objects.filter(
            item=item, field_id__in=[f.pk for f, _v in values]
        ).select_related("user")
    }
    changed = []
    for field, stored in values:
        row = current.get(field.pk)
        if stored_of(row) == stored:
            continue
        before = display(field, row)
        if stored is None:
            CustomFieldValue.objects.filter(pk=row.pk).delete()  # type: ignore[union-attr]  # differs, so exists
            after = ""
        else:
            new = CustomFieldValue(field=field, item=item, **stored.columns())
            if row is not None:
                new.pk = row.pk
            new.save()
            after = display(field, new)
        changed.append((field, before, after))
    # The item's values are read again when next asked for.
    item.__dict__.pop("loaded_field_rows", None)
    return changed


# --- custom fields


def _check_field_manager(actor: Membership, project: Project | None) -> None:
    if project is not None:
        check_project_permission(actor, project, MANAGE)
    elif not actor.at_least(Role.ADMIN):
        raise Forbidden(_("Only workspace admins can change workspace-wide fields."))


def _scope_fields(workspace_id: int, project: Project | None) -> Any:
    return CustomField.objects.filter(workspace_id=workspace_id, project=project)


def _check_field_name(
    workspace_id: int, project: Project | None, name: str, exclude: int | None = None
) -> None:
    # A project's field may not share a name with a workspace-wide one: both show on its items.
    clash = CustomField.objects.filter(workspace_id=workspace_id, name=name)
    clash = clash.filter(Q(project__isnull=True) | Q(project=project)) if project else clash
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise Invalid(_("A field named %(name)s already exists.") % {"name": name}, field="name")


def _options(field_type: str, sent: list, existing: list[dict]) -> list[dict]:
    """The new option list: sent ids keep their option, new options get a fresh id."""
    if field_type not in (FieldType.SELECT, FieldType.MULTI_SELECT):
        if sent:
            raise Invalid(_("Only select fields have options."), field="options")
        return []
    known = {str(o.get("id")) for o in existing}
    labels: set[str] = set()
    out = []
    for i, option in enumerate(sent):
        if option.label in labels:
            raise Invalid(
                _("Two options are named %(label)s.") % {"label": option.label},
                field=f"options.{i}.label",
            )
        labels.add(option.label)
        if option.id:
            if option.id not in known:
                raise Invalid(
                    _("The field has no option %(id)s.") % {"id": option.id},
                    field=f"options.{i}.id",
                )
            option_id = option.id
        else:
            option_id = secrets.token_hex(3)
            while option_id in known:
                option_id = secrets.token_hex(3)
            known.add(option_id)
        out.append({"id": option_id, "label": option.label, "color": option.color})
    return out


def do_create_field(
    *, actor: Membership, project: Project | None, data: CustomFieldIn
) -> CustomField:
    """A field of one project, or with project None of every project of the workspace."""
    _check_field_manager(actor, project)
    workspace_id = actor.workspace_id
    _check_field_name(workspace_id, project, data.name)
    options = _options(data.type, data.options, [])
    last = _scope_fields(workspace_id, project).aggregate(m=Max("sequence"))["m"]
    return CustomField.objects.create(
        workspace_id=workspace_id,
        project=project,
        name=data.name,
        type=data.type,
        options=options,
        sequence=0 if last is None else last + 1,
        created_by=actor.user,
    )


def do_update_field(
    *, actor: Membership, field: CustomField, data: CustomFieldPatch
) -> CustomField:
    """Rename a field or change its options; values of removed options are cleared."""
    _check_field_manager(actor, field.project)
    changes = data.model_dump(exclude_unset=True)
    with transaction.atomic():
        # The options kept and removed are measured against the field's options now.
        before = lock_current(field)
        if changes.get("name"):
            _check_field_name(field.workspace_id, field.project, changes["name"], field.pk)
            field.name = changes["name"]
        if data.options is not None:
            options = _options(field.type, data.options, field.options)
            removed = {str(o.get("id")) for o in field.options} - {o["id"] for o in options}
            if removed and field.type == FieldType.SELECT:
                field.values.filter(text__in=removed).delete()
            elif removed:
                for row in field.values.all():
                    kept = [i for i in row.text.split(",") if i and i not in removed]
                    if not kept:
                        row.delete()
                    elif len(kept) != len([i for i in row.text.split(",") if i]):
                        row.text = "," + ",".join(kept) + ","
                        row.save(update_fields=["text"])
            field.options = options
        save_changed(field, before)
    return field


def do_reorder_fields(
    *, actor: Membership, project: Project | None, field_ids: list[int]
) -> list[CustomField]:
    _check_field_manager(actor, project)
    fields = {f.pk: f for f in _scope_fields(actor.workspace_id, project)}
    if sorted(field_ids) != sorted(fields):
        raise Invalid(_("Give every field exactly once."), field="field_ids")
    ordered = [fields[i] for i in field_ids]
    for i, field in enumerate(ordered):
        field.sequence = i
    with transaction.atomic():
        CustomField.objects.bulk_update(ordered, ["sequence"])
    return ordered


def do_delete_field(*, actor: Membership, field: CustomField) -> None:
    """Delete a field with every value it holds."""
    _check_field_manager(actor, field.project)
    name = field.name
    field.delete()
    record_audit(
        actor=actor.user, action="custom_field.delete", workspace=actor.workspace, target=name
    )


# --- saved views


def _check_view_query(project: Project, query: str) -> str:
    """The query string as the list reads it, without its page; Invalid when it is wrong."""
    params = QueryDict(query.lstrip("?"), mutable=True)
    params.pop("page", None)
    try:
        parse_item_filters(params, fields=applicable_fields(project))
    except Invalid as exc:
        raise Invalid(f"query: {exc.message}", field="query") from None
    return params.urlencode()


def _check_view_owner(actor: Membership, view: SavedView) -> None:
    if view.owner_id == actor.user_id:
        return
    if view.shared and actor.at_least(Role.MEMBER) and can_manage_project(actor, view.project):
        return
    raise Forbidden(_("Only its owner, the project owner or an admin can change this view."))


def do_create_view(*, actor: Membership, project: Project, data: SavedViewIn) -> SavedView:
    """Save a layout with its query; a private view is seen by its owner alone."""
    if data.shared:
        check_project_permission(actor, project, EDIT)
    return SavedView.objects.create(
        workspace_id=project.workspace_id,
        project=project,
        owner=actor.user,
        name=data.name,
        layout=data.layout,
        query=_check_view_query(project, data.query),
        shared=data.shared,
    )


def do_update_view(*, actor: Membership, view: SavedView, data: SavedViewPatch) -> SavedView:
    _check_view_owner(actor, view)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if changes.get("shared"):
        check_project_permission(actor, view.project, EDIT)
    if "query" in changes:
        changes["query"] = _check_view_query(view.project, changes["query"])
    with transaction.atomic():
        before = lock_current(view)
        # Who may change it depends on whether it is shared now.
        _check_view_owner(actor, view)
        for name, value in changes.items():
            setattr(view, name, value)
        save_changed(view, before, "updated_at")
    return view


def do_delete_view(*, actor: Membership, view: SavedView) -> None:
    _check_view_owner(actor, view)
    view.delete()


# --- bulk edit


def _bulk_items(project: Project, refs: list[str]) -> list[Item]:
    numbers = []
    for ref in refs:
        try:
            key, number = parse_ref(ref)
        except NotFound:
            key, number = "", 0
        if key != project.key:
            raise Invalid(_("%(ref)s is not an item of this project.") % {"ref": ref}, field="refs")
        numbers.append(number)
    found = {
        item.number: item
        for item in Item.objects.filter(project=project, number__in=numbers)
        .select_related("state", "parent__project")
        .prefetch_related("assignees", "labels")
    }
    missing = [n for n in numbers if n not in found]
    if missing:
        raise Invalid(
            _("%(ref)s is not an item of this project.") % {"ref": f"{project.key}-{missing[0]}"},
            field="refs",
        )
    items = [found[n] for n in dict.fromkeys(numbers)]
    for item in items:
        item.project = project
    return items


def _bulk_patch(item: Item, changes: dict) -> ItemPatch:
    """The one edit of an item that the bulk changes make."""
    patch: dict[str, Any] = {
        name: changes[name]
        for name in ("state_id", "priority", "start_date", "due_date", "custom_fields")
        if name in changes
    }
    if {"assignee_ids", "add_assignee_ids", "remove_assignee_ids"} & set(changes):
        people = (
            list(changes["assignee_ids"])
            if changes.get("assignee_ids") is not None
            else [u.pk for u in item.assignees.all()]
        )
        people += [i for i in changes.get("add_assignee_ids", []) if i not in people]
        remove = set(changes.get("remove_assignee_ids", []))
        patch["assignee_ids"] = [i for i in people if i not in remove]
    if {"add_label_ids", "remove_label_ids"} & set(changes):
        labels = [label.pk for label in item.labels.all()]
        labels += [i for i in changes.get("add_label_ids", []) if i not in labels]
        remove = set(changes.get("remove_label_ids", []))
        patch["label_ids"] = [i for i in labels if i not in remove]
    if changes.get("shift_days"):
        delta = timedelta(days=changes["shift_days"])
        if item.start_date:
            patch["start_date"] = item.start_date + delta
        if item.due_date:
            patch["due_date"] = item.due_date + delta
    return ItemPatch(**patch)


def do_bulk_update_items(
    *,
    actor: Membership,
    project: Project,
    refs: list[str],
    changes: BulkChanges,
    versions: dict[str, int] | None = None,
) -> list[Item]:
    """The same changes on many items of a project, each through do_update_item (one activity
    per changed field per item), all in one transaction: one refusal changes none."""
    check_project_permission(actor, project, EDIT)
    sent = {
        name: value
        for name, value in changes.model_dump(exclude_unset=True).items()
        if value not in ([], {}) or name in ("assignee_ids",)
    }
    if not sent:
        raise Invalid(_("Choose something to change."), field="changes")
    if "shift_days" in sent and ({"start_date", "due_date"} & set(sent)):
        raise Invalid(
            _("Either set the dates or shift them, not both."), field="changes.shift_days"
        )
    if sent.get("assignee_ids") is None:
        sent.pop("assignee_ids", None)
    for name in ("assignee_ids", "add_assignee_ids", "remove_assignee_ids"):
        if name in sent:
            try:
                _resolve_assignees(project, sent[name])
            except Invalid as exc:
                raise Invalid(exc.message, field=f"changes.{name}") from None
    for name in ("add_label_ids", "remove_label_ids"):
        if name in sent:
            try:
                _resolve_labels(project, sent[name])
            except Invalid as exc:
                raise Invalid(exc.message, field=f"changes.{name}") from None
    items = _bulk_items(project, refs)
    refs_of = {item.pk: item.ref for item in items}
    versions = {ref.upper(): version for ref, version in (versions or {}).items()}
    if set(versions) - set(refs_of.values()):
        raise Invalid(_("versions names an item that refs does not."), field="versions")
    changed = []
    with transaction.atomic():
        if versions:
            current = dict(
                Item.objects.select_for_update().filter(pk__in=refs_of).values_list("pk", "version")
            )
            stale = {
                refs_of[pk]: version
                for pk, version in current.items()
                if refs_of[pk] in versions and versions[refs_of[pk]] != version
            }
            if stale:
                raise Conflict(
                    _(
                        "Someone else changed %(refs)s since you loaded the list; nothing was "
                        "changed. Reload and try again."
                    )
                    % {"refs": ", ".join(sorted(stale))},
                    data={"current_versions": stale},
                )
        for item in items:
            try:
                changed.append(do_update_item(actor=actor, item=item, data=_bulk_patch(item, sent)))
            except Invalid as exc:
                raise Invalid(f"{item.ref}: {exc.message}", field=exc.field) from None
    return changed
