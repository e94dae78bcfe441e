"""What the compilers share: the two SQL dialects, bound parameters, the time zone and
date range of a query, and property filters.

The compilers write one SQL text per query and ask the dialect only for what DuckDB and
ClickHouse spell differently (local dates, JSON, quantiles, arg_min, bit counts). Every
value a user sends is a parameter: `Sql.param` names it, and the store binds it (DuckDB:
`$p1` with a dict; ClickHouse: `{p1:String}`, bound as a literal by the store). The time
zone is checked against the zone database before it is written into the text.
"""

# SQL here is built from our own fragments; user values are bound parameters.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from opsloop.events.rows import COLUMNS
from opsloop.insights.query import EventSelector, PropertyFilter

# Event columns a filter or breakdown may name directly (the rest are JSON keys of
# `properties`): the context fields ingestion keeps as columns.
DAY_US = 86_400_000_000
HOUR_US = 3_600_000_000
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
OFFSET_STEP = dt.timedelta(hours=6)
OFFSET_REACH = dt.timedelta(days=400)

EVENT_COLUMNS = {
    name
    for name, (kind, _ch) in COLUMNS.items()
    if kind == "string"
    and name not in ("message_id", "type", "anonymous_id", "distinct_id", "ip", "user_agent")
}


class Dialect:
    """The spellings of one engine."""

    name = ""
    # How a CTE that is read more than once is computed once; "" where the engine has no
    # such keyword it takes without an experimental setting (ClickHouse inlines a CTE at
    # every reference, so a compiler that reads one many times takes another plan there).
    materialized = ""
    # Whether local days are counted by adding the zone's UTC offset to the epoch time
    # where that offset is constant (Sql.bucket): far cheaper than a per-row zone
    # conversion in DuckDB; ClickHouse's toDate(ts, zone) is already a table lookup.
    offset_days = False
    double = "DOUBLE"  # a floating-point type that takes NULL

    def placeholder(self, name: str, value: Any) -> str:
        raise NotImplementedError

    def local_date(self, expr: str, tz: str) -> str:
        raise NotImplementedError

    def local_hour(self, expr: str, tz: str) -> str:
        raise NotImplementedError

    def days_since(self, day: dt.date, expr: str) -> str:
        """Whole days from `day` to the date `expr`."""
        raise NotImplementedError

    def month_number(self, expr: str) -> str:
        raise NotImplementedError

    def json_text(self, column: str, key: str) -> str:
        """A JSON key's value as text, NULL when missing or empty."""
        raise NotImplementedError

    def number(self, expr: str) -> str:
        raise NotImplementedError

    def json_keys(self, column: str) -> str:
        """One row per top-level key of the JSON object text `column` (in a SELECT)."""
        raise NotImplementedError

    def contains(self, expr: str, needle: str) -> str:
        raise NotImplementedError

    def quantile(self, expr: str, q: float) -> str:
        raise NotImplementedError

    def arg_min(self, value: str, key: str) -> str:
        raise NotImplementedError

    def arg_max(self, value: str, key: str) -> str:
        raise NotImplementedError

    def key_pair(self, a: str, b: str) -> str:
        raise NotImplementedError

    def bit_count(self, expr: str) -> str:
        raise NotImplementedError

    def bit_and(self, a: str, b: str) -> str:
        raise NotImplementedError

    def bit_or_agg(self, expr: str) -> str:
        raise NotImplementedError

    def micros(self, expr: str) -> str:
        """A timestamp as microseconds since the epoch (an integer)."""
        raise NotImplementedError

    def from_micros(self, expr: str) -> str:
        """Microseconds since the epoch back to a UTC timestamp."""
        raise NotImplementedError

    def timestamp(self, sql: Sql, moment: dt.datetime) -> str:
        """A UTC moment, bound as a parameter of `sql`, as the engine's timestamp."""
        raise NotImplementedError

    def int_div(self, a: str, b: str) -> str:
        """Integer division rounded down (towards minus infinity), `b` positive; exact
        while |a| < 2**53 (a number the engine may divide as a double)."""
        raise NotImplementedError

    def offsets(self, n: int) -> str:
        """A table `k` of the integers 0..n-1, to CROSS JOIN."""
        raise NotImplementedError

    def epoch_units(self, expr: str, offset_us: int, unit_us: int, lowest_us: int) -> str:
        """Whole units (of `unit_us`) from the epoch to the timestamp `expr` moved by
        `offset_us`, rounded down (a time before the epoch is in a negative unit); `expr`
        is known to be at least `lowest_us` microseconds from the epoch."""
        return self.int_div(f"{self.micros(expr)} + {int(offset_us)}", str(int(unit_us)))

    def survivors(self, ids: str) -> str:
        """A subquery of the persons that the bound list `ids` reads as now: an id since
        merged into another is that other (the `merges` of the persons snapshot)."""
        raise NotImplementedError


class DuckDB(Dialect):
    name = "duckdb"
    materialized = "MATERIALIZED "
    offset_days = True

    def placeholder(self, name: str, value: Any) -> str:
        return f"${name}"

    def local_date(self, expr: str, tz: str) -> str:
        return f"CAST(timezone('{tz}', {expr}) AS DATE)"

    def local_hour(self, expr: str, tz: str) -> str:
        return f"hour(timezone('{tz}', {expr}))"

    def days_since(self, day: dt.date, expr: str) -> str:
        return f"date_diff('day', DATE '{day.isoformat()}', {expr})"

    def month_number(self, expr: str) -> str:
        return f"(year({expr}) * 12 + month({expr}) - 1)"

    def json_text(self, column: str, key: str) -> str:
        return f"nullif(json_extract_string({column}, {key}), '')"

    def number(self, expr: str) -> str:
        return f"TRY_CAST({expr} AS DOUBLE)"

    def json_keys(self, column: str) -> str:
        return f"unnest(json_keys(nullif({column}, '')))"

    def contains(self, expr: str, needle: str) -> str:
        return f"contains({expr}, {needle})"

    def quantile(self, expr: str, q: float) -> str:
        return f"quantile_cont({expr}, {float(q)!r})"

    def arg_min(self, value: str, key: str) -> str:
        return f"arg_min({value}, {key})"

    def arg_max(self, value: str, key: str) -> str:
        return f"arg_max({value}, {key})"

    def key_pair(self, a: str, b: str) -> str:
        return f"row({a}, {b})"

    def bit_count(self, expr: str) -> str:
        return f"bit_count({expr})"

    def bit_and(self, a: str, b: str) -> str:
        return f"({a} & {b})"

    def bit_or_agg(self, expr: str) -> str:
        return f"bit_or({expr})"

    def micros(self, expr: str) -> str:
        return f"epoch_us({expr})"

    def from_micros(self, expr: str) -> str:
        return f"CAST(make_timestamp({expr}) AS TIMESTAMPTZ)"

    def timestamp(self, sql: Sql, moment: dt.datetime) -> str:
        return f"{sql.param(moment)}::TIMESTAMPTZ"

    def int_div(self, a: str, b: str) -> str:
        # Rounded down: // rounds towards zero, and days before a range's first Monday
        # are negative.
        return f"CAST(floor(({a}) / {b}) AS BIGINT)"

    def offsets(self, n: int) -> str:
        return f"(SELECT range AS k FROM range({int(n)}))"

    def epoch_units(self, expr: str, offset_us: int, unit_us: int, lowest_us: int) -> str:
        # Integer // rounds towards zero, which is down only for a value that is not
        # negative: one before the epoch (local time before 1970) is lifted by whole units
        # until the lowest it can be is not, and the units are taken off after. Integers
        # throughout: floor() of a double would not be exact to the microsecond.
        offset, unit = int(offset_us), int(unit_us)
        lift = max(0, -((int(lowest_us) + offset) // unit))
        if not lift:
            return f"(({self.micros(expr)} + {offset}) // {unit})"
        return f"((({self.micros(expr)} + {offset + lift * unit}) // {unit}) - {lift})"

    def survivors(self, ids: str) -> str:
        return (
            f"SELECT coalesce(m.to_id, c.id) FROM (SELECT unnest({ids}) AS id) AS c "
            "LEFT JOIN merges m ON m.from_id = c.id"
        )


class ClickHouse(Dialect):
    name = "clickhouse"
    double = "Nullable(Float64)"

    def placeholder(self, name: str, value: Any) -> str:
        kind = (
            "Float64"
            if isinstance(value, float)
            else "Int64"
            if isinstance(value, int)
            else "String"
        )
        if isinstance(value, list | tuple):
            kind = "Array(String)"
        return "{" + f"{name}:{kind}" + "}"

    def local_date(self, expr: str, tz: str) -> str:
        # Date32 (1900 to 2299): a Date starts on 1970-01-01 and wraps around before it,
        # so a local day before 1970 (an early 1970 event west of UTC) would be in 2149.
        return f"toDate32({expr}, '{tz}')"

    def local_hour(self, expr: str, tz: str) -> str:
        return f"toHour({expr}, '{tz}')"

    def days_since(self, day: dt.date, expr: str) -> str:
        return f"dateDiff('day', toDate32('{day.isoformat()}'), {expr})"

    def month_number(self, expr: str) -> str:
        return f"(toYear({expr}) * 12 + toMonth({expr}) - 1)"

    def json_text(self, column: str, key: str) -> str:
        # JSON_VALUE gives '' for a missing key and 'null' for a null: both are not set.
        return f"nullIf(nullIf(JSON_VALUE({column}, {key}), ''), 'null')"

    def number(self, expr: str) -> str:
        return f"toFloat64OrNull(toString({expr}))"

    def json_keys(self, column: str) -> str:
        return f"arrayJoin(JSONExtractKeys({column}))"

    def contains(self, expr: str, needle: str) -> str:
        return f"(positionUTF8({expr}, {needle}) > 0)"

    def quantile(self, expr: str, q: float) -> str:
        # Linear interpolation between the closest ranks, as DuckDB's quantile_cont.
        return f"quantileExactInclusive({float(q)!r})({expr})"

    def arg_min(self, value: str, key: str) -> str:
        return f"argMin({value}, {key})"

    def arg_max(self, value: str, key: str) -> str:
        return f"argMax({value}, {key})"

    def key_pair(self, a: str, b: str) -> str:
        return f"tuple({a}, {b})"

    def bit_count(self, expr: str) -> str:
        return f"bitCount({expr})"

    def bit_and(self, a: str, b: str) -> str:
        return f"bitAnd({a}, {b})"

    def bit_or_agg(self, expr: str) -> str:
        return f"groupBitOr({expr})"

    def micros(self, expr: str) -> str:
        return f"toUnixTimestamp64Micro({expr})"

    def from_micros(self, expr: str) -> str:
        return f"fromUnixTimestamp64Micro({expr})"

    def timestamp(self, sql: Sql, moment: dt.datetime) -> str:
        text = moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        return f"toDateTime64({sql.param(text)}, 6, 'UTC')"

    def int_div(self, a: str, b: str) -> str:
        # Rounded down: intDiv rounds towards zero, and days before a range's first
        # Monday are negative.
        return f"toInt64(floor(({a}) / {b}))"

    def offsets(self, n: int) -> str:
        return f"(SELECT toInt64(number) AS k FROM numbers({int(n)}))"

    def survivors(self, ids: str) -> str:
        # The store binds a list as (a, b, ...): array(a, b, ...) here.
        return (
            f"SELECT if(m.to_id = 0, c.id, m.to_id) FROM (SELECT arrayJoin(array{ids}) AS id) "
            "AS c LEFT JOIN merges AS m ON m.from_id = c.id"
        )


DIALECTS: dict[str, Dialect] = {"duckdb": DuckDB(), "clickhouse": ClickHouse()}


def check_time_zone(name: str) -> str:
    if name not in zoneinfo.available_timezones():
        raise ValueError(f"unknown time zone: {name!r}")
    return name


@functools.lru_cache(maxsize=256)
def constant_offset(
    tz: str, start: dt.datetime, end: dt.datetime
) -> tuple[dt.datetime, dt.datetime, int]:
    """A span [lo, hi) around `start` in which `tz` keeps the UTC offset it has at
    `start`, reaching at most OFFSET_REACH beyond start and end, and that offset in
    microseconds. Checked every OFFSET_STEP: no zone changes its offset and back within
    hours, and lo and hi stay on checkpoints that have the offset, so the span is
    never too wide (the rest is counted by converting each timestamp)."""
    zone = zoneinfo.ZoneInfo(tz)

    def offset(moment: dt.datetime) -> dt.timedelta | None:
        return moment.astimezone(zone).utcoffset()

    at_start = offset(start)
    lo = start
    while lo > start - OFFSET_REACH and offset(lo - OFFSET_STEP) == at_start:
        lo -= OFFSET_STEP
    hi = start
    while hi < end + OFFSET_REACH and offset(hi + OFFSET_STEP) == at_start:
        hi += OFFSET_STEP
    assert at_start is not None
    return lo, hi, at_start // dt.timedelta(microseconds=1)


@dataclass
class Sql:
    """One query being compiled: its dialect, zone, days and parameters."""

    dialect: Dialect
    tz: str
    first_day: dt.date  # local, included
    last_day: dt.date  # local, included
    params: dict[str, Any] = field(default_factory=dict)
    person_join: bool = False  # set when a condition reads the person's traits
    cohort_ids: list[int] | None = None  # only these persons, when set
    # The earliest moment the statement reads (some look before the range): the event
    # files to open start there.
    earliest: dt.datetime | None = None
    # Set when the statement reads every event before the range's end, however early
    # (first-time retention looks for a person's first event ever): no files left out.
    reads_all: bool = False

    def __post_init__(self) -> None:
        check_time_zone(self.tz)

    # --- values and time

    def param(self, value: Any) -> str:
        name = f"p{len(self.params) + 1}"
        self.params[name] = value
        return self.dialect.placeholder(name, value)

    def moment(self, day: dt.date) -> dt.datetime:
        """Local midnight of `day`, in UTC."""
        local = dt.datetime.combine(day, dt.time(), tzinfo=zoneinfo.ZoneInfo(self.tz))
        return local.astimezone(dt.UTC)

    @property
    def start(self) -> dt.datetime:
        return self.moment(self.first_day)

    @property
    def end(self) -> dt.datetime:
        return self.moment(self.last_day + dt.timedelta(days=1))

    def timestamp(self, moment: dt.datetime) -> str:
        return self.dialect.timestamp(self, moment)

    def in_range(
        self, column: str = "timestamp", since: dt.datetime | None = None, *, ever: bool = False
    ) -> str:
        """The condition of a time in the range (from `since` when given; with `ever`, any
        time before the range's end)."""
        if ever:
            self.reads_all = True
            return f"{column} < {self.timestamp(self.end)}"
        start = since or self.start
        self.earliest = start if self.earliest is None else min(self.earliest, start)
        return f"{column} >= {self.timestamp(start)} AND {column} < {self.timestamp(self.end)}"

    def local_date(self, expr: str = "timestamp") -> str:
        return self.dialect.local_date(expr, self.tz)

    def bucket(
        self,
        interval: str,
        expr: str = "timestamp",
        origin: dt.date | None = None,
        *,
        since: dt.datetime | None = None,
    ) -> str:
        """The bucket of a timestamp: an integer counted from the range's first bucket
        (hour, day, Monday-started week or month), in the workspace's zone. `since`: expr
        is the time of events read from then to the range's end, so no other timestamp
        needs to be thought of."""
        origin = origin or self.first_day
        d = self.dialect
        if interval == "hour":
            slow = (
                f"({d.days_since(origin, self.local_date(expr))} * 24 "
                f"+ {d.local_hour(expr, self.tz)})"
            )
            if not d.offset_days:
                return slow
            return self._by_offset(expr, HOUR_US, _epoch_day(origin) * 24, slow, since)
        if interval == "day":
            return self.days_from(origin, expr, since)
        if interval == "week":
            monday = origin - dt.timedelta(days=origin.weekday())
            return d.int_div(self.days_from(monday, expr, since), "7")
        first = origin.year * 12 + origin.month - 1
        return f"({d.month_number(self.local_date(expr))} - {first})"

    def days_from(self, day: dt.date, expr: str, since: dt.datetime | None = None) -> str:
        """Whole days from `day` to the local date of the timestamp `expr` (`since` as
        for bucket)."""
        d = self.dialect
        slow = d.days_since(day, self.local_date(expr))
        if not d.offset_days:
            return slow
        return self._by_offset(expr, DAY_US, _epoch_day(day), slow, since)

    def _by_offset(
        self, expr: str, unit_us: int, base: int, slow: str, since: dt.datetime | None
    ) -> str:
        """Whole units (days, hours) of local time since the epoch, less `base`, by the
        UTC offset for the timestamps in the span where the zone keeps one offset around
        the range (constant_offset); `slow`, by converting each, for the others. When
        every timestamp is known to lie in the span (events read from `since` to the
        range's end), no test is needed."""
        lo, hi, offset = constant_offset(self.tz, self.start, self.end)
        lowest = (lo - EPOCH) // dt.timedelta(microseconds=1)
        fast = f"{self.dialect.epoch_units(expr, offset, unit_us, lowest)} - {base}"
        if since is not None and lo <= since and self.end <= hi:
            return f"({fast})"
        inside = f"{expr} >= {self.timestamp(lo)} AND {expr} < {self.timestamp(hi)}"
        return f"(CASE WHEN {inside} THEN {fast} ELSE {slow} END)"

    # --- properties

    def prop(self, kind: str, key: str) -> str:
        """A property's value as text (NULL when not set)."""
        if kind == "person":
            self.person_join = True
            return self.dialect.json_text("p.traits", self.param(json_path(key)))
        if key in EVENT_COLUMNS:
            return f"nullif(e.{key}, '')"
        return self.dialect.json_text("e.properties", self.param(json_path(key)))

    def condition(self, f: PropertyFilter) -> str:
        value = self.prop(f.type, f.key)
        d = self.dialect
        if f.op == "is_set":
            return f"({value} IS NOT NULL)"
        if f.op == "is_not_set":
            return f"({value} IS NULL)"
        if f.op in ("in", "not_in"):
            assert isinstance(f.value, list)
            listed = ", ".join(self.param(text_of(v)) for v in f.value)
            test = f"{value} IN ({listed})"
            return f"coalesce({test}, false)" if f.op == "in" else f"NOT coalesce({test}, false)"
        if f.op in ("gt", "gte", "lt", "lte"):
            sign = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}[f.op]
            return f"coalesce({d.number(value)} {sign} {self.param(float(f.value))}, false)"  # type: ignore[arg-type]
        needle = self.param(text_of(f.value))
        if f.op == "eq":
            return f"coalesce({value} = {needle}, false)"
        if f.op == "neq":
            return f"NOT coalesce({value} = {needle}, false)"
        test = f"coalesce({d.contains(value, needle)}, false)"
        return test if f.op == "contains" else f"NOT {test}"

    def selects(self, selector: EventSelector) -> str:
        """The condition an event meets to be one of `selector`'s."""
        parts = []
        if selector.event:
            parts.append(f"e.event = {self.param(selector.event)}")
        parts += [self.condition(f) for f in selector.filters]
        return " AND ".join(parts) if parts else "true"

    def _cohort(self) -> list[str]:
        """The condition of the query's cohort: its persons, merges followed."""
        if self.cohort_ids is None:
            return []
        if not self.cohort_ids:
            return ["false"]
        ids = self.param([int(pk) for pk in self.cohort_ids])
        return [f"e.person_id IN ({self.dialect.survivors(ids)})"]

    def events_from(
        self,
        where: list[str],
        columns: str = "e.*",
        since: dt.datetime | None = None,
        *,
        ever: bool = False,
    ) -> str:
        """Events of the range (from `since` when given; with `ever`, every event before
        the range's end) that meet every condition, the person joined when a condition
        needs it. Call after building `where`, so person_join is known."""
        join = " LEFT JOIN persons p ON p.person_id = e.person_id" if self.person_join else ""
        within = self.in_range("e.timestamp", since, ever=ever)
        conditions = " AND ".join([within, *where, *self._cohort()])
        return f"SELECT {columns} FROM events e{join} WHERE {conditions}"


def _epoch_day(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days


def json_path(key: str) -> str:
    return '$."' + key + '"'


def text_of(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
