"""Rows as ingestion makes them (opsloop/events/rows.py), for the pipeline's tests."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from opsloop.events.rows import COLUMNS

_numbers = itertools.count(1)
T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def at(minutes: float = 0, *, days: int = 0) -> dt.datetime:
    return T0 + dt.timedelta(days=days, minutes=minutes)


def row(**values: Any) -> dict[str, Any]:
    """A track row with every column; `timestamp` may be a datetime, properties and traits
    dicts."""
    number = next(_numbers)
    out: dict[str, Any] = {name: "" for name in COLUMNS}
    out.update(
        workspace_id=1,
        source_id=1,
        message_id=f"m-{number:06d}",
        type="track",
        event="signed_up",
        anonymous_id=f"anon-{number}",
        person_id=0,
        timestamp=T0,
        received_at=T0,
        properties="{}",
        traits="{}",
    )
    out.update(values)
    for key in ("timestamp", "received_at"):
        if isinstance(out[key], dt.datetime):
            out[key] = out[key].isoformat()
    for key in ("properties", "traits"):
        if isinstance(out[key], dict):
            out[key] = orjson.dumps(out[key]).decode()
    if not out["distinct_id"]:
        out["distinct_id"] = out["user_id"] or out["anonymous_id"]
    return out


def identify(user_id: str, anonymous_id: str = "", *, traits: dict | None = None, **values):
    return row(
        type="identify",
        event="$identify",
        user_id=user_id,
        anonymous_id=anonymous_id,
        distinct_id=user_id,
        traits=traits or {},
        **values,
    )


def alias(previous_id: str, user_id: str, **values):
    return row(
        type="alias",
        event="$create_alias",
        user_id=user_id,
        anonymous_id="",
        distinct_id=user_id,
        properties={"previous_id": previous_id},
        **values,
    )


@contextlib.contextmanager
def open_store(kind: str, directory: Path) -> Iterator[Any]:
    """An event store in `directory`: "parquet" (DuckDB over Parquet) or "clickhouse"
    (chdb, the embedded ClickHouse), for the tests that run on both."""
    from opsloop.events.store.clickhouse import ChdbExecutor, ClickHouseStore
    from opsloop.events.store.parquet import ParquetStore

    if kind == "parquet":
        yield ParquetStore(directory / "events")
        return
    executor = ChdbExecutor(str(directory / "chdb"))
    try:
        yield ClickHouseStore(executor)
    finally:
        executor.close()
