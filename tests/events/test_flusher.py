"""The flusher: inbox to store, each message once, whatever stops it and wherever."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from opsloop.events import flusher as flusher_module
from opsloop.events import inbox
from opsloop.events.flusher import Flusher, FlusherBusy, drain, flush_once, run_forever
from opsloop.events.models import PersonId
from opsloop.events.store import EventFilter, get_store
from tests.events._pipeline import at, identify, row


@pytest.fixture
def ws(workspace):
    return workspace.pk


@pytest.fixture
def writer(store_dir):
    box = inbox.Inbox(inbox.inbox_dir())
    yield box
    box.close()


def stored(ws):
    return get_store().list_events(EventFilter(workspace_id=ws), limit=10_000)


def message_ids(ws):
    return sorted(r["message_id"] for r in stored(ws))


def test_a_pass_stores_the_inbox_with_persons(ws, writer):
    writer.append([row(workspace_id=ws, message_id="a", anonymous_id="x1", timestamp=at(0))])
    writer.append(
        [
            identify("u1", "x1", workspace_id=ws, message_id="b", timestamp=at(1)),
            row(workspace_id=ws, message_id="c", user_id="u1", timestamp=at(2)),
        ]
    )
    assert flush_once() == 3
    assert flush_once() == 0
    person = PersonId.objects.get(workspace_id=ws, distinct_id="u1").person
    assert {r["message_id"]: r["person_id"] for r in stored(ws)} == {
        "a": person.pk,
        "b": person.pk,
        "c": person.pk,
    }


def test_drain_takes_pass_after_pass_until_the_inbox_is_stored(ws, writer):
    for n in range(5):
        writer.append([row(workspace_id=ws, message_id=f"m{n}-{i}") for i in range(20)])
    # A pass takes a few lines at this size; drain goes on until one stores nothing.
    assert drain(max_bytes=4_000) == 100
    assert len(message_ids(ws)) == 100 and flush_once() == 0


def test_a_resent_message_is_stored_once_even_much_later(ws, writer, store_dir):
    writer.append([row(workspace_id=ws, message_id="m1"), row(workspace_id=ws, message_id="m1")])
    writer.append([row(workspace_id=ws, message_id="m1"), row(workspace_id=ws, message_id="m2")])
    assert flush_once() == 2
    writer.close()
    flush_once()  # the finished segment is deleted
    assert not list(inbox.inbox_dir().iterdir())

    later = inbox.Inbox(inbox.inbox_dir())
    later.append([row(workspace_id=ws, message_id="m2"), row(workspace_id=ws, message_id="m3")])
    later.close()
    assert flush_once() == 1
    assert message_ids(ws) == ["m1", "m2", "m3"]
    # The same message id in another workspace is another message.
    other = inbox.Inbox(inbox.inbox_dir())
    from opsloop.core import actions as core_actions
    from opsloop.core.models import User

    ws2 = core_actions.do_create_workspace(
        actor=User.objects.get(username="owner"), slug="two", name="Two"
    ).pk
    other.append([row(workspace_id=ws2, message_id="m1")])
    other.close()
    assert flush_once() == 1


def crash_in(monkeypatch, target, name, *, after=False):
    """Make target.name raise once, before (or after) doing its work."""
    real = getattr(target, name)
    calls = []

    def crashing(*args, **kwargs):
        if not calls:
            calls.append(1)
            if after:
                real(*args, **kwargs)
            raise KeyboardInterrupt("killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(target, name, crashing)


@pytest.mark.parametrize(
    "where",
    [
        "record",  # in the transaction that records the batch: nothing happened
        "persons",  # after recording, before persons
        "write",  # before the store write
        "write-done",  # after the store write, before the batch is marked done
        "done",  # in the transaction that marks it done
    ],
)
def test_a_crash_at_any_point_stores_every_message_once(ws, writer, monkeypatch, where):
    writer.append([row(workspace_id=ws, message_id="early")])
    assert flush_once() == 1
    writer.append(
        [row(workspace_id=ws, message_id="early"), row(workspace_id=ws, message_id="late")]
    )
    writer.append([row(workspace_id=ws, message_id="later", timestamp=at(days=1))])

    with monkeypatch.context() as patch:
        if where == "record":
            crash_in(patch, Flusher, "_record")
        elif where == "persons":
            crash_in(patch, flusher_module, "resolve_persons")
        elif where == "write":
            crash_in(patch, type(get_store()), "write")
        elif where == "write-done":
            crash_in(patch, type(get_store()), "write", after=True)
        else:
            real = Flusher._transaction
            state = {"n": 0}

            def crash_on_second(self):
                state["n"] += 1
                if state["n"] == 2:
                    raise KeyboardInterrupt("killed")
                return real(self)

            patch.setattr(Flusher, "_transaction", crash_on_second)
        with pytest.raises(KeyboardInterrupt):
            flush_once()

    flush_once()  # the next start redoes what was pending
    flush_once()
    assert message_ids(ws) == ["early", "late", "later"]


def test_a_redo_writes_only_what_its_batch_saw_first(ws, writer, monkeypatch):
    writer.append([row(workspace_id=ws, message_id="m1")])
    flush_once()
    writer.append([row(workspace_id=ws, message_id="m1"), row(workspace_id=ws, message_id="m2")])
    with monkeypatch.context() as patch:
        crash_in(patch, type(get_store()), "write")
        with pytest.raises(KeyboardInterrupt):
            flush_once()
    assert flush_once() == 1
    assert message_ids(ws) == ["m1", "m2"]


def test_a_pass_reads_a_bounded_amount(ws, writer):
    for i in range(20):
        writer.append([row(workspace_id=ws, message_id=f"m{i}", properties={"pad": "x" * 500})])
    size = next(inbox.inbox_dir().iterdir()).stat().st_size
    flusher = Flusher(max_bytes=size // 4).open()
    try:
        passes = [flusher.flush_once() for _ in range(6)]
    finally:
        flusher.close()
    assert all(0 < n <= 6 for n in passes[:4]), passes
    assert sum(passes) == 20
    assert len(message_ids(ws)) == 20


def test_finished_segments_are_deleted_once_consumed(ws, writer, store_dir):
    directory = inbox.inbox_dir()
    writer.append([row(workspace_id=ws, message_id="open")])
    flush_once()
    # This process's open segment may still grow: kept.
    assert [p.suffix for p in directory.iterdir()] == [".open"]

    # A dead writer's open segment with a torn last line: the torn line is never stored.
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = directory / f"{os.uname().nodename}-{int(child.stdout)}-1{inbox.OPEN}"
    import orjson

    dead.write_bytes(
        orjson.dumps([row(workspace_id=ws, message_id="whole")]) + b"\n" + b'[{"workspace_id":'
    )
    assert flush_once() == 1
    assert not dead.exists()

    writer.close()  # renamed .ndjson: finished
    assert [p.suffix for p in directory.iterdir()] == [".ndjson"]
    flush_once()
    assert list(directory.iterdir()) == []
    assert message_ids(ws) == ["open", "whole"]


def test_only_one_flusher_per_data_dir(ws, writer):
    first = Flusher().open()
    try:
        with pytest.raises(FlusherBusy, match="Another events flusher"):
            Flusher().open()
        with pytest.raises(FlusherBusy):
            flush_once()
    finally:
        first.close()
    assert flush_once() == 0


def test_run_forever_flushes_until_stopped(ws, writer):
    stop = threading.Event()

    def feed():
        writer.append([row(workspace_id=ws, message_id="while-running")])

    threading.Timer(0.2, feed).start()
    threading.Timer(1.5, stop.set).start()
    run_forever(interval=0.05, stop=stop)
    assert message_ids(ws) == ["while-running"]


def test_state_lives_in_a_wal_sqlite_file_under_the_data_dir(ws, writer, store_dir):
    writer.append([row(workspace_id=ws, message_id="a")])
    flush_once()
    import sqlite3

    state = sqlite3.connect(store_dir / "events" / "state.sqlite3")
    assert state.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert state.execute("SELECT count(*) FROM seen").fetchone()[0] == 1
    assert state.execute("SELECT count(*) FROM batches WHERE done = 0").fetchone()[0] == 0
