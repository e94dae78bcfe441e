"""Reads of partners: the list's filters, price changes in a period, cost per result by
month and the comparison of partners."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from opsloop.core.errors import Invalid
from opsloop.partners import actions, queries
from opsloop.partners.schemas import (
    CooperationIn,
    InteractionIn,
    PartnerIn,
    PartnerPatch,
    PriceChangeIn,
    RateItemIn,
)
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ProjectIn

D = dt.date


def _names(partners) -> list[str]:
    return [p.name for p in partners]


def test_list_filters(owner_ms, member, kol):
    today = queries.local_today(owner_ms.workspace)
    media = actions.do_create_partner(
        actor=owner_ms,
        data=PartnerIn(
            name="36氪", kind="media", tags=["科技"], owner_id=member.pk,
            contract_ends_on=today + dt.timedelta(days=20),
        ),
    )  # fmt: skip
    actions.do_add_interaction(
        actor=owner_ms,
        partner=media,
        data=InteractionIn(day=today - dt.timedelta(days=3), kind="email"),
    )
    actions.do_add_interaction(
        actor=owner_ms,
        partner=kol,
        data=InteractionIn(day=today - dt.timedelta(days=40), kind="call"),
    )
    actions.do_create_partner(actor=owner_ms, data=PartnerIn(name="从未联系", kind="supplier"))
    old = actions.do_create_partner(actor=owner_ms, data=PartnerIn(name="旧合作", kind="kol"))
    actions.do_update_partner(actor=owner_ms, partner=old, data=PartnerPatch(archived=True))

    def listed(**params) -> list[str]:
        return _names(queries.list_partners(owner_ms, queries.parse_partner_filters(params)))

    assert listed() == ["36氪", "从未联系", "小美的美妆日记"]
    assert listed(kind="kol") == ["小美的美妆日记"]
    assert listed(tag="美妆") == ["小美的美妆日记"]
    assert listed(owner=str(member.pk)) == ["36氪"]
    assert listed(quiet="30") == ["从未联系", "小美的美妆日记"]
    assert listed(contract="30") == ["36氪"]
    assert listed(contract="10") == []
    assert listed(q="美妆") == ["小美的美妆日记"]
    assert listed(archived="1") == ["旧合作"]
    assert queries.tag_choices(owner_ms) == ["头部", "科技", "美妆"]
    with pytest.raises(Invalid):
        queries.parse_partner_filters({"quiet": "abc"})
    with pytest.raises(Invalid):
        queries.parse_partner_filters({"kind": "alien"})


def test_price_changes_across_partners_in_a_period(owner_ms, member_ms, kol, priced):
    media = actions.do_create_partner(actor=owner_ms, data=PartnerIn(name="36氪", kind="media"))
    item = actions.do_create_rate_item(
        actor=owner_ms,
        partner=media,
        data=RateItemIn(format="公众号头条", price=Decimal(30000), effective_on=D(2026, 1, 1)),
    )
    actions.do_change_price(
        actor=member_ms,
        item=item,
        data=PriceChangeIn(new_price=Decimal(27000), effective_on=D(2026, 10, 10), note="淡季"),
    )
    period = queries.parse_period({"from": "2026-10-01", "to": "2026-11-30"}, D(2026, 12, 1))
    rows = queries.price_changes(owner_ms, period)
    assert [(c.rate_item.partner.name, c.old_price, c.new_price) for c in rows] == [
        ("小美的美妆日记", Decimal(5000), Decimal(6500)),
        ("36氪", Decimal(30000), Decimal(27000)),
    ]
    assert [queries.change_percent(c) for c in rows] == [Decimal("30.0"), Decimal("-10.0")]
    media_only = queries.parse_period(
        {"from": "2026-01-01", "to": "2026-12-31", "kind": "media"}, D(2026, 12, 1)
    )
    assert [c.new_price for c in queries.price_changes(owner_ms, media_only)] == [27000, 30000]
    with pytest.raises(Invalid):
        queries.parse_period({"from": "2026-12-01", "to": "2026-01-01"}, D(2026, 12, 1))


def _deal(actor, partner, item, day, **fields):
    return actions.do_create_cooperation(
        actor=actor,
        partner=partner,
        data=CooperationIn(title=f"合作 {day}", rate_item_id=item.pk, booked_on=day, **fields),
    )


def test_cost_per_result_by_month_counts_only_what_reports_each_result(owner_ms, kol, priced):
    _deal(owner_ms, kol, priced, D(2026, 10, 15), clicks=1000, reach=200_000, conversions=20,
          revenue=Decimal(15000))  # fmt: skip
    # No clicks recorded: its cost does not count in the October cost per click.
    _deal(owner_ms, kol, priced, D(2026, 10, 20), reach=50_000)
    _deal(owner_ms, kol, priced, D(2026, 11, 2), clicks=1300, attributed_users=65, paid_amount=6000)
    _deal(owner_ms, kol, priced, D(2026, 11, 3), clicks=99_999, status="cancelled")
    months = queries.cost_by_month(owner_ms, kol)
    assert [m.month for m in months] == ["2026-10", "2026-11"]
    october, november = (m.costs for m in months)
    assert (october.cooperations, october.cost, october.clicks) == (2, Decimal(10000), 1000)
    assert october.cpc == Decimal("5.00")
    assert october.cpm == Decimal("40.00")  # 10000 / 250000 × 1000
    assert october.cost_per_conversion == Decimal("250.00")
    assert october.roi == Decimal("3.00")
    assert october.cost_per_user is None
    assert (november.cooperations, november.cpc, november.cost_per_user) == (
        1, Decimal("5.00"), Decimal("100.00"),
    )  # fmt: skip
    paid = queries.cost_by_month(owner_ms, kol, basis="paid")
    assert [m.costs.cost for m in paid] == [Decimal(0), Decimal(6000)]
    assert paid[1].costs.cpc == Decimal("4.62")


def test_compare_partners_sorted_on_cost_per_click(owner_ms, member_ms, kol, priced):
    media = actions.do_create_partner(actor=owner_ms, data=PartnerIn(name="36氪", kind="media"))
    item = actions.do_create_rate_item(
        actor=owner_ms,
        partner=media,
        data=RateItemIn(format="公众号头条", price=Decimal(30000), effective_on=D(2026, 1, 1)),
    )
    quiet = actions.do_create_partner(actor=owner_ms, data=PartnerIn(name="无数据", kind="koc"))
    cheap = actions.do_create_rate_item(
        actor=owner_ms,
        partner=quiet,
        data=RateItemIn(format="探店", price=Decimal(800), effective_on=D(2026, 1, 1)),
    )
    _deal(owner_ms, kol, priced, D(2026, 11, 2), clicks=1300)  # 5.00 a click
    _deal(owner_ms, media, item, D(2026, 11, 5), clicks=10_000)  # 3.00 a click
    _deal(owner_ms, quiet, cheap, D(2026, 11, 6))  # no clicks
    secret = work_actions.do_create_project(
        actor=owner_ms, data=ProjectIn(name="保密", key="SEC", visibility="private")
    )
    _deal(owner_ms, kol, priced, D(2026, 11, 7), clicks=1, project_key=secret.key)

    def compare(actor, **params):
        rows = queries.compare_partners(actor, queries.parse_compare(params, D(2026, 12, 1)))
        return [(r.partner.name, r.costs.cpc) for r in rows]

    assert compare(member_ms) == [
        ("36氪", Decimal("3.00")),
        ("小美的美妆日记", Decimal("5.00")),
        ("无数据", None),
    ]
    assert compare(member_ms, sort="-cpc")[:2] == [
        ("小美的美妆日记", Decimal("5.00")),
        ("36氪", Decimal("3.00")),
    ]
    assert compare(member_ms, kind="koc") == [("无数据", None)]
    assert compare(member_ms, tag="美妆") == [("小美的美妆日记", Decimal("5.00"))]
    # The owner sees the private project's cooperation, and it counts for them.
    assert dict(compare(owner_ms))["小美的美妆日记"] == Decimal("9.99")
    assert compare(member_ms, **{"from": "2026-12-01", "to": "2026-12-31"}) == []
    with pytest.raises(Invalid):
        queries.parse_compare({"sort": "name"}, D(2026, 12, 1))
