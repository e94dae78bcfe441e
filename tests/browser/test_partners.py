"""A partner in a real browser: its rate card shows each price over time as a chart with
the history beside it, and a cooperation booked today takes today's rate."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from opsloop.core import actions as core_actions
from opsloop.core.models import Membership
from opsloop.partners import actions
from opsloop.partners.models import Cooperation
from opsloop.partners.schemas import PartnerIn, PriceChangeIn, RateItemIn
from tests.browser.conftest import login
from tests.conftest import PASSWORD


@pytest.mark.browser
def test_book_a_cooperation_at_the_current_rate(
    page: Page, console_errors: list[str], transactional_db
):
    lead = core_actions.do_signup(
        username="lead", email="lead@example.com", password=PASSWORD, display_name="林晓"
    )
    core_actions.do_create_workspace(actor=lead, slug="ops", name="运营团队")
    lead_ms = Membership.objects.select_related("workspace", "user").get(user=lead)
    kol = actions.do_create_partner(
        actor=lead_ms,
        data=PartnerIn(name="小美的美妆日记", kind="kol", tags=["美妆"], rating=4),
    )
    item = actions.do_create_rate_item(
        actor=lead_ms,
        partner=kol,
        data=RateItemIn(format="小红书图文", unit="篇", price=Decimal(5000),
                        effective_on=dt.date(2026, 9, 1)),
    )  # fmt: skip
    actions.do_change_price(
        actor=lead_ms,
        item=item,
        data=PriceChangeIn(new_price=Decimal(6500), effective_on=dt.date(2026, 11, 1),
                           note="双十一后涨价"),
    )  # fmt: skip

    login(page, "lead", PASSWORD)
    page.goto("/w/ops/partners/")
    page.get_by_role("link", name="小美的美妆日记").click()
    expect(page.get_by_test_id("current-price")).to_have_text("CNY 6500.00 / 篇")
    expect(page.get_by_test_id("price-change")).to_have_count(2)
    # echarts drew the price over time.
    expect(page.locator("[data-price-chart] svg")).to_have_count(1)
    book = page.get_by_test_id("book-cooperation")
    book.locator("input[name=title]").fill("年末种草笔记")
    page.get_by_test_id("book-rate-item").select_option(label="小红书图文 · CNY 6500.00")
    page.get_by_test_id("book-button").click()
    page.wait_for_url(re.compile(r"/partners/\d+/#cooperations$"))
    row = page.get_by_test_id("cooperation-row")
    expect(row.get_by_test_id("list-price")).to_have_text("6500.00")
    expect(row.get_by_test_id("agreed-price")).to_have_text("CNY 6500.00")
    deal = Cooperation.objects.get(title="年末种草笔记")
    assert (deal.list_price, deal.agreed_price) == (Decimal(6500), Decimal(6500))
    assert console_errors == []
