"""Template tags that other apps' pages use to show this app's part of an item or project."""

from __future__ import annotations

from datetime import date

from django import template
from django.template.loader import render_to_string
from django.utils import timezone

from opsloop.capacity import queries
from opsloop.core.models import Role

register = template.Library()

# The item page shows this many suggestions; the API lists everyone.
SHOWN_SUGGESTIONS = 5


@register.filter
def week_label(monday: date) -> str:
    return queries.week_short(monday)


@register.filter
def minutes(value: int) -> str:
    return queries.format_minutes(value)


@register.simple_tag(takes_context=True)
def item_time(context, item=None, project=None) -> str:
    """Estimate vs logged, the entries, and inputs to log time (they belong to the form that
    item_time_forms renders outside the item's edit form)."""
    membership = context.get("membership")
    if item is None or membership is None:
        return ""
    found = queries.item_time(item)
    return render_to_string(
        "capacity/_item_time.html",
        {
            "item": item,
            "workspace": membership.workspace,
            "time": found,
            "today": timezone.localdate(),
            "can_log": membership.at_least(Role.MEMBER),
            "changeable": {e.pk for e in found.entries if queries.can_change_entry(membership, e)},
        },
        request=context.get("request"),
    )


@register.simple_tag(takes_context=True)
def item_time_forms(context, item=None, project=None) -> str:
    """The forms that the time inputs on the item page submit, outside its edit form."""
    membership = context.get("membership")
    if item is None or membership is None or not membership.at_least(Role.MEMBER):
        return ""
    return render_to_string(
        "capacity/_item_time_forms.html",
        {"item": item, "workspace": membership.workspace},
        request=context.get("request"),
    )


@register.simple_tag(takes_context=True)
def assign_suggestions(context, item=None, project=None) -> str:
    """Who could take the item, ranked, with why; a click ticks their assignee checkbox."""
    membership = context.get("membership")
    if item is None or membership is None or not membership.at_least(Role.MEMBER):
        return ""
    ranked = queries.suggestions(membership, item)[:SHOWN_SUGGESTIONS]
    if not ranked:
        return ""
    skills = list(queries.list_skills(membership.workspace_id))
    return render_to_string(
        "capacity/_suggestions.html",
        {"suggestions": ranked, "needed": queries.required_skills(item, skills)},
        request=context.get("request"),
    )
