"""Example query descriptions, one per kind, shown in the OpenAPI document and used by the
tests (each must parse and run)."""

from __future__ import annotations

from typing import Any

LAST_30 = {"preset": "last_30_days"}

EXAMPLES: dict[str, dict[str, Any]] = {
    "trends": {
        "summary": "Daily active users by channel, and orders per active user",
        "value": {
            "kind": "trends",
            "series": [
                {"event": "app_open", "math": "dau"},
                {"event": "order_paid", "math": "dau"},
            ],
            "interval": "day",
            "date_range": LAST_30,
            "formula": "B / A * 100",
        },
    },
    "funnel": {
        "summary": "Signup to first order within 14 days, by channel",
        "value": {
            "kind": "funnel",
            "steps": [{"event": "signup"}, {"event": "activate"}, {"event": "first_order"}],
            "window": 14,
            "window_unit": "day",
            "breakdown": {"key": "utm_source"},
            "date_range": {"preset": "last_90_days"},
        },
    },
    "retention": {
        "summary": "Weekly retention of new signups",
        "value": {
            "kind": "retention",
            "start": {"event": "signup"},
            "returning": {"event": "app_open"},
            "period": "week",
            "periods": 8,
            "date_range": {"preset": "last_90_days"},
        },
    },
    "stickiness": {
        "summary": "On how many days people opened the app",
        "value": {"kind": "stickiness", "series": {"event": "app_open"}, "date_range": LAST_30},
    },
    "lifecycle": {
        "summary": "New, returning, resurrecting and dormant users by week",
        "value": {
            "kind": "lifecycle",
            "series": {"event": "app_open"},
            "interval": "week",
            "date_range": {"preset": "last_90_days"},
        },
    },
    "paths": {
        "summary": "What people do after searching",
        "value": {"kind": "paths", "event": "search", "steps": 4, "date_range": LAST_30},
    },
    "attribution": {
        "summary": "First orders by the channel of the first touch",
        "value": {
            "kind": "attribution",
            "conversion": {"event": "first_order"},
            "channel": "utm_source",
            "touch": "first",
            "date_range": {"preset": "last_90_days"},
        },
    },
}
