"""Signals the work actions send, so that apps above work (the inbox) can react.

They are the seam that keeps dependencies pointing down (docs/decisions/0010): work
never imports the inbox, the inbox subscribes. Receivers run inside the action's
transaction; whatever they write commits or rolls back with the change itself.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent after an item is created or changed, inside the action's transaction.
# Arguments: actor (User), item (Item), created (bool), changes (list[Activity]: the
# activity rows of this change, one per field; empty on create), added_assignees
# (list[User]: people newly assigned by this change, all assignees on create).
item_changed = Signal()

# Sent after a project's stage changed (do_update_project), inside the action's
# transaction, with the project's row locked. Arguments: actor (Membership), project
# (Project, as saved), old (str: the stage before), new (str: the stage now). The
# reports app drafts a campaign's retrospective when it closes.
project_stage_changed = Signal()
