"""The inbox: where accepted events wait, durable, for the flusher.

Ingestion answers 200 only once its batch is on disk: `append(rows)` writes the batch as
one line (a JSON array of rows, opsloop/events/rows.py) to this process's segment file and
fsyncs it before returning. One line per batch makes a batch all or nothing: a process
killed mid-write leaves a line with no newline at its end, which readers never take, and
the client, having had no 200, sends the batch again.

Each process writes its own segment (no lock between processes), named
`<host>-<pid>-<ns>.open` while written and renamed `.ndjson` when full, so the flusher
knows it will not grow. A `.open` segment whose process is gone is finished too. Threads
of a process share its segment; when several wait on fsync, one fsync covers them all
(group commit), which is most of the throughput at many small batches.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from django.conf import settings

SEGMENT_BYTES = 64 * 1024 * 1024
OPEN, CLOSED = ".open", ".ndjson"


def inbox_dir() -> Path:
    return Path(settings.DATA_DIR) / "events" / "inbox"


class Inbox:
    """This process's writer of inbox segments; thread-safe."""

    def __init__(self, directory: Path, segment_bytes: int = SEGMENT_BYTES) -> None:
        self.directory = directory
        self.segment_bytes = segment_bytes
        self._write_lock = threading.Lock()
        self._sync_lock = threading.Lock()
        self._pid = 0
        self._fd = -1
        self._path: Path | None = None
        self._size = 0
        self._written = 0  # batches written to the current process's segments
        self._synced = 0  # of those, how many an fsync has covered

    def append(self, rows: list[dict[str, Any]]) -> None:
        """Write one batch and return once it is durable."""
        if not rows:
            return
        data = orjson.dumps(rows) + b"\n"
        with self._write_lock:
            self._ready(len(data))
            fd = self._fd
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            self._size += len(data)
            self._written += 1
            mine = self._written
        self._sync(mine, fd)

    def close(self) -> None:
        """Sync and close the segment, leaving it for the flusher as finished."""
        with self._write_lock, self._sync_lock:
            self._finish()

    def _sync(self, mine: int, fd: int) -> None:
        with self._sync_lock:
            if self._synced >= mine:
                return  # an fsync that started after our write covered it
            covered = self._written
            os.fdatasync(fd)
            self._synced = max(self._synced, covered)

    def _ready(self, size: int) -> None:
        """An open segment with room for `size` more bytes, in this process."""
        if self._pid != os.getpid():
            # Forked: the parent's segment is the parent's.
            self._fd, self._path, self._pid = -1, None, os.getpid()
            self._size = self._written = self._synced = 0
        if self._fd >= 0 and self._size + size > self.segment_bytes and self._size:
            with self._sync_lock:
                self._finish()
        if self._fd < 0:
            self.directory.mkdir(parents=True, exist_ok=True)
            name = f"{socket.gethostname()}-{os.getpid()}-{time.time_ns()}{OPEN}"
            self._path = self.directory / name
            self._fd = os.open(self._path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            self._size = 0
            _sync_dir(self.directory)

    def _finish(self) -> None:
        if self._fd < 0 or self._path is None or self._pid != os.getpid():
            return
        os.fdatasync(self._fd)
        self._synced = self._written
        os.close(self._fd)
        self._path.rename(self._path.with_suffix(CLOSED))
        _sync_dir(self.directory)
        self._fd, self._path = -1, None


def _sync_dir(directory: Path) -> None:
    # A new or renamed file survives a crash only once its directory entry is synced.
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_inbox: Inbox | None = None
_inbox_lock = threading.Lock()


def get_inbox() -> Inbox:
    global _inbox
    with _inbox_lock:
        if _inbox is None or _inbox.directory != inbox_dir():
            _inbox = Inbox(inbox_dir())
        return _inbox


def append(rows: list[dict[str, Any]]) -> None:
    """Append a batch of rows to this process's inbox; durable when it returns."""
    get_inbox().append(rows)


# --- reading, for the flusher


@dataclass(frozen=True)
class Segment:
    path: Path
    pid: int
    host: str
    # No more will be written: renamed when full, or its writer is gone.
    finished: bool


def segments(directory: Path | None = None) -> list[Segment]:
    """The inbox's segments, oldest first."""
    directory = directory or inbox_dir()
    if not directory.exists():
        return []
    found = []
    here = socket.gethostname()
    for path in directory.iterdir():
        if path.suffix not in (OPEN, CLOSED):
            continue
        host, _sep, rest = path.stem.rpartition("-")[0].rpartition("-")
        try:
            pid = int(rest)
            started = int(path.stem.rpartition("-")[2])
        except ValueError:
            continue
        finished = path.suffix == CLOSED or (host == here and not _alive(pid))
        found.append((started, Segment(path=path, pid=pid, host=host, finished=finished)))
    return [segment for _started, segment in sorted(found, key=lambda pair: pair[0])]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (killed, not yet reaped) writes no more.
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        return True


def read_batches(
    path: Path, offset: int, max_bytes: int | None = None
) -> Iterator[tuple[int, int, list[dict[str, Any]]]]:
    """The whole batches of a segment from `offset`: (start, end, rows) each; a last line
    with no newline (a write cut short) is left alone. With `max_bytes`, about that much
    is read: the lines that end within it, or the first line alone if it is longer."""
    with open(path, "rb") as segment:
        segment.seek(offset)
        if max_bytes is None:
            data = segment.read()
        else:
            data = segment.read(max_bytes)
            cut = data.rfind(b"\n")
            while cut < 0:
                more = segment.read(max(max_bytes, 1 << 20))
                if not more:
                    break
                cut = more.find(b"\n")
                data += more
                if cut >= 0:
                    cut = len(data) - len(more) + cut
            data = data[: cut + 1]
    start = offset
    position = 0
    while True:
        end = data.find(b"\n", position)
        if end < 0:
            return
        line = data[position:end]
        yield start, offset + end + 1, orjson.loads(line)
        position = end + 1
        start = offset + position
