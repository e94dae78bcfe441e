"""Template helpers every app's pages use; each app's own library registers them too,
so a template loads one library."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context: Any, **changes: Any) -> str:
    """The current query string with some parameters replaced (None or "" removes one)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def number(value: Any) -> str:
    """12345.678 as 12,345.68; whole numbers without decimals; "" for none; text that
    is not a number as it is."""
    if value is None or value == "":
        return ""
    try:
        amount = float(value)
    except (TypeError, ValueError):
        return str(value)
    # Grouped by three in every language: humanize's intcomma follows the locale, and for
    # zh-hans grouped decimals but not whole numbers (120000 beside 1,234.50).
    if abs(amount - round(amount)) < 1e-9:
        return f"{round(amount):,}"
    return f"{amount:,.2f}"
