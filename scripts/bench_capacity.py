"""How fast workload computes for 50 people x 12 weeks with about 2,000 open items: `make bench`.

    .venv/bin/python scripts/bench_capacity.py [--people 50] [--items 2000] [--requests 50]

Loads a workspace of --people members (each with skills and a capacity) and --items open
items spread over four projects, dated over the coming twelve weeks (a tenth without
dates), each assigned to one to three people, into a fresh SQLite database in a temporary
OPSLOOP_DATA_DIR. Then it times, --requests times after a warm-up: the workload
computation itself (opsloop.capacity.queries.workload), the workload API and the workload
page through Django's test Client (middleware, auth, view, JSON or template), and the
assignment suggestions of one item. It counts the queries of each, which must not grow
with the data. The figures go to docs/benchmarks.md between the bench-capacity markers
(--no-report leaves the file alone) and to standard output.
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
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from benchreport import write_section

ROOT = Path(__file__).resolve().parent.parent
BEGIN = "<!-- bench-capacity:begin -->"
END = "<!-- bench-capacity:end -->"
TARGET_MS = 200.0
SKILLS = ["文案", "设计", "投放", "数据", "社群"]
SEED = 20261111


def load(people: int, items: int) -> dict:
    """Members, skills, projects and open items; bulk-loaded where actions would be slow."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone as dj_timezone

    from opsloop.capacity import actions as capacity_actions
    from opsloop.capacity.schemas import ProfilePatch, SkillIn
    from opsloop.core import actions as core_actions
    from opsloop.core.models import Membership, Role, User
    from opsloop.work import actions as work_actions
    from opsloop.work.models import Item, Label, State
    from opsloop.work.schemas import ItemIn, LabelIn, ProjectIn

    rng = random.Random(SEED)
    unusable = make_password(None)
    users = User.objects.bulk_create(
        [
            User(username=f"p{n:03d}", display_name=f"同事{n:03d}", password=unusable)
            for n in range(people)
        ]
    )
    lead = users[0]
    workspace = core_actions.do_create_workspace(actor=lead, slug="bench", name="压测")
    Membership.objects.bulk_create(
        [Membership(workspace=workspace, user=u, role=Role.MEMBER) for u in users[1:]]
    )
    lead_ms = Membership.objects.select_related("workspace", "user").get(user=lead)
    skills = [capacity_actions.do_create_skill(actor=lead_ms, data=SkillIn(name=s)) for s in SKILLS]
    for label in SKILLS:
        work_actions.do_create_label(actor=lead_ms, data=LabelIn(name=label))
    labels = list(Label.objects.filter(workspace=workspace))
    for m in Membership.objects.filter(workspace=workspace):
        capacity_actions.do_update_profile(
            actor=lead_ms,
            member=m,
            data=ProfilePatch(
                weekly_capacity=rng.choice([20, 32, 40, 40, 40]),
                skill_ids=[s.pk for s in rng.sample(skills, rng.randint(1, 3))],
            ),
        )
    projects = [
        work_actions.do_create_project(actor=lead_ms, data=ProjectIn(name=f"项目{k}", key=f"P{k}"))
        for k in range(4)
    ]
    today = dj_timezone.localdate()
    per_project = items // len(projects)
    for project in projects:
        state = State.objects.filter(project=project, group="todo").first()
        start = project.item_counter
        rows = []
        for n in range(per_project):
            begin = today + timedelta(days=rng.randint(-7, 80))
            dated = rng.random() > 0.1
            rows.append(
                Item(
                    workspace=workspace,
                    project=project,
                    number=start + n + 1,
                    title=f"任务 {n}",
                    state=state,
                    start_date=begin if dated and rng.random() > 0.3 else None,
                    due_date=begin + timedelta(days=rng.randint(0, 15)) if dated else None,
                    estimate_hours=rng.choice([2, 4, 6, 8, 12, 16, 24]),
                    sort_order=n,
                    created_by=lead,
                )
            )
        made = Item.objects.bulk_create(rows)
        project.item_counter = start + per_project
        project.save(update_fields=["item_counter"])
        Item.assignees.through.objects.bulk_create(
            [
                Item.assignees.through(item_id=item.pk, user_id=u.pk, project_id=project.pk)
                for item in made
                for u in rng.sample(users, rng.randint(1, 3))
            ]
        )
        Item.labels.through.objects.bulk_create(
            [Item.labels.through(item_id=item.pk, label_id=rng.choice(labels).pk) for item in made]
        )
    item = work_actions.do_create_item(
        actor=lead_ms,
        project=projects[0],
        data=ItemIn(title="新海报", label_ids=[labels[1].pk], due_date=today + timedelta(days=10)),
    )
    return {"lead": lead, "lead_ms": lead_ms, "item": item}


def timed(fn: Callable[[], object], requests: int, warmup: int = 3) -> dict:
    from django.db import connection

    for _ in range(warmup):
        fn()
    # Counted at the cursor: a request resets the connection's own query log as it starts.
    seen: list[str] = []

    def count(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        fn()
    samples = []
    for _ in range(requests):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, max(0, round(0.95 * len(samples)) - 1))]
    return {
        "p50": statistics.median(samples),
        "p95": p95,
        "queries": len(seen),
    }


def run(people: int, items: int, requests: int) -> list[tuple[str, dict]]:
    from django.test import Client

    from opsloop.capacity import queries
    from opsloop.work.queries import access_item

    fx = load(people, items)
    client = Client()
    client.force_login(fx["lead"])
    filters = queries.parse_workload_filters({})
    found = queries.workload(fx["lead_ms"], filters)
    assert len(found.rows) == people and len(found.weeks) == 12
    item = access_item(fx["lead"], "bench", fx["item"].ref).item

    def api() -> None:
        assert client.get("/api/v1/workspaces/bench/workload").status_code == 200

    def page() -> None:
        assert client.get("/w/bench/workload/").status_code == 200

    return [
        (
            "workload computed (queries.workload)",
            timed(lambda: queries.workload(fx["lead_ms"], filters), requests),
        ),
        ("workload API", timed(api, requests)),
        ("workload page", timed(page, requests)),
        (
            "suggestions for one item",
            timed(lambda: queries.suggestions(fx["lead_ms"], item), requests),
        ),
    ]


def render(results: list[tuple[str, dict]], *, people: int, items: int, requests: int) -> str:
    import django

    when = datetime.now(tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "## Workload",
        "",
        f"Run of {when}, with `make bench`, which runs `.venv/bin/python scripts/bench_capacity.py`.",
        f"{people} people x 12 weeks, {items:,} open items in four projects (a tenth undated), "
        f"one to three assignees each; SQLite, Python {platform.python_version()}, "
        f"Django {django.get_version()}. {requests} timed runs per case after warm-up, "
        "one at a time, in process (the API and page through Django's test Client).",
        "",
        "| case | p50 ms | p95 ms | p95 target | queries |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, r in results:
        target = f"< {TARGET_MS:.0f}" if name.startswith("workload computed") else "—"
        missed = (
            " **missed**" if name.startswith("workload computed") and r["p95"] > TARGET_MS else ""
        )
        lines.append(
            f"| {name} | {r['p50']:.1f} | {r['p95']:.1f}{missed} | {target} | {r['queries']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--no-report", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="opsloop-bench-capacity-") as tmp:
        os.environ["OPSLOOP_DATA_DIR"] = tmp
        os.environ.pop("DATABASE_URL", None)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsloop.settings")
        os.environ["OPSLOOP_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
        os.environ.setdefault("OPSLOOP_LOG_LEVEL", "WARNING")
        os.environ["OPSLOOP_DEBUG"] = "0"
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        results = run(args.people, args.items, args.requests)
    block = render(results, people=args.people, items=args.items, requests=args.requests)
    print(block)
    if not args.no_report:
        write_section(block, BEGIN, END)
    return 0


if __name__ == "__main__":
    sys.exit(main())
