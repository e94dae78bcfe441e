"""Trends: a value per bucket for each series (docs/metrics.md#trends)."""

# SQL here is built from our own fragments; user values are bound parameters.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
from typing import Any

from opsloop.insights.buckets import bucket_label, bucket_starts
from opsloop.insights.formula import evaluate
from opsloop.insights.plan import Plan, as_float, as_int
from opsloop.insights.query import Series, TrendsQuery
from opsloop.insights.sql import Sql

OTHER = "$other"  # the breakdown values past the top N, together
DATA, RANKING = 1, 0  # the parts of a broken-down statement's rows (_aggregate)
ROLLING = {"wau": 7, "mau": 30}
QUANTILES = {"median": 0.5, "p90": 0.9, "p95": 0.95, "p99": 0.99}


def run(q: TrendsQuery, plan: Plan) -> dict[str, Any]:
    first, last = q.date_range.days(plan.today)
    starts = bucket_starts(first, last, q.interval)
    series: list[dict[str, Any]] = []
    periods = [(first, last, False)]
    if q.compare:
        length = (last - first).days + 1
        periods.append((first - dt.timedelta(days=length), first - dt.timedelta(days=1), True))
    for p_first, p_last, previous in periods:
        for index, s in enumerate(q.series):
            ctx = plan.sql(p_first, p_last)
            by_rank: dict[tuple[int, int], float | None] = {}
            names: dict[int, str] = {}
            for row in plan.run(ctx, _aggregate(q, s, ctx)):
                if q.breakdown is None:
                    by_rank[(0, as_int(row[0]))] = as_float(row[1])
                elif as_int(row[0]) == RANKING:
                    names[as_int(row[3])] = str(row[2])
                else:
                    by_rank[(as_int(row[3]), as_int(row[1]))] = as_float(row[4])
            top: list[str | None] = [None]
            values: dict[tuple[str | None, int], float | None] = {}
            if q.breakdown is None:
                values = {(None, b): v for (_r, b), v in by_rank.items()}
            else:
                names[q.breakdown.limit + 1] = OTHER
                values = {(names[r], b): v for (r, b), v in by_rank.items()}
                top = [names[r] for r in sorted(names) if r <= q.breakdown.limit]
                if any(r > q.breakdown.limit for r, _b in by_rank):
                    top.append(OTHER)
            n = len(bucket_starts(p_first, p_last, q.interval))
            for bd in top:
                data = [values.get((bd, i), 0.0 if _zero_when_empty(s) else None) for i in range(n)]
                series.append(
                    {
                        "index": index,
                        "letter": chr(ord("A") + index),
                        "label": s.label or s.event or "",
                        "event": s.event,
                        "math": s.math,
                        "math_property": s.math_property,
                        "breakdown": bd,
                        "compare": previous,
                        "first_day": p_first.isoformat(),
                        "data": [_tidy(v) for v in data],
                        "total": _tidy(sum(v or 0 for v in data)) if _additive(s) else None,
                    }
                )
    result: dict[str, Any] = {
        "kind": "trends",
        "interval": q.interval,
        "first_day": first.isoformat(),
        "last_day": last.isoformat(),
        "buckets": [bucket_label(start, q.interval) for start in starts],
        "series": series,
    }
    if q.formula:
        result["formula"] = _formula(q, series, len(starts))
    return result


def persons_sql(q: TrendsQuery, plan: Plan, selection: dict[str, Any]) -> tuple[Sql, str]:
    """The persons behind one number: series `series`, bucket `bucket`, breakdown value
    `breakdown` (when broken down), of the previous period when `compare`."""
    index = int(selection.get("series", 0))
    if not 0 <= index < len(q.series):
        raise ValueError("no such series")
    s = q.series[index]
    first, last = q.date_range.days(plan.today)
    if selection.get("compare"):
        length = (last - first).days + 1
        first, last = first - dt.timedelta(days=length), first - dt.timedelta(days=1)
    ctx = plan.sql(first, last)
    bucket = int(selection.get("bucket", 0))
    head, source = _source(q, s, ctx)
    where = []
    if s.math in ROLLING:
        where.append(f"b BETWEEN {bucket - ROLLING[s.math] + 1} AND {bucket}")
    else:
        where.append(f"b = {bucket}")
    if q.breakdown is not None:
        value = str(selection.get("breakdown") or "")
        if value == OTHER:
            where.append(f"bd = {q.breakdown.limit + 1}")
        else:
            where.append(f"bd IN (SELECT rank FROM top WHERE bd = {ctx.param(value)})")
    return ctx, f"{head}SELECT DISTINCT person_id FROM {source} WHERE {' AND '.join(where)}"


# --- SQL


def _since(q: TrendsQuery, s: Series, ctx: Sql) -> dt.datetime:
    if s.math in ROLLING:
        return ctx.moment(ctx.first_day - dt.timedelta(days=ROLLING[s.math] - 1))
    return ctx.start


def _relation(q: TrendsQuery, s: Series, ctx: Sql) -> str:
    """The series' events: person_id, bucket b, value v (math_property), breakdown bd."""
    where = [ctx.selects(s), *(ctx.condition(f) for f in q.filters)]
    origin = None
    if s.math in ROLLING:
        # Days counted from the range's first, the days before it negative.
        origin = ctx.first_day
    since = _since(q, s, ctx)
    columns = [
        "e.person_id AS person_id",
        f"{ctx.bucket(q.interval, 'e.timestamp', origin, since=since)} AS b",
    ]
    if s.math_property:
        columns.append(f"{ctx.dialect.number(ctx.prop('event', s.math_property))} AS v")
    if q.breakdown is not None:
        columns.append(f"coalesce({ctx.prop(q.breakdown.type, q.breakdown.key)}, '') AS bd")
    return ctx.events_from(where, ", ".join(columns), since=since)


def _source(q: TrendsQuery, s: Series, ctx: Sql) -> tuple[str, str]:
    """A WITH clause (or "") and the relation of the series' events to aggregate. With a
    breakdown, `top` ranks its values by the series' events, the biggest first (rank
    1..limit), and in the relation `x` bd is that rank, the values past them all
    limit + 1 (OTHER): a number groups faster than the text. One statement reads the
    events once for both."""
    rel = _relation(q, s, ctx)
    if q.breakdown is None:
        return "", f"({rel}) AS r"
    m = ctx.dialect.materialized
    v = ", r.v" if s.math_property else ""
    other = q.breakdown.limit + 1
    # ClickHouse's LEFT JOIN gives 0, not NULL, where top has no row.
    rank = f"CASE WHEN coalesce(t.rank, 0) = 0 THEN {other} ELSE t.rank END"
    head = (
        f"WITH r AS {m}({rel}), "
        f"top AS {m}(SELECT bd, row_number() OVER (ORDER BY n DESC, bd) AS rank FROM "
        f"(SELECT bd, count(*) AS n FROM r GROUP BY bd ORDER BY n DESC, bd "
        f"LIMIT {q.breakdown.limit}) AS t), "
        f"x AS (SELECT r.person_id, r.b{v}, {rank} AS bd FROM r LEFT JOIN top AS t ON t.bd = r.bd) "
    )
    return head, "x"


def _aggregate(q: TrendsQuery, s: Series, ctx: Sql) -> str:
    """Rows (bucket, value), or with a breakdown (part, bucket, name, rank, value): part
    DATA the value per bucket and breakdown rank, part RANKING each top value's name and
    rank."""
    head, source = _source(q, s, ctx)
    bd = ", bd" if q.breakdown is not None else ""
    d = ctx.dialect
    if s.math in ROLLING:
        n = (ctx.last_day - ctx.first_day).days + 1
        body = (
            f"SELECT a.b + o.k AS bucket{bd}, count(DISTINCT a.person_id) AS value "
            f"FROM (SELECT DISTINCT person_id, b{bd} FROM {source}) AS a "
            f"CROSS JOIN {d.offsets(ROLLING[s.math])} AS o "
            f"WHERE a.b + o.k >= 0 AND a.b + o.k < {n} GROUP BY bucket{bd}"
        )
    elif s.math.startswith("per_person_"):
        per = s.math.removeprefix("per_person_")
        if per == "avg":
            value = "avg(n)"
        elif per == "max":
            value = "max(n)"
        else:
            value = d.quantile("n", QUANTILES[per])
        body = (
            f"SELECT b AS bucket{bd}, {value} AS value FROM ("
            f"SELECT b{bd}, person_id, count(*) AS n FROM {source} "
            f"GROUP BY b{bd}, person_id) AS per GROUP BY b{bd}"
        )
    else:
        if s.math == "total":
            value = "count(*)"
        elif s.math in ("persons", "dau"):
            value = "count(DISTINCT person_id)"
        elif s.math in QUANTILES:
            value = d.quantile("v", QUANTILES[s.math])
        else:
            value = f"{s.math}(v)"  # sum, avg, min, max
        body = f"SELECT b AS bucket{bd}, {value} AS value FROM {source} GROUP BY b{bd}"
    if q.breakdown is None:
        return head + body
    return (
        f"{head}SELECT {DATA} AS part, bucket, '' AS name, bd AS rank, "
        f"CAST(value AS {d.double}) AS value FROM ({body}) AS a UNION ALL "
        f"SELECT {RANKING} AS part, 0 AS bucket, bd AS name, rank, CAST(0 AS {d.double}) "
        "AS value FROM top"
    )


# --- shaping


def _zero_when_empty(s: Series) -> bool:
    """Counts are 0 in an empty bucket; an average or a quantile of nothing is no value."""
    return s.math in ("total", "persons", "dau", "wau", "mau", "sum")


def _additive(s: Series) -> bool:
    return s.math in ("total", "sum")


def _tidy(value: float | None) -> float | int | None:
    if value is None:
        return None
    if float(value).is_integer():
        return int(value)
    return round(float(value), 6)


def _formula(q: TrendsQuery, series: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    """The formula per breakdown value (and period), bucket by bucket."""
    assert q.formula is not None
    groups: dict[tuple[Any, bool], dict[str, list[Any]]] = {}
    for line in series:
        groups.setdefault((line["breakdown"], line["compare"]), {})[line["letter"]] = line["data"]
    out = []
    for (bd, previous), lines in groups.items():
        data = []
        for i in range(n):
            values = {k: float(v[i]) for k, v in lines.items() if i < len(v) and v[i] is not None}
            data.append(_tidy(evaluate(q.formula, values)))
        out.append({"breakdown": bd, "compare": previous, "data": data})
    return out
