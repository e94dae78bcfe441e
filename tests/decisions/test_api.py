"""The decisions API end to end: a record, its options and criteria, two people's
scores, the ranking, the decision, the review."""

from __future__ import annotations

from tests.conftest import ApiClient

BASE = "/api/v1/workspaces/acme/decisions"


def test_the_whole_flow_through_the_api(owner, member, project, item):
    api, other = ApiClient(owner), ApiClient(member)
    made = api.post(BASE, {"title": "双十一主会场是否加码抖音投放", "project_key": "D11",
                           "scorer_ids": [owner.pk, member.pk], "problem_refs": [item.ref]})  # fmt: skip
    assert made.status_code == 201, made.content
    record = made.json()
    assert record["problem_items"][0]["ref"] == item.ref and record["status"] == "draft"
    one = f"{BASE}/{record['id']}"
    a = api.post(one + "/options", {"title": "加码抖音"}).json()
    b = api.post(one + "/options", {"title": "维持原预算"}).json()
    roi = api.post(one + "/criteria", {"title": "ROI", "weight": 3}).json()
    risk = api.post(one + "/criteria", {"title": "风险", "weight": 1}).json()
    assert api.post(one + "/status", {"status": "scoring"}).json()["status"] == "scoring"
    pairs = [(a, roi), (a, risk), (b, roi), (b, risk)]

    def cells(values):
        return {
            "scores": [
                {"option_id": o["id"], "criterion_id": c["id"], "value": v}
                for (o, c), v in zip(pairs, values, strict=True)
            ]
        }

    assert api.put(one + "/scores", cells([5, 2, 3, 5])).status_code == 200
    assert other.put(one + "/scores", cells([3, 2, 3, 4])).status_code == 200
    ranking = api.get(one + "/ranking").json()
    assert [(o["title"], o["weighted"], o["rank"]) for o in ranking["options"]] == [
        ("加码抖音", 3.5, 1),
        ("维持原预算", 3.375, 2),
    ]
    assert ranking["options"][0]["cells"][0] == {
        "criterion_id": roi["id"], "count": 2, "missing": 0, "mean": 4.0, "low": 3.0,
        "high": 5.0, "stdev": 1.0,
    }  # fmt: skip
    assert ranking["scores_given"] == ranking["scores_expected"] == 8
    bad = other.put(
        one + "/scores", {"scores": [{"option_id": a["id"], "criterion_id": roi["id"], "value": 6}]}
    )
    assert bad.status_code == 400 and bad.json()["field"].startswith("scores.0.value")
    assert other.post(one + "/decide", {"option_id": a["id"]}).status_code == 403
    decided = api.post(one + "/decide", {"option_id": a["id"], "rationale": "ROI 更高",
                                         "review_on": "2026-12-15", "work_refs": [item.ref]})  # fmt: skip
    assert decided.status_code == 200, decided.content
    body = decided.json()
    assert (body["status"], body["chosen_option_id"], body["work_items"][0]["ref"]) == (
        "decided",
        a["id"],
        item.ref,
    )
    assert other.put(one + "/scores", cells([1, 1, 1, 1])).status_code == 409
    reviewed = api.post(one + "/review", {"outcome": "worked", "note": "GMV +18%"})
    assert reviewed.status_code == 200 and reviewed.json()["outcome"] == "worked"
    log = api.get(BASE, {"status": "reviewed", "project": "D11"}).json()
    assert [r["id"] for r in log] == [record["id"]]
    assert api.get(BASE, {"status": "nonsense"}).status_code == 400


def test_promote_a_meeting_decision(owner, project):
    api = ApiClient(owner)
    meeting = api.post("/api/v1/workspaces/acme/meetings",
                       {"title": "大促周会", "project_key": "D11", "starts_at": "2026-11-02T10:00:00+08:00"}).json()  # fmt: skip
    decision = api.post(
        f"/api/v1/workspaces/acme/meetings/{meeting['id']}/decisions", {"text": "加码抖音"}
    ).json()
    url = f"/api/v1/workspaces/acme/meetings/{meeting['id']}/decisions/{decision['id']}/record"
    first = api.post(url, {})
    assert first.status_code == 201
    assert first.json()["meeting"] == {
        "meeting_id": meeting["id"],
        "decision_id": decision["id"],
        "title": "大促周会",
    }
    again = api.post(url, {})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
