"""Template tags that other apps' pages use to show this app's part of an item or project."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def item_time(context, item=None, project=None) -> str:
    """Placeholder until the capacity pages fill it in."""
    return ""


@register.simple_tag(takes_context=True)
def assign_suggestions(context, item=None, project=None) -> str:
    """Placeholder until the capacity pages fill it in."""
    return ""
