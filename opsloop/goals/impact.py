"""A campaign's lift on a KPI, with its uncertainty (docs/goals.md#campaign-impact): the
campaign's period against a baseline before it (or a targeted cohort against a control
cohort). No Django: tests/goals/test_impact.py plants an effect and finds it, and finds
none where none was planted.

- Rates (converted of entered): a two-proportion z-test; the lift is the difference of
  the rates, with a 95% interval from their unpooled standard error.
- Daily values (DAU, GMV): the difference of the means, with a 95% percentile interval
  from a bootstrap (resampling each period's days, a fixed seed so a report reads the
  same every time).
A lift is "clear" when its 95% interval leaves out zero.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

Z_95 = statistics.NormalDist().inv_cdf(0.975)
DRAWS = 2000


@dataclass(frozen=True)
class Lift:
    """The campaign's value against the baseline's: their difference (`lift`), that as
    a share of the baseline (`relative`), its 95% interval, and a p-value when the test
    gives one."""

    campaign: float
    baseline: float
    lift: float
    relative: float | None
    low: float
    high: float
    p_value: float | None = None

    @property
    def clear(self) -> bool:
        return self.low > 0 or self.high < 0


def two_proportions(converted: int, entered: int, base_converted: int, base_entered: int) -> Lift:
    """The campaign's rate converted / entered against the baseline's (or control's)."""
    if entered <= 0 or base_entered <= 0:
        raise ValueError("both groups need someone in them")
    p1, p0 = converted / entered, base_converted / base_entered
    pooled = (converted + base_converted) / (entered + base_entered)
    se_pooled = math.sqrt(pooled * (1 - pooled) * (1 / entered + 1 / base_entered))
    z = (p1 - p0) / se_pooled if se_pooled > 0 else 0.0
    p_value = 2 * (1 - statistics.NormalDist().cdf(abs(z)))
    se = math.sqrt(p1 * (1 - p1) / entered + p0 * (1 - p0) / base_entered)
    diff = p1 - p0
    return Lift(
        campaign=p1,
        baseline=p0,
        lift=diff,
        relative=(p1 / p0 - 1) if p0 else None,
        low=diff - Z_95 * se,
        high=diff + Z_95 * se,
        p_value=p_value,
    )


def mean_lift(
    campaign: Sequence[float], baseline: Sequence[float], *, draws: int = DRAWS, seed: int = 0
) -> Lift:
    """The difference of the daily means, its interval by bootstrap."""
    if len(campaign) < 2 or len(baseline) < 2:
        raise ValueError("each period needs two days at least")
    m1, m0 = statistics.fmean(campaign), statistics.fmean(baseline)
    rng = random.Random(seed)  # noqa: S311 (a repeatable resample, not a secret)
    diffs = sorted(
        statistics.fmean(rng.choices(campaign, k=len(campaign)))
        - statistics.fmean(rng.choices(baseline, k=len(baseline)))
        for _ in range(draws)
    )
    low = diffs[int(0.025 * (draws - 1))]
    high = diffs[int(math.ceil(0.975 * (draws - 1)))]
    return Lift(
        campaign=m1,
        baseline=m0,
        lift=m1 - m0,
        relative=(m1 / m0 - 1) if m0 else None,
        low=low,
        high=high,
    )


def in_words(lift: Lift, *, percent: bool = False, control: bool = False) -> str:
    """The lift said plainly, for a report: how much, how sure. `control`: the lift is a
    targeted cohort's against a control cohort's, not the campaign's against a baseline."""
    scale, unit = (100.0, " pp") if percent else (1.0, "")

    def num(v: float) -> str:
        return f"{v * scale:+.2f}{unit}"

    share = f" ({lift.relative * 100:+.1f}%)" if lift.relative is not None else ""
    numbers = {"lift": num(lift.lift), "share": share, "low": num(lift.low), "high": num(lift.high)}
    if control and lift.clear:
        text = _(
            "%(lift)s%(share)s against the control cohort; the 95%% interval, %(low)s to "
            "%(high)s, leaves out no change: unlikely to be chance."
        )
    elif control:
        text = _(
            "%(lift)s%(share)s against the control cohort, but the 95%% interval, %(low)s to "
            "%(high)s, holds no change too: no clear effect."
        )
    elif lift.clear:
        text = _(
            "%(lift)s%(share)s against the baseline; the 95%% interval, %(low)s to %(high)s, "
            "leaves out no change: unlikely to be chance."
        )
    else:
        text = _(
            "%(lift)s%(share)s against the baseline, but the 95%% interval, %(low)s to %(high)s, "
            "holds no change too: no clear effect."
        )
    return text % numbers
