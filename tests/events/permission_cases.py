"""Who may call this app's API routes and pages (see tests/test_api_permissions.py and
tests/test_page_permissions.py, which read this module).

Members and above see sources (without keys), persons and events; guests, who are
agencies and partners, see none of the users' data (403); owners and admins manage sources
and keys, export, and delete a person."""

from __future__ import annotations

from django.utils import timezone

from opsloop.events import actions
from opsloop.events.models import Person, PersonId, Source
from opsloop.events.schemas import SourceIn

TEAM = "200 200 200 403 404"
ADMIN = "200 200 403 403 404"
ADMIN_CREATE = "201 201 403 403 404"
ADMIN_DELETE = "204 204 403 403 404"
ADMIN_REDIRECT = "302 302 403 403 404"
SOURCES = "/workspaces/{slug}/sources"
SOURCE = SOURCES + "/{source_id}"
PERSONS = "/workspaces/{slug}/persons"

API_ROUTES: dict = {
    ("GET", SOURCES): (TEAM, None),
    ("POST", SOURCES): (ADMIN_CREATE, lambda c: {"name": "新来源", "kind": "ios"}),
    ("GET", SOURCE): (TEAM, None),
    ("PATCH", SOURCE): (ADMIN, lambda c: {"name": "改名", "rate_limit": 100}),
    ("DELETE", SOURCE): (ADMIN_DELETE, None),
    ("GET", SOURCE + "/keys"): (ADMIN, None),
    ("POST", SOURCE + "/keys"): (ADMIN_CREATE, None),
    ("POST", SOURCE + "/keys/{key_id}/revoke"): (ADMIN, None),
    ("GET", PERSONS): (TEAM, None),
    ("GET", PERSONS + "/export"): (ADMIN_REDIRECT, None),
    ("GET", PERSONS + "/{person_id}"): (TEAM, None),
    ("GET", PERSONS + "/{person_id}/events"): (TEAM, None),
    ("DELETE", PERSONS + "/{person_id}"): (ADMIN_DELETE, None),
    ("GET", "/workspaces/{slug}/events"): (TEAM, None),
    ("GET", "/workspaces/{slug}/events/export"): (ADMIN_REDIRECT, None),
}

MEMBERS = dict(owner="ok", admin="ok", member="ok", guest=403, shared_guest=403, outsider=404)
ADMINS = dict(owner="ok", admin="ok", member=403, guest=403, shared_guest=403, outsider=404)
# Creating a source or a key answers with the page showing the key once: 200, no redirect.
SHOWS_KEY = dict(ADMINS, owner=200, admin=200)
PAGE_CASES: list = [
    ("GET", "sources", "/w/acme/sources/", MEMBERS),
    ("POST", "sources", "/w/acme/sources/", SHOWS_KEY),
    ("GET", "people", "/w/acme/people/", MEMBERS),
    ("GET", "people", "/w/acme/people/?q=u100&trait=city", MEMBERS),
    ("GET", "person", "/w/acme/people/{person_id}/", MEMBERS),
    ("GET", "live_events", "/w/acme/live/", MEMBERS),
    ("GET", "live_events", "/w/acme/live/?source={source_id}&event=signup", MEMBERS),
    ("GET", "events_export", "/w/acme/events/export/?what=persons&format=csv", ADMINS),
    # Last: it deletes the person the cases above read.
    ("POST", "person", "/w/acme/people/{person_id}/", ADMINS),
]
PAGE_POST_DATA: dict = {
    "sources": {"op": "create", "name": "小程序", "kind": "miniprogram"},
    "person": {"op": "delete"},
}


def _source(owner_ms) -> Source:
    source = Source.objects.filter(workspace_id=owner_ms.workspace_id, name="鲸选 App").first()
    if source is None:
        source = actions.do_create_source(
            actor=owner_ms, data=SourceIn(name="鲸选 App", kind="ios")
        ).source
    return source


def _person(owner_ms) -> Person:
    person = Person.objects.filter(workspace_id=owner_ms.workspace_id, user_id="u1001").first()
    if person is None:
        # Persons are made by the flusher from events (identity.py); here, as it would.
        now = timezone.now()
        person = Person.objects.create(
            workspace_id=owner_ms.workspace_id,
            user_id="u1001",
            traits={"name": "王小明", "city": "上海"},
            first_seen=now,
            last_seen=now,
        )
        PersonId.objects.create(
            workspace_id=owner_ms.workspace_id, distinct_id="u1001", person=person
        )
    return person


def project_context(*, owner_ms, project, item, tag) -> dict:
    """Ids the API routes above need; the same in every project (events are workspace-wide)."""
    source = _source(owner_ms)
    return {
        "source_id": source.pk,
        "key_id": source.keys.filter(revoked_at__isnull=True).first().pk,
        "person_id": _person(owner_ms).pk,
    }


def page_context(*, owner_ms, project, item) -> dict:
    return {"source_id": _source(owner_ms).pk, "person_id": _person(owner_ms).pk}
