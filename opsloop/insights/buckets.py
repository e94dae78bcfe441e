"""The buckets of a date range by interval, numbered as Sql.bucket numbers them: hour,
day, week (starting Monday) and month, in the workspace's zone, from the range's first."""

from __future__ import annotations

import datetime as dt


def bucket_starts(first: dt.date, last: dt.date, interval: str) -> list[dt.datetime]:
    """The local start of each bucket, index 0 holding the first day."""
    if interval == "hour":
        days = (last - first).days + 1
        base = dt.datetime.combine(first, dt.time())
        return [base + dt.timedelta(hours=h) for h in range(days * 24)]
    if interval == "day":
        return [
            dt.datetime.combine(first + dt.timedelta(days=i), dt.time())
            for i in range((last - first).days + 1)
        ]
    if interval == "week":
        monday = first - dt.timedelta(days=first.weekday())
        weeks = (last - monday).days // 7 + 1
        return [
            dt.datetime.combine(monday + dt.timedelta(weeks=i), dt.time()) for i in range(weeks)
        ]
    starts = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        starts.append(dt.datetime(year, month, 1))  # noqa: DTZ001 (a local wall time)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return starts


def bucket_label(start: dt.datetime, interval: str) -> str:
    if interval == "hour":
        return start.strftime("%Y-%m-%d %H:00")
    if interval == "month":
        return start.strftime("%Y-%m")
    return start.date().isoformat()


def period_days(first: dt.date, interval: str, index: int) -> tuple[dt.date, dt.date]:
    """The first and last local day of bucket `index` (for day, week and month)."""
    if interval == "day":
        day = first + dt.timedelta(days=index)
        return day, day
    if interval == "week":
        monday = first - dt.timedelta(days=first.weekday()) + dt.timedelta(weeks=index)
        return monday, monday + dt.timedelta(days=6)
    months = first.year * 12 + first.month - 1 + index
    start = dt.date(months // 12, months % 12 + 1, 1)
    nxt = dt.date((months + 1) // 12, (months + 1) % 12 + 1, 1)
    return start, nxt - dt.timedelta(days=1)
