"""docs/benchmarks.md, shared by the `make bench` scripts: each owns the text between its
own pair of markers and leaves everything around them (the hand-written notes) alone."""

from __future__ import annotations

from pathlib import Path

REPORT = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def write_section(block: str, begin: str, end: str, path: Path = REPORT) -> None:
    """Put `block` between the markers, adding them at the end when they are missing."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if begin not in text or end not in text:
        text = f"{text.rstrip()}\n\n{begin}\n{end}\n"
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{head}{begin}\n{block.strip()}\n{end}{tail}")
