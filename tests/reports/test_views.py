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


def test_a_blocks_settings_are_changed_on_the_template_page(world):
    """Each block has its form, filled in: a numbers row that stays keeps its label, an
    items block takes a saved view, and nothing the writer cannot see is accepted."""
    from opsloop.work import actions as work_actions
    from opsloop.work.schemas import SavedViewIn

    client = client_of(world.owner_ms.user)
    template = world.template
    labelled = [dict(template.blocks[3]["rows"][0], label="粉丝数"), template.blocks[3]["rows"][1]]
    template.blocks[3]["rows"] = labelled
    template.save(update_fields=["blocks"])
    url = f"/w/acme/reports/templates/{template.pk}/"
    page = client.get(url).content.decode()
    assert page.count('data-testid="edit-block-form"') == len(template.blocks)
    assert "本周（{start} 至 {end}）要点：……</textarea>" in page  # the text block, filled in
    assert ">boss@partner.example</textarea>" in page  # the outside addresses, one a line

    # Numbers: GMV dropped, fans kept with its label, the insight-less choice stays empty.
    saved = client.post(url, {"op": "edit_block", "index": "3", "title": "核心数字",
                              "number_kpi_ids": [str(world.fans.pk)]})  # fmt: skip
    assert saved.status_code == 302
    template.refresh_from_db()
    assert template.blocks[3] == {"kind": "numbers", "title": "核心数字",
                                  "rows": [{"kpi_id": world.fans.pk, "label": "粉丝数",
                                            "insight_id": None, "series": 0}]}  # fmt: skip

    # The kind is the block's, whatever the form says; a heading's text is changed.
    client.post(url, {"op": "edit_block", "index": "0", "kind": "kpi", "text": "{team} 周报"})
    template.refresh_from_db()
    assert template.blocks[0] == {"kind": "heading", "title": "", "text": "{team} 周报"}

    view = work_actions.do_create_view(
        actor=world.owner_ms, project=world.project,
        data=SavedViewIn(name="待办高优", query="priority=high", shared=True),
    )  # fmt: skip
    client.post(url, {"op": "add_block", "kind": "items", "project_id": str(world.project.pk)})
    index = len(template.blocks)
    assert f"{world.project.key} · 待办高优" in client.get(url).content.decode()
    client.post(url, {"op": "edit_block", "index": str(index), "project_id": str(world.project.pk),
                      "saved_view_id": str(view.pk), "limit": "5"})  # fmt: skip
    template.refresh_from_db()
    assert template.blocks[index]["saved_view_id"] == view.pk
    assert template.blocks[index]["limit"] == 5

    refused = client.post(url, {"op": "edit_block", "index": "2", "kpi_id": "987654"})
    assert refused.status_code == 400
    missing = client.post(url, {"op": "edit_block", "index": "99", "title": "x"})
    assert missing.status_code == 400
    template.refresh_from_db()
    assert template.blocks[2]["kpi_id"] == world.fans.pk  # nothing half-written
