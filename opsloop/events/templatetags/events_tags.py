"""Template helpers of the events pages: query strings and stored values."""

from __future__ import annotations

import json
from typing import Any

from django import template

from opsloop.core.templatetags.opsloop_core import query_with

register = template.Library()
register.simple_tag(query_with, takes_context=True)


@register.simple_tag(takes_context=True)
def query_without_trait(context, text: str) -> str:
    """The current query string without one trait filter (and back on the first page)."""
    params = context["request"].GET.copy()
    params.setlist("trait", [t for t in params.getlist("trait") if t != text])
    params.pop("page", None)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def as_json(value: Any) -> str:
    """A stored value as compact JSON text, for traits and properties."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


@register.filter
def short_props(value: Any, limit: int = 3) -> str:
    """The first few properties of an event, as key=value."""
    if not isinstance(value, dict) or not value:
        return ""
    parts = [f"{k}={as_json(v)}" for k, v in list(value.items())[:limit]]
    more = "…" if len(value) > limit else ""
    return ", ".join(parts) + more
