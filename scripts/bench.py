"""Latency and SQL query counts of item lists at scale: `make bench`.

    .venv/bin/python scripts/bench.py [--items 100000] [--requests 100] [--databases sqlite,postgres]

Loads one project of --items work items (100,000 by default) into a fresh database and
measures, in process with Django's test Client (the full middleware, auth, view, template
and JSON stack; no socket and no WSGI server), the p50 and p95 latency of the list API,
the list page and the board with several filters, on page 1 and on a deep page, in
rounds that send every case once. Each case also counts its SQL queries at two sizes
(--small, 1,000 by default, and --items): the counts must be equal, or the run fails,
because a count that grows with the data is an N+1. Missed latency targets are reported,
not failed: they depend on the machine.

Each database runs in its own child process, since Django reads DATABASE_URL once at
start: SQLite in a temporary OPSLOOP_DATA_DIR, then PostgreSQL on a throwaway server
started by scripts/with_postgres.py. The figures go to docs/benchmarks.md between its
markers (--no-report leaves the file alone) and to standard output.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import math
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchreport import write_section

if TYPE_CHECKING:
    from django.test import Client


ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "benchmarks.md"
BEGIN = "<!-- bench:begin: written by scripts/bench.py, edits between these markers are lost -->"
END = "<!-- bench:end -->"

API_TARGET_MS = 50.0
PAGE_TARGET_MS = 150.0
DEEP_PAGE = 500
PER_PAGE = 50  # the default page size of the API and the list page
SEED = 20261111

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


# --- the cases


@dataclass(frozen=True)
class Case:
    kind: str  # "api", "page" or "board"
    filter: str  # a key of FILTERS
    deep: bool = False

    @property
    def name(self) -> str:
        where = {"api": "list API", "page": "list page", "board": "board"}[self.kind]
        return f"{where}, {self.filter}" + (", deep page" if self.deep else "")

    @property
    def target_ms(self) -> float:
        return API_TARGET_MS if self.kind == "api" else PAGE_TARGET_MS


# What each filter sends; the ids are the benchmark fixture's.
FILTERS = (
    "no filter",
    "state",
    "assignee+priority",
    "text q",
    "sort=priority",
    "sort=priority, group=assignee",
)

CASES: tuple[Case, ...] = (
    *(Case(kind, f, deep) for kind in ("api", "page") for f in FILTERS for deep in (False, True)),
    Case("board", "no filter"),
    Case("board", "assignee+priority"),
)


def select_cases(words: str | None) -> tuple[Case, ...]:
    """The cases whose name contains one of the comma-separated words (all when None)."""
    if not words:
        return CASES
    wanted = [w.strip().lower() for w in words.split(",") if w.strip()]
    chosen = tuple(c for c in CASES if any(w in c.name.lower() for w in wanted))
    if not chosen:
        raise ValueError(f"no case matches {words!r}")
    return chosen


@dataclass
class Fixture:
    """What the cases need to know about the loaded workspace."""

    slug: str
    key: str
    project_id: int
    state_id: int  # "In progress": a mid-sized column
    assignee_id: int  # the busiest assignee
    q: str  # a word in about one title in fifteen
    token: str
    viewer_id: int
    people: list[int]
    labels: list[int]
    states: dict[str, int]  # group -> state id

    def params(self, name: str) -> dict[str, str]:
        return {
            "no filter": {},
            "state": {"state": str(self.state_id)},
            "assignee+priority": {"assignee": str(self.assignee_id), "priority": "high"},
            "text q": {"q": self.q},
            "sort=priority": {"sort": "priority"},
            "sort=priority, group=assignee": {"sort": "priority", "group": "assignee"},
        }[name]


# --- realistic data: a Chinese operations team's long-running project

PEOPLE = [
    ("wangfang", "王芳"), ("lina", "李娜"), ("zhangwei", "张伟"), ("liuyang", "刘洋"),
    ("chenjing", "陈静"), ("yangmin", "杨敏"), ("zhaolei", "赵磊"), ("huangli", "黄丽"),
    ("zhoujie", "周杰"), ("wuqiang", "吴强"), ("xuting", "徐婷"), ("sunhao", "孙浩"),
    ("maxin", "马欣"), ("zhuhong", "朱红"), ("hujun", "胡军"), ("guoyan", "郭燕"),
    ("linpeng", "林鹏"), ("heping", "何平"), ("gaofei", "高飞"), ("luoxue", "罗雪"),
]  # fmt: skip
LABELS = [
    ("设计", "#ec4899"), ("文案", "#f97316"), ("投放", "#eab308"), ("数据", "#22c55e"),
    ("技术", "#14b8a6"), ("直播", "#06b6d4"), ("短视频", "#3b82f6"), ("私域", "#6366f1"),
    ("会员", "#8b5cf6"), ("KOL", "#a855f7"), ("SEO", "#d946ef"), ("App", "#f43f5e"),
    ("小程序", "#0ea5e9"), ("客服", "#84cc16"), ("法务", "#64748b"),
]  # fmt: skip
CAMPAIGNS = [
    "双十一", "双十二", "618", "年货节", "会员日", "开学季", "Q4 内容", "拉新", "召回",
    "品牌周", "新品首发", "直播间", "Spring sale", "Growth", "Onboarding",
]  # fmt: skip
TOPICS = [
    "主会场海报", "朋友圈海报", "短视频脚本", "公众号推文", "小红书笔记", "KOL 合作清单",
    "优惠券配置", "落地页 A/B 测试", "push 文案", "短信召回", "投放预算复盘", "数据看板",
    "用户访谈", "活动规则", "客服话术", "直播排期", "商品选品", "SEO 关键词", "App 弹窗",
    "会员权益", "裂变玩法", "渠道对账", "landing page copy", "retention report",
    "email template", "banner 尺寸适配", "埋点验收", "素材审核", "达人寄样", "复盘会议纪要",
]  # fmt: skip
SEARCH_WORD = "海报"  # in two topics of thirty: about one title in fifteen
SENTENCES = [
    "尺寸 **1080×1920**，周三前交付。",
    "参考上一期的数据，转化率目标提升 *15%*。",
    "Check the brief in the shared folder before starting.",
    "需要法务确认活动规则里的抽奖条款。",
    "- 初稿\n- 评审\n- 定稿",
    "预算上限 5 万，超出需要审批。",
    "Coordinate with the channel team about the launch date.",
    "埋点事件：`page_view`、`add_to_cart`、`order_paid`。",
]  # fmt: skip
# Shares of items per state group: an old project is mostly done.
STATE_WEIGHTS = {
    "backlog": 15,
    "todo": 15,
    "in_progress": 10,
    "in_review": 5,
    "done": 50,
    "cancelled": 5,
}
PRIORITY_WEIGHTS = {0: 30, 1: 20, 2: 30, 3: 15, 4: 5}  # none, low, medium, high, urgent
ASSIGNEE_COUNTS = ([0, 1, 2, 3], [15, 68, 14, 3])
LABEL_COUNTS = ([0, 1, 2, 3], [30, 45, 20, 5])


def _zipf(n: int, s: float = 0.8) -> list[float]:
    # Work is not spread evenly: a few people and labels carry most of it.
    return [1 / (k**s) for k in range(1, n + 1)]


def create_fixture(progress: Progress = _quiet) -> Fixture:
    """A workspace, 20 members, 15 labels and a project with the default workflow.

    Made through actions, as a user would make them, except the users: signing up hashes
    a password (slow on purpose), and the benchmark signs in without one."""
    from django.contrib.auth.hashers import make_password

    from opsloop.core import actions as core_actions
    from opsloop.core.models import Membership, Role, User
    from opsloop.work import actions as work_actions
    from opsloop.work.models import State
    from opsloop.work.schemas import LabelIn, ProjectIn

    unusable = make_password(None)
    User.objects.bulk_create(
        [
            User(username=u, email=f"{u}@example.com", display_name=n, password=unusable)
            for u, n in PEOPLE
        ]
    )
    users = list(User.objects.filter(username__in=[u for u, _ in PEOPLE]).order_by("id"))
    owner = users[0]
    workspace = core_actions.do_create_workspace(actor=owner, slug="bench", name="基准测试运营部")
    Membership.objects.bulk_create(
        [Membership(workspace=workspace, user=u, role=Role.MEMBER) for u in users[1:]]
    )
    actor = Membership.objects.select_related("workspace", "user").get(
        workspace=workspace, user=owner
    )
    project = work_actions.do_create_project(
        actor=actor,
        data=ProjectIn(name="全年运营大盘", key="OPS", kind="campaign", goal="GMV 增长 30%"),
    )
    labels = [
        work_actions.do_create_label(actor=actor, data=LabelIn(name=name, color=color)).pk
        for name, color in LABELS
    ]
    states = dict(State.objects.filter(project=project).values_list("group", "id"))
    # A plain member reads the lists, as most users do: the project check is then the
    # member's (workspace-visible or shared), not an admin's shortcut.
    viewer = users[1]
    token = core_actions.do_create_token(user=viewer, name="bench").raw
    progress(f"fixture: workspace {workspace.slug}, project {project.key}, {len(users)} people")
    return Fixture(
        slug=workspace.slug,
        key=project.key,
        project_id=project.pk,
        state_id=states["in_progress"],
        assignee_id=users[0].pk,
        q=SEARCH_WORD,
        token=token,
        viewer_id=viewer.pk,
        people=[u.pk for u in users],
        labels=labels,
        states=states,
    )


@contextlib.contextmanager
def explicit_timestamps(model: type) -> Iterator[None]:
    """Let bulk_create keep the created_at/updated_at we give, spread over a year as in a
    real project's history, instead of stamping every row with the load time."""
    fields = [
        f
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def load_items(fx: Fixture, first: int, count: int, rng: random.Random, batch: int = 5000) -> None:
    """Add items numbered first..first+count-1, with their assignees and labels.

    Benchmark data only: this writes rows with bulk_create and so bypasses the actions
    (no validation, no activity records, no per-item transaction). That is what makes
    100,000 items load in seconds, and the lists read nothing the actions alone write."""
    from django.db import transaction
    from django.utils.timezone import localdate
    from django.utils.timezone import now as current_time

    from opsloop.work.models import Item, Project

    now = current_time()
    today = localdate()
    groups = list(STATE_WEIGHTS)
    group_weights = list(STATE_WEIGHTS.values())
    priorities = list(PRIORITY_WEIGHTS)
    priority_weights = list(PRIORITY_WEIGHTS.values())
    people_weights = _zipf(len(fx.people))
    label_weights = _zipf(len(fx.labels))
    assignee_through = Item.assignees.through
    label_through = Item.labels.through
    workspace_id = Project.objects.values_list("workspace_id", flat=True).get(pk=fx.project_id)
    with transaction.atomic(), explicit_timestamps(Item):
        for start in range(first, first + count, batch):
            numbers = range(start, min(start + batch, first + count))
            items, picks = [], []
            for number in numbers:
                group = rng.choices(groups, group_weights)[0]
                # Item number n of N was created about (N - n) / N of a year ago.
                created = now - timedelta(days=365 * (1 - number / 100_000), minutes=rng.random())
                due = (
                    today + timedelta(days=rng.randint(-180, 185)) if rng.random() < 0.75 else None
                )
                n_sentences = rng.choice([0, 0, 1, 2, 3, 5])
                items.append(
                    Item(
                        workspace_id=workspace_id,
                        project_id=fx.project_id,
                        number=number,
                        title=f"{rng.choice(CAMPAIGNS)} {rng.choice(TOPICS)} #{number}",
                        description="\n\n".join(rng.choices(SENTENCES, k=n_sentences)),
                        state_id=fx.states[group],
                        priority=rng.choices(priorities, priority_weights)[0],
                        start_date=due - timedelta(days=rng.randint(0, 14)) if due else None,
                        due_date=due,
                        estimate_hours=round(rng.uniform(0.5, 40), 1)
                        if rng.random() < 0.6
                        else None,
                        progress=100 if group == "done" else rng.choice([0, 0, 20, 50, 80]),
                        # New items go last in manual order, as the create action puts them.
                        sort_order=number * 1024.0,
                        completed_at=created + timedelta(days=rng.randint(1, 30))
                        if group == "done"
                        else None,
                        created_by_id=rng.choice(fx.people),
                        updated_by_id=rng.choice(fx.people),
                        created_at=created,
                        updated_at=min(now, created + timedelta(days=rng.randint(0, 30))),
                    )
                )
                n_people = rng.choices(*ASSIGNEE_COUNTS)[0]
                n_labels = rng.choices(*LABEL_COUNTS)[0]
                picks.append(
                    (
                        set(rng.choices(fx.people, people_weights, k=n_people)),
                        set(rng.choices(fx.labels, label_weights, k=n_labels)),
                    )
                )
            Item.objects.bulk_create(items)
            assignee_rows, label_rows = [], []
            for item, (people, labels) in zip(items, picks, strict=True):
                assignee_rows += [
                    assignee_through(item_id=item.pk, user_id=u, project_id=fx.project_id)
                    for u in people
                ]
                label_rows += [label_through(item_id=item.pk, label_id=lb) for lb in labels]
            assignee_through.objects.bulk_create(assignee_rows)
            label_through.objects.bulk_create(label_rows)
        Project.objects.filter(pk=fx.project_id).update(item_counter=first + count - 1)


def analyze() -> None:
    """Refresh PostgreSQL's planner statistics after the bulk load, as autovacuum does by
    itself within a minute of one; the benchmark does not wait for it.

    SQLite is left as an install leaves it, without statistics: opsloop never runs ANALYZE,
    and SQLite's plans without statistics are the ones users get. (With the statistics of
    a database whose items all sit in one project, SQLite judged every index on
    (project, ...) equally unselective and read page 1 through the wrong one, sorting all
    100,000 rows: 180 ms instead of 1 ms. docs/benchmarks.md has the details.)"""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            # The test suite's transaction: VACUUM cannot run in one, and it has no need.
            cursor.execute("ANALYZE")
            return
        # VACUUM also marks pages all-visible, which the index-only scans of the counts
        # rely on. Right after 100,000 inserts the first pass often leaves them unmarked
        # (the autovacuum that the load set off holds back the horizon), and a count then
        # reads the whole table; autovacuum's next rounds would mark them. So, until done:
        for _ in range(5):
            cursor.execute("VACUUM ANALYZE")
            cursor.execute(
                "SELECT relpages, relallvisible FROM pg_class WHERE relname = 'work_item'"
            )
            pages, visible = cursor.fetchone()
            if visible >= pages * 0.95:
                break


# --- measuring


def percentile(samples: list[float], pct: float) -> float:
    """Nearest-rank percentile: the value below which pct% of the samples fall."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


@dataclass
class Clients:
    api: Client
    browser: Client
    auth: dict[str, str]


def make_clients(fx: Fixture) -> Clients:
    from django.test import Client

    from opsloop.core.models import User

    browser = Client()
    browser.force_login(User.objects.get(pk=fx.viewer_id))
    # The API client sends only the token: no session cookie, as a script would call it.
    return Clients(api=Client(), browser=browser, auth={"HTTP_AUTHORIZATION": f"Bearer {fx.token}"})


def case_request(
    fx: Fixture, clients: Clients, case: Case, page: int
) -> tuple[Callable[[], Any], str]:
    """A function that sends the case's request once, and the URL it asks for."""
    params = fx.params(case.filter)
    if case.kind != "board":
        params = {**params, "page": str(page)}
    if case.kind == "api":
        path = f"/api/v1/workspaces/{fx.slug}/projects/{fx.key}/items"
        client, extra = clients.api, clients.auth
    elif case.kind == "page":
        path = f"/w/{fx.slug}/p/{fx.key}/"
        client, extra = clients.browser, {}
    else:
        path = f"/w/{fx.slug}/p/{fx.key}/board/"
        client, extra = clients.browser, {}

    def send() -> Any:
        response = client.get(path, params, **extra)
        if response.status_code != 200:
            raise RuntimeError(f"{case.name}: {path} {params} answered {response.status_code}")
        return response

    query = "&".join(f"{k}={v}" for k, v in params.items())
    return send, path + (f"?{query}" if query else "")


def filter_pages(fx: Fixture, clients: Clients) -> dict[str, tuple[int, int]]:
    """Rows and the deep page of each filter: page 500, or the last full page when there
    are fewer (a short last page, or one past the end, would measure less work)."""
    out = {}
    for name in FILTERS:
        response = clients.api.get(
            f"/api/v1/workspaces/{fx.slug}/projects/{fx.key}/items", fx.params(name), **clients.auth
        )
        body = response.json()
        if response.status_code != 200 or not body["count"]:
            raise RuntimeError(f"filter {name!r} matches nothing: {response.status_code} {body}")
        out[name] = (body["count"], max(1, min(DEEP_PAGE, body["count"] // PER_PAGE)))
    return out


def count_queries(
    fx: Fixture,
    clients: Clients,
    pages: dict[str, tuple[int, int]],
    warmup: int,
    cases: tuple[Case, ...] = CASES,
) -> dict[str, int]:
    """SQL queries per request of every case: the fewer of two requests in a row.

    A once-in-a-while write (the token's last-used time, at most once a minute) can fall
    into either request, never into both; an N+1 shows in every request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for case in cases:
        send, _ = case_request(fx, clients, case, pages[case.filter][1] if case.deep else 1)
        for _ in range(warmup):
            send()
        seen = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as captured:
                send()
            seen.append(len(captured))
        counts[case.name] = min(seen)
    return counts


def time_cases(
    fx: Fixture,
    clients: Clients,
    pages: dict[str, tuple[int, int]],
    requests: int,
    warmup: int,
    progress: Progress,
    cases: tuple[Case, ...] = CASES,
) -> list[dict[str, Any]]:
    """Wall time of every case's request, in rounds: each round sends every case once.

    Taking turns spreads whatever else the machine does over all cases alike, instead of
    charging it to the case that happened to run at the time."""
    senders = []
    for case in cases:
        page = pages[case.filter][1] if case.deep else 1
        send, url = case_request(fx, clients, case, page)
        for _ in range(warmup):
            send()
        senders.append((case, page, send, url))
    # As the server does once loaded (opsloop/wsgi.py): the loader's garbage is collected
    # and whatever is left is frozen out of the collector's sight.
    from opsloop.core.runtime import freeze_startup_objects

    freeze_startup_objects()
    samples: list[list[float]] = [[] for _ in senders]
    for _ in range(requests):
        for timings, (_, _, send, _) in zip(samples, senders, strict=True):
            started = time.perf_counter()
            send()
            timings.append((time.perf_counter() - started) * 1000)
    results = []
    for timings, (case, page, _, url) in zip(samples, senders, strict=True):
        result = {
            "name": case.name,
            "kind": case.kind,
            "filter": case.filter,
            "deep": case.deep,
            "url": url,
            "page": page if case.kind != "board" else None,
            "rows": pages[case.filter][0],
            "requests": requests,
            "p50_ms": round(percentile(timings, 50), 2),
            "p95_ms": round(percentile(timings, 95), 2),
            "max_ms": round(max(timings), 2),
            "target_ms": case.target_ms,
        }
        progress(
            f"  {case.name:<52} p50 {result['p50_ms']:7.1f} ms  p95 {result['p95_ms']:7.1f} ms"
        )
        results.append(result)
    return results


def run_benchmark(
    *,
    sizes: tuple[int, int] = (1_000, 100_000),
    requests: int = 100,
    warmup: int = 5,
    seed: int = SEED,
    progress: Progress = _quiet,
    cases: tuple[Case, ...] = CASES,
) -> dict[str, Any]:
    """Load the data in two steps, count queries at both sizes, time every case at the larger.

    Runs against whatever database Django is configured for, migrated and empty of
    benchmark data (the workspace slug "bench" must be free)."""
    import django
    from django.db import connection

    small, large = sizes
    if not 0 < small < large:
        raise ValueError(f"sizes must grow: {sizes}")
    rng = random.Random(seed)
    fx = create_fixture(progress)
    clients = make_clients(fx)
    counts: dict[int, dict[str, int]] = {}
    loaded, load_seconds = 0, 0.0
    for size in sizes:
        started = time.perf_counter()
        load_items(fx, loaded + 1, size - loaded, rng)
        loaded = size
        analyze()
        load_seconds += time.perf_counter() - started
        progress(f"loaded {size:,} items ({load_seconds:.1f}s so far); counting queries")
        pages = filter_pages(fx, clients)
        counts[size] = count_queries(fx, clients, pages, warmup=max(1, warmup), cases=cases)
    progress(f"timing {len(cases)} cases x {requests} requests at {large:,} items")
    load_before = load_average()
    timed = time_cases(fx, clients, pages, requests, warmup, progress, cases=cases)
    load_after = load_average()
    for case in timed:
        case["queries"] = {str(size): counts[size][case["name"]] for size in sizes}
    return {
        "database": connection.vendor,
        "database_version": database_version(),
        "django": django.get_version(),
        "sizes": list(sizes),
        "load_seconds": round(load_seconds, 1),
        "load_average": [load_before, load_after],
        "cases": timed,
    }


def load_average() -> float | None:
    """The 1-minute load average: other work on the machine shows in the latencies."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def database_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
        cursor.execute("SELECT sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]}"


def growing_counts(result: dict[str, Any]) -> list[str]:
    """Cases whose query count differs between the two sizes."""
    return [
        f"{result['database_version']}: {c['name']} {c['queries']}"
        for c in result["cases"]
        if len(set(c["queries"].values())) != 1
    ]


def missed_targets(result: dict[str, Any]) -> list[str]:
    return [
        f"{result['database_version']}: {c['name']} p95 {c['p95_ms']} ms > {c['target_ms']:.0f} ms"
        for c in result["cases"]
        if c["p95_ms"] > c["target_ms"]
    ]


# --- one database per child process


def worker(args: argparse.Namespace) -> int:
    """Configure Django for the environment's database, migrate, run, write JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsloop.settings")
    # The test Client calls itself "testserver"; the settings take hosts from here.
    os.environ["OPSLOOP_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ.setdefault("OPSLOOP_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    result = run_benchmark(
        sizes=(args.small, args.items),
        requests=args.requests,
        warmup=args.warmup,
        progress=lambda line: print(line, file=sys.stderr, flush=True),
        cases=select_cases(args.cases),
    )
    Path(args.json_out).write_text(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


def _with_postgres() -> Any:
    # scripts/ is not a package; load the throwaway-server helper beside this file.
    spec = importlib.util.spec_from_file_location(
        "with_postgres", ROOT / "scripts/with_postgres.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_child(database: str, args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="opsloop-bench-") as tmp:
        out = Path(tmp) / "result.json"
        env = {**os.environ, "OPSLOOP_DATA_DIR": tmp, "OPSLOOP_DEBUG": "0"}
        env.pop("DATABASE_URL", None)
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--worker",
            "--json-out",
            str(out),
            "--items",
            str(args.items),
            "--small",
            str(args.small),
            "--requests",
            str(args.requests),
            "--warmup",
            str(args.warmup),
            *(["--cases", args.cases] if args.cases else []),
        ]
        server = None
        if database == "postgres":
            server = _with_postgres().Server()
            env["DATABASE_URL"] = server.start()
        try:
            print(f"== {database}", file=sys.stderr, flush=True)
            subprocess.run(command, env=env, check=True, cwd=ROOT)
        finally:
            if server is not None:
                server.stop()
        return json.loads(out.read_text())


# --- the report


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        memory = f"{kb / 1024 / 1024:.0f} GB RAM"
    os_name = platform.platform()
    with contextlib.suppress(OSError):
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = f"{line.split('=', 1)[1].strip(chr(34))}, Linux {platform.release()}"
    return {
        "cpu": f"{cpu}, {os.cpu_count()} cores",
        "memory": memory,
        "os": os_name,
        "python": platform.python_version(),
    }


def _ms(value: float) -> str:
    return f"{value:.1f}"


def _fmt_load(value: float | None) -> str:
    return "?" if value is None else f"{value:.1f}"


def render_report(results: list[dict[str, Any]], *, command: str, when: datetime) -> str:
    """The generated part of docs/benchmarks.md: one table per database, then both side by
    side. Every figure comes from this one run; command is Markdown saying how it ran."""
    box = machine()
    small, large = results[0]["sizes"]
    requests = results[0]["cases"][0]["requests"]
    lines = [
        f"Run of {when:%Y-%m-%d %H:%M} UTC, with {command}.",
        "",
        f"- Machine: {box['cpu']}, {box['memory']}; {box['os']}.",
        f"- Python {box['python']}, Django {results[0]['django']}, "
        + ", ".join(r["database_version"] for r in results)
        + ".",
        f"- Data: one project of {large:,} items; query counts also at {small:,} items.",
        f"- {requests} timed requests per case after warm-up, one at a time, in process "
        "through Django's test Client (middleware, authentication, view, template or JSON; "
        "no socket, no WSGI server), with start-up objects frozen out of the garbage "
        "collector as opsloop/wsgi.py does. p50 and p95 are nearest-rank percentiles of "
        "wall time.",
        "",
    ]
    for r in results:
        before, after = r.get("load_average") or (None, None)
        lines += [
            f"### {r['database_version']}",
            "",
            f"Loading took {r['load_seconds']:.0f} s. Load average (1 min) of the machine "
            f"while timing: {_fmt_load(before)} at the start, {_fmt_load(after)} at the end.",
            "",
            f"| case | page | rows | p50 ms | p95 ms | p95 target | p95 / target "
            f"| queries at {small:,} | queries at {large:,} |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for c in r["cases"]:
            ratio = c["p95_ms"] / c["target_ms"]
            mark = "" if ratio <= 1 else " **missed**"
            q = c["queries"]
            lines.append(
                f"| {c['name']} | {c['page'] or '—'} | {c['rows']:,} | {_ms(c['p50_ms'])} "
                f"| {_ms(c['p95_ms'])} | < {c['target_ms']:.0f} | {ratio:.2f}{mark} "
                f"| {q[str(small)]} | {q[str(large)]} |"
            )
        lines.append("")
    if len(results) > 1:
        first, second = results[0], results[1]
        a, b = first["database_version"].split()[0], second["database_version"].split()[0]
        lines += [
            "### Side by side",
            "",
            f"| case | {a} p50 | {b} p50 | {b} / {a} p50 | {a} p95 | {b} p95 | {b} / {a} p95 |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for c1, c2 in zip(first["cases"], second["cases"], strict=True):
            lines.append(
                f"| {c1['name']} | {_ms(c1['p50_ms'])} | {_ms(c2['p50_ms'])} "
                f"| {c2['p50_ms'] / c1['p50_ms']:.2f} | {_ms(c1['p95_ms'])} "
                f"| {_ms(c2['p95_ms'])} | {c2['p95_ms'] / c1['p95_ms']:.2f} |"
            )
        lines.append("")
    return "\n".join(lines)


REPORT_HEAD = """# Benchmarks

How fast the item lists answer when a project holds 100,000 items, and proof that the
number of SQL queries per request does not grow with the data.

Reproduce with `make bench` (about twenty-five minutes on two cores; it needs
PostgreSQL's server binaries, which `make test` installs). The script itself takes
`--items N`, `--databases sqlite` and more (`.venv/bin/python scripts/bench.py --help`).
The section between the markers is rewritten by scripts/bench.py on every run; the notes
after it are written by hand.

"""


def write_report(block: str, path: Path = REPORT) -> None:
    """Replace the text between the markers, keeping everything around it."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(REPORT_HEAD)
    write_section(block, BEGIN, END, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000, help="items at full size")
    parser.add_argument(
        "--small", type=int, default=1_000, help="the smaller size whose query counts must match"
    )
    parser.add_argument("--requests", type=int, default=100, help="timed requests per case")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests first")
    parser.add_argument("--databases", default="sqlite,postgres", help="comma-separated")
    parser.add_argument(
        "--cases",
        help="only the cases whose name contains one of these comma-separated words "
        "(e.g. 'assignee'); implies --no-report, since the report shows every case",
    )
    parser.add_argument("--no-report", action="store_true", help="leave docs/benchmarks.md alone")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json-out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args)
    if not 0 < args.small < args.items:
        parser.error("--small must be less than --items")
    if args.cases:
        try:
            select_cases(args.cases)
        except ValueError as exc:
            parser.error(str(exc))
        args.no_report = True
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    unknown = set(databases) - {"sqlite", "postgres"}
    if unknown:
        parser.error(f"unknown database {', '.join(sorted(unknown))}; use sqlite, postgres")
    results = [run_child(database, args) for database in databases]
    given = sys.argv[1:] if argv is None else argv
    command = f"`{' '.join(['.venv/bin/python scripts/bench.py', *given])}`"
    if not given:
        command = f"`make bench`, which runs {command}"
    block = render_report(results, command=command, when=datetime.now(tz=timezone.utc))
    print(block)
    if not args.no_report:
        write_report(block)
        print(f"wrote {REPORT.relative_to(ROOT)}", file=sys.stderr)
    problems = [p for r in results for p in growing_counts(r)]
    for line in [p for r in results for p in missed_targets(r)]:
        print(f"target missed: {line}", file=sys.stderr)
    if problems:
        print("query counts grow with the data (N+1):", *problems, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
