"""A result as the insights page shows it: a table per kind, each number with the
selection that lists the persons behind it, and the labels its chart needs. The chart
itself is drawn in the browser from the same result (static/opsloop/insights.js).

Display names (docs/insights.md#display-names): `labelled` adds to a result, beside each
raw event name, property key and breakdown value, the label the workspace gave it
(`display_label`, `breakdown_label`, ...); the tables, the charts, the CSV and the API
show those. It reads one `Names` (a dict per kind, fetched once per result), never the
database per label."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

OTHER = "$other"

MATH_LABELS = {
    "total": gettext_lazy("Total events"),
    "persons": gettext_lazy("Unique users"),
    "dau": gettext_lazy("Daily active users"),
    "wau": gettext_lazy("Weekly active users (7 days)"),
    "mau": gettext_lazy("Monthly active users (30 days)"),
    "sum": gettext_lazy("Sum of"),
    "avg": gettext_lazy("Average of"),
    "median": gettext_lazy("Median of"),
    "min": gettext_lazy("Minimum of"),
    "max": gettext_lazy("Maximum of"),
    "p90": gettext_lazy("90th percentile of"),
    "p95": gettext_lazy("95th percentile of"),
    "p99": gettext_lazy("99th percentile of"),
    "per_person_avg": gettext_lazy("Events per user (average)"),
    "per_person_median": gettext_lazy("Events per user (median)"),
    "per_person_max": gettext_lazy("Events per user (maximum)"),
    "per_person_p90": gettext_lazy("Events per user (90th percentile)"),
}
STATUS_LABELS = {
    "new": gettext_lazy("New"),
    "returning": gettext_lazy("Returning"),
    "resurrecting": gettext_lazy("Resurrecting"),
    "dormant": gettext_lazy("Dormant"),
}


@dataclass(frozen=True)
class Names:
    """A workspace's display names: of event names, of property keys (utm_source,
    person.city) and of the values of a property (key -> value -> name)."""

    events: dict[str, str] = field(default_factory=dict)
    properties: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)

    def event(self, name: str | None) -> str:
        """An event's name as shown; "" for any event."""
        return self.events.get(name or "", name or "")

    def key(self, key: str) -> str:
        return self.properties.get(key, key)

    def value(self, key: str, value: str) -> str:
        return self.values.get(key, {}).get(value, value)


def value_label(value: str | None, names: Names | None = None, key: str = "") -> str:
    """A breakdown's (or a channel's) value as shown: its display name under `key`, or
    "Other" and "(none)" for the rest and the empty value."""
    if value == OTHER:
        return _("Other")
    if value == "":
        return _("(none)")
    if names is not None and value is not None:
        return names.value(key, str(value))
    return str(value)


def _shown_name(label: str, event: str | None, names: Names) -> str:
    """A series' or a step's name: the label the query gave it, else its event's
    display name."""
    if label and label != (event or ""):
        return label
    return names.event(event)


def _breakdown_key(query: Any) -> str:
    breakdown = getattr(query, "breakdown", None)
    if breakdown is None:
        return ""
    return ("person." if breakdown.type == "person" else "") + breakdown.key


def labelled(result: dict[str, Any], query: Any, names: Names) -> dict[str, Any]:
    """A copy of `result` with the display labels beside the raw values: a series' or a
    step's `display_label`, a breakdown value's `breakdown_label` (trends) or
    `value_label` (a funnel's groups), a property's `math_property_label`, a path node's
    `event_label`, a link's `source_label` and `target_label`, a channel's
    `channel_label`. Raw values stay as they were: they are what queries use."""
    out = dict(result)
    kind = result["kind"]
    key = _breakdown_key(query)
    if kind == "trends":
        out["series"] = [
            {
                **line,
                "display_label": _shown_name(line["label"], line["event"], names),
                "math_property_label": names.key(line["math_property"])
                if line.get("math_property")
                else None,
                "breakdown_label": None
                if line["breakdown"] is None
                else value_label(line["breakdown"], names, key),
            }
            for line in result["series"]
        ]
        if "formula" in result:
            out["formula"] = [
                {
                    **line,
                    "breakdown_label": None
                    if line["breakdown"] is None
                    else value_label(line["breakdown"], names, key),
                }
                for line in result["formula"]
            ]
    elif kind == "funnel":
        out["steps"] = [
            {**step, "display_label": _shown_name(step["label"], step["event"], names)}
            for step in result["steps"]
        ]
        if "breakdown" in result:
            out["breakdown"] = [
                {**group, "value_label": value_label(group["value"], names, key)}
                for group in result["breakdown"]
            ]
    elif kind == "stickiness":
        event = getattr(getattr(query, "series", None), "event", None)
        out["display_label"] = _shown_name(result["label"], event, names)
    elif kind == "paths":
        out["event_label"] = names.event(result["event"])
        out["nodes"] = [{**n, "event_label": names.event(n["event"])} for n in result["nodes"]]
        out["links"] = [
            {
                **link,
                "source_label": names.event(link["source"]),
                "target_label": names.event(link["target"]),
            }
            for link in result["links"]
        ]
    elif kind == "attribution":
        out["channel_label"] = names.key(result["channel"])
        out["channels"] = [
            {**row, "channel_label": value_label(row["channel"], names, result["channel"])}
            for row in result["channels"]
        ]
    return out


def cell(value: Any, selection: dict[str, Any] | None = None, *, percent: bool = False) -> dict:
    return {
        "value": value,
        "percent": percent,
        "selection": json.dumps(selection, ensure_ascii=False) if selection is not None else "",
    }


def tables(result: dict[str, Any]) -> dict[str, Any]:
    """{"head": [...], "rows": [{"label": ..., "cells": [...]}]} for the result's kind,
    plus what the chart needs under "chart"."""
    return _TABLES[result["kind"]](result)


def _series_label(line: dict[str, Any]) -> str:
    name = line.get("display_label", line["label"]) or _("Any event")
    label = f"{name} · {MATH_LABELS.get(line['math'], line['math'])}"
    if line.get("math_property"):  # "Sum of" what
        label += f" {line.get('math_property_label') or line['math_property']}"
    if line["breakdown"] is not None:
        label += f" · {_breakdown_label(line)}"
    if line["compare"]:
        label += " · " + _("previous period")
    return label


def _breakdown_label(line: dict[str, Any]) -> str:
    return line.get("breakdown_label") or value_label(line["breakdown"])


def _trends(result: dict[str, Any]) -> dict[str, Any]:
    rows = []
    for line in result["series"]:
        rows.append(
            {
                "label": _series_label(line),
                "total": line["total"],
                "cells": [
                    cell(
                        v,
                        {
                            "series": line["index"],
                            "bucket": i,
                            "breakdown": line["breakdown"],
                            "compare": line["compare"],
                        }
                        if v
                        else None,
                    )
                    for i, v in enumerate(line["data"])
                ],
            }
        )
    for line in result.get("formula", []):
        label = _("Formula")
        if line["breakdown"] is not None:
            label += f" · {_breakdown_label(line)}"
        rows.append({"label": label, "total": None, "cells": [cell(v) for v in line["data"]]})
    chart = {
        "type": "line",
        "x": result["buckets"],
        "series": [
            {"name": row["label"], "data": [c["value"] for c in row["cells"]]} for row in rows
        ],
    }
    return {"head": result["buckets"], "rows": rows, "chart": chart}


def _steps_row(label: str, shaped: dict[str, Any], breakdown: Any) -> dict[str, Any]:
    cells = []
    for step in shaped["steps"]:
        selection = {"step": step["index"]}
        if breakdown is not None:
            selection["breakdown"] = breakdown
        cells.append(
            {
                **cell(step["count"], selection if step["count"] else None),
                "conversion": step["conversion"],
                "dropped": step["dropped"],
                "dropped_selection": json.dumps({**selection, "dropped": True}, ensure_ascii=False)
                if step["dropped"]
                else "",
                "median": step["median_seconds"],
            }
        )
    return {
        "label": label,
        "cells": cells,
        "conversion": shaped["conversion"],
        "median": shaped["median_seconds"],
    }


def _funnel(result: dict[str, Any]) -> dict[str, Any]:
    head = [step.get("display_label", step["label"]) or _("Any event") for step in result["steps"]]
    rows = [_steps_row(_("All users"), result, None)]
    for group in result.get("breakdown", []):
        label = group.get("value_label") or value_label(group["value"])
        rows.append(_steps_row(label, group, group["value"]))
    chart: dict[str, Any] = {
        "type": "funnel",
        "x": head,
        "series": [
            {"name": row["label"], "data": [c["value"] for c in row["cells"]]} for row in rows
        ],
    }
    if result.get("trend"):
        chart["trend"] = {
            "x": [t["bucket"] for t in result["trend"]],
            "data": [
                None if t["conversion"] is None else round(t["conversion"] * 100, 2)
                for t in result["trend"]
            ],
        }
    return {"head": head, "rows": rows, "chart": chart, "trend": result.get("trend")}


def _retention(result: dict[str, Any]) -> dict[str, Any]:
    n = len(result["curve"])
    head = [_("Period %(n)s") % {"n": i} for i in range(n)]
    rows = []
    for c, cohort in enumerate(result["cohorts"]):
        rows.append(
            {
                "label": cohort["cohort"],
                "size": cohort["size"],
                "cells": [
                    {
                        **cell(v, {"cohort": c, "period": i} if v else None),
                        "share": cohort["percentages"][i],
                    }
                    for i, v in enumerate(cohort["values"])
                ],
            }
        )
    chart = {
        "type": "line",
        "x": head,
        "series": [
            {
                "name": _("Retention"),
                "data": [None if v is None else round(v * 100, 2) for v in result["curve"]],
            }
        ],
        "percent": True,
    }
    return {"head": head, "rows": rows, "chart": chart}


def _stickiness(result: dict[str, Any]) -> dict[str, Any]:
    unit = _("days") if result["interval"] == "day" else _("weeks")
    head = [f"{k} {unit}" for k in result["days"]]
    cells = [
        cell(v, {"days": k} if v else None)
        for k, v in zip(result["days"], result["persons"], strict=True)
    ]
    name = result.get("display_label", result["label"])
    rows = [{"label": name or _("Any event"), "cells": cells}]
    chart = {"type": "bar", "x": head, "series": [{"name": _("Users"), "data": result["persons"]}]}
    return {"head": head, "rows": rows, "chart": chart}


def _lifecycle(result: dict[str, Any]) -> dict[str, Any]:
    rows = []
    for line in result["series"]:
        rows.append(
            {
                "label": STATUS_LABELS[line["status"]],
                "status": line["status"],
                "cells": [
                    cell(v, {"bucket": i, "status": line["status"]} if v else None)
                    for i, v in enumerate(line["data"])
                ],
            }
        )
    chart = {
        "type": "stack",
        "x": result["buckets"],
        "series": [
            {"name": row["label"], "key": row["status"], "data": [c["value"] for c in row["cells"]]}
            for row in rows
        ],
    }
    return {"head": result["buckets"], "rows": rows, "chart": chart}


def _paths(result: dict[str, Any]) -> dict[str, Any]:
    rows = [
        {
            "label": f"{link['step']} → {link['step'] + 1}",
            "source": link["source"],
            "target": link["target"],
            "source_label": link.get("source_label", link["source"]),
            "target_label": link.get("target_label", link["target"]),
            "cells": [
                cell(
                    link["persons"],
                    {"step": link["step"], "source": link["source"], "target": link["target"]},
                )
            ],
        }
        for link in result["links"]
    ]
    # Nodes are named by their raw event (two events may share a display name, and a
    # Sankey's node names must differ); `labels` is what each is shown as.
    chart = {
        "type": "sankey",
        "nodes": [{"name": f"{n['step']}. {n['event']}"} for n in result["nodes"]],
        "labels": {
            f"{n['step']}. {n['event']}": f"{n['step']}. {n.get('event_label', n['event'])}"
            for n in result["nodes"]
        },
        "links": [
            {
                "source": f"{link['step']}. {link['source']}",
                "target": f"{link['step'] + 1}. {link['target']}",
                "value": link["persons"],
            }
            for link in result["links"]
        ],
    }
    return {"head": [_("Users")], "rows": rows, "chart": chart}


def _attribution(result: dict[str, Any]) -> dict[str, Any]:
    rows = [
        {
            "label": row.get("channel_label") or value_label(row["channel"]),
            "cells": [
                cell(row["persons"], {"channel": row["channel"]}),
                cell(
                    row["conversions"],
                    {"channel": row["channel"], "converted": True} if row["conversions"] else None,
                ),
                cell(row["conversion_rate"], percent=True),
            ],
        }
        for row in result["channels"]
    ]
    chart = {
        "type": "bar",
        "x": [row["label"] for row in rows],
        "series": [
            {"name": _("Users"), "data": [row["persons"] for row in result["channels"]]},
            {"name": _("Conversions"), "data": [row["conversions"] for row in result["channels"]]},
        ],
    }
    return {
        "head": [_("Users"), _("Conversions"), _("Conversion rate")],
        "rows": rows,
        "chart": chart,
    }


_TABLES = {
    "trends": _trends,
    "funnel": _funnel,
    "retention": _retention,
    "stickiness": _stickiness,
    "lifecycle": _lifecycle,
    "paths": _paths,
    "attribution": _attribution,
}
