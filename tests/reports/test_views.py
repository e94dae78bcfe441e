"""The report pages without a browser: making a template and its blocks, drafting now,
the writer's text and preview, the archive's search, and the Markdown download."""

from __future__ import annotations

import datetime as dt

from opsloop.reports.models import Report, ReportTemplate
from tests.reports.conftest import at, client_of


def test_a_template_is_made_and_drafted_from_the_pages(world):
    client = client_of(world.owner_ms.user)
    made = client.post("/w/acme/reports/", {"name": "月度运营复盘", "schedule": "monthly",
                                            "day": "1", "hour": "10", "starter": "weekly"})  # fmt: skip
    template = ReportTemplate.objects.get(name="月度运营复盘")
    assert made.status_code == 302 and made["Location"].endswith(f"/templates/{template.pk}/")
    assert [b["kind"] for b in template.blocks] == ["heading", "text", "decisions"]
    url = f"/w/acme/reports/templates/{template.pk}/"
    added = client.post(url, {"op": "add_block", "kind": "kpi", "kpi_id": str(world.fans.pk)})
    assert added.status_code == 302
    template.refresh_from_db()
    assert template.blocks[-1] == {"kind": "kpi", "title": "", "kpi_id": world.fans.pk}
    refused = client.post(url, {"op": "add_block", "kind": "kpi", "kpi_id": "987654"})
    assert refused.status_code == 400 and 'data-testid="error"' in refused.content.decode()
    with at(dt.date(2026, 4, 1)):
        drafted = client.post(url, {"op": "draft", "period_kind": "month",
                                    "period_start": "2026-03-01"})  # fmt: skip
    report = Report.objects.get(template=template)
    assert drafted["Location"].endswith(f"/reports/{report.pk}/")
    page = client.get(f"/w/acme/reports/{report.pk}/").content.decode()
    assert "月度运营复盘 2026-03" in page and 'data-testid="text-editor"' in page
    assert "<svg" in page  # the KPI's chart, drawn on the server


def test_the_writer_writes_and_previews_and_readers_download(world):
    client = client_of(world.owner_ms.user)
    with at(dt.date(2026, 3, 9), 9):
        client.post(f"/w/acme/reports/templates/{world.template.pk}/",
                    {"op": "draft", "period_kind": "week", "period_start": "2026-03-02"})  # fmt: skip
    report = Report.objects.get(template=world.template)
    preview = client.post("/w/acme/reports/preview/", {"markdown": "**涨粉** <script>x</script>"})
    assert preview.status_code == 200
    assert "<strong>涨粉</strong>" in preview.content.decode()
    assert "<script>" not in preview.content.decode()
    saved = client.post(f"/w/acme/reports/{report.pk}/",
                        {"op": "edit_text", "index": "1", "markdown": "本周：**涨粉 25%**"})  # fmt: skip
    assert saved.status_code == 302
    reader = client_of(world.member)
    assert reader.post(f"/w/acme/reports/{report.pk}/",
                       {"op": "edit_text", "index": "1", "markdown": "x"}).status_code == 403  # fmt: skip
    download = reader.get(f"/w/acme/reports/{report.pk}/report.md")
    assert download["Content-Disposition"].startswith("attachment;")
    assert "本周：**涨粉 25%**" in download.content.decode()
    found = reader.get("/w/acme/reports/?q=涨粉").content.decode()
    assert "运营周报 2026-W10" in found
    assert "运营周报 2026-W10" not in reader.get("/w/acme/reports/?q=没有").content.decode()
