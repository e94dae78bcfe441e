"""The known answers of tests/insights (trends, funnels, cohorts of time, the calendar's
edges) on PostgreSQL too, through opsloop/insights/postgres.py, the dialect the insights benchmark compares
with: a throwaway server (scripts/with_postgres.py's), skipped where the machine has no
PostgreSQL server binaries."""

# SQL here is built from the dialect's own fragments.
# ruff: noqa: S608

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from tests.insights import test_calendar_edges, test_cohorts_of_time, test_funnels, test_trends
from tests.insights.test_trends import shop  # noqa: F401  (a fixture of the trends tests)

ROOT = Path(__file__).resolve().parents[2]
HAS_SERVER = bool(list(Path("/usr/lib/postgresql").glob("*/bin/initdb"))) or bool(
    shutil.which("initdb")
)

# The same tests, collected here again with the `store` fixture below.
for _module in (test_trends, test_funnels, test_cohorts_of_time, test_calendar_edges):
    for _name in dir(_module):
        if _name.startswith("test_"):
            globals()[_name] = getattr(_module, _name)


@pytest.fixture(scope="module")
def pg_url():
    if not HAS_SERVER:
        pytest.skip("no PostgreSQL server binaries")
    sys.path.insert(0, str(ROOT / "scripts"))
    from with_postgres import Server

    server = Server()
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def store(pg_url):
    from opsloop.insights.postgres import PgStore

    pg = PgStore(pg_url)
    pg.prepare()
    with pg.connection.cursor() as cursor:
        cursor.execute("TRUNCATE events, persons, merges")
    try:
        yield pg
    finally:
        pg.close()


def test_the_dialect_is_registered_and_spells_postgres(store):
    from opsloop.insights import sql

    d = sql.DIALECTS["postgres"]
    assert d.placeholder("p1", 1) == "%(p1)s"
    assert d.arg_min("v", d.key_pair("a", "b")) == (
        "(array_agg(v ORDER BY a, b) FILTER (WHERE v IS NOT NULL))[1]"
    )
    # OFFSET 0 keeps the planner from folding the values in as constants: a number()
    # of a constant that is not one would fail at planning, as any CAST of it would.
    values = (
        "SELECT * FROM (VALUES (CAST(11 AS BIGINT), -1, ' 2.5e1 ', 'abc', "
        '\'{"a": "x", "n": null}\')) AS v(i, j, num, word, doc) OFFSET 0'
    )
    spelled = ", ".join(
        [
            d.bit_count("i"),
            d.int_div("j", "7"),
            d.number("num"),
            d.number("word"),
            d.json_text("doc", "%(a)s"),
            d.json_text("doc", "%(n)s"),
            d.json_text("doc", "%(missing)s"),
        ]
    )
    rows = store.sql(
        1,
        f"SELECT {spelled} FROM ({values}) AS v",
        {"a": '$."a"', "n": '$."n"', "missing": '$."z"'},
    )
    assert rows == [(3, -1, 25.0, None, "x", None, None)]
