"""The embedded event store: Parquet files read by DuckDB (docs/decisions/0016-event-store.md).

Layout under the root (DATA_DIR/events):

    parquet/manifest.sqlite3                          which files are live
    parquet/workspace=<id>/day=<YYYY-MM-DD>/<name>.parquet

A file holds one workspace's events of one UTC day, zstd-compressed, sorted by event name
and timestamp (FILE_ORDER) in row groups of EVENTS_ROW_GROUP.
Only the files the manifest lists are read: a write puts its files in place first (temp
file, fsync, rename, fsync of the directory) and lists them in one manifest transaction;
compact() and delete_persons() write the replacement, then swap it for the old files in
one transaction, so a reader sees the old set or the new one, never both or neither. The
old files stay on disk for GRACE_SECONDS, for readers that listed them just before.

Every read is a fresh DuckDB connection (a cursor of one in-memory database per process,
so its memory and caches stay warm between reads) over the files of the partitions its
filter needs; there is no DuckDB database file, so any number of web processes and the
flusher work side by side.
"""

# SQL here is built from our own column names, ints and paths; values are bound or quoted.
# ruff: noqa: S608

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from opsloop.events.rows import COLUMNS, as_datetime, as_json_text, day_of, read_row
from opsloop.events.store import EventFilter, QueryTimeout

# Files retired by compact() or delete_persons() are deleted this long after.
GRACE_SECONDS = 10 * 60
# compact() merges a partition's files smaller than this; bigger ones are left alone.
COMPACT_TARGET_BYTES = 256 * 1024 * 1024
# Files on disk that no manifest row knows (a write cut short) go after this long.
ORPHAN_SECONDS = 60 * 60
# Batch names are remembered this long, so a redone write is not stored twice.
BATCH_NAMES_DAYS = 30
# A file's events are sorted by event name, then time, in row groups of this many: a
# query for some events skips the row groups of the others by their min/max statistics
# (measured in docs/benchmarks.md: a third off trends and retention at 10M events).
FILE_ORDER = ("event", "timestamp", "message_id")
EVENTS_ROW_GROUP = 16_384

_ARROW_TYPES = {
    "int64": pa.int64(),
    "string": pa.string(),
    "json": pa.string(),
    "timestamp": pa.timestamp("us", tz="UTC"),
}
SCHEMA = pa.schema([(name, _ARROW_TYPES[kind]) for name, (kind, _ch) in COLUMNS.items()])


def rows_table(rows: list[dict[str, Any]]) -> pa.Table:
    """Rows as an Arrow table of SCHEMA, built a column at a time: a dict per row in the
    stored types, then Table.from_pylist, cost more than the rest of a flush. The columns
    come out of the rows in one pass (itemgetter, zip), and a column whose values are all
    of its type already (or None) goes to Arrow as it is (bytes in a text column are
    decoded as UTF-8 there); any other is converted value by value, as before."""
    from operator import itemgetter

    names = SCHEMA.names
    ints = {int, type(None)}
    columns: list[Any] = [()] * len(names)
    try:
        if rows:
            columns = list(zip(*map(itemgetter(*names), rows), strict=True))
    except KeyError:  # a row without every column
        columns = [[row.get(name) for row in rows] for name in names]
    arrays = []
    for column, values in zip(SCHEMA, columns, strict=True):
        kind = COLUMNS[column.name][0]
        if kind == "timestamp":
            arrays.append(_timestamps(values, column.type))
        elif kind == "int64":
            # Arrow would take floats and truncate them: only ints (and None) go as they are.
            if set(map(type, values)) <= ints:
                arrays.append(pc.fill_null(pa.array(values, column.type), 0))
            else:
                arrays.append(pa.array([int(value or 0) for value in values], column.type))
        elif kind == "json":
            try:
                text = pa.array(values, column.type)  # text and None only, else TypeError
            except (pa.ArrowTypeError, pa.ArrowInvalid):
                arrays.append(pa.array([as_json_text(value) for value in values], column.type))
            else:
                empty = pc.fill_null(pc.equal(text, ""), True)
                arrays.append(pc.if_else(empty, pa.scalar("{}", column.type), text))
        else:
            try:
                arrays.append(pc.fill_null(pa.array(values, column.type), ""))
            except (pa.ArrowTypeError, pa.ArrowInvalid):
                arrays.append(
                    pa.array(
                        [
                            value if type(value) is str else "" if value is None else str(value)
                            for value in values
                        ],
                        column.type,
                    )
                )
    return pa.Table.from_arrays(arrays, schema=SCHEMA)


def _timestamps(values: Sequence[Any], kind: pa.DataType) -> pa.Array:
    # The inbox's times are ISO 8601 with an offset, which Arrow parses itself; anything
    # else (datetimes, text without a zone) goes through as_datetime one by one.
    if all(type(value) is str for value in values):
        with contextlib.suppress(pa.ArrowInvalid):
            return pc.cast(pa.array(values, pa.string()), kind)
    return pa.array([as_datetime(value) for value in values], kind)


COLUMN_LIST = ", ".join(f'"{name}"' for name in COLUMNS)

_MANIFEST_DDL = """
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,          -- relative to the parquet directory
    workspace_id INTEGER NOT NULL,
    day TEXT NOT NULL,              -- YYYY-MM-DD, UTC
    rows INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS files_partition ON files (workspace_id, day);
CREATE TABLE IF NOT EXISTS retired (path TEXT PRIMARY KEY, retired_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS batches (name TEXT PRIMARY KEY, written_at REAL NOT NULL);
-- The latest persons snapshot of each workspace (write_persons), for the insights.
CREATE TABLE IF NOT EXISTS person_snapshots (
    workspace_id INTEGER PRIMARY KEY,
    version TEXT NOT NULL,          -- the data version it was made at
    persons_path TEXT NOT NULL,
    merges_path TEXT NOT NULL,
    merges INTEGER NOT NULL,        -- rows in merges_path: none, no join on reads
    created REAL NOT NULL
);
"""

PERSONS_SCHEMA = pa.schema(
    [
        ("person_id", pa.int64()),
        ("user_id", pa.string()),
        ("first_seen", pa.timestamp("us", tz="UTC")),
        ("traits", pa.string()),
    ]
)
MERGES_SCHEMA = pa.schema([("from_id", pa.int64()), ("to_id", pa.int64())])


class ParquetStore:
    """Events in Parquet files under `root`/parquet, read with DuckDB."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.directory = self.root / "parquet"
        self._ready = False
        self._ready_lock = threading.Lock()

    # --- the manifest

    @contextlib.contextmanager
    def _manifest(self, write: bool = False) -> Iterator[sqlite3.Connection]:
        self._ensure()
        connection = sqlite3.connect(
            self.directory / "manifest.sqlite3", timeout=30, isolation_level=None
        )
        try:
            connection.execute("PRAGMA busy_timeout=30000")
            if write:
                connection.execute("BEGIN IMMEDIATE")
                try:
                    yield connection
                except BaseException:
                    connection.execute("ROLLBACK")
                    raise
                connection.execute("COMMIT")
            else:
                yield connection
        finally:
            connection.close()

    def _ensure(self) -> None:
        if self._ready:
            return
        with self._ready_lock:
            if self._ready:
                return
            self.directory.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.directory / "manifest.sqlite3", timeout=30)
            try:
                connection.execute("PRAGMA journal_mode=WAL")
                # FULL: a listed file must stay listed across a power cut, the flusher has
                # already moved its offset past the rows.
                connection.execute("PRAGMA synchronous=FULL")
                connection.executescript(_MANIFEST_DDL)
                connection.commit()
            finally:
                connection.close()
            self._ready = True

    def _files(self, where: EventFilter) -> list[str]:
        """The live files of the partitions the filter needs, as absolute paths."""
        query = "SELECT path FROM files WHERE workspace_id = ?"
        params: list[Any] = [where.workspace_id]
        if where.since is not None:
            query += " AND day >= ?"
            params.append(day_of(where.since).isoformat())
        if where.until is not None:
            query += " AND day <= ?"
            # until is exclusive: an until of midnight needs nothing of that day.
            params.append(day_of(where.until - dt.timedelta(microseconds=1)).isoformat())
        with self._manifest() as manifest:
            paths = [row[0] for row in manifest.execute(query + " ORDER BY path", params)]
        return [str(self.directory / path) for path in paths]

    # --- writing

    def write(self, rows: list[dict[str, Any]], *, name: str | None = None) -> None:
        """Store rows, one file per (workspace, day). With a name, writing the same name
        again (a redo after a crash) stores nothing more: the name is remembered for
        BATCH_NAMES_DAYS, and a file left by a write cut short is overwritten."""
        if not rows:
            return
        name = name or uuid.uuid4().hex
        if "/" in name or name.startswith("."):
            raise ValueError(f"bad batch name: {name!r}")
        with self._manifest() as manifest:
            if manifest.execute("SELECT 1 FROM batches WHERE name = ?", (name,)).fetchone():
                return
        table = rows_table(rows)
        days = pc.strftime(table["timestamp"], format="%Y-%m-%d")  # in UTC, the column's zone
        written = []
        for workspace_id, day in sorted(
            set(zip(table["workspace_id"].to_pylist(), days.to_pylist(), strict=True))
        ):
            mask = pc.and_(pc.equal(table["workspace_id"], workspace_id), pc.equal(days, day))
            part = table.filter(mask).sort_by([(name, "ascending") for name in FILE_ORDER])
            relative = f"workspace={workspace_id}/day={day}/{name}.parquet"
            size = self._put(
                relative, lambda tmp, part=part: _write_table(part, tmp, EVENTS_ROW_GROUP)
            )
            written.append((relative, workspace_id, day, part.num_rows, size))
        now = time.time()
        with self._manifest(write=True) as manifest:
            manifest.executemany(
                "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?)",
                [(*entry, now) for entry in written],
            )
            manifest.execute("INSERT OR IGNORE INTO batches VALUES (?, ?)", (name, now))

    def _put(self, relative: str, make: Any) -> int:
        """Make a file at `relative` atomically: `make(tmp_path)` writes it, then it is
        fsynced and renamed into place; the size written."""
        final = self.directory / relative
        final.parent.mkdir(parents=True, exist_ok=True)
        _sync_dir(final.parent.parent)
        tmp = final.with_name(f".{final.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            make(tmp)
            with open(tmp, "rb+") as handle:
                os.fsync(handle.fileno())
            size = tmp.stat().st_size
            tmp.rename(final)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        _sync_dir(final.parent)
        return size

    # --- reading

    def _connect(self) -> duckdb.DuckDBPyConnection:
        connection = _database().cursor()
        connection.execute("SET TimeZone = 'UTC'")
        return connection

    def _select(
        self, where: EventFilter, columns: str, tail: str = "", tail_params: Sequence[Any] = ()
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        files = self._files(where)
        if not files:
            return [], []
        condition, params = _where_sql(where)
        query = (
            f"SELECT {columns} FROM read_parquet(?, union_by_name = true) WHERE {condition} {tail}"
        )
        connection = self._connect()
        try:
            cursor = connection.execute(query, [files, *params, *tail_params])
            names = [column[0] for column in cursor.description or ()]
            return names, cursor.fetchall()
        finally:
            connection.close()

    def list_events(
        self, where: EventFilter, *, limit: int = 50, offset: int = 0
    ) -> list[dict[str, Any]]:
        names, rows = self._select(
            where,
            COLUMN_LIST,
            "ORDER BY timestamp DESC, message_id DESC LIMIT ? OFFSET ?",
            [int(limit), int(offset)],
        )
        return [read_row(dict(zip(names, row, strict=True))) for row in rows]

    def count_events(self, where: EventFilter) -> int:
        _names, rows = self._select(where, "count(*)")
        return int(rows[0][0]) if rows else 0

    def sql(
        self,
        workspace_id: int,
        query: str,
        params: Sequence[Any] | dict[str, Any] = (),
        *,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        timeout: float | None = None,
    ) -> list[tuple[Any, ...]]:
        """Run a DuckDB query in which `events` is a view of this workspace's events (only
        the days from since to until, when given: fewer files to open) with merged persons
        applied, and `persons` its latest persons snapshot. Parameters as DuckDB takes
        them: `?` with a sequence, `$name` with a dict. For the insights compiler; the
        query is trusted SQL, the parameters are user input. QueryTimeout past `timeout`
        seconds."""
        files = self._files(EventFilter(workspace_id=workspace_id, since=since, until=until))
        with self._manifest() as manifest:
            snapshot = manifest.execute(
                "SELECT persons_path, merges_path, merges FROM person_snapshots "
                "WHERE workspace_id = ?",
                (workspace_id,),
            ).fetchone()
        connection = self._connect()
        timer = None
        try:
            raw = "raw_events" if snapshot and snapshot[2] else "events"
            if files:
                listed = ", ".join(_literal(path) for path in files)
                connection.execute(
                    f"CREATE TEMP VIEW {raw} AS SELECT * FROM "
                    f"read_parquet([{listed}], union_by_name = true) "
                    f"WHERE workspace_id = {int(workspace_id)}"
                )
            else:
                connection.execute(f"CREATE TEMP VIEW {raw} AS {_empty(SCHEMA)}")
            if snapshot:
                persons, merges, _count = snapshot
                for view, path in (("persons", persons), ("merges", merges)):
                    connection.execute(
                        f"CREATE TEMP VIEW {view} AS SELECT * FROM "
                        f"read_parquet({_literal(str(self.directory / path))})"
                    )
            else:
                connection.execute(f"CREATE TEMP VIEW persons AS {_empty(PERSONS_SCHEMA)}")
                connection.execute(f"CREATE TEMP VIEW merges AS {_empty(MERGES_SCHEMA)}")
            if raw == "raw_events":
                # An event stored under a person since merged is the surviving person's.
                connection.execute(
                    "CREATE TEMP VIEW events AS SELECT e.* REPLACE "
                    "(coalesce(m.to_id, e.person_id) AS person_id) "
                    "FROM raw_events e LEFT JOIN merges m ON m.from_id = e.person_id"
                )
            if timeout is not None:
                timer = threading.Timer(timeout, connection.interrupt)
                timer.start()
            try:
                return connection.execute(query, params).fetchall()
            except duckdb.InterruptException:
                raise QueryTimeout(timeout or 0) from None
        finally:
            if timer is not None:
                timer.cancel()
            connection.close()

    # --- persons snapshots

    def data_version(self, workspace_id: int) -> str:
        """Changes whenever this workspace's events do (a write, compaction, a delete)."""
        with self._manifest() as manifest:
            row = manifest.execute(
                "SELECT count(*), coalesce(sum(rows), 0), coalesce(max(created), 0) "
                "FROM files WHERE workspace_id = ?",
                (workspace_id,),
            ).fetchone()
        return f"{row[0]}:{row[1]}:{row[2]:.6f}" if row else "0"

    def persons_version(self, workspace_id: int) -> tuple[str, float] | None:
        """The data version the workspace's persons snapshot was made at, and when."""
        with self._manifest() as manifest:
            row = manifest.execute(
                "SELECT version, created FROM person_snapshots WHERE workspace_id = ?",
                (workspace_id,),
            ).fetchone()
        return (str(row[0]), float(row[1])) if row else None

    def write_persons(
        self, workspace_id: int, version: str, persons: pa.Table, merges: pa.Table
    ) -> None:
        """Make `persons` (PERSONS_SCHEMA: the surviving persons) and `merges`
        (MERGES_SCHEMA: merged person -> survivor) the workspace's snapshot; the files of
        the one before are retired like compacted ones."""
        stem = f"persons/workspace={int(workspace_id)}/{uuid.uuid4().hex}"
        self._put(f"{stem}.persons.parquet", lambda tmp: _write_table(persons, tmp))
        self._put(f"{stem}.merges.parquet", lambda tmp: _write_table(merges, tmp))
        now = time.time()
        with self._manifest(write=True) as manifest:
            old = manifest.execute(
                "SELECT persons_path, merges_path FROM person_snapshots WHERE workspace_id = ?",
                (workspace_id,),
            ).fetchone()
            if old:
                manifest.executemany(
                    "INSERT OR REPLACE INTO retired VALUES (?, ?)", [(p, now) for p in old]
                )
            manifest.execute(
                "INSERT OR REPLACE INTO person_snapshots VALUES (?, ?, ?, ?, ?, ?)",
                (
                    workspace_id,
                    version,
                    f"{stem}.persons.parquet",
                    f"{stem}.merges.parquet",
                    merges.num_rows,
                    now,
                ),
            )

    def export(self, where: EventFilter, path: Path, fmt: str) -> int:
        if fmt not in ("parquet", "csv"):
            raise ValueError(f"unknown export format: {fmt!r}")
        files = self._files(where)
        options = "FORMAT parquet, COMPRESSION zstd" if fmt == "parquet" else "FORMAT csv, HEADER"
        target = _literal(str(path))
        connection = self._connect()
        try:
            if not files:
                empty = pa.Table.from_pylist([], schema=SCHEMA)
                connection.register("empty_events", empty)
                connection.execute(f"COPY (SELECT * FROM empty_events) TO {target} ({options})")
                return 0
            condition, params = _where_sql(where)
            # COPY takes no prepared parameters: build the inner query as a view first.
            connection.execute(
                "CREATE TEMP TABLE picked AS SELECT * FROM read_parquet(?, union_by_name = true) "
                f"WHERE {condition} ORDER BY timestamp, message_id",
                [files, *params],
            )
            connection.execute(f"COPY (SELECT {COLUMN_LIST} FROM picked) TO {target} ({options})")
            row = connection.execute("SELECT count(*) FROM picked").fetchone()
            return int(row[0]) if row else 0
        finally:
            connection.close()

    # --- rewriting

    def delete_persons(self, workspace_id: int, person_ids: list[int]) -> int:
        """Rewrite every file holding these persons' events without them. Pass every id of
        a person (identity.person_ids_of), merged ones included."""
        ids = sorted({int(pk) for pk in person_ids})
        if not ids:
            return 0
        removed = 0
        for _attempt in range(20):
            files = self._files(EventFilter(workspace_id=workspace_id))
            if not files:
                return removed
            connection = self._connect()
            try:
                affected = connection.execute(
                    "SELECT filename, count(*) FROM read_parquet(?, filename = true, "
                    "union_by_name = true) WHERE person_id IN (SELECT unnest(?)) GROUP BY 1",
                    [files, ids],
                ).fetchall()
            finally:
                connection.close()
            if not affected:
                return removed
            raced = False
            for filename, count in affected:
                if self._rewrite_without(Path(filename), ids):
                    removed += int(count)
                else:
                    raced = True  # compacted or rewritten meanwhile: look again
            if not raced:
                return removed
        raise RuntimeError("delete_persons kept racing with compaction; try again")

    def _rewrite_without(self, source: Path, ids: list[int]) -> bool:
        relative = str(source.relative_to(self.directory))
        with self._manifest() as manifest:
            found = manifest.execute(
                "SELECT workspace_id, day FROM files WHERE path = ?", (relative,)
            ).fetchone()
        if not found:
            return False
        workspace_id, day = found
        new_relative = f"workspace={workspace_id}/day={day}/r-{uuid.uuid4().hex}.parquet"
        id_list = ", ".join(str(pk) for pk in ids)
        kept = self._copy(
            [str(source)],
            new_relative,
            f"WHERE person_id NOT IN ({id_list})",
        )
        return self._swap([relative], new_relative if kept else None, workspace_id, day, kept)

    def _copy(self, sources: list[str], relative: str, where: str = "") -> int:
        """Write the rows of `sources` (filtered) to a new file; the rows written. Nothing
        is written when no row is left."""
        listed = ", ".join(_literal(path) for path in sources)
        connection = self._connect()
        try:
            connection.execute(
                f"CREATE TEMP VIEW picked AS SELECT {COLUMN_LIST} FROM "
                f"read_parquet([{listed}], union_by_name = true) {where}"
            )
            row = connection.execute("SELECT count(*) FROM picked").fetchone()
            count = int(row[0]) if row else 0
            if count:
                self._put(
                    relative,
                    lambda tmp: connection.execute(
                        f"COPY (SELECT * FROM picked ORDER BY {', '.join(FILE_ORDER)}) "
                        f"TO {_literal(str(tmp))} (FORMAT parquet, COMPRESSION zstd, "
                        f"ROW_GROUP_SIZE {EVENTS_ROW_GROUP})"
                    ),
                )
            return count
        finally:
            connection.close()

    def _swap(
        self, old: list[str], new: str | None, workspace_id: int, day: str, rows: int
    ) -> bool:
        """Replace the files `old` by `new` (or by nothing) in one manifest transaction,
        provided every one of `old` is still live; False (and `new` removed) if not."""
        now = time.time()
        with self._manifest(write=True) as manifest:
            marks = ", ".join("?" for _ in old)
            live = manifest.execute(
                f"SELECT count(*) FROM files WHERE path IN ({marks})",
                old,
            ).fetchone()
            if not live or live[0] != len(old):
                swapped = False
            else:
                manifest.executemany("DELETE FROM files WHERE path = ?", [(p,) for p in old])
                manifest.executemany(
                    "INSERT OR REPLACE INTO retired VALUES (?, ?)", [(p, now) for p in old]
                )
                if new is not None:
                    size = (self.directory / new).stat().st_size
                    manifest.execute(
                        "INSERT INTO files VALUES (?, ?, ?, ?, ?, ?)",
                        (new, workspace_id, day, rows, size, now),
                    )
                swapped = True
        if not swapped and new is not None:
            with contextlib.suppress(OSError):
                (self.directory / new).unlink()
        return swapped

    def compact(self) -> None:
        """Merge each partition's small files into one, then delete what is past its grace
        period: retired files, files of writes cut short, old batch names."""
        with self._manifest() as manifest:
            candidates = manifest.execute(
                "SELECT workspace_id, day, path FROM files WHERE bytes < ? "
                "ORDER BY workspace_id, day, path",
                (COMPACT_TARGET_BYTES,),
            ).fetchall()
        partitions: dict[tuple[int, str], list[str]] = defaultdict(list)
        for workspace_id, day, path in candidates:
            partitions[(workspace_id, day)].append(path)
        for (workspace_id, day), paths in partitions.items():
            if len(paths) < 2:
                continue
            relative = f"workspace={workspace_id}/day={day}/c-{uuid.uuid4().hex}.parquet"
            rows = self._copy([str(self.directory / path) for path in paths], relative)
            self._swap(paths, relative if rows else None, workspace_id, day, rows)
        self._collect_garbage()

    def _collect_garbage(self) -> None:
        now = time.time()
        with self._manifest(write=True) as manifest:
            gone = [
                row[0]
                for row in manifest.execute(
                    "SELECT path FROM retired WHERE retired_at < ?", (now - GRACE_SECONDS,)
                )
            ]
            manifest.execute(
                "DELETE FROM batches WHERE written_at < ?", (now - BATCH_NAMES_DAYS * 86400,)
            )
        for path in gone:
            with contextlib.suppress(FileNotFoundError):
                (self.directory / path).unlink()
        with self._manifest(write=True) as manifest:
            manifest.executemany("DELETE FROM retired WHERE path = ?", [(p,) for p in gone])
            known = {row[0] for row in manifest.execute("SELECT path FROM files")}
            known |= {row[0] for row in manifest.execute("SELECT path FROM retired")}
        for file in [
            *self.directory.glob("workspace=*/day=*/*"),
            *self.directory.glob("persons/workspace=*/*"),
        ]:
            relative = str(file.relative_to(self.directory))
            with contextlib.suppress(FileNotFoundError):
                if relative not in known and file.stat().st_mtime < now - ORPHAN_SECONDS:
                    file.unlink()
        for folder in self.directory.glob("workspace=*/day=*"):
            with contextlib.suppress(OSError):
                folder.rmdir()  # only when empty

    def check(self) -> str:
        with self._manifest() as manifest:
            row = manifest.execute("SELECT count(*), coalesce(sum(rows), 0) FROM files").fetchone()
        files, events = (int(row[0]), int(row[1])) if row else (0, 0)
        probe = self.directory / f".check-{os.getpid()}"
        probe.write_bytes(b"ok")
        probe.unlink()
        connection = self._connect()
        try:
            version = connection.execute("SELECT version()").fetchone()
        finally:
            connection.close()
        return (
            f"DuckDB {version[0] if version else '?'} over Parquet in {self.directory}: "
            f"{events} events in {files} files"
        )


_database_lock = threading.Lock()
_database_of: dict[int, duckdb.DuckDBPyConnection] = {}


def _database() -> duckdb.DuckDBPyConnection:
    """This process's in-memory DuckDB database. Each read takes a cursor of it: a
    connection of its own (its temp views and tables, its interrupt), sharing the
    database's buffers and caches; a new database takes tens of milliseconds to warm up.
    Keyed by process id, so a forked worker makes its own."""
    pid = os.getpid()
    database = _database_of.get(pid)
    if database is None:
        with _database_lock:
            database = _database_of.get(pid)
            if database is None:
                _database_of.clear()
                database = duckdb.connect(":memory:")
                _database_of[pid] = database
    return database


def _where_sql(where: EventFilter) -> tuple[str, list[Any]]:
    parts = ["workspace_id = ?"]
    params: list[Any] = [where.workspace_id]
    if where.events:
        parts.append("event IN (SELECT unnest(?))")
        params.append(list(where.events))
    if where.person_ids:
        parts.append("person_id IN (SELECT unnest(?))")
        params.append([int(pk) for pk in where.person_ids])
    if where.distinct_ids:
        parts.append("distinct_id IN (SELECT unnest(?))")
        params.append(list(where.distinct_ids))
    if where.source_id is not None:
        parts.append("source_id = ?")
        params.append(where.source_id)
    if where.since is not None:
        parts.append("timestamp >= ?")
        params.append(where.since)
    if where.until is not None:
        parts.append("timestamp < ?")
        params.append(where.until)
    return " AND ".join(parts), params


def _empty(schema: pa.Schema) -> str:
    """A SELECT of no rows in the columns and types of `schema`."""
    kinds = {pa.int64(): "BIGINT", pa.string(): "VARCHAR"}
    columns = ", ".join(
        f'CAST(NULL AS {kinds.get(field.type, "TIMESTAMPTZ")}) AS "{field.name}"'
        for field in schema
    )
    return f"SELECT {columns} LIMIT 0"


def _write_table(table: pa.Table, path: Path, row_group_size: int | None = None) -> None:
    pq.write_table(table, path, compression="zstd", row_group_size=row_group_size)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
