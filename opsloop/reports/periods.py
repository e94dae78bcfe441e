"""The periods a report covers and when a schedule fires, in the workspace's time zone.

A weekly schedule fires on its weekday at its hour and drafts the last whole week
(Monday to Sunday) that ended before that day; a monthly one fires on its day of the
month at its hour and drafts the last whole month. Only the latest firing counts: a
schedule that was off for three weeks drafts the week just ended, not the three missed.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.utils.translation import gettext as _

from opsloop.core.errors import Invalid

WEEK, MONTH, CUSTOM = "week", "month", "custom"
MAX_DAYS = 366


@dataclass(frozen=True)
class Period:
    """Whole local days, both ends included."""

    kind: str
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same kind just before: the week, the month, or as many days."""
        if self.kind == WEEK:
            return week_of(self.start - dt.timedelta(days=7))
        if self.kind == MONTH:
            return month_of(self.start - dt.timedelta(days=1))
        end = self.start - dt.timedelta(days=1)
        return Period(CUSTOM, end - dt.timedelta(days=self.days - 1), end)

    @property
    def name(self) -> str:
        """2026-W45, 2026-03, or 2026-03-01 – 2026-03-15."""
        if self.kind == WEEK:
            year, week, _weekday = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == MONTH:
            return f"{self.start.year}-{self.start.month:02d}"
        return f"{self.start.isoformat()} – {self.end.isoformat()}"

    @property
    def label(self) -> str:
        """The name with its days: 2026-W45 (2026-11-02 – 2026-11-08)."""
        if self.kind == CUSTOM:
            return self.name
        return f"{self.name} ({self.start.isoformat()} – {self.end.isoformat()})"


def week_of(day: dt.date) -> Period:
    start = day - dt.timedelta(days=day.weekday())
    return Period(WEEK, start, start + dt.timedelta(days=6))


def month_of(day: dt.date) -> Period:
    start = day.replace(day=1)
    following = (start + dt.timedelta(days=32)).replace(day=1)
    return Period(MONTH, start, following - dt.timedelta(days=1))


def make_period(kind: str, start: dt.date, end: dt.date | None = None) -> Period:
    """A week or month holding `start`, or the custom days start..end; Invalid otherwise."""
    if kind == WEEK:
        return week_of(start)
    if kind == MONTH:
        return month_of(start)
    if kind != CUSTOM:
        raise Invalid(_("A period is a week, a month or custom days."), field="period_kind")
    if end is None or end < start:
        raise Invalid(_("A custom period needs an end on or after its start."), field="period_end")
    if (end - start).days >= MAX_DAYS:
        raise Invalid(_("A period is at most a year long."), field="period_end")
    return Period(CUSTOM, start, end)


def last_firing(
    schedule: str, *, weekday: int, day: int, hour: int, now: dt.datetime, zone: str
) -> dt.datetime | None:
    """The latest local moment at or before `now` when the schedule fires; None for none."""
    local = now.astimezone(zoneinfo.ZoneInfo(zone))
    tz = local.tzinfo
    if schedule == "weekly":
        date = local.date() - dt.timedelta(days=(local.weekday() - weekday) % 7)
        moment = dt.datetime.combine(date, dt.time(hour), tzinfo=tz)
        if moment > local:
            moment -= dt.timedelta(days=7)
        return moment
    if schedule == "monthly":
        moment = dt.datetime.combine(local.date().replace(day=day), dt.time(hour), tzinfo=tz)
        if moment > local:
            previous = local.date().replace(day=1) - dt.timedelta(days=1)
            moment = dt.datetime.combine(previous.replace(day=day), dt.time(hour), tzinfo=tz)
        return moment
    return None


def period_fired(schedule: str, fired: dt.date) -> Period:
    """The period a firing on local day `fired` drafts: the whole week or month before."""
    if schedule == "weekly":
        return week_of(fired - dt.timedelta(days=fired.weekday() + 1))
    return month_of(fired.replace(day=1) - dt.timedelta(days=1))
