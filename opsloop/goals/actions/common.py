"""Checks every kind of goals write shares: who may change a thing, owners, numbers and
days."""

from __future__ import annotations

import datetime as dt
import math

from django.utils.translation import gettext as _

from opsloop.core.errors import Forbidden, Invalid
from opsloop.core.models import Membership, Role


def check_changes(actor: Membership, *owners: int | None) -> None:
    """Who made it or owns it, and admins, change and delete a KPI or an objective."""
    if actor.at_least(Role.ADMIN) or actor.user_id in owners:
        return
    raise Forbidden(_("Only its owner, who made it, and admins can change it."))


def check_member(workspace_id: int, user_id: int | None, field: str) -> int | None:
    """A member of the workspace (None: nobody)."""
    if user_id is None:
        return None
    if not Membership.objects.filter(workspace_id=workspace_id, user_id=user_id).exists():
        raise Invalid(_("The owner must be a member of the workspace."), field=field)
    return user_id


def check_number(value: object, field: str) -> float:
    """A finite number, from a schema's float or a file's cell ("1,210" too). The schemas
    let infinity and NaN through, and a field left out arrives as None."""
    if isinstance(value, bool) or value in (None, ""):
        raise Invalid(_("Expected a number."), field=field)
    try:
        number = float(str(value).strip().replace(",", ""))
    except ValueError:
        raise Invalid(_("Expected a number."), field=field) from None
    if not math.isfinite(number):
        raise Invalid(_("Expected a number."), field=field)
    return number


def check_day(value: object, field: str) -> dt.date:
    """A day, from a date, a datetime (an Excel cell) or text (2026-10-01, 2026/10/01)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip().replace("/", "-"))
    except ValueError:
        raise Invalid(_("Expected a date (YYYY-MM-DD)."), field=field) from None
