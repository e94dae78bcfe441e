"""How a result is labelled in the table, the chart and the CSV (opsloop/insights/display.py)."""

from __future__ import annotations

from django.utils import translation

from opsloop.insights import display


def line(**extra):
    return {
        "label": "order",
        "math": "total",
        "math_property": None,
        "breakdown": None,
        "compare": False,
        **extra,
    }


def test_a_series_of_a_property_names_the_property():
    with translation.override("en"):
        assert display._series_label(line(math="sum", math_property="amount")) == (
            "order · Sum of amount"
        )
        assert display._series_label(line()) == "order · Total events"
    with translation.override("zh-hans"):
        label = display._series_label(line(math="p90", math_property="amount"))
        assert label.startswith("order · ") and label.endswith(" amount") and "90" in label
