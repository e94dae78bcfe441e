"""Persons from distinct ids, and the merges identify and alias make, on small hand-written
sequences of rows."""

from __future__ import annotations

import pytest

from opsloop.events.identity import person_ids_of, resolve_persons, surviving_person_ids
from opsloop.events.models import Person, PersonId
from tests.events._pipeline import alias, at, identify, row


@pytest.fixture
def ws(workspace):
    return workspace.pk


def flush(*rows):
    rows = list(rows)
    resolve_persons(rows)
    return rows


def person(ws, distinct_id):
    return PersonId.objects.get(workspace_id=ws, distinct_id=distinct_id).person


def test_a_new_distinct_id_gets_a_person_seen_from_first_to_last_event(ws):
    rows = flush(
        row(workspace_id=ws, anonymous_id="a1", timestamp=at(5)),
        row(workspace_id=ws, anonymous_id="a1", timestamp=at(1)),
        row(workspace_id=ws, anonymous_id="a2", timestamp=at(2)),
    )
    a1 = person(ws, "a1")
    assert rows[0]["person_id"] == rows[1]["person_id"] == a1.pk
    assert rows[2]["person_id"] == person(ws, "a2").pk != a1.pk
    assert (a1.first_seen, a1.last_seen) == (at(1), at(5))
    assert a1.user_id == "" and a1.merged_into is None

    flush(row(workspace_id=ws, anonymous_id="a1", timestamp=at(0)))
    a1.refresh_from_db()
    assert (a1.first_seen, a1.last_seen) == (at(0), at(5))


def test_a_stored_persons_last_seen_is_rewritten_once_it_is_five_minutes_behind(ws):
    flush(row(workspace_id=ws, anonymous_id="a1", timestamp=at(0)))
    a1 = person(ws, "a1")
    # Within the step, later passes leave the stored person alone...
    flush(row(workspace_id=ws, anonymous_id="a1", timestamp=at(4)))
    a1.refresh_from_db()
    assert a1.last_seen == at(0)
    # ...from the step on, it is written, even by events that came in small steps.
    flush(row(workspace_id=ws, anonymous_id="a1", timestamp=at(5)))
    a1.refresh_from_db()
    assert a1.last_seen == at(5)
    # Any other change (here traits) writes the latest time with it.
    flush(identify("u1", "a1", traits={"city": "上海"}, workspace_id=ws, timestamp=at(6)))
    a1.refresh_from_db()
    assert a1.last_seen == at(6) and a1.traits == {"city": "上海"}


def test_anonymous_events_then_identify_then_events_with_the_user_id(ws):
    [anon_row] = flush(row(workspace_id=ws, anonymous_id="a1", timestamp=at(0)))
    flush(identify("u1", "a1", traits={"name": "韩梅梅"}, workspace_id=ws, timestamp=at(10)))
    [user_row] = flush(row(workspace_id=ws, user_id="u1", anonymous_id="a1", timestamp=at(20)))

    user = person(ws, "u1")
    assert person(ws, "a1") == user  # the anonymous id moved to the user's person
    assert user.user_id == "u1"
    assert user.traits == {"name": "韩梅梅"}
    assert (user.first_seen, user.last_seen) == (at(0), at(20))
    assert user_row["person_id"] == user.pk
    # The first event was stored under the anonymous person, which reads as the user.
    assert anon_row["person_id"] in person_ids_of(user)
    assert surviving_person_ids([anon_row["person_id"]]) == {anon_row["person_id"]: user.pk}
    assert user.label == "韩梅梅"


def test_identify_into_an_existing_user_merges_the_anonymous_person(ws):
    flush(identify("u1", "phone", workspace_id=ws, timestamp=at(0)))
    flush(row(workspace_id=ws, anonymous_id="laptop", timestamp=at(-30)))
    laptop = person(ws, "laptop")
    flush(identify("u1", "laptop", workspace_id=ws, timestamp=at(60)))

    user = person(ws, "u1")
    laptop.refresh_from_db()
    assert laptop.merged_into_id == user.pk
    assert set(user.ids.values_list("distinct_id", flat=True)) == {"u1", "phone", "laptop"}
    assert user.first_seen == at(-30)  # the earliest of both
    assert person_ids_of(user) == [user.pk, laptop.pk]


def test_alias_merges_the_previous_id_into_the_user(ws):
    flush(row(workspace_id=ws, anonymous_id="old-device", timestamp=at(0)))
    old = person(ws, "old-device")
    flush(identify("u1", workspace_id=ws, timestamp=at(1)))
    flush(alias("old-device", "u1", workspace_id=ws, timestamp=at(2)))

    user = person(ws, "u1")
    old.refresh_from_db()
    assert old.merged_into_id == user.pk
    assert person(ws, "old-device") == user


def test_alias_never_merges_two_identified_users(ws):
    flush(identify("u1", "a1", workspace_id=ws), identify("u2", "a2", workspace_id=ws))
    flush(alias("u1", "u2", workspace_id=ws, timestamp=at(5)))
    assert person(ws, "u1") != person(ws, "u2")
    assert Person.objects.filter(merged_into__isnull=False).count() == 0


def test_two_anonymous_devices_merge_into_one_user(ws):
    flush(
        row(workspace_id=ws, anonymous_id="phone", timestamp=at(0)),
        row(workspace_id=ws, anonymous_id="tablet", timestamp=at(1)),
    )
    phone, tablet = person(ws, "phone"), person(ws, "tablet")
    flush(
        identify("u1", "phone", workspace_id=ws, timestamp=at(10)),
        identify("u1", "tablet", workspace_id=ws, timestamp=at(11)),
    )
    user = person(ws, "u1")
    assert person(ws, "phone") == person(ws, "tablet") == user
    assert sorted(person_ids_of(user)) == sorted({user.pk, phone.pk, tablet.pk})
    assert Person.objects.filter(workspace_id=ws, merged_into__isnull=True).count() == 1


def test_one_batch_with_events_before_and_after_identify(ws, django_assert_max_num_queries):
    rows = [
        row(workspace_id=ws, anonymous_id="a1", timestamp=at(0), event="view"),
        row(workspace_id=ws, user_id="u1", anonymous_id="a1", timestamp=at(3), event="buy"),
        # Out of order in the batch: replayed by timestamp.
        identify("u1", "a1", traits={"plan": "pro"}, workspace_id=ws, timestamp=at(2)),
        row(workspace_id=ws, anonymous_id="a1", timestamp=at(1), event="view"),
    ]
    with django_assert_max_num_queries(12):
        resolve_persons(rows)
    user = person(ws, "u1")
    # Nothing was stored before, so no person was made for the anonymous id alone.
    assert Person.objects.filter(workspace_id=ws).count() == 1
    assert {r["person_id"] for r in rows} == {user.pk}
    assert (user.first_seen, user.last_seen) == (at(0), at(3))
    assert user.traits == {"plan": "pro"}


def test_reidentify_with_another_user_id_does_not_merge_two_users(ws):
    flush(identify("u1", "shared-device", workspace_id=ws, timestamp=at(0)))
    [second] = flush(identify("u2", "shared-device", workspace_id=ws, timestamp=at(5)))

    u1, u2 = person(ws, "u1"), person(ws, "u2")
    assert u1 != u2
    assert (u1.user_id, u2.user_id) == ("u1", "u2")
    assert person(ws, "shared-device") == u1  # the device stays with the first user
    assert second["person_id"] == u2.pk
    assert u1.merged_into is None and u2.merged_into is None


def test_traits_latest_timestamp_wins_per_key_whatever_the_arrival_order(ws):
    flush(identify("u1", traits={"plan": "pro", "city": "上海"}, workspace_id=ws, timestamp=at(10)))
    # An older identify arriving late changes only what the newer one did not set.
    flush(
        identify("u1", traits={"plan": "free", "email": "a@x.cn"}, workspace_id=ws, timestamp=at(1))
    )
    user = person(ws, "u1")
    assert user.traits == {"plan": "pro", "city": "上海", "email": "a@x.cn"}

    # Merging: the anonymous person's newer trait wins over the user's older one.
    flush(identify("a9", traits={"city": "北京"}, workspace_id=ws, timestamp=at(20)))
    anon = person(ws, "a9")
    Person.objects.filter(pk=anon.pk).update(user_id="")  # a person with traits, unidentified
    flush(identify("u1", "a9", workspace_id=ws, timestamp=at(30)))
    user.refresh_from_db()
    assert user.traits["city"] == "北京"
    assert user.traits["plan"] == "pro"


def test_replaying_the_same_rows_changes_nothing(ws):
    rows = [
        row(workspace_id=ws, anonymous_id="a1", timestamp=at(0)),
        identify("u1", "a1", traits={"k": 1}, workspace_id=ws, timestamp=at(1)),
        alias("a2", "u1", workspace_id=ws, timestamp=at(2)),
    ]
    resolve_persons([dict(r) for r in rows])
    state = sorted(Person.objects.values_list("pk", "user_id", "first_seen", "last_seen"))
    ids = sorted(PersonId.objects.values_list("distinct_id", "person_id"))
    again = [dict(r) for r in rows]
    resolve_persons(again)
    assert sorted(Person.objects.values_list("pk", "user_id", "first_seen", "last_seen")) == state
    assert sorted(PersonId.objects.values_list("distinct_id", "person_id")) == ids
    assert {r["person_id"] for r in again} == {person(ws, "u1").pk}


def test_workspaces_do_not_share_persons(ws, owner):
    from opsloop.core import actions as core_actions

    other = core_actions.do_create_workspace(actor=owner, slug="other", name="Other").pk
    rows = flush(
        row(workspace_id=ws, anonymous_id="same"), row(workspace_id=other, anonymous_id="same")
    )
    assert rows[0]["person_id"] != rows[1]["person_id"]


def test_a_big_batch_is_a_few_queries(ws, django_assert_max_num_queries):
    flush(*[row(workspace_id=ws, anonymous_id=f"old{i}") for i in range(50)])
    rows = [row(workspace_id=ws, anonymous_id=f"old{i}", timestamp=at(i)) for i in range(50)]
    rows += [row(workspace_id=ws, anonymous_id=f"new{i}") for i in range(300)]
    rows += [identify(f"user{i}", f"old{i}", workspace_id=ws, timestamp=at(99)) for i in range(40)]
    with django_assert_max_num_queries(12):
        resolve_persons(rows)
    assert all(r["person_id"] for r in rows)
    assert Person.objects.filter(workspace_id=ws, merged_into__isnull=True).count() == 350


def test_many_merges_in_one_batch_are_still_a_few_queries(ws, django_assert_max_num_queries):
    flush(*[identify(f"user{i}", workspace_id=ws, timestamp=at(0)) for i in range(40)])
    flush(*[row(workspace_id=ws, anonymous_id=f"anon{i}", timestamp=at(1)) for i in range(40)])
    rows = [identify(f"user{i}", f"anon{i}", workspace_id=ws, timestamp=at(2)) for i in range(40)]
    with django_assert_max_num_queries(12):
        resolve_persons(rows)
    assert Person.objects.filter(workspace_id=ws, merged_into__isnull=False).count() == 40
    for i in (0, 39):
        assert person(ws, f"anon{i}") == person(ws, f"user{i}")
