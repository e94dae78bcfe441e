"""The query description: what an insight asks, as data (docs/metrics.md).

One pydantic model per kind, told apart by `kind`. The API takes them as JSON, the
query builder page writes them, saved insights store them; the compilers
(opsloop/insights/kinds/) turn them into SQL for DuckDB or ClickHouse. Nothing here
knows SQL, and nothing a user sends reaches SQL text but as a bound parameter: property
keys are checked against KEY below as well, because they become JSON paths.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from opsloop.core.inputs import STRICT, Bool, Date

# Property keys: letters (any script), digits, _ $ - and dots inside (a.b is one key).
KEY = r"^[\w$][\w$.\-]{0,99}$"

Op = Literal[
    "eq", "neq", "contains", "not_contains", "in", "not_in",
    "gt", "gte", "lt", "lte", "is_set", "is_not_set",
]  # fmt: skip
Scalar = str | int | float | bool
MAX_FILTERS = 20  # property filters on one query


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PropertyFilter(Model):
    """A condition on an event's property (a column such as utm_source, or a key of its
    properties) or on the person's latest traits."""

    type: Literal["event", "person"] = "event"
    key: str = Field(pattern=KEY, description="Property or trait name, e.g. utm_source, plan.")
    op: Op = "eq"
    value: Scalar | list[Scalar] | None = None

    @model_validator(mode="after")
    def _value_fits_op(self) -> PropertyFilter:
        if self.op in ("is_set", "is_not_set"):
            return self
        if self.value is None:
            raise ValueError(f"{self.op} needs a value")
        if self.op in ("in", "not_in"):
            if not isinstance(self.value, list) or not self.value:
                raise ValueError(f"{self.op} needs a list of values")
            if len(self.value) > 500:
                raise ValueError("at most 500 values")
        elif isinstance(self.value, list):
            raise ValueError(f"{self.op} takes one value, not a list")
        if self.op in ("gt", "gte", "lt", "lte"):
            try:
                float(self.value)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                raise ValueError(f"{self.op} needs a number") from None
        return self


class EventSelector(Model):
    """Which events: an event name (none: any event) and conditions on them."""

    event: str | None = Field(None, max_length=200, description="Event name; none: any event.")
    filters: list[PropertyFilter] = Field(default_factory=list, max_length=20)
    label: str | None = Field(None, max_length=100, description="Shown instead of the name.")


Math = Literal[
    "total",  # events
    "persons",  # unique persons in the bucket
    "dau", "wau", "mau",  # active persons: that day, the 7 and 30 days ending that day
    "sum", "avg", "median", "min", "max", "p90", "p95", "p99",  # of math_property
    "per_person_avg", "per_person_median", "per_person_max", "per_person_p90",  # events per person
]  # fmt: skip
PROPERTY_MATHS = {"sum", "avg", "median", "min", "max", "p90", "p95", "p99"}


class Series(EventSelector):
    """One line of a trend."""

    math: Math = "total"
    math_property: str | None = Field(None, pattern=KEY)

    @model_validator(mode="after")
    def _property_for_math(self) -> Series:
        if self.math in PROPERTY_MATHS and not self.math_property:
            raise ValueError(f"math {self.math} needs math_property")
        return self


Preset = Literal[
    "today", "yesterday", "last_7_days", "last_14_days", "last_30_days", "last_90_days",
    "this_week", "this_month", "last_month", "this_year", "custom",
]  # fmt: skip


# The days a custom range may have: the calendar both engines count in (ClickHouse's
# DateTime64 and Date32 go from 1900 to 2299; events are from 1970 to 2100). Far inside
# Python's years 1 to 9999, so the range widened to its zone's midnights, to whole weeks
# or months, to the period before it (compare, lifecycle) or the periods after it
# (retention) is still made of dates: 0001-01-01 in Beijing starts in the year 0.
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2299, 12, 31)
# The error type of a day outside them: the API says it in the user's language.
OUTSIDE_CALENDAR = "date_range_calendar"


class DateRange(Model):
    """Whole days in the workspace's time zone, both ends included."""

    preset: Preset = "last_30_days"
    date_from: Date | None = None
    date_to: Date | None = None

    @model_validator(mode="after")
    def _custom_has_dates(self) -> DateRange:
        if self.preset == "custom":
            if self.date_from is None or self.date_to is None:
                raise ValueError("a custom range needs date_from and date_to")
            if self.date_from < FIRST_DAY or self.date_to > LAST_DAY:
                raise PydanticCustomError(
                    OUTSIDE_CALENDAR,
                    "the days of a custom range are from {first} to {last}",
                    {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
                )
            if self.date_from > self.date_to:
                raise ValueError("date_from is after date_to")
            if (self.date_to - self.date_from).days > 3 * 366:
                raise ValueError("a range of at most three years")
        return self

    def days(self, today: dt.date) -> tuple[dt.date, dt.date]:
        """The first and last local day of the range, given today's local date."""
        if self.preset == "custom":
            assert self.date_from is not None and self.date_to is not None
            return self.date_from, self.date_to
        if self.preset == "today":
            return today, today
        if self.preset == "yesterday":
            day = today - dt.timedelta(days=1)
            return day, day
        if self.preset.startswith("last_") and self.preset.endswith("_days"):
            n = int(self.preset.split("_")[1])
            return today - dt.timedelta(days=n - 1), today
        if self.preset == "this_week":
            return today - dt.timedelta(days=today.weekday()), today
        if self.preset == "this_month":
            return today.replace(day=1), today
        if self.preset == "last_month":
            last = today.replace(day=1) - dt.timedelta(days=1)
            return last.replace(day=1), last
        return today.replace(month=1, day=1), today  # this_year


class Breakdown(Model):
    """Split by a property's values: the top `limit` by size, the rest as one "other"."""

    type: Literal["event", "person"] = "event"
    key: str = Field(pattern=KEY)
    limit: Annotated[int, Field(ge=1, le=50), STRICT] = 10


class Common(Model):
    date_range: DateRange = Field(default_factory=DateRange)
    filters: list[PropertyFilter] = Field(
        default_factory=list,
        max_length=MAX_FILTERS,
        description="Applied to every event the query reads.",
    )
    cohort: Annotated[int, Field(ge=1), STRICT] | None = Field(
        None, description="Only the persons of this cohort (its id)."
    )


class TrendsQuery(Common):
    kind: Literal["trends"] = "trends"
    series: list[Series] = Field(min_length=1, max_length=10)
    interval: Literal["hour", "day", "week", "month"] = "day"

    @model_validator(mode="after")
    def _rolling_by_day(self) -> TrendsQuery:
        if self.interval != "day" and any(s.math in ("wau", "mau") for s in self.series):
            raise ValueError("weekly and monthly active persons (wau, mau) go by day")
        if self.formula:
            from opsloop.insights.formula import letters

            known = {chr(ord("A") + i) for i in range(len(self.series))}
            if letters(self.formula) - known:
                raise ValueError("the formula names a series the query does not have")
        return self

    breakdown: Breakdown | None = None
    compare: Bool = Field(False, description="Also the period of the same length just before.")
    formula: str | None = Field(
        None, max_length=200, description="Of the series as A, B, ...: e.g. B / A * 100."
    )

    @field_validator("formula")
    @classmethod
    def _formula_parses(cls, value: str | None) -> str | None:
        if value:
            from opsloop.insights.formula import check_formula

            check_formula(value)
        return value or None


WindowUnit = Literal["minute", "hour", "day", "week", "month"]
WINDOW_SECONDS = {"minute": 60, "hour": 3600, "day": 86400, "week": 7 * 86400, "month": 30 * 86400}


class Exclusion(EventSelector):
    """Persons who did this between two steps of their path leave the funnel."""

    from_step: Annotated[int, Field(ge=0), STRICT] = 0
    to_step: Annotated[int, Field(ge=1), STRICT] = 1


class FunnelQuery(Common):
    kind: Literal["funnel"] = "funnel"
    steps: list[EventSelector] = Field(min_length=2, max_length=20)
    order: Literal["ordered", "strict", "any"] = "ordered"
    window: Annotated[int, Field(ge=1, le=10_000), STRICT] = 14
    window_unit: WindowUnit = "day"
    breakdown: Breakdown | None = None
    exclusions: list[Exclusion] = Field(default_factory=list, max_length=5)
    trend: Literal["day", "week", "month"] | None = Field(
        None, description="Also the conversion of those who entered, by entry day/week/month."
    )

    @model_validator(mode="after")
    def _exclusions_between_steps(self) -> FunnelQuery:
        if self.exclusions and self.order == "any":
            raise ValueError("exclusions need an ordered or strict funnel")
        for exclusion in self.exclusions:
            if not exclusion.from_step < exclusion.to_step < len(self.steps):
                raise ValueError("an exclusion's from_step < to_step, both steps of the funnel")
        return self

    @model_validator(mode="after")
    def _window_at_most_ten_years(self) -> FunnelQuery:
        if self.window_seconds > 10 * 365 * 86400:
            raise ValueError("a conversion window of at most ten years")
        return self

    @property
    def window_seconds(self) -> int:
        return self.window * WINDOW_SECONDS[self.window_unit]


class RetentionQuery(Common):
    kind: Literal["retention"] = "retention"
    start: EventSelector = Field(description="The event that puts a person in a cohort.")
    returning: EventSelector = Field(
        default_factory=EventSelector, description="The event that counts as coming back."
    )
    period: Literal["day", "week", "month"] = "week"
    periods: Annotated[int, Field(ge=1, le=36), STRICT] = Field(
        8, description="Periods after the cohort's, shown."
    )
    cohort_type: Literal["first_time", "recurring"] = "first_time"
    mode: Literal["on", "on_or_after"] = "on"


class StickinessQuery(Common):
    kind: Literal["stickiness"] = "stickiness"
    series: EventSelector
    interval: Literal["day", "week"] = "day"


class LifecycleQuery(Common):
    kind: Literal["lifecycle"] = "lifecycle"
    series: EventSelector
    interval: Literal["day", "week", "month"] = "day"


class PathsQuery(Common):
    kind: Literal["paths"] = "paths"
    event: str = Field(max_length=200, description="Where paths start (or end, with before).")
    direction: Literal["after", "before"] = "after"
    steps: Annotated[int, Field(ge=1, le=10), STRICT] = 5
    limit: Annotated[int, Field(ge=1, le=200), STRICT] = Field(
        30, description="The most common transitions shown."
    )
    exclude: list[str] = Field(
        default_factory=lambda: ["$identify", "$groupidentify", "$create_alias"], max_length=50
    )


Channel = Literal["utm_source", "utm_medium", "utm_campaign"]


class AttributionQuery(Common):
    kind: Literal["attribution"] = "attribution"
    conversion: EventSelector
    channel: Channel = "utm_source"
    touch: Literal["first", "last"] = "first"


Query = Annotated[
    TrendsQuery
    | FunnelQuery
    | RetentionQuery
    | StickinessQuery
    | LifecycleQuery
    | PathsQuery
    | AttributionQuery,
    Field(discriminator="kind"),
]
KINDS = ("trends", "funnel", "retention", "stickiness", "lifecycle", "paths", "attribution")


def parse_query(data: dict[str, Any]) -> Any:
    """A Query from JSON data; pydantic's ValidationError when it does not fit."""
    from pydantic import TypeAdapter

    return TypeAdapter(Query).validate_python(data)
