"""What the work actions share: date order checks, workspace members, activity records."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from opsloop.core.errors import Invalid
from opsloop.core.models import Membership, User
from opsloop.work.models import Activity, Item, Project


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
