"""A report exported as a file: PDF (laid out on the server by WeasyPrint, with its
charts and the system's CJK fonts) and XLSX (openpyxl: a summary sheet, then a sheet per
table, numbers as numbers). Both are made from the frozen blocks alone
(render.rendered_blocks), so an export of a report never changes either.

The PDF is HTML laid out on A4 with page numbers; its charts are the PNGs that
opsloop/reports/charts.py draws for the email (the plot) with the legend and the axes'
ranges written under them, so the words are text in the PDF. WeasyPrint is handed a URL
fetcher that loads nothing but the data: URLs of those charts: a writer's Markdown may
hold an image address, and the server must not fetch it (nor a file of its disk)."""

from __future__ import annotations

import base64
import datetime as dt
import io
import logging
import re
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from opsloop.core.errors import Invalid
from opsloop.reports import charts, render
from opsloop.reports.models import Report

# The PDF's layout, a stylesheet of its own (no <style> in any template: the CSP test).
STYLESHEET = Path(__file__).parent / "templates" / "reports" / "export" / "report_pdf.css"

PDF_TYPE = "application/pdf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def filename(report: Report, extension: str) -> str:
    """report-12-2026-03-02.pdf: ASCII, so every browser keeps it."""
    return f"report-{report.pk}-{report.period_start.isoformat()}.{extension}"


def _scope(report: Report) -> str:
    if report.project is not None:
        return f"{report.project.key} {report.project.name}"
    return report.workspace.name


def _chart_context(block: render.RenderedBlock) -> dict[str, Any] | None:
    png = block.chart_png
    if not png or block.chart is None:
        return None
    low, high, _step = charts.scale(block.chart)
    series = block.chart["series"]
    return {
        "src": "data:image/png;base64," + base64.b64encode(png).decode("ascii"),
        "legend": [
            (charts.COLORS[i % len(charts.COLORS)], str(s.get("name", ""))[:60])
            for i, s in enumerate(series[:7])
        ],
        "first": block.chart["x"][0],
        "last": block.chart["x"][-1],
        "low": render.cell_text(low, "number"),
        "high": render.cell_text(high, "number"),
    }


def report_html(report: Report) -> str:
    """The HTML that the PDF is laid out from."""
    blocks = render.rendered_blocks(report)
    shown = {b.index: c for b in blocks if (c := _chart_context(b)) is not None}
    context = {
        "report": report,
        "blocks": blocks,
        "charts": shown,
        "scope": _scope(report),
        "numeric": render.NUMERIC,
        "language": translation.get_language() or "en",
    }
    return render_to_string("reports/export/report_pdf.html", context)


def report_pdf(report: Report) -> bytes:
    """The report as an A4 PDF."""
    try:
        # Loaded here: WeasyPrint needs Pango from the system, and opsloop without it
        # still runs (only this export says why it cannot).
        from weasyprint import CSS, HTML
    except OSError as exc:  # pragma: no cover - a machine without Pango
        raise Invalid(
            _("PDF export is not available on this server (%(why)s).") % {"why": exc}
        ) from None
    from weasyprint.urls import URLFetcher

    # Its progress steps (INFO) are noise in a server's log.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

    # data: alone (the charts); http, file and the rest are refused.
    fetcher = URLFetcher(allowed_protocols={"data"}, allow_redirects=False, timeout=1)
    document = HTML(string=report_html(report), url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[CSS(string=STYLESHEET.read_text("utf-8"))]) or b""


# --- XLSX

SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(title: str, taken: set[str]) -> str:
    """A name Excel takes: 31 characters at most, none of []:*?/\\, unique."""
    base = SHEET_NAME.sub(" ", title).strip().strip("'")[:31] or _("Table")
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def _xlsx_cell(value: Any, kind: str) -> tuple[Any, str | None]:
    """(the value to write, its number format): numbers as numbers, percents as
    fractions shown in percent, ISO dates as dates."""
    if value is None or value == "":
        return None, None
    if isinstance(value, bool):
        return str(value), None
    if isinstance(value, int | float):
        if kind == "percent":
            return value / 100, "0.0%"
        if kind == "change_percent":
            return value / 100, "+0.0%;-0.0%;0.0%"
        if kind == "change":
            return value, "+#,##0.##;-#,##0.##;0"
        return value, "#,##0.##" if isinstance(value, float) else "#,##0"
    if kind == "date" and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10]), "yyyy-mm-dd"
        except ValueError:
            return value, None
    return str(value), None


def report_xlsx(report: Report) -> bytes:
    """The report as a workbook: a summary sheet (title, period, every heading and text,
    and where each table went), then a sheet per block with a table, its headers as the
    report shows them."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    blocks = render.rendered_blocks(report)
    book = Workbook()
    summary = book.active
    assert summary is not None
    taken: set[str] = set()
    summary.title = _sheet_name(_("Summary"), taken)
    bold = Font(bold=True)
    summary.append([report.title])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append(
        [_("Period"), f"{report.period_start.isoformat()} – {report.period_end.isoformat()}"]
    )
    summary.append([_("Scope"), _scope(report)])
    summary.append([_("Status"), str(report.get_status_display())])
    summary.append([])
    summary.column_dimensions["A"].width = 24
    summary.column_dimensions["B"].width = 90
    for block in blocks:
        label = block.markdown if block.is_heading else block.title
        row = [label or block.title]
        if block.is_heading:
            summary.append(row)
            summary.cell(summary.max_row, 1).font = Font(bold=True, size=12)
            continue
        if block.error:
            row.append(block.error)
        elif block.markdown:
            row.append(block.markdown)
        if block.table is not None and not block.error:
            sheet = book.create_sheet(_sheet_name(block.title or _("Table"), taken))
            sheet.append([c.label for c in block.table.columns])
            for cell in sheet[1]:
                cell.font = bold
            for values in block.table.rows:
                cells = []
                formats = []
                for value, column in zip(values, block.table.columns, strict=False):
                    written, number_format = _xlsx_cell(value, column.type)
                    cells.append(written)
                    formats.append(number_format)
                sheet.append(cells)
                for cell, number_format in zip(sheet[sheet.max_row], formats, strict=False):
                    if number_format:
                        cell.number_format = number_format
            for i, column in enumerate(block.table.columns, start=1):
                letter = sheet.cell(1, i).column_letter
                sheet.column_dimensions[letter].width = 14 if column.type in render.NUMERIC else 28
            sheet.freeze_panes = "A2"
            row.append(_("Table: sheet “%(sheet)s”") % {"sheet": sheet.title})
        summary.append(row)
        summary.cell(summary.max_row, 2).alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
