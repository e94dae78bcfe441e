"""Fixtures of a campaign's money: D11 (双十一大促, 2026-11-02 to 2026-11-15), channels
made directly (opsloop.channels' rows), and members in each role."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from opsloop.channels.models import Channel
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ProjectPatch
from tests.conftest import membership_of


@pytest.fixture
def owner_ms(owner, workspace):
    return membership_of(owner, workspace)


@pytest.fixture
def member_ms(member, workspace):
    return membership_of(member, workspace)


@pytest.fixture
def admin_ms(admin_user, workspace):
    return membership_of(admin_user, workspace)


@pytest.fixture
def guest_ms(guest, workspace):
    return membership_of(guest, workspace)


@pytest.fixture
def d11(project, owner_ms):
    """D11 with its dates: two ISO weeks, 2026-W45 and 2026-W46."""
    work_actions.do_update_project(
        actor=owner_ms,
        project=project,
        data=ProjectPatch(start_date=dt.date(2026, 11, 2), end_date=dt.date(2026, 11, 15)),
    )
    project.refresh_from_db()
    project.workspace = owner_ms.workspace
    return project


@pytest.fixture
def douyin(workspace):
    return Channel.objects.create(workspace=workspace, name="抖音", platform="douyin")


@pytest.fixture
def xhs(workspace):
    return Channel.objects.create(workspace=workspace, name="小红书", platform="xiaohongshu")


def money(text: str) -> Decimal:
    return Decimal(text)


@pytest.fixture
def known(d11, owner_ms, douyin, xhs):
    """The known answers' world (docs/money.md#a-worked-example): lines 30,000 ads on
    抖音 and 20,000 KOL on 小红书; spend entries and placement days entered by hand."""
    from opsloop.money import actions
    from opsloop.money.schemas import BudgetLineIn, PlacementDayIn, PlacementIn, SpendEntryIn

    ads = actions.do_create_line(
        actor=owner_ms, project=d11,
        data=BudgetLineIn(name="抖音信息流", category="ads", channel_id=douyin.pk,
                          planned=Decimal("30000")),
    )  # fmt: skip
    kol = actions.do_create_line(
        actor=owner_ms, project=d11,
        data=BudgetLineIn(name="小红书达人", category="kol", channel_id=xhs.pk,
                          planned=Decimal("20000")),
    )  # fmt: skip
    feed = actions.do_create_placement(
        actor=owner_ms, project=d11,
        data=PlacementIn(name="双十一-信息流-拉新", platform="ocean_engine", external_id="1790001",
                         budget_line_id=ads.pk, channel_id=douyin.pk),
    )  # fmt: skip
    search = actions.do_create_placement(
        actor=owner_ms, project=d11,
        data=PlacementIn(name="双十一-搜索", platform="baidu"),
    )  # fmt: skip
    actions.do_record_placement_days(
        actor=owner_ms, placement=feed,
        days=[
            PlacementDayIn(day=dt.date(2026, 11, 2), spend=Decimal("5000"), impressions=100_000,
                           clicks=2_000, conversions=40),
            PlacementDayIn(day=dt.date(2026, 11, 9), spend=Decimal("7500.50"),
                           impressions=150_000, clicks=2_500, conversions=35),
        ],
    )  # fmt: skip
    actions.do_record_placement_days(
        actor=owner_ms, placement=search,
        days=[PlacementDayIn(day=dt.date(2026, 11, 12), spend=Decimal("500"), impressions=0,
                             clicks=0)],
    )  # fmt: skip

    def spend(day, amount, **extra):
        return actions.do_create_entry(
            actor=owner_ms, project=d11,
            data=SpendEntryIn(day=day, amount=Decimal(amount), **extra),
        )  # fmt: skip

    entries = [
        spend(dt.date(2026, 11, 3), "8000", line_id=kol.pk, note="达人A 首款"),
        spend(dt.date(2026, 11, 10), "15000", line_id=kol.pk, note="达人B"),
        spend(dt.date(2026, 11, 5), "1000", note="海报印刷"),
        # A top-up of the feed placement: a payment, not counted (its days are).
        spend(dt.date(2026, 11, 1), "10000", placement_id=feed.pk, note="巨量充值"),
    ]
    return {"ads": ads, "kol": kol, "feed": feed, "search": search, "entries": entries}
