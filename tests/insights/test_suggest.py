"""What the builder suggests (event names, property and trait keys, values, with their
counts) and the hints of a result that matched nothing, on DuckDB and ClickHouse alike.

The shop: users come from douyin or wechat, whose UTM only their first app_open carries;
their first touch is kept as the trait `channel`. A funnel from signup broken down by
utm_source, and a retention filtered on utm_source = douyin, were silent empty answers."""

from __future__ import annotations

from typing import Any

import pytest

from opsloop.insights import suggest
from opsloop.insights.engine import make_plan
from opsloop.insights.query import parse_query
from tests.insights.conftest import TODAY, TZ, days

RANGE = days("2026-03-02", "2026-03-29")


@pytest.fixture
def shop(events):
    for pk, channel in ((1, "douyin"), (2, "douyin"), (3, "wechat")):
        events.add(pk, "app_open", "2026-03-02 09:00", utm_source=channel)
        events.add(pk, "signup", "2026-03-02 09:05", properties={"method": "phone"})
        events.add(pk, "app_open", "2026-03-10 09:00")
        events.person(pk, first_seen="2026-03-02 09:00", traits=f'{{"channel": "{channel}"}}')
    events.add(1, "order_paid", "2026-03-11 10:00", properties={"amount": 99, "method": "x"})
    events.person(4, traits='{"city": "上海"}')
    events.save()
    return events


def plan_of(store: Any):
    return make_plan(store, 1, TZ, TODAY)


def run(store: Any, data: dict[str, Any]) -> tuple[Any, dict[str, Any], list[dict[str, Any]]]:
    from opsloop.insights.engine import run_query

    query = parse_query({"date_range": RANGE, **data})
    plan = plan_of(store)
    result = run_query(query, plan)
    return query, result, suggest.hints(query, result, plan)


def test_event_names_property_and_trait_keys_with_their_counts(store, shop):
    plan = plan_of(store)
    assert suggest.event_counts(plan) == [("app_open", 6), ("signup", 3), ("order_paid", 1)]
    properties = dict(suggest.property_counts(plan))
    assert properties == {"method": 4, "utm_source": 3, "amount": 1}
    assert suggest.trait_counts(plan) == [("channel", 3), ("city", 1)]


def test_the_values_of_a_property_and_of_a_trait(store, shop):
    plan = plan_of(store)
    assert suggest.value_counts(plan, "event", "utm_source") == [("douyin", 2), ("wechat", 1)]
    assert suggest.value_counts(plan, "event", "method") == [("phone", 3), ("x", 1)]
    assert suggest.value_counts(plan, "person", "channel") == [("douyin", 2), ("wechat", 1)]


def test_a_funnel_broken_down_by_a_utm_its_first_step_lacks_says_why(store, shop):
    _q, result, hints = run(
        store,
        {
            "kind": "funnel",
            "steps": [{"event": "signup"}, {"event": "app_open"}],
            "breakdown": {"key": "utm_source"},
        },
    )
    assert [g["value"] for g in result["breakdown"]] == [""]
    assert hints == [
        {
            "code": "breakdown_not_set",
            "key": "utm_source",
            "type": "event",
            "reads": "first_step",
            "events": ["signup"],
            "set_on": [["app_open", 3]],
            "suggest": "person.channel",
            "channels": True,
        }
    ]


def test_a_breakdown_by_a_trait_that_exists_gives_no_hint(store, shop):
    _q, result, hints = run(
        store,
        {
            "kind": "funnel",
            "steps": [{"event": "signup"}, {"event": "app_open"}],
            "breakdown": {"type": "person", "key": "channel"},
        },
    )
    assert sorted(g["value"] for g in result["breakdown"]) == ["douyin", "wechat"]
    assert hints == []


def test_a_retention_filtered_on_the_first_visits_utm_says_returns_must_match_too(store, shop):
    _q, result, hints = run(
        store,
        {
            "kind": "retention",
            "start": {"event": "app_open"},
            "returning": {"event": "app_open"},
            "period": "week",
            "filters": [{"key": "utm_source", "value": "douyin"}],
        },
    )
    assert sum(c["size"] for c in result["cohorts"]) == 2
    assert not any(v for c in result["cohorts"] for v in c["values"][1:])
    assert [(h["code"], h["key"], h["value"], h["suggest"]) for h in hints] == [
        ("filter_on_returns", "utm_source", "douyin", "person.channel")
    ]


def test_a_filter_on_a_key_the_events_lack_says_where_it_is_set(store, shop):
    _q, result, hints = run(
        store,
        {
            "kind": "trends",
            "series": [{"event": "signup", "math": "persons"}],
            "filters": [{"key": "utm_source", "value": "douyin"}],
        },
    )
    assert not any(result["series"][0]["data"])
    (hint,) = hints
    assert hint["code"] == "filter_matches_nothing"
    assert hint["events"] == ["signup"] and hint["is_set"] is False
    assert hint["set_on"] == [["app_open", 3]]
    assert hint["suggest"] == "person.channel"


def test_a_filter_on_a_value_no_event_has(store, shop):
    _q, _result, hints = run(
        store,
        {
            "kind": "trends",
            "series": [{"event": "app_open"}],
            "filters": [{"key": "utm_source", "value": "baidu"}],
        },
    )
    (hint,) = hints
    assert (hint["code"], hint["events"], hint["is_set"]) == (
        "filter_matches_nothing",
        ["app_open"],
        True,
    )


def test_a_trait_filter_no_user_matches(store, shop):
    _q, _result, hints = run(
        store,
        {
            "kind": "trends",
            "series": [{"event": "app_open"}],
            "filters": [{"type": "person", "key": "channel", "value": "baidu"}],
        },
    )
    assert [(h["code"], h["having"], h["suggest"]) for h in hints] == [
        ("filter_matches_no_person", 3, None)
    ]


def test_a_result_with_numbers_has_no_hint(store, shop):
    _q, _result, hints = run(
        store,
        {
            "kind": "trends",
            "series": [{"event": "app_open", "math": "persons"}],
            "breakdown": {"key": "utm_source"},
            "filters": [{"key": "utm_source", "value": "douyin"}],
        },
    )
    assert hints == []
