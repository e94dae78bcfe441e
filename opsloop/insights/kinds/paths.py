"""Paths: the most common steps after (or before) an event, as transitions between
(step, event) nodes for a Sankey chart (docs/metrics.md#paths)."""

# SQL here is built from our own fragments; user values are bound parameters.
# ruff: noqa: S608

from __future__ import annotations

from typing import Any

from opsloop.insights.plan import Plan, as_int
from opsloop.insights.query import PathsQuery
from opsloop.insights.sql import Sql


def run(q: PathsQuery, plan: Plan) -> dict[str, Any]:
    first, last = q.date_range.days(plan.today)
    ctx = plan.sql(first, last)
    links: list[dict[str, Any]] = []
    persons = 0
    for kind, step, source, target, n in plan.run(ctx, _statement(q, ctx)):
        if kind == "start":
            persons = as_int(n)
            continue
        links.append(
            {
                "step": as_int(step),
                "source": str(source),
                "target": str(target),
                "persons": as_int(n),
            }
        )
    nodes: dict[tuple[int, str], int] = {}
    for link in links:
        # A node's persons: the most that flow through it on either side.
        a = (link["step"], link["source"])
        b = (link["step"] + 1, link["target"])
        nodes[a] = max(nodes.get(a, 0), link["persons"])
        nodes[b] = max(nodes.get(b, 0), link["persons"])
    return {
        "kind": "paths",
        "first_day": first.isoformat(),
        "last_day": last.isoformat(),
        "event": q.event,
        "direction": q.direction,
        "persons": persons,
        "links": links,
        "nodes": [
            {"step": step, "event": event, "persons": n}
            for (step, event), n in sorted(nodes.items(), key=lambda item: (item[0][0], -item[1]))
        ],
    }


def persons_sql(q: PathsQuery, plan: Plan, selection: dict[str, Any]) -> tuple[Sql, str]:
    """The persons who went from `source` at step `step` to `target` at the next."""
    first, last = q.date_range.days(plan.today)
    ctx = plan.sql(first, last)
    steps = _steps(q, ctx)
    step = int(selection.get("step", 0))
    source, target = (
        ctx.param(str(selection.get("source", ""))),
        ctx.param(str(selection.get("target", ""))),
    )
    return ctx, (
        f"SELECT DISTINCT x.person_id FROM ({steps}) AS x JOIN ({steps}) AS y "
        f"ON y.person_id = x.person_id AND y.step = x.step + 1 "
        f"WHERE x.step = {step} AND x.event = {source} AND y.event = {target}"
    )


def _steps(q: PathsQuery, ctx: Sql) -> str:
    """(person_id, step, event): step 0 is the person's first `event` in the range; after
    it 1, 2, ... (before it, with direction before, 1, 2, ... going back)."""
    where = [ctx.condition(f) for f in q.filters]
    if q.exclude:
        listed = ", ".join(ctx.param(name) for name in q.exclude)
        where.append(f"e.event NOT IN ({listed})")
    seq = ctx.events_from(
        where,
        "e.person_id AS person_id, e.event AS event, row_number() OVER "
        "(PARTITION BY e.person_id ORDER BY e.timestamp, e.message_id) AS n",
    )
    anchor = (
        f"SELECT person_id, min(n) AS s FROM ({seq}) AS q0 WHERE event = {ctx.param(q.event)} "
        "GROUP BY person_id"
    )
    if q.direction == "after":
        step, window = "q.n - a.s", f"q.n >= a.s AND q.n <= a.s + {q.steps}"
    else:
        step, window = "a.s - q.n", f"q.n <= a.s AND q.n >= a.s - {q.steps}"
    return (
        f"SELECT q.person_id AS person_id, {step} AS step, q.event AS event FROM ({seq}) AS q "
        f"JOIN ({anchor}) AS a ON a.person_id = q.person_id WHERE {window}"
    )


def _statement(q: PathsQuery, ctx: Sql) -> str:
    steps = _steps(q, ctx)
    if q.direction == "after":
        source, target = "x.event", "y.event"
    else:
        # Going back, a link runs from the earlier event (further step) to the later.
        source, target = "y.event", "x.event"
    links = (
        f"SELECT 'link' AS kind, x.step AS step, {source} AS source, {target} AS target, "
        f"count(DISTINCT x.person_id) AS n FROM ({steps}) AS x JOIN ({steps}) AS y "
        "ON y.person_id = x.person_id AND y.step = x.step + 1 "
        f"GROUP BY x.step, {source}, {target} ORDER BY n DESC, step, source, target LIMIT {q.limit}"
    )
    start = (
        "SELECT 'start' AS kind, 0 AS step, '' AS source, '' AS target, "
        f"count(DISTINCT person_id) AS n FROM ({steps}) AS s WHERE step = 0"
    )
    return f"SELECT * FROM ({links}) AS l UNION ALL {start}"
