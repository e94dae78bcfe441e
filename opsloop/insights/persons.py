"""The persons snapshot: the workspace database's persons copied into the event store, so
that insights can join events to first_seen and traits and read merged persons as the
one they merged into (EventStore.write_persons).

A snapshot is made at a data version of the store. A query first makes sure the snapshot
is of the current version, or younger than INSIGHTS_PERSONS_TTL seconds: under steady
ingestion the version changes every second, and copying a million persons takes seconds.
So a snapshot lags by at most that long, which docs/metrics.md says.
"""

from __future__ import annotations

import threading
import time

import orjson
import pyarrow as pa
from django.conf import settings

from opsloop.events.models import Person
from opsloop.events.store import EventStore
from opsloop.events.store.parquet import MERGES_SCHEMA, PERSONS_SCHEMA

CHUNK = 50_000
_lock = threading.Lock()


def ensure_snapshot(store: EventStore, workspace_id: int) -> tuple[str, str]:
    """The store's data version and the one the workspace's snapshot is of, after making
    a new snapshot if the current one is stale and older than the TTL."""
    version = store.data_version(workspace_id)
    current = store.persons_version(workspace_id)
    if current is not None and (
        current[0] == version or time.time() - current[1] < settings.INSIGHTS_PERSONS_TTL
    ):
        return version, current[0]
    with _lock:
        current = store.persons_version(workspace_id)
        if current is None or current[0] != version:
            write_snapshot(store, workspace_id, version)
    return version, version


def write_snapshot(store: EventStore, workspace_id: int, version: str) -> None:
    persons = Person.objects.filter(workspace_id=workspace_id).order_by("pk")
    batches = []
    merges: dict[str, list[int]] = {"from_id": [], "to_id": []}
    last = 0
    while True:
        rows = list(
            persons.filter(pk__gt=last).values_list(
                "pk", "user_id", "first_seen", "traits", "merged_into_id"
            )[:CHUNK]
        )
        if not rows:
            break
        last = rows[-1][0]
        kept = [row for row in rows if row[4] is None]
        for row in rows:
            if row[4] is not None:
                merges["from_id"].append(row[0])
                merges["to_id"].append(row[4])
        batches.append(
            pa.table(
                {
                    "person_id": [row[0] for row in kept],
                    "user_id": [row[1] for row in kept],
                    "first_seen": [row[2] for row in kept],
                    "traits": [orjson.dumps(row[3] or {}).decode() for row in kept],
                },
                schema=PERSONS_SCHEMA,
            )
        )
    table = pa.concat_tables(batches) if batches else PERSONS_SCHEMA.empty_table()
    store.write_persons(workspace_id, version, table, pa.table(merges, schema=MERGES_SCHEMA))
