from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from opsloop.channels.models import Channel
from opsloop.partners import actions
from opsloop.partners.schemas import PartnerIn, PriceChangeIn, RateItemIn
from tests.conftest import membership_of


@pytest.fixture
def owner_ms(owner, workspace):
    return membership_of(owner, workspace)


@pytest.fixture
def member_ms(member, workspace):
    return membership_of(member, workspace)


@pytest.fixture
def channel(workspace):
    """Channels' own actions seed these; a row is all partners needs."""
    return Channel.objects.create(workspace=workspace, name="小红书", platform="xiaohongshu")


@pytest.fixture
def kol(owner_ms):
    return actions.do_create_partner(
        actor=owner_ms,
        data=PartnerIn(name="小美的美妆日记", kind="kol", tags=["美妆", "头部"], rating=4),
    )


@pytest.fixture
def priced(owner_ms, kol):
    """The known answer's rate item: 5000 from 2026-09-01, 6500 from 2026-11-01."""
    item = actions.do_create_rate_item(
        actor=owner_ms,
        partner=kol,
        data=RateItemIn(
            format="小红书图文", unit="篇", price=Decimal(5000), effective_on=dt.date(2026, 9, 1),
            note="2026 刊例",
        ),
    )  # fmt: skip
    actions.do_change_price(
        actor=owner_ms,
        item=item,
        data=PriceChangeIn(
            new_price=Decimal(6500), effective_on=dt.date(2026, 11, 1), note="双十一后涨价"
        ),
    )
    item.refresh_from_db()
    return item
