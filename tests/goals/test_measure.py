"""Progress, forecast and status of key results, known answers worked by hand
(docs/goals.md)."""

from __future__ import annotations

import datetime as dt

import pytest

from opsloop.goals.measure import (
    AT_LEAST,
    AT_MOST,
    AT_RISK,
    BAND,
    DECREASE,
    INCREASE,
    OFF_TRACK,
    ON_TRACK,
    UNKNOWN,
    Target,
    decimals,
    elapsed_share,
    forecast,
    progress,
    status,
    weighted_progress,
    worst,
)

D0 = dt.date(2026, 10, 1)


def series(*values: float) -> list[tuple[dt.date, float]]:
    return [(D0 + dt.timedelta(days=i), v) for i, v in enumerate(values)]


@pytest.mark.parametrize(
    ("goal", "current", "expected"),
    [
        (Target(INCREASE, 100, 200), 150, 0.5),
        (Target(INCREASE, 100, 200), 250, 1.0),  # past the target: done, not more
        (Target(INCREASE, 100, 200), 50, 0.0),  # below the start: nothing yet
        (Target(DECREASE, 10, 4), 7, 0.5),  # churn from 10% to 4%, now 7%
        (Target(DECREASE, 10, 4), 3, 1.0),
        (Target(INCREASE, 5, 5), 5, 1.0),  # hold a value: held
        (Target(INCREASE, 5, 5), 4, 0.0),
        (Target(BAND, 0, 0, low=4, high=6), 5, 1.0),
        (Target(BAND, 0, 0, low=4, high=6), 6.5, 0.0),
        (Target(INCREASE, 0, 10), None, None),
    ],
)
def test_progress(goal, current, expected):
    got = progress(goal, current)
    assert got is None if expected is None else got == pytest.approx(expected)


def test_an_objectives_progress_is_weighted_and_a_missing_value_counts_as_none_done():
    assert weighted_progress([(0.5, 2), (1.0, 1), (None, 1)]) == pytest.approx(0.5)
    assert weighted_progress([]) is None
    assert weighted_progress([(0.5, 0)]) is None


def test_a_line_through_exact_points_forecasts_without_a_range():
    f = forecast(series(10, 12, 14, 16), D0 + dt.timedelta(days=10))
    assert (f.value, f.low, f.high, f.slope_per_day, f.points) == pytest.approx((30, 30, 30, 2, 4))


def test_the_forecast_and_its_80_percent_range_by_hand():
    # x 0..3, y 1 3 2 4: slope 0.8, intercept 1.3; residuals -0.3 0.9 -0.9 0.3, s = √0.9;
    # at x = 5: 5.3 ± t(0.90, 2 df) 1.886 · √0.9 · √(1 + 1/4 + 3.5²/5) = 5.3 ± 3.441624.
    f = forecast(series(1, 3, 2, 4), D0 + dt.timedelta(days=5))
    assert f.value == pytest.approx(5.3)
    assert f.slope_per_day == pytest.approx(0.8)
    assert f.low == pytest.approx(1.858376, abs=1e-5)
    assert f.high == pytest.approx(8.741624, abs=1e-5)


def test_the_forecast_takes_the_last_points_only_and_needs_three():
    # An old plateau, then a climb: the last three points alone set the line.
    values = [50.0] * 10 + [1.0, 2.0, 3.0]
    f = forecast(series(*values), D0 + dt.timedelta(days=15), last=3)
    assert f.value == pytest.approx(6.0) and f.points == 3
    assert forecast(series(1, 2), D0 + dt.timedelta(days=5)) is None
    assert forecast([(D0, 1.0), (D0, 2.0), (D0, 3.0)], D0) is None  # no slope on one day


def test_status_by_the_forecast():
    f = forecast(series(1, 3, 2, 4), D0 + dt.timedelta(days=5))  # 5.3, range 1.86 .. 8.74
    assert status(Target(INCREASE, 0, 5), f) == ON_TRACK
    assert status(Target(INCREASE, 0, 6), f) == AT_RISK  # only the range reaches 6
    assert status(Target(INCREASE, 0, 9), f) == OFF_TRACK
    assert status(Target(DECREASE, 10, 6), f) == ON_TRACK
    assert status(Target(DECREASE, 10, 3), f) == AT_RISK
    assert status(Target(DECREASE, 10, 1), f) == OFF_TRACK
    assert status(Target(BAND, 0, 0, low=4, high=6), f) == ON_TRACK
    assert status(Target(BAND, 0, 0, low=6, high=7), f) == AT_RISK
    assert status(Target(BAND, 0, 0, low=9, high=10), f) == OFF_TRACK


def test_status_without_a_forecast_compares_progress_with_the_time_gone():
    goal = Target(INCREASE, 0, 100)
    assert status(goal, None, current=50, elapsed=0.5) == ON_TRACK
    assert status(goal, None, current=40, elapsed=0.5) == AT_RISK  # 0.4 >= 0.7 * 0.5
    assert status(goal, None, current=30, elapsed=0.5) == OFF_TRACK
    assert status(goal, None, current=None, elapsed=0.5) == UNKNOWN


def test_an_objective_is_as_well_as_its_worst_key_result():
    assert worst([ON_TRACK, AT_RISK, UNKNOWN]) == AT_RISK
    assert worst([ON_TRACK, OFF_TRACK, AT_RISK]) == OFF_TRACK
    assert worst([UNKNOWN]) == UNKNOWN


def test_the_share_of_the_period_gone():
    q4 = (dt.date(2026, 10, 1), dt.date(2026, 12, 31))  # 92 days
    assert elapsed_share(*q4, dt.date(2026, 11, 15)) == pytest.approx(46 / 92)
    assert elapsed_share(*q4, dt.date(2026, 9, 1)) == 0.0
    assert elapsed_share(*q4, dt.date(2027, 1, 5)) == 1.0


# --- at least / at most a value: a floor or a ceiling to keep all period


@pytest.mark.parametrize(
    ("goal", "current", "expected"),
    [
        # "Do not fall below 25.34": met while it holds, whatever the start.
        (Target(AT_LEAST, 0, 25.34), 26, 1.0),
        (Target(AT_LEAST, 25.34, 25.34), 25.34, 1.0),
        # Below it: the way from the start, unrounded (25.3377 of 25.34 from 0).
        (Target(AT_LEAST, 0, 25.34), 25.3377, 25.3377 / 25.34),
        (Target(AT_LEAST, 25.34, 25.34), 25.3377, 0.0),  # no start below it: not met
        # "Do not exceed 5% churn".
        (Target(AT_MOST, 10, 5), 4, 1.0),
        (Target(AT_MOST, 10, 5), 7.5, 0.5),
        (Target(AT_MOST, 0, 5), 6, 0.0),
    ],
)
def test_progress_toward_a_floor_or_a_ceiling(goal, current, expected):
    assert progress(goal, current) == pytest.approx(expected, abs=1e-12)


def test_a_floor_is_on_track_while_it_holds():
    f = forecast(series(30, 29, 28, 27), D0 + dt.timedelta(days=10))  # heading to 20
    floor = Target(AT_LEAST, 0, 25)
    # Holding now (27), but the line crosses the floor before the end: at risk.
    assert status(floor, f, current=27) == AT_RISK
    assert status(Target(AT_LEAST, 0, 20), f, current=27) == ON_TRACK
    # Crossed now: off track unless the forecast comes back.
    assert status(Target(AT_LEAST, 0, 28), f, current=27) == OFF_TRACK
    rising = forecast(series(24, 25, 26, 27), D0 + dt.timedelta(days=10))  # to 34
    assert status(Target(AT_LEAST, 0, 28), rising, current=27) == AT_RISK
    # A ceiling, mirrored.
    assert status(Target(AT_MOST, 0, 28), f, current=27) == ON_TRACK
    assert status(Target(AT_MOST, 0, 25), rising, current=24) == AT_RISK
    assert status(Target(AT_MOST, 0, 20), rising, current=27) == OFF_TRACK


def test_without_a_forecast_a_held_floor_is_on_track_and_a_crossed_one_at_best_at_risk():
    floor = Target(AT_LEAST, 0, 25.34)
    assert status(floor, None, current=25.34, elapsed=0.9) == ON_TRACK
    # 25.3377 is 99.99% of the way but below the floor: not on track, however early.
    assert status(floor, None, current=25.3377, elapsed=0.1) == AT_RISK
    assert status(floor, None, current=10, elapsed=0.9) == OFF_TRACK
    # An increase to 25.34 at 99.99% with 99.9% of the period gone is on track...
    assert status(Target(INCREASE, 0, 25.34), None, current=25.3377, elapsed=0.999) == ON_TRACK
    # ...and not once all of it is gone: the unrounded value falls short.
    assert status(Target(INCREASE, 0, 25.34), None, current=25.3377, elapsed=1.0) == AT_RISK


def test_decimals_tell_the_numbers_apart():
    assert decimals([25.3377, 0, 25.34]) == 3  # 25.338 against 25.340
    assert decimals([1200, 1000, 3000]) == 0
    assert decimals([8.8476, 0, 12]) == 2
    assert decimals([1.00001, 1.00002]) == 5
    assert decimals([None, 5.5]) == 2
    assert decimals([1 + 1e-9, 1 + 2e-9]) == 6  # at most six
