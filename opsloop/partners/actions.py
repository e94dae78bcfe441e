"""Every write to partners: the partner, its contacts, accounts and their followers,
interactions, contracts, rate card and price changes, cooperations, and the reminders of
follow-ups and contract ends."""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from opsloop.channels import actions as channel_actions
from opsloop.channels.models import Account, Channel, FollowerCount
from opsloop.channels.schemas import ChannelAccountIn
from opsloop.core.background import enqueue_with_transaction
from opsloop.core.errors import Forbidden, Invalid, NotFound
from opsloop.core.inputs import parse_input
from opsloop.core.markdown import render_markdown
from opsloop.core.models import Membership, User
from opsloop.core.rows import lock_current, save_changed
from opsloop.files.models import File
from opsloop.files.queries import visible_files
from opsloop.inbox.actions import do_notify
from opsloop.inbox.models import NotificationKind
from opsloop.partners.models import (
    Contact,
    Cooperation,
    Interaction,
    Partner,
    PriceChange,
    RateItem,
)
from opsloop.partners.queries import (
    CONTRACT_NOTICE_DAYS,
    can_delete_cooperation,
    check_can_delete,
    check_can_use,
    current_price,
    due_contracts,
    due_follow_ups,
    local_today,
    member_user,
    partner_url,
    price_at,
    visible_pieces,
)
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
from opsloop.work.models import Project
from opsloop.work.queries import EDIT, check_project_permission, visible_projects

logger = logging.getLogger(__name__)

# The inbox has no kind of its own for partners (adding one needs a migration of the
# inbox): a follow-up or a contract to renew is work handed to the partner's owner.
NOTIFICATION_KIND = NotificationKind.ASSIGNED
# The hour, in the workspace's time zone, at which the owner is reminded.
REMINDER_HOUR = 9
REMIND_TASK = "opsloop.partners.tasks.remind_partners"
REFRESH_TASK = "opsloop.partners.tasks.refresh_prices"


# --- checks


def _today(actor: Membership) -> dt.date:
    return local_today(actor.workspace)


def _owner(actor: Membership, owner_id: int) -> User:
    user = member_user(actor.workspace_id, owner_id)
    if user is None:
        raise Invalid(
            _("The owner must be a member of this workspace (not a guest)."), field="owner_id"
        )
    return user


def _tags(tags: list[str]) -> list[str]:
    """Tags in the order given, each once whatever its case."""
    seen: dict[str, str] = {}
    for tag in tags:
        seen.setdefault(tag.casefold(), tag)
    return list(seen.values())


def _unique_name(actor: Membership, name: str, partner: Partner | None = None) -> None:
    others = Partner.objects.filter(workspace_id=actor.workspace_id, name=name)
    if partner is not None:
        others = others.exclude(pk=partner.pk)
    if others.exists():
        raise Invalid(_("There is already a partner named %(name)s.") % {"name": name},
                      field="name")  # fmt: skip


def _past_or_today(actor: Membership, day: dt.date, field: str) -> None:
    if day > _today(actor):
        raise Invalid(_("%(field)s cannot be in the future.") % {"field": field}, field=field)


def _at_hour(workspace, day: dt.date, hour: int = REMINDER_HOUR) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), zoneinfo.ZoneInfo(workspace.time_zone))


# --- partners


def do_create_partner(*, actor: Membership, data: PartnerIn) -> Partner:
    check_can_use(actor)
    _unique_name(actor, data.name)
    owner = _owner(actor, data.owner_id if data.owner_id is not None else actor.user_id)
    with transaction.atomic():
        partner = Partner.objects.create(
            workspace=actor.workspace,
            name=data.name,
            kind=data.kind,
            tags=_tags(data.tags),
            rating=data.rating,
            notes=data.notes,
            notes_html=render_markdown(data.notes),
            owner=owner,
            contract_ends_on=data.contract_ends_on,
            created_by=actor.user,
        )
        _schedule_contract_reminder(partner)
    return partner


def do_update_partner(*, actor: Membership, partner: Partner, data: PartnerPatch) -> Partner:
    """Change the fields sent; a new contract end re-arms its reminder."""
    check_can_use(actor)
    changes = data.model_dump(exclude_unset=True)
    for name in ("name", "kind", "archived"):
        if name in changes and changes[name] is None:
            raise Invalid(_("%(field)s cannot be empty.") % {"field": name}, field=name)
    if changes.get("name"):
        _unique_name(actor, changes["name"], partner)
    owner = partner.owner
    if "owner_id" in changes:
        owner = _owner(actor, changes["owner_id"]) if changes["owner_id"] is not None else None
    with transaction.atomic():
        before = lock_current(partner)
        for name in ("name", "kind", "archived", "rating", "contract_ends_on"):
            if name in changes:
                setattr(partner, name, changes[name])
        if changes.get("tags") is not None:
            partner.tags = _tags(changes["tags"])
        if changes.get("notes") is not None:
            partner.notes = changes["notes"]
            partner.notes_html = render_markdown(changes["notes"])
        partner.owner = owner
        saved = save_changed(partner, before, "updated_at")
        if "contract_ends_on" in saved:
            _schedule_contract_reminder(partner)
    return partner


def do_delete_partner(*, actor: Membership, partner: Partner) -> None:
    """With its contacts, interactions, rate card and cooperations; its accounts stay on
    their channels, and its contract files in the library."""
    check_can_delete(actor, partner)
    partner.delete()


# --- contacts


def _contact_fields(changes: dict) -> dict:
    if changes.get("email"):
        try:
            validate_email(changes["email"])
        except ValidationError:
            raise Invalid(_("Enter a valid email address."), field="email") from None
    return changes


def do_add_contact(*, actor: Membership, partner: Partner, data: ContactIn) -> Contact:
    check_can_use(actor)
    fields = _contact_fields(data.model_dump())
    return Contact.objects.create(partner=partner, **fields)


def do_update_contact(*, actor: Membership, contact: Contact, data: ContactPatch) -> Contact:
    check_can_use(actor)
    changes = _contact_fields(data.model_dump(exclude_unset=True))
    if "name" in changes and not changes["name"]:
        raise Invalid(_("%(field)s cannot be empty.") % {"field": "name"}, field="name")
    with transaction.atomic():
        before = lock_current(contact)
        for name, value in changes.items():
            if value is not None:
                setattr(contact, name, value)
        save_changed(contact, before)
    return contact


def do_delete_contact(*, actor: Membership, contact: Contact) -> None:
    check_can_use(actor)
    contact.delete()


# --- accounts and their followers


def _channel(actor: Membership, channel_id: int | None, field: str = "channel_id") -> Channel:
    channel = Channel.objects.filter(
        workspace_id=actor.workspace_id, pk=channel_id or 0, archived=False
    ).first()
    if channel is None:
        raise Invalid(_("No channel with id %(id)s.") % {"id": channel_id}, field=field)
    return channel


def do_link_account(*, actor: Membership, partner: Partner, data: AccountIn) -> Account:
    """Link a partner account of the workspace, or make one on a channel (through
    channels, as an external account: a partner's, not the team's), with its followers
    today when given."""
    check_can_use(actor)
    if data.account_id is not None:
        account = (
            Account.objects.filter(workspace_id=actor.workspace_id, pk=data.account_id)
            .select_related("channel")
            .first()
        )
        if account is None:
            raise Invalid(_("No account with id %(id)s.") % {"id": data.account_id},
                          field="account_id")  # fmt: skip
        if not account.external:
            raise Invalid(
                _("%(name)s is one of the team's own accounts, not a partner's.")
                % {"name": account.name},
                field="account_id",
            )
        partner.accounts.add(account)
        return account
    if data.channel_id is None:
        raise Invalid(_("Choose the account's channel."), field="channel_id")
    if not data.name:
        raise Invalid(_("Name the account."), field="name")
    fields = {
        "channel_id": data.channel_id,
        "name": data.name,
        "handle": data.handle,
        "url": data.url,
        "owner_id": partner.owner_id,
        "external": True,
    }
    with transaction.atomic():
        account = channel_actions.do_create_account(
            actor=actor, data=parse_input(ChannelAccountIn, fields)
        )
        partner.accounts.add(account)
        if data.followers is not None:
            channel_actions.do_record_followers(
                actor=actor, account=account, counts=[(_today(actor), data.followers)]
            )
    return account


def do_unlink_account(*, actor: Membership, partner: Partner, account: Account) -> None:
    """The account stays on its channel, with its follower history."""
    check_can_use(actor)
    partner.accounts.remove(account)


def do_record_followers(*, actor: Membership, account: Account, data: FollowersIn) -> FollowerCount:
    """A partner account's followers on a day (default today; one count a day, a later
    record of the same day replaces it), kept by channels with the account's history."""
    check_can_use(actor)
    day = data.day or _today(actor)
    _past_or_today(actor, day, "day")
    channel_actions.do_record_followers(
        actor=actor, account=account, counts=[(day, data.followers)]
    )
    return FollowerCount.objects.get(account=account, day=day)


# --- interactions


def _recount_contacted(partner: Partner) -> None:
    last = Interaction.objects.filter(partner=partner).aggregate(d=Max("day"))["d"]
    Partner.objects.filter(pk=partner.pk).update(last_contacted_on=last)
    partner.last_contacted_on = last


def _check_follow_up(day: dt.date, follow_up_on: dt.date | None) -> None:
    if follow_up_on is not None and follow_up_on < day:
        raise Invalid(_("The follow-up cannot come before the contact."), field="follow_up_on")


def do_add_interaction(*, actor: Membership, partner: Partner, data: InteractionIn) -> Interaction:
    """A contact made with the partner: it moves "last contacted", and its follow-up day
    puts a reminder to the partner's owner on the calendar."""
    check_can_use(actor)
    day = data.day or _today(actor)
    _past_or_today(actor, day, "day")
    _check_follow_up(day, data.follow_up_on)
    with transaction.atomic():
        interaction = Interaction.objects.create(
            partner=partner,
            day=day,
            kind=data.kind,
            note=data.note,
            follow_up_on=data.follow_up_on,
            by=actor.user,
        )
        _recount_contacted(partner)
        _schedule_follow_up(partner, interaction)
    return interaction


def do_update_interaction(
    *, actor: Membership, interaction: Interaction, data: InteractionPatch
) -> Interaction:
    check_can_use(actor)
    changes = data.model_dump(exclude_unset=True)
    for name in ("day", "kind"):
        if name in changes and changes[name] is None:
            raise Invalid(_("%(field)s cannot be empty.") % {"field": name}, field=name)
    with transaction.atomic():
        before = lock_current(interaction)
        for name in ("day", "kind", "note", "follow_up_on"):
            if name in changes and (changes[name] is not None or name == "follow_up_on"):
                setattr(interaction, name, changes[name])
        _past_or_today(actor, interaction.day, "day")
        _check_follow_up(interaction.day, interaction.follow_up_on)
        if interaction.follow_up_on != before["follow_up_on"]:
            interaction.follow_up_reminded = False
        saved = save_changed(interaction, before)
        if "day" in saved:
            _recount_contacted(interaction.partner)
        if "follow_up_on" in saved:
            _schedule_follow_up(interaction.partner, interaction)
    return interaction


def do_delete_interaction(*, actor: Membership, interaction: Interaction) -> None:
    check_can_use(actor)
    with transaction.atomic():
        interaction.delete()
        _recount_contacted(interaction.partner)


# --- contracts


def do_attach_contract(*, actor: Membership, partner: Partner, file_id: int) -> File:
    """A file of the library (a project's, or a meeting's) the actor sees, as a contract."""
    check_can_use(actor)
    file = visible_files(actor).select_related("project").filter(pk=file_id).first()
    if file is None:
        raise Invalid(_("No file with id %(id)s.") % {"id": file_id}, field="file_id")
    partner.contracts.add(file)
    return file


def do_detach_contract(*, actor: Membership, partner: Partner, file_id: int) -> None:
    """The file stays in the library."""
    check_can_use(actor)
    file = visible_files(actor).filter(pk=file_id, pk__in=partner.contracts.values("pk")).first()
    if file is None:
        raise NotFound(_("Contract not found."))
    partner.contracts.remove(file)


# --- the rate card and its prices


def _currency(value: str) -> str:
    return value.strip().upper()


def _refresh_price(item: RateItem, today: dt.date) -> None:
    price = current_price(item, today)
    if price != item.price:
        RateItem.objects.filter(pk=item.pk).update(price=price)
        item.price = price


def _rechain(item: RateItem) -> None:
    """Each change's old price is the new price of the change before it (the first has
    none), whatever order the changes were recorded in."""
    previous: Decimal | None = None
    for change in PriceChange.objects.filter(rate_item=item).order_by("effective_on", "pk"):
        if change.old_price != previous:
            PriceChange.objects.filter(pk=change.pk).update(old_price=previous)
        previous = change.new_price


def _schedule_refresh(item: RateItem, day: dt.date, today: dt.date) -> None:
    """A price that takes effect later: RateItem.price changes on that day."""
    if day > today:
        workspace = item.partner.workspace
        enqueue_with_transaction(REFRESH_TASK, run_after=_at_hour(workspace, day, 0))


def do_create_rate_item(*, actor: Membership, partner: Partner, data: RateItemIn) -> RateItem:
    """A line of the rate card; its price is the first row of its history."""
    check_can_use(actor)
    if RateItem.objects.filter(partner=partner, format=data.format).exists():
        raise Invalid(_("The rate card already has %(format)s.") % {"format": data.format},
                      field="format")  # fmt: skip
    channel = _channel(actor, data.channel_id) if data.channel_id is not None else None
    today = _today(actor)
    effective_on = data.effective_on or today
    with transaction.atomic():
        item = RateItem.objects.create(
            partner=partner,
            format=data.format,
            channel=channel,
            unit=data.unit,
            price=data.price,
            currency=_currency(data.currency),
        )
        PriceChange.objects.create(
            rate_item=item,
            effective_on=effective_on,
            old_price=None,
            new_price=data.price,
            note=data.note,
            changed_by=actor.user,
        )
    return item


def do_update_rate_item(*, actor: Membership, item: RateItem, data: RateItemPatch) -> RateItem:
    """Its format, channel, unit, whether it is offered; the price changes by
    do_change_price, which keeps the history."""
    check_can_use(actor)
    changes = data.model_dump(exclude_unset=True)
    for name in ("format", "active"):
        if name in changes and changes[name] is None:
            raise Invalid(_("%(field)s cannot be empty.") % {"field": name}, field=name)
    if changes.get("format") and (
        RateItem.objects.filter(partner_id=item.partner_id, format=changes["format"])
        .exclude(pk=item.pk)
        .exists()
    ):
        raise Invalid(_("The rate card already has %(format)s.") % {"format": changes["format"]},
                      field="format")  # fmt: skip
    channel = item.channel
    if "channel_id" in changes:
        channel = _channel(actor, changes["channel_id"]) if changes["channel_id"] else None
    with transaction.atomic():
        before = lock_current(item)
        for name in ("format", "unit", "active"):
            if changes.get(name) is not None:
                setattr(item, name, changes[name])
        item.channel = channel
        save_changed(item, before)
    return item


def do_delete_rate_item(*, actor: Membership, item: RateItem) -> None:
    """With its price history; cooperations booked from it keep their prices."""
    check_can_delete(actor, item.partner)
    item.delete()


def do_change_price(*, actor: Membership, item: RateItem, data: PriceChangeIn) -> PriceChange:
    """A new price from a day on, kept in the history with who and why. The old price is
    the one in force that day; a change dated between two others becomes the old price of
    the next. Cooperations already booked keep the prices they were booked at."""
    check_can_use(actor)
    today = _today(actor)
    with transaction.atomic():
        # Under the item's lock two changes cannot both read the same old price.
        RateItem.objects.select_for_update().filter(pk=item.pk).first()
        old = price_at(item, data.effective_on)
        if old is not None and old == data.new_price:
            raise Invalid(
                _("The price on %(day)s is already %(price)s.")
                % {"day": data.effective_on.isoformat(), "price": old},
                field="new_price",
            )
        change = PriceChange.objects.create(
            rate_item=item,
            effective_on=data.effective_on,
            old_price=old,
            new_price=data.new_price,
            note=data.note,
            changed_by=actor.user,
        )
        _rechain(item)
        _refresh_price(item, today)
        _schedule_refresh(item, data.effective_on, today)
    change.refresh_from_db()
    return change


def do_refresh_prices(*, now: dt.datetime | None = None) -> int:
    """Bring RateItem.price to the price in force today for the items whose price changed
    lately (a change dated ahead takes effect on its day). How many changed."""
    now = now or timezone.now()
    near = now.date()
    items = RateItem.objects.filter(
        changes__effective_on__gte=near - dt.timedelta(days=2),
        changes__effective_on__lte=near + dt.timedelta(days=1),
    ).select_related("partner__workspace")
    changed = 0
    for item in items.distinct():
        before = item.price
        _refresh_price(item, local_today(item.partner.workspace, now))
        changed += item.price != before
    return changed


# --- cooperations


def _rate_item(partner: Partner, item_id: int) -> RateItem:
    item = RateItem.objects.filter(partner=partner, pk=item_id).first()
    if item is None:
        raise Invalid(_("No rate item %(id)s on this partner's card.") % {"id": item_id},
                      field="rate_item_id")  # fmt: skip
    return item


def _project(actor: Membership, key: str | None) -> Project | None:
    if not key:
        return None
    project = visible_projects(actor).filter(key=key.strip().upper()).first()
    if project is None:
        raise Invalid(_("No project with key %(key)s.") % {"key": key}, field="project_key")
    project.workspace = actor.workspace
    check_project_permission(actor, project, EDIT)
    return project


def _pieces(actor: Membership, ids: list[int]) -> list[int]:
    wanted = list(dict.fromkeys(ids))
    found = set(visible_pieces(actor).filter(pk__in=wanted).values_list("pk", flat=True))
    for pk in wanted:
        if pk not in found:
            raise Invalid(_("No content piece with id %(id)s.") % {"id": pk}, field="piece_ids")
    return wanted


def _check_currency(item: RateItem | None, currency: str | None) -> str | None:
    if item is not None and currency and _currency(currency) != item.currency:
        raise Invalid(
            _("The rate item is priced in %(currency)s.") % {"currency": item.currency},
            field="currency",
        )
    return _currency(currency) if currency else None


RESULTS = ("reach", "clicks", "attributed_users", "conversions", "revenue")


def do_create_cooperation(
    *, actor: Membership, partner: Partner, data: CooperationIn
) -> Cooperation:
    """What was bought: its list price is the rate item's price on the day it was booked,
    and stays so whatever the card says later; the agreed price defaults to it."""
    check_can_use(actor)
    item = _rate_item(partner, data.rate_item_id) if data.rate_item_id is not None else None
    list_price = price_at(item, data.booked_on) if item is not None else None
    agreed = data.agreed_price if data.agreed_price is not None else list_price
    if agreed is None:
        raise Invalid(
            _("Give the agreed price: there is no rate card price on that day.")
            if item is not None
            else _("Give the agreed price, or choose a rate item."),
            field="agreed_price",
        )
    currency = _check_currency(item, data.currency) or (item.currency if item else "CNY")
    project = _project(actor, data.project_key)
    pieces = _pieces(actor, data.piece_ids)
    with transaction.atomic():
        cooperation = Cooperation.objects.create(
            workspace=actor.workspace,
            partner=partner,
            project=project,
            rate_item=item,
            title=data.title,
            status=data.status,
            booked_on=data.booked_on,
            publish_on=data.publish_on,
            quantity=data.quantity,
            list_price=list_price,
            agreed_price=agreed,
            paid_amount=data.paid_amount,
            currency=currency,
            notes=data.notes,
            created_by=actor.user,
            **{name: getattr(data, name) for name in RESULTS},
        )
        cooperation.pieces.set(pieces)
    return cooperation


def do_update_cooperation(
    *, actor: Membership, cooperation: Cooperation, data: CooperationPatch
) -> Cooperation:
    """Change the fields sent. A new rate item or booking day takes that day's list price;
    an agreed price that was the old list price follows it unless one is sent."""
    check_can_use(actor)
    changes = data.model_dump(exclude_unset=True)
    for name in ("title", "status", "booked_on", "quantity", "paid_amount"):
        if name in changes and changes[name] is None:
            raise Invalid(_("%(field)s cannot be empty.") % {"field": name}, field=name)
    partner = cooperation.partner
    item = cooperation.rate_item
    if "rate_item_id" in changes:
        item = _rate_item(partner, changes["rate_item_id"]) if changes["rate_item_id"] else None
    project = cooperation.project
    if "project_key" in changes:
        project = _project(actor, changes["project_key"])
    pieces = _pieces(actor, changes["piece_ids"]) if changes.get("piece_ids") is not None else None
    currency = _check_currency(item, changes.get("currency"))
    with transaction.atomic():
        before = lock_current(cooperation)
        for name in ("title", "status", "booked_on", "quantity", "paid_amount", "notes"):
            if changes.get(name) is not None:
                setattr(cooperation, name, changes[name])
        for name in ("publish_on", *RESULTS):
            if name in changes:
                setattr(cooperation, name, changes[name])
        old_list = cooperation.list_price
        cooperation.rate_item = item
        cooperation.project = project
        if "rate_item_id" in changes or "booked_on" in changes:
            cooperation.list_price = (
                price_at(item, cooperation.booked_on) if item is not None else None
            )
            if item is not None and not changes.get("currency"):
                currency = item.currency
        if changes.get("agreed_price") is not None:
            cooperation.agreed_price = changes["agreed_price"]
        elif (
            cooperation.list_price is not None
            and old_list is not None
            and cooperation.agreed_price == old_list
        ):
            cooperation.agreed_price = cooperation.list_price
        if currency:
            cooperation.currency = currency
        save_changed(cooperation, before, "updated_at")
        if pieces is not None:
            hidden = set(cooperation.pieces.values_list("pk", flat=True)) - set(
                visible_pieces(actor).filter(cooperations=cooperation).values_list("pk", flat=True)
            )
            cooperation.pieces.set(sorted(hidden | set(pieces)))
    return cooperation


def do_delete_cooperation(*, actor: Membership, cooperation: Cooperation) -> None:
    check_can_use(actor)
    if not can_delete_cooperation(actor, cooperation):
        raise Forbidden(
            _("Only who recorded it, the partner's owner or a workspace admin can delete this.")
        )
    cooperation.delete()


# --- reminders


def _schedule_follow_up(partner: Partner, interaction: Interaction) -> None:
    if interaction.follow_up_on is None or partner.owner_id is None:
        return
    enqueue_with_transaction(
        REMIND_TASK, run_after=_at_hour(partner.workspace, interaction.follow_up_on)
    )


def _schedule_contract_reminder(partner: Partner) -> None:
    if partner.contract_ends_on is None or partner.owner_id is None:
        return
    day = partner.contract_ends_on - dt.timedelta(days=CONTRACT_NOTICE_DAYS)
    enqueue_with_transaction(REMIND_TASK, run_after=_at_hour(partner.workspace, day))


def do_remind_follow_up(*, interaction: Interaction) -> bool:
    """Remind the partner's owner of a follow-up, once: the first caller to mark the
    interaction does it. Whether this caller reminded."""
    partner = interaction.partner
    with transaction.atomic():
        claimed = Interaction.objects.filter(pk=interaction.pk, follow_up_reminded=False).update(
            follow_up_reminded=True
        )
        if not claimed or partner.owner is None:
            return False
        interaction.follow_up_reminded = True
        do_notify(
            workspace_id=partner.workspace_id,
            recipients=[partner.owner],
            actor=None,
            kind=NOTIFICATION_KIND,
            title=lambda: _("Follow up with %(partner)s today") % {"partner": partner.name},
            url=partner_url(partner) + "#interactions",
            excerpt=interaction.note[:500],
        )
    return True


def do_remind_contract(*, partner: Partner) -> bool:
    """Remind the partner's owner that its contract ends soon, once per end date."""
    ends = partner.contract_ends_on
    if ends is None:
        return False
    with transaction.atomic():
        claimed = (
            Partner.objects.filter(pk=partner.pk, contract_ends_on=ends)
            .exclude(contract_reminded_for=ends)
            .update(contract_reminded_for=ends)
        )
        if not claimed or partner.owner is None:
            return False
        partner.contract_reminded_for = ends
        do_notify(
            workspace_id=partner.workspace_id,
            recipients=[partner.owner],
            actor=None,
            kind=NOTIFICATION_KIND,
            title=lambda: (
                _("The contract with %(partner)s ends on %(day)s: renew it?")
                % {"partner": partner.name, "day": ends.isoformat()}
            ),
            url=partner_url(partner) + "#contracts",
        )
    return True


def do_remind_partners(*, now: dt.datetime | None = None) -> int:
    """Every follow-up whose day has come and every contract ending within 30 days, each
    told once; how many reminders were sent."""
    told = 0
    for interaction in due_follow_ups(now):
        try:
            told += do_remind_follow_up(interaction=interaction)
        except Exception:  # noqa: BLE001 (one broken row must not stop the others)
            logger.exception("follow-up reminder of interaction %s failed", interaction.pk)
    for partner in due_contracts(now):
        try:
            told += do_remind_contract(partner=partner)
        except Exception:  # noqa: BLE001
            logger.exception("contract reminder of partner %s failed", partner.pk)
    return told
