"""The event store: where flushed events live and how they are read, behind one interface
with two backends, chosen by OPSLOOP_EVENTS_BACKEND:

- duckdb (default): Parquet files under DATA_DIR/events/parquet, partitioned by workspace
  and day, listed in a manifest; every read is a fresh in-memory DuckDB connection over
  them, so no process ever holds a lock on a database file (store/parquet.py).
- clickhouse: one MergeTree table in the server at CLICKHOUSE_URL (store/clickhouse.py);
  its DDL and SQL are tested against chdb, the embedded ClickHouse.

Rows are dicts shaped as opsloop/events/rows.py says. Reads apply person merges: an event
flushed under a person later merged into another is that other person's (`person_ids`
below are the ids to match, the flusher's and the merged ones; identity.person_ids_of
gives them for a person).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings


@dataclass(frozen=True)
class EventFilter:
    """Which events of a workspace to read; every part optional."""

    workspace_id: int
    events: tuple[str, ...] = ()
    person_ids: tuple[int, ...] = ()
    source_id: int | None = None
    since: dt.datetime | None = None  # timestamp >= since
    until: dt.datetime | None = None  # timestamp < until
    distinct_ids: tuple[str, ...] = field(default=())


class QueryTimeout(Exception):
    """A query ran past its time limit and was stopped."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"stopped after {seconds:g} s")
        self.seconds = seconds


class EventStore(Protocol):
    def write(self, rows: list[dict[str, Any]], *, name: str | None = None) -> None:
        """Store rows (each with its person_id), durable when it returns. The flusher has
        already removed duplicates; writing the same rows twice stores them twice, except
        under the same `name`: the flusher names each batch after where it starts in the
        inbox, and a second write of a name (its redo after a crash) stores nothing more."""

    def list_events(
        self, where: EventFilter, *, limit: int = 50, offset: int = 0
    ) -> list[dict[str, Any]]:
        """Rows, newest first (timestamp, then message_id, both descending); timestamps
        as aware UTC datetimes, properties and traits as dicts."""

    def count_events(self, where: EventFilter) -> int: ...

    def delete_persons(self, workspace_id: int, person_ids: list[int]) -> int:
        """Remove every event of these persons; the number removed."""

    def export(self, where: EventFilter, path: Path, fmt: str) -> int:
        """Write the matching events to `path` as "parquet" or "csv"; the rows written."""

    def compact(self) -> None:
        """Merge small files or parts; safe beside readers and writers."""

    def check(self) -> str:
        """What the store is and how much it holds, for `opsloop check`; raises if down."""

    def sql(
        self,
        workspace_id: int,
        query: str,
        params: Any = (),
        *,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        timeout: float | None = None,
    ) -> list[tuple[Any, ...]]:
        """Run the store's own SQL (DuckDB's or ClickHouse's dialect) in which `events` is
        this workspace's events, from since to until when given, with merged persons read
        as the person they merged into; `persons` is its latest persons snapshot
        (person_id, user_id, first_seen, traits) and `merges` that snapshot's merged ids
        (from_id -> to_id). The result rows. For the insights compiler: the query is
        trusted, the parameters carry user input (DuckDB: `?` or `$name`; ClickHouse:
        `{name:Type}` with a dict). QueryTimeout when it runs past `timeout` seconds."""

    def data_version(self, workspace_id: int) -> str:
        """A token that changes whenever the workspace's stored events change."""

    def persons_version(self, workspace_id: int) -> tuple[str, float] | None:
        """The data version the persons snapshot was made at and when (epoch seconds)."""

    def write_persons(self, workspace_id: int, version: str, persons: Any, merges: Any) -> None:
        """Replace the workspace's persons snapshot (Arrow tables: persons with person_id,
        user_id, first_seen, traits; merges with from_id, to_id)."""


def get_store() -> EventStore:
    """The configured event store."""
    if settings.EVENTS_BACKEND == "clickhouse":
        from opsloop.events.store.clickhouse import ClickHouseStore

        return ClickHouseStore.from_url(settings.CLICKHOUSE_URL)
    from opsloop.events.store.parquet import ParquetStore

    return ParquetStore(Path(settings.DATA_DIR) / "events")
