"""The insights compiler's PostgreSQL dialect, and a store over a plain events table.

Not an event store opsloop offers: the benchmark (scripts/bench_insights.py) runs the same
query descriptions over PostgreSQL with the events in one row-store table, as tools that
keep analytics in their application database do, to show what the column stores buy.
Importing this module adds the dialect to `sql.DIALECTS` under "postgres"; `plan.Plan`
picks it for a store whose `dialect` attribute says so (PgStore below).

Parameters are psycopg's `%(name)s`.
"""

# SQL here is built from our own fragments; user values are bound parameters.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from opsloop.events.store import QueryTimeout
from opsloop.insights import sql

# A number as text, as DuckDB's TRY_CAST(... AS DOUBLE) reads one (PostgreSQL 15 has no
# TRY_CAST; a failed cast would stop the whole statement).
NUMBER_TEXT = r"^\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\s*$"


class Postgres(sql.Dialect):
    name = "postgres"
    materialized = "MATERIALIZED "
    double = "DOUBLE PRECISION"

    def placeholder(self, name: str, value: Any) -> str:
        return f"%({name})s"

    def local_date(self, expr: str, tz: str) -> str:
        return f"CAST(({expr}) AT TIME ZONE '{tz}' AS DATE)"

    def local_hour(self, expr: str, tz: str) -> str:
        return f"CAST(extract(hour FROM ({expr}) AT TIME ZONE '{tz}') AS INTEGER)"

    def days_since(self, day: dt.date, expr: str) -> str:
        # date - date is a whole number of days.
        return f"(({expr}) - DATE '{day.isoformat()}')"

    def month_number(self, expr: str) -> str:
        return (
            f"(CAST(extract(year FROM {expr}) AS INTEGER) * 12 "
            f"+ CAST(extract(month FROM {expr}) AS INTEGER) - 1)"
        )

    def json_text(self, column: str, key: str) -> str:
        # The key comes as a JSON path ($."name"), which is jsonpath's syntax too; #>> '{}'
        # gives a JSON null as NULL and a string unquoted.
        return (
            f"nullif(jsonb_path_query_first(CAST({column} AS JSONB), CAST({key} AS JSONPATH)) "
            "#>> '{}', '')"
        )

    def number(self, expr: str) -> str:
        return f"(CASE WHEN ({expr}) ~ '{NUMBER_TEXT}' THEN CAST({expr} AS DOUBLE PRECISION) END)"

    def json_keys(self, column: str) -> str:
        return f"jsonb_object_keys(CAST(nullif({column}, '') AS JSONB))"

    def contains(self, expr: str, needle: str) -> str:
        return f"(strpos({expr}, {needle}) > 0)"

    def quantile(self, expr: str, q: float) -> str:
        # Linear interpolation between the closest ranks, as DuckDB's quantile_cont.
        return f"percentile_cont({float(q)!r}) WITHIN GROUP (ORDER BY {expr})"

    def arg_min(self, value: str, key: str) -> str:
        # key_pair gives "a, b": the sort keys of the ordered aggregate. NULL values are
        # left out, as DuckDB's and ClickHouse's arg_min leave them out.
        return f"(array_agg({value} ORDER BY {key}) FILTER (WHERE {value} IS NOT NULL))[1]"

    def arg_max(self, value: str, key: str) -> str:
        keys = ", ".join(f"{part.strip()} DESC" for part in _split_keys(key))
        return f"(array_agg({value} ORDER BY {keys}) FILTER (WHERE {value} IS NOT NULL))[1]"

    def key_pair(self, a: str, b: str) -> str:
        return f"{a}, {b}"

    def bit_count(self, expr: str) -> str:
        return f"bit_count(CAST({expr} AS BIT(64)))"

    def bit_and(self, a: str, b: str) -> str:
        return f"({a} & {b})"

    def bit_or_agg(self, expr: str) -> str:
        return f"bit_or({expr})"

    def micros(self, expr: str) -> str:
        # extract(epoch) is numeric, so exact to the microsecond.
        return f"CAST(extract(epoch FROM {expr}) * 1000000 AS BIGINT)"

    def from_micros(self, expr: str) -> str:
        return f"(TIMESTAMPTZ 'epoch' + ({expr}) * INTERVAL '1 microsecond')"

    def timestamp(self, sql: Any, moment: dt.datetime) -> str:
        return f"CAST({sql.param(moment)} AS TIMESTAMPTZ)"

    def int_div(self, a: str, b: str) -> str:
        # Rounded down: / on integers rounds towards zero.
        return f"CAST(floor(CAST({a} AS NUMERIC) / {b}) AS BIGINT)"

    def offsets(self, n: int) -> str:
        return f"(SELECT k FROM generate_series(0, {int(n) - 1}) AS g(k))"

    def survivors(self, ids: str) -> str:
        return (
            f"SELECT coalesce(m.to_id, c.id) FROM unnest(CAST({ids} AS BIGINT[])) AS c(id) "
            "LEFT JOIN merges m ON m.from_id = c.id"
        )


def _split_keys(key: str) -> list[str]:
    """The parts of a key_pair: commas outside parentheses."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(key):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(key[start:i])
            start = i + 1
    parts.append(key[start:])
    return parts


sql.DIALECTS["postgres"] = Postgres()

# A % that is not one of our %(name)s placeholders, for psycopg to read as a literal %.
_LONE_PERCENT = re.compile(r"%(?!\([A-Za-z_][A-Za-z0-9_]*\)s)")

EVENTS_DDL = [
    "CREATE TABLE IF NOT EXISTS persons (workspace_id bigint NOT NULL, person_id bigint NOT NULL, "
    "user_id text, first_seen timestamptz, traits jsonb, PRIMARY KEY (workspace_id, person_id))",
    "CREATE TABLE IF NOT EXISTS merges (workspace_id bigint NOT NULL, from_id bigint NOT NULL, "
    "to_id bigint NOT NULL, PRIMARY KEY (workspace_id, from_id))",
]


def events_ddl() -> str:
    """The events table: opsloop/events/rows.py's columns, JSON as jsonb."""
    from opsloop.events.rows import COLUMNS

    kinds = {"int64": "bigint", "string": "text", "json": "jsonb", "timestamp": "timestamptz"}
    columns = ", ".join(f"{name} {kinds[kind]}" for name, (kind, _ch) in COLUMNS.items())
    return f"CREATE TABLE IF NOT EXISTS events ({columns})"


# What a row-store analytics tool would index: a workspace's events by time, and by name.
INDEXES = [
    "CREATE INDEX IF NOT EXISTS events_workspace_time ON events (workspace_id, timestamp)",
    "CREATE INDEX IF NOT EXISTS events_workspace_event_time "
    "ON events (workspace_id, event, timestamp)",
]


class PgStore:
    """The insights side of an event store over PostgreSQL tables `events`, `persons` and
    `merges` (each with a workspace_id): `sql()` as EventStore.sql, in the postgres
    dialect. One connection, used by one thread at a time."""

    dialect = "postgres"

    def __init__(self, url: str, *, work_mem: str = "256MB") -> None:
        import psycopg

        self.connection = psycopg.connect(url, autocommit=True)
        self.work_mem = work_mem

    def prepare(self) -> None:
        """Create the tables (when missing) and the dialect's shims."""
        with self.connection.cursor() as cursor:
            cursor.execute(events_ddl())
            for statement in EVENTS_DDL:
                cursor.execute(statement)

    def close(self) -> None:
        self.connection.close()

    def write(self, rows: list[dict[str, Any]], *, name: str | None = None) -> None:
        """Append rows (COPY); the benchmark loads its bulk from CSV instead."""
        from opsloop.events.rows import COLUMNS, normalized

        names = ", ".join(COLUMNS)
        with (
            self.connection.cursor() as cursor,
            cursor.copy(f"COPY events ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                stored = normalized(row)
                copy.write_row([stored[column] for column in COLUMNS])

    def data_version(self, workspace_id: int) -> str:
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*), max(received_at) FROM events WHERE workspace_id = %s",
                (int(workspace_id),),
            )
            row = cursor.fetchone()
        return f"{row[0]}:{row[1]}" if row else "0"

    def write_persons(self, workspace_id: int, version: str, persons: Any, merges: Any) -> None:
        """Replace the workspace's persons and merges (Arrow tables, as EventStore's)."""
        ws = int(workspace_id)
        with self.connection.transaction(), self.connection.cursor() as cursor:
            for table in ("persons", "merges"):
                cursor.execute(f"DELETE FROM {table} WHERE workspace_id = %s", (ws,))
            with cursor.copy(
                "COPY persons (workspace_id, person_id, user_id, first_seen, traits) FROM STDIN"
            ) as copy:
                for p in persons.to_pylist():
                    copy.write_row(
                        [ws, p["person_id"], p["user_id"], p["first_seen"], p["traits"] or "{}"]
                    )
            with cursor.copy("COPY merges (workspace_id, from_id, to_id) FROM STDIN") as copy:
                for m in merges.to_pylist():
                    copy.write_row([ws, m["from_id"], m["to_id"]])

    def sql(
        self,
        workspace_id: int,
        query: str,
        params: dict[str, Any] | Sequence[Any] = (),
        *,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        timeout: float | None = None,
    ) -> list[tuple[Any, ...]]:
        """Run `query` with `events` this workspace's events from since to until (merged
        persons read as the one they merged into), `persons` and `merges` its snapshot:
        CTEs shadowing the tables, inlined into the query (NOT MATERIALIZED), so the
        planner sees the table and its indexes."""
        import psycopg

        ws = int(workspace_id)
        scope = [f"e.workspace_id = {ws}"]
        bound: dict[str, Any] = dict(params) if isinstance(params, dict) else {}
        if since is not None:
            scope.append("e.timestamp >= %(_since)s")
            bound["_since"] = since
        if until is not None:
            scope.append("e.timestamp < %(_until)s")
            bound["_until"] = until
        where = " AND ".join(scope)
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM public.merges WHERE workspace_id = {ws})")
            row = cursor.fetchone()
            merged = bool(row and row[0])
        if merged:
            from opsloop.events.rows import COLUMNS

            columns = ", ".join(
                "coalesce(m.to_id, e.person_id) AS person_id"
                if name == "person_id"
                else f"e.{name}"
                for name in COLUMNS
            )
            events = (
                f"SELECT {columns} FROM public.events e LEFT JOIN public.merges m "
                f"ON m.workspace_id = {ws} AND m.from_id = e.person_id WHERE {where}"
            )
        else:
            events = f"SELECT * FROM public.events e WHERE {where}"
        persons = (
            "SELECT person_id, user_id, first_seen, traits FROM public.persons "
            f"WHERE workspace_id = {ws}"
        )
        merges = f"SELECT from_id, to_id FROM public.merges WHERE workspace_id = {ws}"
        cte = (
            f"events AS NOT MATERIALIZED ({events}), persons AS NOT MATERIALIZED ({persons}), "
            f"merges AS NOT MATERIALIZED ({merges})"
        )
        text = _LONE_PERCENT.sub("%%", query)
        stripped = text.lstrip()
        if stripped[:4].upper() == "WITH" and stripped[4:5].isspace():
            text = f"WITH {cte}, {stripped[5:]}"
        else:
            text = f"WITH {cte} {text}"
        try:
            with self.connection.transaction(), self.connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL work_mem = '{self.work_mem}'")
                if timeout is not None:
                    cursor.execute(f"SET LOCAL statement_timeout = {max(1, int(timeout * 1000))}")
                cursor.execute(text, bound)
                return cursor.fetchall()
        except psycopg.errors.QueryCanceled:
            raise QueryTimeout(timeout or 0) from None
