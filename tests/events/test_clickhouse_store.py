"""The event store's contract, run on both backends: DuckDB over Parquet, and ClickHouse
over chdb (embedded ClickHouse, the very DDL and SQL a server gets). They must agree."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from opsloop.events.store import EventFilter
from opsloop.events.store.clickhouse import ClickHouseStore, bind, bind_params
from opsloop.events.store.parquet import ParquetStore
from tests.events._pipeline import at, open_store, row


@pytest.fixture(params=["parquet", "clickhouse"])
def store(request, tmp_path):
    with open_store(request.param, tmp_path) as opened:
        yield opened


def ids(rows):
    return [r["message_id"] for r in rows]


def test_write_then_list_newest_first_with_limit_and_offset(store):
    rows = [row(message_id=f"m{i}", timestamp=at(i), person_id=7) for i in range(5)]
    # The same moment for two: message_id, descending, breaks the tie.
    rows.append(row(message_id="m9", timestamp=at(4), person_id=7))
    store.write(rows)

    where = EventFilter(workspace_id=1)
    assert ids(store.list_events(where)) == ["m9", "m4", "m3", "m2", "m1", "m0"]
    assert ids(store.list_events(where, limit=2, offset=1)) == ["m4", "m3"]
    assert store.count_events(where) == 6


def test_rows_read_back_in_their_types(store):
    store.write(
        [
            row(
                message_id="x",
                timestamp="2026-03-01T09:00:00.123456+00:00",
                properties={"plan": "pro", "n": 3},
                traits={"name": "李雷"},
                person_id=42,
                url="https://example.com/?a='b'",
            )
        ]
    )
    [got] = store.list_events(EventFilter(workspace_id=1))
    assert got["timestamp"] == dt.datetime(2026, 3, 1, 9, 0, 0, 123456, tzinfo=dt.UTC)
    assert got["timestamp"].utcoffset() == dt.timedelta(0)
    assert got["properties"] == {"plan": "pro", "n": 3}
    assert got["traits"] == {"name": "李雷"}
    assert got["person_id"] == 42
    assert got["url"] == "https://example.com/?a='b'"
    assert got["event"] == "signed_up"


def test_filters(store):
    store.write(
        [
            row(message_id="a", workspace_id=1, event="view", timestamp=at(0), person_id=1),
            row(message_id="b", workspace_id=1, event="buy", timestamp=at(days=1), person_id=2),
            row(message_id="c", workspace_id=1, event="buy", timestamp=at(days=2), person_id=3),
            row(message_id="d", workspace_id=2, event="buy", timestamp=at(days=1), person_id=4),
            row(
                message_id="e",
                workspace_id=1,
                event="view",
                timestamp=at(days=1),
                person_id=2,
                source_id=9,
                distinct_id="u-e",
            ),
        ]
    )

    def picked(**kw):
        return sorted(ids(store.list_events(EventFilter(**{"workspace_id": 1, **kw}), limit=99)))

    assert picked() == ["a", "b", "c", "e"]
    assert picked(events=("buy",)) == ["b", "c"]
    assert picked(person_ids=(2, 3)) == ["b", "c", "e"]
    assert picked(source_id=9) == ["e"]
    assert picked(distinct_ids=("u-e",)) == ["e"]
    # since inclusive, until exclusive
    assert picked(since=at(days=1), until=at(days=2)) == ["b", "e"]
    assert picked(until=at(days=1)) == ["a"]
    assert store.count_events(EventFilter(workspace_id=2)) == 1
    assert store.count_events(EventFilter(workspace_id=3)) == 0
    assert store.list_events(EventFilter(workspace_id=3)) == []


def test_delete_persons_removes_exactly_their_events(store):
    store.write(
        [
            row(message_id="a", person_id=1, timestamp=at(0)),
            row(message_id="b", person_id=2, timestamp=at(days=1)),
            row(message_id="c", person_id=3, timestamp=at(days=40)),
            row(message_id="d", person_id=2, timestamp=at(days=40)),
            row(message_id="e", person_id=2, workspace_id=2, timestamp=at(0)),
        ]
    )
    assert store.delete_persons(1, [2, 3]) == 3
    assert ids(store.list_events(EventFilter(workspace_id=1))) == ["a"]
    # Another workspace's person 2 is another person.
    assert ids(store.list_events(EventFilter(workspace_id=2))) == ["e"]
    assert store.delete_persons(1, [2]) == 0
    assert store.delete_persons(1, []) == 0


def test_export_parquet_and_csv(store, tmp_path):
    store.write([row(message_id=f"m{i}", timestamp=at(i), event="buy") for i in range(3)])
    store.write([row(message_id="other", event="view")])
    where = EventFilter(workspace_id=1, events=("buy",))

    assert store.export(where, tmp_path / "out.parquet", "parquet") == 3
    assert store.export(where, tmp_path / "out.csv", "csv") == 3
    connection = duckdb.connect()
    exported = connection.execute(
        "SELECT message_id, event FROM read_parquet(?) ORDER BY message_id",
        [str(tmp_path / "out.parquet")],
    ).fetchall()
    assert exported == [("m0", "buy"), ("m1", "buy"), ("m2", "buy")]
    lines = (tmp_path / "out.csv").read_text().splitlines()
    assert lines[0].replace('"', "").startswith("workspace_id,source_id,message_id")
    assert len(lines) == 4
    with pytest.raises(ValueError):
        store.export(where, tmp_path / "out.xml", "xml")


def test_a_named_write_done_twice_is_stored_once(store):
    rows = [row(message_id=f"m{i}", timestamp=at(days=i * 20)) for i in range(4)]
    store.write(rows, name="seg-0")
    store.write(rows, name="seg-0")  # a redo after a crash
    store.write([row(message_id="new")], name="seg-100")
    assert store.count_events(EventFilter(workspace_id=1)) == 5


def test_sql_sees_only_the_workspaces_events(store):
    store.write([row(message_id="a", workspace_id=1), row(message_id="b", workspace_id=2)])
    store.write([row(message_id="c", workspace_id=1, event="buy")])
    [(count,)] = store.sql(1, "SELECT count(*) FROM events")
    assert int(count) == 2
    if isinstance(store, ParquetStore):
        got = store.sql(1, "SELECT message_id FROM events WHERE event = ?", ["buy"])
    else:
        got = store.sql(1, "SELECT message_id FROM events WHERE event = {e:String}", {"e": "buy"})
    assert got == [("c",)]
    [(none,)] = store.sql(3, "SELECT count(*) FROM events")
    assert int(none) == 0


def test_compact_keeps_every_event(store):
    for i in range(4):
        store.write([row(message_id=f"m{i}", timestamp=at(i))])
    store.compact()
    assert store.count_events(EventFilter(workspace_id=1)) == 4
    assert "events" in store.check()


# --- ClickHouse only


def test_clickhouse_ddl_orders_and_partitions_as_designed():
    ddl = ClickHouseStore(executor=None).ddl()  # type: ignore[arg-type]
    assert "ENGINE = ReplacingMergeTree" in ddl
    assert "PARTITION BY toYYYYMM(timestamp)" in ddl
    assert "ORDER BY (workspace_id, toDate(timestamp), event, timestamp, message_id)" in ddl
    assert "`timestamp` DateTime64(6, 'UTC')" in ddl


def test_clickhouse_literals_are_quoted():
    assert bind("it's \\ here") == "'it\\'s \\\\ here'"
    assert bind([1, 2]) == "(1, 2)"
    assert bind(dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)) == (
        "toDateTime64('2026-01-02 03:04:05.000000', 6, 'UTC')"
    )
    assert bind_params("x = {a:String} AND y = {b:Int64}", {"a": "'; DROP", "b": 3}) == (
        "x = '\\'; DROP' AND y = 3"
    )
    with pytest.raises(KeyError):
        bind_params("x = {a:String}", {"b": 1})


def test_clickhouse_from_url_reads_credentials_and_database():
    store = ClickHouseStore.from_url("http://ops:p%40ss@db.example:8123/analytics")
    executor = store.executor
    assert executor.base == "http://db.example:8123/"  # type: ignore[attr-defined]
    assert (executor.user, executor.password) == ("ops", "p@ss")  # type: ignore[attr-defined]
    assert executor.database == "analytics"  # type: ignore[attr-defined]
    with pytest.raises(ValueError):
        ClickHouseStore.from_url("")
