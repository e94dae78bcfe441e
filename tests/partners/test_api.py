"""The partners API end to end: a partner with its parts, the rate card's history (the
known answer), cooperations at the price of their day, cost per result and the
comparison; guests get 403; lists take a fixed number of queries."""

from __future__ import annotations

from tests.conftest import ApiClient

BASE = "/api/v1/workspaces/acme/partners"


def test_the_known_answer_through_the_api(owner, member, project, channel):
    api, other = ApiClient(owner), ApiClient(member)
    made = api.post(BASE, {"name": "小美的美妆日记", "kind": "kol", "tags": ["美妆"], "rating": 5,
                           "owner_id": member.pk, "contract_ends_on": "2027-03-31"})  # fmt: skip
    assert made.status_code == 201, made.content
    partner = made.json()
    assert (partner["owner"]["username"], partner["can_delete"]) == ("member", True)
    one = f"{BASE}/{partner['id']}"
    item = api.post(one + "/rate-items", {"format": "小红书图文", "price": "5000",
                                          "effective_on": "2026-09-01", "note": "刊例"}).json()  # fmt: skip
    rise = other.post(
        one + f"/rate-items/{item['id']}/changes",
        {"new_price": "6500", "effective_on": "2026-11-01", "note": "双十一后涨价"},
    )
    assert rise.status_code == 201, rise.content
    assert (rise.json()["old_price"], rise.json()["new_price"]) == ("5000.00", "6500.00")
    booked = {}
    for day in ("2026-10-15", "2026-11-02"):
        response = other.post(
            one + "/cooperations",
            {"title": f"种草 {day}", "rate_item_id": item["id"], "booked_on": day,
             "project_key": "D11", "clicks": 1000},
        )  # fmt: skip
        assert response.status_code == 201, response.content
        booked[day] = response.json()
    assert booked["2026-10-15"]["list_price"] == booked["2026-10-15"]["agreed_price"] == "5000.00"
    assert booked["2026-11-02"]["list_price"] == "6500.00"
    history = api.get(one + f"/rate-items/{item['id']}/changes").json()
    assert [(c["effective_on"], c["old_price"], c["new_price"], c["changed_by"]["username"],
             c["note"]) for c in history] == [
        ("2026-09-01", None, "5000.00", "owner", "刊例"),
        ("2026-11-01", "5000.00", "6500.00", "member", "双十一后涨价"),
    ]  # fmt: skip
    on = api.get(one + f"/rate-items/{item['id']}/price", {"day": "2026-10-31"}).json()
    assert (on["price"], on["currency"]) == ("5000.00", "CNY")
    assert api.get(one + f"/rate-items/{item['id']}/price", {"day": "x"}).status_code == 400
    card = api.get(one).json()["rate_items"]
    assert card[0]["price"] == "6500.00"
    # The October deal keeps its price after another rise.
    api.post(one + f"/rate-items/{item['id']}/changes",
             {"new_price": "7000", "effective_on": "2026-12-01"})  # fmt: skip
    kept = api.get(one + f"/cooperations/{booked['2026-10-15']['id']}").json()
    assert kept["list_price"] == "5000.00"
    costs = api.get(one + "/costs").json()
    assert [(m["month"], m["cost"], m["cpc"]) for m in costs] == [
        ("2026-10", "5000.00", "5.00"),
        ("2026-11", "6500.00", "6.50"),
    ]
    changes = api.get(BASE + "/price-changes", {"from": "2026-11-01", "to": "2026-12-31"}).json()
    assert [(c["partner"], c["format"], c["new_price"]) for c in changes] == [
        ("小美的美妆日记", "小红书图文", "7000.00"),
        ("小美的美妆日记", "小红书图文", "6500.00"),
    ]
    compare = api.get(BASE + "/compare", {"from": "2026-01-01", "to": "2026-12-31"}).json()
    assert [(r["partner"], r["cooperations"], r["cpc"]) for r in compare] == [
        ("小美的美妆日记", 2, "5.75")
    ]


def test_parts_of_a_partner(owner, project, channel):
    api = ApiClient(owner)
    one = f"{BASE}/{api.post(BASE, {'name': '36氪', 'kind': 'media'}).json()['id']}"
    contact = api.post(one + "/contacts", {"name": "李编辑", "email": "li@example.com"})
    assert contact.status_code == 201
    assert (
        api.patch(one + f"/contacts/{contact.json()['id']}", {"role": "主编"}).json()["role"]
        == "主编"
    )
    account = api.post(one + "/accounts", {"channel_id": channel.pk, "name": "36氪小红书",
                                           "followers": 120000})  # fmt: skip
    assert account.status_code == 201, account.content
    assert account.json()["history"][0]["followers"] == 120000
    aid = account.json()["id"]
    bad = api.post(one + f"/accounts/{aid}/followers", {"followers": -1})
    assert bad.status_code == 400 and bad.json()["field"] == "followers"
    talk = api.post(one + "/interactions", {"kind": "meeting", "day": "2026-11-20",
                                            "follow_up_on": "2026-12-20"})  # fmt: skip
    assert talk.status_code == 201 and talk.json()["by"]["username"] == "owner"
    assert api.get(one).json()["last_contacted_on"] == "2026-11-20"
    assert api.post(one + "/contracts", {"file_id": 999999}).status_code == 400
    assert api.delete(one + f"/accounts/{aid}").status_code == 204
    assert api.get(one + "/accounts").json() == []
    missing = api.post(one + "/cooperations", {"title": "x", "booked_on": "2026-11-02"})
    assert missing.status_code == 400 and missing.json()["field"] == "agreed_price"
    assert api.get(BASE, {"quiet": "nope"}).status_code == 400
    assert api.delete(one).status_code == 204


def test_guests_get_403_everywhere(owner, guest, project):
    api = ApiClient(owner)
    one = f"{BASE}/{api.post(BASE, {'name': '36氪', 'kind': 'media'}).json()['id']}"
    visitor = ApiClient(guest)
    for url in (BASE, one, one + "/rate-items", one + "/cooperations", BASE + "/compare",
                BASE + "/price-changes"):  # fmt: skip
        response = visitor.get(url)
        assert response.status_code == 403, url
        assert "36氪" not in response.content.decode()


def test_lists_take_a_fixed_number_of_queries(owner, member, project, channel,
                                              django_assert_max_num_queries):  # fmt: skip
    api = ApiClient(owner)
    for n in range(6):
        pid = api.post(BASE, {"name": f"KOL {n}", "kind": "kol", "tags": ["美妆"]}).json()["id"]
        one = f"{BASE}/{pid}"
        api.post(one + "/accounts", {"channel_id": channel.pk, "name": f"号 {n}", "followers": n})
        item = api.post(one + "/rate-items", {"format": "图文", "price": "1000",
                                              "effective_on": "2026-09-01"}).json()  # fmt: skip
        api.post(one + f"/rate-items/{item['id']}/changes",
                 {"new_price": "1200", "effective_on": "2026-11-01"})  # fmt: skip
        for day in ("2026-10-01", "2026-11-05"):
            api.post(one + "/cooperations", {"title": "t", "rate_item_id": item["id"],
                                             "booked_on": day, "clicks": 100})  # fmt: skip
    with django_assert_max_num_queries(6):
        assert len(api.get(BASE).json()) == 6
    with django_assert_max_num_queries(8):
        assert len(api.get(BASE + "/price-changes", {"from": "2026-01-01"}).json()) == 12
    with django_assert_max_num_queries(8):
        assert len(api.get(BASE + "/compare", {"from": "2026-01-01"}).json()) == 6
    with django_assert_max_num_queries(14):
        assert len(api.get(one + "/cooperations").json()) == 2
    with django_assert_max_num_queries(14):
        detail = api.get(one).json()
    assert len(detail["rate_items"][0]["changes"]) == 2 and detail["accounts"][0]["history"]
