"""Template tags that other apps' pages use to show this app's part of an item or project."""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string

from opsloop.meetings.queries import item_meetings as meetings_of_item

register = template.Library()


@register.simple_tag(takes_context=True)
def item_meetings(context, item=None, project=None) -> str:
    """ "From meeting" links on an item page: the meetings, visible to the viewer, whose
    action items became this item."""
    membership = context.get("membership")
    if item is None or membership is None:
        return ""
    meetings = meetings_of_item(membership, item)
    if not meetings:
        return ""
    return render_to_string(
        "meetings/_item_meetings.html",
        {"meetings": meetings, "workspace": membership.workspace},
        request=context.get("request"),
    )
