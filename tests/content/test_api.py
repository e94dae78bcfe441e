"""The content API end to end: a piece through review to published, its results, the
calendar with its drag, rankings, the heatmap, cadence targets; lists pinned in queries."""

from __future__ import annotations

import datetime as dt

from opsloop.content.models import ContentPiece
from tests.conftest import ApiClient
from tests.content.conftest import at, make_piece, publish, record

BASE = "/api/v1/workspaces/acme/content"


def test_a_piece_through_review_to_its_results(
    owner, member, owner_ms, member_ms, accounts, project
):
    api, reviewer = ApiClient(owner), ApiClient(member)
    made = api.post(
        BASE + "/pieces",
        {
            "title": "双十一护肤清单",
            "project_key": "D11",
            "account_id": accounts["xhs"].pk,
            "format": "article",
            "reviewer_ids": [member.pk],
            "tags": ["护肤"],
            "planned_at": "2026-11-05T20:00:00",
            "body": "## 清单",
        },
    )
    assert made.status_code == 201, made.content
    piece = made.json()
    assert (piece["status"], piece["channel"]["name"], piece["account"]["name"]) == (
        "idea",
        "小红书",
        "官方小红书",
    )
    assert piece["planned_at"] == "2026-11-05T12:00:00Z"  # 20:00 in Beijing
    assert piece["checklist"] == {"title": True, "body": True, "assets": False, "link": False,
                                  "published_url": False, "ready": False}  # fmt: skip
    one = f"{BASE}/pieces/{piece['id']}"
    assert api.post(one + "/status", {"status": "in_review"}).status_code == 409
    assert api.post(one + "/status", {"status": "writing"}).json()["next_statuses"] == [
        "idea", "in_review", "archived",
    ]  # fmt: skip
    assert api.post(one + "/status", {"status": "approved"}).status_code == 400
    assert api.post(one + "/status", {"status": "in_review"}).status_code == 200
    assert api.post(one + "/review", {"decision": "approve"}).status_code == 403
    reviewed = reviewer.post(one + "/review", {"decision": "approve", "note": "可以发"})
    assert reviewed.status_code == 200
    body = reviewed.json()
    assert body["status"] == "approved"
    assert [(r["reviewer"]["username"], r["decision"], r["note"]) for r in body["reviews"]] == [
        ("member", "approve", "可以发")
    ]
    out = api.post(one + "/status", {"status": "published",
                                     "published_at": "2026-11-05T20:02:00+08:00",
                                     "published_url": "https://www.xiaohongshu.com/explore/1"})  # fmt: skip
    assert out.status_code == 200 and out.json()["published_url"].endswith("/explore/1")
    recorded = api.post(one + "/results", {"day": "2026-11-06", "views": 1500, "likes": 90,
                                           "completion_rate": "45.5"})  # fmt: skip
    assert recorded.status_code == 200, recorded.content
    assert recorded.json()["source"] == "api" and recorded.json()["completion_rate"] == "45.50"
    assert api.post(one + "/results", {"day": "2026-11-06", "views": -1}).status_code == 400
    results = api.get(one + "/results").json()
    assert [r["views"] for r in results["results"]] == [1500] and results["event_clicks"] is None
    assert api.get(one).json()["latest_result"]["likes"] == 90
    gone = api.delete(f"{BASE}/results/{recorded.json()['id']}")
    assert gone.status_code == 204 and api.get(one + "/results").json()["results"] == []


def test_drag_on_the_calendar_is_a_reschedule(owner, owner_ms, accounts):
    piece = make_piece(owner_ms, account_id=accounts["xhs"].pk, planned_at=at("2026-11-05 20:30"))
    api = ApiClient(owner)
    moved = api.post(f"{BASE}/pieces/{piece.pk}/reschedule", {"day": "2026-11-07"})
    assert moved.status_code == 200, moved.content
    assert moved.json()["planned_at"] == "2026-11-07T12:30:00Z"
    calendar = api.get(f"{BASE}/calendar?mode=week&date=2026-11-07&group=account").json()
    assert (calendar["first_day"], calendar["last_day"]) == ("2026-11-02", "2026-11-08")
    cells = {
        (lane["key"], cell["day"]): [p["id"] for p in cell["pieces"]]
        for lane in calendar["weeks"][0]["lanes"]
        for cell in lane["cells"]
    }
    assert cells[(f"a{accounts['xhs'].pk}", "2026-11-07")] == [piece.pk]
    assert api.get(f"{BASE}/calendar?mode=year").status_code == 400


def test_lists_and_rankings(owner, owner_ms, accounts, django_assert_max_num_queries):
    for i in range(6):
        piece = make_piece(owner_ms, account_id=accounts["douyin" if i % 2 else "xhs"].pk,
                           title=f"视频{i}", format="short_video", tags=[f"话题{i % 3}"])  # fmt: skip
        publish(owner_ms, piece, at("2026-11-03 12:00") + dt.timedelta(hours=i))
        record(owner_ms, piece, "2026-11-10", views=1000 * (i + 1), likes=10 * (i + 1))
    api = ApiClient(owner)
    with django_assert_max_num_queries(12):
        listed = api.get(f"{BASE}/pieces?status=published")
    assert len(listed.json()) == 6
    with django_assert_max_num_queries(12):
        ranked = api.get(f"{BASE}/rankings?by=channel&from=2026-11-01&to=2026-11-30")
    rows = ranked.json()["rows"]
    # 抖音: pieces 1, 3, 5 (2000 + 4000 + 6000 views); 小红书: 0, 2, 4 (1000 + 3000 + 5000).
    assert [(r["label"], r["views"], r["engagement_rate"]) for r in rows] == [
        ("抖音", 12000, 0.01), ("小红书", 9000, 0.01),
    ]  # fmt: skip
    assert api.get(f"{BASE}/rankings?by=colour").status_code == 400
    heat = api.get(f"{BASE}/heatmap?from=2026-11-01&to=2026-11-30").json()
    assert heat["best"] == {"weekday": 1, "hour": 17, "pieces": 1, "value": 6000.0}
    with django_assert_max_num_queries(12):
        table = api.get(f"{BASE}/results?from=2026-11-01&to=2026-11-30").json()
    assert [r["piece"]["title"] for r in table][:2] == ["视频5", "视频4"]
    with django_assert_max_num_queries(16):
        assert api.get(f"{BASE}/calendar?date=2026-11-03").status_code == 200


def test_cadence_targets_through_the_api(owner, member, guest, accounts):
    api = ApiClient(member)
    made = api.post(f"{BASE}/cadence", {"account_id": accounts["xhs"].pk, "per_week": 3})
    assert made.status_code == 201
    assert made.json()["account"]["name"] == "官方小红书" and made.json()["format"] == ""
    again = api.post(f"{BASE}/cadence", {"account_id": accounts["xhs"].pk, "per_week": 2})
    assert again.status_code == 409
    changed = api.patch(f"{BASE}/cadence/{made.json()['id']}", {"per_week": 4})
    assert changed.json()["per_week"] == 4
    assert ApiClient(guest).get(f"{BASE}/cadence").status_code == 403
    assert [t["per_week"] for t in ApiClient(owner).get(f"{BASE}/cadence").json()] == [4]


def test_a_piece_of_another_workspace_is_not_found(owner, owner_ms, accounts):
    piece = make_piece(owner_ms, account_id=accounts["xhs"].pk)
    from opsloop.core import actions as core_actions

    core_actions.do_create_workspace(actor=owner, slug="other", name="另一个")
    answer = ApiClient(owner).get(f"/api/v1/workspaces/other/content/pieces/{piece.pk}")
    assert answer.status_code == 404
    assert ContentPiece.objects.filter(pk=piece.pk).exists()
