"""Key-result arithmetic: progress toward a target, a forecast to the period's end, and
the status that follows (docs/goals.md). Numbers in, numbers out: no Django here, so the
known-answer tests (tests/goals/test_measure.py) work it through by hand.

- Progress of a key result: how far its KPI has gone from the start value to the target,
  0 to 1 (increase: (current - start) / (target - start); decrease: the same, downward;
  a band: 1 inside it, else 0; at least / at most a value: 1 while the value holds,
  else as an increase / decrease from the start to it). An objective's is the weighted
  mean of its key results'.
- Forecast: a least-squares line through the KPI's last N daily values (default 14),
  carried to the period's last day, with an 80% prediction interval (Student's t with
  n - 2 degrees of freedom): the range.
- Status: on track when the forecast reaches the target (or stays in the band), at risk
  when only the range does, off track when not even the range does. Without a forecast
  (fewer than three values), progress is compared with the share of the period gone:
  at least that share is on track, at least 70% of it at risk.
- At least / at most a value (a floor or a ceiling to keep, "do not fall below"): on
  track while the latest value holds and the forecast keeps it, at risk while it holds
  but the forecast crosses it; once crossed, at risk when the forecast (or its range)
  comes back, else off track. Without a forecast a crossed floor is at best at risk.
- Every comparison uses the values as they are: rounding is for display only, and
  `decimals` says how many places tell a key result's numbers apart.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

INCREASE, DECREASE, BAND = "increase", "decrease", "band"
AT_LEAST, AT_MOST = "at_least", "at_most"  # a floor or a ceiling to keep
ON_TRACK, AT_RISK, OFF_TRACK, UNKNOWN = "on_track", "at_risk", "off_track", "unknown"
# Worst first: an objective is as well as its worst key result.
STATUS_ORDER = (OFF_TRACK, AT_RISK, ON_TRACK, UNKNOWN)
FORECAST_POINTS = 14
MIN_POINTS = 3
AT_RISK_SHARE = 0.7
# Student's t at 0.90 (an 80% two-sided interval) for 1..30 degrees of freedom; past 30
# the normal distribution's 1.2816 is within 2%.
T_90 = (
    3.078, 1.886, 1.638, 1.533, 1.476, 1.440, 1.415, 1.397, 1.383, 1.372,
    1.363, 1.356, 1.350, 1.345, 1.341, 1.337, 1.333, 1.330, 1.328, 1.325,
    1.323, 1.321, 1.319, 1.318, 1.316, 1.315, 1.314, 1.313, 1.311, 1.310,
)  # fmt: skip
Z_90 = 1.2816


@dataclass(frozen=True)
class Target:
    """What a key result asks of its KPI."""

    direction: str
    start: float
    target: float
    low: float | None = None  # a band's bounds
    high: float | None = None


@dataclass(frozen=True)
class Forecast:
    """Where the fitted line puts the KPI on `day`, and the 80% range around it."""

    day: dt.date
    value: float
    low: float
    high: float
    points: int  # how many values the line was fitted to
    slope_per_day: float


def progress(goal: Target, current: float | None) -> float | None:
    """How far `current` has gone from the start to the target, 0 to 1."""
    if current is None:
        return None
    if goal.direction == BAND:
        return 1.0 if _in_band(goal, current) else 0.0
    if goal.direction in (AT_LEAST, AT_MOST) and holds(goal, current):
        return 1.0
    span = goal.target - goal.start
    if goal.direction in (DECREASE, AT_MOST):
        span, moved = -span, goal.start - current
    else:
        moved = current - goal.start
    if span <= 0:  # the target is the start, or behind it: reached or not
        return 1.0 if moved >= span else 0.0
    return min(1.0, max(0.0, moved / span))


def holds(goal: Target, value: float) -> bool:
    """A floor (at least) or a ceiling (at most) is kept by `value`, exactly."""
    if goal.direction == AT_MOST:
        return value <= goal.target
    return value >= goal.target


def weighted_progress(parts: Sequence[tuple[float | None, float]]) -> float | None:
    """An objective's progress: its key results' (progress, weight), a key result without
    a value counting as 0; None when there are none or all weigh nothing."""
    total = sum(weight for _p, weight in parts if weight > 0)
    if not parts or total <= 0:
        return None
    return sum((p or 0.0) * weight for p, weight in parts if weight > 0) / total


def forecast(
    points: Sequence[tuple[dt.date, float]], day: dt.date, *, last: int = FORECAST_POINTS
) -> Forecast | None:
    """The least-squares line through the last `last` points carried to `day`, or None
    with fewer than MIN_POINTS points (or all on one day)."""
    recent = sorted(points)[-last:]
    n = len(recent)
    if n < MIN_POINTS:
        return None
    origin = recent[0][0]
    xs = [float((d - origin).days) for d, _v in recent]
    ys = [float(v) for _d, v in recent]
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    if sxx == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx
    intercept = mean_y - slope * mean_x
    at = float((day - origin).days)
    value = intercept + slope * at
    residuals = sum((y - (intercept + slope * x)) ** 2 for x, y in zip(xs, ys, strict=True))
    spread = math.sqrt(residuals / (n - 2)) if n > 2 else 0.0
    t = T_90[n - 3] if n - 2 <= len(T_90) else Z_90
    half = t * spread * math.sqrt(1 + 1 / n + (at - mean_x) ** 2 / sxx)
    return Forecast(
        day=day, value=value, low=value - half, high=value + half, points=n, slope_per_day=slope
    )


def status(
    goal: Target,
    predicted: Forecast | None,
    *,
    current: float | None = None,
    elapsed: float | None = None,
) -> str:
    """on_track, at_risk or off_track by the forecast; without one, by progress against
    `elapsed` (the share of the period gone, 0 to 1); unknown without either."""
    if predicted is not None:
        if goal.direction == BAND:
            if _in_band(goal, predicted.value):
                return ON_TRACK
            low = goal.low if goal.low is not None else -math.inf
            high = goal.high if goal.high is not None else math.inf
            return AT_RISK if predicted.high >= low and predicted.low <= high else OFF_TRACK
        if goal.direction in (AT_LEAST, AT_MOST):
            kept = holds(goal, predicted.value)
            may_keep = holds(goal, predicted.high if goal.direction == AT_LEAST else predicted.low)
            if current is not None and holds(goal, current):
                return ON_TRACK if kept else AT_RISK
            if current is not None:  # crossed now: at best it comes back
                return AT_RISK if may_keep else OFF_TRACK
            return ON_TRACK if kept else AT_RISK if may_keep else OFF_TRACK
        if goal.direction == DECREASE:
            best, likely = predicted.low, predicted.value
            reached = likely <= goal.target
            return ON_TRACK if reached else AT_RISK if best <= goal.target else OFF_TRACK
        best, likely = predicted.high, predicted.value
        reached = likely >= goal.target
        return ON_TRACK if reached else AT_RISK if best >= goal.target else OFF_TRACK
    done = progress(goal, current)
    if done is None or elapsed is None:
        return UNKNOWN
    if goal.direction in (AT_LEAST, AT_MOST) and done < 1:  # crossed: at best at risk
        return AT_RISK if done >= AT_RISK_SHARE * elapsed else OFF_TRACK
    if done >= elapsed:
        return ON_TRACK
    return AT_RISK if done >= AT_RISK_SHARE * elapsed else OFF_TRACK


def worst(statuses: Sequence[str]) -> str:
    """An objective's status: its worst key result's (unknown ones left out)."""
    known = [s for s in statuses if s != UNKNOWN]
    return min(known, key=STATUS_ORDER.index) if known else UNKNOWN


def elapsed_share(first: dt.date, last: dt.date, today: dt.date) -> float:
    """The share of the period [first, last] gone by the end of `today`, 0 to 1."""
    days = (last - first).days + 1
    return min(1.0, max(0.0, ((today - first).days + 1) / days))


def decimals(values: Sequence[float | None], *, most: int = 6) -> int:
    """How many decimal places show `values` so that no two that differ read the same
    (25.3377 and 25.34 need three: 25.338, 25.340): none for whole numbers, else two at
    least, at most `most`."""
    shown = [float(v) for v in values if v is not None and math.isfinite(v)]
    if all(v == round(v) for v in shown):
        return 0
    distinct = set(shown)
    for places in range(2, most + 1):
        if len({round(v, places) for v in distinct}) == len(distinct):
            return places
    return most


def _in_band(goal: Target, value: float) -> bool:
    low = goal.low if goal.low is not None else -math.inf
    high = goal.high if goal.high is not None else math.inf
    return low <= value <= high
