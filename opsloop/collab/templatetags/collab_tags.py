"""The comments and activity of an item, as a tag the item page places."""

from __future__ import annotations

from django import template

from opsloop.collab import queries
from opsloop.collab.views import thread_context

register = template.Library()


@register.inclusion_tag("collab/_item_timeline.html", takes_context=True)
def item_timeline(context, item) -> dict:
    """Comments (with replies, reactions, versions) and field changes, oldest first."""
    request = context["request"]
    thread = queries.Thread(context["membership"], item.project, item=item)
    return thread_context(request, thread) | {
        "request": request,
        "user": request.user,
        "csrf_token": context.get("csrf_token"),
        "timeline": queries.item_timeline(thread, everything=True, me=request.user),
        "can_post": True,
    }
