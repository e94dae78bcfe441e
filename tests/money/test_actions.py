"""Writes of a project's money: who may make them, what they may point at, one currency,
all or nothing, and the budget watch whose KPI alert fires on overspend."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from opsloop.channels.models import Channel
from opsloop.core import actions as core_actions
from opsloop.core.errors import Conflict, Forbidden, Invalid
from opsloop.core.models import AuditLog
from opsloop.goals.models import AlertFiring, AlertRule, Kpi, KpiValue
from opsloop.inbox.models import Notification
from opsloop.money import actions, queries
from opsloop.money.models import BudgetLine, BudgetWatch, PlacementDay, SpendEntry
from opsloop.money.schemas import (
    BudgetLineIn,
    BudgetLinePatch,
    BudgetWatchIn,
    PlacementDayIn,
    PlacementIn,
    PlacementPatch,
    SpendEntryIn,
    SpendEntryPatch,
)
from opsloop.partners.models import Cooperation, Partner
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ProjectIn
from tests.conftest import make_user, membership_of

D = Decimal
DAY = dt.date(2026, 11, 3)


def _line(actor, project, **extra):
    data = {"name": "抖音信息流", "category": "ads", "planned": D("30000")} | extra
    return actions.do_create_line(actor=actor, project=project, data=BudgetLineIn(**data))


def _entry(actor, project, amount="100", **extra):
    return actions.do_create_entry(
        actor=actor, project=project, data=SpendEntryIn(day=DAY, amount=D(amount), **extra)
    )


def _placement(actor, project, **extra):
    data = {"name": "巨量 拉新", "platform": "ocean_engine"} | extra
    return actions.do_create_placement(actor=actor, project=project, data=PlacementIn(**data))


# --- who may


def test_roles(d11, owner_ms, admin_ms, member_ms, guest_ms):
    line = _line(owner_ms, d11)
    with pytest.raises(Forbidden):
        _line(member_ms, d11, name="成员的线")
    assert _line(admin_ms, d11, name="管理员的线").planned == D("30000")
    entry = _entry(member_ms, d11, line_id=line.pk)
    assert entry.created_by_id == member_ms.user_id
    with pytest.raises(Forbidden):
        _entry(guest_ms, d11)
    with pytest.raises(Forbidden):
        queries.money_access(guest_ms, d11)
    # Who recorded it changes it; another member may not; the project's owner may.
    owners_entry = _entry(owner_ms, d11)
    with pytest.raises(Forbidden):
        actions.do_update_entry(actor=member_ms, entry=owners_entry, data=SpendEntryPatch(note="x"))
    actions.do_update_entry(actor=member_ms, entry=entry, data=SpendEntryPatch(note="已开票"))
    actions.do_delete_entry(actor=owner_ms, entry=entry)
    assert not SpendEntry.objects.filter(pk=entry.pk).exists()
    assert AuditLog.objects.filter(action="money.spend.delete", target="D11").count() == 1


# --- what a write may point at


def test_references_must_belong_to_the_workspace_and_project(d11, owner_ms, workspace, owner):
    other_ws = core_actions.do_create_workspace(actor=owner, slug="other", name="别家")
    foreign = Channel.objects.create(workspace=other_ws, name="抖音", platform="douyin")
    with pytest.raises(Invalid) as refused:
        _line(owner_ms, d11, channel_id=foreign.pk)
    assert refused.value.field == "channel_id"
    second = work_actions.do_create_project(
        actor=owner_ms, data=ProjectIn(name="会员日", key="VIP")
    )
    second.workspace = workspace
    other_line = _line(owner_ms, second)
    other_placement = _placement(owner_ms, second)
    with pytest.raises(Invalid) as refused:
        _entry(owner_ms, d11, line_id=other_line.pk)
    assert refused.value.field == "line_id"
    with pytest.raises(Invalid) as refused:
        _entry(owner_ms, d11, placement_id=other_placement.pk)
    assert refused.value.field == "placement_id"
    with pytest.raises(Invalid) as refused:
        _placement(owner_ms, d11, budget_line_id=other_line.pk)
    assert refused.value.field == "budget_line_id"
    with pytest.raises(Invalid) as refused:
        _entry(owner_ms, d11, invoice_id=999_999)
    assert refused.value.field == "invoice_id"
    assert not SpendEntry.objects.filter(project=d11).exists()


def test_a_cooperation_names_its_partner(d11, owner_ms, workspace):
    kol = Partner.objects.create(workspace=workspace, name="小红书达人A", kind="kol")
    other = Partner.objects.create(workspace=workspace, name="达人B", kind="kol")
    deal = Cooperation.objects.create(
        workspace=workspace, partner=kol, project=d11, title="种草笔记 2 篇",
        booked_on=DAY, agreed_price=D("8000"),
    )  # fmt: skip
    entry = _entry(owner_ms, d11, "8000", cooperation_id=deal.pk)
    assert entry.partner_id == kol.pk
    with pytest.raises(Invalid) as refused:
        _entry(owner_ms, d11, cooperation_id=deal.pk, partner_id=other.pk)
    assert refused.value.field == "cooperation_id"
    elsewhere = work_actions.do_create_project(
        actor=owner_ms, data=ProjectIn(name="别的", key="OTH")
    )
    deal.project = elsewhere
    deal.save()
    with pytest.raises(Invalid):
        _entry(owner_ms, d11, cooperation_id=deal.pk)


def test_invoice_is_a_file_the_recorder_sees(d11, owner_ms):
    from django.core.files.base import ContentFile

    from opsloop.files import actions as file_actions
    from opsloop.files.queries import Place

    invoice = file_actions.do_upload_file(
        actor=owner_ms, place=Place(project=d11), content=ContentFile(b"%PDF-1.4 fapiao"),
        name="发票-巨量-11月.pdf",
    )  # fmt: skip
    entry = _entry(owner_ms, d11, "5000", invoice_id=invoice.pk)
    assert entry.invoice_id == invoice.pk


def test_one_currency_per_project(d11, owner_ms):
    _line(owner_ms, d11)
    with pytest.raises(Invalid) as refused:
        _entry(owner_ms, d11, currency="USD")
    assert refused.value.field == "currency" and "CNY" in refused.value.message
    line = BudgetLine.objects.get(project=d11)
    # The only row may change its currency; then everything is in USD.
    actions.do_update_line(actor=owner_ms, line=line, data=BudgetLinePatch(currency="usd"))
    assert queries.project_currency(d11) == "USD"
    with pytest.raises(Invalid):
        _entry(owner_ms, d11)  # CNY by default


def test_placement_checks(d11, owner_ms, workspace):
    douyin = Channel.objects.create(workspace=workspace, name="抖音", platform="douyin")
    made = _placement(owner_ms, d11, external_id="1790001", channel_id=douyin.pk)
    with pytest.raises(Conflict) as refused:
        _placement(owner_ms, d11, name="另一个", external_id="1790001")
    assert refused.value.field == "external_id"
    # The same ID on another platform is another campaign.
    assert _placement(owner_ms, d11, name="腾讯", platform="tencent_ads", external_id="1790001")
    with pytest.raises(Invalid) as refused:
        _placement(owner_ms, d11, name="倒着", starts_on=dt.date(2026, 11, 9),
                   ends_on=dt.date(2026, 11, 2))  # fmt: skip
    assert refused.value.field == "ends_on"
    changed = actions.do_update_placement(
        actor=owner_ms,
        placement=made,
        data=PlacementPatch(utm_campaign="d11_feed", channel_id=None),
    )
    assert (changed.utm_campaign, changed.channel_id, changed.external_id) == (
        "d11_feed", None, "1790001",
    )  # fmt: skip


def test_a_placement_named_by_spend_entries_is_not_deleted(d11, owner_ms, member_ms):
    placement = _placement(owner_ms, d11)
    _entry(owner_ms, d11, "10000", placement_id=placement.pk)
    with pytest.raises(Forbidden):
        actions.do_delete_placement(actor=member_ms, placement=placement)
    with pytest.raises(Conflict):
        actions.do_delete_placement(actor=owner_ms, placement=placement)
    SpendEntry.objects.filter(placement=placement).delete()
    actions.do_delete_placement(actor=owner_ms, placement=placement)
    assert not d11.placements.exists()


# --- a placement's days


def test_days_are_upserted_not_duplicated(d11, owner_ms):
    placement = _placement(owner_ms, d11)
    day = PlacementDayIn(day=DAY, spend=D("100"), impressions=1000, clicks=10)
    assert actions.do_record_placement_days(actor=owner_ms, placement=placement, days=[day]) == 1
    again = [
        PlacementDayIn(day=DAY, spend=D("120"), impressions=1100, clicks=11),
        PlacementDayIn(day=DAY + dt.timedelta(days=1), spend=D("90")),
    ]
    assert actions.do_record_placement_days(actor=owner_ms, placement=placement, days=again) == 2
    rows = list(PlacementDay.objects.filter(placement=placement).values_list("day", "spend"))
    assert rows == [(DAY, D("120.00")), (DAY + dt.timedelta(days=1), D("90.00"))]
    actions.do_delete_placement_day(actor=owner_ms, placement=placement, day=DAY)
    assert PlacementDay.objects.filter(placement=placement).count() == 1


def test_days_in_another_currency_write_nothing(d11, owner_ms):
    _line(owner_ms, d11)
    placement = _placement(owner_ms, d11)
    days = [
        PlacementDayIn(day=DAY, spend=D("100")),
        PlacementDayIn(day=DAY + dt.timedelta(days=1), spend=D("100"), currency="USD"),
    ]
    with pytest.raises(Invalid):
        actions.do_record_placement_days(actor=owner_ms, placement=placement, days=days)
    assert not PlacementDay.objects.filter(placement=placement).exists()


# --- the budget watch


def test_watching_records_the_share_left_and_alerts_on_overspend(d11, owner_ms, member_ms):
    line = _line(owner_ms, d11, planned=D("10000"))
    _entry(owner_ms, d11, "4000", line_id=line.pk)
    with pytest.raises(Forbidden):
        actions.do_watch_budget(actor=member_ms, project=d11, data=BudgetWatchIn())
    watch = actions.do_watch_budget(actor=owner_ms, project=d11, data=BudgetWatchIn())
    kpi = Kpi.objects.get(pk=watch.kpi_id)
    assert (kpi.name, kpi.unit, kpi.source, kpi.owner_id) == (
        "D11 budget left", "%", "manual", owner_ms.user_id,
    )  # fmt: skip
    rule = AlertRule.objects.get(kpi=kpi)
    assert (rule.kind, rule.threshold) == ("below", 0)
    assert list(KpiValue.objects.filter(kpi=kpi).values_list("value", flat=True)) == [60.0]
    with pytest.raises(Conflict):
        actions.do_watch_budget(actor=owner_ms, project=d11, data=BudgetWatchIn())
    # A member's spend takes it past the budget: the value falls below 0 and the owner is told.
    _entry(member_ms, d11, "6500", line_id=line.pk)
    assert list(KpiValue.objects.filter(kpi=kpi).values_list("value", flat=True)) == [-5.0]
    firing = AlertFiring.objects.get(rule=rule)
    assert firing.value == -5.0
    told = Notification.objects.filter(recipient_id=owner_ms.user_id, kind="kpi_alert")
    assert told.count() == 1 and "D11 budget left" in told.get().title
    actions.do_unwatch_budget(actor=owner_ms, project=d11)
    assert not Kpi.objects.filter(pk=kpi.pk).exists() and not BudgetWatch.objects.exists()
    with pytest.raises(Conflict):
        actions.do_unwatch_budget(actor=owner_ms, project=d11)


def test_a_private_projects_budget_is_watched_only_when_members_may_see_it(workspace, owner_ms):
    secret = work_actions.do_create_project(
        actor=owner_ms, data=ProjectIn(name="保密", key="SEC", visibility="private")
    )
    secret.workspace = workspace
    with pytest.raises(Invalid):  # nothing to watch yet
        actions.do_watch_budget(
            actor=owner_ms, project=secret, data=BudgetWatchIn(members_may_see=True)
        )
    _line(owner_ms, secret, planned=D("500"))
    with pytest.raises(Invalid) as refused:
        actions.do_watch_budget(actor=owner_ms, project=secret, data=BudgetWatchIn())
    assert refused.value.field == "members_may_see"
    assert not Kpi.objects.filter(workspace=workspace).exists()
    watch = actions.do_watch_budget(
        actor=owner_ms, project=secret, data=BudgetWatchIn(members_may_see=True)
    )
    assert watch.kpi.name == "SEC budget left"


def test_deleting_the_kpi_ends_the_watch(d11, owner_ms):
    _line(owner_ms, d11)
    watch = actions.do_watch_budget(actor=owner_ms, project=d11, data=BudgetWatchIn())
    from opsloop.goals import actions as goal_actions

    kpi = watch.kpi
    kpi.workspace = owner_ms.workspace
    goal_actions.do_delete_kpi(actor=owner_ms, kpi=kpi)
    assert queries.get_watch(d11) is None
    _entry(owner_ms, d11, "100")  # records nothing, fails nothing


def test_a_new_member_records_spend(d11, workspace):
    newcomer = make_user("newcomer")
    from opsloop.core.models import Membership

    Membership.objects.create(workspace=workspace, user=newcomer, role="member")
    entry = _entry(membership_of(newcomer, workspace), d11, "42.10")
    assert entry.amount == D("42.10") and entry.currency == "CNY"
