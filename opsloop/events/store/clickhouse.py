"""The event store at scale: one table in ClickHouse (docs/decisions/0016-event-store.md).

The table is a ReplacingMergeTree ordered by (workspace_id, day, event, timestamp,
message_id) and partitioned by month. Its DDL is created on first use. Inserts are
JSONEachRow; a named write (the flusher's batch) carries its name as
insert_deduplication_token, so a redo after a crash is dropped by the server
(non_replicated_deduplication_window), and the replacing engine folds any exact copy that
still got in at the next merge: two guards, the first exact, the second eventual.

All SQL goes through an executor: `HttpExecutor` talks to a server over HTTP,
`ChdbExecutor` runs the very same text in chdb (embedded ClickHouse), which is what the
tests use. Parameters are bound here, as literals, so both see identical SQL.
"""

# SQL here is built from our own column names, ints and paths; values are bound or quoted.
# ruff: noqa: S608

from __future__ import annotations

import base64
import datetime as dt
import math
import re
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import orjson

from opsloop.events.rows import COLUMNS, UTC, normalized, read_row
from opsloop.events.store import EventFilter, QueryTimeout

INSERT_BATCH_ROWS = 50_000
DEDUPLICATION_WINDOW = 10_000
COLUMN_LIST = ", ".join(f"`{name}`" for name in COLUMNS)


class Executor(Protocol):
    def query(self, sql: str, fmt: str = "JSONEachRow") -> bytes:
        """Run one statement; the output in `fmt` (empty for statements without output)."""

    def insert(self, sql: str, data: bytes) -> None:
        """Run `INSERT ... FORMAT x` with `data` as its input."""


class HttpExecutor:
    """A ClickHouse server over its HTTP interface."""

    def __init__(self, url: str, *, timeout: float = 60.0) -> None:
        parts = urllib.parse.urlsplit(url)
        self.user = urllib.parse.unquote(parts.username or "")
        self.password = urllib.parse.unquote(parts.password or "")
        host = parts.hostname or "localhost"
        port = f":{parts.port}" if parts.port else ""
        self.base = f"{parts.scheme or 'http'}://{host}{port}/"
        query = dict(urllib.parse.parse_qsl(parts.query))
        self.database = parts.path.strip("/") or query.pop("database", "") or ""
        self.settings = query
        self.timeout = timeout

    def _request(self, body: bytes, params: dict[str, str]) -> bytes:
        params = {**self.settings, **params}
        if self.database:
            params["database"] = self.database
        request = urllib.request.Request(  # noqa: S310 (the configured CLICKHOUSE_URL)
            self.base + "?" + urllib.parse.urlencode(params), data=body, method="POST"
        )
        if self.user:
            token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return bytes(response.read())
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace").strip()
            raise RuntimeError(f"ClickHouse: {detail or exc}") from None

    def query(self, sql: str, fmt: str = "JSONEachRow") -> bytes:
        return self._request(sql.encode(), {"default_format": fmt})

    def insert(self, sql: str, data: bytes) -> None:
        self._request(data, {"query": sql})


class ChdbExecutor:
    """chdb, the embedded ClickHouse, in a session of its own (a directory, or memory)."""

    _lock = threading.Lock()  # chdb runs one query at a time per process

    def __init__(self, path: str | None = None) -> None:
        from chdb import session

        self.session = session.Session(path) if path else session.Session()

    def query(self, sql: str, fmt: str = "JSONEachRow") -> bytes:
        with self._lock:
            result = self.session.query(sql, fmt)
        return bytes(result.bytes()) if result is not None else b""

    def insert(self, sql: str, data: bytes) -> None:
        with self._lock:
            self.session.query(sql + "\n" + data.decode())

    def close(self) -> None:
        self.session.close()


class ClickHouseStore:
    """Events in one ClickHouse table."""

    def __init__(self, executor: Executor, *, table: str = "events") -> None:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?", table):
            raise ValueError(f"bad table name: {table!r}")
        self.executor = executor
        self.table = table
        self._ready = False

    @classmethod
    def from_url(cls, url: str | None) -> ClickHouseStore:
        """A store on the server at `url` (http[s]://user:password@host:8123/database)."""
        if not url:
            raise ValueError("CLICKHOUSE_URL is not set")
        return cls(HttpExecutor(url))

    def ddl(self) -> str:
        columns = ",\n    ".join(f"`{name}` {ch}" for name, (_kind, ch) in COLUMNS.items())
        return (
            f"CREATE TABLE IF NOT EXISTS {self.table} (\n    {columns}\n)\n"
            "ENGINE = ReplacingMergeTree\n"
            "PARTITION BY toYYYYMM(timestamp)\n"
            "ORDER BY (workspace_id, toDate(timestamp), event, timestamp, message_id)\n"
            f"SETTINGS non_replicated_deduplication_window = {DEDUPLICATION_WINDOW}"
        )

    def persons_ddl(self) -> list[str]:
        """The persons snapshot tables: a snapshot's rows carry its id, and the snapshots
        table says which one is each workspace's latest."""
        t = self.table
        return [
            f"CREATE TABLE IF NOT EXISTS {t}_persons (\n"
            "    workspace_id Int64, snapshot String, person_id Int64, user_id String,\n"
            "    first_seen DateTime64(6, 'UTC'), traits String\n"
            ") ENGINE = MergeTree ORDER BY (workspace_id, snapshot, person_id)",
            f"CREATE TABLE IF NOT EXISTS {t}_merges (\n"
            "    workspace_id Int64, snapshot String, from_id Int64, to_id Int64\n"
            ") ENGINE = MergeTree ORDER BY (workspace_id, snapshot, from_id)",
            f"CREATE TABLE IF NOT EXISTS {t}_person_snapshots (\n"
            "    workspace_id Int64, snapshot String, version String, merges UInt64,\n"
            "    created Float64\n"
            ") ENGINE = ReplacingMergeTree(created) ORDER BY workspace_id",
        ]

    def _ensure(self) -> None:
        if not self._ready:
            self.executor.query(self.ddl())
            for statement in self.persons_ddl():
                self.executor.query(statement)
            self._ready = True

    def _rows(self, sql: str) -> list[dict[str, Any]]:
        self._ensure()
        out = self.executor.query(sql, "JSONEachRow")
        return [orjson.loads(line) for line in out.splitlines() if line.strip()]

    # --- writing

    def write(self, rows: list[dict[str, Any]], *, name: str | None = None) -> None:
        """Insert rows in blocks; with a name, the server drops a block it has seen under
        the same name (a redo after a crash)."""
        if not rows:
            return
        self._ensure()
        for start in range(0, len(rows), INSERT_BATCH_ROWS):
            chunk = rows[start : start + INSERT_BATCH_ROWS]
            data = b"".join(orjson.dumps(_insert_row(row)) + b"\n" for row in chunk)
            settings = "date_time_input_format = 'best_effort'"
            if name:
                settings += f", insert_deduplication_token = {bind(f'{name}:{start}')}"
            self.executor.insert(
                f"INSERT INTO {self.table} ({COLUMN_LIST}) SETTINGS {settings} FORMAT JSONEachRow",
                data,
            )

    # --- reading

    def list_events(
        self, where: EventFilter, *, limit: int = 50, offset: int = 0
    ) -> list[dict[str, Any]]:
        rows = self._rows(
            f"SELECT {COLUMN_LIST} FROM {self.table} WHERE {where_sql(where)} "
            f"ORDER BY timestamp DESC, message_id DESC LIMIT {int(limit)} OFFSET {int(offset)}"
        )
        return [read_row(row) for row in rows]

    def count_events(self, where: EventFilter) -> int:
        rows = self._rows(f"SELECT count() AS n FROM {self.table} WHERE {where_sql(where)}")
        return int(rows[0]["n"]) if rows else 0

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
        """Run a ClickHouse query in which `events` is this workspace's events, with merged
        persons applied, `persons` and `merges` its persons snapshot (CTEs shadowing the
        tables). Parameters as `{name:Type}` with a dict, bound here as literals (the Type
        is ClickHouse's, for the reader; the value decides the literal). Values come back
        as JSON gives them (numbers, strings). QueryTimeout past `timeout` seconds."""
        self._ensure()
        scope = where_sql(EventFilter(workspace_id=workspace_id, since=since, until=until))
        snapshot = self._snapshot(workspace_id)
        ws = bind(int(workspace_id))
        if snapshot is None:
            persons = (
                "SELECT toInt64(0) AS person_id, '' AS user_id, "
                "toDateTime64(0, 6, 'UTC') AS first_seen, '' AS traits LIMIT 0"
            )
            merges = "SELECT toInt64(0) AS from_id, toInt64(0) AS to_id LIMIT 0"
        else:
            which = f"workspace_id = {ws} AND snapshot = {bind(snapshot[0])}"
            persons = (
                f"SELECT person_id, user_id, first_seen, traits FROM {self.table}_persons "
                f"WHERE {which}"
            )
            merges = f"SELECT from_id, to_id FROM {self.table}_merges WHERE {which}"
        if snapshot is not None and snapshot[2]:
            # An event stored under a person since merged is the surviving person's.
            events = (
                "SELECT e.* REPLACE (if(m.to_id = 0, e.person_id, m.to_id) AS person_id) "
                f"FROM {self.table} AS e LEFT JOIN ({merges}) AS m ON m.from_id = e.person_id "
                f"WHERE {scope.replace('workspace_id', 'e.workspace_id', 1)}"
            )
        else:
            events = f"SELECT * FROM {self.table} WHERE {scope}"
        cte = f"events AS ({events}), persons AS ({persons}), merges AS ({merges})"
        text = bind_params(query, params)
        stripped = text.lstrip()
        if stripped[:4].upper() == "WITH" and stripped[4:5].isspace():
            text = f"WITH {cte}, {stripped[5:]}"
        else:
            text = f"WITH {cte} {text}"
        if timeout is not None:
            text += f" SETTINGS max_execution_time = {max(1, math.ceil(timeout))}"
        try:
            out = self.executor.query(text, "JSONCompactEachRow")
        except Exception as exc:
            if "TIMEOUT_EXCEEDED" in str(exc):
                raise QueryTimeout(timeout or 0) from None
            raise
        return [tuple(orjson.loads(line)) for line in out.splitlines() if line.strip()]

    # --- persons snapshots

    def _snapshot(self, workspace_id: int) -> tuple[str, str, int, float] | None:
        rows = self._rows(
            "SELECT snapshot, version, merges, created FROM "
            f"{self.table}_person_snapshots WHERE workspace_id = {bind(int(workspace_id))} "
            "ORDER BY created DESC LIMIT 1"
        )
        if not rows:
            return None
        row = rows[0]
        return str(row["snapshot"]), str(row["version"]), int(row["merges"]), float(row["created"])

    def data_version(self, workspace_id: int) -> str:
        rows = self._rows(
            f"SELECT count() AS n, toString(max(received_at)) AS last FROM {self.table} "
            f"WHERE workspace_id = {bind(int(workspace_id))}"
        )
        return f"{rows[0]['n']}:{rows[0]['last']}" if rows else "0"

    def persons_version(self, workspace_id: int) -> tuple[str, float] | None:
        self._ensure()
        snapshot = self._snapshot(workspace_id)
        return (snapshot[1], snapshot[3]) if snapshot else None

    def write_persons(self, workspace_id: int, version: str, persons: Any, merges: Any) -> None:
        """Insert the snapshot under a new id, make it the latest, then delete the rows
        of the ones before."""
        self._ensure()
        ws = int(workspace_id)
        snapshot = uuid.uuid4().hex
        person_rows = [
            {
                "workspace_id": ws,
                "snapshot": snapshot,
                "person_id": row["person_id"],
                "user_id": row["user_id"] or "",
                "first_seen": row["first_seen"].astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"),
                "traits": row["traits"] or "{}",
            }
            for row in persons.to_pylist()
        ]
        merge_rows = [
            {"workspace_id": ws, "snapshot": snapshot, **row} for row in merges.to_pylist()
        ]
        for table, rows in (("persons", person_rows), ("merges", merge_rows)):
            for start in range(0, len(rows), INSERT_BATCH_ROWS):
                data = b"".join(
                    orjson.dumps(row) + b"\n" for row in rows[start : start + INSERT_BATCH_ROWS]
                )
                self.executor.insert(f"INSERT INTO {self.table}_{table} FORMAT JSONEachRow", data)
        self.executor.insert(
            f"INSERT INTO {self.table}_person_snapshots FORMAT JSONEachRow",
            orjson.dumps(
                {
                    "workspace_id": ws,
                    "snapshot": snapshot,
                    "version": version,
                    "merges": len(merge_rows),
                    "created": time.time(),
                }
            ),
        )
        for table in ("persons", "merges", "person_snapshots"):
            self.executor.query(
                f"DELETE FROM {self.table}_{table} WHERE workspace_id = {bind(ws)} "
                f"AND snapshot != {bind(snapshot)}"
            )

    def export(self, where: EventFilter, path: Path, fmt: str) -> int:
        formats = {"parquet": "Parquet", "csv": "CSVWithNames"}
        if fmt not in formats:
            raise ValueError(f"unknown export format: {fmt!r}")
        self._ensure()
        count = self.count_events(where)
        data = self.executor.query(
            f"SELECT {COLUMN_LIST} FROM {self.table} WHERE {where_sql(where)} "
            "ORDER BY timestamp, message_id",
            formats[fmt],
        )
        Path(path).write_bytes(data)
        return count

    # --- deleting and upkeep

    def delete_persons(self, workspace_id: int, person_ids: list[int]) -> int:
        ids = sorted({int(pk) for pk in person_ids})
        if not ids:
            return 0
        where = EventFilter(workspace_id=workspace_id, person_ids=tuple(ids))
        count = self.count_events(where)
        if count:
            # A lightweight DELETE: rows vanish from reads at once, parts are rewritten
            # by later merges.
            self.executor.query(f"DELETE FROM {self.table} WHERE {where_sql(where)}")
        return count

    def compact(self) -> None:
        self._ensure()
        self.executor.query(f"OPTIMIZE TABLE {self.table}")

    def check(self) -> str:
        self._ensure()
        rows = self._rows(f"SELECT version() AS version, count() AS n FROM {self.table}")
        version, count = (rows[0]["version"], int(rows[0]["n"])) if rows else ("?", 0)
        return f"ClickHouse {version}, table {self.table}: {count} events"


def _insert_row(row: dict[str, Any]) -> dict[str, Any]:
    stored = normalized(row)
    for name, (kind, _ch) in COLUMNS.items():
        if kind == "timestamp":
            stored[name] = stored[name].strftime("%Y-%m-%d %H:%M:%S.%f")
    return stored


def where_sql(where: EventFilter) -> str:
    parts = [f"workspace_id = {bind(int(where.workspace_id))}"]
    if where.events:
        parts.append(f"event IN {bind(list(where.events))}")
    if where.person_ids:
        parts.append(f"person_id IN {bind([int(pk) for pk in where.person_ids])}")
    if where.distinct_ids:
        parts.append(f"distinct_id IN {bind(list(where.distinct_ids))}")
    if where.source_id is not None:
        parts.append(f"source_id = {bind(int(where.source_id))}")
    if where.since is not None:
        parts.append(f"timestamp >= {bind(where.since)}")
    if where.until is not None:
        parts.append(f"timestamp < {bind(where.until)}")
    return " AND ".join(parts)


def bind(value: Any) -> str:
    """A ClickHouse literal for a Python value."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("not a finite number")
        return repr(value)
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        text = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        return f"toDateTime64('{text}', 6, 'UTC')"
    if isinstance(value, dt.date):
        return f"toDate('{value.isoformat()}')"
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else value
        return "(" + ", ".join(bind(item) for item in items) + ")"
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*):[^{}]+\}")


def bind_params(query: str, params: dict[str, Any] | Sequence[Any]) -> str:
    if not params:
        return query
    if not isinstance(params, dict):
        raise TypeError("ClickHouse queries take named parameters: {name:Type} and a dict")
    named = params

    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in named:
            raise KeyError(f"no value for the parameter {key!r}")
        return bind(named[key])

    return _PARAM.sub(replace, query)
