"""Exports of a report: a PDF laid out on the server (read back with poppler: its text
in Chinese, its chart embedded as an image, A4 pages with numbers) and a workbook (read
back with openpyxl: a sheet per table, numbers as numbers). Over the week of known
numbers (tests/reports/conftest.py): 公众号粉丝 1,250 against 1,000 (+250, +25%), 成交额
GMV 60,000 against 80,000 (-20,000, -25%)."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess

import pytest
from django.utils import translation

from opsloop.reports import actions, export
from opsloop.reports.periods import week_of
from tests.conftest import ApiClient, add_member
from tests.reports.conftest import WEEK, at, client_of

POPPLER = shutil.which("pdftotext") and shutil.which("pdftoppm") and shutil.which("pdfimages")
needs_poppler = pytest.mark.skipif(
    not POPPLER, reason="poppler-utils missing: run scripts/ensure_system_deps.sh"
)


def _draft(world, language: str = "zh-hans"):
    with at(dt.date(2026, 3, 9), 9), translation.override(language):
        report, _made = actions.do_draft_report(
            template=world.template, period=week_of(WEEK), actor=world.owner_ms
        )
    return report


def _poppler(tool: str, *args: str, data: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    done = subprocess.run(
        [tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])],
        capture_output=True, check=True, timeout=60,
    )  # fmt: skip
    return done.stdout.decode()


@needs_poppler
def test_the_pdf_holds_the_chinese_text_the_numbers_and_the_chart(world, tmp_path):
    report = _draft(world)
    with translation.override("zh-hans"):
        pdf = export.report_pdf(report)
    assert pdf.startswith(b"%PDF-")
    text = _poppler("pdftotext", "-layout", data=pdf, tmp_path=tmp_path)
    assert "运营周报 2026-W10" in text  # the title
    assert "2026-03-02 – 2026-03-08" in text  # the period
    assert "公众号粉丝" in text and "成交额 GMV" in text
    assert "主会场预算追加 2 万" in text  # the meeting's decision of the week
    assert "主会场海报" in text  # done this week (project progress)
    # The numbers table, as shown: this period, the previous, the change, in percent.
    numbers_line = next(line for line in text.splitlines() if "成交额 GMV" in line and "元" in line)
    assert numbers_line.split()[-4:] == ["60,000", "80,000", "-20,000", "-25%"]
    assert re.search(r"\b1\s*/\s*2\b", text) and re.search(r"\b2\s*/\s*2\b", text)  # pages
    # The KPI block's chart is an image in the PDF; the numbers table has none.
    images = _poppler("pdfimages", "-list", data=pdf, tmp_path=tmp_path).splitlines()[2:]
    assert len(images) == 1
    assert images[0].split()[3:5] == ["640", "240"]
    fonts = _poppler("pdffonts", data=pdf, tmp_path=tmp_path)
    assert "CJK" in fonts or "WenQuanYi" in fonts or "Micro" in fonts


@needs_poppler
def test_the_pdf_renders_to_a4_pages_with_the_chart_drawn(world, tmp_path):
    from PIL import Image

    pdf = export.report_pdf(_draft(world))
    (tmp_path / "report.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "36", "-png", "-f", "1", "-l", "1", str(tmp_path / "report.pdf"),
         str(tmp_path / "page")],
        check=True, timeout=60,
    )  # fmt: skip
    page = Image.open(next(tmp_path.glob("page*.png"))).convert("RGB")
    # A4 at 36 dpi: 8.27 × 11.69 inches.
    assert page.size == (298, 421)
    # The KPI's line, in the first series' blue (#2f6fed), is drawn somewhere on it.
    blue = [
        p
        for p in page.get_flattened_data()
        if abs(p[0] - 0x2F) < 40 and abs(p[1] - 0x6F) < 40 and p[2] > 200
    ]
    assert len(blue) > 5


@needs_poppler
def test_the_pdf_fetches_nothing_a_writer_points_at(world, tmp_path):
    """An image in the writer's Markdown, on the server's disk or elsewhere, is not
    loaded: only the report's own charts are in the PDF."""
    from opsloop.reports.charts import chart_png

    picture = tmp_path / "secret.png"
    picture.write_bytes(
        chart_png({"type": "bar", "x": ["a"], "series": [{"name": "n", "data": [1]}]})
    )
    report = _draft(world)
    markdown = f"![disk](file://{picture}) ![net](http://127.0.0.1:9/x.png)"
    actions.do_edit_text(actor=world.owner_ms, report=report, index=1, markdown=markdown)
    pdf = export.report_pdf(report)
    images = _poppler("pdfimages", "-list", data=pdf, tmp_path=tmp_path).splitlines()[2:]
    assert len(images) == 1  # the KPI's chart alone


def test_the_workbook_has_a_sheet_per_table_with_numbers_as_numbers(world):
    from openpyxl import load_workbook

    report = _draft(world, "en")
    with translation.override("en"):
        book = load_workbook(io.BytesIO(export.report_xlsx(report)))
    assert book.sheetnames[0] == "Summary"
    # The KPI, the numbers, the project's progress and the decisions: one sheet each.
    assert len(book.sheetnames) == 5
    summary = book["Summary"]
    assert summary["A1"].value == report.title
    assert summary["B2"].value == "2026-03-02 – 2026-03-08"
    texts = [row[1] for row in summary.iter_rows(values_only=True) if len(row) > 1]
    assert "本周（2026-03-02 至 2026-03-08）要点：……" in texts
    numbers = book["Numbers table"]
    rows = list(numbers.iter_rows(values_only=True))
    assert rows[0] == (
        "Metric", "Unit", "This period", "Previous period", "Change", "Change in percent"
    )  # fmt: skip
    assert rows[1] == ("公众号粉丝", "人", 1250, 1000, 250, 0.25)
    assert rows[2] == ("成交额 GMV", "元", 60000, 80000, -20000, -0.25)
    assert all(isinstance(v, int | float) for v in rows[2][2:])
    assert numbers["F2"].number_format.startswith("+0.0%")
    decisions = book["Decisions of the period"]
    first = next(decisions.iter_rows(min_row=2, values_only=True))
    assert first[0] == dt.datetime(2026, 3, 4, tzinfo=None)  # noqa: DTZ001 (a date, not text)
    assert first[2] == "主会场预算追加 2 万"


def test_the_workbook_headers_are_in_the_reports_language(world):
    from openpyxl import load_workbook

    report = _draft(world, "zh-hans")
    with translation.override("zh-hans"):
        book = load_workbook(io.BytesIO(export.report_xlsx(report)))
    numbers = book[book.sheetnames[2]]
    header = [c.value for c in numbers[1]]
    assert header == ["指标", "单位", "本周期", "上一周期", "变化", "变化率"]


@needs_poppler
def test_the_pages_and_the_api_download_both_files_for_those_who_read_it(world):
    report = _draft(world)
    slug = world.owner_ms.workspace.slug
    owner = client_of(world.owner_ms.user)
    page = owner.get(f"/w/{slug}/reports/{report.pk}/")
    assert f"/w/{slug}/reports/{report.pk}/report.pdf" in page.content.decode()
    pdf = owner.get(f"/w/{slug}/reports/{report.pk}/report.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert f'filename="report-{report.pk}-2026-03-02.pdf"' in pdf["Content-Disposition"]
    xlsx = owner.get(f"/w/{slug}/reports/{report.pk}/report.xlsx")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    api = ApiClient(world.owner_ms.user)
    got = api.get(f"/api/v1/workspaces/{slug}/reports/{report.pk}/pdf")
    assert got.status_code == 200 and got.content.startswith(b"%PDF-")
    got = api.get(f"/api/v1/workspaces/{slug}/reports/{report.pk}/xlsx")
    assert got.status_code == 200 and got["Content-Type"] == export.XLSX_TYPE
    # A guest does not see a draft, nor its files.
    guest = add_member(world.owner_ms.workspace, "guest1", "guest")
    assert client_of(guest).get(f"/w/{slug}/reports/{report.pk}/report.pdf").status_code == 404


@needs_poppler
def test_a_title_with_quotes_and_markup_is_set_as_written(world, tmp_path):
    report = _draft(world)
    report.title = '周报 "A&B" </style><b>'
    text = _poppler("pdftotext", data=export.report_pdf(report), tmp_path=tmp_path)
    # The heading, and the running title of both pages.
    assert text.count('周报 "A&B" </style><b>') == 3
