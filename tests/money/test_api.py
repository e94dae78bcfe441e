"""The money API end to end: lines, spend, the budget, placements and their days posted
in bulk; bad input is a clear 400 and writes nothing; lists are read in few queries."""

from __future__ import annotations

from decimal import Decimal

from opsloop.money.models import BudgetLine, PlacementDay, SpendEntry
from tests.conftest import ApiClient

BASE = "/api/v1/workspaces/acme/projects/D11"


def test_the_budget_flow_through_the_api(owner, member, d11, douyin, xhs):
    api, other = ApiClient(owner), ApiClient(member)
    ads = api.post(BASE + "/budget-lines", {"name": "抖音信息流", "category": "ads",
                                            "channel_id": douyin.pk, "planned": "30000"})  # fmt: skip
    assert ads.status_code == 201, ads.content
    assert ads.json()["planned"] == "30000.00" and ads.json()["currency"] == "CNY"
    kol = api.post(BASE + "/budget-lines", {"name": "小红书达人", "category": "kol",
                                            "channel_id": xhs.pk, "planned": 20000}).json()  # fmt: skip
    assert other.post(BASE + "/budget-lines", {"name": "x", "category": "ads",
                                               "planned": "1"}).status_code == 403  # fmt: skip
    spent = other.post(BASE + "/spend", {"day": "2026-11-03", "amount": "21000.50",
                                         "line_id": kol["id"], "note": "达人首款"})  # fmt: skip
    assert spent.status_code == 201, spent.content
    assert spent.json()["amount"] == "21000.50" and spent.json()["counted"] is True
    placement = other.post(BASE + "/placements", {
        "name": "双十一-信息流", "platform": "ocean_engine", "external_id": "1790001",
        "budget_line_id": ads.json()["id"],
    })  # fmt: skip
    assert placement.status_code == 201, placement.content
    days_url = f"{BASE}/placements/{placement.json()['id']}/days"
    posted = other.put(days_url, {"days": [
        {"day": "2026-11-02", "spend": "5000", "impressions": 100000, "clicks": 2000},
        {"day": "2026-11-09", "spend": 7500.5, "impressions": 150000, "clicks": 2500,
         "conversions": 35},
    ]})  # fmt: skip
    assert posted.status_code == 200, posted.content
    assert posted.json() == {
        "written": 2,
        "figures": {"spend": "12500.50", "impressions": 250000, "clicks": 4500,
                    "conversions": 35, "ctr": "1.80", "cpc": "2.78", "cpm": "50.00"},
    }  # fmt: skip
    budget = api.get(BASE + "/budget").json()
    assert (budget["planned"], budget["actual"], budget["left"], budget["overspent"]) == (
        "50000.00", "33501.00", "16499.00", False,
    )  # fmt: skip
    assert budget["overspent_lines"] == [kol["id"]]
    assert [(w["week"], w["actual"]) for w in budget["weeks"]] == [
        ("2026-W45", "26000.50"), ("2026-W46", "7500.50"),
    ]  # fmt: skip
    detail = api.get(f"{BASE}/placements/{placement.json()['id']}").json()
    assert [(d["day"], d["spend"], d["ctr"]) for d in detail["days"]] == [
        ("2026-11-02", "5000.00", "2.00"), ("2026-11-09", "7500.50", "1.67"),
    ]  # fmt: skip
    assert api.delete(f"{days_url}/2026-11-09").status_code == 204
    assert api.delete(f"{days_url}/2026-11-09").status_code == 400
    assert api.delete(f"{days_url}/2026-13-45").status_code == 400


def test_the_budget_watch_through_the_api(owner, member, d11):
    api = ApiClient(owner)
    api.post(BASE + "/budget-lines", {"name": "奖品", "category": "prizes", "planned": "1000"})
    assert ApiClient(member).post(BASE + "/budget/watch", {}).status_code == 403
    watched = api.post(BASE + "/budget/watch", {})
    assert watched.status_code == 201 and watched.json()["kpi_name"] == "D11 budget left"
    assert api.get(BASE + "/budget").json()["watch"]["kpi_id"] == watched.json()["kpi_id"]
    assert api.post(BASE + "/budget/watch", {}).status_code == 409
    assert api.delete(BASE + "/budget/watch").status_code == 204
    assert api.get(BASE + "/budget").json()["watch"] is None


def test_bad_input_is_a_clear_400_and_writes_nothing(owner, guest, d11):
    api = ApiClient(owner)
    line = api.post(BASE + "/budget-lines", {"name": "抖音", "category": "ads",
                                             "planned": "100"}).json()  # fmt: skip
    cases = [
        (BASE + "/budget-lines", {"name": "负数", "category": "ads", "planned": "-1"}, "planned"),
        (BASE + "/budget-lines", {"name": "三位小数", "category": "ads", "planned": "1.234"},
         "planned"),
        (BASE + "/budget-lines", {"name": "浮点", "category": "ads", "planned": True}, "planned"),
        (BASE + "/budget-lines", {"name": "类", "category": "tv", "planned": "1"}, "category"),
        (BASE + "/budget-lines", {"name": "币", "category": "ads", "planned": "1",
                                  "currency": "RMB1"}, "currency"),
        (BASE + "/spend", {"day": 20261103, "amount": "10"}, "day"),
        (BASE + "/spend", {"day": "2026-11-03", "amount": "0"}, "amount"),
        (BASE + "/spend", {"day": "2026-11-03", "amount": "NaN"}, "amount"),
        (BASE + "/spend", {"day": "2026-11-03", "amount": "10", "line_id": 999999}, "line_id"),
        (BASE + "/spend", {"day": "2026-11-03", "amount": "10", "currency": "USD"}, "currency"),
    ]  # fmt: skip
    for url, body, field in cases:
        answer = api.post(url, body)
        assert answer.status_code == 400, (body, answer.content)
        assert answer.json()["field"] == field and answer.json()["message"], body
    assert BudgetLine.objects.filter(project=d11).count() == 1
    assert not SpendEntry.objects.exists()
    placement = api.post(BASE + "/placements", {"name": "p", "platform": "baidu"}).json()
    days_url = f"{BASE}/placements/{placement['id']}/days"
    one_bad = {"days": [{"day": "2026-11-02", "spend": "10"}, {"day": "2026-11-03",
                                                             "spend": "-5"}]}  # fmt: skip
    answer = api.put(days_url, one_bad)
    assert answer.status_code == 400 and answer.json()["field"] == "days.1.spend"
    assert not PlacementDay.objects.exists()
    assert api.put(days_url, {"days": []}).status_code == 400
    assert ApiClient(guest).get(BASE + "/budget").status_code == 404  # not shared with them
    assert line["planned"] == "100.00"


def test_lists_are_read_in_few_queries(owner, known, django_assert_max_num_queries):
    api = ApiClient(owner)
    for url, most in ((BASE + "/budget", 10), (BASE + "/spend", 5), (BASE + "/placements", 5),
                      (BASE + "/budget-lines", 5)):  # fmt: skip
        with django_assert_max_num_queries(most):
            answer = api.get(url)
        assert answer.status_code == 200
    entries = api.get(BASE + "/spend").json()
    assert [e["amount"] for e in entries] == ["15000.00", "1000.00", "8000.00", "10000.00"]
    assert [e["counted"] for e in entries] == [True, True, True, False]
    assert Decimal(api.get(BASE + "/budget").json()["actual"]) == Decimal("37000.50")
