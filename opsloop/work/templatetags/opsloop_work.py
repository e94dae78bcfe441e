"""Template helpers for item lists: priority names, query strings, due-date states."""

from __future__ import annotations

from datetime import date

from django import template
from django.utils import timezone

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
