"""Pages of partners: the list and its filters, a partner with its rate card (chart data
and history), booking at the rate of the day, editing a cooperation, price changes in a
period and the comparison; guests get 403; pages take a bounded number of queries."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from django.test import Client

from opsloop.partners import actions, queries
from opsloop.partners.models import Cooperation, Partner
from opsloop.partners.schemas import CooperationIn, PartnerIn
from tests.conftest import PASSWORD, membership_of

D = dt.date


def login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_list_filters_and_creates(owner, member, kol, django_assert_max_num_queries):
    client = login(member)
    made = client.post("/w/acme/partners/", {"name": "36氪", "kind": "media", "tags": "科技，财经",
                                              "owner_id": str(member.pk), "rating": ""})  # fmt: skip
    assert made.status_code == 302
    media = Partner.objects.get(name="36氪")
    assert made["Location"] == f"/w/acme/partners/{media.pk}/"
    assert (media.tags, media.owner, media.rating) == (["科技", "财经"], member, None)
    for n in range(5):
        actions.do_create_partner(
            actor=membership_of(owner, kol.workspace), data=PartnerIn(name=f"KOC {n}", kind="koc")
        )
    with django_assert_max_num_queries(12):
        page = client.get("/w/acme/partners/?kind=kol")
    body = page.content.decode()
    assert page.status_code == 200 and "小美的美妆日记" in body and "36氪" not in body
    assert "36氪" in client.get("/w/acme/partners/?tag=财经").content.decode()
    bad = client.post("/w/acme/partners/", {"name": "36氪", "kind": "media"})
    assert bad.status_code == 400 and "already a partner named" in bad.content.decode()
    assert client.get("/w/acme/partners/?quiet=x").status_code == 400


def test_the_partner_page_books_at_the_rate_of_the_day(
    owner, member, kol, priced, project, django_assert_max_num_queries
):
    client = login(member)
    url = f"/w/acme/partners/{kol.pk}/"
    booked = client.post(url, {"op": "add_cooperation", "title": "双十一返场", "rate_item_id":
                               str(priced.pk), "booked_on": "2026-11-02", "quantity": "1",
                               "agreed_price": "", "status": "booked", "project_key": "D11"})  # fmt: skip
    assert booked.status_code == 302 and booked["Location"].endswith("#cooperations")
    deal = Cooperation.objects.get(title="双十一返场")
    assert (deal.list_price, deal.agreed_price, deal.project) == (6500, 6500, project)
    early = client.post(url, {"op": "add_cooperation", "title": "国庆", "rate_item_id":
                              str(priced.pk), "booked_on": "2026-10-15"})  # fmt: skip
    assert early.status_code == 302
    assert Cooperation.objects.get(title="国庆").list_price == 5000
    changed = client.post(url, {"op": "change_price", "rate_item_id": str(priced.pk),
                                "new_price": "7000", "effective_on": "2026-12-01",
                                "note": "年末"})  # fmt: skip
    assert changed.status_code == 302
    with django_assert_max_num_queries(22):
        page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count('data-testid="price-change"') == 3 and "年末" in body
    charts = json.loads(body.split('id="price-charts" type="application/json">')[1].split("<")[0])
    assert charts["items"][0]["points"][:3] == [
        ["2026-09-01", "5000.00"], ["2026-11-01", "6500.00"], ["2026-12-01", "7000.00"],
    ]  # fmt: skip
    assert f'data-price-chart="{priced.pk}"' in body
    assert "双十一返场" in body and "国庆" in body
    # A bad operation shows its error and writes nothing.
    refused = client.post(url, {"op": "change_price", "rate_item_id": str(priced.pk),
                                "new_price": "7000", "effective_on": "2026-12-05"})  # fmt: skip
    assert refused.status_code == 400 and "already" in refused.content.decode()


def test_the_parts_of_a_partner_on_its_page(owner, kol, channel):
    client = login(owner)
    url = f"/w/acme/partners/{kol.pk}/"
    for data in (
        {"op": "add_contact", "name": "王经纪", "wechat": "wang_jj"},
        {"op": "link_account", "channel_id": str(channel.pk), "name": "小美", "followers": "50000"},
        {"op": "add_interaction", "day": "2026-11-20", "kind": "wechat", "note": "谈年框",
         "follow_up_on": "2026-12-20"},
        {"op": "add_rate_item", "format": "小红书视频", "price": "8000", "currency": "cny",
         "effective_on": "2026-10-01"},
    ):  # fmt: skip
        response = client.post(url, data)
        assert response.status_code == 302, (data, response.content.decode()[:500])
    account = kol.accounts.get()
    client.post(
        url, {"op": "record_followers", "account_id": str(account.pk), "followers": "52000"}
    )
    body = client.get(url).content.decode()
    assert "王经纪" in body and "wang_jj" in body and "谈年框" in body and "2026-12-20" in body
    assert ">52000<" in body and "CNY 8000.00" in body
    kol.refresh_from_db()
    assert kol.last_contacted_on == D(2026, 11, 20)
    assert client.post(url, {"op": "nonsense"}).status_code == 400


def test_edit_a_partner_and_a_cooperation(owner, member, kol, priced):
    client = login(member)
    edited = client.post(f"/w/acme/partners/{kol.pk}/edit/", {
        "name": "小美", "kind": "koc", "tags": "美妆", "rating": "5", "owner_id": str(member.pk),
        "contract_ends_on": "2027-06-30", "notes": "年框",
    })  # fmt: skip
    assert edited.status_code == 302
    kol.refresh_from_db()
    assert (kol.name, kol.kind, kol.rating, kol.owner, kol.contract_ends_on) == (
        "小美", "koc", 5, member, D(2027, 6, 30),
    )  # fmt: skip
    deal = actions.do_create_cooperation(
        actor=membership_of(member, kol.workspace),
        partner=kol,
        data=CooperationIn(title="种草", rate_item_id=priced.pk, booked_on=D(2026, 10, 15)),
    )
    url = f"/w/acme/partners/{kol.pk}/cooperations/{deal.pk}/"
    page = client.get(url)
    assert page.status_code == 200 and "CNY 5000.00" in page.content.decode()
    saved = client.post(url, {
        "title": "种草", "rate_item_id": str(priced.pk), "status": "paid", "booked_on": "2026-10-15",
        "quantity": "2", "agreed_price": "4500", "paid_amount": "9000", "currency": "CNY",
        "clicks": "3000", "reach": "", "revenue": "27000.50",
    })  # fmt: skip
    assert saved.status_code == 302, saved.content.decode()[:500]
    deal.refresh_from_db()
    assert (deal.status, deal.quantity, deal.agreed_price, deal.paid_amount, deal.clicks,
            deal.revenue, deal.list_price) == ("paid", 2, 4500, 9000, 3000, Decimal("27000.50"),
                                               5000)  # fmt: skip
    (month,) = queries.cost_by_month(membership_of(member, kol.workspace), kol)
    assert month.costs.cpc == Decimal("3.00")


def test_prices_and_compare_pages(owner, member, kol, priced, django_assert_max_num_queries):
    actions.do_create_cooperation(
        actor=membership_of(owner, kol.workspace),
        partner=kol,
        data=CooperationIn(title="种草", rate_item_id=priced.pk, booked_on=D(2026, 11, 2),
                           clicks=1300),
    )  # fmt: skip
    client = login(member)
    with django_assert_max_num_queries(12):
        prices = client.get("/w/acme/partners/prices/?from=2026-10-01&to=2026-11-30")
    body = prices.content.decode()
    assert prices.status_code == 200 and "双十一后涨价" in body and "+30.0%" in body
    assert "2026 刊例" not in body, "the first listing, on 09-01, is outside the period"
    with django_assert_max_num_queries(12):
        compare = client.get("/w/acme/partners/compare/?from=2026-01-01&to=2026-12-31&sort=-cpc")
    body = compare.content.decode()
    assert compare.status_code == 200 and "小美的美妆日记" in body and ">5.00<" in body
    assert "sort=cpc" in body, "the sorted column's link turns the order around"
    assert client.get("/w/acme/partners/compare/?sort=bogus").status_code == 400


def test_guests_get_403(guest, kol):
    client = login(guest)
    for url in ("/w/acme/partners/", f"/w/acme/partners/{kol.pk}/", "/w/acme/partners/prices/",
                "/w/acme/partners/compare/"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 403, url
        assert "小美的美妆日记" not in response.content.decode()


def test_the_partner_page_takes_a_fixed_number_of_queries(
    owner, kol, priced, channel, django_assert_max_num_queries
):
    from opsloop.partners.schemas import (
        AccountIn,
        ContactIn,
        InteractionIn,
        PriceChangeIn,
        RateItemIn,
    )

    actor = membership_of(owner, kol.workspace)
    for n in range(3):
        item = actions.do_create_rate_item(
            actor=actor,
            partner=kol,
            data=RateItemIn(format=f"形式 {n}", price=Decimal(100), effective_on=D(2026, 1, 1)),
        )
        actions.do_change_price(
            actor=actor,
            item=item,
            data=PriceChangeIn(new_price=Decimal(120), effective_on=D(2026, 6, 1)),
        )
        actions.do_link_account(
            actor=actor,
            partner=kol,
            data=AccountIn(channel_id=channel.pk, name=f"号 {n}", followers=1000 * n),
        )
        actions.do_add_contact(actor=actor, partner=kol, data=ContactIn(name=f"联系人 {n}"))
        actions.do_add_interaction(
            actor=actor, partner=kol, data=InteractionIn(day=D(2026, 11, n + 1), kind="call")
        )
    for n in range(6):
        actions.do_create_cooperation(
            actor=actor,
            partner=kol,
            data=CooperationIn(title=f"合作 {n}", rate_item_id=priced.pk,
                               booked_on=D(2026, 10 + n % 2, 10 + n), clicks=100 * (n + 1)),
        )  # fmt: skip
    client = login(owner)
    with django_assert_max_num_queries(22):
        page = client.get(f"/w/acme/partners/{kol.pk}/")
    body = page.content.decode()
    assert body.count('data-testid="rate-item"') == 4
    assert body.count('data-testid="cooperation-row"') == 6
    assert body.count('data-testid="account"') == 3
    assert body.count('data-testid="cost-month"') == 2
