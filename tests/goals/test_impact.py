"""Campaign lift: a planted effect is found, none is found where none was planted, and
the two-proportion test by hand."""

from __future__ import annotations

import random

import pytest

from opsloop.goals.impact import in_words, mean_lift, two_proportions


def days(mean: float, spread: float, n: int, seed: int) -> list[float]:
    rng = random.Random(seed)
    return [rng.gauss(mean, spread) for _ in range(n)]


def test_two_proportions_by_hand():
    # 150 of 1,000 against 100 of 1,000: pooled 0.125, se √(0.125 · 0.875 · 0.002) =
    # 0.014790, z = 3.3806, p = 0.000723; unpooled se √(.15·.85/1000 + .1·.9/1000) =
    # 0.014748, interval 0.05 ± 1.96 · 0.014748.
    lift = two_proportions(150, 1000, 100, 1000)
    assert lift.lift == pytest.approx(0.05) and lift.relative == pytest.approx(0.5)
    assert lift.p_value == pytest.approx(0.000723, abs=2e-6)
    assert (lift.low, lift.high) == pytest.approx((0.02109, 0.07891), abs=1e-4)
    assert lift.clear
    # 120 of 1,000 against 100 of 1,000: z = 1.4293, p = 0.1529: not clear.
    small = two_proportions(120, 1000, 100, 1000)
    assert small.p_value == pytest.approx(0.1529, abs=1e-3) and not small.clear
    with pytest.raises(ValueError):
        two_proportions(1, 0, 1, 10)


def test_a_planted_lift_in_daily_values_is_found():
    baseline = days(1000, 50, 28, seed=1)
    campaign = days(1150, 50, 14, seed=2)  # +15% planted
    lift = mean_lift(campaign, baseline)
    assert lift.clear and lift.low > 0
    assert 100 < lift.lift < 200 and lift.low < 150 < lift.high
    assert "unlikely to be chance" in in_words(lift)
    assert mean_lift(campaign, baseline) == lift  # the same every time


def test_no_lift_is_found_where_none_was_planted():
    baseline = days(1000, 50, 28, seed=3)
    campaign = days(1000, 50, 14, seed=4)
    lift = mean_lift(campaign, baseline)
    assert not lift.clear and lift.low < 0 < lift.high
    assert "no clear effect" in in_words(lift)
