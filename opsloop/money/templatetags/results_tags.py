"""Filters of the results pages: money, counts and ratios, "—" where there is no value."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template

register = template.Library()
NONE = "—"


def _grouped(value: Decimal, places: int) -> str:
    quantum = Decimal(1).scaleb(-places)
    return f"{value.quantize(quantum, rounding=ROUND_HALF_UP):,.{places}f}"


@register.filter
def amount(value: Any) -> str:
    """Money with two places and thousands separators: 12,345.60."""
    return NONE if value is None else _grouped(Decimal(value), 2)


@register.filter
def count(value: Any) -> str:
    return NONE if value is None else f"{int(value):,}"


@register.filter
def percent(value: Any) -> str:
    """A ratio as a percentage: 0.1234 as 12.34%."""
    return NONE if value is None else _grouped(Decimal(value) * 100, 2) + "%"


@register.filter
def times(value: Any) -> str:
    """A multiple, as ROAS: 2.5 as 2.50×."""
    return NONE if value is None else _grouped(Decimal(value), 2) + "×"
