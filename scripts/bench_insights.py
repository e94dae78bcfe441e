"""How fast the insights answer at ten million events, on DuckDB, chdb and PostgreSQL.

    .venv/bin/python scripts/bench_insights.py --events 10000000 --persons 1000000 [--write]

Data: opsloop.events.generate makes --events events of --persons persons over the 90
days to END (an iOS and a web source, so there are app_open and $pageview), into the
Parquet store of a data dir with a migrated SQLite database, then compacts the store and
writes the persons snapshot. The data dir is kept under build/bench-insights/, named
after the arguments and the seed, so a second run skips all of that (it says how long it
took the first time).

The same four query descriptions (the issue's targets: trends, funnel, retention,
lifecycle) go through opsloop.insights.engine (make_plan + run_query, the real compiler,
no result cache) on three engines, each run --runs times after a first, cold, run:

- DuckDB over the Parquet store (the default store).
- chdb (embedded ClickHouse) in a directory kept beside the data dir: a ClickHouseStore
  whose table is filled by INSERT ... SELECT FROM file(<each live Parquet file>), then
  OPTIMIZE ... FINAL (what a server's background merges reach), and the same persons
  snapshot through its write_persons.
- PostgreSQL, a throwaway server (scripts/with_postgres.py's), with the events in one
  plain table of the event columns (properties as jsonb) loaded by COPY, indexed on
  (workspace_id, timestamp) and (workspace_id, event, timestamp), VACUUM ANALYZE'd: what
  tools that keep analytics in a row store do. The compiler's postgres dialect is
  opsloop/insights/postgres.py; PostgreSQL runs --pg-runs times after its cold run.

The three must give the same results; the script stops with the difference when they do
not. Beside them, the floor: DuckDB scanning just the event columns a query reads
(count and sums of hashes) over the same files through the same store. It prints a
Markdown section; --write puts it into docs/benchmarks.md between the bench-insights
markers. --quick is a smoke run at 200,000 events of 20,000 persons.
"""

# SQL here is built from our own column names, paths and numbers.
# ruff: noqa: S608

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchreport import write_section

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "build" / "bench-insights"
BEGIN = "<!-- bench-insights:begin -->"
END = "<!-- bench-insights:end -->"
SEED = 20261111
DAYS = 90
END_DAY = dt.date(2026, 11, 30)  # fixed, so a kept data dir asks the same questions
TZ = "Asia/Shanghai"
QUICK = {"events": 200_000, "persons": 20_000}
LOADS: list[float] = []  # the 1-minute load average as each query's timing starts

# name -> (query description, target ms, event columns it reads)
QUERIES: dict[str, tuple[dict[str, Any], float, tuple[str, ...]]] = {
    "trends: DAU by day, by utm_source": (
        {
            "kind": "trends",
            "series": [{"event": "app_open", "math": "dau"}],
            "interval": "day",
            "breakdown": {"type": "event", "key": "utm_source", "limit": 10},
        },
        300.0,
        ("person_id", "timestamp", "event", "utm_source"),
    ),
    "funnel: 4 steps, 14-day window": (
        {
            "kind": "funnel",
            "steps": [
                {"event": "app_open"},
                {"event": "signup"},
                {"event": "activate"},
                {"event": "first_order"},
            ],
            "window": 14,
            "window_unit": "day",
        },
        1500.0,
        ("person_id", "timestamp", "event", "message_id"),
    ),
    "retention: 8 weeks, first time": (
        {
            "kind": "retention",
            "start": {"event": "signup"},
            "returning": {"event": "app_open"},
            "period": "week",
            "periods": 8,
            "cohort_type": "first_time",
        },
        1500.0,
        ("person_id", "timestamp", "event"),
    ),
    "lifecycle: weekly": (
        {"kind": "lifecycle", "series": {"event": "app_open"}, "interval": "week"},
        1500.0,
        ("person_id", "timestamp", "event"),
    ),
}


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {text}", file=sys.stderr, flush=True)


# --- data


def setup_django(data_dir: Path) -> None:
    os.environ["OPSLOOP_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "opsloop.settings"
    os.environ["OPSLOOP_EVENTS_BACKEND"] = "duckdb"
    os.environ.setdefault("OPSLOOP_LOG_LEVEL", "WARNING")
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def make_data(events: int, persons: int, seed: int) -> dict[str, Any]:
    """The data dir for these arguments, made unless it is kept from an earlier run; what
    it holds (meta.json)."""
    home = CACHE / f"e{events}-p{persons}-s{seed}-{END_DAY.isoformat()}"
    meta_path = home / "meta.json"
    setup_django(home / "data")
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
        say(f"kept data in {home} (made in {meta['generate_s']:.0f} s)")
        return {**meta, "home": str(home), "reused": True}
    if home.exists():
        shutil.rmtree(home)  # a run cut short: start again
    (home / "data").mkdir(parents=True)
    from django.core.management import call_command

    from opsloop.core import actions as core_actions
    from opsloop.core.models import Membership
    from opsloop.events import actions as events_actions
    from opsloop.events.generate import generate
    from opsloop.events.models import SourceKind
    from opsloop.events.schemas import SourceIn
    from opsloop.events.store import get_store
    from opsloop.insights.persons import write_snapshot

    call_command("migrate", verbosity=0, interactive=False)
    owner = core_actions.do_signup(username="owner", email="owner@example.com", password="x" * 12)
    workspace = core_actions.do_create_workspace(actor=owner, slug="bench", name="Bench")
    workspace.time_zone = TZ
    workspace.save(update_fields=["time_zone"])
    member = Membership.objects.select_related("workspace", "user").get(user=owner)
    for name, kind in (("iOS app", SourceKind.IOS), ("Web", SourceKind.WEB)):
        events_actions.do_create_source(actor=member, data=SourceIn(name=name, kind=kind))
    started = time.monotonic()
    made = generate(
        workspace=workspace,
        events=events,
        persons=persons,
        days=DAYS,
        seed=seed,
        end=END_DAY,
        progress=lambda text: say(f"generate: {text}"),
    )
    generate_s = time.monotonic() - started
    say(f"generated {made.events:,} events in {generate_s:.1f} s")
    store = get_store()
    started = time.monotonic()
    store.compact()
    compact_s = time.monotonic() - started
    started = time.monotonic()
    write_snapshot(store, workspace.pk, store.data_version(workspace.pk))
    snapshot_s = time.monotonic() - started
    say(f"compacted in {compact_s:.1f} s, persons snapshot in {snapshot_s:.1f} s")
    meta = {
        "events": made.events,
        "persons": made.persons,
        "workspace_id": workspace.pk,
        "first_day": made.first_day.isoformat(),
        "last_day": made.last_day.isoformat(),
        "funnel": made.funnel,
        "generate_s": generate_s,
        "compact_s": compact_s,
        "snapshot_s": snapshot_s,
    }
    meta_path.write_text(json.dumps(meta, indent=1))
    return {**meta, "home": str(home), "reused": False}


def live_files(store: Any, workspace_id: int) -> list[str]:
    from opsloop.events.store import EventFilter

    return store._files(EventFilter(workspace_id=workspace_id))


def snapshot_paths(store: Any, workspace_id: int) -> tuple[Path, Path]:
    with store._manifest() as manifest:
        row = manifest.execute(
            "SELECT persons_path, merges_path FROM person_snapshots WHERE workspace_id = ?",
            (workspace_id,),
        ).fetchone()
    return store.directory / row[0], store.directory / row[1]


# --- engines


def load_chdb(home: Path, files: list[str], store: Any, workspace_id: int) -> dict[str, Any]:
    """A ClickHouseStore over chdb in home/chdb, filled from the Parquet files (kept for
    the next run, like the data dir)."""
    import pyarrow.parquet as pq

    from opsloop.events.rows import COLUMNS
    from opsloop.events.store.clickhouse import ChdbExecutor, ClickHouseStore

    directory = home / "chdb"
    marker = home / "chdb.json"
    if marker.exists():
        loaded = json.loads(marker.read_text())
        ch = ClickHouseStore(ChdbExecutor(str(directory)))
        return {**loaded, "store": ch, "reused": True}
    shutil.rmtree(directory, ignore_errors=True)
    ch = ClickHouseStore(ChdbExecutor(str(directory)))
    ch._ensure()
    columns = ", ".join(f"`{name}`" for name in COLUMNS)
    started = time.monotonic()
    for path in files:
        ch.executor.query(
            f"INSERT INTO {ch.table} ({columns}) SELECT {columns} FROM file('{path}', Parquet)"
        )
    insert_s = time.monotonic() - started
    started = time.monotonic()
    ch.executor.query(f"OPTIMIZE TABLE {ch.table} FINAL")
    optimize_s = time.monotonic() - started
    persons_path, merges_path = snapshot_paths(store, workspace_id)
    started = time.monotonic()
    ch.write_persons(
        workspace_id,
        store.data_version(workspace_id),
        pq.read_table(persons_path),
        pq.read_table(merges_path),
    )
    persons_s = time.monotonic() - started
    count = ch.count_events(_all(workspace_id))
    say(
        f"chdb: {count:,} events inserted in {insert_s:.1f} s, optimized in {optimize_s:.1f} s, "
        f"persons in {persons_s:.1f} s"
    )
    loaded = {"insert_s": insert_s, "optimize_s": optimize_s, "persons_s": persons_s}
    marker.write_text(json.dumps(loaded))
    return {**loaded, "store": ch, "reused": False}


def _all(workspace_id: int) -> Any:
    from opsloop.events.store import EventFilter

    return EventFilter(workspace_id=workspace_id)


def load_postgres(
    url: str, files: list[str], store: Any, workspace_id: int, scratch: Path
) -> dict[str, Any]:
    """The events, persons and merges in PostgreSQL tables, by COPY of CSV that DuckDB
    writes from the same Parquet files."""
    import duckdb

    from opsloop.events.rows import COLUMNS
    from opsloop.insights.postgres import INDEXES, PgStore

    pg = PgStore(url)
    pg.prepare()
    persons_path, merges_path = snapshot_paths(store, workspace_id)
    listed = ", ".join(f"'{path}'" for path in files)
    columns = ", ".join(COLUMNS)
    exports = {
        "events": (
            f"SELECT {columns} FROM read_parquet([{listed}], union_by_name = true)",
            columns,
        ),
        "persons": (
            f"SELECT {int(workspace_id)} AS workspace_id, person_id, user_id, first_seen, "
            f"traits FROM read_parquet('{persons_path}')",
            "workspace_id, person_id, user_id, first_seen, traits",
        ),
        "merges": (
            f"SELECT {int(workspace_id)} AS workspace_id, from_id, to_id "
            f"FROM read_parquet('{merges_path}')",
            "workspace_id, from_id, to_id",
        ),
    }
    times: dict[str, float] = {}
    started = time.monotonic()
    connection = duckdb.connect(":memory:")
    connection.execute("SET TimeZone = 'UTC'")
    for table, (select, _names) in exports.items():
        connection.execute(f"COPY ({select}) TO '{scratch / table}.csv' (FORMAT csv, HEADER false)")
    connection.close()
    times["csv_s"] = time.monotonic() - started
    csv_bytes = (scratch / "events.csv").stat().st_size
    started = time.monotonic()
    with pg.connection.cursor() as cursor:
        for table, (_select, names) in exports.items():
            with (
                open(scratch / f"{table}.csv", "rb") as source,
                cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT csv)") as copy,
            ):
                while block := source.read(1 << 20):
                    copy.write(block)
            (scratch / f"{table}.csv").unlink()
    times["copy_s"] = time.monotonic() - started
    started = time.monotonic()
    with pg.connection.cursor() as cursor:
        for statement in INDEXES:
            cursor.execute(statement)
    times["index_s"] = time.monotonic() - started
    started = time.monotonic()
    with pg.connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SELECT pg_total_relation_size('events'), pg_relation_size('events')")
        total, heap = cursor.fetchone()
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    times["vacuum_s"] = time.monotonic() - started
    say(
        f"postgres: CSV {csv_bytes / 1e6:,.0f} MB in {times['csv_s']:.1f} s, COPY "
        f"{times['copy_s']:.1f} s, indexes {times['index_s']:.1f} s, "
        f"VACUUM ANALYZE {times['vacuum_s']:.1f} s; table {heap / 1e6:,.0f} MB, "
        f"with indexes {total / 1e6:,.0f} MB"
    )
    return {
        **times,
        "store": pg,
        "csv_bytes": csv_bytes,
        "heap_bytes": heap,
        "total_bytes": total,
        "version": version,
    }


# --- timing


def parsed_queries(first: dt.date, last: dt.date) -> dict[str, Any]:
    from opsloop.insights.query import parse_query

    dates = {"preset": "custom", "date_from": first.isoformat(), "date_to": last.isoformat()}
    return {name: parse_query({**q, "date_range": dates}) for name, (q, _t, _c) in QUERIES.items()}


def time_engine(
    label: str, store: Any, workspace_id: int, today: dt.date, queries: dict[str, Any], runs: int
) -> dict[str, dict[str, Any]]:
    from opsloop.insights.engine import make_plan, run_query

    out = {}
    for name, query in queries.items():
        LOADS.append(os.getloadavg()[0])
        times, result, statements = [], None, 0
        for _ in range(runs + 1):
            plan = make_plan(store, workspace_id, TZ, today)
            started = time.perf_counter()
            result = run_query(query, plan)
            times.append((time.perf_counter() - started) * 1000)
            statements = len(plan.statements)
        out[name] = {
            "cold": times[0],
            "median": statistics.median(times[1:]),
            "result": result,
            "statements": statements,
            "sql": plan.statements,
        }
        say(f"{label}: {name}: cold {times[0]:,.0f} ms, warm median {out[name]['median']:,.0f} ms")
    return out


def scan_floor(store: Any, workspace_id: int, runs: int) -> dict[str, float]:
    """DuckDB reading only the event columns each query reads, through the same store."""
    out = {}
    for name, (_q, _t, columns) in QUERIES.items():
        sums = ", ".join(f"sum(hash({column}))" for column in columns)
        text = f"SELECT count(*), {sums} FROM events"
        times = []
        for _ in range(runs + 1):
            started = time.perf_counter()
            store.sql(workspace_id, text, {})
            times.append((time.perf_counter() - started) * 1000)
        out[name] = statistics.median(times[1:])
    return out


def same(a: Any, b: Any, path: str = "") -> list[str]:
    """Where two results differ (numbers equal to 1e-6 relative, or 1 ms of seconds)."""
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return [f"{path}: keys {sorted(a)} != {sorted(b)}"]
        return [d for k in a for d in same(a[k], b[k], f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items != {len(b)}"]
        return [
            d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in same(x, y, f"{path}[{i}]")
        ]
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool):
        if math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-3):
            return []
        return [f"{path}: {a} != {b}"]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def check_agreement(results: dict[str, dict[str, dict[str, Any]]]) -> None:
    base = results["DuckDB"]
    problems = []
    for engine, timed in results.items():
        for name, entry in timed.items():
            differences = same(base[name]["result"], entry["result"])
            if differences:
                problems.append(f"{engine} differs from DuckDB on {name}: {differences[:5]}")
    if problems:
        raise SystemExit("the engines disagree:\n" + "\n".join(problems))
    say("the engines agree on every query")


# --- report


def render(
    args: argparse.Namespace,
    data: dict[str, Any],
    versions: dict[str, str],
    parquet_bytes: int,
    files: int,
    results: dict[str, dict[str, dict[str, Any]]],
    floor: dict[str, float],
    loads: dict[str, dict[str, Any]],
) -> str:
    command = ".venv/bin/python scripts/bench_insights.py " + (
        "--quick"
        if args.quick
        else f"--events {args.events} --persons {args.persons} --runs {args.runs} "
        f"--pg-runs {args.pg_runs}"
    )
    when = dt.datetime.now(tz=dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    gen = f"generated in {data['generate_s']:.0f} s, compacted in {data['compact_s']:.0f} s"
    gen += f", persons snapshot in {data['snapshot_s']:.1f} s"
    lines = [
        f"### Insights at {data['events']:,} events, {when}",
        "",
        f"Reproduce: `{command}` (add `--write` to update this section).",
        "",
        f"- Machine: {os.cpu_count()} CPUs; Python {platform.python_version()}; "
        f"DuckDB {versions['duckdb']}; chdb {versions['chdb']} (ClickHouse "
        f"{versions['clickhouse']}); PostgreSQL {versions.get('postgres', '-')}.",
        f"- Data: {data['events']:,} events of {data['persons']:,} persons over {DAYS} days "
        f"({data['first_day']} to {data['last_day']}, opsloop.events.generate, seed "
        f"{args.seed}), {parquet_bytes / 1e6:,.0f} MB of Parquet in {files} files; {gen}.",
    ]
    if "chdb" in loads:
        c = loads["chdb"]
        lines.append(
            f"- chdb: INSERT ... SELECT FROM file(<each Parquet file>, Parquet) in "
            f"{c['insert_s']:.0f} s, OPTIMIZE TABLE ... FINAL {c['optimize_s']:.0f} s, persons "
            f"snapshot through write_persons {c['persons_s']:.0f} s."
        )
    if "postgres" in loads:
        p = loads["postgres"]
        lines.append(
            f"- PostgreSQL: one `events` table of the event columns (properties jsonb), CSV by "
            f"DuckDB ({p['csv_bytes'] / 1e6:,.0f} MB, {p['csv_s']:.0f} s), COPY "
            f"{p['copy_s']:.0f} s, indexes on (workspace_id, timestamp) and (workspace_id, "
            f"event, timestamp) {p['index_s']:.0f} s, VACUUM ANALYZE {p['vacuum_s']:.0f} s; "
            f"{p['heap_bytes'] / 1e6:,.0f} MB of table, {p['total_bytes'] / 1e6:,.0f} MB with "
            "indexes; work_mem 256MB, shared_buffers 128MB, the rest default."
        )
    lines += [
        f"- Each query through opsloop.insights.engine (the compiler, no result cache): one "
        f"cold run, then the median of {args.runs} (PostgreSQL: {args.pg_runs}). Ratios are "
        "to DuckDB's warm median. The scan floor is DuckDB reading only the event columns "
        "the query reads, through the same store.",
        f"- Load average (1 min) as the queries started: {min(LOADS):.1f} to {max(LOADS):.1f} "
        "(the machine is shared).",
        "",
        "| query | DuckDB cold | DuckDB warm median | target | met? | chdb median (ratio) "
        "| PostgreSQL median (ratio) | DuckDB scan floor (ratio) |",
        "|---|---:|---:|---:|---|---:|---:|---:|",
    ]

    def cell(engine: str, name: str) -> str:
        if engine not in results:
            return "-"
        value = results[engine][name]["median"]
        return f"{_ms(value)} ({value / results['DuckDB'][name]['median']:.2f}x)"

    for name, (_q, target, _c) in QUERIES.items():
        duck = results["DuckDB"][name]
        met = "yes" if duck["median"] <= target else "**no**"
        f = floor[name]
        lines.append(
            f"| {name} | {_ms(duck['cold'])} | {_ms(duck['median'])} | {_ms(target)} | {met} "
            f"| {cell('chdb', name)} | {cell('PostgreSQL', name)} "
            f"| {_ms(f)} ({f / duck['median']:.2f}x) |"
        )
    return "\n".join(lines)


def _ms(value: float) -> str:
    return f"{value:,.0f} ms" if value >= 10 else f"{value:.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--runs", type=int, default=5, help="warm runs of DuckDB and chdb")
    parser.add_argument("--pg-runs", type=int, default=2, help="warm runs of PostgreSQL")
    parser.add_argument("--quick", action="store_true", help="200,000 events, 20,000 persons")
    parser.add_argument("--no-chdb", action="store_true")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument(
        "--prepare", action="store_true", help="only make (or keep) the data and chdb's table"
    )
    args = parser.parse_args()
    if args.quick:
        args.events, args.persons = QUICK["events"], QUICK["persons"]
        args.runs, args.pg_runs = min(args.runs, 3), min(args.pg_runs, 2)

    data = make_data(args.events, args.persons, args.seed)
    home = Path(data["home"])
    import chdb
    import duckdb

    import opsloop.insights.postgres  # noqa: F401  (adds the postgres dialect)
    from opsloop.events.store import get_store

    store = get_store()
    ws = int(data["workspace_id"])
    files = live_files(store, ws)
    parquet_bytes = sum(Path(path).stat().st_size for path in files)
    first, last = dt.date.fromisoformat(data["first_day"]), dt.date.fromisoformat(data["last_day"])
    today = last + dt.timedelta(days=1)
    queries = parsed_queries(first, last)
    versions = {"duckdb": duckdb.__version__, "chdb": chdb.__version__}
    results: dict[str, dict[str, dict[str, Any]]] = {}
    loads: dict[str, dict[str, Any]] = {}

    if args.prepare:
        if not args.no_chdb:
            load_chdb(home, files, store, ws)
        return 0

    results["DuckDB"] = time_engine("DuckDB", store, ws, today, queries, args.runs)
    floor = scan_floor(store, ws, args.runs)

    if not args.no_chdb:
        loads["chdb"] = load_chdb(home, files, store, ws)
        ch = loads["chdb"]["store"]
        row = ch._rows("SELECT version() AS v")
        versions["clickhouse"] = str(row[0]["v"]) if row else "?"
        results["chdb"] = time_engine("chdb", ch, ws, today, queries, args.runs)
    else:
        versions["clickhouse"] = "-"

    server = None
    scratch = Path(tempfile.mkdtemp(prefix="pg-load-", dir=home))
    try:
        if not args.no_postgres:
            sys.path.insert(0, str(ROOT / "scripts"))
            from with_postgres import Server

            server = Server()
            started = time.monotonic()
            url = server.start()
            say(f"postgres: server at {url} in {time.monotonic() - started:.1f} s")
            loads["postgres"] = load_postgres(url, files, store, ws, scratch)
            versions["postgres"] = loads["postgres"]["version"]
            pg = loads["postgres"]["store"]
            results["PostgreSQL"] = time_engine("PostgreSQL", pg, ws, today, queries, args.pg_runs)
            pg.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if server is not None:
            server.stop()

    check_agreement(results)
    section = render(args, data, versions, parquet_bytes, len(files), results, floor, loads)
    print(section)
    missed = [n for n, (_q, t, _c) in QUERIES.items() if results["DuckDB"][n]["median"] > t]
    if missed:
        say(f"missed the target: {', '.join(missed)}")
    if args.write:
        write_section(section, BEGIN, END)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
