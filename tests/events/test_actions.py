"""Sources, write keys and deleting a person: checks, audit rows, what is stored."""

from __future__ import annotations

import hashlib

import pytest
from django.utils import timezone

from opsloop.core.errors import Conflict, Forbidden
from opsloop.core.models import AuditLog, Role
from opsloop.events import actions, keys, queries
from opsloop.events.models import Person, PersonId, Source, WriteKey
from opsloop.events.schemas import SourceIn, SourcePatch
from opsloop.events.store import EventFilter, get_store
from tests.conftest import add_member, membership_of
from tests.events._pipeline import at, row


@pytest.fixture
def owner_ms(owner, workspace):
    return membership_of(owner, workspace)


def make_person(workspace, user_id: str, *ids: str, **traits) -> Person:
    """A person as the flusher leaves one (identity.py makes them from events)."""
    now = timezone.now()
    person = Person.objects.create(
        workspace=workspace, user_id=user_id, traits=traits, first_seen=now, last_seen=now
    )
    for distinct_id in (user_id, *ids):
        if distinct_id:
            PersonId.objects.create(workspace=workspace, distinct_id=distinct_id, person=person)
    return person


def store_events(workspace, person, n: int, **values) -> None:
    get_store().write(
        [
            row(
                workspace_id=workspace.pk,
                person_id=person.pk,
                user_id=person.user_id,
                timestamp=at(i),
                **values,
            )
            for i in range(n)
        ]
    )


def test_a_source_comes_with_a_key_shown_once_and_stored_hashed(owner_ms):
    made = actions.do_create_source(actor=owner_ms, data=SourceIn(name="鲸选 App", kind="ios"))
    raw = made.key.raw
    assert raw.startswith("olk_") and len(raw) == 4 + 32
    key = WriteKey.objects.get(source=made.source)
    assert key.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert key.prefix == raw[:10] and raw not in str(key.__dict__)
    # Ingestion finds the source by the key.
    assert keys.source_for_key(raw) == made.source
    audit = list(
        AuditLog.objects.filter(workspace=owner_ms.workspace).values_list("action", flat=True)
    )
    assert {"source.create", "write_key.create"} <= set(audit)
    assert raw not in str(list(AuditLog.objects.values_list("data", "target")))


def test_names_are_unique_and_only_admins_manage(owner_ms, workspace):
    actions.do_create_source(actor=owner_ms, data=SourceIn(name="官网"))
    with pytest.raises(Conflict):
        actions.do_create_source(actor=owner_ms, data=SourceIn(name="官网"))
    member = membership_of(add_member(workspace, "m", Role.MEMBER), workspace)
    with pytest.raises(Forbidden):
        actions.do_create_source(actor=member, data=SourceIn(name="小程序"))
    source = Source.objects.get(name="官网")
    with pytest.raises(Forbidden):
        actions.do_rotate_key(actor=member, source=source)
    admin = membership_of(add_member(workspace, "a", Role.ADMIN), workspace)
    renamed = actions.do_update_source(
        actor=admin, source=source, data=SourcePatch(name="官网 H5", rate_limit=50)
    )
    assert (renamed.name, renamed.rate_limit) == ("官网 H5", 50)
    cleared = actions.do_update_source(
        actor=admin, source=source, data=SourcePatch.model_validate({"rate_limit": None})
    )
    assert cleared.rate_limit is None and cleared.name == "官网 H5"


def test_rotate_keeps_the_old_key_until_it_is_revoked(owner_ms):
    made = actions.do_create_source(actor=owner_ms, data=SourceIn(name="Web"))
    old = made.key
    new = actions.do_rotate_key(actor=owner_ms, source=made.source)
    assert new.raw != old.raw
    assert keys.source_for_key(old.raw) == keys.source_for_key(new.raw) == made.source
    actions.do_revoke_key(actor=owner_ms, key=old.key)
    keys.clear_cache()
    assert keys.source_for_key(old.raw) is None
    assert keys.source_for_key(new.raw) == made.source
    with pytest.raises(Conflict):
        actions.do_revoke_key(actor=owner_ms, key=old.key)
    listed = queries.source_keys(made.source)
    assert [(k.pk, k.active) for k in listed] == [(new.key.pk, True), (old.key.pk, False)]
    audit = AuditLog.objects.filter(action__startswith="write_key.").order_by("pk")
    assert [a.action for a in audit] == ["write_key.create", "write_key.rotate", "write_key.revoke"]
    assert audit.last().target == old.key.prefix


def test_deleting_a_source_stops_its_keys(owner_ms):
    made = actions.do_create_source(actor=owner_ms, data=SourceIn(name="Server", kind="server"))
    actions.do_delete_source(actor=owner_ms, source=made.source)
    keys.clear_cache()
    assert keys.source_for_key(made.key.raw) is None
    assert AuditLog.objects.filter(action="source.delete", target="Server").exists()


def test_deleting_a_person_removes_their_events_and_merged_ones(owner_ms, workspace):
    person = make_person(workspace, "u1", "anon-1", city="上海")
    merged = make_person(workspace, "", "anon-2")
    Person.objects.filter(pk=merged.pk).update(merged_into=person)
    other = make_person(workspace, "u2")
    store_events(workspace, person, 3)
    store_events(workspace, merged, 2)
    store_events(workspace, other, 4)
    deleted = actions.do_delete_person(actor=owner_ms, person=person)
    assert (deleted.events, deleted.persons) == (5, 2)
    assert not Person.objects.filter(pk__in=[person.pk, merged.pk]).exists()
    assert not PersonId.objects.filter(distinct_id__in=["u1", "anon-1", "anon-2"]).exists()
    left = get_store().list_events(EventFilter(workspace_id=workspace.pk), limit=100)
    assert {r["person_id"] for r in left} == {other.pk} and len(left) == 4
    audit = AuditLog.objects.get(action="person.delete")
    assert audit.data == {"events": 5, "persons": 2} and audit.actor == owner_ms.user
    # What the privacy request asks to forget is not kept in the audit row either.
    assert "u1" not in str(audit.data) + audit.target


def test_only_admins_delete_persons(workspace):
    person = make_person(workspace, "u1")
    member = membership_of(add_member(workspace, "m", Role.MEMBER), workspace)
    with pytest.raises(Forbidden):
        actions.do_delete_person(actor=member, person=person)
    assert Person.objects.filter(pk=person.pk).exists()
