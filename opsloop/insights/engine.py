"""Run a query description over an event store: the kind's compiler writes the SQL, the
store runs it, the kind shapes the rows. No Django here: the known-answer tests call it
with a store of their own; opsloop/insights/queries.py adds workspaces, the persons
snapshot, the cache and the time limit."""

# The SQL here wraps the compilers' own statements.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
from types import ModuleType
from typing import Any

from opsloop.events.store import EventStore
from opsloop.insights.kinds import (
    attribution,
    funnels,
    lifecycle,
    paths,
    retention,
    stickiness,
    trends,
)
from opsloop.insights.plan import Plan

KIND_MODULES: dict[str, ModuleType] = {
    "trends": trends,
    "funnel": funnels,
    "retention": retention,
    "stickiness": stickiness,
    "lifecycle": lifecycle,
    "paths": paths,
    "attribution": attribution,
}


def make_plan(
    store: EventStore, workspace_id: int, tz: str, today: dt.date, timeout: float | None = None
) -> Plan:
    return Plan(store=store, workspace_id=workspace_id, tz=tz, today=today, timeout=timeout)


def run_query(query: Any, plan: Plan) -> dict[str, Any]:
    """The query's result, as the kind's module shapes it (docs/metrics.md)."""
    return KIND_MODULES[query.kind].run(query, plan)


def persons_behind(
    query: Any, plan: Plan, selection: dict[str, Any], *, limit: int, offset: int
) -> tuple[list[int], int]:
    """The ids of the persons behind one number of the result (a page of them, by id)
    and how many there are; ValueError for a selection the query has no number for."""
    ctx, inner = KIND_MODULES[query.kind].persons_sql(query, plan, selection)
    text = (
        f"SELECT person_id, count(*) OVER () AS total FROM ({inner}) AS picked "
        f"ORDER BY person_id LIMIT {int(limit)} OFFSET {int(offset)}"
    )
    rows = plan.run(ctx, text)
    if not rows and offset:
        count_rows = plan.run(ctx, f"SELECT count(*) FROM ({inner}) AS picked")
        return [], int(count_rows[0][0]) if count_rows else 0
    return [int(row[0]) for row in rows], int(rows[0][1]) if rows else 0
