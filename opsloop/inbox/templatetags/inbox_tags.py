"""Template tags that other pages use to show this app's part: the watch button on items and
projects, and the Inbox link with its unread count in the sidebar."""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string

from opsloop.core.models import Membership
from opsloop.inbox import queries

register = template.Library()


@register.simple_tag(takes_context=True)
def watch_button(context, item=None, project=None) -> str:
    """Watch / Unwatch for the signed-in user: the item's own watch, or the project's."""
    request = context.get("request")
    workspace = context.get("workspace")
    if request is None or workspace is None or not request.user.is_authenticated:
        return ""
    project = item.project if item is not None else project
    state = queries.watch_state(user=request.user, project=project, item=item)
    return render_to_string(
        "inbox/_watch_button.html",
        {"workspace": workspace, "item": item, "project": project, "state": state},
        request=request,
    )


@register.simple_tag(takes_context=True)
def inbox_nav_link(context) -> str:
    """The sidebar's Inbox link; its badge costs one count query (none on the inbox page)."""
    request = context.get("request")
    workspace = context.get("workspace")
    if request is None or workspace is None or not request.user.is_authenticated:
        return ""
    count = context.get("inbox_unread")
    if count is None:
        membership = context.get("membership")
        if not isinstance(membership, Membership) or membership.workspace_id != workspace.pk:
            membership = Membership.objects.filter(workspace=workspace, user=request.user).first()
            if membership is None:
                return ""
        count = queries.unread_count(membership)
    return render_to_string(
        "inbox/_nav_link.html",
        {"workspace": workspace, "count": count, "active": context.get("nav") == "inbox"},
        request=request,
    )
