"""Each kind of KPI alert rule, firing and not firing, on series made by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from opsloop.goals.alerts import BELOW, CHANGE, FORECAST, WEEKDAY, check

MONDAY = dt.date(2026, 11, 2)


def series(*values: float, start: dt.date = MONDAY) -> list[tuple[dt.date, float]]:
    return [(start + dt.timedelta(days=i), v) for i, v in enumerate(values)]


def test_below_a_threshold():
    fired = check(BELOW, series(120, 110, 95), threshold=100)
    assert (fired.day, fired.value, fired.numbers) == (
        MONDAY + dt.timedelta(days=2),
        95,
        {"threshold": 100},
    )
    assert check(BELOW, series(120, 110, 100), threshold=100) is None  # at it is not below


def test_a_day_on_day_move_past_a_percentage():
    fired = check(CHANGE, series(200, 170), percent=10)  # -15%
    assert fired.numbers == {"before": 200, "percent": -15.0}
    assert check(CHANGE, series(200, 220), percent=10) is None  # +10% exactly: not past it
    assert check(CHANGE, series(200, 230), percent=10).numbers["percent"] == 15.0
    # No value the day before: nothing to compare with.
    gap = [(MONDAY, 200.0), (MONDAY + dt.timedelta(days=2), 100.0)]
    assert check(CHANGE, gap, percent=10) is None
    assert check(CHANGE, series(0, 5), percent=10).numbers == {"before": 0}


def test_outside_the_forecasts_range():
    # 1 3 2 4, then day 4: the line says 4.5 ± t(0.90, 2 df) 1.886 · √0.9 · √(1 + 1/4 +
    # 2.5²/5) = 4.5 ± 1.886 · 1.5 = 4.5 ± 2.829: from 1.671 to 7.329.
    assert check(FORECAST, series(1, 3, 2, 4, 7.3)) is None
    assert check(FORECAST, series(1, 3, 2, 4, 1.7)) is None
    high = check(FORECAST, series(1, 3, 2, 4, 7.4))
    assert high.numbers["expected"] == pytest.approx(4.5)
    assert high.numbers["high"] == pytest.approx(7.329)
    low = check(FORECAST, series(1, 3, 2, 4, 1.6))
    assert low.numbers["low"] == pytest.approx(1.671)
    assert check(FORECAST, series(5, 6)) is None  # too few values for a line


def test_against_the_same_weekday_of_previous_weeks():
    # Mondays of four weeks: 100 104 96 100 (mean 100, sd 3.266); then this Monday.
    def mondays(today: float) -> list[tuple[dt.date, float]]:
        week = [100.0, 104.0, 96.0, 100.0]
        points = [(MONDAY + dt.timedelta(weeks=k), v) for k, v in enumerate(week)]
        # Busy weekends in between do not count: only Mondays are compared.
        points += [(MONDAY + dt.timedelta(weeks=k, days=5), 400.0) for k in range(4)]
        return [*points, (MONDAY + dt.timedelta(weeks=4), today)]

    assert check(WEEKDAY, mondays(109)) is None  # 9 < 3 × 3.266
    fired = check(WEEKDAY, mondays(110))  # 10 > 9.798
    assert fired.numbers["mean"] == pytest.approx(100) and fired.numbers["weeks"] == 4
    assert fired.numbers["sd"] == pytest.approx(3.266, abs=1e-3)
    assert check(WEEKDAY, mondays(90), z=2) is not None
    # Two earlier Mondays are not enough to judge by.
    short = [
        (MONDAY, 100.0),
        (MONDAY + dt.timedelta(weeks=1), 100.0),
        (MONDAY + dt.timedelta(weeks=2), 500.0),
    ]
    assert check(WEEKDAY, short) is None
