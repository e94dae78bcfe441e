"""Local days and hours in any zone: DuckDB counts them by adding the zone's UTC offset
where it is constant around the range (sql.constant_offset), and by converting each
timestamp elsewhere. Both must give the calendar's answer, across daylight-saving
changes, half-hour offsets and years."""

# SQL here is our own compiled fragments and literal numbers.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
import zoneinfo

import duckdb
import pytest

from opsloop.insights.sql import DIALECTS, Sql, constant_offset
from tests.insights.conftest import days

ZONES = ["Asia/Shanghai", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "UTC"]
FIRST, LAST = dt.date(2026, 3, 1), dt.date(2026, 3, 31)


def moments() -> list[dt.datetime]:
    """Every 37 minutes from a year before the range to a year after it (UTC)."""
    start = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    return [start + dt.timedelta(minutes=37 * n) for n in range(0, 2 * 365 * 24 * 60 // 37)]


def expected(zone: str, interval: str, moment: dt.datetime) -> int:
    local = moment.astimezone(zoneinfo.ZoneInfo(zone))
    day = (local.date() - FIRST).days
    if interval == "hour":
        return day * 24 + local.hour
    if interval == "week":
        monday = FIRST - dt.timedelta(days=FIRST.weekday())
        return (local.date() - monday).days // 7
    return day


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("interval", ["hour", "day", "week"])
def test_duckdb_counts_local_buckets_as_the_calendar_does(zone, interval):
    ctx = Sql(DIALECTS["duckdb"], zone, FIRST, LAST)
    expr = ctx.bucket(interval, "t")
    assert "CASE WHEN" in expr  # the offset path is taken
    stamps = moments()
    connection = duckdb.connect(":memory:")
    connection.execute("SET TimeZone = 'UTC'")
    rows = connection.execute(
        f"SELECT {expr} FROM (SELECT unnest($stamps) AS t) AS m",
        {**ctx.params, "stamps": stamps},
    ).fetchall()
    got = [row[0] for row in rows]
    want = [expected(zone, interval, moment) for moment in stamps]
    wrong = [(s, g, w) for s, g, w in zip(stamps, got, want, strict=True) if g != w]
    assert not wrong, wrong[:5]


def test_the_constant_offset_span_stops_before_a_daylight_saving_change():
    start = dt.datetime(2026, 3, 1, 5, tzinfo=dt.UTC)  # midnight in New York (EST)
    lo, hi, offset = constant_offset("America/New_York", start, start + dt.timedelta(days=31))
    assert offset == -5 * 3600 * 1_000_000
    change = dt.datetime(2026, 3, 8, 7, tzinfo=dt.UTC)  # 2:00 EST becomes 3:00 EDT
    assert change - dt.timedelta(hours=6) < hi <= change
    autumn = dt.datetime(2025, 11, 2, 6, tzinfo=dt.UTC)  # 2:00 EDT became 1:00 EST
    assert autumn <= lo < autumn + dt.timedelta(hours=6)
    lo, hi, offset = constant_offset("Asia/Shanghai", start, start + dt.timedelta(days=31))
    assert (start - lo).days == 400 and (hi - start).days == 31 + 400


def test_a_trend_in_a_zone_with_a_daylight_saving_change(store):
    """Both engines count events around New York's change of 2026-03-08 on their local
    days: 23:30 EST on the 7th, 01:30 EST and 03:30 EDT on the 8th, 23:30 EDT on the
    8th, 00:30 EDT on the 9th."""
    from opsloop.insights.engine import make_plan, run_query
    from opsloop.insights.query import parse_query
    from tests.events._pipeline import row

    utc = [
        "2026-03-08 04:30",
        "2026-03-08 06:30",
        "2026-03-08 07:30",
        "2026-03-09 03:30",
        "2026-03-09 04:30",
    ]
    store.write(
        [
            row(person_id=n, event="open", timestamp=dt.datetime.fromisoformat(t + "+00:00"))
            for n, t in enumerate(utc, start=1)
        ]
    )
    query = {
        "kind": "trends",
        "series": [{"event": "open", "math": "total"}],
        "interval": "day",
        "date_range": days("2026-03-01", "2026-03-31"),
    }
    plan = make_plan(store, 1, "America/New_York", dt.date(2026, 3, 31))
    data = run_query(parse_query(query), plan)["series"][0]["data"]
    assert data[6:9] == [1, 3, 1] and sum(data) == 5
    hourly = {**query, "interval": "hour", "date_range": days("2026-03-08", "2026-03-08")}
    plan = make_plan(store, 1, "America/New_York", dt.date(2026, 3, 31))
    data = run_query(parse_query(hourly), plan)["series"][0]["data"]
    assert [i for i, v in enumerate(data) if v] == [1, 3, 23]


def test_events_known_to_lie_within_one_offset_need_no_test():
    shanghai = Sql(DIALECTS["duckdb"], "Asia/Shanghai", FIRST, LAST)
    assert "CASE" not in shanghai.bucket("day", "e.timestamp", since=shanghai.start)
    # New York changes its offset on 2026-03-08, inside the range: each event is tested.
    new_york = Sql(DIALECTS["duckdb"], "America/New_York", FIRST, LAST)
    assert "CASE WHEN" in new_york.bucket("day", "e.timestamp", since=new_york.start)
