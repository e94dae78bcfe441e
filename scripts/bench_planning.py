"""Server-side time of the timeline at 5,000 items and 5,000 dependencies: `make bench`.

    .venv/bin/python scripts/bench_planning.py [--items 5000] [--links 5000] [--requests 20]

Loads one project of --items items with dates and --links "blocks" dependencies (each from
an earlier item to a later one, so there is no cycle) into a fresh SQLite database in a
temporary OPSLOOP_DATA_DIR, then measures in process with Django's test Client (middleware,
auth, view, template and JSON; no socket) the median and p95 of the timeline API, the
timeline page and the calendar page, (their query counts are pinned by tests/planning). The rows are bulk
inserted: making 5,000 items one by one through the actions would take minutes and
measure nothing the timeline does. The figures go to docs/benchmarks.md between the
bench-planning markers (--no-report leaves the file alone) and to standard output.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "benchmarks.md"
BEGIN = "<!-- bench-planning:begin -->"
END = "<!-- bench-planning:end -->"
TARGET_MS = 1000.0
SEED = 20261111


def load(items: int, links: int):
    from opsloop.core import actions as core_actions
    from opsloop.core.models import Membership
    from opsloop.planning.models import Dependency, Milestone
    from opsloop.work import actions as work_actions
    from opsloop.work.models import Item, State
    from opsloop.work.schemas import ProjectIn

    rng = random.Random(SEED)
    lead = core_actions.do_signup(username="lead", email="lead@example.com", password="x" * 12)
    workspace = core_actions.do_create_workspace(actor=lead, slug="bench", name="Bench")
    ms = Membership.objects.select_related("workspace", "user").get(user=lead)
    project = work_actions.do_create_project(actor=ms, data=ProjectIn(name="大促", key="BIG"))
    states = list(State.objects.filter(project=project))
    start = date(2026, 9, 1)
    rows = []
    for n in range(1, items + 1):
        first = start + timedelta(days=rng.randrange(150))
        rows.append(
            Item(
                workspace=workspace,
                project=project,
                number=n,
                title=f"任务 {n}",
                state=rng.choice(states),
                start_date=first,
                due_date=first + timedelta(days=rng.randrange(10)),
                sort_order=n * 1024.0,
                created_by=lead,
            )
        )
    made = Item.objects.bulk_create(rows, batch_size=1000)
    ids = [i.pk for i in made]
    for user_item in made[::3]:
        user_item.assignees.add(lead)
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < links:
        a, b = sorted(rng.sample(range(len(ids)), 2))
        pairs.add((ids[a], ids[b]))
    Dependency.objects.bulk_create(
        [Dependency(workspace=workspace, source_id=s, target_id=t) for s, t in pairs],
        batch_size=1000,
    )
    for k in range(10):
        milestone = Milestone.objects.create(
            workspace=workspace, project=project, name=f"M{k}", date=start + timedelta(days=15 * k)
        )
        milestone.items.set(ids[k * 50 : k * 50 + 50])
    return lead


def measure(client, url: str, requests: int) -> dict:
    response = client.get(url)  # warm up
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(requests):
        t0 = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {
        "median": statistics.median(times),
        "p95": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
        "bytes": len(response.content),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--links", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--no-report", action="store_true")
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="opsloop-bench-planning-")
    os.environ["OPSLOOP_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsloop.settings")
    os.environ["OPSLOOP_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ.setdefault("OPSLOOP_LOG_LEVEL", "WARNING")
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0, interactive=False)
    lead = load(args.items, args.links)
    client = Client()
    client.force_login(lead)
    cases = {
        "timeline API": "/api/v1/workspaces/bench/projects/BIG/timeline",
        "timeline page": "/w/bench/p/BIG/timeline/",
        "calendar page": "/w/bench/p/BIG/calendar/?date=2026-11-01",
    }
    results = {name: measure(client, url, args.requests) for name, url in cases.items()}
    command = (
        f".venv/bin/python scripts/bench_planning.py --items {args.items} "
        f"--links {args.links} --requests {args.requests}"
    )
    lines = [
        BEGIN,
        "",
        f"### Timeline at {args.items:,} items and {args.links:,} dependencies (SQLite)",
        "",
        f"Reproduce: `{command}` ({platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} CPUs). Target: under "
        f"{TARGET_MS:.0f} ms server-side.",
        "",
        "| case | median ms | p95 ms | bytes |",
        "|---|---:|---:|---:|",
    ]
    for name, r in results.items():
        lines.append(f"| {name} | {r['median']:.0f} | {r['p95']:.0f} | {r['bytes']:,} |")
    lines += ["", END]
    section = "\n".join(lines)
    print(section)
    missed = [n for n, r in results.items() if r["p95"] > TARGET_MS]
    if missed:
        print(f"missed the {TARGET_MS:.0f} ms target: {', '.join(missed)}", file=sys.stderr)
    if not args.no_report:
        text = REPORT.read_text()
        if BEGIN in text and END in text:
            text = text[: text.index(BEGIN)] + section + text[text.index(END) + len(END) :]
        else:
            text = text.rstrip("\n") + "\n\n## Planning\n\n" + section + "\n"
        REPORT.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
