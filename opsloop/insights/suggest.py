"""What the builder offers, and what a result that matched nothing says about why.

Suggestions: the event names, the event property keys (the context columns and the keys
of `properties`) and the persons' trait keys that exist, each with how many events (or
persons) carry it, and the commonest values of one key; read from the store in the
engine's own SQL, so DuckDB and ClickHouse give the same lists.

Hints: a breakdown whose every value is "(none)", or filters under which nothing (or no
return, no later step) is counted, are silent answers: the user meant something else,
most often the person's first touch (`person.channel`) rather than the UTM of the events
the insight reads, which only the first visit carries. `hints()` looks at a result and,
when it looks empty, finds which condition matched nothing on which events and which
trait the user may have meant. The facts are data (cached with the result); the page and
the API put them in words (queries.describe_hints).

An event name the range does not have at all (a typo such as `frist_order`, `app_open` on
a web source whose visits are `$pageview`, or the display name 首单 typed for
`first_order`) is the other silent answer: `hints()` says so when a part of the result
that names an event counted nothing, with when that event was last received, and the
event names of the range it may have meant (by their text or their display name).

No Django here, as in engine.py: the known-answer tests call it with a store of their own.
"""

# SQL here is built from our own fragments; user values are bound parameters.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from opsloop.insights.plan import Plan, as_int
from opsloop.insights.query import LAST_DAY, EventSelector, PropertyFilter
from opsloop.insights.sql import EVENT_COLUMNS, Sql, json_path

# How far back the suggestions look, and how many of each they list.
SUGGEST_DAYS = 90
LIMIT = 200
VALUES_LIMIT = 50
# Where a UTM key points when the events do not carry it: the trait that keeps the
# person's first touch (the demo's and the generator's `channel`), and PostHog's names.
FIRST_TOUCH_TRAITS = ("channel", "first_channel", "first_touch", "acquisition_channel")
CHANNEL_KEYS = ("utm_source", "utm_medium", "utm_campaign")


def _window(plan: Plan) -> Sql:
    return plan.sql(plan.today - dt.timedelta(days=SUGGEST_DAYS - 1), plan.today)


def event_counts(plan: Plan, limit: int = LIMIT) -> list[tuple[str, int]]:
    """The event names of the last SUGGEST_DAYS days, the most sent first."""
    ctx = _window(plan)
    text = (
        f"SELECT e.event, count(*) AS n FROM events e WHERE {ctx.in_range('e.timestamp')} "
        f"GROUP BY e.event ORDER BY n DESC, e.event LIMIT {int(limit)}"
    )
    return [(str(row[0]), as_int(row[1])) for row in plan.run(ctx, text)]


def property_counts(plan: Plan, limit: int = LIMIT) -> list[tuple[str, int]]:
    """The event property keys of the last SUGGEST_DAYS days with how many events carry
    each (a column counts where it is not empty), the most carried first."""
    ctx = _window(plan)
    within = ctx.in_range("e.timestamp")
    # The event's name is a column too, but the event fields offer it.
    columns = sorted(EVENT_COLUMNS - {"event"})
    sums = ", ".join(f"sum(CASE WHEN e.{c} <> '' THEN 1 ELSE 0 END)" for c in columns)
    counted = plan.run(ctx, f"SELECT {sums} FROM events e WHERE {within}")
    found = {
        c: as_int(n) for c, n in zip(columns, counted[0] if counted else (), strict=False) if n
    }
    keys = (
        f"SELECT k, count(*) AS n FROM (SELECT {ctx.dialect.json_keys('e.properties')} AS k "
        f"FROM events e WHERE {within}) AS t GROUP BY k ORDER BY n DESC, k LIMIT {int(limit)}"
    )
    for key, n in plan.run(ctx, keys):
        # A key that is also a column is read from the column (Sql.prop).
        if str(key) not in EVENT_COLUMNS:
            found[str(key)] = as_int(n)
    return sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


def trait_counts(plan: Plan, limit: int = LIMIT) -> list[tuple[str, int]]:
    """The persons' trait keys (of the persons snapshot) with how many persons have each."""
    ctx = _window(plan)
    text = (
        f"SELECT k, count(*) AS n FROM (SELECT {ctx.dialect.json_keys('p.traits')} AS k "
        f"FROM persons p) AS t GROUP BY k ORDER BY n DESC, k LIMIT {int(limit)}"
    )
    return [(str(row[0]), as_int(row[1])) for row in plan.run(ctx, text)]


def value_counts(
    plan: Plan, kind: str, key: str, limit: int = VALUES_LIMIT
) -> list[tuple[str, int]]:
    """The commonest values of an event property (over the last SUGGEST_DAYS days) or of
    a trait (`kind` "person"), with how many events (persons) have each."""
    ctx = _window(plan)
    if kind == "person":
        value = ctx.dialect.json_text("p.traits", ctx.param(json_path(key)))
        inner = f"SELECT {value} AS v FROM persons p"
    else:
        inner = ctx.events_from([], f"{ctx.prop('event', key)} AS v")
    text = (
        f"SELECT v, count(*) AS n FROM ({inner}) AS t WHERE v IS NOT NULL "
        f"GROUP BY v ORDER BY n DESC, v LIMIT {int(limit)}"
    )
    return [(str(row[0]), as_int(row[1])) for row in plan.run(ctx, text)]


# --- hints


def hints(
    q: Any, result: dict[str, Any], plan: Plan, names: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """Why a result that looks empty is so: facts for queries.describe_hints. `names`:
    the workspace's display names of events (event name -> display name)."""
    missing = _event_hints(q, result, plan, names or {})
    found: list[dict[str, Any]] = []
    breakdown = getattr(q, "breakdown", None)
    if breakdown is not None and _all_none(q.kind, result):
        found.append(_breakdown_hint(q, plan))
    if q.filters and (empty := _emptiness(q.kind, result)):
        found += _filter_hints(q, result, plan, empty)
    if found:
        traits = dict(trait_counts(plan))
        for hint in found:
            hint["suggest"] = _similar_trait(hint, traits)
            hint["channels"] = hint["type"] == "event" and hint["key"] in CHANNEL_KEYS
    return missing + found


def _all_none(kind: str, result: dict[str, Any]) -> bool:
    """Whether a breakdown put everyone (there is someone) under "(none)"."""
    if kind == "trends":
        lines = [s for s in result["series"] if not s["compare"]]
        values = {s["breakdown"] for s in lines}
        return values == {""} and any(v for s in lines for v in s["data"])
    if kind == "funnel":
        groups = result.get("breakdown") or []
        return (
            bool(groups)
            and all(g["value"] == "" for g in groups)
            and bool(result["steps"] and result["steps"][0]["count"])
        )
    return False


def _emptiness(kind: str, result: dict[str, Any]) -> str:
    """ "nothing" when the result counted nothing, "later" when it counted the start but
    nothing after it (a funnel's later steps, a retention's returns), else ""."""
    if kind == "trends":
        lines = [s for s in result["series"] if not s["compare"]]
        return "" if any(v for s in lines for v in s["data"]) else "nothing"
    if kind == "funnel":
        steps = result["steps"]
        if not steps[0]["count"]:
            return "nothing"
        return "later" if not steps[-1]["count"] else ""
    if kind == "retention":
        if not any(c["size"] for c in result["cohorts"]):
            return "nothing"
        returns = [v for c in result["cohorts"] for v in c["values"][1:]]
        return "later" if returns and not any(returns) else ""
    if kind == "stickiness":
        return "" if any(result["persons"]) else "nothing"
    if kind == "lifecycle":
        return "" if any(v for s in result["series"] for v in s["data"]) else "nothing"
    if kind == "paths":
        return "" if result["links"] else "nothing"
    return "" if any(c["persons"] for c in result["channels"]) else "nothing"


def _selectors(q: Any) -> list[EventSelector]:
    """The events the query counts, as selectors (an empty one: any event)."""
    if q.kind == "trends":
        return list(q.series)
    if q.kind == "funnel":
        return list(q.steps)
    if q.kind == "retention":
        return [q.start, q.returning]
    if q.kind in ("stickiness", "lifecycle"):
        return [q.series]
    if q.kind == "paths":
        return [EventSelector(event=q.event)]
    return [q.conversion]


def _breakdown_reads(q: Any) -> tuple[str, list[str]]:
    """The events a breakdown reads: a funnel's first step's (its value on each person's
    first step-1 event), else the series'."""
    if q.kind == "funnel":
        return "first_step", [q.steps[0].event or ""]
    return "series", sorted({s.event or "" for s in q.series})


def _breakdown_hint(q: Any, plan: Plan) -> dict[str, Any]:
    where, events = _breakdown_reads(q)
    key, kind = q.breakdown.key, q.breakdown.type
    hint: dict[str, Any] = {
        "code": "breakdown_not_set",
        "key": key,
        "type": kind,
        "reads": where,
        "events": events,
    }
    if kind == "event":
        hint["set_on"] = _set_on(q, plan, key, exclude=events)
    return hint


def _set_on(q: Any, plan: Plan, key: str, exclude: list[str]) -> list[list[Any]]:
    """The events of the query's range (other than `exclude`) that carry `key`, the
    most first (at most three), as [name, count]."""
    first, last = q.date_range.days(plan.today)
    ctx = plan.sql(first, last)
    where = [f"{ctx.prop('event', key)} IS NOT NULL"]
    named = [e for e in exclude if e]
    if named and len(named) == len(exclude):
        where.append(f"e.event NOT IN ({', '.join(ctx.param(e) for e in named)})")
    text = (
        f"SELECT event, count(*) AS n FROM ({ctx.events_from(where, 'e.event AS event')}) AS t "
        "GROUP BY event ORDER BY n DESC, event LIMIT 3"
    )
    return [[str(row[0]), as_int(row[1])] for row in plan.run(ctx, text)]


def _filter_hints(q: Any, result: dict[str, Any], plan: Plan, empty: str) -> list[dict[str, Any]]:
    """For each filter, the events of the query it holds on none of (of those that
    happened in the range); for a retention that has cohorts but no return, the filters
    themselves, which returns must meet too."""
    first, last = q.date_range.days(plan.today)
    selectors = _selectors(q)
    names = [s.event or "" for s in selectors]
    event_filters = [f for f in q.filters if f.type == "event"]
    person_filters = [f for f in q.filters if f.type == "person"]
    out: list[dict[str, Any]] = []
    if event_filters:
        counts = _filter_counts(plan, first, last, event_filters, names)
        for i, f in enumerate(event_filters):
            failing = [
                name
                for name in dict.fromkeys(names)
                if counts.get(name, (0, [], []))[0] and not counts[name][2][i]
            ]
            carried = any(counts[name][1][i] for name in failing)
            if failing:
                out.append(
                    {
                        **_filter_facts(f),
                        "code": "filter_matches_nothing",
                        "events": failing,
                        "is_set": carried,
                        "set_on": [] if carried else _set_on(q, plan, f.key, exclude=failing),
                    }
                )
    for f in person_filters:
        matched, having = _person_counts(plan, first, last, f)
        if not matched:
            out.append({**_filter_facts(f), "code": "filter_matches_no_person", "having": having})
    if not out and empty == "later" and q.kind == "retention" and event_filters:
        out.append({**_filter_facts(event_filters[0]), "code": "filter_on_returns"})
    return out


def _filter_facts(f: PropertyFilter) -> dict[str, Any]:
    return {"key": f.key, "type": f.type, "op": f.op, "value": f.value}


def _filter_counts(
    plan: Plan, first: dt.date, last: dt.date, filters: list[PropertyFilter], names: list[str]
) -> dict[str, tuple[int, list[int], list[int]]]:
    """Per event name of `names` ("" any event): its events in the range, and for each
    filter how many carry its key and how many meet it."""
    named = sorted({n for n in names if n})
    out: dict[str, tuple[int, list[int], list[int]]] = {}

    def counted(row: tuple[Any, ...]) -> tuple[int, list[int], list[int]]:
        values = [as_int(v) for v in row]
        return values[0], values[1::2], values[2::2]

    if named:
        ctx = plan.sql(first, last)
        columns = _filter_columns(ctx, filters)
        listed = ", ".join(ctx.param(n) for n in named)
        inner = ctx.events_from([f"e.event IN ({listed})"], "e.*")
        text = f"SELECT e.event, {columns} FROM ({inner}) AS e GROUP BY e.event"
        for row in plan.run(ctx, text):
            out[str(row[0])] = counted(row[1:])
    if "" in names:
        ctx = plan.sql(first, last)
        columns = _filter_columns(ctx, filters)
        rows = plan.run(ctx, f"SELECT {columns} FROM ({ctx.events_from([], 'e.*')}) AS e")
        if rows:
            out[""] = counted(rows[0])
    return out


def _filter_columns(ctx: Sql, filters: list[PropertyFilter]) -> str:
    """count(*), then for each filter the events that carry its key and that meet it."""
    parts = ["count(*)"]
    for f in filters:
        parts.append(f"sum(CASE WHEN {ctx.prop('event', f.key)} IS NOT NULL THEN 1 ELSE 0 END)")
        parts.append(f"sum(CASE WHEN {ctx.condition(f)} THEN 1 ELSE 0 END)")
    return ", ".join(parts)


def _person_counts(plan: Plan, first: dt.date, last: dt.date, f: PropertyFilter) -> tuple[int, int]:
    """Persons who meet a trait filter, and who have the trait at all."""
    ctx = plan.sql(first, last)
    cond = ctx.condition(f)
    have = ctx.prop("person", f.key)
    text = (
        f"SELECT sum(CASE WHEN {cond} THEN 1 ELSE 0 END), "
        f"sum(CASE WHEN {have} IS NOT NULL THEN 1 ELSE 0 END) FROM persons p"
    )
    rows = plan.run(ctx, text)
    return (as_int(rows[0][0]), as_int(rows[0][1])) if rows else (0, 0)


def _similar_trait(hint: dict[str, Any], traits: dict[str, int]) -> str | None:
    """The trait the user may have meant by an event property: the same name, the name
    without a utm_/$ prefix, PostHog's $initial_ one, or for a UTM key the first-touch
    channel; None when no person has such a trait (or the hint is of a trait)."""
    if hint["type"] != "event":
        return None
    key = hint["key"]
    bare = key.removeprefix("$").removeprefix("utm_")
    candidates = [key, f"$initial_{key}", f"initial_{key}", f"first_{key}", bare]
    if key in CHANNEL_KEYS:
        candidates += list(FIRST_TOUCH_TRAITS)
    for name in candidates:
        if traits.get(name):
            return f"person.{name}"
    return None


# --- an event name the range does not have

# How many of the range's event names are compared with a name it lacks, and how many
# the hint lists.
RANGE_NAMES_LIMIT = 1000
SHOWN = 3
# What is not part of a name when comparing: case, a leading $ (PostHog's own events),
# separators (page_view, pageView and $pageview are one name).
_SEPARATORS = re.compile(r"[\s_\-.:/]+")


def _event_hints(
    q: Any, result: dict[str, Any], plan: Plan, names: Mapping[str, str]
) -> list[dict[str, Any]]:
    """A hint per event name that a silent part of the result names and that no event of
    the range has (see the module's docstring)."""
    silent = _silent_events(q, result)
    if not silent:
        return []
    first, last = q.date_range.days(plan.today)
    counts = _range_events(plan, first, last, sorted({name for _place, name in silent}))
    places: dict[str, list[str]] = {}
    for place, name in silent:
        if name not in counts:
            places.setdefault(name, []).append(place)
    if not places:
        return []
    seen = _last_seen(plan, first, last, list(places))
    out = []
    for name, where in places.items():
        named, similar = _close_events(name, counts, names)
        best = named or similar
        out.append(
            {
                "code": "event_not_received",
                "key": name,
                "places": where,
                "last_seen": seen.get(name),
                "named": [[n, counts[n]] for n, _score in named[:SHOWN]],
                "similar": [[n, counts[n]] for n, _score in similar[:SHOWN]],
                # When nothing is like it: what the range does have.
                "received": [] if best else [[n, c] for n, c in list(counts.items())[:SHOWN]],
                # The one to swap in, when one is closer than every other.
                "suggest": best[0][0]
                if best and (len(best) == 1 or best[0][1] < best[1][1])
                else None,
            }
        )
    return out


def _silent_events(q: Any, result: dict[str, Any]) -> list[tuple[str, str]]:
    """(place in the query, event name) of each named event whose part of the result
    counted nothing: a trends series with no value, every step of a funnel whose last
    step is empty (in any order, which step is missing does not show), a retention's
    start and return events (its return event when only the returns are empty), the
    event of an empty stickiness, lifecycle or paths, an attribution's conversion."""
    kind = q.kind
    out: list[tuple[str, str | None]] = []
    if kind == "trends":
        for i, s in enumerate(q.series):
            lines = [
                line for line in result["series"] if line["index"] == i and not line["compare"]
            ]
            if not any(v for line in lines for v in line["data"]):
                out.append((f"series.{i}", s.event))
    elif kind == "funnel":
        if not result["steps"][-1]["count"]:
            out += [(f"steps.{i}", s.event) for i, s in enumerate(q.steps)]
    elif kind == "retention":
        empty = _emptiness(kind, result)
        if empty == "nothing":
            out.append(("start", q.start.event))
        if empty:
            out.append(("returning", q.returning.event))
    elif kind in ("stickiness", "lifecycle"):
        if _emptiness(kind, result):
            out.append(("series", q.series.event))
    elif kind == "paths":
        if not result["links"]:
            out.append(("event", q.event))
    elif kind == "attribution" and not result["conversions"]:
        out.append(("conversion", q.conversion.event))
    return [(place, name) for place, name in out if name]


def _range_events(plan: Plan, first: dt.date, last: dt.date, named: list[str]) -> dict[str, int]:
    """The event names of the range with their counts, the most first, the ones of
    `named` among them whatever their number (every event, the query's cohort or not:
    the question is whether the name exists)."""
    ctx = plan.sql(first, last)
    listed = ", ".join(ctx.param(n) for n in named)
    text = (
        f"SELECT e.event, count(*) AS n FROM events e WHERE {ctx.in_range('e.timestamp')} "
        f"GROUP BY e.event ORDER BY CASE WHEN e.event IN ({listed}) THEN 0 ELSE 1 END, "
        f"n DESC, e.event LIMIT {RANGE_NAMES_LIMIT}"
    )
    return {str(row[0]): as_int(row[1]) for row in plan.run(ctx, text)}


def _last_seen(plan: Plan, first: dt.date, last: dt.date, missing: list[str]) -> dict[str, str]:
    """The local day each of `missing` was last received, at any time up to tomorrow
    (an event may be stamped up to a day ahead), as ISO text; absent: never."""
    until = min(max(last, plan.today + dt.timedelta(days=1)), LAST_DAY)
    ctx = plan.sql(first, until)
    within = ctx.in_range("e.timestamp", ever=True)
    listed = ", ".join(ctx.param(n) for n in missing)
    text = (
        f"SELECT e.event, max({ctx.days_from(first, 'e.timestamp')}) FROM events e "
        f"WHERE {within} AND e.event IN ({listed}) GROUP BY e.event"
    )
    return {
        str(row[0]): (first + dt.timedelta(days=as_int(row[1]))).isoformat()
        for row in plan.run(ctx, text)
        if row[1] is not None
    }


def _close_events(
    name: str, counts: dict[str, int], names: Mapping[str, str]
) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """The range's events `name` may have meant, closest first, each with its score:
    those whose display name is `name` (give or take case and separators), and those
    whose own name or display name is like it."""
    named: list[tuple[str, int, int]] = []
    similar: list[tuple[str, int, int]] = []
    for event, n in counts.items():
        shown = names.get(event, "")
        if shown and closeness(name, shown) == 0:
            named.append((event, 0, n))
            continue
        scores = [closeness(name, text) for text in (event, shown) if text]
        known = [score for score in scores if score is not None]
        if known:
            similar.append((event, min(known), n))

    def ranked(found: list[tuple[str, int, int]]) -> list[tuple[str, int]]:
        return [(e, s) for e, s, _n in sorted(found, key=lambda f: (f[1], -f[2], f[0]))]

    return ranked(named), ranked(similar)


def _plain(text: str) -> str:
    return _SEPARATORS.sub("", text.strip().casefold().removeprefix("$"))


def closeness(typed: str, name: str) -> int | None:
    """How far `name` is from what was typed: 0 the same name but for case, a leading $
    and separators; 1 or 2 the edits (a typo, two letters swapped) a name of its length
    allows (none below 4 characters, one below 8, two from 8); 3 one name inside the
    other (of 4 characters or more); None: not alike."""
    a, b = _plain(typed), _plain(name)
    if not a or not b:
        return None
    if a == b:
        return 0
    allowed = 0 if len(a) < 4 else 1 if len(a) < 8 else 2
    if allowed and abs(len(a) - len(b)) <= allowed and (edits := _edits(a, b)) <= allowed:
        return edits
    if min(len(a), len(b)) >= 4 and (a in b or b in a):
        return 3
    return None


def _edits(a: str, b: str) -> int:
    """The edit distance of two texts, a swap of neighbours one edit (optimal string
    alignment)."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]
