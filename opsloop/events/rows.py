"""The shape of a stored event: one row, the same in the inbox, in Parquet and in
ClickHouse. Ingestion makes rows (opsloop/events/ingest.py), the inbox keeps them
(inbox.py), the flusher gives them a person and hands them to the store (store/).

A row is a dict with exactly the keys of COLUMNS. Ingestion fills everything but
`person_id`, which the flusher sets. Times are UTC, as ISO 8601 strings in the inbox and
as timestamps (microseconds) in the store. `properties` and `traits` are JSON text.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson

# name -> (Arrow/DuckDB type, ClickHouse type)
COLUMNS: dict[str, tuple[str, str]] = {
    "workspace_id": ("int64", "Int64"),
    "source_id": ("int64", "Int64"),
    "message_id": ("string", "String"),
    # track, identify, page, screen, group, alias
    "type": ("string", "LowCardinality(String)"),
    # A track's event name; the others get PostHog's names: $pageview, $screen,
    # $identify, $groupidentify, $create_alias.
    "event": ("string", "LowCardinality(String)"),
    # The page's or screen's name (page and screen calls), else empty.
    "name": ("string", "String"),
    "anonymous_id": ("string", "String"),
    "user_id": ("string", "String"),
    # user_id when there is one, else anonymous_id: who the flusher resolves.
    "distinct_id": ("string", "String"),
    # The person the distinct id belonged to when the event was flushed; a later merge
    # is applied when reading (Person.merged_into).
    "person_id": ("int64", "Int64"),
    # When it happened, corrected for the client's clock: received_at - (sent_at - original).
    "timestamp": ("timestamp", "DateTime64(6, 'UTC')"),
    "received_at": ("timestamp", "DateTime64(6, 'UTC')"),
    "url": ("string", "String"),
    "path": ("string", "String"),
    "referrer": ("string", "String"),
    "title": ("string", "String"),
    "utm_source": ("string", "LowCardinality(String)"),
    "utm_medium": ("string", "LowCardinality(String)"),
    "utm_campaign": ("string", "String"),
    "utm_term": ("string", "String"),
    "utm_content": ("string", "String"),
    "device_type": ("string", "LowCardinality(String)"),
    "os": ("string", "LowCardinality(String)"),
    "app_version": ("string", "LowCardinality(String)"),
    "locale": ("string", "LowCardinality(String)"),
    "ip": ("string", "String"),
    "user_agent": ("string", "String"),
    "properties": ("json", "String"),
    "traits": ("json", "String"),
}

STRING_COLUMNS = tuple(name for name, (kind, _ch) in COLUMNS.items() if kind in ("string", "json"))

# Event names of the calls that are not track.
CALL_EVENTS = {
    "page": "$pageview",
    "screen": "$screen",
    "identify": "$identify",
    "group": "$groupidentify",
    "alias": "$create_alias",
}


# --- conversions both stores share: inbox rows (ISO strings, JSON text) in, read rows
# (aware UTC datetimes, dicts) out.

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
