"""The Parquet store's own promises: its layout, atomic writes behind a manifest, and
compaction and deletion that readers never see half-done."""

from __future__ import annotations

import os
import threading
import time

import pyarrow.parquet as pq
import pytest

from opsloop.events.store import EventFilter, get_store
from opsloop.events.store import parquet as parquet_module
from opsloop.events.store.parquet import ParquetStore
from tests.events._pipeline import at, row

ALL = EventFilter(workspace_id=1)


@pytest.fixture
def store(tmp_path):
    return ParquetStore(tmp_path / "events")


def live(store):
    with store._manifest() as manifest:
        return sorted(r[0] for r in manifest.execute("SELECT path FROM files"))


def test_files_are_partitioned_by_workspace_and_utc_day(store):
    store.write(
        [
            row(message_id="a", timestamp="2026-03-01T23:59:59+00:00"),
            # 00:30 in Beijing is the previous day in UTC.
            row(message_id="b", timestamp="2026-03-02T00:30:00+08:00"),
            row(message_id="c", timestamp="2026-03-02T00:00:00+00:00", workspace_id=2),
        ],
        name="batch-1",
    )
    assert live(store) == [
        "workspace=1/day=2026-03-01/batch-1.parquet",
        "workspace=2/day=2026-03-02/batch-1.parquet",
    ]
    table = pq.read_table(store.directory / "workspace=1/day=2026-03-01/batch-1.parquet")
    assert table.num_rows == 2
    assert str(table.schema.field("timestamp").type) == "timestamp[us, tz=UTC]"
    assert str(table.schema.field("person_id").type) == "int64"
    metadata = pq.ParquetFile(
        store.directory / "workspace=1/day=2026-03-01/batch-1.parquet"
    ).metadata
    assert metadata.row_group(0).column(0).compression == "ZSTD"


def test_reads_open_only_the_partitions_the_filter_needs(store):
    store.write([row(message_id=f"d{day}", timestamp=at(days=day)) for day in range(5)])
    assert len(store._files(EventFilter(workspace_id=1, since=at(days=1), until=at(days=3)))) == 3
    # until is exclusive: midnight needs nothing of its day.
    assert len(store._files(EventFilter(workspace_id=1, until=at(days=1).replace(hour=0)))) == 1
    assert store._files(EventFilter(workspace_id=9)) == []


def test_a_file_the_manifest_does_not_list_is_never_read(store):
    store.write([row(message_id="listed")])
    # A write cut short between its rename and its manifest commit leaves such a file.
    stray = store.directory / "workspace=1/day=2026-03-01/stray.parquet"
    os.link(store.directory / live(store)[0], stray)
    assert [r["message_id"] for r in store.list_events(ALL)] == ["listed"]


def test_a_redone_write_overwrites_its_leftover_file(store, monkeypatch):
    rows = [row(message_id="a"), row(message_id="b", timestamp=at(days=1))]
    calls = []
    real = store._manifest

    def crash_at_commit(write=False):
        if write:
            calls.append(1)
            raise OSError("killed before the manifest commit")
        return real(write)

    monkeypatch.setattr(store, "_manifest", crash_at_commit)
    with pytest.raises(OSError):
        store.write(rows, name="seg-0")
    monkeypatch.undo()
    assert store.count_events(ALL) == 0  # the files are there, unlisted

    store.write(rows, name="seg-0")
    store.write(rows, name="seg-0")
    assert store.count_events(ALL) == 2
    assert len(list(store.directory.glob("workspace=1/day=*/seg-0.parquet"))) == 2
    assert not list(store.directory.rglob("*.tmp"))


def test_compact_merges_a_partitions_small_files_and_retires_them(store, monkeypatch):
    for i in range(5):
        store.write([row(message_id=f"m{i}", timestamp=at(i))], name=f"b{i}")
    store.write([row(message_id="other-day", timestamp=at(days=1))])
    before = live(store)
    store.compact()
    after = live(store)
    assert len(before) == 6
    assert len(after) == 2  # one file per partition
    merged = next(path for path in after if "day=2026-03-01" in path)
    assert pq.read_table(store.directory / merged).num_rows == 5
    assert store.count_events(ALL) == 6
    # The old files stay for readers that listed them just before the swap...
    assert all((store.directory / path).exists() for path in before)
    # ... until the grace period is over.
    monkeypatch.setattr(parquet_module, "GRACE_SECONDS", -1)
    store.compact()
    assert [path for path in before if (store.directory / path).exists()] == [
        path for path in before if path in after
    ]
    # A batch name survives compaction: its redo still stores nothing.
    store.write([row(message_id="m0", timestamp=at(0))], name="b0")
    assert store.count_events(ALL) == 6


def test_readers_never_see_a_compaction_half_done(store):
    for i in range(30):
        store.write([row(message_id=f"m{i}", timestamp=at(i))])
    seen: list[int] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def read():
        while not done.is_set():
            try:
                seen.append(store.count_events(ALL))
            except BaseException as exc:  # noqa: BLE001 (reported below)
                errors.append(exc)

    readers = [threading.Thread(target=read) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        for _round in range(3):
            store.compact()
            store.write([row(message_id=f"late{_round}", timestamp=at(_round))])
    finally:
        done.set()
        for reader in readers:
            reader.join()
    assert not errors
    assert seen and set(seen) <= {30, 31, 32, 33}


def test_delete_persons_rewrites_files_atomically(store, monkeypatch):
    store.write([row(message_id="a", person_id=1), row(message_id="b", person_id=2)])
    store.write([row(message_id="c", person_id=2, timestamp=at(days=3))])
    before = live(store)
    assert store.delete_persons(1, [2]) == 2
    after = live(store)
    # The file holding only person 2 is gone from the manifest; the mixed one rewritten.
    assert len(after) == 1 and after[0] not in before
    assert [r["message_id"] for r in store.list_events(ALL)] == ["a"]
    monkeypatch.setattr(parquet_module, "GRACE_SECONDS", -1)
    store.compact()
    assert not any((store.directory / path).exists() for path in before)


def test_delete_persons_retries_when_a_compaction_swapped_the_file(store, monkeypatch):
    store.write([row(message_id="a", person_id=1)])
    store.write([row(message_id="b", person_id=2)])
    real = store._rewrite_without
    raced = []

    def compact_first(source, ids):
        if not raced:
            raced.append(1)
            store.compact()  # the file delete_persons looked at is retired meanwhile
        return real(source, ids)

    monkeypatch.setattr(store, "_rewrite_without", compact_first)
    assert store.delete_persons(1, [2]) == 1
    assert [r["message_id"] for r in store.list_events(ALL)] == ["a"]


def test_compact_removes_leftovers_of_writes_cut_short(store, monkeypatch):
    store.write([row(message_id="a")])
    folder = store.directory / "workspace=1/day=2026-03-01"
    leftover = folder / ".x.parquet.123.abc.tmp"
    leftover.write_bytes(b"half")
    old = time.time() - parquet_module.ORPHAN_SECONDS - 10
    os.utime(leftover, (old, old))
    fresh = folder / ".y.parquet.123.abc.tmp"
    fresh.write_bytes(b"being written")
    store.compact()
    assert not leftover.exists()
    assert fresh.exists()  # a write may still be making it
    assert store.count_events(ALL) == 1


def test_sql_exposes_an_events_view_even_before_any_file(store):
    assert store.sql(1, "SELECT count(*) FROM events") == [(0,)]
    store.write([row(message_id="a", event="buy"), row(message_id="b", event="view")])
    got = store.sql(1, "SELECT event, count(*) FROM events GROUP BY 1 ORDER BY 1")
    assert got == [("buy", 1), ("view", 1)]
    named = store.sql(1, "SELECT count(*) FROM events WHERE event = $e", {"e": "buy"})
    assert named == [(1,)]


def test_get_store_is_the_parquet_store_under_the_data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.EVENTS_BACKEND = "duckdb"
    store = get_store()
    assert isinstance(store, ParquetStore)
    assert store.directory == tmp_path / "events" / "parquet"
    assert "0 events in 0 files" in store.check()


def test_files_are_sorted_by_event_then_time_in_row_groups_a_query_can_skip(store, monkeypatch):
    # DuckDB (compaction) writes row groups in multiples of its 2,048-row vectors.
    monkeypatch.setattr(parquet_module, "EVENTS_ROW_GROUP", 2048)
    names = ["view", "open", "buy"]
    for batch in range(2):
        store.write(
            [
                row(message_id=f"{batch}-{i}", event=names[i % 3], timestamp=at(i / 1000))
                for i in range(3 * 2048)
            ],
            name=f"b{batch}",
        )
    for path in live(store):  # as written
        table = pq.read_table(store.directory / path)
        pairs = list(zip(table["event"].to_pylist(), table["timestamp"].to_pylist(), strict=True))
        assert pairs == sorted(pairs)
        assert pq.ParquetFile(store.directory / path).metadata.num_row_groups == 3
    store.compact()
    (path,) = live(store)
    parquet = pq.ParquetFile(store.directory / path)
    table = parquet.read()
    pairs = list(zip(table["event"].to_pylist(), table["timestamp"].to_pylist(), strict=True))
    assert pairs == sorted(pairs)
    groups = [parquet.metadata.row_group(i) for i in range(parquet.metadata.num_row_groups)]
    event = parquet.schema_arrow.get_field_index("event")
    spans = [(g.column(event).statistics.min, g.column(event).statistics.max) for g in groups]
    # 12,288 events in groups of 2,048, each group one event name: a filter on one name
    # skips the others' groups.
    assert len(groups) == 6 and all(low == high for low, high in spans)
    rows = store.sql(1, "SELECT count(*) FROM events WHERE event = 'open'")
    assert rows == [(2 * 2048,)]


def test_reads_share_one_database_and_keep_their_views_apart(store):
    store.write([row(message_id="x", timestamp=at(0))])
    other = ParquetStore(store.directory.parent / "other")
    assert store.sql(1, "SELECT count(*) FROM events") == [(1,)]
    assert other.sql(1, "SELECT count(*) FROM events") == [(0,)]
    assert parquet_module._database() is parquet_module._database()
    # A statement's temp views go with its connection.
    with pytest.raises(Exception, match="raw_events|picked"):
        parquet_module._database().cursor().execute("SELECT * FROM picked")
