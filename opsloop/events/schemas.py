"""Input and output shapes of sources and their write keys, persons and events."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field, StringConstraints

from opsloop.core.inputs import STRICT
from opsloop.core.schemas import SINGLE_LINE, Out

SourceName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80), SINGLE_LINE
]
Kind = Literal["web", "ios", "android", "miniprogram", "server"]
RateLimit = Annotated[int, Field(ge=1, le=1_000_000), STRICT]

KIND_HELP = "web, ios, android, miniprogram or server."
RATE_HELP = "Events a second this source may send (1-1,000,000); null: no limit of its own."


class SourceIn(Schema):
    name: SourceName
    kind: Kind = Field("web", description=KIND_HELP)
    rate_limit: RateLimit | None = Field(None, description=RATE_HELP)


class SourcePatch(Schema):
    name: SourceName | None = None
    kind: Kind | None = Field(None, description=KIND_HELP)
    rate_limit: RateLimit | None = Field(None, description=RATE_HELP)


# --- outputs


class KeyOut(Out):
    id: int
    prefix: str = Field(description="The first characters of the key, to tell keys apart.")
    created_at: datetime
    revoked_at: datetime | None
    active: bool


class SourceOut(Out):
    id: int
    name: str
    kind: str
    rate_limit: int | None
    created_at: datetime
    future_timestamps: int = Field(
        description="Its events that said a time more than 23 hours ahead of the server's "
        "clock and were stored at the time received (properties.original_timestamp keeps "
        "the time they said): a client with a wrong clock."
    )
    last_future_timestamp_at: datetime | None
    keys: list[KeyOut] | None = Field(
        None, description="Admins only (never the keys themselves); null for members."
    )


class KeyCreatedOut(Schema):
    key: KeyOut
    write_key: str = Field(description="The key itself: shown this once, only its hash is kept.")


class SourceCreatedOut(Schema):
    source: SourceOut
    key: KeyOut
    write_key: str = Field(description="The key itself: shown this once, only its hash is kept.")


class PersonOut(Out):
    id: int
    label: str
    user_id: str
    distinct_ids: list[str]
    traits: dict[str, Any]
    first_seen: datetime
    last_seen: datetime


class PersonPageOut(Schema):
    count: int = Field(description="Persons matching the filters, on all pages.")
    page: int
    per_page: int
    pages: int
    results: list[PersonOut]


class EventOut(Schema):
    message_id: str
    type: str
    event: str
    name: str
    source_id: int
    person_id: int
    distinct_id: str
    anonymous_id: str
    user_id: str
    timestamp: datetime
    received_at: datetime
    url: str
    path: str
    referrer: str
    title: str
    utm_source: str
    utm_medium: str
    utm_campaign: str
    utm_term: str
    utm_content: str
    device_type: str
    os: str
    app_version: str
    locale: str
    properties: dict[str, Any]
    traits: dict[str, Any]


class EventPageOut(Schema):
    count: int = Field(description="Events matching the filters, on all pages.")
    page: int
    per_page: int
    pages: int
    results: list[EventOut]
