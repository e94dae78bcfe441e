"""The flusher: moves events from the inbox to the event store, each exactly once.

A pass (`flush_once`) takes whole batches from the inbox segments, at most
MAX_PASS_BYTES of them, drops every message a workspace has sent before (on
(workspace_id, message_id), however long ago it came: DEDUP_DAYS), gives each row its
person (identity.resolve_persons) and writes the rows to the store in one named write.

Its state lives in DATA_DIR/events/state.sqlite3 (WAL, synchronous=FULL): the offset
reached in each segment, the message ids seen with the batch that first saw each, and
the batches. A pass is:

1. one transaction: record a batch (its ranges of segments), insert its message ids
   (INSERT OR IGNORE: a message already seen keeps its first batch), move the offsets;
2. resolve persons and write the rows this batch saw first, under the batch's name,
   derived from where it starts in the inbox (segment and offset);
3. mark the batch done.

A crash before 1 commits leaves nothing to undo; after it, the batch stays pending and
the next start redoes it first: it reads the same ranges, keeps the rows whose message
ids the batch saw first, and writes them under the same name, which the store stores
once (store.EventStore.write). Only one flusher runs per DATA_DIR (an flock on
DATA_DIR/events/flusher.lock).

Step 2 holds a second flock, DATA_DIR/events/persons.lock, which every writer of persons
other than the flusher takes too (`persons_changing()`: a privacy delete), so that a pass
never writes rows for a person deleted after the pass read it, and the flusher's person
cache (identity.PersonCache, kept across passes) is cleared after any such change: the
writer leaves a new token in DATA_DIR/events/persons.changed, which each pass compares.

The lock alone does not cover a batch read before a privacy delete and resolved after it
(step 1 done, step 2 waiting for the lock; or a pending batch redone after a crash), nor
events of the person still waiting in the inbox: resolved after the delete, they would
start a new person and land. So the delete, under the lock, first records each of the
person's distinct ids (a digest, never the id) with its time in the state's `forgotten`
table (`forget_distinct_ids`), and step 2 drops every row that names one of them and was
received before that time. Rows received after it start a new person, as a later visit
does. The flusher reads the table when the token changes, not per row or per pass, and
drops an entry once a pass has left nothing in the inbox and the entry is FORGOTTEN_SECONDS
old (a request's rows reach the inbox within that of their received_at): so it holds
digests only while rows of theirs may still wait (docs/decisions/0023).
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import hashlib
import logging
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import close_old_connections
from django.utils.translation import gettext as _

from opsloop.events import inbox
from opsloop.events.identity import PersonCache, alias_previous_id, resolve_persons
from opsloop.events.rows import as_datetime
from opsloop.events.store import EventStore, get_store

log = logging.getLogger(__name__)

# A pass reads at most this much of the inbox (its rows take some ten times that in memory).
MAX_PASS_BYTES = 8 * 1024 * 1024
# Message ids are remembered this long: a message resent within it is stored once.
DEDUP_DAYS = 35
# How long a writer of persons waits for a flusher's pass to end (persons_changing).
PERSONS_LOCK_SECONDS = 120.0
# The person cache is dropped this often all the same: a write of persons that forgot
# persons_changing() (a hand edit in the admin) is not answered from it for longer.
PERSON_CACHE_SECONDS = 600.0
PERSONS_LOCK, PERSONS_CHANGED = "persons.lock", "persons.changed"
# A privacy delete's forgotten ids are kept at least this long, and until a pass leaves the
# inbox empty: longer than ingestion takes from stamping received_at to the inbox's fsync.
FORGOTTEN_SECONDS = 3600.0

# Distinct ids of persons deleted by a privacy request: rows naming one, received before
# deleted_at (epoch seconds), are dropped (see the module's docstring).
_FORGOTTEN_DDL = """
CREATE TABLE IF NOT EXISTS forgotten (
    workspace_id INTEGER NOT NULL,
    digest BLOB NOT NULL,  -- _digest(distinct id)
    deleted_at REAL NOT NULL,
    PRIMARY KEY (workspace_id, digest)
) WITHOUT ROWID;
"""

_STATE_DDL = (
    """
CREATE TABLE IF NOT EXISTS offsets (segment TEXT PRIMARY KEY, offset INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS batches (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created REAL NOT NULL,
    done INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS batch_ranges (
    batch INTEGER NOT NULL,
    segment TEXT NOT NULL,  -- the segment's name without its suffix (.open / .ndjson)
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS batch_ranges_batch ON batch_ranges (batch);
CREATE TABLE IF NOT EXISTS seen (
    workspace_id INTEGER NOT NULL,
    message_id TEXT NOT NULL,
    batch INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, message_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS seen_batch ON seen (batch);
"""
    + _FORGOTTEN_DDL
)


class FlusherBusy(RuntimeError):
    """Another flusher holds this data dir's lock."""


def state_dir() -> Path:
    return Path(settings.DATA_DIR) / "events"


@dataclass(frozen=True)
class _Range:
    segment: str  # stem
    start: int
    end: int


class Flusher:
    """One flusher over the inbox of a data dir; holds its lock while open."""

    def __init__(
        self,
        *,
        store: EventStore | None = None,
        inbox_directory: Path | None = None,
        directory: Path | None = None,
        max_bytes: int = MAX_PASS_BYTES,
    ) -> None:
        self.directory = directory or state_dir()
        self.inbox_directory = inbox_directory or inbox.inbox_dir()
        self.store = store
        self.max_bytes = max_bytes
        self._lock_file: IO[bytes] | None = None
        self._db: sqlite3.Connection | None = None
        # Persons as this flusher last wrote or read them, across passes; right because
        # it is the only flusher of the data dir and other writers clear it (see above).
        self.persons = PersonCache()
        self._persons_token: bytes | None = None
        self._persons_since = time.monotonic()
        # The forgotten table as of the persons token: workspace -> digest -> deleted_at.
        self._forgotten: dict[int, dict[bytes, float]] = {}

    # --- lock and state

    def open(self, *, wait: bool = False) -> Flusher:
        self.directory.mkdir(parents=True, exist_ok=True)
        lock_file = open(self.directory / "flusher.lock", "ab")  # noqa: SIM115 (held open)
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                lock_file.close()
                raise FlusherBusy(
                    _("Another events flusher is running for %(dir)s; only one may.")
                    % {"dir": settings.DATA_DIR}
                ) from None
            log.warning("Another events flusher is running; waiting for it to stop.")
            fcntl.flock(lock_file, fcntl.LOCK_EX)
        self._lock_file = lock_file
        db = sqlite3.connect(self.directory / "state.sqlite3", isolation_level=None, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        # FULL: a committed offset must survive a power cut, or rows are read twice (and
        # the seen table says they were stored, so they would be dropped: lost).
        db.execute("PRAGMA synchronous=FULL")
        # Message ids are random, so a pass's inserts into `seen` touch a page each: a
        # bigger page cache reads fewer back, and a checkpoint every ~100 MB of WAL
        # (rather than 4) copies a page dirtied by several passes to the file once.
        db.execute("PRAGMA cache_size=-65536")
        db.execute("PRAGMA wal_autocheckpoint=25000")
        db.executescript(_STATE_DDL)
        self._db = db
        # So that an idle flusher drops those left by its predecessor, too.
        self._forgotten = self._read_forgotten()
        return self

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._lock_file is not None:
            self._lock_file.close()  # releases the flock
            self._lock_file = None

    def __enter__(self) -> Flusher:
        return self if self._db is not None else self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError("the flusher is not open")
        return self._db

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _store(self) -> EventStore:
        if self.store is None:
            self.store = get_store()
        return self.store

    # --- passes

    def flush_once(self) -> int:
        """One pass: redo a pending batch, if any, then take up to max_bytes of the inbox;
        the rows stored."""
        # A pass makes some million small objects, almost none in cycles: the collector,
        # run every few hundred of them, walked the young ones again and again (about a
        # sixth of a pass). It runs as usual between passes and collects what a pass left.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._pass()
        finally:
            if collecting:
                gc.enable()

    def _pass(self) -> int:
        stored = 0
        # A batch left pending by a crash (or by a failed write in this process) first.
        for batch_id, name in self.db.execute(
            "SELECT id, name FROM batches WHERE done = 0 ORDER BY id"
        ).fetchall():
            stored += self._finish_batch(batch_id, name, self._read_ranges(batch_id))
        segments = inbox.segments(self.inbox_directory)
        ranges, lines = self._take(segments)
        if ranges:
            batch_id, name, firsts = self._record(ranges, lines)
            stored += self._finish_batch(batch_id, name, lines, firsts)
        self._remove_finished(segments)
        self._forget_old()
        if self._forgotten:
            self._expire_forgotten()
        return stored

    def _offset(self, stem: str) -> int:
        row = self.db.execute("SELECT offset FROM offsets WHERE segment = ?", (stem,)).fetchone()
        return int(row[0]) if row else 0

    def _take(
        self, segments: list[inbox.Segment]
    ) -> tuple[list[_Range], list[list[dict[str, Any]]]]:
        """Whole lines from the segments, oldest first, up to max_bytes in all."""
        budget = self.max_bytes
        ranges: list[_Range] = []
        lines: list[list[dict[str, Any]]] = []
        for segment in segments:
            if budget <= 0:
                break
            stem = segment.path.stem
            start = self._offset(stem)
            end = start
            for _start, line_end, rows in _read(segment.path, start, budget):
                lines.append(rows)
                end = line_end
            if end > start:
                ranges.append(_Range(stem, start, end))
                budget -= end - start
        return ranges, lines

    def _record(
        self, ranges: list[_Range], lines: list[list[dict[str, Any]]]
    ) -> tuple[int, str, set[tuple[int, str]] | None]:
        """Record a batch: its ranges, its message ids, the offsets past it. With the
        batch's id and name, the message ids it saw first when that is all of them (the
        usual case: no resend, no copy within the batch), else None (read them back)."""
        first = ranges[0]
        name = f"{first.segment}-{first.start}"
        keys = sorted(
            {
                (int(row["workspace_id"]), str(message_id))
                for rows in lines
                for row in rows
                if (message_id := row.get("message_id"))
            }
        )
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO batches (name, created) VALUES (?, ?)", (name, time.time())
            )
            batch_id = int(cursor.lastrowid or 0)
            db.executemany(
                'INSERT INTO batch_ranges (batch, segment, start, "end") VALUES (?, ?, ?, ?)',
                [(batch_id, r.segment, r.start, r.end) for r in ranges],
            )
            before = db.total_changes
            # In key order: neighbouring inserts land on the same pages of the index.
            db.executemany(
                "INSERT OR IGNORE INTO seen (workspace_id, message_id, batch) VALUES (?, ?, ?)",
                [(workspace_id, message_id, batch_id) for workspace_id, message_id in keys],
            )
            inserted = db.total_changes - before
            db.executemany(
                "INSERT OR REPLACE INTO offsets (segment, offset) VALUES (?, ?)",
                [(r.segment, r.end) for r in ranges],
            )
        return batch_id, name, set(keys) if inserted == len(keys) else None

    def _read_ranges(self, batch_id: int) -> list[list[dict[str, Any]]]:
        lines: list[list[dict[str, Any]]] = []
        for stem, start, end in self.db.execute(
            'SELECT segment, start, "end" FROM batch_ranges WHERE batch = ? ORDER BY rowid',
            (batch_id,),
        ).fetchall():
            path = _segment_path(self.inbox_directory, stem)
            if path is None:
                raise RuntimeError(
                    f"inbox segment {stem} of pending batch {batch_id} is gone; "
                    "its events cannot be redone"
                )
            for _start, line_end, rows in _read(path, start, end - start):
                if line_end > end:
                    break
                lines.append(rows)
        return lines

    def _finish_batch(
        self,
        batch_id: int,
        name: str,
        lines: list[list[dict[str, Any]]],
        firsts: set[tuple[int, str]] | None = None,
    ) -> int:
        if firsts is None:
            firsts = {
                (int(workspace_id), str(message_id))
                for workspace_id, message_id in self.db.execute(
                    "SELECT workspace_id, message_id FROM seen WHERE batch = ?", (batch_id,)
                )
            }
        rows: list[dict[str, Any]] = []
        taken: set[tuple[int, str]] = set()
        for line in lines:
            for row in line:
                message_id = str(row.get("message_id") or "")
                if message_id:
                    key = (int(row["workspace_id"]), message_id)
                    # A message this batch did not see first, or saw twice.
                    if key not in firsts or key in taken:
                        continue
                    taken.add(key)
                rows.append(row)
        if rows:
            with _persons_lock(self.directory):
                token = _persons_token(self.directory)
                now = time.monotonic()
                if token != self._persons_token or now - self._persons_since > PERSON_CACHE_SECONDS:
                    self.persons.clear()  # persons changed outside the flusher (or may have)
                    self._persons_token, self._persons_since = token, now
                    self._forgotten = self._read_forgotten()
                if self._forgotten:
                    rows = _without_forgotten(rows, self._forgotten)
                try:
                    resolve_persons(rows, self.persons)
                    self._store().write(rows, name=name)
                except BaseException:
                    # What the database holds may be ahead of the cache: read it again.
                    self.persons.clear()
                    raise
        with self._transaction() as db:
            db.execute("UPDATE batches SET done = 1 WHERE id = ?", (batch_id,))
        return len(rows)

    def _read_forgotten(self) -> dict[int, dict[bytes, float]]:
        forgotten: dict[int, dict[bytes, float]] = {}
        for workspace_id, digest, deleted_at in self.db.execute(
            "SELECT workspace_id, digest, deleted_at FROM forgotten"
        ):
            forgotten.setdefault(int(workspace_id), {})[bytes(digest)] = float(deleted_at)
        return forgotten

    def _expire_forgotten(self) -> None:
        """Drop the forgotten ids no row still waiting can name: the inbox is empty, so
        every row received before `now - FORGOTTEN_SECONDS` has been through a pass."""
        cutoff = time.time() - FORGOTTEN_SECONDS
        if self._inbox_has_more():
            return
        with self._transaction() as db:
            db.execute("DELETE FROM forgotten WHERE deleted_at < ?", (cutoff,))
        for workspace_id in list(self._forgotten):
            kept = {d: at for d, at in self._forgotten[workspace_id].items() if at >= cutoff}
            if kept:
                self._forgotten[workspace_id] = kept
            else:
                del self._forgotten[workspace_id]

    def _remove_finished(self, segments: list[inbox.Segment]) -> None:
        """Delete the finished segments that hold no whole line past their offset."""
        pending = {
            row[0]
            for row in self.db.execute(
                "SELECT DISTINCT segment FROM batch_ranges JOIN batches ON batches.id = batch "
                "WHERE done = 0"
            )
        }
        for segment in segments:
            stem = segment.path.stem
            if not segment.finished or stem in pending:
                continue
            offset = self._offset(stem)
            with contextlib.suppress(FileNotFoundError):
                if next(iter(_read(segment.path, offset, 1)), None) is not None:
                    continue  # more to read next pass
                # The file goes first: a stale offset row is harmless, a missing one with
                # the file still there would read it again from the start.
                segment.path.unlink()
            with self._transaction() as db:
                db.execute("DELETE FROM offsets WHERE segment = ?", (stem,))

    def _forget_old(self) -> None:
        cutoff = time.time() - DEDUP_DAYS * 86400
        row = self.db.execute(
            "SELECT max(id) FROM batches WHERE created < ? AND done = 1", (cutoff,)
        ).fetchone()
        if row and row[0]:
            with self._transaction() as db:
                db.execute("DELETE FROM seen WHERE batch <= ?", (row[0],))
                db.execute("DELETE FROM batch_ranges WHERE batch <= ?", (row[0],))
                db.execute("DELETE FROM batches WHERE id <= ? AND done = 1", (row[0],))

    def run_forever(self, interval: float, stop: threading.Event | None = None) -> None:
        stop = stop or threading.Event()
        while not stop.is_set():
            # A connection the database dropped while we slept is not used again.
            close_old_connections()
            try:
                stored = self.flush_once()
                log.debug("events flushed: %d", stored)
                busy = self._inbox_has_more()
            except Exception:
                log.exception("events flush failed; trying again")
                busy = False
            if not busy:
                stop.wait(interval)

    def _inbox_has_more(self) -> bool:
        for segment in inbox.segments(self.inbox_directory):
            if next(iter(_read(segment.path, self._offset(segment.path.stem), 1)), None):
                return True
        return False


def _digest(distinct_id: str) -> bytes:
    return hashlib.blake2b(distinct_id.encode(), digest_size=16).digest()


def _without_forgotten(
    rows: list[dict[str, Any]], forgotten: dict[int, dict[bytes, float]]
) -> list[dict[str, Any]]:
    """The rows but those naming a forgotten distinct id of their workspace and received
    before it was forgotten. Hashes ids only of the workspaces that have any."""
    kept: list[dict[str, Any]] = []
    for row in rows:
        digests = forgotten.get(int(row["workspace_id"]))
        if digests:
            ids = _named_ids(row)
            deleted_at = max((digests.get(_digest(i), 0.0) for i in ids), default=0.0)
            if deleted_at and _received(row) <= deleted_at:
                continue
        kept.append(row)
    return kept


def _named_ids(row: dict[str, Any]) -> set[str]:
    """The ids whose persons the row would touch (identity.resolve_persons): its distinct
    id, and every id an identify or alias joins. A track's anonymous id beside its user id
    is not one: the user may be another person than that anonymous visitor."""
    ids = {str(row.get("distinct_id") or row.get("user_id") or row.get("anonymous_id") or "")}
    kind = row.get("type")
    if kind == "identify" or kind == "alias":
        ids.update(str(row.get(column) or "") for column in ("user_id", "anonymous_id"))
        if kind == "alias":
            ids.add(alias_previous_id(row))
    ids.discard("")
    return ids


def _received(row: dict[str, Any]) -> float:
    """A row's received_at in epoch seconds; one without a readable one counts as early
    (dropped rather than stored against a privacy request)."""
    try:
        return as_datetime(row.get("received_at")).timestamp()
    except (TypeError, ValueError):
        return 0.0


def _segment_path(directory: Path, stem: str) -> Path | None:
    for suffix in (inbox.CLOSED, inbox.OPEN):
        path = directory / f"{stem}{suffix}"
        if path.exists():
            return path
    return None


def _read(path: Path, offset: int, max_bytes: int) -> Iterator[tuple[int, int, list[Any]]]:
    """inbox.read_batches, following a segment renamed from .open to .ndjson meanwhile."""
    try:
        yield from inbox.read_batches(path, offset, max_bytes)
    except FileNotFoundError:
        renamed = _segment_path(path.parent, path.stem)
        if renamed is not None:
            yield from inbox.read_batches(renamed, offset, max_bytes)


def flush_once(*, max_bytes: int = MAX_PASS_BYTES, wait: bool = False) -> int:
    """One pass over the inbox; the rows stored. Raises FlusherBusy when another flusher
    runs for this data dir (unless `wait`, which waits for it)."""
    flusher = Flusher(max_bytes=max_bytes).open(wait=wait)
    try:
        return flusher.flush_once()
    finally:
        flusher.close()


@contextlib.contextmanager
def _persons_lock(directory: Path, timeout: float | None = None) -> Iterator[None]:
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / PERSONS_LOCK, "ab") as lock_file:
        if timeout is None:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
        else:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise TimeoutError(
                            f"the events flusher held {directory / PERSONS_LOCK} for over "
                            f"{timeout:.0f} s; try again"
                        ) from None
                    time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _persons_token(directory: Path) -> bytes:
    try:
        return (directory / PERSONS_CHANGED).read_bytes()
    except FileNotFoundError:
        return b""


@contextlib.contextmanager
def persons_changing(
    directory: Path | None = None, timeout: float = PERSONS_LOCK_SECONDS
) -> Iterator[None]:
    """Around a write of persons (or their ids) by anything but the flusher: waits for a
    flusher's pass in progress to end and keeps the next from starting until the block
    is done, then tells the flusher to forget the persons it knows. A pass's rows are
    thus stored wholly before the block (a privacy delete removes them) or resolved
    wholly after it (against the persons it left). TimeoutError after `timeout` s."""
    directory = directory or state_dir()
    with _persons_lock(directory, timeout):
        # Before the block, not after: a process killed in it (its writes committed or
        # not) has changed the token all the same, and no pass runs until the lock goes.
        token = directory / PERSONS_CHANGED
        tmp = token.with_name(f".{PERSONS_CHANGED}.{os.getpid()}.tmp")
        tmp.write_bytes(uuid.uuid4().hex.encode())
        os.replace(tmp, token)
        yield


def forget_distinct_ids(
    workspace_id: int, distinct_ids: list[str], directory: Path | None = None
) -> None:
    """A privacy delete's distinct ids, as of now: no row naming one and received before
    now is stored any more, whenever a pass takes it. Call it inside persons_changing(),
    so that no pass is between its reading of this table and its write."""
    if not distinct_ids:
        return
    directory = directory or state_dir()
    directory.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(directory / "state.sqlite3", isolation_level=None, timeout=30)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        # The delete answers once this is on disk: a power cut must not bring the rows back.
        db.execute("PRAGMA synchronous=FULL")
        db.executescript(_FORGOTTEN_DDL)
        now = time.time()
        db.execute("BEGIN IMMEDIATE")
        db.executemany(
            "INSERT INTO forgotten (workspace_id, digest, deleted_at) VALUES (?, ?, ?) "
            "ON CONFLICT (workspace_id, digest) DO UPDATE SET deleted_at = excluded.deleted_at",
            [(workspace_id, _digest(i), now) for i in sorted(set(distinct_ids))],
        )
        db.execute("COMMIT")
    finally:
        db.close()


def flusher_running(directory: Path | None = None) -> bool:
    """Whether a flusher holds this data dir's lock now (`opsloop check` asks)."""
    path = (directory or state_dir()) / "flusher.lock"
    if not path.exists():
        return False
    with open(path, "ab") as lock_file:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(lock_file, fcntl.LOCK_UN)
        return False


def backlog(inbox_directory: Path | None = None) -> int:
    """Bytes in the inbox's segments: accepted events, most not yet stored."""
    total = 0
    for segment in inbox.segments(inbox_directory):
        with contextlib.suppress(OSError):
            total += segment.path.stat().st_size
    return total


def drain(*, max_bytes: int = MAX_PASS_BYTES, wait: bool = False) -> int:
    """Passes until the inbox holds nothing more to store; the rows stored."""
    flusher = Flusher(max_bytes=max_bytes).open(wait=wait)
    try:
        stored = 0
        while passed := flusher.flush_once():
            stored += passed
        return stored
    finally:
        flusher.close()


def run_forever(
    interval: float | None = None, stop: threading.Event | None = None, *, wait: bool = True
) -> None:
    """Flush every `interval` seconds (settings.EVENTS_FLUSH_INTERVAL) until `stop` is set;
    at once again while the inbox holds more than a pass takes. A second flusher for the
    same data dir waits for the first to stop (or, without `wait`, raises FlusherBusy)."""
    if interval is None:
        interval = float(settings.EVENTS_FLUSH_INTERVAL)
    flusher = Flusher().open(wait=wait)
    try:
        log.info("events flusher running (pid %d)", os.getpid())
        flusher.run_forever(interval, stop)
    finally:
        flusher.close()
