"""Retention: of the persons who did the start event in a period (their cohort), how
many came back with the return event N periods later (docs/metrics.md#retention)."""

# SQL here is built from our own fragments; user values are bound parameters.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
from typing import Any

from opsloop.insights.buckets import bucket_label, bucket_starts, period_days
from opsloop.insights.plan import Plan, as_int
from opsloop.insights.query import RetentionQuery
from opsloop.insights.sql import Sql


def run(q: RetentionQuery, plan: Plan) -> dict[str, Any]:
    first, last = q.date_range.days(plan.today)
    ctx = plan.sql(first, _returns_until(q, first, last, plan.today))
    sizes: dict[int, int] = {}
    back: dict[tuple[int, int], int] = {}
    for kind, cohort, n, count in plan.run(ctx, _statement(q, ctx, last)):
        if kind == "size":
            sizes[as_int(cohort)] = as_int(count)
        else:
            back[(as_int(cohort), as_int(n))] = as_int(count)
    cohorts: list[dict[str, Any]] = []
    starts = bucket_starts(first, last, q.period)
    for c, start in enumerate(starts):
        size = sizes.get(c, 0)
        values: list[int | None] = []
        for n in range(q.periods + 1):
            # A period not begun yet has no value: it is not a zero.
            if period_days(first, q.period, c + n)[0] > plan.today:
                values.append(None)
            elif n == 0:
                values.append(size)
            elif q.mode == "on":
                values.append(back.get((c, n), 0))
            else:
                values.append(sum(v for (cc, nn), v in back.items() if cc == c and nn >= n))
        cohorts.append(
            {
                "cohort": bucket_label(start, q.period),
                "size": size,
                "values": values,
                "percentages": [
                    None if v is None else (round(v / size, 6) if size else None) for v in values
                ],
            }
        )
    curve = []
    for n in range(q.periods + 1):
        known = [row for row in cohorts if row["values"][n] is not None and row["size"]]
        total = sum(row["size"] for row in known)
        curve.append(round(sum(row["values"][n] for row in known) / total, 6) if total else None)
    return {
        "kind": "retention",
        "first_day": first.isoformat(),
        "last_day": last.isoformat(),
        "period": q.period,
        "mode": q.mode,
        "cohort_type": q.cohort_type,
        "cohorts": cohorts,
        "curve": curve,
    }


def persons_sql(q: RetentionQuery, plan: Plan, selection: dict[str, Any]) -> tuple[Sql, str]:
    """The persons of cohort `cohort` (0-based), or of them those who came back in period
    `period` (on, or on or after it, as the query says)."""
    first, last = q.date_range.days(plan.today)
    ctx = plan.sql(first, _returns_until(q, first, last, plan.today))
    c, n = int(selection.get("cohort", 0)), int(selection.get("period", 0))
    starts = _starts(q, ctx, last)
    if n == 0:
        return ctx, f"SELECT DISTINCT person_id FROM ({starts}) AS s WHERE s.c = {c}"
    returns = _returns(q, ctx)
    test = f"r.r = s.c + {n}"
    if q.mode == "on_or_after":
        test = f"r.r >= s.c + {n} AND r.r <= s.c + {q.periods}"
    return ctx, (
        f"SELECT DISTINCT s.person_id FROM ({starts}) AS s JOIN ({returns}) AS r "
        f"ON r.person_id = s.person_id WHERE s.c = {c} AND {test}"
    )


def _returns_until(q: RetentionQuery, first: dt.date, last: dt.date, today: dt.date) -> dt.date:
    """Returns are read up to the last period shown of the last cohort, or today: past the
    range's end, which bounds the cohorts, not their returns. Each cohort counts its own
    up to its last period shown (_statement)."""
    cohorts = len(bucket_starts(first, last, q.period))
    return min(today, period_days(first, q.period, cohorts - 1 + q.periods)[1])


def _starts(q: RetentionQuery, ctx: Sql, last: dt.date) -> str:
    """(person_id, cohort c): the periods of the range each person starts a cohort in."""
    filters = [ctx.condition(f) for f in q.filters]
    cohort_end = ctx.moment(last + dt.timedelta(days=1))
    if q.cohort_type == "first_time":
        ever = (
            ctx.events_from(
                [ctx.selects(q.start), *filters],
                "e.person_id AS person_id, min(e.timestamp) AS t",
                ever=True,  # the first ever, however early: no floor
            )
            + " GROUP BY e.person_id"
        )
        starts = (
            f"SELECT person_id, {ctx.bucket(q.period, 't')} AS c FROM ({ever}) AS f "
            f"WHERE t >= {ctx.timestamp(ctx.start)} AND t < {ctx.timestamp(cohort_end)}"
        )
    else:
        rel = ctx.events_from(
            [ctx.selects(q.start), *filters, f"e.timestamp < {ctx.timestamp(cohort_end)}"],
            f"DISTINCT e.person_id AS person_id, {ctx.bucket(q.period, 'e.timestamp', since=ctx.start)} AS c",
        )
        starts = rel
    return starts


def _returns(q: RetentionQuery, ctx: Sql) -> str:
    """(person_id, period r): the periods each person did the return event in."""
    return ctx.events_from(
        [ctx.selects(q.returning), *(ctx.condition(f) for f in q.filters)],
        f"DISTINCT e.person_id AS person_id, {ctx.bucket(q.period, 'e.timestamp', since=ctx.start)} AS r",
    )


def _statement(q: RetentionQuery, ctx: Sql, last: dt.date) -> str:
    starts, returns = _starts(q, ctx, last), _returns(q, ctx)
    if q.mode == "on":
        back = (
            f"SELECT 'back' AS kind, s.c AS c, r.r - s.c AS n, count(DISTINCT s.person_id) AS v "
            f"FROM ({starts}) AS s JOIN ({returns}) AS r ON r.person_id = s.person_id "
            f"WHERE r.r > s.c AND r.r <= s.c + {q.periods} GROUP BY s.c, r.r - s.c"
        )
    else:
        # On or after: each person once, at the furthest period they came back in, of
        # the periods shown (a later return counts for none: it is not shown).
        far = (
            f"SELECT s.person_id AS person_id, s.c AS c, max(r.r) - s.c AS far "
            f"FROM ({starts}) AS s JOIN ({returns}) AS r ON r.person_id = s.person_id "
            f"WHERE r.r > s.c AND r.r <= s.c + {q.periods} GROUP BY s.person_id, s.c"
        )
        back = (
            f"SELECT 'back' AS kind, c, far AS n, count(*) AS v FROM ({far}) AS f GROUP BY c, far"
        )
    sizes = (
        f"SELECT 'size' AS kind, c, 0 AS n, count(DISTINCT person_id) AS v "
        f"FROM ({starts}) AS s GROUP BY c"
    )
    return f"{sizes} UNION ALL {back}"
