"""The shape of a stored event: one row, the same in the inbox, in Parquet and in
ClickHouse. Ingestion makes rows (opsloop/events/ingest.py), the inbox keeps them
(inbox.py), the flusher gives them a person and hands them to the store (store/).

A row is a dict with exactly the keys of COLUMNS. Ingestion fills everything but
`person_id`, which the flusher sets. Times are UTC, as ISO 8601 strings in the inbox and
as timestamps (microseconds) in the store. `properties` and `traits` are JSON text.
"""

from __future__ import annotations

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
