"""Retention, stickiness, lifecycle, paths and attribution: known answers worked by hand
(docs/metrics.md), on both engines."""

from __future__ import annotations

import datetime as dt

from tests.insights.conftest import days

MARCH_6 = dt.date(2026, 3, 6)


def retention(**options):
    return {
        "kind": "retention",
        "start": {"event": "signup"},
        "returning": {"event": "open"},
        "period": "day",
        "periods": 3,
        "date_range": days("2026-03-02", "2026-03-04"),
        **options,
    }


def rows(result):
    return [(c["cohort"], c["values"]) for c in result["cohorts"]]


def test_retention_first_time_cohorts_by_day(events, ask):
    e = events
    e.add(1, "signup", "2026-03-02 10:00").add(1, "open", "2026-03-03 10:00")
    e.add(1, "open", "2026-03-05 23:59")
    e.add(2, "signup", "2026-03-02 23:50").add(2, "open", "2026-03-04 00:10")
    e.add(3, "signup", "2026-03-03 08:00").add(3, "open", "2026-03-03 09:00")  # same day: not back
    e.add(4, "signup", "2026-02-20 10:00").add(4, "signup", "2026-03-02 10:00")  # first was before
    e.add(4, "open", "2026-03-03 10:00")
    e.save()
    result = ask(retention(), today=MARCH_6)
    assert rows(result) == [
        ("2026-03-02", [2, 1, 1, 1]),  # 1 back on day 1 and 3; 2 on day 2
        ("2026-03-03", [1, 0, 0, 0]),
        ("2026-03-04", [0, 0, 0, None]),  # its day 3 (03-07) has not come yet
    ]
    assert result["cohorts"][0]["percentages"] == [1.0, 0.5, 0.5, 0.5]
    # Day 1: 1 of 3 persons in cohorts that had a day 1.
    assert result["curve"][:2] == [1.0, 0.333333]
    assert ask.persons(retention(), {"cohort": 0, "period": 2}) == [2]
    assert ask.persons(retention(), {"cohort": 0, "period": 0}) == [1, 2]
    # Recurring: 4 is in the 03-02 cohort too, and back on day 1.
    recurring = ask(retention(cohort_type="recurring"), today=MARCH_6)
    assert rows(recurring)[0] == ("2026-03-02", [3, 2, 1, 1])
    # On or after: came back on that day or any later one (shown up to the last period).
    after = ask(retention(mode="on_or_after"), today=MARCH_6)
    assert rows(after)[0] == ("2026-03-02", [2, 2, 2, 1])


def test_retention_first_time_means_first_ever_however_early(events, ask):
    """A start event at the store's first moment (1970-01-01 00:00 UTC, 08:00 in Beijing)
    or in 1999 is a person's first: a later one in the range does not make a cohort."""
    e = events
    e.add(1, "signup", "2026-03-02 10:00").add(1, "open", "2026-03-03 10:00")
    e.add(2, "signup", "1970-01-01 08:00").add(2, "signup", "2026-03-02 11:00")
    e.add(2, "open", "2026-03-03 11:00")
    e.add(3, "signup", "1999-12-31 23:00").add(3, "signup", "2026-03-03 09:00")
    e.save()
    result = ask(retention(), today=MARCH_6)
    assert rows(result) == [
        ("2026-03-02", [1, 1, 0, 0]),
        ("2026-03-03", [0, 0, 0, 0]),
        ("2026-03-04", [0, 0, 0, None]),
    ]
    assert ask.persons(retention(), {"cohort": 0, "period": 0}) == [1]
    # Recurring cohorts take every start of the range.
    assert rows(ask(retention(cohort_type="recurring"), today=MARCH_6))[:2] == [
        ("2026-03-02", [2, 2, 0, 0]),
        ("2026-03-03", [1, 0, 0, 0]),
    ]


def test_retention_counts_returns_after_the_range_up_to_the_last_period_shown(events, ask):
    """The range (03-02 to 03-04) bounds the cohorts, not the returns: the 03-02 cohort's
    periods 1 to 3 run to 03-05, after the range, and count there. A return after a
    cohort's last period shown counts for nothing, in either mode, though the 03-04
    cohort's periods reach that day."""
    e = events
    e.add(1, "signup", "2026-03-02 10:00").add(1, "open", "2026-03-05 10:00")  # period 3
    e.add(2, "signup", "2026-03-02 10:00").add(2, "open", "2026-03-06 10:00")  # period 4
    e.add(3, "signup", "2026-03-02 10:00").add(3, "open", "2026-03-07 10:00")  # period 5
    e.add(4, "signup", "2026-03-04 10:00").add(4, "open", "2026-03-07 10:00")  # period 3
    e.add(5, "signup", "2026-03-04 10:00").add(5, "open", "2026-03-08 10:00")  # not read
    e.save()
    today = dt.date(2026, 3, 10)
    assert rows(ask(retention(), today=today)) == [
        ("2026-03-02", [3, 0, 0, 1]),
        ("2026-03-03", [0, 0, 0, 0]),
        ("2026-03-04", [2, 0, 0, 1]),
    ]
    after = retention(mode="on_or_after")
    assert rows(ask(after, today=today)) == [
        ("2026-03-02", [3, 1, 1, 1]),
        ("2026-03-03", [0, 0, 0, 0]),
        ("2026-03-04", [2, 1, 1, 1]),
    ]
    assert ask.persons(after, {"cohort": 0, "period": 1}, today=today) == [1]
    assert ask.persons(after, {"cohort": 2, "period": 2}, today=today) == [4]


def test_retention_by_week_starts_on_monday(events, ask):
    e = events
    e.add(1, "signup", "2026-03-08 22:00")  # Sunday: the week of 03-02
    e.add(1, "open", "2026-03-09 09:00")  # Monday: the next week
    e.add(2, "signup", "2026-03-09 09:00").add(2, "open", "2026-03-22 09:00")  # next week
    e.add(3, "signup", "2026-03-10 09:00").add(3, "open", "2026-03-23 09:00")  # two weeks on
    e.save()
    query = retention(period="week", periods=2, date_range=days("2026-03-02", "2026-03-15"))
    assert rows(ask(query)) == [("2026-03-02", [1, 1, 0]), ("2026-03-09", [2, 1, 1])]


def test_stickiness_counts_distinct_days(events, ask):
    e = events
    e.add(1, "open", "2026-03-02 10:00").add(1, "open", "2026-03-02 11:00")
    e.add(1, "open", "2026-03-04 10:00")
    e.add(2, "open", "2026-03-03 23:30").add(2, "open", "2026-03-04 00:30")  # two days
    e.add(3, "open", "2026-03-05 10:00")
    e.add(3, "view", "2026-03-06 10:00")
    e.save()
    query = {
        "kind": "stickiness",
        "series": {"event": "open"},
        "date_range": days("2026-03-02", "2026-03-06"),
    }
    result = ask(query)
    assert result["days"] == [1, 2, 3, 4, 5]
    assert result["persons"] == [1, 2, 0, 0, 0]
    assert ask.persons(query, {"days": 2}) == [1, 2]


def test_lifecycle_new_returning_resurrecting_dormant(events, ask):
    e = events
    # 1 new on 03-02 (first seen then), back on 03-03, away 03-04, back 03-05.
    for when in ("2026-03-02 10:00", "2026-03-03 10:00", "2026-03-05 10:00"):
        e.add(1, "open", when)
    e.person(1, first_seen="2026-03-02 10:00")
    # 2 first seen in February, active the day before the range and on 03-02.
    e.add(2, "open", "2026-03-01 10:00").add(2, "open", "2026-03-02 10:00")
    e.person(2, first_seen="2026-02-01 10:00")
    # 3 first seen long ago, active on 03-04 only: resurrecting.
    e.add(3, "open", "2026-03-04 10:00").person(3, first_seen="2026-01-01 10:00")
    # 4 active the day before the range only: dormant on 03-02.
    e.add(4, "open", "2026-03-01 12:00").person(4, first_seen="2026-03-01 12:00")
    e.save()
    query = {
        "kind": "lifecycle",
        "series": {"event": "open"},
        "date_range": days("2026-03-02", "2026-03-05"),
    }
    result = ask(query)
    series = {s["status"]: s["data"] for s in result["series"]}
    assert series == {
        "new": [1, 0, 0, 0],
        "returning": [1, 1, 0, 0],
        "resurrecting": [0, 0, 1, 1],
        "dormant": [-1, -1, -1, -1],  # 4; then 2; then 1; then 3
    }
    assert ask.persons(query, {"bucket": 1, "status": "dormant"}) == [2]
    assert ask.persons(query, {"bucket": 3, "status": "resurrecting"}) == [1]


def test_lifecycle_by_week_sees_the_week_before_the_range(events, ask):
    e = events
    # 1 active in the week of 02-23 (before the range) and in the first week: returning.
    e.add(1, "open", "2026-02-25 10:00").add(1, "open", "2026-03-03 10:00")
    e.person(1, first_seen="2026-01-05 10:00")
    # 2 active in the week before only: dormant in the first week.
    e.add(2, "open", "2026-03-01 23:00").person(2, first_seen="2026-01-05 10:00")
    e.save()
    query = {
        "kind": "lifecycle",
        "series": {"event": "open"},
        "interval": "week",
        "date_range": days("2026-03-02", "2026-03-15"),
    }
    series = {s["status"]: s["data"] for s in ask(query)["series"]}
    assert series == {
        "new": [0, 0],
        "returning": [1, 0],
        "resurrecting": [0, 0],
        "dormant": [-1, -1],
    }


def test_lifecycle_uses_first_seen_of_the_person_a_merge_left(events, ask):
    e = events
    e.add(10, "open", "2026-02-10 10:00")  # the anonymous person, merged into 11 later
    e.add(11, "open", "2026-03-03 10:00")
    e.merge(10, 11).save()
    query = {
        "kind": "lifecycle",
        "series": {"event": "open"},
        "date_range": days("2026-03-02", "2026-03-04"),
    }
    series = {s["status"]: s["data"] for s in ask(query)["series"]}
    assert series["new"] == [0, 0, 0] and series["resurrecting"] == [0, 1, 0]


def test_paths_after_and_before_an_event(events, ask):
    e = events
    e.add(1, "open", "2026-03-02 10:00").add(1, "search", "2026-03-02 10:01")
    e.add(1, "view", "2026-03-02 10:02").add(1, "order", "2026-03-02 10:03")
    e.add(2, "open", "2026-03-02 10:00").add(2, "view", "2026-03-02 10:01")
    e.add(2, "$identify", "2026-03-02 10:01:30").add(2, "order", "2026-03-02 10:02")
    e.add(3, "search", "2026-03-02 10:00").add(3, "open", "2026-03-02 10:01")
    e.add(3, "view", "2026-03-02 10:02")
    e.save()
    query = {
        "kind": "paths",
        "event": "open",
        "steps": 3,
        "date_range": days("2026-03-01", "2026-03-05"),
    }
    result = ask(query)
    links = {
        (link["step"], link["source"], link["target"]): link["persons"] for link in result["links"]
    }
    assert result["persons"] == 3
    assert links == {
        (0, "open", "view"): 2,
        (0, "open", "search"): 1,
        (1, "view", "order"): 1,  # $identify is left out by default
        (1, "search", "view"): 1,
        (2, "view", "order"): 1,
    }
    assert ask.persons(query, {"step": 0, "source": "open", "target": "view"}) == [2, 3]
    before = ask({**query, "event": "order", "direction": "before", "steps": 1})
    assert {(k["step"], k["source"], k["target"]): k["persons"] for k in before["links"]} == {
        (0, "view", "order"): 2
    }


def test_attribution_first_and_last_touch(events, ask):
    e = events
    e.add(1, "open", "2026-03-02 10:00", utm_source="douyin")
    e.add(1, "open", "2026-03-03 10:00", utm_source="wechat")
    e.add(1, "order", "2026-03-03 10:05")
    e.add(1, "open", "2026-03-04 10:00", utm_source="baidu")  # after converting: not a touch
    e.add(2, "open", "2026-03-02 10:00", utm_source="wechat")
    e.add(3, "open", "2026-03-02 10:00").add(3, "order", "2026-03-02 11:00")
    e.save()
    query = {
        "kind": "attribution",
        "conversion": {"event": "order"},
        "date_range": days("2026-03-01", "2026-03-05"),
    }
    first = {c["channel"]: (c["persons"], c["conversions"]) for c in ask(query)["channels"]}
    assert first == {"douyin": (1, 1), "wechat": (1, 0), "": (1, 1)}
    last = ask({**query, "touch": "last"})
    assert {c["channel"]: (c["persons"], c["conversions"]) for c in last["channels"]} == {
        "wechat": (2, 1),
        "": (1, 1),
    }
    assert last["conversion_rate"] == 0.666667
    assert ask.persons({**query, "touch": "last"}, {"channel": "wechat", "converted": True}) == [1]
