"""The SQL the compilers write for each documented example, on each engine, pinned in
tests/insights/snapshots/: a change to the generated SQL shows up as a diff to review.
After a deliberate change: OPSLOOP_UPDATE_SNAPSHOTS=1 pytest tests/insights/test_sql_snapshots.py"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from opsloop.insights.engine import make_plan, run_query
from opsloop.insights.examples import EXAMPLES
from opsloop.insights.query import parse_query

SNAPSHOTS = Path(__file__).parent / "snapshots"
TODAY = dt.date(2026, 11, 30)


def rendered(statements) -> str:
    out = []
    for text, params in statements:
        out.append(text)
        out += [f"-- {name} = {value!r}" for name, value in params.items()]
        out.append("")
    return "\n".join(out)


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_generated_sql_matches_its_snapshot(store, kind):
    engine = "clickhouse" if type(store).__name__ == "ClickHouseStore" else "duckdb"
    plan = make_plan(store, 1, "Asia/Shanghai", TODAY)
    run_query(parse_query(EXAMPLES[kind]["value"]), plan)
    text = rendered(plan.statements)
    path = SNAPSHOTS / f"{kind}.{engine}.sql"
    if os.environ.get("OPSLOOP_UPDATE_SNAPSHOTS") or not path.exists():
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(text)
        if not os.environ.get("OPSLOOP_UPDATE_SNAPSHOTS"):
            pytest.fail(f"{path.name} was missing and is written now: review and commit it")
    assert text == path.read_text(), f"the SQL of {kind} on {engine} changed: see {path}"
