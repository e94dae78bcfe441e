"""Row conversions both stores share: inbox rows (ISO strings, JSON text) in, read rows
(aware UTC datetimes, dicts) out."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson

from opsloop.events.rows import COLUMNS

TIMESTAMP_COLUMNS = tuple(name for name, (kind, _ch) in COLUMNS.items() if kind == "timestamp")
INT_COLUMNS = tuple(name for name, (kind, _ch) in COLUMNS.items() if kind == "int64")
JSON_COLUMNS = tuple(name for name, (kind, _ch) in COLUMNS.items() if kind == "json")
UTC = dt.UTC


def as_datetime(value: Any) -> dt.datetime:
    """An aware UTC datetime from an inbox value (ISO 8601 text) or a datetime."""
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def as_json_text(value: Any) -> str:
    if value is None or value == "":
        return "{}"
    if isinstance(value, str):
        return value
    return orjson.dumps(value).decode()


def normalized(row: dict[str, Any]) -> dict[str, Any]:
    """The row with every column of COLUMNS in its stored type (missing ones empty)."""
    out: dict[str, Any] = {}
    for name, (kind, _ch) in COLUMNS.items():
        value = row.get(name)
        if kind == "int64":
            out[name] = int(value or 0)
        elif kind == "timestamp":
            out[name] = as_datetime(value)
        elif kind == "json":
            out[name] = as_json_text(value)
        else:
            out[name] = "" if value is None else str(value)
    return out


def read_row(values: dict[str, Any]) -> dict[str, Any]:
    """A stored row as reads return it: aware UTC datetimes, properties and traits as dicts."""
    row = dict(values)
    for name in TIMESTAMP_COLUMNS:
        if name in row and row[name] is not None:
            row[name] = as_datetime(row[name])
    for name in INT_COLUMNS:
        if name in row and row[name] is not None:
            row[name] = int(row[name])
    for name in JSON_COLUMNS:
        if name in row:
            text = row[name]
            row[name] = orjson.loads(text) if text else {}
    return row


def day_of(moment: dt.datetime) -> dt.date:
    return moment.astimezone(UTC).date()
