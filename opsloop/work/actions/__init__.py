"""Every write to projects, workflows, labels and items: checks, activity, side effects.

One module per subject; every name that other modules import is here, so that
`from opsloop.work.actions import X` and `actions.X` do not depend on where X lives."""

from __future__ import annotations

from opsloop.work.actions.bulk import do_bulk_update_items
from opsloop.work.actions.fields import (
    do_create_field,
    do_delete_field,
    do_reorder_fields,
    do_update_field,
)
from opsloop.work.actions.items import (
    SORT_GAP,
    do_create_item,
    do_delete_item,
    do_move_item,
    do_update_item,
)
from opsloop.work.actions.labels import do_create_label, do_delete_label, do_update_label
from opsloop.work.actions.projects import (
    DEFAULT_WORKFLOW,
    STAGE_ORDER,
    check_stage_change,
    do_add_project_member,
    do_create_project,
    do_delete_project,
    do_remove_project_member,
    do_update_project,
)
from opsloop.work.actions.savedviews import do_create_view, do_delete_view, do_update_view
from opsloop.work.actions.states import (
    do_create_state,
    do_delete_state,
    do_reorder_states,
    do_update_state,
    get_state,
)

__all__ = [
    "DEFAULT_WORKFLOW",
    "SORT_GAP",
    "STAGE_ORDER",
    "check_stage_change",
    "do_add_project_member",
    "do_bulk_update_items",
    "do_create_field",
    "do_create_item",
    "do_create_label",
    "do_create_project",
    "do_create_state",
    "do_create_view",
    "do_delete_field",
    "do_delete_item",
    "do_delete_label",
    "do_delete_project",
    "do_delete_state",
    "do_delete_view",
    "do_move_item",
    "do_remove_project_member",
    "do_reorder_fields",
    "do_reorder_states",
    "do_update_field",
    "do_update_item",
    "do_update_label",
    "do_update_project",
    "do_update_state",
    "do_update_view",
    "get_state",
]
