"""The SQL results_events writes, on each engine, pinned in tests/money/snapshots/: a
change shows up as a diff to review. After a deliberate change:
OPSLOOP_UPDATE_SNAPSHOTS=1 pytest tests/money/test_results_sql.py"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from opsloop.insights.engine import make_plan
from opsloop.money import results_events
from tests.events._pipeline import open_store
from tests.insights.test_sql_snapshots import rendered

SNAPSHOTS = Path(__file__).parent / "snapshots"
SPEC = results_events.Spec(
    first_day=dt.date(2026, 11, 1),
    last_day=dt.date(2026, 11, 30),
    touch="first",
    event="order_paid",
    revenue_property="amount",
    window_days=30,
)


@pytest.mark.parametrize("engine", ["duckdb", "clickhouse"])
@pytest.mark.parametrize("touch", ["first", "last"])
def test_generated_sql_matches_its_snapshot(tmp_path, engine, touch):
    with open_store("parquet" if engine == "duckdb" else "clickhouse", tmp_path) as store:
        plan = make_plan(store, 1, "Asia/Shanghai", dt.date(2026, 11, 30))
        spec = results_events.Spec(**{**SPEC.__dict__, "touch": touch})
        assert results_events.run(plan, spec) == []  # no events: no groups, and no error
    text = rendered(plan.statements)
    path = SNAPSHOTS / f"results-{touch}.{engine}.sql"
    if os.environ.get("OPSLOOP_UPDATE_SNAPSHOTS") or not path.exists():
        path.write_text(text)
        if not os.environ.get("OPSLOOP_UPDATE_SNAPSHOTS"):
            pytest.fail(f"{path.name} was missing and is written now: review and commit it")
    assert text == path.read_text(), f"the SQL of results on {engine} changed: see {path}"


def test_without_a_conversion_event_nothing_converts(tmp_path):
    with open_store("parquet", tmp_path) as store:
        plan = make_plan(store, 1, "Asia/Shanghai", dt.date(2026, 11, 30))
        spec = results_events.Spec(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
        assert spec.read_last_day == dt.date(2026, 12, 30)  # one window, for the touches
        results_events.run(plan, spec)
    assert "order_paid" not in plan.statements[0][0]
