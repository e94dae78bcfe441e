"""Template helpers of the insights page: numbers, shares and durations as shown."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def figure(value: Any) -> str:
    """A number as the tables show it: thousands grouped, at most two decimals."""
    if value is None or value == "":
        return "—"
    # Grouped by thousands in both languages (zh-Hans's format sets no grouping).
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}"
    return f"{int(value):,}"


@register.filter
def share(value: Any) -> str:
    if value is None:
        return "—"
    return f"{float(value) * 100:.1f}%"


@register.filter
def heat(value: Any) -> str:
    """A retention cell's background: stronger for a bigger share."""
    if value is None:
        return ""
    alpha = 0.08 + 0.72 * max(0.0, min(1.0, float(value)))
    return (
        f"background: rgba(79, 70, 229, {alpha:.2f}); color: {'#fff' if alpha > 0.5 else 'inherit'}"
    )


@register.filter
def duration(seconds: Any) -> str:
    if seconds is None:
        return "—"
    seconds = float(seconds)
    if seconds < 60:
        return _("%(n)s s") % {"n": int(round(seconds))}
    if seconds < 3600:
        return _("%(n)s min") % {"n": int(round(seconds / 60))}
    if seconds < 86400:
        return _("%(n)s h") % {"n": round(seconds / 3600, 1)}
    return _("%(n)s d") % {"n": round(seconds / 86400, 1)}
