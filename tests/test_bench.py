"""The benchmark's core runs end to end at a small size: every case answers, is timed and
counted, and no case's query count grows with the data (`make bench` runs it at 100,000)."""

from __future__ import annotations

import importlib.util
import sys
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    # scripts/ is not a package: its modules import each other as `python scripts/x.py`
    # lets them. The module goes into sys.modules before it runs, since dataclasses look
    # their module up there.
    if str(ROOT / "scripts") not in sys.path:
        sys.path.insert(0, str(ROOT / "scripts"))
    spec = importlib.util.spec_from_file_location("opsloop_bench", ROOT / "scripts" / "bench.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db
def test_every_case_runs_and_query_counts_do_not_grow(bench: ModuleType) -> None:
    result = bench.run_benchmark(sizes=(250, 500), requests=3, warmup=1)
    names = [case["name"] for case in result["cases"]]
    assert names == [case.name for case in bench.CASES]
    assert {case.kind for case in bench.CASES} == {"api", "page", "board"}
    for case in result["cases"]:
        assert case["queries"]["250"] == case["queries"]["500"], case
        assert 0 < case["p50_ms"] <= case["p95_ms"] <= case["max_ms"], case
        assert case["rows"] > 0, case
        if case["deep"] and case["filter"] == "no filter":
            # The last full page, since 500 items have fewer than bench.DEEP_PAGE pages.
            assert case["page"] == 500 // bench.PER_PAGE, case
    assert bench.growing_counts(result) == []

    report = bench.render_report(
        [result, result], command="`make bench`", when=datetime.now(tz=timezone.utc)
    )
    for name in names:
        assert f"| {name} |" in report
    assert "### Side by side" in report and "queries at 500" in report


def test_report_is_written_between_markers(bench: ModuleType, tmp_path: Path) -> None:
    report = tmp_path / "benchmarks.md"
    bench.write_report("first figures", report)
    text = report.read_text()
    assert text.startswith("# Benchmarks") and "first figures" in text
    report.write_text(text + "\n## Notes written by hand\n")
    bench.write_report("second figures", report)
    text = report.read_text()
    assert "second figures" in text and "first figures" not in text
    assert text.endswith("## Notes written by hand\n")


def test_percentile_is_nearest_rank(bench: ModuleType) -> None:
    samples = [float(n) for n in range(1, 101)]
    assert bench.percentile(samples, 50) == 50.0
    assert bench.percentile(samples, 95) == 95.0
    assert bench.percentile([7.0], 95) == 7.0


# --- scripts/bench_dashboards.py at a tiny size, in process


@pytest.fixture
def bench_dashboards() -> ModuleType:
    if str(ROOT / "scripts") not in sys.path:
        sys.path.insert(0, str(ROOT / "scripts"))
    path = ROOT / "scripts" / "bench_dashboards.py"
    spec = importlib.util.spec_from_file_location("opsloop_bench_dashboards", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_dashboard_benchmark_draws_every_tile_cold_then_warm(
    bench_dashboards: ModuleType, settings, tmp_path, owner, workspace
) -> None:
    # The same board and visits as the 10,000,000-event run, over 3,000 events, through
    # the test Client one request at a time instead of `opsloop run`.
    import datetime as dt

    from django.test import Client

    from opsloop.core.models import User
    from opsloop.events.generate import generate
    from tests.conftest import membership_of

    settings.DATA_DIR = tmp_path
    settings.EVENTS_BACKEND = "duckdb"
    settings.INSIGHTS_PERSONS_TTL = 0
    last = dt.date(2026, 11, 30)
    made = generate(workspace=workspace, events=3000, persons=300, days=90, seed=7, end=last)
    owner_ms = membership_of(owner, workspace)
    board = bench_dashboards.prepare_board(owner_ms, made.first_day, made.last_day)
    assert len(board.tiles) == 12
    labels = list(board.tiles.values())
    assert labels.count("kpi") == 2 and "insight: trends by utm_source" in labels
    assert bench_dashboards.prepare_board(owner_ms, made.first_day, made.last_day) == board

    client = Client()
    client.force_login(User.objects.get(pk=board.viewer_id))

    def get(path: str, htmx: bool) -> tuple[int, str]:
        response = client.get(path, headers={"HX-Request": "true"} if htmx else {})
        return response.status_code, response.content.decode()

    cold = bench_dashboards.visit(get, board.path, 1)
    bench_dashboards.check_drawn(board, cold)
    assert cold.fetched == 6 and cold.total_ms >= cold.page_ms + sum(cold.tiles_ms.values())
    warm = bench_dashboards.visit(get, board.path, 1)
    bench_dashboards.check_drawn(board, warm)
    assert warm.fetched == 0

    # Cached until new events arrive: a few more events and the insights run again.
    generate(workspace=workspace, events=20, persons=5, days=1, seed=8, end=last)
    again = bench_dashboards.visit(get, board.path, 1)
    bench_dashboards.check_drawn(board, again)
    assert again.fetched == 6

    engine = bench_dashboards.engine_alone(board)
    assert sorted(engine) == sorted(cold.tiles_ms)
    result = {
        "cold": [cold],
        "serial": [again],
        "warm": [warm],
        "engine": [engine],
        "loads": [0.5, 0.7],
    }
    section = bench_dashboards.render(
        command="`make bench`",
        data={"events": 3000, "persons": 300, "first_day": "2026-09-02", "last_day": "2026-11-30"},
        board=board,
        result=result,
        connections=6,
    )
    assert "| cold: the page and every tile (6 at a time) |" in section
    assert "| warm: the page with every tile |" in section and "| 2,000 ms |" in section
    assert section.count("| insight: ") == 6
