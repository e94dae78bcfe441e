"""Trends, known answers worked by hand (docs/metrics.md#trends), on both engines."""

from __future__ import annotations

import pytest

from tests.insights.conftest import days

WEEK = days("2026-03-02", "2026-03-08")  # Monday to Sunday


def trend(*series, **options):
    return {"kind": "trends", "series": list(series), "date_range": WEEK, **options}


def data(result, i=0):
    return result["series"][i]["data"]


@pytest.fixture
def shop(events):
    """Three persons over the first week of March 2026, Beijing time."""
    e = events
    e.add(1, "open", "2026-03-02 09:00", utm_source="douyin")
    e.add(1, "open", "2026-03-02 21:00", utm_source="douyin")
    e.add(1, "order", "2026-03-02 21:10", properties={"amount": 100})
    e.add(1, "open", "2026-03-04 08:00")
    e.add(2, "open", "2026-03-02 23:59", utm_source="wechat")
    # 00:10 on the 3rd in Beijing, the 2nd in UTC.
    e.add(2, "order", "2026-03-03 00:10", properties={"amount": 50})
    e.add(2, "order", "2026-03-03 12:00", properties={"amount": 30})
    e.add(3, "open", "2026-03-08 10:00", utm_source="baidu", properties={"plan": "pro"})
    e.add(3, "order", "2026-03-08 10:30", properties={"amount": "80"})
    # Before the range: counts for rolling actives only.
    e.add(4, "open", "2026-02-27 10:00")
    e.person(1, traits='{"city": "上海"}').person(2, traits='{"city": "北京"}')
    e.save()
    return e


def test_counts_and_unique_persons_by_day_in_the_workspaces_zone(shop, ask):
    result = ask(trend({"event": "open"}, {"event": "order", "math": "dau"}))
    assert result["buckets"][:2] == ["2026-03-02", "2026-03-03"]
    assert data(result, 0) == [3, 0, 1, 0, 0, 0, 1]
    assert result["series"][0]["total"] == 5
    assert data(result, 1) == [1, 1, 0, 0, 0, 0, 1]
    assert result["series"][1]["total"] is None  # unique counts do not add up


def test_property_maths(shop, ask):
    result = ask(
        trend(
            {"event": "order", "math": "sum", "math_property": "amount"},
            {"event": "order", "math": "avg", "math_property": "amount"},
            {"event": "order", "math": "median", "math_property": "amount"},
            {"event": "order", "math": "max", "math_property": "amount"},
            interval="week",
        )
    )
    assert result["buckets"] == ["2026-03-02"]
    # 100, 50, 30 and "80" (text that reads as a number).
    assert [data(result, i) for i in range(4)] == [[260], [65], [65], [100]]
    p90 = ask(trend({"event": "order", "math": "p90", "math_property": "amount"}, interval="week"))
    # Linear between ranks: 80 + 0.7 * (100 - 80).
    assert data(p90) == [94]


def test_events_per_person(shop, ask):
    result = ask(trend({"event": "order", "math": "per_person_avg"}, interval="week"))
    assert data(result) == [1.333333]  # 1, 2 and 1 orders
    result = ask(trend({"event": "order", "math": "per_person_max"}, interval="week"))
    assert data(result) == [2]
    # An empty bucket has no average, not a zero.
    by_day = ask(trend({"event": "order", "math": "per_person_avg"}))
    assert data(by_day) == [1, 2, None, None, None, None, 1]  # 2 ordered twice on 03-03


def test_rolling_weekly_active_persons_include_the_days_before_the_range(shop, ask):
    result = ask(trend({"event": "open", "math": "wau"}))
    # Person 4 opened on 02-27: active in the 7 days ending 03-02, 03-03 and 03-04 and
    # 03-05, not on 03-06 (the 7 days from 02-28). Persons 1 and 2 from 03-02 on.
    assert data(result) == [3, 3, 3, 3, 2, 2, 3]
    assert ask.persons(trend({"event": "open", "math": "wau"}), {"bucket": 0}) == [1, 2, 4]


def test_by_hour_and_by_month(shop, ask):
    result = ask(
        trend({"event": "open"}, interval="hour", date_range=days("2026-03-02", "2026-03-02"))
    )
    assert len(result["buckets"]) == 24 and result["buckets"][21] == "2026-03-02 21:00"
    assert [i for i, v in enumerate(data(result)) if v] == [9, 21, 23]
    month = ask(
        trend({"event": "open"}, interval="month", date_range=days("2026-02-01", "2026-03-31"))
    )
    assert month["buckets"] == ["2026-02", "2026-03"] and data(month) == [1, 5]


def test_filters_on_event_and_person_properties(shop, ask):
    def total(*filters, series_filters=()):
        s = {"event": "open", "filters": list(series_filters)}
        return ask(trend(s, filters=list(filters)))["series"][0]["total"]

    assert total({"key": "utm_source", "op": "eq", "value": "douyin"}) == 2
    assert total({"key": "utm_source", "op": "in", "value": ["wechat", "baidu"]}) == 2
    assert total({"key": "utm_source", "op": "is_set"}) == 4
    assert total({"key": "utm_source", "op": "is_not_set"}) == 1
    assert total({"key": "utm_source", "op": "contains", "value": "yin"}) == 2  # douyin
    assert total({"key": "utm_source", "op": "neq", "value": "douyin"}) == 3
    assert total(series_filters=[{"key": "plan", "op": "eq", "value": "pro"}]) == 1
    assert total({"type": "person", "key": "city", "op": "eq", "value": "上海"}) == 3
    assert total({"type": "person", "key": "city", "op": "is_not_set"}) == 1
    orders = {"event": "order", "filters": [{"key": "amount", "op": "gt", "value": 40}]}
    assert ask(trend(orders))["series"][0]["total"] == 3


def test_breakdown_top_values_and_other(shop, ask):
    query = trend({"event": "open"}, breakdown={"key": "utm_source", "limit": 2})
    result = ask(query)
    lines = {s["breakdown"]: s["data"] for s in result["series"]}
    # By events: douyin 2, then baidu, '' and wechat 1 each (by name): baidu, then the rest.
    assert list(lines) == ["douyin", "", "$other"]
    assert lines["douyin"] == [2, 0, 0, 0, 0, 0, 0]
    assert lines[""] == [0, 0, 1, 0, 0, 0, 0]
    assert lines["$other"] == [1, 0, 0, 0, 0, 0, 1]
    assert ask.persons(query, {"bucket": 0, "breakdown": "$other"}) == [2]


def test_a_cohort_keeps_its_persons_merges_followed(shop, ask):
    query = trend({"event": "open"})
    assert ask(query, cohort=[1])["series"][0]["data"] == [2, 0, 1, 0, 0, 0, 0]
    assert ask(query, cohort=[2, 3])["series"][0]["total"] == 2
    assert ask(query, cohort=[])["series"][0]["total"] == 0


def test_a_cohort_of_a_person_since_merged_is_the_survivors(events, ask):
    events.add(10, "open", "2026-03-02 10:00").add(11, "open", "2026-03-03 10:00")
    events.merge(10, 11).save()
    # The cohort was saved when 10 was a person of its own.
    assert ask(trend({"event": "open"}), cohort=[10])["series"][0]["total"] == 2


def test_compare_with_the_period_before(shop, ask):
    result = ask(trend({"event": "open"}, compare=True))
    current, previous = result["series"]
    assert (current["compare"], previous["compare"]) == (False, True)
    assert previous["first_day"] == "2026-02-23"
    assert previous["data"] == [0, 0, 0, 0, 1, 0, 0]  # person 4 on Friday 02-27
    assert ask.persons(trend({"event": "open"}, compare=True), {"bucket": 4, "compare": True}) == [
        4
    ]


def test_formula_between_series(shop, ask):
    result = ask(
        trend(
            {"event": "open", "math": "dau"},
            {"event": "order", "math": "dau"},
            formula="B / A * 100",
        )
    )
    # 03-02: 2 opened, 1 ordered; 03-03: 0 opened (no value); 03-08: 1 and 1.
    assert result["formula"][0]["data"] == [50, None, 0, None, None, None, 100]


def test_bad_queries_are_refused():
    from pydantic import ValidationError

    from opsloop.insights.query import parse_query

    bad = [
        {"kind": "trends", "series": []},
        {"kind": "trends", "series": [{"event": "x", "math": "sum"}]},
        {"kind": "trends", "series": [{"event": "x", "math": "wau"}], "interval": "week"},
        {"kind": "trends", "series": [{"event": "x"}], "formula": "A + C"},
        {"kind": "trends", "series": [{"event": "x"}], "formula": "__import__('os')"},
        {"kind": "trends", "series": [{"filters": [{"key": "a'b", "value": 1}]}]},
        {"kind": "trends", "series": [{"filters": [{"key": "a", "op": "gt", "value": "x"}]}]},
        {"kind": "trends", "series": [{"filters": [{"key": "a", "op": "in", "value": 1}]}]},
        {"kind": "funnel", "steps": [{"event": "a"}]},
        {"kind": "funnel", "steps": [{}, {}], "order": "any", "exclusions": [{"event": "x"}]},
        {"kind": "funnel", "steps": [{}, {}], "window": 200, "window_unit": "month"},
        {"kind": "retention", "start": {}, "date_range": {"preset": "custom"}},
        {"kind": "nope"},
    ]
    for data_ in bad:
        with pytest.raises(ValidationError):
            parse_query(data_)
