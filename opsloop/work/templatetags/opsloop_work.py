"""Template helpers for item lists: priority names, query strings, due-date states."""

from __future__ import annotations

from datetime import date

from django import template
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opsloop.work.models import PRIORITY_NAMES, Priority

register = template.Library()


@register.filter
def priority_label(value: int) -> str:
    return str(Priority(value).label)


@register.filter
def priority_name(value: int) -> str:
    return PRIORITY_NAMES[value]


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (None removes one)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def due_class(due: date | None, group: str = "") -> str:
    """'overdue' or 'soon' for open items, for colouring due dates."""
    if due is None or group in ("done", "cancelled"):
        return ""
    today = timezone.localdate()
    if due < today:
        return "overdue"
    if (due - today).days <= 3:
        return "soon"
    return ""


@register.filter
def contains(values, value) -> bool:
    return str(value) in {str(v) for v in values or []}


@register.filter
def iso(value) -> str:
    """A date as YYYY-MM-DD for an <input type=date>, whether a date or already text."""
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


FIELD_LABELS = {
    "title": _("title"),
    "description": _("description"),
    "state": _("state"),
    "priority": _("priority"),
    "assignees": _("assignees"),
    "labels": _("labels"),
    "start_date": _("start date"),
    "due_date": _("due date"),
    "estimate_hours": _("estimate"),
    "progress": _("progress"),
    "parent": _("parent"),
}


@register.filter
def field_label(name: str) -> str:
    """The translated name of an item field, for the activity history."""
    return str(FIELD_LABELS.get(name, name))
