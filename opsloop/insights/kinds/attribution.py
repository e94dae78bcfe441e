"""Channel attribution: the persons active in the range by the UTM value of their first
(or last) touch, and how many of them converted (docs/metrics.md#attribution)."""

# SQL here is built from our own fragments; user values are bound parameters.
# ruff: noqa: S608

from __future__ import annotations

from typing import Any

from opsloop.insights.plan import Plan, as_int
from opsloop.insights.query import AttributionQuery
from opsloop.insights.sql import Sql


def run(q: AttributionQuery, plan: Plan) -> dict[str, Any]:
    first, last = q.date_range.days(plan.today)
    ctx = plan.sql(first, last)
    channels: list[dict[str, Any]] = []
    for channel, persons, conversions in plan.run(ctx, _statement(q, ctx)):
        persons, conversions = as_int(persons), as_int(conversions)
        channels.append(
            {
                "channel": str(channel or ""),
                "persons": persons,
                "conversions": conversions,
                "conversion_rate": round(conversions / persons, 6) if persons else None,
            }
        )
    channels.sort(key=lambda row: (-row["persons"], row["channel"]))
    total = sum(row["persons"] for row in channels)
    converted = sum(row["conversions"] for row in channels)
    return {
        "kind": "attribution",
        "first_day": first.isoformat(),
        "last_day": last.isoformat(),
        "channel": q.channel,
        "touch": q.touch,
        "channels": channels,
        "persons": total,
        "conversions": converted,
        "conversion_rate": round(converted / total, 6) if total else None,
    }


def persons_sql(q: AttributionQuery, plan: Plan, selection: dict[str, Any]) -> tuple[Sql, str]:
    """The persons attributed to `channel` ('' for none), or of them those who converted."""
    first, last = q.date_range.days(plan.today)
    ctx = plan.sql(first, last)
    where = [f"channel = {ctx.param(str(selection.get('channel') or ''))}"]
    if selection.get("converted"):
        where.append("converted = 1")
    return ctx, f"SELECT person_id FROM ({_per_person(q, ctx)}) AS pp WHERE {' AND '.join(where)}"


def _per_person(q: AttributionQuery, ctx: Sql) -> str:
    """(person_id, channel, converted) for every person active in the range."""
    d = ctx.dialect
    filters = [ctx.condition(f) for f in q.filters]
    active = ctx.events_from(filters, "DISTINCT e.person_id AS person_id")
    conv = (
        ctx.events_from(
            [ctx.selects(q.conversion), *filters],
            "e.person_id AS person_id, min(e.timestamp) AS ct, 1 AS hit",
        )
        + " GROUP BY e.person_id"
    )
    touches = ctx.events_from(
        [f"e.{q.channel} != ''", *filters],
        f"e.person_id AS person_id, e.timestamp AS t, e.message_id AS mid, e.{q.channel} AS ch",
    )
    key = d.key_pair("t.t", "t.mid")
    pick = d.arg_min("t.ch", key) if q.touch == "first" else d.arg_max("t.ch", key)
    # A converted person's touches count up to their conversion, the others' all.
    touched = (
        f"SELECT t.person_id AS person_id, {pick} AS ch FROM ({touches}) AS t "
        f"LEFT JOIN ({conv}) AS c ON c.person_id = t.person_id "
        "WHERE coalesce(c.hit, 0) = 0 OR t.t <= c.ct GROUP BY t.person_id"
    )
    return (
        "SELECT a.person_id AS person_id, coalesce(tc.ch, '') AS channel, "
        "coalesce(c.hit, 0) AS converted "
        f"FROM ({active}) AS a LEFT JOIN ({touched}) AS tc ON tc.person_id = a.person_id "
        f"LEFT JOIN ({conv}) AS c ON c.person_id = a.person_id"
    )


def _statement(q: AttributionQuery, ctx: Sql) -> str:
    return (
        "SELECT channel, count(*) AS persons, sum(converted) AS conversions "
        f"FROM ({_per_person(q, ctx)}) AS pp GROUP BY channel"
    )
