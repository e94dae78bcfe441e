"""Results over the API: a campaign's and the workspace's, and the conversion they count,
set by admins (tests/money/test_results.py has the world and works the numbers out)."""

from __future__ import annotations

import pytest

from opsloop.money.models import Conversion
from tests.conftest import ApiClient
from tests.money.test_results import build_campaign, duckdb_store  # noqa: F401 (a fixture)

BASE = "/api/v1/workspaces/acme"
RANGE = "date_from=2026-03-01&date_to=2026-03-10"


@pytest.fixture
def campaign(workspace, owner, project, duckdb_store):  # noqa: F811
    return build_campaign(workspace, owner, project, duckdb_store)


def test_a_campaigns_results(api, campaign, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        answer = api.get(f"{BASE}/projects/D11/results?{RANGE}")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    totals = body["totals"]
    assert (totals["spend"], totals["new_users"], totals["conversions"]) == ("1100.00", 4, 3)
    assert (totals["cac"], totals["cpa"], totals["roas"], totals["roi"]) == (
        "275.00", "366.67", "0.7273", "-0.2727",
    )  # fmt: skip
    assert body["conversion"] == {
        "event": "order_paid", "revenue_property": "amount", "window_days": 30,
        "project_key": None,
    }  # fmt: skip
    assert body["currency"] == "CNY" and body["other_currencies"] == {"USD": "50.00"}
    assert len(body["days"]) == 10 and body["touch"] == "first"
    placement = body["placements"][0]
    assert placement["label"] == "抖音信息流" and placement["figures"]["cac"] == "166.67"
    assert {p["label"] for p in body["partners"]} == {"小红书达人A"}
    assert body["pieces"][0]["figures"]["new_users"] == 1
    last = api.get(f"{BASE}/projects/D11/results?{RANGE}&touch=last").json()
    assert (last["totals"]["cac"], last["totals"]["roi"]) == ("220.00", "0.6364")


def test_the_workspaces_results_ranked(api, campaign):
    answer = api.get(f"{BASE}/results?{RANGE}&sort=new_users")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert [c["detail"] for c in body["campaigns"]] == ["D11"]
    assert [c["label"] for c in body["channels"]] == ["抖音", "小红书"]
    assert body["direct_users"] == 1 and body["totals"]["new_users"] == 6


def test_bad_ranges_and_rankings_are_400(api, campaign):
    answer = api.get(f"{BASE}/projects/D11/results?date_from=2026-03-10&date_to=2026-03-01")
    assert answer.status_code == 400 and answer.json()["field"] == "date_from"
    assert api.get(f"{BASE}/results?sort=likes").status_code == 400
    assert api.get(f"{BASE}/results?touch=middle").status_code == 400
    assert api.get(f"{BASE}/results?date_from=0").status_code == 400


def test_admins_set_the_conversion_members_read_it(api, workspace, project, member, admin_user):
    assert api.get(f"{BASE}/results/conversion").json() == {"conversion": None, "own": False}
    put = ApiClient(admin_user).put(
        f"{BASE}/results/conversion",
        {"event": "order_paid", "revenue_property": "amount", "window_days": 14},
    )
    assert put.status_code == 200, put.content
    assert put.json()["conversion"]["window_days"] == 14
    reader = ApiClient(member)
    mine = reader.get(f"{BASE}/projects/D11/results/conversion").json()
    assert mine["conversion"]["event"] == "order_paid" and mine["own"] is False
    refused = reader.put(f"{BASE}/projects/D11/results/conversion", {"event": "signup"})
    assert refused.status_code == 403
    own = api.put(f"{BASE}/projects/D11/results/conversion", {"event": "first_order"}).json()
    assert own == {
        "conversion": {"event": "first_order", "revenue_property": "", "window_days": 30,
                       "project_key": "D11"},
        "own": True,
    }  # fmt: skip
    # An empty event removes the project's own: the workspace's counts again.
    back = api.put(f"{BASE}/projects/D11/results/conversion", {"event": ""}).json()
    assert back["own"] is False and back["conversion"]["event"] == "order_paid"
    assert Conversion.objects.filter(workspace=workspace).count() == 1


def test_a_bad_revenue_property_is_refused(api, workspace):
    answer = api.put(
        f"{BASE}/results/conversion", {"event": "order_paid", "revenue_property": "a b"}
    )
    assert answer.status_code == 400 and answer.json()["field"] == "revenue_property"
    answer = api.put(f"{BASE}/results/conversion", {"event": "x", "window_days": 0})
    assert answer.status_code == 400
    assert not Conversion.objects.filter(workspace=workspace).exists()


def test_guests_get_403_and_outsiders_404(workspace, project, guest, outsider):
    assert ApiClient(guest).get(f"{BASE}/results").status_code == 403
    assert ApiClient(outsider).get(f"{BASE}/results").status_code == 404
    assert ApiClient(guest).get(f"{BASE}/projects/D11/results").status_code == 404
