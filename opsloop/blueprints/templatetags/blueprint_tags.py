"""Filters of the template pages: a day of the plan ("Day 12"), money with its separators."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()
NONE = "—"


@register.filter
def plan_day(offset: Any) -> str:
    """Days from the project's start as people count them: the start is day 0."""
    if offset is None or offset == "":
        return NONE
    return _("Day %(n)s") % {"n": offset}


@register.filter
def amount(value: Any) -> str:
    return NONE if value is None else f"{Decimal(value):,.2f}"
