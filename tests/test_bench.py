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
