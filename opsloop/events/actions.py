"""Every write of sources, write keys and persons, with its checks and audit record.

A write key is `olk_` and 32 random characters; only its SHA-256 is kept (as for API
tokens, docs/decisions/0008-api-tokens-hashed-with-sha256.md), so it is shown once, when
it is made. Rotating adds a key and leaves the old ones working until they are revoked,
so apps already in users' hands keep sending while a new version ships."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opsloop.core.actions import record_audit
from opsloop.core.errors import Conflict
from opsloop.core.models import Membership
from opsloop.core.queries import hash_token
from opsloop.core.rows import lock_current, save_changed
from opsloop.events.flusher import forget_distinct_ids, persons_changing
from opsloop.events.models import Person, PersonId, Source, WriteKey
from opsloop.events.queries import (
    check_admin_data,
    check_manages_sources,
    person_ids_of,
)
from opsloop.events.schemas import SourceIn, SourcePatch
from opsloop.events.store import get_store

KEY_PREFIX = "olk_"
# The stored prefix: "olk_" and six characters, enough to tell a workspace's keys apart.
PREFIX_LENGTH = 10


@dataclass(frozen=True)
class CreatedKey:
    """A new write key and, this once, its raw value."""

    key: WriteKey
    raw: str


@dataclass(frozen=True)
class CreatedSource:
    source: Source
    key: CreatedKey


def new_write_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(24)


def _add_key(source: Source) -> CreatedKey:
    raw = new_write_key()
    key = WriteKey.objects.create(
        source=source, prefix=raw[:PREFIX_LENGTH], key_hash=hash_token(raw)
    )
    key.active = True  # type: ignore[attr-defined]
    return CreatedKey(key=key, raw=raw)


def _saved_source(source: Source, before: dict[str, Any] | None = None) -> Source:
    """Save a new source, or of a locked one the fields that differ from `before`."""
    try:
        with transaction.atomic():
            if before is None:
                source.save()
            else:
                save_changed(source, before)
    except IntegrityError:
        raise Conflict(
            _("A source named %(name)s already exists.") % {"name": source.name}, field="name"
        ) from None
    return source


def do_create_source(*, actor: Membership, data: SourceIn, via: str = "") -> CreatedSource:
    """A source and its first write key."""
    check_manages_sources(actor)
    with transaction.atomic():
        source = _saved_source(
            Source(
                workspace_id=actor.workspace_id,
                name=data.name,
                kind=data.kind,
                rate_limit=data.rate_limit,
                created_by=actor.user,
            )
        )
        created = _add_key(source)
        extra = {"via": via} if via else {}
        record_audit(
            actor=actor.user,
            action="source.create",
            workspace=actor.workspace,
            target=source.name,
            source_id=source.pk,
            kind=source.kind,
            **extra,
        )
        record_audit(
            actor=actor.user,
            action="write_key.create",
            workspace=actor.workspace,
            target=created.key.prefix,
            source_id=source.pk,
            key_id=created.key.pk,
            **extra,
        )
    return CreatedSource(source=source, key=created)


def do_update_source(*, actor: Membership, source: Source, data: SourcePatch) -> Source:
    """Rename a source, or change its kind or rate limit (null rate_limit: no limit)."""
    check_manages_sources(actor)
    sent = data.model_dump(exclude_unset=True)
    with transaction.atomic():
        before = lock_current(source)
        for name in ("name", "kind"):
            if sent.get(name) is not None:
                setattr(source, name, sent[name])
        if "rate_limit" in sent:
            source.rate_limit = sent["rate_limit"]
        return _saved_source(source, before)


def do_delete_source(*, actor: Membership, source: Source) -> None:
    """Delete a source and its keys: apps using them are refused from then on. The events
    it sent stay, as their persons' history."""
    check_manages_sources(actor)
    with transaction.atomic():
        record_audit(
            actor=actor.user,
            action="source.delete",
            workspace=actor.workspace,
            target=source.name,
            source_id=source.pk,
            keys=source.keys.filter(revoked_at__isnull=True).count(),
        )
        source.delete()


def do_rotate_key(*, actor: Membership, source: Source) -> CreatedKey:
    """A new key for the source; the old ones keep working until revoked."""
    check_manages_sources(actor)
    with transaction.atomic():
        created = _add_key(source)
        record_audit(
            actor=actor.user,
            action="write_key.rotate",
            workspace=actor.workspace,
            target=created.key.prefix,
            source_id=source.pk,
            key_id=created.key.pk,
        )
    return created


def do_revoke_key(*, actor: Membership, key: WriteKey) -> WriteKey:
    """Revoke a key: events sent with it are refused from then on."""
    check_manages_sources(actor)
    with transaction.atomic():
        updated = WriteKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if not updated:
            raise Conflict(_("This key was revoked already."))
        key.refresh_from_db(fields=["revoked_at"])
        record_audit(
            actor=actor.user,
            action="write_key.revoke",
            workspace=actor.workspace,
            target=key.prefix,
            source_id=key.source_id,
            key_id=key.pk,
        )
    key.active = False  # type: ignore[attr-defined]
    return key


@dataclass(frozen=True)
class DeletedPerson:
    events: int
    persons: int


def do_delete_person(*, actor: Membership, person: Person) -> DeletedPerson:
    """A user's privacy request: their events leave the event store, then their records
    (with the persons merged into them and every distinct id) leave the database.

    Events go first: should that fail, the records are still there to try again with.
    All of it runs between two passes of the flusher (flusher.persons_changing): a pass
    that resolved rows to this person has stored them before the events are deleted. Their
    distinct ids are forgotten before anything is deleted (flusher.forget_distinct_ids):
    no event of theirs received before now is stored afterwards, though a pass read it
    already or it still waits in the inbox; a later event of theirs starts a new person."""
    check_admin_data(actor, "delete")
    with persons_changing():
        ids = sorted(set(person_ids_of(person)))
        forget_distinct_ids(
            person.workspace_id,
            list(
                PersonId.objects.filter(
                    workspace_id=person.workspace_id, person_id__in=ids
                ).values_list("distinct_id", flat=True)
            ),
        )
        events = get_store().delete_persons(person.workspace_id, ids)
        _delete_persons(actor, person, ids, events)
    return DeletedPerson(events=events, persons=len(ids))


def _delete_persons(actor: Membership, person: Person, ids: list[int], events: int) -> None:
    with transaction.atomic():
        Person.objects.filter(workspace_id=person.workspace_id, pk__in=ids).delete()
        # The person's ids and traits are what the request asks to forget: the audit row
        # keeps the number alone.
        record_audit(
            actor=actor.user,
            action="person.delete",
            workspace=actor.workspace,
            target=f"#{person.pk}",
            events=events,
            persons=len(ids),
        )
