"""Stickiness: how many persons did the event on exactly k days (or weeks) of the range
(docs/metrics.md#stickiness)."""

# SQL here is built from our own fragments; user values are bound parameters.
# ruff: noqa: S608

from __future__ import annotations

from typing import Any

from opsloop.insights.buckets import bucket_starts
from opsloop.insights.plan import Plan, as_int
from opsloop.insights.query import StickinessQuery
from opsloop.insights.sql import Sql


def run(q: StickinessQuery, plan: Plan) -> dict[str, Any]:
    first, last = q.date_range.days(plan.today)
    ctx = plan.sql(first, last)
    counts = {as_int(k): as_int(n) for k, n in plan.run(ctx, _statement(q, ctx))}
    n = len(bucket_starts(first, last, q.interval))
    return {
        "kind": "stickiness",
        "first_day": first.isoformat(),
        "last_day": last.isoformat(),
        "interval": q.interval,
        "label": q.series.label or q.series.event or "",
        "days": list(range(1, n + 1)),
        "persons": [counts.get(k, 0) for k in range(1, n + 1)],
        "total": sum(counts.values()),
    }


def persons_sql(q: StickinessQuery, plan: Plan, selection: dict[str, Any]) -> tuple[Sql, str]:
    """The persons active on exactly `days` days (or weeks)."""
    first, last = q.date_range.days(plan.today)
    ctx = plan.sql(first, last)
    days = int(selection.get("days", 1))
    return ctx, f"SELECT person_id FROM ({_per_person(q, ctx)}) AS pp WHERE k = {days}"


def _per_person(q: StickinessQuery, ctx: Sql) -> str:
    rel = ctx.events_from(
        [ctx.selects(q.series), *(ctx.condition(f) for f in q.filters)],
        f"e.person_id AS person_id, {ctx.bucket(q.interval, 'e.timestamp', since=ctx.start)} AS b",
    )
    return f"SELECT person_id, count(DISTINCT b) AS k FROM ({rel}) AS r GROUP BY person_id"


def _statement(q: StickinessQuery, ctx: Sql) -> str:
    return f"SELECT k, count(*) AS n FROM ({_per_person(q, ctx)}) AS pp GROUP BY k"
