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


# --- an event name the range does not have


def test_a_typo_of_an_event_name_says_it_never_came_and_points_at_the_name(store, shop):
    _q, result, hints = run(store, {"kind": "trends", "series": [{"event": "sigup"}]})
    assert not any(result["series"][0]["data"])
    assert hints == [
        {
            "code": "event_not_received",
            "key": "sigup",
            "places": ["series.0"],
            "last_seen": None,
            "named": [],
            "similar": [["signup", 3]],
            "received": [],
            "suggest": "signup",
        }
    ]


def test_a_name_only_received_before_the_range_says_when_it_came_last(store, events):
    events.add(1, "first_order", "2026-02-10 23:30")
    events.add(1, "frist_order", "2026-01-05 10:00")
    events.add(1, "app_open", "2026-03-05 10:00")
    events.save()
    _q, _result, hints = run(
        store,
        {"kind": "funnel", "steps": [{"event": "app_open"}, {"event": "first_order"}]},
    )
    (hint,) = hints
    assert (hint["key"], hint["places"], hint["last_seen"]) == (
        "first_order",
        ["steps.1"],
        "2026-02-10",  # in Beijing time
    )
    # Nothing in the range is like it: the range's commonest events instead, no link.
    assert (hint["similar"], hint["received"], hint["suggest"]) == ([], [["app_open", 1]], None)


def test_a_display_name_typed_for_an_event_points_at_its_name(store, shop):
    names = {"order_paid": "首单", "signup": "注册"}
    query = parse_query(
        {
            "date_range": RANGE,
            "kind": "funnel",
            "steps": [{"event": "注册 "}, {"event": "首单"}],
        }
    )
    from opsloop.insights.engine import run_query

    plan = plan_of(store)
    result = run_query(query, plan)
    hints = suggest.hints(query, result, plan, names)
    assert [(h["key"], h["places"], h["named"], h["suggest"]) for h in hints] == [
        ("注册 ", ["steps.0"], [["signup", 3]], "signup"),
        ("首单", ["steps.1"], [["order_paid", 1]], "order_paid"),
    ]


def test_a_web_sources_visit_event_asked_as_app_open_lists_what_the_range_has(store, events):
    for pk in (1, 2, 3):
        events.add(pk, "$pageview", "2026-03-03 10:00")
        events.add(pk, "$pageview", "2026-03-04 10:00")
    events.add(1, "signup", "2026-03-03 10:05")
    events.save()
    _q, _result, hints = run(
        store,
        {
            "kind": "retention",
            "start": {"event": "app_open"},
            "returning": {"event": "app_open"},
            "period": "day",
        },
    )
    (hint,) = hints
    assert (hint["key"], hint["places"], hint["last_seen"]) == (
        "app_open",
        ["start", "returning"],
        None,
    )
    assert (hint["similar"], hint["received"]) == ([], [["$pageview", 6], ["signup", 1]])
    # A name that differs from a PostHog event only by its $ and separators is that event.
    _q, _result, hints = run(store, {"kind": "stickiness", "series": {"event": "page_view"}})
    assert [(h["similar"], h["suggest"]) for h in hints] == [([["$pageview", 6]], "$pageview")]


@pytest.mark.parametrize(
    ("data", "places"),
    [
        (
            {"kind": "trends", "series": [{"event": "app_open"}, {"event": "ordre_paid"}]},
            ["series.1"],
        ),
        (
            {
                "kind": "retention",
                "start": {"event": "signup"},
                "returning": {"event": "ordre_paid"},
            },
            ["returning"],
        ),
        ({"kind": "stickiness", "series": {"event": "ordre_paid"}}, ["series"]),
        ({"kind": "lifecycle", "series": {"event": "ordre_paid"}}, ["series"]),
        ({"kind": "paths", "event": "ordre_paid", "direction": "before"}, ["event"]),
        ({"kind": "attribution", "conversion": {"event": "ordre_paid"}}, ["conversion"]),
    ],
)
def test_every_kind_says_which_event_name_the_range_lacks(store, shop, data, places):
    _q, _result, hints = run(store, data)
    assert [(h["code"], h["key"], h["places"], h["suggest"]) for h in hints] == [
        ("event_not_received", "ordre_paid", places, "order_paid")
    ]


def test_an_event_of_the_range_that_counted_nothing_gives_no_such_hint(store, shop):
    # Nobody went from order_paid to signup: an empty later step, not a missing event.
    _q, result, hints = run(
        store, {"kind": "funnel", "steps": [{"event": "order_paid"}, {"event": "signup"}]}
    )
    assert result["steps"][-1]["count"] == 0
    assert hints == []


def test_closeness_of_names():
    assert suggest.closeness("Sign-Up", "signup") == 0
    assert suggest.closeness("frist_order", "first_order") == 1  # two letters swapped
    assert suggest.closeness("fist_ordr", "first_order") == 2
    assert suggest.closeness("首单", "首购") is None  # too short to allow an edit
    assert suggest.closeness("order", "first_order") == 3
    assert suggest.closeness("app_open", "$pageview") is None


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "No 首单 event was received in this range, nor at any other time. 首单 is the display "
            "name of first_order (首单, 12): queries name the event itself.",
        ),
        (
            "zh-hans",
            "本时间范围内没有收到 首单 事件，其他时间也从未收到过。 首单 是 first_order "
            "(首单, 12) 的显示名：查询要用事件本身的名称。",
        ),
    ],
)
def test_a_missing_event_in_the_readers_language(language, expected):
    from django.utils import translation

    from opsloop.insights.display import Names
    from opsloop.insights.queries import describe_hint

    hint = {
        "code": "event_not_received",
        "key": "首单",
        "places": ["steps.1"],
        "last_seen": None,
        "named": [["first_order", 12]],
        "similar": [],
        "received": [],
        "suggest": "first_order",
    }
    names = Names(events={"first_order": "首单"})
    with translation.override(language):
        assert describe_hint(hint, names) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "No frist_order event was received in this range; the last one came on "
            "2026-02-10. Events of the range with a similar name: first_order (1,204). "
            "The range's commonest events: $pageview (9,000).",
        ),
        (
            "zh-hans",
            "本时间范围内没有收到 frist_order 事件，最近一次收到是在 2026-02-10。 "
            "本时间范围内名称相近的事件：first_order (1,204)。 "
            "本时间范围内最常见的事件：$pageview (9,000)。",
        ),
    ],
)
def test_a_typo_last_received_before_the_range_in_the_readers_language(language, expected):
    from django.utils import translation

    from opsloop.insights.queries import describe_hint

    hint = {
        "code": "event_not_received",
        "key": "frist_order",
        "places": ["series.0"],
        "last_seen": "2026-02-10",
        "named": [],
        "similar": [["first_order", 1204]],
        "received": [["$pageview", 9000]],
        "suggest": "first_order",
    }
    with translation.override(language):
        assert describe_hint(hint) == expected
