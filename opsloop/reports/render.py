"""A report's frozen blocks made ready to show: the one place that turns them into
words, HTML, Markdown and charts, for the page, the email and the exports.

`rendered_blocks(report)` is what an exporter reads (a PDF writer, a spreadsheet writer):
each block with its title, its text (Markdown and sanitized HTML), its table (the raw
cells, for numbers as numbers, and the same cells as text) and its chart (the series,
as SVG and as PNG). Nothing here reads live data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from opsloop.core.markdown import escape_markdown, render_markdown
from opsloop.reports import charts
from opsloop.reports.models import Report

NUMERIC = ("number", "percent", "change", "change_percent")


@dataclass(frozen=True)
class Column:
    label: str
    type: str  # text, number, percent, date, change, change_percent


@dataclass(frozen=True)
class Table:
    columns: list[Column]
    rows: list[list[Any]]  # raw cells: str, int, float or None

    @property
    def text_rows(self) -> list[list[str]]:
        """The cells as a reader sees them (1,234.5 · 12.5% · —)."""
        return [
            [cell_text(cell, col.type) for cell, col in zip(row, self.columns, strict=False)]
            for row in self.rows
        ]

    @property
    def aligned_rows(self) -> list[list[tuple[str, bool]]]:
        """The cells as text, each with whether it is a number (set right, in the PDF)."""
        return [
            [
                (cell_text(cell, col.type), col.type in NUMERIC)
                for cell, col in zip(row, self.columns, strict=False)
            ]
            for row in self.rows
        ]


@dataclass(frozen=True)
class RenderedBlock:
    """One block of a report, ready for any output."""

    index: int
    kind: str
    title: str
    markdown: str  # a heading's or text's words, a summary's lines
    html: str  # the Markdown, rendered and sanitized
    table: Table | None
    chart: dict[str, Any] | None  # {"type", "x", "series"}, as frozen
    data: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    computed_at: str = ""

    @property
    def is_heading(self) -> bool:
        return self.kind == "heading"

    @property
    def editable(self) -> bool:
        return self.kind == "text"

    @property
    def computed_label(self) -> str:
        """When it was computed, to the minute, in the install's time zone (2026-03-09
        09:00); stored in UTC."""
        if not self.computed_at:
            return ""
        moment = dt.datetime.fromisoformat(self.computed_at)
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")

    @property
    def chart_svg(self) -> str:
        return charts.chart_svg(self.chart) if self.chart else ""

    @property
    def chart_png(self) -> bytes:
        return charts.chart_png(self.chart) if self.chart else b""


def cell_text(value: Any, kind: str = "text") -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        number = float(value)
        text = f"{number:,.0f}" if number.is_integer() else f"{number:,.2f}".rstrip("0")
        # A change says its direction: +12 and -3.5%.
        sign = "+" if number > 0 and kind in ("change", "change_percent") else ""
        unit = "%" if kind in ("percent", "change_percent") else ""
        return f"{sign}{text}{unit}"
    return str(value)


def _table(frozen: Any) -> Table | None:
    if not isinstance(frozen, dict) or not frozen.get("columns"):
        return None
    columns = [
        Column(str(c.get("label", "")), str(c.get("type", "text"))) for c in frozen["columns"]
    ]
    return Table(columns=columns, rows=[list(row) for row in frozen.get("rows") or []])


def render_block(index: int, block: dict[str, Any]) -> RenderedBlock:
    text = block.get("text") or ""
    return RenderedBlock(
        index=index,
        kind=block.get("kind", ""),
        title=block.get("title") or "",
        markdown=text,
        html=render_markdown(text) if text and block.get("kind") != "heading" else "",
        table=_table(block.get("table")),
        chart=block.get("chart") if charts.drawable(block.get("chart")) else None,
        data=block.get("data") or {},
        error=block.get("error") or "",
        computed_at=block.get("computed_at") or "",
    )


def rendered_blocks(report: Report) -> list[RenderedBlock]:
    """The report's blocks, in order, as frozen: what every output of it is made from."""
    return [render_block(i, block) for i, block in enumerate(report.blocks or [])]


def _md_cell(text: str) -> str:
    return escape_markdown(text).replace("|", "\\|").replace("\n", " ")


def markdown_table(table: Table) -> str:
    head = "| " + " | ".join(_md_cell(c.label) or " " for c in table.columns) + " |"
    rule = "|" + "|".join(" ---: " if c.type in NUMERIC else " --- " for c in table.columns) + "|"
    lines = [head, rule]
    for row in table.text_rows:
        lines.append("| " + " | ".join(_md_cell(cell) for cell in row) + " |")
    return "\n".join(lines)


def report_markdown(report: Report) -> str:
    """The whole report as Markdown: its title and period, then each block (a table for
    each table, a chart's series as a table of their own, since Markdown draws none)."""
    out = [f"# {escape_markdown(report.title)}", ""]
    out.append(
        _("Period: %(start)s – %(end)s") % {
            "start": report.period_start.isoformat(), "end": report.period_end.isoformat(),
        }
    )  # fmt: skip
    for block in rendered_blocks(report):
        out.append("")
        if block.is_heading:
            out.append(f"## {escape_markdown(block.markdown or block.title)}")
            continue
        if block.title and block.kind != "text":
            out.append(f"### {escape_markdown(block.title)}")
            out.append("")
        if block.error:
            out.append(f"> {escape_markdown(block.error)}")
            continue
        if block.markdown:
            # A text block is the writer's own Markdown, kept as written.
            out.append(block.markdown)
            out.append("")
        if block.table is not None:
            out.append(markdown_table(block.table))
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def search_text(title: str, blocks: list[dict[str, Any]]) -> str:
    """What the archive's search reads: the title, the texts and every table cell."""
    parts = [title]
    for block in blocks:
        parts += [block.get("title") or "", block.get("text") or ""]
        table = block.get("table") or {}
        for row in table.get("rows") or []:
            parts += [str(cell) for cell in row if isinstance(cell, str)]
    return "\n".join(p for p in parts if p)[:100_000]
