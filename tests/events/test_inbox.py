"""The inbox: batches land whole, durable, one line each; readers take only whole lines;
segments say when they are finished."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import orjson

from opsloop.events import inbox
from opsloop.events.inbox import Inbox, read_batches, segments


def lines_of(directory):
    found = []
    for segment in segments(directory):
        found += [rows for _start, _end, rows in read_batches(segment.path, 0)]
    return found


def test_concurrent_appends_from_threads_all_land_as_whole_lines(tmp_path):
    box = Inbox(tmp_path, segment_bytes=64 * 1024)  # small: segments roll over meanwhile

    def send(thread):
        for n in range(100):
            box.append([{"thread": thread, "n": n, "pad": "x" * (n * 7)}] * (1 + n % 3))

    threads = [threading.Thread(target=send, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    box.close()

    batches = lines_of(tmp_path)
    assert len(batches) == 800
    got = sorted((rows[0]["thread"], rows[0]["n"], len(rows)) for rows in batches)
    assert got == sorted((t, n, 1 + n % 3) for t in range(8) for n in range(100))
    assert len(segments(tmp_path)) > 1
    assert all(segment.finished for segment in segments(tmp_path))


def test_a_torn_last_line_is_not_read(tmp_path):
    path = tmp_path / "host-1-1.ndjson"
    whole = orjson.dumps([{"a": 1}]) + b"\n" + orjson.dumps([{"a": 2}]) + b"\n"
    path.write_bytes(whole + b'[{"a": 3')
    read = list(read_batches(path, 0))
    assert [rows for _s, _e, rows in read] == [[{"a": 1}], [{"a": 2}]]
    # Offsets are byte positions: reading on from the end of one gives the next.
    assert read[0][1] == read[1][0] and read[1][1] == len(whole)
    assert list(read_batches(path, len(whole))) == []
    # Once the writer finishes the line (it cannot: it was killed), it would be read.


def test_reading_a_bounded_amount_takes_whole_lines_only(tmp_path):
    path = tmp_path / "host-1-1.ndjson"
    lines = [orjson.dumps([{"n": n, "pad": "y" * 90}]) + b"\n" for n in range(10)]
    path.write_bytes(b"".join(lines))
    size = len(lines[0])
    first = list(read_batches(path, 0, max_bytes=int(size * 2.5)))
    assert [rows[0]["n"] for _s, _e, rows in first] == [0, 1]
    # A line longer than the bound is still read, alone.
    assert [rows[0]["n"] for _s, _e, rows in read_batches(path, 0, max_bytes=10)] == [0]
    rest = list(read_batches(path, first[-1][1], max_bytes=10**6))
    assert [rows[0]["n"] for _s, _e, rows in rest] == list(range(2, 10))


def test_a_forked_child_writes_its_own_segment(tmp_path):
    box = Inbox(tmp_path)
    box.append([{"who": "parent", "n": 0}])
    pid = os.fork()
    if pid == 0:  # the child
        try:
            box.append([{"who": "child"}])
            box.close()
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    box.append([{"who": "parent", "n": 1}])

    found = {segment.pid: segment for segment in segments(tmp_path)}
    assert set(found) == {os.getpid(), pid}
    assert found[pid].finished and not found[os.getpid()].finished
    parents = [rows for _s, _e, rows in read_batches(found[os.getpid()].path, 0)]
    assert parents == [[{"who": "parent", "n": 0}], [{"who": "parent", "n": 1}]]
    box.close()


def test_segments_are_finished_by_rename_or_by_their_writer_dying(tmp_path):
    here = os.uname().nodename
    mine = Inbox(tmp_path)
    mine.append([{"n": 1}])
    # A writer in another process that is gone without closing its segment.
    script = (
        "import sys; from pathlib import Path; from opsloop.events.inbox import Inbox; "
        "Inbox(Path(sys.argv[1])).append([{'n': 2}])"
    )
    subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        check=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "opsloop.settings"},
    )
    # An open segment of another machine: its writer cannot be asked, so it is not finished.
    (tmp_path / f"elsewhere-1-1{inbox.OPEN}").write_bytes(b"")
    (tmp_path / "not-a-segment.txt").write_bytes(b"")

    listed = segments(tmp_path)
    by_state = {(s.host, s.path.suffix, s.finished) for s in listed}
    assert (here, inbox.OPEN, False) in by_state  # ours, still written
    assert (here, inbox.OPEN, True) in by_state  # the dead writer's
    assert ("elsewhere", inbox.OPEN, False) in by_state
    assert len(listed) == 3

    mine.close()
    assert {(s.path.suffix, s.finished) for s in segments(tmp_path) if s.pid == os.getpid()} == {
        (inbox.CLOSED, True)
    }
    # Oldest first, by the time in the name.
    starts = [int(s.path.stem.rsplit("-", 1)[1]) for s in segments(tmp_path)]
    assert starts == sorted(starts)


def test_append_is_durable_before_it_returns(tmp_path, monkeypatch):
    synced = []
    real = os.fdatasync
    monkeypatch.setattr(os, "fdatasync", lambda fd: (synced.append(fd), real(fd)))
    box = Inbox(tmp_path)
    box.append([{"n": 1}])
    assert synced
    box.append([])  # nothing to write, nothing written
    assert len(lines_of(tmp_path)) == 1
    box.close()
