"""Template tags that other apps' pages use to show this app's part of an item or project."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def attachments(context, item=None, project=None, comment=None, meeting=None) -> str:
    """Placeholder until the files pages fill it in."""
    return ""
