"""GET /workspaces/{slug}/portfolio: the rows, filters, groups and sorting of the page,
as plain JSON, and only what the caller may see."""

from __future__ import annotations

from tests.conftest import ApiClient
from tests.portfolio.conftest import TODAY
from tests.progress.conftest import at

URL = "/api/v1/workspaces/acme/portfolio"


def _get(user, params=None):
    with at(TODAY):
        return ApiClient(user).get(URL, params)


def test_rows_and_total(world, owner):
    response = _get(owner)
    assert response.status_code == 200
    body = response.json()
    rows = {r["key"]: r for r in body["rows"]}
    assert set(rows) == {"D11", "CNT", "SEC"}
    d11 = rows["D11"]
    assert d11["progress"] == 50 and d11["items_at_risk"] == 1 and d11["milestones_late"] == 1
    assert d11["budget"] == "50000.00" and d11["spent"] is None
    assert d11["quarter"] == "2026-Q4" and d11["owner_name"] == "王总"
    kr = next(k for k in d11["key_results"] if k["title"] == "GMV 到 500 万")
    assert kr["progress"] == 0.1 and kr["status"] in {"on_track", "at_risk", "off_track"}
    assert body["groups"] == []
    assert body["total"]["count"] == 3 and body["total"]["budget"] == "157999.50"


def test_filters_group_and_sort(world, owner):
    body = _get(owner, {"kind": ["campaign", "growth"], "group": "stage", "sort": "-budget"}).json()
    assert [r["key"] for r in body["rows"]] == ["SEC", "D11"]
    assert body["groups"] == [
        {"key": "executing", "label": "Executing", "count": 2, "budget": "149999.00",
         "spent": None, "projects": ["SEC", "D11"]},
    ]  # fmt: skip
    body = _get(owner, {"quarter": "2027-Q1", "q": "内容"}).json()
    assert [r["key"] for r in body["rows"]] == ["CNT"]


def test_bad_filters_are_400(world, owner):
    for params in ({"kind": "tv"}, {"quarter": "2026"}, {"group": "x"}, {"sort": "x"}):
        response = _get(owner, params)
        assert response.status_code == 400, params
        assert response.json()["field"] in params


def test_member_and_guest_see_only_their_projects(world, owner):
    member, guest = world.member_ms.user, world.guest_ms.user
    body = _get(member, {"group": "kind"}).json()
    assert [r["key"] for r in body["rows"]] == ["CNT", "D11"] or {
        r["key"] for r in body["rows"]
    } == {"CNT", "D11"}
    text = str(body)
    assert "SEC" not in text and "机密" not in text and "99999" not in text
    assert body["total"]["budget"] == "58000.50"
    body = _get(guest).json()
    assert [r["key"] for r in body["rows"]] == ["D11"]
    assert body["rows"][0]["key_results"] == []


def test_outsiders_get_404(world, outsider):
    assert _get(outsider).status_code == 404
