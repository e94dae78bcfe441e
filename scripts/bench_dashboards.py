"""How long a dashboard of twelve tiles takes over the insights benchmark's events, cold
and warm, as a logged-in member waits for it in the browser.

    .venv/bin/python scripts/bench_dashboards.py --events 10000000 --persons 1000000 [--write]

Data: the data dir of scripts/bench_insights.py for the same --events, --persons and
--seed (made by its make_data when missing, about seven minutes at ten million events,
and kept under build/bench-insights/ for both scripts). Into its database this script
adds, once, a member and a workspace dashboard over all the events' 90 days (BOARD) of
twelve tiles: two KPIs (daily actives from an insight, GMV entered by hand), six saved
insights (trends; trends broken down by utm_source; a funnel; retention; lifecycle;
stickiness), an objective, a campaign project's burn-up and its items at risk, and a
note. Everything is made through the actions, as a user would.

Each run starts `opsloop run --no-worker --no-flusher` (gunicorn: one process of eight
threads with the in-memory cache, as by default) on that data dir and talks HTTP to it on
127.0.0.1 with the member's session cookie:

- cold: the server just started, so the insights cache is empty and the process has no
  DuckDB database yet (the Parquet files stay in the OS page cache: nothing here can
  drop it). One request to the dashboards list first, so Django's own start-up is not
  counted. Then the dashboard's page, and each tile it left pending fetched as htmx does
  (`hx-trigger="load"`, the HX-Request header), --browser-connections at a time like a
  browser's connections per host. Measured: from the page's request to the last tile's
  answer, what the user waits for until every tile is drawn.
- cold, one after another: the same on a server started again, one tile at a time: what
  a server that computed tiles one by one would take (the ratio shows what the
  concurrency gains).
- warm: the page again, --warm times after each cold run, every insight tile now drawn
  from the cache with the page.
- the engine alone: between the runs, the six insight tiles' queries (the dashboard's
  days and filters) one after another through opsloop.insights.engine in this process,
  no result cache: the work the tiles wait for, whatever the machine's speed. The
  figures above are also given as ratios to it.

Every tile must come out drawn (state "ready"); the script stops when one does not. It
prints a Markdown section; --write puts it into docs/benchmarks.md between the
bench-dashboards markers. --quick is a smoke run at 200,000 events of 20,000 persons.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import os
import platform
import re
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

from benchreport import write_section

ROOT = Path(__file__).resolve().parent.parent
BEGIN = "<!-- bench-dashboards:begin -->"
END = "<!-- bench-dashboards:end -->"
BOARD = "看板基准 v1"  # a new name makes a new board in a kept data dir
VIEWER = "bench-viewer"
COLD_MS, WARM_MS = 2000.0, 200.0
BROWSER_CONNECTIONS = 6  # what Chrome and Firefox open per host over HTTP/1.1
QUICK = {"events": 200_000, "persons": 20_000}

# name -> saved query (the dashboard's days replace its own on the board)
INSIGHTS: dict[str, dict[str, Any]] = {
    "日活与订单": {
        "kind": "trends",
        "series": [{"event": "app_open", "math": "dau"}, {"event": "order_paid"}],
        "interval": "day",
    },
    "各渠道日活": {
        "kind": "trends",
        "series": [{"event": "app_open", "math": "dau"}],
        "interval": "day",
        "breakdown": {"type": "event", "key": "utm_source", "limit": 10},
    },
    "首单漏斗": {
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
    "新用户周留存": {
        "kind": "retention",
        "start": {"event": "signup"},
        "returning": {"event": "app_open"},
        "period": "week",
        "periods": 8,
        "cohort_type": "first_time",
    },
    "用户生命周期": {"kind": "lifecycle", "series": {"event": "app_open"}, "interval": "week"},
    "打开粘性": {"kind": "stickiness", "series": {"event": "app_open"}, "interval": "day"},
}

TILE_RE = re.compile(r"<article\b[^>]*\bdata-testid=\"tile-body\"[^>]*>")
ATTR_RE = re.compile(r'\b(id|hx-get|data-state)="([^"]*)"')


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {text}", file=sys.stderr, flush=True)


# --- the board


@dataclass
class Board:
    """The dashboard measured: where its page is, who reads it, its tiles by id."""

    slug: str
    dashboard_id: int
    viewer_id: int
    tiles: dict[int, str]  # tile id -> a label: its kind, and an insight's kind

    @property
    def path(self) -> str:
        return f"/w/{self.slug}/dashboards/{self.dashboard_id}/"


@contextlib.contextmanager
def at(day: dt.date, hour: int = 10) -> Iterator[None]:
    """Work items made and moved on past days, as the progress tests make history."""
    from django.utils import timezone

    moment = dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)
    with mock.patch.object(timezone, "now", return_value=moment):
        yield


def board_of(dashboard: Any, viewer_id: int) -> Board:
    from opsloop.dashboards import queries as dashboard_queries

    tiles = {}
    for tile in dashboard_queries.list_tiles(dashboard):
        label = tile.kind
        if tile.insight is not None:
            label += f": {tile.insight.kind}"
            if tile.insight.query.get("breakdown"):
                label += " by " + str(tile.insight.query["breakdown"].get("key"))
        tiles[tile.pk] = label
    return Board(dashboard.workspace.slug, dashboard.pk, viewer_id, tiles)


def prepare_board(owner: Any, first_day: dt.date, last_day: dt.date) -> Board:
    """The twelve-tile dashboard over first_day..last_day, made by `owner` (a
    Membership) unless the workspace has it already, and a member to read it."""
    from opsloop.core import actions as core_actions
    from opsloop.core.models import Membership, User
    from opsloop.dashboards import actions
    from opsloop.dashboards.models import Dashboard
    from opsloop.goals import actions as goal_actions
    from opsloop.goals.schemas import KeyResultIn, KpiIn, ObjectiveIn
    from opsloop.insights import actions as insight_actions
    from opsloop.insights.queries import local_today
    from opsloop.work import actions as work_actions
    from opsloop.work.schemas import ItemIn, ItemPatch, ProjectIn

    workspace = owner.workspace
    viewer = User.objects.filter(username=VIEWER).first()
    if viewer is None:
        viewer = core_actions.do_signup(
            # Never typed: the benchmark's session is made by force_login.
            username=VIEWER,
            email=f"{VIEWER}@example.com",
            password=secrets.token_urlsafe(16),
        )
    if not Membership.objects.filter(workspace=workspace, user=viewer).exists():
        # The invitation goes out by the console backend: keep it off the report.
        with contextlib.redirect_stdout(sys.stderr):
            sent = core_actions.do_invite_member(actor=owner, email=viewer.email)
        core_actions.do_accept_invitation(
            user=viewer, raw_token=sent.url.rstrip("/").split("/")[-1]
        )
    kept = Dashboard.objects.filter(workspace=workspace, name=BOARD).first()
    if kept is not None:
        return board_of(kept, viewer.pk)

    days = {"preset": "custom", "date_from": first_day.isoformat(), "date_to": last_day.isoformat()}
    today = last_day + dt.timedelta(days=1)
    insights = {
        name: insight_actions.do_save_insight(
            actor=owner, name=name, query={**query, "date_range": days}
        )
        for name, query in INSIGHTS.items()
    }
    dau = goal_actions.do_create_kpi(
        actor=owner,
        data=KpiIn(
            name=f"{BOARD} 日活",
            source="insight",
            insight_id=insights["日活与订单"].pk,
            definition={"series": 0},
            unit="人",
        ),
        today=today,
    )
    gmv = goal_actions.do_create_kpi(
        actor=owner, data=KpiIn(name=f"{BOARD} GMV", source="manual", unit="元")
    )
    span = (last_day - first_day).days + 1
    goal_actions.do_record_kpi_values(
        actor=owner,
        kpi=gmv,
        values=[
            (first_day + dt.timedelta(days=n), 80_000.0 + 1_500 * n + (n % 7) * 4_000)
            for n in range(span)
        ],
    )
    objective = goal_actions.do_create_objective(
        actor=owner,
        data=ObjectiveIn(
            title="日活与 GMV 增长",
            period_kind="custom",
            start_date=first_day,
            end_date=local_today(workspace) + dt.timedelta(days=365),
        ),
    )
    goal_actions.do_add_key_result(
        actor=owner,
        objective=objective,
        data=KeyResultIn(title="日活过目标", kpi_id=dau.pk, start_value=0, target_value=200_000),
    )
    project = work_actions.do_create_project(
        actor=owner,
        data=ProjectIn(name=f"{BOARD} 大促", key="BDASH", kind="campaign", goal="GMV 增长 30%"),
    )
    done = project.states.filter(group="done").order_by("sequence").first()
    for n in range(40):
        made = first_day + dt.timedelta(days=n * span // 40)
        with at(made):
            item = work_actions.do_create_item(
                actor=owner,
                project=project,
                data=ItemIn(title=f"准备物料 {n + 1}", due_date=made + dt.timedelta(days=10)),
            )
        if n % 3 and done is not None:
            with at(min(made + dt.timedelta(days=7), last_day)):
                work_actions.do_update_item(
                    actor=owner, item=item, data=ItemPatch(state_id=done.pk)
                )
    dashboard = actions.do_create_dashboard(actor=owner, name=BOARD, date_range=days)
    subjects: list[dict[str, Any]] = [
        {"kind": "kpi", "kpi_id": dau.pk},
        {"kind": "kpi", "kpi_id": gmv.pk},
        *({"kind": "insight", "insight_id": insight.pk} for insight in insights.values()),
        {"kind": "objective", "objective_id": objective.pk},
        {"kind": "burnup", "project_id": project.pk},
        {"kind": "at_risk", "project_id": project.pk},
        {"kind": "note", "text": "**本周重点**：双十一复盘，渠道拉新与首单转化"},
    ]
    for subject in subjects:
        actions.do_add_tile(actor=owner, dashboard=dashboard, data=subject)
    return board_of(dashboard, viewer.pk)


# --- a visit, as the browser makes it


Get = Callable[[str, bool], tuple[int, str]]  # (path, htmx) -> (status, body)


@dataclass
class Visit:
    """One load of the dashboard: the page, then its pending tiles."""

    total_ms: float
    page_ms: float
    tiles_ms: dict[int, float] = field(default_factory=dict)  # each fragment's own time
    states: dict[int, str] = field(default_factory=dict)  # each tile's final state

    @property
    def fetched(self) -> int:
        return len(self.tiles_ms)


def tiles_in(html: str) -> list[dict[str, str]]:
    """Each tile of a page or fragment: its id, its state, and the URL it fetches itself
    from while pending."""
    out = []
    for tag in TILE_RE.findall(html):
        attrs = dict(ATTR_RE.findall(tag))
        out.append(attrs)
    return out


def visit(get: Get, path: str, connections: int) -> Visit:
    """The page, then every tile it left pending, `connections` at a time, each on its
    own connection as htmx's requests are; the time until the last answer."""
    started = time.perf_counter()
    status, html = get(path, False)
    page_ms = (time.perf_counter() - started) * 1000
    if status != 200:
        raise SystemExit(f"{path} answered {status}")
    found = tiles_in(html)
    states = {int(t["id"].removeprefix("tile-")): t["data-state"] for t in found}
    pending = [t["hx-get"] for t in found if t["data-state"] == "pending"]

    def fragment(url: str) -> tuple[float, int, str]:
        began = time.perf_counter()
        status, body = get(url, True)
        if status != 200:
            raise SystemExit(f"{url} answered {status}")
        (tile,) = tiles_in(body)
        return (
            (time.perf_counter() - began) * 1000,
            int(tile["id"].removeprefix("tile-")),
            tile["data-state"],
        )

    tiles_ms = {}
    if connections > 1 and len(pending) > 1:
        with ThreadPoolExecutor(max_workers=connections) as pool:
            answers = list(pool.map(fragment, pending))
    else:  # in this thread: the test Client's database connection is this thread's
        answers = [fragment(url) for url in pending]
    for ms, tile_id, state in answers:
        tiles_ms[tile_id] = ms
        states[tile_id] = state
    total_ms = (time.perf_counter() - started) * 1000
    return Visit(total_ms, page_ms, tiles_ms, states)


def check_drawn(board: Board, seen: Visit) -> None:
    """Every tile of the board came out drawn."""
    wrong = {
        board.tiles.get(tile_id, str(tile_id)): state
        for tile_id, state in seen.states.items()
        if state != "ready"
    }
    if set(seen.states) != set(board.tiles) or wrong:
        raise SystemExit(
            f"the dashboard did not draw every tile: {len(seen.states)} of {len(board.tiles)} "
            f"seen, not ready: {wrong}"
        )


# --- the server


class HttpGet:
    """GETs over keep-alive HTTP/1.1 connections, one per thread, with a session cookie."""

    def __init__(self, port: int, session: str) -> None:
        self.port = port
        self.session = session
        self._local: dict[int, http.client.HTTPConnection] = {}

    def __call__(self, path: str, htmx: bool) -> tuple[int, str]:
        import threading

        key = threading.get_ident()
        headers = {"Cookie": f"sessionid={self.session}", "Accept-Language": "zh-hans"}
        if htmx:
            headers["HX-Request"] = "true"
        for attempt in (1, 2):
            connection = self._local.get(key)
            if connection is None:
                connection = self._local[key] = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=120
                )
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # The server closed a connection idle past its keep-alive (5 s), as it
                # does to a browser's, which then opens another.
                connection.close()
                del self._local[key]
                if attempt == 2:
                    raise
        body = response.read().decode()
        if response.status in (301, 302):
            body = response.getheader("Location") or ""
        return response.status, body

    def close(self) -> None:
        for connection in self._local.values():
            connection.close()
        self._local.clear()


@contextlib.contextmanager
def server(data_dir: Path) -> Iterator[int]:
    """`opsloop run` as installed, on a free port, its log beside the data dir; stopped
    after."""
    import socket

    from bench_events import OPSLOOP, free_port

    port = free_port()
    command = [*OPSLOOP, "run", "--no-worker", "--no-flusher", "--port", str(port)]
    env = {**os.environ, "OPSLOOP_DATA_DIR": str(data_dir)}
    with open(data_dir.parent / "server.log", "ab") as log:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit("opsloop run did not start listening") from None
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(30)


def session_of(user_id: int) -> str:
    """A session of the user in the database, as logging in makes one."""
    from django.test import Client

    from opsloop.core.models import User

    client = Client()
    client.force_login(User.objects.get(pk=user_id))
    return client.cookies["sessionid"].value


def engine_alone(board: Board) -> dict[int, float]:
    """Each insight tile's query (the dashboard's days and filters) through the engine in
    this process, one after another, no result cache: the work the tiles wait for."""
    from opsloop.core.models import Membership
    from opsloop.dashboards import queries as dashboard_queries
    from opsloop.dashboards import tiles
    from opsloop.dashboards.models import Dashboard
    from opsloop.events.store import get_store
    from opsloop.insights.engine import make_plan, run_query

    dashboard = Dashboard.objects.select_related("workspace").get(pk=board.dashboard_id)
    viewer = Membership.objects.get(workspace=dashboard.workspace, user_id=board.viewer_id)
    frame = tiles.frame_of(dashboard, viewer)
    store = get_store()
    out = {}
    for tile in dashboard_queries.list_tiles(dashboard):
        if tile.insight is None:
            continue
        query = tiles.tile_query(frame, tile.insight.query)
        started = time.perf_counter()
        plan = make_plan(store, dashboard.workspace_id, dashboard.workspace.time_zone, frame.today)
        run_query(query, plan)
        out[tile.pk] = (time.perf_counter() - started) * 1000
    return out


def measure(data_dir: Path, board: Board, runs: int, warm: int, connections: int) -> dict[str, Any]:
    """Cold with `connections` at a time, cold one after another, and warm, each on a
    server of its own (cold) or the one just warmed up."""
    get_list = f"/w/{board.slug}/dashboards/"
    session = session_of(board.viewer_id)
    out: dict[str, Any] = {"cold": [], "serial": [], "warm": [], "engine": [], "loads": []}
    engine_alone(board)  # this process's DuckDB database made, as a server's first tile does
    for run in range(runs):
        for label, width in (("cold", connections), ("serial", 1)):
            out["loads"].append(os.getloadavg()[0])
            with server(data_dir) as port:
                get = HttpGet(port, session)
                status, body = get(get_list, False)  # Django's own start-up, not the board's
                if status != 200:
                    raise SystemExit(f"{get_list} answered {status} {body[:200]}")
                seen = visit(get, board.path, width)
                check_drawn(board, seen)
                if seen.fetched == 0:
                    raise SystemExit("a cold page drew its insight tiles: is the cache shared?")
                out[label].append(seen)
                each = ", ".join(
                    f"{board.tiles[t].removeprefix('insight: ')} {ms:,.0f}"
                    for t, ms in seen.tiles_ms.items()
                )
                say(
                    f"run {run + 1}: {label}: {seen.total_ms:,.0f} ms (page {seen.page_ms:,.0f} "
                    f"ms; tiles fetched, ms: {each})"
                )
                if label == "cold":
                    for _ in range(warm):
                        again = visit(get, board.path, width)
                        check_drawn(board, again)
                        if again.fetched:
                            raise SystemExit("a warm page left tiles to fetch")
                        out["warm"].append(again)
                    say(
                        f"run {run + 1}: warm median "
                        f"{statistics.median(v.total_ms for v in out['warm'][-warm:]):,.0f} ms"
                    )
                get.close()
        out["loads"].append(os.getloadavg()[0])
        times = engine_alone(board)
        out["engine"].append(times)
        say(f"run {run + 1}: the engine alone, one after another: {sum(times.values()):,.0f} ms")
    out["loads"].append(os.getloadavg()[0])
    return out


# --- report


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def render(
    *, command: str, data: dict[str, Any], board: Board, result: dict[str, Any], connections: int
) -> str:
    import django
    import duckdb

    cold = median([v.total_ms for v in result["cold"]])
    cold_page = median([v.page_ms for v in result["cold"]])
    serial = median([v.total_ms for v in result["serial"]])
    warm = median([v.total_ms for v in result["warm"]])
    engine = median([sum(times.values()) for times in result["engine"]])
    runs, warms = len(result["cold"]), len(result["warm"])
    when = dt.datetime.now(tz=dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    loads = result["loads"]
    kinds: dict[str, int] = {}
    for label in board.tiles.values():
        kinds[label.split(":")[0]] = kinds.get(label.split(":")[0], 0) + 1

    def met(value: float, target: float) -> str:
        return "yes" if value < target else "**no**"

    def ratio(value: float) -> str:
        return f"{value / engine:.2f}x" if engine else "-"

    lines = [
        f"### A dashboard of {len(board.tiles)} tiles at {data['events']:,} events, {when}",
        "",
        f"Reproduce: `{command}` (add `--write` to update this section).",
        "",
        f"- Machine: {os.cpu_count()} CPUs; Python {platform.python_version()}; Django "
        f"{django.get_version()}; DuckDB {duckdb.__version__}. Load average (1 min) as the "
        f"runs started: {min(loads):.1f} to {max(loads):.1f} (the machine is shared).",
        f"- Data: the insights benchmark's {data['events']:,} events of {data['persons']:,} "
        f"persons, {data['first_day']} to {data['last_day']}; the dashboard covers all of "
        "these days.",
        "- Tiles: " + ", ".join(f"{n} {k}" for k, n in kinds.items()) + "; the insights are "
        "trends (DAU and orders by day), trends of DAU by utm_source, a 4-step funnel, "
        "8-week retention, weekly lifecycle, daily stickiness.",
        "- Server: `opsloop run --no-worker --no-flusher` (gunicorn, 1 process of 8 threads, "
        "the in-memory cache), HTTP on 127.0.0.1, a member's session; what the browser does "
        "after the HTML (scripts, drawing the charts) is not counted.",
        f"- Cold: a server just started (empty insights cache, no DuckDB database yet; the "
        f"files in the OS page cache), after one request to the dashboards list. The page, "
        f"then every tile it leaves pending fetched {connections} at a time, as htmx asks "
        f"for them in a browser: until the last tile arrived. One after another: the same "
        f"on a server started again, one tile at a time. Warm: the page again, "
        f"{warms // max(runs, 1)} times after each cold run, every insight tile drawn from "
        f"the cache with the page. The engine alone: the six insight tiles' queries run "
        f"one after another in the script's process through opsloop.insights.engine, no "
        f"result cache, between the runs; ratios are to it. Medians of {runs} runs "
        f"(warm: {warms} loads).",
        "",
        "| measure | median | / engine alone | target | met? |",
        "|---|---:|---:|---:|---|",
        f"| cold: the page and every tile ({connections} at a time) | {cold:,.0f} ms "
        f"| {ratio(cold)} | {COLD_MS:,.0f} ms | {met(cold, COLD_MS)} |",
        f"| cold: the page alone (insight tiles pending) | {cold_page:,.0f} ms | | | |",
        f"| cold: the page and every tile, one after another | {serial:,.0f} ms "
        f"| {ratio(serial)} | | |",
        f"| the engine alone: the six queries, one after another | {engine:,.0f} ms | 1.00x | | |",
        f"| warm: the page with every tile | {warm:,.0f} ms | | {WARM_MS:,.0f} ms "
        f"| {met(warm, WARM_MS)} |",
        "",
        f"| tile fetched cold | {connections} at a time | one after another | the engine alone |",
        "|---|---:|---:|---:|",
    ]
    for tile_id, label in board.tiles.items():
        together = [v.tiles_ms[tile_id] for v in result["cold"] if tile_id in v.tiles_ms]
        alone = [v.tiles_ms[tile_id] for v in result["serial"] if tile_id in v.tiles_ms]
        queried = [times[tile_id] for times in result["engine"] if tile_id in times]
        if together or alone:
            lines.append(
                f"| {label} | {median(together):,.0f} ms | {median(alone):,.0f} ms "
                f"| {median(queried):,.0f} ms |"
            )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=None, help="the insights benchmark's")
    parser.add_argument("--runs", type=int, default=5, help="cold runs of each kind")
    parser.add_argument("--warm", type=int, default=5, help="warm loads after each cold run")
    parser.add_argument(
        "--browser-connections",
        type=int,
        default=BROWSER_CONNECTIONS,
        help="tiles fetched at a time, as a browser's connections per host",
    )
    parser.add_argument("--quick", action="store_true", help="200,000 events, 20,000 persons")
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()
    if args.quick:
        args.events, args.persons = QUICK["events"], QUICK["persons"]
        args.runs = min(args.runs, 2)

    import bench_insights

    seed = bench_insights.SEED if args.seed is None else args.seed
    # No shared cache: a cold run is a server with nothing cached.
    os.environ.pop("REDIS_URL", None)
    data = bench_insights.make_data(args.events, args.persons, seed)
    data_dir = Path(data["home"]) / "data"
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)  # a data dir kept from before

    from opsloop.core.models import Membership

    owner = Membership.objects.select_related("workspace", "user").get(
        workspace_id=data["workspace_id"], user__username="owner"
    )
    first_day = dt.date.fromisoformat(data["first_day"])
    last_day = dt.date.fromisoformat(data["last_day"])
    started = time.monotonic()
    board = prepare_board(owner, first_day, last_day)
    say(f"dashboard {board.path} of {len(board.tiles)} tiles in {time.monotonic() - started:.1f} s")

    result = measure(data_dir, board, args.runs, args.warm, args.browser_connections)
    command = ".venv/bin/python scripts/bench_dashboards.py " + (
        "--quick"
        if args.quick
        else f"--events {args.events} --persons {args.persons} --runs {args.runs} "
        f"--warm {args.warm}"
    )
    section = render(
        command=command,
        data=data,
        board=board,
        result=result,
        connections=args.browser_connections,
    )
    print(section)
    if args.write:
        write_section(section, BEGIN, END)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
