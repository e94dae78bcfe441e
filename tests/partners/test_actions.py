"""Writes to partners: the partner and its parts, the rate card's price history (the
known answer), cooperations at the price of their day, and the reminders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from opsloop.channels.models import Account, FollowerCount
from opsloop.core.errors import Forbidden, Invalid, NotFound
from opsloop.files import actions as file_actions
from opsloop.files.queries import Place
from opsloop.inbox.models import Notification
from opsloop.partners import actions, queries
from opsloop.partners.models import Cooperation, Interaction, Partner, PriceChange
from opsloop.partners.schemas import (
    AccountIn,
    ContactIn,
    ContactPatch,
    CooperationIn,
    CooperationPatch,
    FollowersIn,
    InteractionIn,
    InteractionPatch,
    PartnerIn,
    PartnerPatch,
    PriceChangeIn,
    RateItemIn,
    RateItemPatch,
)
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ProjectIn
from tests.conftest import membership_of

D = dt.date


# --- the known answer


def test_a_price_change_is_kept_and_a_cooperation_keeps_the_price_of_its_day(
    owner_ms, member_ms, kol, priced
):
    """5000 from 2026-09-01, 6500 from 2026-11-01: booked on 10-15 it is 5000 and stays so
    after the rise; booked on 11-02 it is 6500; the history shows both, with who and why."""
    before = actions.do_create_cooperation(
        actor=member_ms,
        partner=kol,
        data=CooperationIn(title="国庆种草", rate_item_id=priced.pk, booked_on=D(2026, 10, 15)),
    )
    after = actions.do_create_cooperation(
        actor=member_ms,
        partner=kol,
        data=CooperationIn(title="双十一返场", rate_item_id=priced.pk, booked_on=D(2026, 11, 2)),
    )
    assert (before.list_price, before.agreed_price) == (Decimal(5000), Decimal(5000))
    assert (after.list_price, after.agreed_price) == (Decimal(6500), Decimal(6500))
    # A later rise leaves both as booked.
    actions.do_change_price(
        actor=owner_ms,
        item=priced,
        data=PriceChangeIn(new_price=Decimal(7000), effective_on=D(2026, 12, 1), note="年末"),
    )
    before.refresh_from_db()
    after.refresh_from_db()
    assert (before.list_price, after.list_price) == (Decimal(5000), Decimal(6500))
    history = [
        (c.effective_on, c.old_price, c.new_price, c.changed_by.username, c.note)
        for c in queries.price_history(priced)
    ]
    assert history == [
        (D(2026, 9, 1), None, Decimal(5000), "owner", "2026 刊例"),
        (D(2026, 11, 1), Decimal(5000), Decimal(6500), "owner", "双十一后涨价"),
        (D(2026, 12, 1), Decimal(6500), Decimal(7000), "owner", "年末"),
    ]
    assert queries.price_at(priced, D(2026, 8, 31)) is None
    assert queries.price_at(priced, D(2026, 10, 31)) == Decimal(5000)
    assert queries.price_at(priced, D(2026, 11, 1)) == Decimal(6500)


def test_the_item_price_is_the_one_in_force_today(owner_ms, kol, priced):
    today = queries.local_today(owner_ms.workspace)
    assert priced.price == queries.price_at(priced, today) == Decimal(6500)
    actions.do_change_price(
        actor=owner_ms,
        item=priced,
        data=PriceChangeIn(new_price=Decimal(9000), effective_on=today + dt.timedelta(days=10)),
    )
    priced.refresh_from_db()
    assert priced.price == Decimal(6500), "a price dated ahead is not in force yet"
    (item,) = queries.rate_items(kol, today + dt.timedelta(days=10))
    assert item.current_price == Decimal(9000)


def test_a_change_dated_between_two_others_keeps_the_history_consistent(owner_ms, priced):
    change = actions.do_change_price(
        actor=owner_ms,
        item=priced,
        data=PriceChangeIn(new_price=Decimal(5500), effective_on=D(2026, 10, 1), note="补录"),
    )
    assert change.old_price == Decimal(5000)
    chain = [(c.effective_on, c.old_price, c.new_price) for c in queries.price_history(priced)]
    assert chain == [
        (D(2026, 9, 1), None, Decimal(5000)),
        (D(2026, 10, 1), Decimal(5000), Decimal(5500)),
        (D(2026, 11, 1), Decimal(5500), Decimal(6500)),
    ]
    # One dated before the first listing becomes the first.
    actions.do_change_price(
        actor=owner_ms,
        item=priced,
        data=PriceChangeIn(new_price=Decimal(4000), effective_on=D(2026, 6, 1)),
    )
    first, second = queries.price_history(priced)[:2]
    assert (first.old_price, first.new_price, second.old_price) == (None, 4000, 4000)


def test_a_change_to_the_same_price_is_refused(owner_ms, priced):
    with pytest.raises(Invalid) as caught:
        actions.do_change_price(
            actor=owner_ms,
            item=priced,
            data=PriceChangeIn(new_price=Decimal(6500), effective_on=D(2026, 11, 20)),
        )
    assert caught.value.field == "new_price"
    assert PriceChange.objects.filter(rate_item=priced).count() == 2


def test_rate_items_are_unique_per_format_and_edited_without_their_price(owner_ms, kol, priced):
    with pytest.raises(Invalid) as caught:
        actions.do_create_rate_item(
            actor=owner_ms, partner=kol, data=RateItemIn(format="小红书图文", price=Decimal(1))
        )
    assert caught.value.field == "format"
    actions.do_update_rate_item(
        actor=owner_ms, item=priced, data=RateItemPatch(active=False, unit="条")
    )
    priced.refresh_from_db()
    assert (priced.active, priced.unit, priced.price) == (False, "条", Decimal(6500))


# --- partners


def test_partner_owner_must_be_a_member_not_a_guest(owner_ms, guest, member):
    with pytest.raises(Invalid) as caught:
        actions.do_create_partner(
            actor=owner_ms, data=PartnerIn(name="某媒体", kind="media", owner_id=guest.pk)
        )
    assert caught.value.field == "owner_id"
    partner = actions.do_create_partner(
        actor=owner_ms,
        data=PartnerIn(
            name="某媒体", kind="media", owner_id=member.pk, tags=["财经", "财经", "B端"]
        ),
    )
    assert partner.owner == member and partner.tags == ["财经", "B端"]


def test_guests_may_not_write_anything(workspace, guest, kol, priced):
    guest_ms = membership_of(guest, workspace)
    with pytest.raises(Forbidden):
        actions.do_create_partner(actor=guest_ms, data=PartnerIn(name="x", kind="kol"))
    with pytest.raises(Forbidden):
        actions.do_add_contact(actor=guest_ms, partner=kol, data=ContactIn(name="x"))
    with pytest.raises(Forbidden):
        actions.do_change_price(
            actor=guest_ms,
            item=priced,
            data=PriceChangeIn(new_price=Decimal(1), effective_on=D(2026, 11, 5)),
        )
    with pytest.raises(Forbidden):
        queries.access_partner_of(guest_ms, kol.pk)


def test_names_are_unique_and_notes_are_sanitized(owner_ms, kol):
    with pytest.raises(Invalid) as caught:
        actions.do_create_partner(actor=owner_ms, data=PartnerIn(name=kol.name, kind="koc"))
    assert caught.value.field == "name"
    actions.do_update_partner(
        actor=owner_ms,
        partner=kol,
        data=PartnerPatch(notes="**合作愉快** <script>alert(1)</script>", rating=None),
    )
    kol.refresh_from_db()
    assert "<strong>合作愉快</strong>" in kol.notes_html and "<script>" not in kol.notes_html
    assert kol.rating is None


def test_only_the_owner_or_an_admin_deletes_a_partner(owner_ms, member_ms, kol, admin_user):
    with pytest.raises(Forbidden):
        actions.do_delete_partner(actor=member_ms, partner=kol)
    admin_ms = membership_of(admin_user, owner_ms.workspace)
    actions.do_delete_partner(actor=admin_ms, partner=kol)
    assert not Partner.objects.filter(pk=kol.pk).exists()


def test_the_member_owning_a_partner_deletes_it(owner_ms, member_ms, member, kol):
    actions.do_update_partner(actor=owner_ms, partner=kol, data=PartnerPatch(owner_id=member.pk))
    access = queries.access_partner_of(member_ms, kol.pk, queries.DELETE)
    actions.do_delete_partner(actor=member_ms, partner=access.partner)
    assert not Partner.objects.filter(pk=kol.pk).exists()


# --- contacts, accounts, interactions, contracts


def test_contacts(owner_ms, kol):
    contact = actions.do_add_contact(
        actor=owner_ms, partner=kol, data=ContactIn(name="王经纪", email="wang@example.com")
    )
    with pytest.raises(Invalid) as caught:
        actions.do_update_contact(actor=owner_ms, contact=contact, data=ContactPatch(email="nope"))
    assert caught.value.field == "email"
    actions.do_update_contact(actor=owner_ms, contact=contact, data=ContactPatch(role="商务"))
    contact.refresh_from_db()
    assert (contact.role, contact.email) == ("商务", "wang@example.com")
    actions.do_delete_contact(actor=owner_ms, contact=contact)
    assert not kol.contacts.exists()


def test_accounts_are_external_and_keep_their_followers_over_time(owner_ms, kol, channel):
    account = actions.do_link_account(
        actor=owner_ms,
        partner=kol,
        data=AccountIn(channel_id=channel.pk, name="小美", handle="xm123", followers=50_000),
    )
    assert account.external and account.followers == 50_000
    today = queries.local_today(owner_ms.workspace)
    actions.do_record_followers(
        actor=owner_ms,
        account=account,
        data=FollowersIn(followers=42_000, day=today - dt.timedelta(days=30)),
    )
    account.refresh_from_db()
    assert account.followers == 50_000, "an older count does not replace the latest"
    (shown,) = queries.partner_accounts(kol)
    assert [c.followers for c in shown.history] == [42_000, 50_000]
    with pytest.raises(Invalid):
        actions.do_record_followers(
            actor=owner_ms,
            account=account,
            data=FollowersIn(followers=1, day=today + dt.timedelta(days=1)),
        )
    # Another partner links the same account; unlinking keeps it and its history.
    agency = actions.do_create_partner(actor=owner_ms, data=PartnerIn(name="MCN", kind="agency"))
    actions.do_link_account(actor=owner_ms, partner=agency, data=AccountIn(account_id=account.pk))
    actions.do_unlink_account(actor=owner_ms, partner=kol, account=account)
    assert Account.objects.filter(pk=account.pk).exists()
    assert FollowerCount.objects.filter(account=account).count() == 2
    assert list(agency.accounts.all()) == [account] and not kol.accounts.exists()


def test_the_team_own_account_cannot_be_linked(owner_ms, kol, channel, workspace):
    own = Account.objects.create(workspace=workspace, channel=channel, name="官方号")
    with pytest.raises(Invalid) as caught:
        actions.do_link_account(actor=owner_ms, partner=kol, data=AccountIn(account_id=own.pk))
    assert caught.value.field == "account_id"


def test_interactions_move_last_contacted(owner_ms, kol):
    first = actions.do_add_interaction(
        actor=owner_ms, partner=kol, data=InteractionIn(day=D(2026, 10, 1), kind="call")
    )
    latest = actions.do_add_interaction(
        actor=owner_ms, partner=kol, data=InteractionIn(day=D(2026, 11, 20), kind="wechat")
    )
    kol.refresh_from_db()
    assert kol.last_contacted_on == D(2026, 11, 20)
    actions.do_delete_interaction(actor=owner_ms, interaction=latest)
    kol.refresh_from_db()
    assert kol.last_contacted_on == D(2026, 10, 1)
    with pytest.raises(Invalid) as caught:
        actions.do_update_interaction(
            actor=owner_ms, interaction=first, data=InteractionPatch(follow_up_on=D(2026, 9, 1))
        )
    assert caught.value.field == "follow_up_on"


def test_contracts_come_from_the_file_library(owner_ms, member_ms, kol, project, owner):
    file = file_actions.do_upload_file(
        actor=owner_ms, place=Place(project=project), content=ContentFile(b"%PDF"), name="合同.pdf"
    )
    secret = work_actions.do_create_project(
        actor=owner_ms, data=ProjectIn(name="保密", key="SEC", visibility="private")
    )
    hidden = file_actions.do_upload_file(
        actor=owner_ms, place=Place(project=secret), content=ContentFile(b"%PDF"), name="机密.pdf"
    )
    actions.do_attach_contract(actor=member_ms, partner=kol, file_id=file.pk)
    with pytest.raises(Invalid):
        actions.do_attach_contract(actor=member_ms, partner=kol, file_id=hidden.pk)
    actions.do_attach_contract(actor=owner_ms, partner=kol, file_id=hidden.pk)
    assert [f.name for f in queries.partner_contracts(member_ms, kol)] == ["合同.pdf"]
    assert len(queries.partner_contracts(owner_ms, kol)) == 2
    with pytest.raises(NotFound):
        actions.do_detach_contract(actor=member_ms, partner=kol, file_id=hidden.pk)
    actions.do_detach_contract(actor=member_ms, partner=kol, file_id=file.pk)
    assert list(kol.contracts.all()) == [hidden]


# --- cooperations


def test_the_agreed_price_is_editable_and_required_without_a_rate(owner_ms, kol, priced, project):
    with pytest.raises(Invalid) as caught:
        actions.do_create_cooperation(
            actor=owner_ms, partner=kol, data=CooperationIn(title="直播", booked_on=D(2026, 11, 5))
        )
    assert caught.value.field == "agreed_price"
    with pytest.raises(Invalid) as caught:
        actions.do_create_cooperation(
            actor=owner_ms,
            partner=kol,
            data=CooperationIn(title="太早", rate_item_id=priced.pk, booked_on=D(2026, 8, 1)),
        )
    assert caught.value.field == "agreed_price", "no rate card price before its first"
    deal = actions.do_create_cooperation(
        actor=owner_ms,
        partner=kol,
        data=CooperationIn(
            title="打包 3 篇", rate_item_id=priced.pk, booked_on=D(2026, 11, 5), quantity=3,
            agreed_price=Decimal(6000), project_key="d11",
        ),
    )  # fmt: skip
    assert (deal.list_price, deal.agreed_price, deal.project, deal.currency) == (
        Decimal(6500), Decimal(6000), project, "CNY",
    )  # fmt: skip
    with pytest.raises(Invalid) as caught:
        actions.do_create_cooperation(
            actor=owner_ms,
            partner=kol,
            data=CooperationIn(
                title="x", rate_item_id=priced.pk, booked_on=D(2026, 11, 5), currency="USD"
            ),
        )
    assert caught.value.field == "currency"


def test_rebooking_takes_the_list_price_of_the_new_day(owner_ms, kol, priced):
    deal = actions.do_create_cooperation(
        actor=owner_ms,
        partner=kol,
        data=CooperationIn(title="种草", rate_item_id=priced.pk, booked_on=D(2026, 11, 2)),
    )
    deal.partner = kol
    actions.do_update_cooperation(
        actor=owner_ms, cooperation=deal, data=CooperationPatch(booked_on=D(2026, 10, 20))
    )
    deal.refresh_from_db()
    # The agreed price was the list price, so it follows; a negotiated one would stay.
    assert (deal.list_price, deal.agreed_price) == (Decimal(5000), Decimal(5000))
    actions.do_update_cooperation(
        actor=owner_ms,
        cooperation=deal,
        data=CooperationPatch(agreed_price=Decimal(4500), clicks=900, reach=None),
    )
    actions.do_update_cooperation(
        actor=owner_ms, cooperation=deal, data=CooperationPatch(booked_on=D(2026, 11, 3))
    )
    deal.refresh_from_db()
    assert (deal.list_price, deal.agreed_price, deal.clicks) == (Decimal(6500), Decimal(4500), 900)


def test_cooperations_of_a_hidden_project_stay_hidden(owner_ms, member_ms, kol, priced):
    secret = work_actions.do_create_project(
        actor=owner_ms, data=ProjectIn(name="保密", key="SEC", visibility="private")
    )
    with pytest.raises(Invalid):
        actions.do_create_cooperation(
            actor=member_ms,
            partner=kol,
            data=CooperationIn(
                title="x", agreed_price=1, booked_on=D(2026, 11, 2), project_key="SEC"
            ),
        )
    actions.do_create_cooperation(
        actor=owner_ms,
        partner=kol,
        data=CooperationIn(
            title="机密合作",
            rate_item_id=priced.pk,
            booked_on=D(2026, 11, 2),
            project_key=secret.key,
        ),
    )
    assert queries.partner_cooperations(member_ms, kol) == []
    assert [c.title for c in queries.partner_cooperations(owner_ms, kol)] == ["机密合作"]


def test_who_may_delete_a_cooperation(owner_ms, member_ms, kol, priced, workspace):
    from tests.conftest import add_member

    other_ms = membership_of(add_member(workspace, "other", "member"), workspace)
    deal = actions.do_create_cooperation(
        actor=member_ms,
        partner=kol,
        data=CooperationIn(title="种草", rate_item_id=priced.pk, booked_on=D(2026, 11, 2)),
    )
    deal.partner = kol
    with pytest.raises(Forbidden):
        actions.do_delete_cooperation(actor=other_ms, cooperation=deal)
    actions.do_delete_cooperation(actor=member_ms, cooperation=deal)
    assert not Cooperation.objects.filter(pk=deal.pk).exists()


def test_deleting_a_rate_item_leaves_the_cooperations_prices(owner_ms, member_ms, kol, priced):
    deal = actions.do_create_cooperation(
        actor=member_ms,
        partner=kol,
        data=CooperationIn(title="种草", rate_item_id=priced.pk, booked_on=D(2026, 10, 2)),
    )
    with pytest.raises(Forbidden):
        actions.do_delete_rate_item(actor=member_ms, item=priced)
    actions.do_delete_rate_item(actor=owner_ms, item=priced)
    deal.refresh_from_db()
    assert (deal.rate_item, deal.list_price) == (None, Decimal(5000))


# --- reminders


def _notes(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def test_a_follow_up_is_reminded_once_on_its_day(owner_ms, member_ms, kol, owner):
    today = queries.local_today(owner_ms.workspace)
    actions.do_add_interaction(
        actor=member_ms,
        partner=kol,
        data=InteractionIn(day=today, kind="wechat", note="等报价", follow_up_on=today),
    )
    later = actions.do_add_interaction(
        actor=member_ms,
        partner=kol,
        data=InteractionIn(day=today, kind="call", follow_up_on=today + dt.timedelta(days=3)),
    )
    assert actions.do_remind_partners() == 1
    assert actions.do_remind_partners() == 0
    assert _notes(owner) == [f"Follow up with {kol.name} today"]
    assert Notification.objects.get(recipient=owner).url.endswith(
        f"/partners/{kol.pk}/#interactions"
    )
    # On the later one's day it is told, once.
    then = timezone.now() + dt.timedelta(days=3)
    assert actions.do_remind_partners(now=then) == 1
    assert actions.do_remind_partners(now=then) == 0
    # A new follow-up day re-arms it.
    later.partner = kol
    actions.do_update_interaction(
        actor=member_ms,
        interaction=later,
        data=InteractionPatch(follow_up_on=today + dt.timedelta(days=5)),
    )
    assert not Interaction.objects.get(pk=later.pk).follow_up_reminded
    assert actions.do_remind_partners(now=timezone.now() + dt.timedelta(days=5)) == 1


def test_a_contract_end_is_reminded_thirty_days_before_once(owner_ms, kol, owner):
    today = queries.local_today(owner_ms.workspace)
    actions.do_update_partner(
        actor=owner_ms,
        partner=kol,
        data=PartnerPatch(contract_ends_on=today + dt.timedelta(days=45)),
    )
    assert actions.do_remind_partners() == 0, "45 days ahead: not yet"
    soon = timezone.now() + dt.timedelta(days=15)
    assert actions.do_remind_partners(now=soon) == 1
    assert actions.do_remind_partners(now=soon) == 0
    ends = (today + dt.timedelta(days=45)).isoformat()
    assert _notes(owner) == [f"The contract with {kol.name} ends on {ends}: renew it?"]
    # A renewed contract with a new end is reminded of again when its time comes.
    kol.refresh_from_db()
    actions.do_update_partner(
        actor=owner_ms,
        partner=kol,
        data=PartnerPatch(contract_ends_on=today + dt.timedelta(days=20)),
    )
    assert actions.do_remind_partners() == 1


def test_saving_a_follow_up_queues_the_reminder_task(owner_ms, kol):
    from django_tasks_db.models import DBTaskResult

    today = queries.local_today(owner_ms.workspace)
    before = DBTaskResult.objects.filter(task_path="opsloop.partners.tasks.remind_partners").count()
    actions.do_add_interaction(
        actor=owner_ms,
        partner=kol,
        data=InteractionIn(kind="call", follow_up_on=today + dt.timedelta(days=7)),
    )
    queued = DBTaskResult.objects.filter(task_path="opsloop.partners.tasks.remind_partners")
    assert queued.count() == before + 1
    assert queries.local_today(owner_ms.workspace, queued.latest("enqueued_at").run_after) == (
        today + dt.timedelta(days=7)
    )


def test_a_price_dated_ahead_takes_effect_on_its_day(owner_ms, kol, priced):
    today = queries.local_today(owner_ms.workspace)
    actions.do_change_price(
        actor=owner_ms,
        item=priced,
        data=PriceChangeIn(new_price=Decimal(8000), effective_on=today + dt.timedelta(days=2)),
    )
    assert actions.do_refresh_prices() == 0
    priced.refresh_from_db()
    assert priced.price == Decimal(6500)
    assert actions.do_refresh_prices(now=timezone.now() + dt.timedelta(days=2)) == 1
    priced.refresh_from_db()
    assert priced.price == Decimal(8000)


def test_the_remind_command(owner_ms, kol, owner):
    from io import StringIO

    from django.core.management import call_command

    today = queries.local_today(owner_ms.workspace)
    actions.do_add_interaction(
        actor=owner_ms, partner=kol, data=InteractionIn(kind="call", follow_up_on=today)
    )
    out = StringIO()
    call_command("partners", "remind", stdout=out)
    assert out.getvalue().strip() == "1 partner reminders sent"
    assert Notification.objects.filter(recipient=owner, kind="assigned").count() == 1
