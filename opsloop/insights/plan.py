"""A query's run: the store it reads, its dialect and zone, today's date, its time limit,
and the statements it ran (kept for the SQL snapshots and for `explain`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from opsloop.events.store import EventStore
from opsloop.insights.sql import DIALECTS, Sql


@dataclass
class Plan:
    store: EventStore
    workspace_id: int
    tz: str
    today: dt.date  # the workspace's local date
    timeout: float | None = None
    # The persons of the query's cohort, when it names one (resolved by the caller).
    cohort_ids: list[int] | None = None
    statements: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    @property
    def dialect_name(self) -> str:
        # A store may name its SQL dialect (the benchmark's PostgreSQL table does).
        named = getattr(self.store, "dialect", None)
        if named:
            return str(named)
        return "clickhouse" if type(self.store).__name__ == "ClickHouseStore" else "duckdb"

    def sql(self, first_day: dt.date, last_day: dt.date) -> Sql:
        return Sql(
            DIALECTS[self.dialect_name], self.tz, first_day, last_day, cohort_ids=self.cohort_ids
        )

    def run(
        self, ctx: Sql, text: str, *, since: dt.datetime | None = None
    ) -> list[tuple[Any, ...]]:
        """Rows of `text`, reading the event files from the earliest moment the statement
        reads (default the range's start; none when it reads every event) to the range's
        end."""
        self.statements.append((text, dict(ctx.params)))
        return self.store.sql(
            self.workspace_id,
            text,
            ctx.params,
            since=None if ctx.reads_all else ctx.earliest or ctx.start,
            until=ctx.end,
            timeout=self.timeout,
        )


def as_int(value: Any) -> int:
    return 0 if value is None else int(value)


def as_float(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if number != number else number  # NaN: no value
