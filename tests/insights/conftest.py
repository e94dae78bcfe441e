"""The insights tests run each known answer on both engines: DuckDB over Parquet and
ClickHouse over chdb (embedded ClickHouse). A test writes its events with `Events` and
asks with `ask`; the engines must give the hand-worked numbers."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pyarrow as pa
import pytest

from opsloop.events.store.parquet import MERGES_SCHEMA, PERSONS_SCHEMA
from opsloop.insights.engine import make_plan, persons_behind, run_query
from opsloop.insights.query import parse_query
from tests.events._pipeline import open_store, row

TZ = "Asia/Shanghai"
SHANGHAI = zoneinfo.ZoneInfo(TZ)
TODAY = dt.date(2026, 3, 31)


def local(text: str) -> dt.datetime:
    """'2026-03-02 10:00' (or with seconds, or a bare date) in Beijing time, as UTC."""
    moment = dt.datetime.fromisoformat(text)
    return moment.replace(tzinfo=SHANGHAI).astimezone(dt.UTC)


class Events:
    """Hand-made events and persons for one test, written to the store in one go."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.rows: list[dict[str, Any]] = []
        self.persons: dict[int, dict[str, Any]] = {}
        self.merges: dict[int, int] = {}

    def add(self, person: int, event: str, when: str, **columns: Any) -> Events:
        properties = columns.pop("properties", {})
        self.rows.append(
            row(
                person_id=person,
                event=event,
                timestamp=local(when),
                properties=properties,
                **columns,
            )
        )
        self.persons.setdefault(person, {"first_seen": local(when), "traits": "{}"})
        seen = self.persons[person]
        seen["first_seen"] = min(seen["first_seen"], local(when))
        return self

    def person(self, pk: int, *, first_seen: str | None = None, traits: str = "{}") -> Events:
        entry = self.persons.setdefault(pk, {"first_seen": local(first_seen or "2026-01-01")})
        if first_seen:
            entry["first_seen"] = local(first_seen)
        entry["traits"] = traits
        return self

    def merge(self, gone: int, into: int) -> Events:
        self.merges[gone] = into
        return self

    def save(self) -> None:
        self.store.write(self.rows)
        for gone, into in self.merges.items():
            kept = self.persons.setdefault(into, dict(self.persons.get(gone, {})))
            if gone in self.persons:
                kept["first_seen"] = min(kept["first_seen"], self.persons.pop(gone)["first_seen"])
        persons = pa.Table.from_pylist(
            [
                {
                    "person_id": pk,
                    "user_id": f"u{pk}",
                    "first_seen": p["first_seen"],
                    "traits": p.get("traits", "{}"),
                }
                for pk, p in sorted(self.persons.items())
            ],
            schema=PERSONS_SCHEMA,
        )
        merges = pa.Table.from_pylist(
            [{"from_id": a, "to_id": b} for a, b in sorted(self.merges.items())],
            schema=MERGES_SCHEMA,
        )
        self.store.write_persons(1, self.store.data_version(1), persons, merges)


@pytest.fixture(params=["parquet", "clickhouse"])
def store(request, tmp_path):
    with open_store(request.param, tmp_path) as opened:
        yield opened


@pytest.fixture
def events(store):
    return Events(store)


@pytest.fixture
def ask(store):
    """ask(query_dict) -> result; ask.persons(query_dict, selection) -> sorted ids."""

    def run(
        data: dict[str, Any], today: dt.date = TODAY, cohort: list[int] | None = None
    ) -> dict[str, Any]:
        plan = make_plan(store, 1, TZ, today)
        plan.cohort_ids = cohort
        return run_query(parse_query(data), plan)

    def persons(
        data: dict[str, Any], selection: dict[str, Any], today: dt.date = TODAY
    ) -> list[int]:
        ids, total = persons_behind(
            parse_query(data), make_plan(store, 1, TZ, today), selection, limit=1000, offset=0
        )
        assert total == len(ids)
        return ids

    run.persons = persons  # type: ignore[attr-defined]
    return run


def days(first: str, last: str) -> dict[str, Any]:
    return {"preset": "custom", "date_from": first, "date_to": last}
