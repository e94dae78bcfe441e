"""KPI alert rules (docs/goals.md#alerts): whether a KPI's latest daily value breaks a
rule, and the numbers that say why. No Django: tests/goals/test_alerts.py works each
kind through by hand, firing and not firing.

- below: the latest value is under the threshold.
- change: it moved more than `percent` % from the day before (up or down).
- forecast: it is outside the 80% range of the line fitted to the values before it
  (opsloop/goals/measure.py's forecast, carried to the latest day).
- weekday: it is more than `z` standard deviations from the mean of the same weekday
  in the `weeks` weeks before (at least three of them), e.g. a Monday against the last
  four Mondays: weekly rhythms do not fire it.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from opsloop.goals import measure

BELOW, CHANGE, FORECAST, WEEKDAY = "below", "change", "forecast", "weekday"
KINDS = (BELOW, CHANGE, FORECAST, WEEKDAY)
MIN_WEEKS = 3
# A history with no spread at all: any departure from it beyond this is one.
FLAT = 1e-9


@dataclass(frozen=True)
class Firing:
    """A rule broken on `day` by `value`; `numbers` what it was held against."""

    kind: str
    day: dt.date
    value: float
    numbers: dict[str, Any] = field(default_factory=dict)


def check(
    kind: str,
    points: Sequence[tuple[dt.date, float]],
    *,
    threshold: float | None = None,
    percent: float | None = None,
    weeks: int = 4,
    z: float = 3.0,
    last: int = measure.FORECAST_POINTS,
) -> Firing | None:
    """The firing of the rule on the latest of `points`, or None."""
    if not points:
        return None
    ordered = sorted(points)
    day, value = ordered[-1]
    by_day = dict(ordered)
    if kind == BELOW:
        if threshold is not None and value < threshold:
            return Firing(kind, day, value, {"threshold": threshold})
        return None
    if kind == CHANGE:
        before = by_day.get(day - dt.timedelta(days=1))
        if before is None or percent is None:
            return None
        if before == 0:
            return Firing(kind, day, value, {"before": before}) if value != 0 else None
        moved = (value - before) / abs(before) * 100
        if abs(moved) > percent:
            return Firing(kind, day, value, {"before": before, "percent": round(moved, 2)})
        return None
    if kind == FORECAST:
        predicted = measure.forecast(ordered[:-1], day, last=last)
        if predicted is None:
            return None
        low, high = predicted.low - FLAT, predicted.high + FLAT
        if value < low or value > high:
            return Firing(
                kind,
                day,
                value,
                {"expected": predicted.value, "low": predicted.low, "high": predicted.high},
            )
        return None
    if kind == WEEKDAY:
        same = [
            by_day[d] for k in range(1, weeks + 1) if (d := day - dt.timedelta(weeks=k)) in by_day
        ]
        if len(same) < MIN_WEEKS:
            return None
        mean = statistics.fmean(same)
        spread = statistics.stdev(same)
        allowed = z * spread if spread > 0 else FLAT * max(1.0, abs(mean))
        if abs(value - mean) > allowed:
            return Firing(
                kind, day, value, {"mean": mean, "sd": spread, "weeks": len(same), "z": z}
            )
        return None
    raise ValueError(f"unknown alert kind: {kind!r}")
