"""The flusher's person cache (identity.PersonCache) is never stale, and a privacy delete
never loses a race with a pass (flusher.persons_changing)."""

from __future__ import annotations

import datetime as dt
import random
import threading

import pyarrow as pa
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opsloop.events import actions, inbox
from opsloop.events import flusher as flusher_module
from opsloop.events.flusher import Flusher, FlusherBusy, persons_changing
from opsloop.events.identity import PersonCache
from opsloop.events.models import Person, PersonId
from opsloop.events.rows import normalized
from opsloop.events.store import EventFilter, get_store
from opsloop.events.store.parquet import SCHEMA, rows_table
from tests.conftest import membership_of
from tests.events._pipeline import at, identify, row


@pytest.fixture
def ws(workspace):
    return workspace.pk


@pytest.fixture
def writer(store_dir):
    box = inbox.Inbox(inbox.inbox_dir())
    yield box
    box.close()


@pytest.fixture
def flusher(store_dir):
    """One long-lived flusher, as `opsloop run` keeps: its cache lasts across passes."""
    with Flusher() as running:
        yield running


def stored(ws):
    return {
        r["message_id"]: r["person_id"]
        for r in get_store().list_events(EventFilter(workspace_id=ws), limit=10_000)
    }


def person_of(ws, distinct_id):
    return PersonId.objects.get(workspace_id=ws, distinct_id=distinct_id).person


def assert_cache_is_the_database(cache: PersonCache) -> None:
    """Every id the cache can answer for maps to the person the database has for it, and
    that person is as the database holds it."""
    answered = 0
    for (workspace_id, distinct_id), _pk in cache.ids.items():
        hit = cache.lookup(workspace_id, distinct_id)
        if hit is None:
            continue
        answered += 1
        pk, known = hit
        owner = PersonId.objects.get(workspace_id=workspace_id, distinct_id=distinct_id)
        assert owner.person_id == pk, distinct_id
        person = Person.objects.get(pk=pk)
        assert person.merged_into_id is None
        assert (known.user_id, known.first_seen, known.last_seen) == (
            person.user_id,
            person.first_seen,
            person.last_seen,
        ), distinct_id
    assert answered, "the cache answers for nobody: the test tests nothing"


def test_a_pass_over_known_persons_reads_none_of_them(ws, writer, flusher):
    writer.append([row(workspace_id=ws, user_id=f"u{n}", timestamp=at(0)) for n in range(20)])
    assert flusher.flush_once() == 20
    writer.append([row(workspace_id=ws, user_id=f"u{n}", timestamp=at(1)) for n in range(20)])
    with CaptureQueriesContext(connection) as queries:
        assert flusher.flush_once() == 20
    persons = [q["sql"] for q in queries if "events_person" in q["sql"]]
    assert persons == []
    assert_cache_is_the_database(flusher.persons)
    assert len(set(stored(ws).values())) == 20


def test_last_seen_is_written_as_without_the_cache(ws, writer, flusher):
    writer.append([row(workspace_id=ws, message_id="a", user_id="u1", timestamp=at(0))])
    flusher.flush_once()
    # Within five minutes of what is stored: not written, and the cache says so.
    writer.append([row(workspace_id=ws, message_id="b", user_id="u1", timestamp=at(4))])
    flusher.flush_once()
    assert person_of(ws, "u1").last_seen == at(0)
    assert_cache_is_the_database(flusher.persons)
    # Five minutes past what is stored (not past the last event seen): written.
    writer.append([row(workspace_id=ws, message_id="c", user_id="u1", timestamp=at(5))])
    flusher.flush_once()
    assert person_of(ws, "u1").last_seen == at(5)
    assert_cache_is_the_database(flusher.persons)


def test_a_merge_by_identify_moves_the_cached_ids(ws, writer, flusher):
    writer.append(
        [
            row(workspace_id=ws, message_id="a", anonymous_id="anon-1", timestamp=at(0)),
            row(workspace_id=ws, message_id="b", user_id="u1", timestamp=at(0)),
        ]
    )
    flusher.flush_once()
    anonymous, user = person_of(ws, "anon-1"), person_of(ws, "u1")
    assert anonymous.pk != user.pk and flusher.persons.lookup(ws, "anon-1")
    writer.append(
        [identify("u1", "anon-1", workspace_id=ws, message_id="c", timestamp=at(10))],
    )
    flusher.flush_once()
    writer.append(
        [row(workspace_id=ws, message_id="d", anonymous_id="anon-1", timestamp=at(11))],
    )
    flusher.flush_once()
    merged_into = Person.objects.get(pk=anonymous.pk).merged_into_id
    survivor = person_of(ws, "anon-1").pk
    assert survivor == person_of(ws, "u1").pk and merged_into == survivor
    assert stored(ws)["d"] == survivor
    assert_cache_is_the_database(flusher.persons)


def test_a_merged_persons_other_ids_are_not_answered_from_the_cache(ws, writer, flusher):
    # anon-1 and anon-2 are one anonymous person (an alias joined them).
    writer.append(
        [
            row(workspace_id=ws, message_id="a", anonymous_id="anon-1", timestamp=at(0)),
            row(
                workspace_id=ws,
                message_id="b",
                type="alias",
                event="$create_alias",
                anonymous_id="anon-1",
                properties={"previous_id": "anon-2"},
                timestamp=at(0),
            ),
            row(workspace_id=ws, message_id="c", user_id="u1", timestamp=at(0)),
        ]
    )
    flusher.flush_once()
    assert person_of(ws, "anon-2").pk == person_of(ws, "anon-1").pk
    assert flusher.persons.lookup(ws, "anon-2")
    # They sign in as u1, in a pass that names anon-1 only: anon-2 moves to u1 too.
    writer.append([identify("u1", "anon-1", workspace_id=ws, message_id="d", timestamp=at(10))])
    flusher.flush_once()
    writer.append(
        [row(workspace_id=ws, message_id="e", anonymous_id="anon-2", timestamp=at(11))],
    )
    flusher.flush_once()
    assert stored(ws)["e"] == person_of(ws, "u1").pk == person_of(ws, "anon-2").pk
    assert_cache_is_the_database(flusher.persons)


def test_a_merge_by_alias_moves_the_cached_ids(ws, writer, flusher):
    writer.append(
        [
            row(workspace_id=ws, message_id="a", anonymous_id="old-id", timestamp=at(0)),
            row(workspace_id=ws, message_id="b", user_id="u1", timestamp=at(0)),
        ]
    )
    flusher.flush_once()
    old = person_of(ws, "old-id")
    writer.append(
        [
            row(
                workspace_id=ws,
                message_id="c",
                type="alias",
                event="$create_alias",
                user_id="u1",
                distinct_id="u1",
                properties={"previous_id": "old-id"},
                timestamp=at(10),
            )
        ]
    )
    flusher.flush_once()
    writer.append(
        [row(workspace_id=ws, message_id="d", anonymous_id="old-id", timestamp=at(11))],
    )
    flusher.flush_once()
    assert person_of(ws, "old-id").pk == person_of(ws, "u1").pk
    assert Person.objects.get(pk=old.pk).merged_into_id == person_of(ws, "u1").pk
    assert stored(ws)["d"] == person_of(ws, "u1").pk
    assert_cache_is_the_database(flusher.persons)


def test_traits_of_a_cached_person_are_read_when_an_identify_sets_more(ws, writer, flusher):
    writer.append(
        [identify("u1", workspace_id=ws, traits={"city": "上海"}, timestamp=at(0))],
    )
    flusher.flush_once()
    writer.append([row(workspace_id=ws, user_id="u1", timestamp=at(1))])
    flusher.flush_once()
    writer.append(
        [identify("u1", workspace_id=ws, traits={"name": "李雷"}, timestamp=at(2))],
    )
    flusher.flush_once()
    person = person_of(ws, "u1")
    assert person.traits == {"city": "上海", "name": "李雷"}
    assert set(person.trait_times) == {"city", "name"}
    assert_cache_is_the_database(flusher.persons)


def test_a_privacy_delete_clears_the_cache(ws, writer, flusher, owner, workspace):
    writer.append([row(workspace_id=ws, message_id="a", user_id="u1", timestamp=at(0))])
    flusher.flush_once()
    gone = person_of(ws, "u1")
    assert flusher.persons.lookup(ws, "u1")[0] == gone.pk
    actions.do_delete_person(actor=membership_of(owner, workspace), person=gone)
    # Received after the delete (one received before it is dropped: test_privacy_delete).
    later = dt.datetime.now(tz=dt.UTC)
    writer.append(
        [row(workspace_id=ws, message_id="b", user_id="u1", timestamp=at(1), received_at=later)]
    )
    flusher.flush_once()
    # A later event of theirs starts a new person, never the deleted one.
    new = person_of(ws, "u1")
    assert new.pk != gone.pk
    assert stored(ws) == {"b": new.pk}
    assert_cache_is_the_database(flusher.persons)


def test_any_write_of_persons_in_persons_changing_clears_the_cache(ws, writer, flusher):
    writer.append(
        [
            row(workspace_id=ws, message_id="a", user_id="u1", timestamp=at(0)),
            row(workspace_id=ws, message_id="b", user_id="u2", timestamp=at(0)),
        ]
    )
    flusher.flush_once()
    u2 = person_of(ws, "u2")
    with persons_changing():
        # An operator moves u1's id to u2's person (the admin, a script...).
        PersonId.objects.filter(workspace_id=ws, distinct_id="u1").update(person=u2)
    writer.append([row(workspace_id=ws, message_id="c", user_id="u1", timestamp=at(1))])
    flusher.flush_once()
    assert stored(ws)["c"] == u2.pk
    assert_cache_is_the_database(flusher.persons)


def test_a_writer_that_fails_in_persons_changing_clears_the_cache_too(ws, writer, flusher):
    writer.append(
        [
            row(workspace_id=ws, message_id="a", user_id="u1", timestamp=at(0)),
            row(workspace_id=ws, message_id="b", user_id="u2", timestamp=at(0)),
        ]
    )
    flusher.flush_once()
    u2 = person_of(ws, "u2")
    with pytest.raises(RuntimeError), persons_changing():
        PersonId.objects.filter(workspace_id=ws, distinct_id="u1").update(person=u2)
        raise RuntimeError("killed here")
    writer.append([row(workspace_id=ws, message_id="c", user_id="u1", timestamp=at(1))])
    flusher.flush_once()
    assert stored(ws)["c"] == u2.pk


def test_the_cache_is_dropped_after_a_while_whatever_wrote_persons(
    ws, writer, flusher, monkeypatch
):
    writer.append(
        [
            row(workspace_id=ws, message_id="a", user_id="u1", timestamp=at(0)),
            row(workspace_id=ws, message_id="b", user_id="u2", timestamp=at(0)),
        ]
    )
    flusher.flush_once()
    u2 = person_of(ws, "u2")
    # A hand edit that did not say so (persons_changing): answered from the cache...
    PersonId.objects.filter(workspace_id=ws, distinct_id="u1").update(person=u2)
    writer.append([row(workspace_id=ws, message_id="c", user_id="u1", timestamp=at(1))])
    flusher.flush_once()
    assert stored(ws)["c"] != u2.pk
    # ...only until the cache is PERSON_CACHE_SECONDS old.
    monkeypatch.setattr(flusher_module, "PERSON_CACHE_SECONDS", 0.0)
    writer.append([row(workspace_id=ws, message_id="d", user_id="u1", timestamp=at(2))])
    flusher.flush_once()
    assert stored(ws)["d"] == u2.pk


def test_a_failed_pass_clears_the_cache_and_its_redo_is_right(ws, writer, flusher):
    writer.append([row(workspace_id=ws, message_id="a", anonymous_id="anon-1", timestamp=at(0))])
    flusher.flush_once()
    writer.append(
        [
            identify("u1", "anon-1", workspace_id=ws, message_id="b", timestamp=at(10)),
            row(workspace_id=ws, message_id="c", user_id="u9", timestamp=at(10)),
        ]
    )
    store = flusher._store()
    real_write = store.write

    def failing(rows, *, name=None):
        raise OSError("disk full")

    store.write = failing  # type: ignore[method-assign]
    with pytest.raises(OSError):
        flusher.flush_once()
    # The persons were committed, the rows were not stored: the cache knows nothing.
    assert len(flusher.persons) == 0
    store.write = real_write  # type: ignore[method-assign]
    flusher.flush_once()
    # identify kept the stored (anonymous) person and gave it u1.
    anonymous = person_of(ws, "anon-1").pk
    assert person_of(ws, "u1").pk == anonymous
    assert stored(ws) == {"a": anonymous, "b": anonymous, "c": person_of(ws, "u9").pk}
    assert_cache_is_the_database(flusher.persons)


def test_a_small_cache_forgets_and_reads_again(ws, writer, flusher):
    flusher.persons = PersonCache(size=3)
    for minute in range(3):
        writer.append(
            [
                row(workspace_id=ws, user_id=f"u{n}", timestamp=at(minute * 6))
                for n in range(minute, minute + 5)
            ]
        )
        flusher.flush_once()
        assert len(flusher.persons) <= 3
        assert_cache_is_the_database(flusher.persons)
    assert PersonId.objects.filter(workspace_id=ws).count() == 7
    assert Person.objects.filter(workspace_id=ws).count() == 7


def test_the_cache_relies_on_one_flusher_per_data_dir(flusher):
    # A second flusher would write persons the first one has cached: it may not run.
    with pytest.raises(FlusherBusy):
        Flusher().open()


@pytest.mark.django_db(transaction=True)
def test_a_privacy_delete_waits_for_a_pass_that_read_the_person(owner, workspace, writer):
    ws = workspace.pk
    writer.append([row(workspace_id=ws, message_id="a", user_id="u1", timestamp=at(0))])
    with Flusher() as running:
        running.flush_once()
        person = person_of(ws, "u1")
        writer.append([row(workspace_id=ws, message_id="b", user_id="u1", timestamp=at(1))])
        store = running._store()
        real_write = store.write
        seen: dict[str, object] = {}

        def delete() -> None:
            try:
                actions.do_delete_person(actor=membership_of(owner, workspace), person=person)
            finally:
                connection.close()

        def write(rows, *, name=None):
            # The pass has given "b" the person; the privacy request comes in now.
            deleting = threading.Thread(target=delete)
            deleting.start()
            deleting.join(timeout=1.0)
            seen["waited"] = deleting.is_alive()
            seen["deleting"] = deleting
            real_write(rows, name=name)

        store.write = write  # type: ignore[method-assign]
        running.flush_once()
        seen["deleting"].join(timeout=60)  # type: ignore[attr-defined]
    assert seen["waited"] is True
    # The delete came after the pass's rows were stored, so it removed them too.
    assert stored(ws) == {}
    assert not Person.objects.filter(pk=person.pk).exists()


def test_rows_table_converts_odd_values_as_value_by_value_would():
    rows = [row(message_id=f"m{n}", user_id=f"u{n}") for n in range(6)]
    rows[0]["person_id"] = None
    rows[1]["source_id"] = "7"
    rows[2]["properties"] = None
    rows[3]["traits"] = ""
    rows[4]["traits"] = {"city": "上海"}
    rows[5]["url"] = None
    rows[5]["title"] = 5
    rows[0]["workspace_id"] = True
    del rows[1]["ip"]
    expected = pa.Table.from_pylist([normalized(r) for r in rows], schema=SCHEMA)
    assert rows_table(rows).equals(expected)
    plain = [row(message_id=f"p{n}") for n in range(4)]
    plain[0]["properties"] = ""
    plain[1]["name"] = None
    assert rows_table(plain).equals(
        pa.Table.from_pylist([normalized(r) for r in plain], schema=SCHEMA)
    )
    assert rows_table([]).num_rows == 0


def test_a_batch_without_identify_or_alias_replays_as_in_time_order(ws, workspace):
    from opsloop.events.identity import _Batch, _moment, _named_ids

    rng = random.Random(3)
    for n in range(10):
        person = Person.objects.create(
            workspace=workspace,
            user_id=f"u{n}" if n % 2 else "",
            first_seen=at(-100),
            # Moved on by the rows below (at 0), within five minutes of them, past them.
            last_seen=at([0, 38, 60][n % 3]),
        )
        PersonId.objects.create(workspace=workspace, distinct_id=f"u{n}", person=person)
        PersonId.objects.create(workspace=workspace, distinct_id=f"anon-{n}", person=person)
    rows = []
    for _ in range(300):
        n = rng.randrange(14)
        moment = at(rng.uniform(-10, 40))
        if rng.random() < 0.5:
            rows.append(row(workspace_id=ws, user_id=f"u{n}", anonymous_id="", timestamp=moment))
        else:
            rows.append(row(workspace_id=ws, anonymous_id=f"anon-{n}", timestamp=moment))
    moments = [_moment(r["timestamp"]) for r in rows]

    def replayed(how: str) -> dict[str, tuple]:
        batch = _Batch(ws)
        batch.load(set(_named_ids(rows)), set())
        getattr(batch, how)(rows, moments)
        return {
            distinct_id: (n.pk, n.first_seen, n.last_seen, n.user_id, n.changed, n.new_ids)
            for distinct_id, n in batch.owner.items()
        }

    plain = replayed("_replay_plain")
    assert plain == replayed("_replay_in_order")
    # Some stored persons were moved on, some not, and some persons are new.
    changed = [state[4] for state in plain.values()]
    assert any(changed) and not all(changed)
    assert any(state[0] is None for state in plain.values())
