"""Insights at the edges of the calendar the store keeps: events from 1970-01-01 to
2100-12-31 UTC (opsloop/events/ingest.py refuses the rest), and, for the arithmetic, a
little before 1970 too. A local time before 1970 is a negative number of microseconds
from the epoch, which must round down, not towards zero; ClickHouse's Date has no day
before 1970-01-01. Both engines must give the calendar's answer."""

# SQL here is our own compiled fragments and literal numbers.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from opsloop.insights.engine import make_plan, run_query
from opsloop.insights.examples import EXAMPLES
from opsloop.insights.query import parse_query
from opsloop.insights.sql import DIALECTS, Sql
from tests.events._pipeline import row
from tests.insights.conftest import days

TODAY = dt.date(2026, 3, 31)
UTC = dt.UTC


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def engine(store) -> str:
    named = getattr(store, "dialect", None)
    if named:
        return str(named)
    return "clickhouse" if type(store).__name__ == "ClickHouseStore" else "duckdb"


def ask(store, zone: str, query: dict, today: dt.date = TODAY) -> dict:
    return run_query(parse_query(query), make_plan(store, 1, zone, today))


def write(store, *events: tuple[int, str, dt.datetime]) -> None:
    store.write([row(person_id=p, event=name, timestamp=when) for p, name, when in events])


# --- buckets, every interval, every 37 minutes around both edges


def moments(start: dt.datetime, hours: int) -> list[dt.datetime]:
    return [start + dt.timedelta(minutes=37 * n) for n in range(hours * 60 // 37)]


def expected(zone: str, interval: str, first: dt.date, moment: dt.datetime) -> int:
    local = moment.astimezone(zoneinfo.ZoneInfo(zone))
    day = (local.date() - first).days
    if interval == "hour":
        return day * 24 + local.hour
    if interval == "week":
        monday = first - dt.timedelta(days=first.weekday())
        return (local.date() - monday).days // 7
    if interval == "month":
        return (local.year - first.year) * 12 + local.month - first.month
    return day


EDGES = [
    # (the range's first and last local day, the events: from, hours)
    (dt.date(1970, 1, 1), dt.date(1970, 1, 2), utc("1969-12-29 00:00"), 5 * 24),
    (dt.date(2100, 12, 31), dt.date(2100, 12, 31), utc("2100-12-29 00:00"), 5 * 24),
]


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/New_York", "Asia/Kolkata"])
def test_local_buckets_at_both_edges_are_the_calendars(store, zone):
    """Every interval, by the UTC offset (DuckDB) and by converting each time (both),
    counts the zone's own hours, days, Monday weeks and months, before 1970 too."""
    stamps = [m for _first, _last, start, hours in EDGES for m in moments(start, hours)]
    store.write(
        [
            row(person_id=1, message_id=f"t{n:05d}", timestamp=moment)
            for n, moment in enumerate(stamps)
        ]
    )
    wrong = []
    for first, last, start, hours in EDGES:
        mine = moments(start, hours)
        for interval in ("hour", "day", "week", "month"):
            # With no `since`, DuckDB tests each time for the offset's span; from the first
            # moment on, it needs no test.
            for way, since in (("tested", None), ("since", mine[0])):
                ctx = Sql(DIALECTS[engine(store)], zone, first, last)
                expr = ctx.bucket(interval, "e.timestamp", since=since)
                rows = store.sql(
                    1,
                    f"SELECT e.message_id, {expr} FROM events e "
                    f"WHERE e.timestamp >= {ctx.timestamp(mine[0])} "
                    f"AND e.timestamp <= {ctx.timestamp(mine[-1])}",
                    ctx.params,
                )
                got = {str(mid): int(b) for mid, b in rows}
                assert len(got) == len(mine), (way, interval, first)
                for mid, b in got.items():
                    moment = stamps[int(mid[1:])]
                    want = expected(zone, interval, first, moment)
                    if b != want:
                        wrong.append((way, interval, moment.isoformat(), b, want))
    assert not wrong, wrong[:5]


def test_an_early_1970_event_west_of_utc_counts_on_new_years_eve(store):
    """1970-01-01 03:00 UTC, the store's third hour, is 22:00 on 1969-12-31 in New York."""
    write(store, (1, "open", utc("1970-01-01 00:00")), (2, "open", utc("1970-01-01 03:00")))
    write(store, (3, "open", utc("1970-01-01 05:00")))  # midnight in New York
    query = {
        "kind": "trends",
        "series": [{"event": "open"}],
        "interval": "day",
        "date_range": days("1969-12-31", "1970-01-01"),
    }
    result = ask(store, "America/New_York", query)
    assert result["buckets"] == ["1969-12-31", "1970-01-01"]
    assert result["series"][0]["data"] == [2, 1]
    hourly = ask(store, "America/New_York", {**query, "interval": "hour"})
    assert [(i, v) for i, v in enumerate(hourly["series"][0]["data"]) if v] == [
        (19, 1),
        (22, 1),
        (24, 1),
    ]
    monthly = ask(store, "America/New_York", {**query, "interval": "month"})
    assert monthly["series"][0]["data"] == [2, 1]


def test_a_day_before_1970_in_beijing(store):
    """23:00 on 1969-12-31 in Beijing (15:00 UTC; ingestion would refuse it) is that day,
    and 08:00 on 1970-01-01 (the epoch) the next."""
    write(store, (1, "open", utc("1969-12-31 15:00")), (2, "open", utc("1970-01-01 00:00")))
    query = {
        "kind": "trends",
        "series": [{"event": "open"}],
        "interval": "day",
        "date_range": days("1969-12-31", "1970-01-01"),
    }
    assert ask(store, "Asia/Shanghai", query)["series"][0]["data"] == [1, 1]
    weekly = ask(store, "Asia/Shanghai", {**query, "interval": "week"})
    assert weekly["buckets"] == ["1969-12-29"] and weekly["series"][0]["data"] == [2]


# --- funnels: the level and start packed into one number


def ordered(*steps: str, first: str, last: str, **options) -> dict:
    return {
        "kind": "funnel",
        "steps": [{"event": s} for s in steps],
        "date_range": days(first, last),
        **options,
    }


def test_funnels_at_the_first_and_last_moments_the_store_takes(store):
    write(
        store,
        (1, "open", utc("1970-01-01 00:00:00")),  # 08:00 in Beijing, the epoch
        (1, "signup", utc("1970-01-01 00:00:01")),
        (1, "order", utc("1970-01-01 00:01")),
        (2, "open", utc("1970-01-01 00:00:00")),
        (2, "signup", utc("1970-01-01 00:10")),
        (3, "open", utc("2100-12-31 23:00")),
        (3, "signup", utc("2100-12-31 23:30")),
        (3, "order", utc("2100-12-31 23:59:59.999999")),  # the last moment there is
    )
    for order in ("ordered", "strict", "any"):
        start = ask(
            store,
            "Asia/Shanghai",
            ordered("open", "signup", "order", first="1970-01-01", last="1970-01-01", order=order),
        )
        assert [s["count"] for s in start["steps"]] == [2, 2, 1], order
        end = ask(
            store,
            "Asia/Shanghai",
            ordered("open", "signup", "order", first="2101-01-01", last="2101-01-01", order=order),
        )
        assert [s["count"] for s in end["steps"]] == [1, 1, 1], order
        if order != "any":
            assert start["steps"][1]["average_seconds"] == 300.5
            assert end["average_seconds"] == 3600.0  # 3599.999999, to the millisecond


def test_funnels_before_1970(store):
    """Out of what ingestion takes, but the arithmetic holds: a path that starts before
    the epoch (negative microseconds) keeps its level and its start."""
    write(
        store,
        (1, "open", utc("1969-12-31 23:00")),
        (1, "signup", utc("1969-12-31 23:30")),
        (1, "order", utc("1970-01-01 00:30")),
        (2, "open", utc("1969-12-31 22:00")),
        (2, "signup", utc("1969-12-31 23:59")),
    )
    before = ordered("open", "signup", "order", first="1970-01-01", last="1970-01-01")
    result = ask(store, "Asia/Shanghai", {**before, "trend": "day"})
    assert [s["count"] for s in result["steps"]] == [2, 2, 1]
    assert result["steps"][1]["average_seconds"] == (1800 + 7140) / 2
    assert result["trend"] == [
        {"bucket": "1970-01-01", "entered": 2, "converted": 1, "conversion": 0.5}
    ]


def test_funnels_after_2112(store):
    """Past 2**52 microseconds from the epoch (2112-09), as before 1970."""
    write(store, (3, "open", utc("2150-06-01 10:00")), (3, "signup", utc("2150-06-01 11:00")))
    after = ordered("open", "signup", first="2150-06-01", last="2150-06-01", trend="day")
    result = ask(store, "Asia/Shanghai", after)
    assert [s["count"] for s in result["steps"]] == [1, 1]
    assert result["trend"][0]["converted"] == 1


# --- retention at the store's first moment


def test_retention_counts_a_start_at_the_epoch_as_the_first(store):
    write(
        store,
        (1, "signup", utc("1970-01-01 00:00")),  # 08:00 on 01-01 in Beijing
        (1, "open", utc("1970-01-02 00:00")),
        (2, "signup", utc("1970-01-01 00:00")),
        (2, "signup", utc("1970-01-02 00:00")),  # not their first
    )
    query = {
        "kind": "retention",
        "start": {"event": "signup"},
        "returning": {"event": "open"},
        "period": "day",
        "periods": 1,
        "date_range": days("1970-01-01", "1970-01-02"),
    }
    result = ask(store, "Asia/Shanghai", query)
    assert [(c["cohort"], c["values"]) for c in result["cohorts"]] == [
        ("1970-01-01", [2, 1]),
        ("1970-01-02", [0, 0]),
    ]


# --- date ranges at the edges of the calendar the engines count in


@pytest.mark.parametrize(
    ("first", "last"), [("1900-01-01", "1900-01-14"), ("2299-12-18", "2299-12-31")]
)
@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_every_kind_runs_on_the_first_and_last_days_a_range_may_have(store, kind, first, last):
    query = {**EXAMPLES[kind]["value"], "date_range": days(first, last)}
    if kind == "trends":
        query["compare"] = True
    if kind == "retention":
        query["period"], query["periods"] = "month", 36
    for zone in ("Asia/Shanghai", "Pacific/Kiritimati", "Pacific/Pago_Pago"):
        result = ask(store, zone, query, today=dt.date(2300, 1, 1))
        assert result["kind"] == kind
