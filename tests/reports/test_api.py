"""The API of reports end to end: a template, "draft now", writing, review by another
member, publishing, the archive and the Markdown export."""

from __future__ import annotations

import datetime as dt

from tests.conftest import ApiClient
from tests.reports.conftest import at

BASE = "/api/v1/workspaces/acme/reports"


def test_draft_write_review_and_publish_through_the_api(world):
    owner, reviewer = ApiClient(world.owner_ms.user), ApiClient(world.reviewer)
    made = owner.post(
        f"{BASE}/templates",
        {
            "name": "月度运营复盘",
            "schedule": "monthly",
            "day": 1,
            "blocks": [
                {"kind": "text", "markdown": "{period} 复盘"},
                {"kind": "kpi", "kpi_id": world.fans.pk},
            ],
            "reviewer_ids": [world.reviewer.pk],
        },
    )
    assert made.status_code == 201, made.content
    template = made.json()
    assert template["schedule"] == "monthly" and template["reviewer_ids"] == [world.reviewer.pk]
    bad = owner.post(f"{BASE}/templates", {"name": "x", "blocks": [{"kind": "chart"}]})
    assert bad.status_code == 400 and bad.json()["field"].startswith("blocks.0")
    with at(dt.date(2026, 4, 1)):
        drafted = owner.post(
            f"{BASE}/templates/{template['id']}/drafts",
            {"period_kind": "month", "period_start": "2026-03-01"},
        )
    assert drafted.status_code == 201, drafted.content
    report = drafted.json()
    assert report["blocks"][0]["text"] == "2026-03 复盘"
    kpi = report["blocks"][1]["data"]
    # March's last value is 5,000 (10 March); February's is 900 (22 February).
    assert (kpi["value"], kpi["previous"], kpi["change"]) == (5000.0, 900.0, 4100.0)
    again = owner.post(
        f"{BASE}/templates/{template['id']}/drafts",
        {"period_kind": "month", "period_start": "2026-03-15"},
    )
    assert again.status_code == 409
    rid = report["id"]
    edited = owner.patch(f"{BASE}/{rid}/blocks/0", {"markdown": "三月：涨粉 **250**。"})
    assert edited.status_code == 200 and edited.json()["version"] == 2
    assert owner.post(f"{BASE}/{rid}/submit").status_code == 200
    own = owner.post(f"{BASE}/reviews", {"report_id": rid, "approve": True})
    assert own.status_code == 403  # the writer cannot approve their own
    approved = reviewer.post(f"{BASE}/reviews", {"report_id": rid, "approve": True, "note": "好"})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["approved_by"]["username"] == "reviewer"
    published = owner.post(f"{BASE}/publications", {"report_id": rid})
    assert published.status_code == 200 and published.json()["status"] == "published"
    archive = owner.get(f"{BASE}?status=published&q=涨粉").json()
    assert [r["id"] for r in archive] == [rid]
    exported = owner.get(f"{BASE}/{rid}/markdown").json()
    assert exported["filename"].endswith(".md")
    assert "三月：涨粉 **250**。" in exported["markdown"]
    assert "| 公众号粉丝 | 5,000 | 900 | +4,100 |" in exported["markdown"]
