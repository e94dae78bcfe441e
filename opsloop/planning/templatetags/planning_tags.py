"""Template tags that other apps' pages use to show this app's part of an item or project."""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.utils import timezone

from opsloop.core.models import Role
from opsloop.planning import queries
from opsloop.planning.models import Milestone

register = template.Library()


@register.simple_tag(takes_context=True)
def item_links(context, item=None, project=None) -> str:
    """The item's dependencies (with forms to add and remove them) and its milestones.
    The page has already checked that the reader sees the item."""
    membership = context.get("membership")
    if membership is None or item is None:
        return ""
    milestones = list(Milestone.objects.filter(items=item).select_related("project"))
    return render_to_string(
        "planning/_item_links.html",
        {
            "item": item,
            "workspace": membership.workspace,
            "links": queries.list_links(item, membership),
            "milestones": queries.milestone_rows(milestones, timezone.localdate()),
            "can_edit": membership.at_least(Role.MEMBER),
        },
        request=context.get("request"),
    )
