"""The query builder page's form, both ways: its GET parameters to a query description
(query.py), and a query back to the values its fields show. The page is a plain form,
so an insight is a URL: it can be bookmarked, shared, and used without JavaScript.

Parameters: kind; range (a preset) or from and to; the filter rows fkey, fop, fvalue;
and per kind: trends event, math, prop (one per series row), interval, breakdown,
compare, formula; funnel step (one per step), order, window, unit, breakdown, trend;
retention start, return, period, periods, cohort_type, mode; cohort (a saved cohort's id); stickiness and lifecycle event,
interval; paths event, direction, steps; attribution conversion, channel, touch.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy

from opsloop.insights.query import KINDS

SERIES_ROWS = 4
STEP_ROWS = 6
FILTER_ROWS = 2

RANGES = [
    ("today", gettext_lazy("Today")),
    ("yesterday", gettext_lazy("Yesterday")),
    ("last_7_days", gettext_lazy("Last 7 days")),
    ("last_14_days", gettext_lazy("Last 14 days")),
    ("last_30_days", gettext_lazy("Last 30 days")),
    ("last_90_days", gettext_lazy("Last 90 days")),
    ("this_week", gettext_lazy("This week")),
    ("this_month", gettext_lazy("This month")),
    ("last_month", gettext_lazy("Last month")),
    ("this_year", gettext_lazy("This year")),
    ("custom", gettext_lazy("Custom dates")),
]
OPERATORS = [
    ("eq", gettext_lazy("equals")),
    ("neq", gettext_lazy("does not equal")),
    ("contains", gettext_lazy("contains")),
    ("not_contains", gettext_lazy("does not contain")),
    ("in", gettext_lazy("is one of")),
    ("not_in", gettext_lazy("is none of")),
    ("gt", gettext_lazy("greater than")),
    ("gte", gettext_lazy("at least")),
    ("lt", gettext_lazy("less than")),
    ("lte", gettext_lazy("at most")),
    ("is_set", gettext_lazy("is set")),
    ("is_not_set", gettext_lazy("is not set")),
]


def _one(params: Mapping[str, Any], key: str, default: str = "") -> str:
    value = params.get(key, default)
    return str(value).strip() if value is not None else default


def _many(params: Any, key: str) -> list[str]:
    values = params.getlist(key) if hasattr(params, "getlist") else params.get(key, [])
    if isinstance(values, str):
        values = [values]
    return [str(v).strip() for v in values]


def _number(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def query_from_params(params: Any) -> dict[str, Any]:
    """A query description (not yet validated) from the form's parameters."""
    kind = _one(params, "kind", "trends")
    if kind not in KINDS:
        kind = "trends"
    data: dict[str, Any] = {"kind": kind, "date_range": date_range_from_params(params)}
    filters = filters_from_params(params)
    if filters:
        data["filters"] = filters
    cohort = _one(params, "cohort")
    if cohort:
        data["cohort"] = _number(cohort)
    events = _many(params, "event")
    if kind == "trends":
        maths, props = _many(params, "math"), _many(params, "prop")
        series = []
        for i, event in enumerate(events):
            math = maths[i] if i < len(maths) and maths[i] else "total"
            prop = props[i] if i < len(props) else ""
            if not event and i > 0:
                continue  # an empty extra row
            row: dict[str, Any] = {"event": event or None, "math": math}
            if prop:
                row["math_property"] = prop
            series.append(row)
        data["series"] = series or [{"event": None, "math": "total"}]
        data["interval"] = _one(params, "interval", "day")
        if _one(params, "compare"):
            data["compare"] = True
        if _one(params, "formula"):
            data["formula"] = _one(params, "formula")
        _breakdown(params, data)
    elif kind == "funnel":
        data["steps"] = [{"event": step} for step in _many(params, "step") if step]
        data["order"] = _one(params, "order", "ordered")
        data["window"] = _number(_one(params, "window", "14"))
        data["window_unit"] = _one(params, "unit", "day")
        if _one(params, "trend"):
            data["trend"] = _one(params, "trend")
        _breakdown(params, data)
    elif kind == "retention":
        data["start"] = {"event": _one(params, "start") or None}
        data["returning"] = {"event": _one(params, "return") or None}
        data["period"] = _one(params, "period", "week")
        data["periods"] = _number(_one(params, "periods", "8"))
        data["cohort_type"] = _one(params, "cohort_type", "first_time")
        data["mode"] = _one(params, "mode", "on")
    elif kind in ("stickiness", "lifecycle"):
        data["series"] = {"event": (events[0] if events else "") or None}
        data["interval"] = _one(params, "interval", "day")
    elif kind == "paths":
        data["event"] = events[0] if events else ""
        data["direction"] = _one(params, "direction", "after")
        data["steps"] = _number(_one(params, "steps", "5"))
    else:
        data["conversion"] = {"event": _one(params, "conversion") or None}
        data["channel"] = _one(params, "channel", "utm_source")
        data["touch"] = _one(params, "touch", "first")
    return data


def params_of(data: dict[str, Any]) -> list[tuple[str, str]]:
    """The form's parameters for a query description: the way back of query_from_params,
    for links (the persons behind a number, a saved insight opened in the builder)."""
    v = form_values(data)
    kind = v["kind"]
    out: list[tuple[str, str]] = [("kind", kind), ("range", v["range"])]
    if v["range"] == "custom":
        out += [("from", str(v["from"])), ("to", str(v["to"]))]
    for f in v["filters"]:
        if f["key"]:
            out += [("fkey", f["key"]), ("fop", f["op"]), ("fvalue", str(f["value"]))]
    if data.get("cohort"):
        out.append(("cohort", str(data["cohort"])))
    if kind == "trends":
        for row in v["series"]:
            if row["event"] or row is v["series"][0]:
                out += [("event", row["event"]), ("math", row["math"]), ("prop", row["prop"])]
        out.append(("interval", v["interval"]))
        out += [("compare", "1")] if v["compare"] else []
        out += [("formula", v["formula"])] if v["formula"] else []
        out += [("breakdown", v["breakdown"])] if v["breakdown"] else []
    elif kind == "funnel":
        out += [("step", step) for step in v["step_rows"] if step]
        out += [("order", v["order"]), ("window", str(v["window"])), ("unit", v["unit"])]
        out += [("trend", v["trend"])] if v["trend"] else []
        out += [("breakdown", v["breakdown"])] if v["breakdown"] else []
    elif kind == "retention":
        out += [("start", v["start"]), ("return", v["return"]), ("period", v["period"])]
        out += [("periods", str(v["periods"])), ("cohort_type", v["cohort"]), ("mode", v["mode"])]
    elif kind in ("stickiness", "lifecycle"):
        out += [("event", v["event"]), ("interval", v["interval"])]
    elif kind == "paths":
        out += [("event", v["event"]), ("direction", v["direction"]), ("steps", str(v["steps"]))]
    else:
        out += [("conversion", v["conversion"]), ("channel", v["channel"]), ("touch", v["touch"])]
    return out


def date_range_from_params(params: Any) -> dict[str, Any]:
    preset = _one(params, "range", "last_30_days")
    if preset == "custom":
        return {
            "preset": "custom",
            "date_from": _one(params, "from"),
            "date_to": _one(params, "to"),
        }
    return {"preset": preset}


def filters_from_params(params: Any) -> list[dict[str, Any]]:
    keys, ops, values = _many(params, "fkey"), _many(params, "fop"), _many(params, "fvalue")
    out = []
    for i, key in enumerate(keys):
        if not key:
            continue
        op = ops[i] if i < len(ops) and ops[i] else "eq"
        text = values[i] if i < len(values) else ""
        row: dict[str, Any] = {"key": key, "op": op}
        if key.startswith("person."):
            row = {"type": "person", "key": key.removeprefix("person."), "op": op}
        if op in ("in", "not_in"):
            row["value"] = [part.strip() for part in text.split(",") if part.strip()]
        elif op in ("gt", "gte", "lt", "lte"):
            row["value"] = _number(text)
        elif op not in ("is_set", "is_not_set"):
            row["value"] = text
        out.append(row)
    return out


def _breakdown(params: Any, data: dict[str, Any]) -> None:
    key = _one(params, "breakdown")
    if key:
        if key.startswith("person."):
            data["breakdown"] = {"type": "person", "key": key.removeprefix("person.")}
        else:
            data["breakdown"] = {"key": key}


def form_values(data: dict[str, Any]) -> dict[str, Any]:
    """What the form's fields show for a query description (as query_from_params read
    it), with empty rows to add series, steps and filters in."""
    kind = data.get("kind", "trends")
    date_range = data.get("date_range") or {}
    values: dict[str, Any] = {
        "kind": kind,
        "range": date_range.get("preset", "last_30_days"),
        "from": date_range.get("date_from") or "",
        "to": date_range.get("date_to") or "",
        "interval": data.get("interval", "day"),
        "compare": bool(data.get("compare")),
        "formula": data.get("formula") or "",
        "breakdown": _breakdown_text(data.get("breakdown")),
        "order": data.get("order", "ordered"),
        "window": data.get("window", 14),
        "unit": data.get("window_unit", "day"),
        "trend": data.get("trend") or "",
        "start": (data.get("start") or {}).get("event") or "",
        "return": (data.get("returning") or {}).get("event") or "",
        "period": data.get("period", "week"),
        "periods": data.get("periods", 8),
        "cohort": data.get("cohort_type", "first_time"),
        "cohort_id": data.get("cohort") or "",
        "mode": data.get("mode", "on"),
        "direction": data.get("direction", "after"),
        "steps": data.get("steps", 5) if kind == "paths" else 5,
        "conversion": (data.get("conversion") or {}).get("event") or "",
        "channel": data.get("channel", "utm_source"),
        "touch": data.get("touch", "first"),
    }
    series = data.get("series") if kind == "trends" else []
    rows = [
        {
            "event": s.get("event") or "",
            "math": s.get("math", "total"),
            "prop": s.get("math_property") or "",
        }
        for s in series or []
    ]
    values["series"] = rows + [{"event": "", "math": "total", "prop": ""}] * max(
        0, SERIES_ROWS - len(rows)
    )
    steps = [s.get("event") or "" for s in data.get("steps") or []] if kind == "funnel" else []
    values["step_rows"] = steps + [""] * max(0, STEP_ROWS - len(steps))
    if kind in ("stickiness", "lifecycle"):
        values["event"] = (data.get("series") or {}).get("event") or ""
    elif kind == "paths":
        values["event"] = data.get("event") or ""
    else:
        values["event"] = ""
    values["filters"] = filter_rows(data.get("filters") or [])
    return values


def filter_rows(filters: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The filter rows a form shows for property filters, with empty rows to add to."""
    rows = [
        {
            "key": ("person." if f.get("type") == "person" else "") + f.get("key", ""),
            "op": f.get("op", "eq"),
            "value": ", ".join(map(str, f["value"]))
            if isinstance(f.get("value"), list)
            else f.get("value", ""),
        }
        for f in filters
    ]
    return rows + [{"key": "", "op": "eq", "value": ""}] * max(0, FILTER_ROWS - len(rows))


def _breakdown_text(breakdown: dict[str, Any] | None) -> str:
    if not breakdown:
        return ""
    prefix = "person." if breakdown.get("type") == "person" else ""
    return prefix + str(breakdown.get("key", ""))
