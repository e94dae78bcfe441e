"""Funnels: how many persons go from step 1 through each next step within the conversion
window, and how long it takes them (docs/metrics.md#funnels).

One statement per query. The events that match any step are ordered per person by
(timestamp, the first step they match, message id): events at the same moment are taken
in the funnel's order. Then, for ordered and strict funnels, one window pass per step:

    r0 = the event's own time, when it is a step-1 event
    rj = for a step-(j+1) event: the latest start of a path that reached step j on an
         earlier event (strict: on the event just before), if this event is within the
         window of that start; else NULL

Keeping only the latest start per step is enough: a later start leaves more of its window
for the steps to come. A person's level is the highest step with any rj, their path the
one of the latest start at that level, its step times the earliest events carrying that
start. Any order counts, from each step event, the distinct steps in the window after it.
A breakdown goes by first touch: the value on the person's first step-1 event.
"""

# SQL here is built from our own fragments; user values are bound parameters.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from opsloop.insights.buckets import bucket_label, bucket_starts
from opsloop.insights.plan import Plan, as_float, as_int
from opsloop.insights.query import FunnelQuery
from opsloop.insights.sql import Sql

OTHER = "$other"
# Events in (time, step) order as one integer: time in microseconds * ORDER_SCALE + the
# first step the event matches (at most 20 steps).
ORDER_SCALE = 32
# A level and a start time as one integer, level * LEVEL_SCALE + microseconds from the
# epoch, so that one max() finds the highest level and, at it, the latest start. That
# needs |microseconds| < LEVEL_SCALE / 2 (2**57: the years -2597 to 6537, the store takes
# 1970 to 2100), and 19 * LEVEL_SCALE + that (at most 20 steps) within 63 bits.
LEVEL_SCALE = 1 << 58


def run(q: FunnelQuery, plan: Plan) -> dict[str, Any]:
    first, last = q.date_range.days(plan.today)
    top = _top_values(q, plan, plan.sql(first, last)) if q.breakdown else None
    ctx = plan.sql(first, last)
    text = _aggregate(q, ctx, top)
    k = len(q.steps)
    overall: dict[str, Any] | None = None
    by_value: dict[str, dict[str, Any]] = {}
    trend: dict[int, dict[str, Any]] = {}
    for row in plan.run(ctx, text):
        grouped_bd, grouped_eb, bd, eb = as_int(row[0]), as_int(row[1]), row[2], row[3]
        counts = [as_int(v) for v in row[4 : 4 + k]]
        times = row[4 + k :]
        shaped = _shape(q, counts, times)
        if grouped_bd and grouped_eb:
            overall = shaped
        elif not grouped_bd:
            by_value[str(bd)] = shaped
        else:
            trend[as_int(eb)] = shaped
    if overall is None:
        overall = _shape(q, [0] * k, [None] * (2 * k))
    result: dict[str, Any] = {
        "kind": "funnel",
        "first_day": first.isoformat(),
        "last_day": last.isoformat(),
        "order": q.order,
        "window_seconds": q.window_seconds,
        **overall,
    }
    if q.breakdown is not None:
        rows = [{"value": value, **by_value[value]} for value in top or [] if value in by_value]
        # Biggest first by who entered under that value (first touch); the rest last.
        rows.sort(key=lambda row: (row["value"] == OTHER, -row["entered"], row["value"]))
        result["breakdown"] = rows
    if q.trend is not None:
        starts = bucket_starts(first, last, q.trend)
        result["trend"] = [
            {
                "bucket": bucket_label(start, q.trend),
                "entered": trend[i]["steps"][0]["count"] if i in trend else 0,
                "converted": trend[i]["steps"][-1]["count"] if i in trend else 0,
                "conversion": trend[i]["conversion"] if i in trend else None,
            }
            for i, start in enumerate(starts)
        ]
    return result


def persons_sql(q: FunnelQuery, plan: Plan, selection: dict[str, Any]) -> tuple[Sql, str]:
    """The persons who reached step `step` (0-based), or with `dropped` those who reached
    the step before it and not this one; of one breakdown value when given."""
    step = int(selection.get("step", 0))
    if not 0 <= step < len(q.steps):
        raise ValueError("no such step")
    first, last = q.date_range.days(plan.today)
    top = _top_values(q, plan, plan.sql(first, last)) if q.breakdown else None
    ctx = plan.sql(first, last)
    head = _per_person(q, ctx, top)
    where = [f"lvl = {step - 1}" if selection.get("dropped") and step else f"lvl >= {step}"]
    if q.breakdown is not None and selection.get("breakdown") is not None:
        where.append(f"bd = {ctx.param(str(selection['breakdown']))}")
    return ctx, f"{head}SELECT person_id FROM pp WHERE {' AND '.join(where)}"


# --- SQL


def _bits(q: FunnelQuery, ctx: Sql) -> tuple[str, str, str]:
    """The step mask, the first step matched, and the condition of matching any."""
    conds = [ctx.selects(step) for step in q.steps]
    mask = " + ".join(f"(CASE WHEN {c} THEN {1 << j} ELSE 0 END)" for j, c in enumerate(conds))
    first = "CASE " + " ".join(f"WHEN {c} THEN {j}" for j, c in enumerate(conds))
    first += f" ELSE {len(conds)} END"
    return f"({mask})", first, "(" + " OR ".join(f"({c})" for c in conds) + ")"


def _rows(q: FunnelQuery, ctx: Sql, top: list[str] | None) -> str:
    mask, first, matches = _bits(q, ctx)
    d = ctx.dialect
    bd = "''"
    if q.breakdown is not None:
        raw = f"coalesce({ctx.prop(q.breakdown.type, q.breakdown.key)}, '')"
        if top is None:
            bd = raw
        else:
            listed = ", ".join(ctx.param(v) for v in top if v != OTHER) or "''"
            bd = f"CASE WHEN {raw} IN ({listed}) THEN {raw} ELSE {ctx.param(OTHER)} END"
    where = [ctx.condition(f) for f in q.filters]
    if q.order != "strict":
        # Strict funnels need every event, to see what comes between.
        where.append(matches)
    columns = (
        f"e.person_id AS person_id, {d.micros('e.timestamp')} AS ts, {mask} AS m, "
        f"{first} AS fs, {bd} AS bd"
    )
    if q.order == "strict":
        columns += ", e.message_id AS mid"  # "the event just before" needs a total order
    return ctx.events_from(where, columns)


def _per_person(q: FunnelQuery, ctx: Sql, top: list[str] | None) -> str:
    """A WITH clause whose last table, pp, has per person: lvl (the last step reached,
    0-based), st (their path's start, in microseconds), t0.. (their path's step times), bd
    (their start's breakdown value), eb (the bucket of their start, for the trend); those
    excluded left out."""
    rows = _rows(q, ctx, top)
    d = ctx.dialect
    ctes: list[str] = []
    if q.order == "any":
        per = _any_order(q, ctx, rows)
    elif q.order == "strict":
        per = _strict(q, ctx, rows)
    elif d.materialized:
        ctes, per = _ordered_by_levels(q, ctx, rows)
    else:
        per = _ordered(q, ctx, rows)
    eb = "0"
    if q.trend is not None:
        # st in microseconds back to a timestamp for the zone's calendar.
        eb = ctx.bucket(q.trend, d.from_micros("st"))
    per = f"SELECT *, {eb} AS eb FROM ({per}) AS pe WHERE lvl IS NOT NULL AND lvl >= 0"
    if not q.exclusions:
        return _with([*ctes, f"pp AS ({per})"])
    w = q.window_seconds * 1_000_000
    gone = []
    for x in q.exclusions:
        cond = ctx.selects(x)
        ex = ctx.events_from([cond], f"e.person_id AS person_id, {d.micros('e.timestamp')} AS ts")
        a, b = x.from_step, x.to_step
        gone.append(
            f"SELECT pa.person_id FROM pa JOIN ({ex}) AS x ON x.person_id = pa.person_id "
            f"WHERE pa.lvl >= {a} AND x.ts > pa.t{a} AND ((pa.lvl >= {b} AND x.ts < pa.t{b}) "
            f"OR (pa.lvl < {b} AND x.ts <= pa.st + {w}))"
        )
    kept = f"SELECT * FROM pa WHERE person_id NOT IN ({' UNION ALL '.join(gone)})"
    return _with([*ctes, f"pa AS {d.materialized}({per})", f"pp AS ({kept})"])


def _with(ctes: list[str]) -> str:
    return f"WITH {', '.join(ctes)} "


def _first_touch(q: FunnelQuery, ctx: Sql, step1: str) -> str:
    """The breakdown value on the person's first event where `step1` holds (a step-1
    event), else on their first event; of two at one moment, the smaller value."""
    if q.breakdown is None:
        return "''"
    d = ctx.dialect
    touch = f"CASE WHEN {step1} THEN ts ELSE ts + {1 << 62} END"
    return d.arg_min("bd", d.key_pair(touch, "bd"))


def _any_order(q: FunnelQuery, ctx: Sql, rows: str) -> str:
    """From each step event, the distinct steps in the window after it."""
    d = ctx.dialect
    k = len(q.steps)
    part = "PARTITION BY person_id"
    # ClickHouse takes a RANGE frame's offset in 32 bits: whole seconds here.
    ahead = f"{part} ORDER BY sec RANGE BETWEEN CURRENT ROW AND {q.window_seconds} FOLLOWING"
    steps_ahead = d.bit_count(f"{d.bit_or_agg('m')} OVER ({ahead})")
    layer = (
        f"SELECT *, {steps_ahead} AS c FROM "
        f"(SELECT *, {d.int_div('ts', '1000000')} AS sec FROM ({rows}) AS r) AS r0"
    )
    layer = f"SELECT *, max(c) OVER ({part}) AS mc FROM ({layer}) AS r1"
    key = "CASE WHEN c = mc THEN ts ELSE -1 END"
    times = ", ".join(f"CAST(NULL AS BIGINT) AS t{j}" for j in range(k))
    if d.name == "clickhouse":
        times = ", ".join(f"CAST(NULL AS Nullable(Int64)) AS t{j}" for j in range(k))
    touch = _first_touch(q, ctx, f"{d.bit_and('m', '1')} != 0")
    return (
        f"SELECT person_id, max(mc) - 1 AS lvl, max({key}) AS st, {times}, "
        f"{touch} AS bd FROM ({layer}) AS r2 GROUP BY person_id"
    )


def _chain(q: FunnelQuery, ctx: Sql, rows: str, order: str, frame: str) -> str:
    """One window pass per step over all the rows (ordered and strict funnels): rj on the
    rows that reach step j+1, the start of their path."""
    d = ctx.dialect
    k = len(q.steps)
    w = q.window_seconds * 1_000_000
    part = "PARTITION BY person_id"
    layer = f"SELECT *, CASE WHEN {d.bit_and('m', '1')} != 0 THEN ts END AS r0 FROM ({rows}) AS l"
    for j in range(1, k):
        inner = f"SELECT *, max(r{j - 1}) OVER ({part} {order} {frame}) AS s{j - 1} FROM ({layer}) AS a{j}"
        layer = (
            f"SELECT *, CASE WHEN {d.bit_and('m', str(1 << j))} != 0 AND s{j - 1} IS NOT NULL "
            f"AND ts - s{j - 1} <= {w} THEN s{j - 1} END AS r{j} FROM ({inner}) AS b{j}"
        )
    best = [f"max(r{j}) OVER ({part})" for j in reversed(range(k))]
    level = (
        "CASE "
        + " ".join(f"WHEN {best[i]} IS NOT NULL THEN {k - 1 - i}" for i in range(k))
        + " END"
    )
    layer = f"SELECT *, coalesce({', '.join(best)}) AS pst, {level} AS plvl FROM ({layer}) AS c"
    times = ", ".join(f"min(CASE WHEN r{j} = pst THEN ts END) AS t{j}" for j in range(k))
    touch = _first_touch(q, ctx, f"{d.bit_and('m', '1')} != 0")
    return (
        f"SELECT person_id, max(plvl) AS lvl, max(pst) AS st, {times}, "
        f"{touch} AS bd FROM ({layer}) AS p GROUP BY person_id"
    )


def _strict(q: FunnelQuery, ctx: Sql, rows: str) -> str:
    """Each next step on the event just before it, in (time, step, message id) order."""
    return _chain(q, ctx, rows, "ORDER BY ts, fs, mid", "ROWS BETWEEN 1 PRECEDING AND 1 PRECEDING")


def _ordered(q: FunnelQuery, ctx: Sql, rows: str) -> str:
    """Ordered funnels where CTEs are not materialized (ClickHouse): the window chain, by
    (time, step) order, earlier meaning strictly before in it (a RANGE frame)."""
    order = f"ORDER BY ts * {ORDER_SCALE} + fs"
    return _chain(q, ctx, rows, order, "RANGE BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING")


def _ordered_by_levels(q: FunnelQuery, ctx: Sql, rows: str) -> tuple[list[str], str]:
    """Ordered funnels, a table per level: r0 the step-1 events (their start their own
    time), rj the step-(j+1) events with the latest start among r(j-1)'s rows before them
    (in (time, step) order, strictly) when within the window of it. A pass sorts only the
    rows of the level below and of its step, not all the events: the first steps' many
    events go through one sort, not one per step. Same numbers as _ordered."""
    d = ctx.dialect
    m = d.materialized
    k = len(q.steps)
    w = q.window_seconds * 1_000_000
    ctes = [
        f"l AS {m}(SELECT person_id, ts * {ORDER_SCALE} + fs AS o, ts, m, bd FROM ({rows}) AS x)",
        f"r0 AS {m}(SELECT person_id, o, ts, ts AS st, bd FROM l WHERE {d.bit_and('m', '1')} != 0)",
    ]
    earlier = "ORDER BY o RANGE BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING"
    for j in range(1, k):
        both = (
            f"SELECT person_id, o, ts, st, 0 AS target FROM r{j - 1} UNION ALL "
            f"SELECT person_id, o, ts, NULL AS st, 1 AS target FROM l "
            f"WHERE {d.bit_and('m', str(1 << j))} != 0"
        )
        ctes.append(
            f"r{j} AS {m}(SELECT person_id, o, ts, s AS st FROM ("
            f"SELECT person_id, o, ts, target, max(st) OVER (PARTITION BY person_id {earlier}) "
            f"AS s FROM ({both}) AS u) AS v "
            f"WHERE target = 1 AND s IS NOT NULL AND ts - s <= {w})"
        )
    # Per person the highest level and, at it, the latest start, as one number. The start
    # comes back as the key less the level's part, in integers: no division, which would
    # round a start before 1970 into the level below, and no double, which is not exact
    # this far out.
    keyed = " UNION ALL ".join(
        ["SELECT person_id, 0 AS lvl, st AS key, ts, bd, 1 AS step1 FROM r0"]
        + [
            f"SELECT person_id, {j}, {j * LEVEL_SCALE} + st, ts, '', 0 FROM r{j}"
            for j in range(1, k)
        ]
    )
    touch = _first_touch(q, ctx, "step1 = 1")
    ctes.append(
        f"pl AS {m}(SELECT person_id, lvl, key - lvl * {LEVEL_SCALE} AS st, bd FROM "
        f"(SELECT person_id, max(lvl) AS lvl, max(key) AS key, {touch} AS bd FROM ({keyed}) "
        "AS u GROUP BY person_id) AS g)"
    )
    # The path's step times: the earliest events carrying its start (t0 is the start).
    later = " UNION ALL ".join(f"SELECT person_id, {j} AS j, st, ts FROM r{j}" for j in range(1, k))
    times = ", ".join(f"min(CASE WHEN x.j = {j} THEN x.ts END) AS t{j}" for j in range(1, k))
    ctes.append(
        f"pt AS (SELECT x.person_id, {times} FROM ({later}) AS x JOIN pl "
        "ON pl.person_id = x.person_id AND pl.st = x.st GROUP BY x.person_id)"
    )
    columns = ", ".join(f"pt.t{j}" for j in range(1, k))
    per = (
        f"SELECT pl.person_id, pl.lvl, pl.st, pl.st AS t0, {columns}, pl.bd FROM pl "
        "LEFT JOIN pt ON pt.person_id = pl.person_id"
    )
    return ctes, per


def _top_values(q: FunnelQuery, plan: Plan, ctx: Sql) -> list[str]:
    """Breakdown values by the persons who did step 1 with them, biggest first."""
    assert q.breakdown is not None
    raw = f"coalesce({ctx.prop(q.breakdown.type, q.breakdown.key)}, '')"
    where = [ctx.selects(q.steps[0]), *(ctx.condition(f) for f in q.filters)]
    rel = ctx.events_from(where, f"e.person_id AS person_id, {raw} AS bd")
    limit = q.breakdown.limit
    rows = plan.run(
        ctx,
        f"SELECT bd, count(DISTINCT person_id) AS n FROM ({rel}) AS r GROUP BY bd "
        f"ORDER BY n DESC, bd LIMIT {limit + 1}",
    )
    values = [str(row[0]) for row in rows[:limit]]
    return [*values, OTHER] if len(rows) > limit else values


def _aggregate(q: FunnelQuery, ctx: Sql, top: list[str] | None) -> str:
    head = _per_person(q, ctx, top)
    k = len(q.steps)
    d = ctx.dialect
    counts = ["count(*) AS n0"] + [
        f"count(CASE WHEN lvl >= {j} THEN 1 END) AS n{j}" for j in range(1, k)
    ]
    times = []
    for j in range(1, k):
        gap = f"CASE WHEN lvl >= {j} THEN t{j} - t{j - 1} END"
        times += [f"avg({gap}) AS a{j}", f"{d.quantile(gap, 0.5)} AS m{j}"]
    whole = f"CASE WHEN lvl = {k - 1} THEN t{k - 1} - t0 END"
    times += [f"avg({whole}) AS a_all", f"{d.quantile(whole, 0.5)} AS m_all"]
    if q.trend is None:
        columns = "grouping(bd) AS gb, 1 AS ge, bd, 0 AS eb"
        sets = "(bd), ()"
    else:
        columns = "grouping(bd) AS gb, grouping(eb) AS ge, bd, eb"
        sets = "(bd), (eb), ()"
    return (
        f"{head}SELECT {columns}, {', '.join(counts + times)} "
        f"FROM pp GROUP BY GROUPING SETS ({sets})"
    )


# --- shaping


def _seconds(value: Any) -> float | None:
    number = as_float(value)
    return None if number is None else round(number / 1_000_000, 3)


def _shape(q: FunnelQuery, counts: list[int], times: Sequence[Any]) -> dict[str, Any]:
    entered = counts[0] if counts else 0
    steps = []
    for j, step in enumerate(q.steps):
        n = counts[j]
        before = counts[j - 1] if j else n
        steps.append(
            {
                "index": j,
                "label": step.label or step.event or "",
                "event": step.event,
                "count": n,
                "conversion": round(n / entered, 6) if entered else None,
                "step_conversion": round(n / before, 6) if before else None,
                "dropped": before - n if j else 0,
                "average_seconds": _seconds(times[2 * (j - 1)]) if j else None,
                "median_seconds": _seconds(times[2 * (j - 1) + 1]) if j else None,
            }
        )
    return {
        "steps": steps,
        "entered": entered,
        "converted": counts[-1] if counts else 0,
        "conversion": round(counts[-1] / entered, 6) if entered else None,
        "average_seconds": _seconds(times[-2]),
        "median_seconds": _seconds(times[-1]),
    }
