"""The event generator: known answers. Same seed, same data; the counts asked for; a funnel
whose steps only narrow; identify linking ids; a spike on 11-11."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from opsloop.core.errors import Invalid
from opsloop.events.generate import generate
from opsloop.events.models import Person, PersonId, Source
from opsloop.events.store import EventFilter, get_store

END = dt.date(2026, 11, 30)


def _all(workspace) -> list[dict]:
    store = get_store()
    where = EventFilter(workspace_id=workspace.pk)
    return store.list_events(where, limit=store.count_events(where) + 1)


def _make(workspace, **extra):
    args = {"events": 6000, "persons": 800, "days": 40, "seed": 7, "end": END} | extra
    return generate(workspace=workspace, **args)


def test_counts_are_as_asked_and_every_event_has_its_person(workspace):
    made = _make(workspace)
    assert (made.events, made.persons) == (6000, 800)
    assert (made.first_day, made.last_day) == (dt.date(2026, 10, 22), END)
    rows = _all(workspace)
    assert len(rows) == 6000
    persons = Person.objects.filter(workspace=workspace)
    assert persons.count() == 800
    pks = set(persons.values_list("pk", flat=True))
    assert {r["person_id"] for r in rows} == pks  # each person sent at least one event
    assert len({r["message_id"] for r in rows}) == 6000
    # Every event falls in the period, Beijing days.
    start = dt.datetime(2026, 10, 22, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    end = dt.datetime(2026, 12, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert all(start <= r["timestamp"] < end for r in rows)
    # first_seen and last_seen are the persons' first and last events.
    person = persons.order_by("pk").first()
    theirs = sorted(r["timestamp"] for r in rows if r["person_id"] == person.pk)
    assert (person.first_seen, person.last_seen) == (theirs[0], theirs[-1])
    source = Source.objects.get(workspace=workspace)
    assert source.name == "generated" and {r["source_id"] for r in rows} == {source.pk}


def test_same_seed_same_data(workspace, owner):
    from opsloop.core.actions import do_create_workspace

    other = do_create_workspace(actor=owner, slug="other", name="Other")
    first = _make(workspace)
    assert _make(other).funnel == first.funnel
    ignore = {"workspace_id", "person_id", "source_id"}

    def shape(ws):
        return [
            {k: v for k, v in r.items() if k not in ignore}
            for r in sorted(_all(ws), key=lambda r: r["message_id"])
        ]

    assert shape(workspace) == shape(other)
    different = generate(workspace=other, events=6000, persons=800, days=40, seed=8, end=END)
    assert different.funnel != first.funnel


def test_funnel_steps_only_narrow_and_match_the_events(workspace):
    made = _make(workspace)
    steps = list(made.funnel.values())
    assert steps == sorted(steps, reverse=True) and steps[-1] > 0
    rows = _all(workspace)

    def persons_with(event):
        return {r["person_id"] for r in rows if r["event"] == event}

    signup, activate = persons_with("signup"), persons_with("activate")
    first = persons_with("first_order")
    orders = Counter(r["person_id"] for r in rows if r["event"] == "order_paid")
    repeat = {p for p, n in orders.items() if n >= 2}
    assert len(signup) == made.funnel["signup"]
    assert len(activate) == made.funnel["activate"]
    assert len(first) == made.funnel["first_order"]
    assert len(repeat) == made.funnel["repeat_order"]
    assert activate <= signup and first <= activate and repeat <= first
    # Each step comes after the one before it.
    when = {(r["person_id"], r["event"]): r["timestamp"] for r in rows}
    for person in first:
        assert when[(person, "signup")] < when[(person, "activate")] < when[(person, "first_order")]
    paid = [r for r in rows if r["event"] == "order_paid"]
    assert all(r["properties"]["amount"] > 0 and r["properties"]["currency"] == "CNY" for r in paid)


def test_identify_links_the_anonymous_id_to_the_user_id(workspace):
    _make(workspace)
    rows = _all(workspace)
    identify = next(r for r in rows if r["event"] == "$identify")
    assert identify["type"] == "identify"
    assert identify["user_id"] and identify["anonymous_id"].startswith("anon-7-")
    assert identify["traits"]["city"]
    person = Person.objects.get(pk=identify["person_id"])
    assert person.user_id == identify["user_id"] and person.traits["city"]
    assert set(PersonId.objects.filter(person=person).values_list("distinct_id", flat=True)) == {
        identify["user_id"],
        identify["anonymous_id"],
    }
    # Before identify the person is anonymous; from it on, known by the user id.
    theirs = sorted((r for r in rows if r["person_id"] == person.pk), key=lambda r: r["timestamp"])
    assert theirs[0]["user_id"] == "" and theirs[0]["distinct_id"] == identify["anonymous_id"]
    assert theirs[-1]["distinct_id"] == identify["user_id"]


def test_acquisition_carries_utm_by_channel(workspace):
    made = _make(workspace)
    rows = _all(workspace)
    first = [r for r in rows if r["utm_source"]]
    assert {r["utm_source"] for r in first} == {"douyin", "xiaohongshu", "wechat", "baidu"}
    assert sum(made.channels.values()) == 800 and made.channels["organic"] > 0
    # One acquisition event per person from a paid or social channel, none for organic.
    assert len(first) == 800 - made.channels["organic"]
    assert {r["utm_medium"] for r in first if r["utm_source"] == "baidu"} == {"cpc"}


def test_a_spike_on_double_11(workspace):
    made = _make(workspace)
    assert made.spike_day == dt.date(2026, 11, 11)
    beijing = dt.timezone(dt.timedelta(hours=8))
    days = Counter(r["timestamp"].astimezone(beijing).date() for r in _all(workspace))
    spike = days[dt.date(2026, 11, 11)]
    others = sorted(n for day, n in days.items() if day != dt.date(2026, 11, 11))
    assert spike == max(days.values())
    assert spike > 2.5 * others[len(others) // 2]


def test_bad_arguments_and_a_seed_used_twice_are_refused(workspace):
    with pytest.raises(Invalid, match="persons"):
        _make(workspace, events=10, persons=20)
    with pytest.raises(Invalid, match="days"):
        _make(workspace, days=0)
    _make(workspace, events=500, persons=100)
    with pytest.raises(Invalid, match="seed"):
        _make(workspace, events=500, persons=100)


def test_few_events_for_many_persons_still_count_exactly(workspace):
    made = _make(workspace, events=1000, persons=900)
    assert made.events == 1000 and len(_all(workspace)) == 1000
    steps = list(made.funnel.values())
    assert steps == sorted(steps, reverse=True)
