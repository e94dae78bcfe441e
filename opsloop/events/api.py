"""API of sources and their write keys, persons, events and exports."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect
from ninja import Query, Router, Schema, Status
from pydantic import Field

from opsloop.core.paging import page_out
from opsloop.core.schemas import ERROR_CODES, ErrorOut
from opsloop.events import actions, queries
from opsloop.events.models import Person, Source, WriteKey
from opsloop.events.schemas import (
    EventPageOut,
    KeyCreatedOut,
    KeyOut,
    PersonOut,
    PersonPageOut,
    SourceCreatedOut,
    SourceIn,
    SourceOut,
    SourcePatch,
)

router = Router()

ERRORS = {ERROR_CODES: ErrorOut}
SOURCES, PERSONS, EVENTS = ["Sources"], ["Persons"], ["Events"]
SOURCE = "/workspaces/{slug}/sources/{source_id}"
PERSON = "/workspaces/{slug}/persons/{person_id}"


class EventPageQuery(Schema):
    page: str | None = Field(None, description="Page number, from 1.")
    per_page: str | None = Field(None, description="Rows a page, 1-200 (default 50).")


class PersonQuery(EventPageQuery):
    q: str | None = Field(None, description="Text in the user id, a distinct id or a trait.")
    trait: list[str] = Field(
        [], description="key=value (the trait equals it) or key (the trait is set); repeatable."
    )


class EventQuery(EventPageQuery):
    event: list[str] = Field([], description="Event names, repeated or comma-separated.")
    person: str | None = Field(None, description="A person's id: their events, merges included.")
    distinct_id: list[str] = Field([], description="Distinct ids (user or anonymous ids).")
    source: str | None = Field(None, description="A source's id.")
    since: str | None = Field(None, description="ISO 8601: events at or after it.")
    until: str | None = Field(None, description="ISO 8601: events before it.")


class ExportQuery(Schema):
    format: str | None = Field(None, description="parquet (default) or csv.")
    since: str | None = Field(None, description="ISO 8601: from this moment.")
    until: str | None = Field(None, description="ISO 8601: before this moment.")


def _source_out(source: Source, keys: bool) -> dict:
    return {
        "id": source.pk,
        "name": source.name,
        "kind": source.kind,
        "rate_limit": source.rate_limit,
        "created_at": source.created_at,
        "future_timestamps": source.future_timestamps,
        "last_future_timestamp_at": source.last_future_timestamp_at,
        "keys": queries.source_keys(source) if keys else None,
    }


# --- sources


@router.get(
    "/workspaces/{slug}/sources",
    response={200: list[SourceOut], **ERRORS},
    summary="List sources",
    description="Members and above: the apps, sites and servers that send events, by name. "
    "Admins also get each source's keys (their prefixes; never the keys themselves).",
    tags=SOURCES,
)
def get_sources(request: HttpRequest, slug: str) -> list:
    membership = queries.access_events(request.auth, slug)
    admin = queries.can_manage_sources(membership)
    sources = queries.list_sources(membership.workspace_id, with_keys=admin)
    return [
        {**_source_out(source, False), "keys": getattr(source, "key_list", None)}
        for source in sources
    ]


@router.post(
    "/workspaces/{slug}/sources",
    response={201: SourceCreatedOut, **ERRORS},
    summary="Create a source",
    description="Owners and admins. Answers with the source's first write key, shown this "
    "once. Names are unique in the workspace (409).",
    tags=SOURCES,
)
def create_source(request: HttpRequest, slug: str, payload: SourceIn) -> Status[dict]:
    membership = queries.access_events(request.auth, slug)
    created = actions.do_create_source(actor=membership, data=payload)
    return Status(
        201,
        {
            "source": _source_out(created.source, True),
            "key": created.key.key,
            "write_key": created.key.raw,
        },
    )


@router.get(
    SOURCE,
    response={200: SourceOut, **ERRORS},
    summary="Get a source",
    description="Members and above; keys for admins only.",
    tags=SOURCES,
)
def get_source(request: HttpRequest, slug: str, source_id: int) -> dict:
    membership = queries.access_events(request.auth, slug)
    source = queries.get_source(membership.workspace_id, source_id)
    return _source_out(source, queries.can_manage_sources(membership))


@router.patch(
    SOURCE,
    response={200: SourceOut, **ERRORS},
    summary="Change a source",
    description="Owners and admins: rename it, change its kind or its rate limit.",
    tags=SOURCES,
)
def update_source(request: HttpRequest, slug: str, source_id: int, payload: SourcePatch) -> dict:
    membership = queries.access_events(request.auth, slug)
    source = queries.get_source(membership.workspace_id, source_id)
    return _source_out(
        actions.do_update_source(actor=membership, source=source, data=payload), True
    )


@router.delete(
    SOURCE,
    response={204: None, **ERRORS},
    summary="Delete a source",
    description="Owners and admins. Its keys stop working; the events it sent stay.",
    tags=SOURCES,
)
def delete_source(request: HttpRequest, slug: str, source_id: int) -> Status[None]:
    membership = queries.access_events(request.auth, slug)
    actions.do_delete_source(
        actor=membership, source=queries.get_source(membership.workspace_id, source_id)
    )
    return Status(204, None)


@router.get(
    SOURCE + "/keys",
    response={200: list[KeyOut], **ERRORS},
    summary="List a source's write keys",
    description="Owners and admins: every key, newest first, active and revoked; the prefix only.",
    tags=SOURCES,
)
def get_keys(request: HttpRequest, slug: str, source_id: int) -> list[WriteKey]:
    membership = queries.access_events(request.auth, slug)
    queries.check_manages_sources(membership)
    return queries.source_keys(queries.get_source(membership.workspace_id, source_id))


@router.post(
    SOURCE + "/keys",
    response={201: KeyCreatedOut, **ERRORS},
    summary="Rotate a source's write key",
    description="Owners and admins: adds a key, shown this once. The old keys keep working "
    "until they are revoked, so apps can move over.",
    tags=SOURCES,
)
def rotate_key(request: HttpRequest, slug: str, source_id: int) -> Status[dict]:
    membership = queries.access_events(request.auth, slug)
    source = queries.get_source(membership.workspace_id, source_id)
    created = actions.do_rotate_key(actor=membership, source=source)
    return Status(201, {"key": created.key, "write_key": created.raw})


@router.post(
    SOURCE + "/keys/{key_id}/revoke",
    response={200: KeyOut, **ERRORS},
    summary="Revoke a write key",
    description="Owners and admins. Events sent with it are refused from then on; 409 when "
    "it was revoked already.",
    tags=SOURCES,
)
def revoke_key(request: HttpRequest, slug: str, source_id: int, key_id: int) -> WriteKey:
    membership = queries.access_events(request.auth, slug)
    queries.check_manages_sources(membership)
    source = queries.get_source(membership.workspace_id, source_id)
    return actions.do_revoke_key(actor=membership, key=queries.get_key(source, key_id))


# --- persons


@router.get(
    "/workspaces/{slug}/persons",
    response={200: PersonPageOut, **ERRORS},
    summary="List persons",
    description="Members and above: the users who sent events, last seen first. `q` finds "
    "text in the user id, a distinct id or a trait value; `trait=city=上海` keeps those "
    "whose trait equals the value, `trait=email` those who have the trait.",
    tags=PERSONS,
)
def get_persons(request: HttpRequest, slug: str, params: Query[PersonQuery]) -> dict:
    membership = queries.access_events(request.auth, slug)
    filters = queries.parse_person_filters(request.GET)
    page = queries.list_persons(membership.workspace_id, filters)
    return page_out(page, page.items)


@router.get(
    "/workspaces/{slug}/persons/export",
    response={302: None, **ERRORS},
    summary="Export persons",
    description="Owners and admins: persons seen between since and until, as Parquet or CSV. "
    "Answers 302 with a URL that serves the file for the next five minutes.",
    tags=PERSONS,
)
def export_persons(request: HttpRequest, slug: str, params: Query[ExportQuery]):
    membership = queries.access_events(request.auth, slug)
    queries.check_admin_data(membership, "export")
    export = queries.parse_export({**request.GET.dict(), "what": "persons"})
    return HttpResponseRedirect(queries.signed_export_path(membership, export))


@router.get(
    PERSON,
    response={200: PersonOut, **ERRORS},
    summary="Get a person",
    description="Members and above: traits, distinct ids, first and last seen. A person "
    "merged into another answers as that other.",
    tags=PERSONS,
)
def get_person(request: HttpRequest, slug: str, person_id: int) -> Person:
    membership = queries.access_events(request.auth, slug)
    return queries.get_person(membership.workspace_id, person_id)


@router.get(
    PERSON + "/events",
    response={200: EventPageOut, **ERRORS},
    summary="List a person's events",
    description="Members and above: newest first, including those of the persons merged into them.",
    tags=PERSONS,
)
def get_person_events(
    request: HttpRequest, slug: str, person_id: int, params: Query[EventPageQuery]
) -> dict:
    membership = queries.access_events(request.auth, slug)
    person = queries.get_person(membership.workspace_id, person_id)
    page = queries.person_events(person, request.GET)
    return page_out(page, page.items)


@router.delete(
    PERSON,
    response={204: None, **ERRORS},
    summary="Delete a person and their events",
    description="Owners and admins, for a privacy request: removes every event of the "
    "person (and of those merged into them) from the event store, then the person, their "
    "distinct ids and traits. Recorded in the audit log.",
    tags=PERSONS,
)
def delete_person(request: HttpRequest, slug: str, person_id: int) -> Status[None]:
    membership = queries.access_events(request.auth, slug)
    queries.check_admin_data(membership, "delete")
    person = queries.get_person(membership.workspace_id, person_id)
    actions.do_delete_person(actor=membership, person=person)
    return Status(204, None)


# --- events


@router.get(
    "/workspaces/{slug}/events",
    response={200: EventPageOut, **ERRORS},
    summary="List events",
    description="Members and above: newest first. Filters: `event` (names), `person` (an "
    "id), `distinct_id`, `source` (an id), `since` and `until` (ISO 8601, until excluded; "
    "without a zone, the install's time zone).",
    tags=EVENTS,
)
def get_events(request: HttpRequest, slug: str, params: Query[EventQuery]) -> dict:
    membership = queries.access_events(request.auth, slug)
    query = queries.parse_event_filters(membership.workspace_id, request.GET)
    page = queries.list_events(query)
    return page_out(page, page.items)


@router.get(
    "/workspaces/{slug}/events/export",
    response={302: None, **ERRORS},
    summary="Export events",
    description="Owners and admins: every event between since and until, as Parquet or "
    "CSV, one column per stored field. Answers 302 with a URL that serves the file for the "
    "next five minutes (`curl -L`).",
    tags=EVENTS,
)
def export_events(request: HttpRequest, slug: str, params: Query[ExportQuery]):
    membership = queries.access_events(request.auth, slug)
    queries.check_admin_data(membership, "export")
    export = queries.parse_export({**request.GET.dict(), "what": "events"})
    return HttpResponseRedirect(queries.signed_export_path(membership, export))
