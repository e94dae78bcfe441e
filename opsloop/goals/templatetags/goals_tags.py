"""Filters of the goals pages: numbers, percentages, statuses and levels in words."""

from __future__ import annotations

import math
from typing import Any

from django import template
from django.utils.translation import gettext as _

from opsloop.core.templatetags.opsloop_core import number
from opsloop.goals.models import Level
from opsloop.goals.queries import status_label as _status_label

register = template.Library()


register.filter("number", number)


@register.filter
def percent(value: float | None) -> str:
    """A share as a whole percentage, unless rounding would hide that it is not yet done
    or not nothing: 0.9999 reads 99.99%, not 100%; 0.0001 reads 0.01%, not 0%."""
    if value is None:
        return "—"
    shown = f"{value * 100:.0f}"
    if shown == "100" and value < 1:
        return f"{math.floor(value * 10000) / 100:.2f}%"
    if shown in ("0", "-0") and value > 0:
        return f"{math.ceil(value * 10000) / 100:.2f}%"
    return f"{shown}%"


@register.filter
def fixed(value: Any, places: int = 2) -> str:
    """A number grouped by three with exactly `places` decimals (a key result's
    `decimals`, so its current value and target read apart); "" for none."""
    if value is None or value == "":
        return ""
    return f"{float(value):,.{int(places)}f}"


@register.filter
def percent_width(value: float | None) -> str:
    return f"{0 if value is None else max(0.0, min(1.0, value)) * 100:.1f}%"


@register.filter
def status_label(value: str) -> str:
    return _status_label(value)


@register.filter
def get(mapping: dict, key: Any) -> Any:
    return mapping.get(key, [])


@register.simple_tag
def level_label(objective: Any) -> str:
    if objective.level == Level.TEAM:
        return _("Team %(name)s") % {"name": objective.team}
    if objective.level == Level.PROJECT and objective.project is not None:
        return f"{objective.project.key} {objective.project.name}"
    return _("Workspace")


@register.filter
def signed(value: Any) -> str:
    """A change with its sign: +12.5, -3, 0."""
    if value is None or value == "":
        return ""
    shown = number(value)
    return f"+{shown}" if float(value) > 0 and shown != "0" else shown
