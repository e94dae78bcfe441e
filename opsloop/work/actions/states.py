"""A project's workflow states: add, change, reorder, delete (moving their items)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opsloop.core.errors import Conflict, Invalid
from opsloop.core.models import Membership
from opsloop.core.rows import lock_current, save_changed
from opsloop.work.models import Project, State, StateGroup
from opsloop.work.queries import MANAGE, check_project_permission
from opsloop.work.schemas import StateIn, StatePatch


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
