"""Funnels, known answers worked by hand (docs/metrics.md#funnels), on both engines."""

from __future__ import annotations

from tests.insights.conftest import days

RANGE = days("2026-03-01", "2026-03-31")


def funnel(*steps: str, **options):
    return {
        "kind": "funnel",
        "steps": [{"event": s} for s in steps],
        "date_range": RANGE,
        **options,
    }


def counts(result):
    return [step["count"] for step in result["steps"]]


def test_counts_conversion_and_times(events, ask):
    # 1: all three steps, 5 min then 1 h; 2: two steps, 10 min; 3: only the first.
    events.add(1, "open", "2026-03-02 10:00").add(1, "signup", "2026-03-02 10:05")
    events.add(1, "order", "2026-03-02 11:05")
    events.add(2, "open", "2026-03-03 09:00").add(2, "signup", "2026-03-03 09:10")
    events.add(3, "open", "2026-03-04 12:00")
    events.add(4, "signup", "2026-03-04 12:00")  # never opened: not in the funnel
    events.save()
    result = ask(funnel("open", "signup", "order"))
    assert counts(result) == [3, 2, 1]
    assert [s["conversion"] for s in result["steps"]] == [1.0, 0.666667, 0.333333]
    assert [s["step_conversion"] for s in result["steps"]] == [1.0, 0.666667, 0.5]
    assert [s["dropped"] for s in result["steps"]] == [0, 1, 1]
    # open -> signup: 300 s and 600 s; signup -> order: 3600 s.
    assert result["steps"][1]["average_seconds"] == 450.0
    assert result["steps"][1]["median_seconds"] == 450.0
    assert result["steps"][2]["average_seconds"] == 3600.0
    assert result["average_seconds"] == 3900.0  # first to last step, the one who made it
    assert (result["entered"], result["converted"], result["conversion"]) == (3, 1, 0.333333)
    assert ask.persons(funnel("open", "signup", "order"), {"step": 1}) == [1, 2]
    assert ask.persons(funnel("open", "signup", "order"), {"step": 1, "dropped": True}) == [3]
    assert ask.persons(funnel("open", "signup", "order"), {"step": 2, "dropped": True}) == [2]


def test_events_at_the_same_moment_are_taken_in_the_funnels_order(events, ask):
    events.add(1, "signup", "2026-03-02 10:00:00").add(1, "open", "2026-03-02 10:00:00")
    events.save()
    assert counts(ask(funnel("open", "signup"))) == [1, 1]
    assert ask(funnel("open", "signup"))["steps"][1]["median_seconds"] == 0.0


def test_one_event_counts_for_one_step_only(events, ask):
    # A funnel of the same event twice needs two of them.
    events.add(1, "open", "2026-03-02 10:00")
    events.add(2, "open", "2026-03-02 10:00").add(2, "open", "2026-03-03 10:00")
    events.save()
    assert counts(ask(funnel("open", "open"))) == [2, 1]


def test_two_events_of_one_step_at_one_moment_do_not_follow_each_other(events, ask):
    # Person 1's two opens share a moment: neither is later, so no second open.
    events.add(1, "open", "2026-03-02 10:00:00").add(1, "open", "2026-03-02 10:00:00")
    events.add(2, "open", "2026-03-02 10:00:00").add(2, "open", "2026-03-02 10:00:01")
    events.save()
    assert counts(ask(funnel("open", "open"))) == [2, 1]
    assert ask.persons(funnel("open", "open"), {"step": 1}) == [2]


def test_a_repeated_step_needs_its_own_later_event(events, ask):
    events.add(1, "open", "2026-03-02 10:00").add(1, "view", "2026-03-02 10:01")
    events.add(1, "open", "2026-03-02 10:02")
    events.add(2, "open", "2026-03-02 10:00").add(2, "view", "2026-03-02 10:01")
    events.save()
    assert counts(ask(funnel("open", "view", "open"))) == [2, 2, 1]


def test_the_window_counts_from_step_one_and_includes_its_limit(events, ask):
    events.add(1, "open", "2026-03-02 10:00:00").add(1, "signup", "2026-03-16 10:00:00")
    events.add(2, "open", "2026-03-02 10:00:00").add(2, "signup", "2026-03-16 10:00:01")
    # 3: step 2 in time, step 3 at 14 days + 1 minute from step 1 (8 days from step 2).
    events.add(3, "open", "2026-03-02 10:00").add(3, "signup", "2026-03-08 10:00")
    events.add(3, "order", "2026-03-16 10:01")
    events.save()
    result = ask(funnel("open", "signup", "order"))
    assert counts(result) == [3, 2, 0]
    assert ask.persons(funnel("open", "signup"), {"step": 1}) == [1, 3]
    hour = ask(funnel("open", "signup", window=1, window_unit="hour"))
    assert counts(hour) == [3, 0]


def test_a_later_start_that_converts_wins(events, ask):
    # The first open is too long before the signup; the second is in time.
    events.add(1, "open", "2026-03-01 10:00").add(1, "open", "2026-03-19 10:00")
    events.add(1, "signup", "2026-03-20 10:00")
    events.save()
    result = ask(funnel("open", "signup"))
    assert counts(result) == [1, 1]
    assert result["steps"][1]["average_seconds"] == 86400.0


def test_events_before_a_merge_belong_to_the_merged_person(events, ask):
    # Person 10 browsed anonymously; person 11 signed up; identify merged 10 into 11.
    events.add(10, "open", "2026-03-02 10:00").add(11, "signup", "2026-03-02 10:30")
    events.merge(10, 11).save()
    result = ask(funnel("open", "signup"))
    assert counts(result) == [1, 1]
    assert ask.persons(funnel("open", "signup"), {"step": 1}) == [11]


def test_strict_order_allows_nothing_between_steps(events, ask):
    events.add(1, "open", "2026-03-02 10:00").add(1, "view", "2026-03-02 10:01")
    events.add(1, "signup", "2026-03-02 10:02")
    events.add(2, "open", "2026-03-02 10:00").add(2, "signup", "2026-03-02 10:02")
    events.save()
    assert counts(ask(funnel("open", "signup", order="strict"))) == [2, 1]
    assert counts(ask(funnel("open", "signup"))) == [2, 2]


def test_any_order_counts_steps_done_in_any_order_within_the_window(events, ask):
    events.add(1, "signup", "2026-03-02 10:00").add(1, "open", "2026-03-02 10:05")
    events.add(2, "open", "2026-03-02 10:00")
    events.add(3, "order", "2026-03-02 10:00").add(3, "signup", "2026-03-25 10:00")
    events.save()
    assert counts(ask(funnel("open", "signup", order="any"))) == [3, 1]
    assert counts(ask(funnel("open", "signup"))) == [2, 0]
    # 3 did two of the three steps, but 23 days apart.
    assert counts(ask(funnel("open", "signup", "order", order="any"))) == [3, 1, 0]


def test_an_exclusion_between_steps_takes_the_person_out(events, ask):
    events.add(1, "open", "2026-03-02 10:00").add(1, "refund", "2026-03-02 10:01")
    events.add(1, "signup", "2026-03-02 10:02")
    events.add(2, "open", "2026-03-02 10:00").add(2, "signup", "2026-03-02 10:02")
    events.add(2, "refund", "2026-03-02 10:03")  # after the step: stays
    events.add(3, "open", "2026-03-02 10:00").add(3, "refund", "2026-03-03 10:00")  # no signup
    events.save()
    query = funnel("open", "signup", exclusions=[{"event": "refund", "from_step": 0, "to_step": 1}])
    assert counts(ask(query)) == [1, 1]
    assert ask.persons(query, {"step": 0}) == [2]


def test_breakdown_by_first_touch_the_value_on_the_first_step_one_event(events, ask):
    events.add(1, "open", "2026-03-02 10:00", utm_source="douyin")
    events.add(1, "signup", "2026-03-02 10:05")
    events.add(2, "open", "2026-03-01 10:00", utm_source="douyin")
    events.add(2, "open", "2026-03-20 10:00", utm_source="wechat")
    events.add(2, "signup", "2026-03-20 10:05")
    events.add(3, "open", "2026-03-02 10:00", utm_source="wechat")
    events.add(4, "open", "2026-03-02 10:00")
    events.save()
    query = funnel("open", "signup", breakdown={"key": "utm_source"})
    result = ask(query)
    by = {row["value"]: counts(row) for row in result["breakdown"]}
    # 2 first came from douyin: that is their channel, though they converted from wechat.
    assert by == {"douyin": [2, 2], "wechat": [1, 0], "": [1, 0]}
    assert counts(result) == [4, 2]
    assert ask.persons(query, {"step": 1, "breakdown": "douyin"}) == [1, 2]
    top = ask(funnel("open", "signup", breakdown={"key": "utm_source", "limit": 1}))
    # By persons who did step 1 with the value: douyin 2, wechat 2 (name breaks the tie).
    assert {row["value"]: counts(row) for row in top["breakdown"]} == {
        "douyin": [2, 2],
        "$other": [2, 0],
    }


def test_conversion_trend_by_entry_day_in_the_workspaces_zone(events, ask):
    # 00:30 on the 3rd in Beijing is still the 2nd in UTC.
    events.add(1, "open", "2026-03-03 00:30").add(1, "signup", "2026-03-03 01:00")
    events.add(2, "open", "2026-03-02 23:30")
    events.save()
    query = funnel("open", "signup", trend="day", date_range=days("2026-03-02", "2026-03-04"))
    trend = ask(query)["trend"]
    assert [(t["bucket"], t["entered"], t["converted"]) for t in trend] == [
        ("2026-03-02", 1, 0),
        ("2026-03-03", 1, 1),
        ("2026-03-04", 0, 0),
    ]


def test_step_filters_and_global_filters(events, ask):
    events.add(1, "open", "2026-03-02 10:00", properties={"plan": "pro"})
    events.add(1, "order", "2026-03-02 10:05", properties={"amount": 120})
    events.add(2, "open", "2026-03-02 10:00", properties={"plan": "free"})
    events.add(2, "order", "2026-03-02 10:05", properties={"amount": 20})
    events.add(3, "open", "2026-03-02 10:00", os="iOS").add(
        3, "order", "2026-03-02 10:05", os="iOS"
    )
    events.save()
    query = {
        "kind": "funnel",
        "date_range": RANGE,
        "steps": [
            {"event": "open"},
            {"event": "order", "filters": [{"key": "amount", "op": "gte", "value": 100}]},
        ],
    }
    assert counts(ask(query)) == [3, 1]
    query["filters"] = [{"key": "os", "op": "neq", "value": "iOS"}]
    assert counts(ask(query)) == [2, 1]
