"""Template helpers for item lists: priority names, query strings, due-date states."""

from __future__ import annotations

from datetime import date

from django import template
from django.utils import timezone

from opsloop.core.templatetags.opsloop_core import query_with
from opsloop.work import history
from opsloop.work.fields import display
from opsloop.work.models import PRIORITY_NAMES, Priority
from opsloop.work.queries import list_saved_views, saved_view_url

register = template.Library()
register.simple_tag(query_with, takes_context=True)


@register.filter
def priority_label(value: int) -> str:
    return str(Priority(value).label)


@register.filter
def priority_name(value: int) -> str:
    return PRIORITY_NAMES[value]


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


register.filter("field_label", history.field_label)


@register.filter
def lookup(mapping, key):
    """mapping[key], or "" when it is not there."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def cf_value(item, field):
    """An item's value of a custom field as its form input holds it."""
    row = item.field_rows.get(field.pk)
    if row is None:
        return [] if field.type == "multi_select" else ""
    value = row.value
    return value if isinstance(value, list) else str(value)


@register.filter
def cf_display(item, field) -> str:
    """An item's value of a custom field as people read it."""
    return display(field, item.field_rows.get(field.pk))


@register.filter
def option_color(field, option_id) -> str:
    for option in field.options or []:
        if str(option.get("id")) == str(option_id):
            return str(option.get("color", ""))
    return ""


@register.inclusion_tag("work/_views_menu.html", takes_context=True)
def saved_views_menu(context) -> dict:
    """The project's saved views (shared ones and the member's own), in the project head."""
    project, membership = context.get("project"), context.get("membership")
    workspace = context.get("workspace")
    if project is None or membership is None or workspace is None:
        return {"views": []}
    views = list(list_saved_views(membership, project))
    for view in views:
        view.url = saved_view_url(view, workspace.slug, project.key)
    return {"views": views, "workspace": workspace, "project": project}
