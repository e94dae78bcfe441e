"""The events' side of a campaign's results: the users first seen in a range, by the UTM
values of their first (or last) touch and the day they were first seen, with the
conversions they made within the window after that touch and the revenue those carried
(docs/money.md#results).

No Django here: it compiles one statement with the insights' dialects (DuckDB and
ClickHouse, opsloop/insights/sql.py) and runs it through an insights Plan, so results
read the events exactly as insights do, and the known-answer tests run it on both
engines. opsloop/money/results.py joins the groups it gives to spend by UTM.

The algorithm, per person first seen in the range (the persons snapshot's first_seen):
- their touches are their events that carry a utm_source, utm_campaign or utm_content,
  from when they were first seen to `window_days` days after; for a person who
  converted, only those up to their first conversion (the Channels insight's rule,
  docs/metrics.md#channel-attribution);
- the first touch is the earliest of them, the last touch the latest (ties broken by
  message id, as the Channels insight does); its utm_source, utm_campaign and
  utm_content are the person's, all three from that one event;
- a person with no touch has empty values (direct or unknown), and their window starts
  when they were first seen;
- their conversions are their conversion events from the touch to `window_days` days
  after it, their revenue the sum of the revenue property of those events, counted in
  cents so that it adds up exactly.
So what a person counts for depends on their own events alone, never on the range
asked: a day's figures are the same in every range that holds it, and a range's are the
sum of its days' (the chart adds up to the table, a KPI's 30 days to the page's). Events
are read past the range's end, up to two windows, for the touches and conversions of
users first seen near it.
"""

# SQL here is built from our own fragments; user values are bound parameters.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from opsloop.insights.plan import Plan, as_int
from opsloop.insights.sql import DAY_US, Sql

Touch = Literal["first", "last"]


@dataclass(frozen=True)
class Spec:
    """What to count: the range's local days, which touch, the conversion event (empty:
    none) and the property holding its revenue (empty: none), and the window."""

    first_day: dt.date
    last_day: dt.date
    touch: Touch = "first"
    event: str = ""
    revenue_property: str = ""
    window_days: int = 30

    @property
    def read_last_day(self) -> dt.date:
        """The last local day whose events are read: a touch may come a window after a
        user was first seen on the range's last day, a conversion a window after that."""
        windows = 2 if self.event else 1
        return self.last_day + dt.timedelta(days=windows * self.window_days)


@dataclass(frozen=True)
class Group:
    """The new users of one UTM combination and one day, and what they brought."""

    source: str
    campaign: str
    content: str
    day: dt.date  # the local day they were first seen
    users: int
    conversions: int
    revenue: Decimal


def run(plan: Plan, spec: Spec) -> list[Group]:
    """The new users of the range grouped by their touch's UTM values and first day."""
    ctx = plan.sql(spec.first_day, spec.read_last_day)
    groups = []
    for source, campaign, content, b, users, conversions, cents in plan.run(
        ctx, statement(spec, ctx)
    ):
        groups.append(
            Group(
                source=str(source or ""),
                campaign=str(campaign or ""),
                content=str(content or ""),
                day=spec.first_day + dt.timedelta(days=as_int(b)),
                users=as_int(users),
                conversions=as_int(conversions),
                revenue=Decimal(as_int(cents)) / 100,
            )
        )
    groups.sort(key=lambda g: (g.day, g.source, g.campaign, g.content))
    return groups


def statement(spec: Spec, ctx: Sql) -> str:
    d = ctx.dialect
    start = ctx.timestamp(ctx.moment(spec.first_day))
    range_end = ctx.timestamp(ctx.moment(spec.last_day + dt.timedelta(days=1)))
    new = (
        "SELECT person_id, first_seen FROM persons "
        f"WHERE first_seen >= {start} AND first_seen < {range_end}"
    )
    is_new = f"e.person_id IN (SELECT person_id FROM ({new}) AS np)"
    if spec.event:
        cents = "0"
        if spec.revenue_property:
            amount = d.number(ctx.prop("event", spec.revenue_property))
            cents = f"CAST(round(coalesce({amount}, 0) * 100) AS BIGINT)"
        conv = ctx.events_from(
            [f"e.event = {ctx.param(spec.event)}", is_new],
            f"e.person_id AS person_id, e.timestamp AS t, {cents} AS cents",
        )
    else:
        # No conversion event: nothing converts (an empty relation of the same shape).
        conv = ctx.events_from(
            ["false"], "e.person_id AS person_id, e.timestamp AS t, CAST(0 AS BIGINT) AS cents"
        )
    firsts = f"SELECT c.person_id AS person_id, min(c.t) AS ct, 1 AS hit FROM ({conv}) AS c GROUP BY c.person_id"
    window_us = int(spec.window_days) * DAY_US
    utm_events = ctx.events_from(
        ["(e.utm_source != '' OR e.utm_campaign != '' OR e.utm_content != '')", is_new],
        "e.person_id AS person_id, e.timestamp AS t, e.message_id AS mid, "
        "e.utm_source AS src, e.utm_campaign AS cmp, e.utm_content AS cnt",
    )
    touches = (
        "SELECT u.person_id AS person_id, u.t AS t, u.mid AS mid, u.src AS src, "
        f"u.cmp AS cmp, u.cnt AS cnt FROM ({utm_events}) AS u "
        f"JOIN ({new}) AS n ON n.person_id = u.person_id "
        f"WHERE {d.micros('u.t')} - {d.micros('n.first_seen')} <= {window_us}"
    )
    key = d.key_pair("t.t", "t.mid")
    pick = d.arg_min if spec.touch == "first" else d.arg_max
    when = "min" if spec.touch == "first" else "max"
    # A converted person's touches count up to their first conversion, the others' all.
    touched = (
        f"SELECT t.person_id AS person_id, {pick('t.src', key)} AS src, "
        f"{pick('t.cmp', key)} AS cmp, {pick('t.cnt', key)} AS cnt, {when}(t.t) AS tt, "
        f"1 AS hit FROM ({touches}) AS t LEFT JOIN ({firsts}) AS f ON f.person_id = t.person_id "
        "WHERE coalesce(f.hit, 0) = 0 OR t.t <= f.ct GROUP BY t.person_id"
    )
    # ClickHouse fills a LEFT JOIN's missing row with defaults, not NULL: `hit` says
    # whether there was one.
    per_person = (
        "SELECT n.person_id AS person_id, n.first_seen AS fs, "
        "CASE WHEN coalesce(tc.hit, 0) = 1 THEN tc.src ELSE '' END AS src, "
        "CASE WHEN coalesce(tc.hit, 0) = 1 THEN tc.cmp ELSE '' END AS cmp, "
        "CASE WHEN coalesce(tc.hit, 0) = 1 THEN tc.cnt ELSE '' END AS cnt, "
        "CASE WHEN coalesce(tc.hit, 0) = 1 THEN tc.tt ELSE n.first_seen END AS tt "
        f"FROM ({new}) AS n LEFT JOIN ({touched}) AS tc ON tc.person_id = n.person_id"
    )
    counted = (
        "SELECT p.person_id AS person_id, count(*) AS n, sum(c.cents) AS cents "
        f"FROM pp AS p JOIN ({conv}) AS c ON c.person_id = p.person_id "
        f"WHERE c.t >= p.tt AND {d.micros('c.t')} - {d.micros('p.tt')} <= {window_us} "
        "GROUP BY p.person_id"
    )
    day = d.days_since(spec.first_day, ctx.local_date("p.fs"))
    return (
        f"WITH pp AS {d.materialized}({per_person}) "
        f"SELECT p.src AS src, p.cmp AS cmp, p.cnt AS cnt, {day} AS b, count(*) AS users, "
        "sum(coalesce(k.n, 0)) AS conversions, sum(coalesce(k.cents, 0)) AS cents "
        f"FROM pp AS p LEFT JOIN ({counted}) AS k ON k.person_id = p.person_id "
        "GROUP BY p.src, p.cmp, p.cnt, b"
    )
