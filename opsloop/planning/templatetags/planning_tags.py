"""Template tags that other apps' pages use to show this app's part of an item or project."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def item_links(context, item=None, project=None) -> str:
    """Placeholder until the planning pages fill it in."""
    return ""
