"""Lifecycle: each period's active persons as new, returning or resurrecting, and those
of the period before who did not come back as dormant (docs/metrics.md#lifecycle)."""

# SQL here is built from our own fragments; user values are bound parameters.
# ruff: noqa: S608

from __future__ import annotations

from typing import Any

from opsloop.insights.buckets import bucket_label, bucket_starts, period_days
from opsloop.insights.plan import Plan, as_int
from opsloop.insights.query import LifecycleQuery
from opsloop.insights.sql import Sql

STATUSES = ("new", "returning", "resurrecting", "dormant")


def run(q: LifecycleQuery, plan: Plan) -> dict[str, Any]:
    first, last = q.date_range.days(plan.today)
    ctx = plan.sql(first, last)
    starts = bucket_starts(first, last, q.interval)
    values = {status: [0] * len(starts) for status in STATUSES}
    for b, status, n in plan.run(ctx, _statement(q, ctx, len(starts))):
        b = as_int(b)
        if 0 <= b < len(starts):
            values[str(status)][b] = as_int(n)
    return {
        "kind": "lifecycle",
        "first_day": first.isoformat(),
        "last_day": last.isoformat(),
        "interval": q.interval,
        "buckets": [bucket_label(start, q.interval) for start in starts],
        # Dormant persons are shown below the axis, as PostHog does.
        "series": [
            {"status": status, "data": [-v if status == "dormant" else v for v in values[status]]}
            for status in STATUSES
        ],
    }


def persons_sql(q: LifecycleQuery, plan: Plan, selection: dict[str, Any]) -> tuple[Sql, str]:
    """The persons of status `status` in bucket `bucket`."""
    first, last = q.date_range.days(plan.today)
    ctx = plan.sql(first, last)
    status = str(selection.get("status", "new"))
    if status not in STATUSES:
        raise ValueError("no such status")
    n = len(bucket_starts(first, last, q.interval))
    rel = _classified(q, ctx, n)
    b = int(selection.get("bucket", 0))
    return ctx, (
        f"SELECT person_id FROM ({rel}) AS c WHERE b = {b} AND status = {ctx.param(status)}"
    )


def _since(q: LifecycleQuery, ctx: Sql):
    # One period before the range: whether a person was active just before its first.
    before = period_days(ctx.first_day, q.interval, -1)[0]
    return ctx.moment(before)


def _classified(q: LifecycleQuery, ctx: Sql, n: int) -> str:
    """(person_id, b, status), dormant ones at the period they did not come back in."""
    since = _since(q, ctx)
    act = ctx.events_from(
        [ctx.selects(q.series), *(ctx.condition(f) for f in q.filters)],
        f"DISTINCT e.person_id AS person_id, {ctx.bucket(q.interval, 'e.timestamp', since=since)} AS b",
        since=since,
    )
    # first_seen from the persons snapshot; a person the snapshot does not know yet is
    # new in the first period they were active in.
    seen = (
        f"SELECT person_id, {ctx.bucket(q.interval, 'first_seen')} AS fb, 1 AS known FROM persons"
    )
    firsts = "SELECT person_id, min(b) AS fb FROM act AS a0 GROUP BY person_id"
    active = (
        "SELECT a.person_id AS person_id, a.b AS b, CASE "
        "WHEN (coalesce(f.known, 0) = 1 AND f.fb = a.b) "
        f"OR (coalesce(f.known, 0) = 0 AND x.fb = a.b AND a.b >= 0) THEN 'new' "
        "WHEN coalesce(prev.known, 0) = 1 THEN 'returning' ELSE 'resurrecting' END AS status "
        "FROM act AS a "
        "LEFT JOIN (SELECT person_id, b, 1 AS known FROM act AS a1) AS prev "
        "ON prev.person_id = a.person_id AND prev.b = a.b - 1 "
        f"LEFT JOIN ({seen}) AS f ON f.person_id = a.person_id "
        f"LEFT JOIN ({firsts}) AS x ON x.person_id = a.person_id "
        f"WHERE a.b >= 0 AND a.b < {n}"
    )
    dormant = (
        "SELECT a.person_id AS person_id, a.b + 1 AS b, 'dormant' AS status "
        "FROM act AS a "
        "LEFT JOIN (SELECT person_id, b, 1 AS known FROM act AS a2) AS nxt "
        "ON nxt.person_id = a.person_id AND nxt.b = a.b + 1 "
        f"WHERE coalesce(nxt.known, 0) = 0 AND a.b + 1 >= 0 AND a.b + 1 < {n}"
    )
    # One CTE read five times: DuckDB materializes it, so the events are scanned once.
    return f"WITH act AS ({act}) {active} UNION ALL {dormant}"


def _statement(q: LifecycleQuery, ctx: Sql, n: int) -> str:
    return (
        f"SELECT b, status, count(*) AS n FROM ({_classified(q, ctx, n)}) AS c GROUP BY b, status"
    )
