"""A privacy delete against the flusher: no event of the deleted person received before
the delete is stored after it, whether a pass had read it already (in progress, or left
pending by a crash) or it still waited in the inbox (flusher.forget_distinct_ids)."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading

import pytest
from django.db import connections

from opsloop.events import actions, inbox
from opsloop.events import flusher as flusher_module
from opsloop.events.flusher import Flusher
from opsloop.events.models import Person, PersonId
from opsloop.events.store import EventFilter, get_store
from tests.conftest import membership_of
from tests.events._pipeline import at, identify, row

WAIT = 30  # seconds; a delete that takes longer has hung


@pytest.fixture
def writer(store_dir):
    box = inbox.Inbox(inbox.inbox_dir())
    yield box
    box.close()


def stored(ws):
    return {
        r["message_id"]: r["person_id"]
        for r in get_store().list_events(EventFilter(workspace_id=ws), limit=10_000)
    }


def now() -> dt.datetime:
    return dt.datetime.now(tz=dt.UTC)


def forgotten(store_dir) -> list[tuple]:
    db = sqlite3.connect(store_dir / "events" / "state.sqlite3")
    try:
        return db.execute("SELECT workspace_id, digest, deleted_at FROM forgotten").fetchall()
    finally:
        db.close()


def delete(owner, workspace, distinct_id):
    person = PersonId.objects.get(workspace=workspace, distinct_id=distinct_id).person
    actions.do_delete_person(actor=membership_of(owner, workspace), person=person)
    return person


@pytest.mark.django_db(transaction=True)
def test_a_delete_between_a_pass_reading_and_writing_keeps_its_rows_out(
    owner, workspace, writer, monkeypatch
):
    ws = workspace.pk
    writer.append([row(workspace_id=ws, message_id="a", user_id="u1", timestamp=at(0))])
    with Flusher() as running:
        running.flush_once()
        gone = PersonId.objects.get(workspace=workspace, distinct_id="u1").person
        writer.append(
            [
                row(workspace_id=ws, message_id="b", user_id="u1", timestamp=at(1)),
                identify("u1", "anon-9", workspace_id=ws, message_id="c", timestamp=at(1)),
                row(workspace_id=ws, message_id="d", user_id="u2", timestamp=at(1)),
            ]
        )
        real_record = running._record
        order: list[str] = []
        failed: list[BaseException] = []

        def privacy_request() -> None:
            try:
                delete(owner, workspace, "u1")
                order.append("deleted")
            except BaseException as error:  # noqa: BLE001 (re-raised below)
                failed.append(error)
            finally:
                connections.close_all()

        def record(ranges, lines):
            # The pass has read its batch (and recorded it); it has not resolved or
            # written a row. The privacy request runs now, on its own connection, to the
            # end: no pass holds the persons lock, so it does not wait.
            recorded = real_record(ranges, lines)
            deleting = threading.Thread(target=privacy_request)
            deleting.start()
            deleting.join(WAIT)
            assert not deleting.is_alive(), "the delete hung"
            order.append("read")
            return recorded

        monkeypatch.setattr(running, "_record", record)
        running.flush_once()
    assert not failed, failed
    assert order == ["deleted", "read"]
    u2 = PersonId.objects.get(workspace=workspace, distinct_id="u2").person_id
    # Neither u1's event nor the identify that names u1 landed, under any person.
    assert stored(ws) == {"d": u2}
    assert not Person.objects.filter(pk=gone.pk).exists()
    assert not PersonId.objects.filter(workspace=workspace, distinct_id="u1").exists()
    assert not PersonId.objects.filter(workspace=workspace, distinct_id="anon-9").exists()


def test_a_batch_left_pending_by_a_crash_is_redone_without_the_deleted_persons_rows(
    owner, workspace, writer
):
    ws = workspace.pk
    writer.append([row(workspace_id=ws, message_id="a", user_id="u1", timestamp=at(0))])
    with Flusher() as running:
        running.flush_once()
        writer.append(
            [
                row(workspace_id=ws, message_id="b", user_id="u1", timestamp=at(1)),
                row(workspace_id=ws, message_id="c", user_id="u2", timestamp=at(1)),
            ]
        )
        store = running._store()
        real_write = store.write

        def failing(rows, *, name=None):
            raise OSError("disk full")

        store.write = failing  # type: ignore[method-assign]
        with pytest.raises(OSError):
            running.flush_once()
        store.write = real_write  # type: ignore[method-assign]
    # The flusher is gone with its batch pending; the privacy request comes now.
    delete(owner, workspace, "u1")
    with Flusher() as restarted:
        restarted.flush_once()
    u2 = PersonId.objects.get(workspace=workspace, distinct_id="u2").person_id
    assert stored(ws) == {"c": u2}
    assert not PersonId.objects.filter(workspace=workspace, distinct_id="u1").exists()


def test_events_waiting_before_the_delete_go_and_later_ones_start_a_new_person(
    owner, workspace, writer
):
    ws = workspace.pk
    with Flusher() as running:
        writer.append([row(workspace_id=ws, message_id="a", user_id="u1", timestamp=at(0))])
        running.flush_once()
        # Received, not yet flushed, when the request comes.
        writer.append(
            [
                row(workspace_id=ws, message_id="b", user_id="u1", received_at=now()),
                row(
                    workspace_id=ws,
                    message_id="c",
                    type="alias",
                    event="$create_alias",
                    user_id="u3",
                    properties={"previous_id": "u1"},
                    received_at=now(),
                ),
                # A signed-in event whose anonymous id was u1's: u3's, not u1's.
                row(
                    workspace_id=ws,
                    message_id="d",
                    user_id="u3",
                    anonymous_id="u1",
                    received_at=now(),
                ),
            ]
        )
        gone = delete(owner, workspace, "u1")
        writer.append(
            [row(workspace_id=ws, message_id="e", user_id="u1", received_at=now())],
        )
        running.flush_once()
    new = PersonId.objects.get(workspace=workspace, distinct_id="u1").person_id
    u3 = PersonId.objects.get(workspace=workspace, distinct_id="u3").person_id
    assert new != gone.pk
    assert stored(ws) == {"d": u3, "e": new}


def test_forgotten_ids_are_digests_kept_while_rows_of_theirs_may_wait(
    owner, workspace, writer, store_dir, monkeypatch
):
    ws = workspace.pk
    with Flusher() as running:
        writer.append([row(workspace_id=ws, message_id="a", user_id="u1-secret")])
        running.flush_once()
        delete(owner, workspace, "u1-secret")
        (entry,) = forgotten(store_dir)
        assert entry[0] == ws and b"u1-secret" not in bytes(entry[1])
        writer.append([row(workspace_id=ws, message_id="b", user_id="u2")])
        running.flush_once()
        # Younger than FORGOTTEN_SECONDS: a request stamped before the delete may still
        # be on its way to the inbox.
        assert len(forgotten(store_dir)) == 1
        monkeypatch.setattr(flusher_module, "FORGOTTEN_SECONDS", 0.0)
        running.max_bytes = 1
        writer.append([row(workspace_id=ws, message_id=f"m{n}", user_id="u2") for n in range(2)])
        writer.append([row(workspace_id=ws, message_id="z", user_id="u2")])
        running.flush_once()
        # Rows still wait in the inbox: kept.
        assert len(forgotten(store_dir)) == 1
        running.flush_once()
        assert forgotten(store_dir) == []
        assert running._forgotten == {}


def test_a_pass_reads_the_forgotten_ids_only_when_persons_changed(
    owner, workspace, writer, monkeypatch
):
    ws = workspace.pk
    with Flusher() as running:
        writer.append([row(workspace_id=ws, message_id="a", user_id="u1")])
        running.flush_once()
        reads: list[int] = []
        real_read = running._read_forgotten

        def read():
            reads.append(1)
            return real_read()

        monkeypatch.setattr(running, "_read_forgotten", read)
        for n in range(3):
            writer.append([row(workspace_id=ws, message_id=f"b{n}", user_id="u2")])
            running.flush_once()
        assert reads == []
        delete(owner, workspace, "u1")
        writer.append([row(workspace_id=ws, message_id="c", user_id="u2")])
        running.flush_once()
        assert reads == [1]
