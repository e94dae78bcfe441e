"""The partners API (docs/api.md#partners): partners, their contacts, accounts and
followers, interactions, contracts, rate cards with their price history, cooperations,
cost per result and the comparison of partners. Members and above; guests get 403."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from opsloop.core.errors import Invalid
from opsloop.core.schemas import ERROR_CODES, ErrorOut
from opsloop.partners import actions, queries
from opsloop.partners.models import Cooperation, Interaction, Partner, PriceChange, RateItem
from opsloop.partners.queries import DELETE, PartnerAccess, access_partner, access_partners
from opsloop.partners.schemas import (
    AccountIn,
    AccountOut,
    CompareRowOut,
    ContactIn,
    ContactOut,
    ContactPatch,
    ContractIn,
    ContractOut,
    CooperationIn,
    CooperationOut,
    CooperationPatch,
    CostMonthOut,
    FollowerPointOut,
    FollowersIn,
    InteractionIn,
    InteractionOut,
    InteractionPatch,
    PartnerDetailOut,
    PartnerIn,
    PartnerOut,
    PartnerPatch,
    PriceAtOut,
    PriceChangeIn,
    PriceChangeOut,
    PriceChangeRowOut,
    RateItemDetailOut,
    RateItemIn,
    RateItemPatch,
)

router = Router()

TAGS = ["Partners"]
ERRORS = {ERROR_CODES: ErrorOut}
PARTNERS = "/workspaces/{slug}/partners"
ONE = PARTNERS + "/{partner_id}"
MEMBERS = "Members and above (guests 403)."
DELETERS = "The partner's owner and workspace admins."


# --- shapes


def _partner(partner: Partner) -> dict:
    return {
        "id": partner.pk,
        "name": partner.name,
        "kind": partner.kind,
        "tags": partner.tags,
        "rating": partner.rating,
        "owner": partner.owner,
        "contract_ends_on": partner.contract_ends_on,
        "last_contacted_on": partner.last_contacted_on,
        "archived": partner.archived,
        "url": queries.partner_url(partner),
    }


def _account(account) -> dict:
    return {
        "id": account.pk,
        "channel_id": account.channel_id,
        "channel": account.channel.name,
        "platform": account.channel.platform,
        "name": account.name,
        "handle": account.handle,
        "url": account.url,
        "followers": account.followers,
        "followers_on": account.followers_on,
        "history": [{"day": c.day, "followers": c.followers} for c in account.history],
    }


def _contract(file, slug: str) -> dict:
    return {
        "file_id": file.pk,
        "name": file.name,
        "project_key": file.project.key if file.project_id else None,
        "url": f"/w/{slug}/files/{file.pk}/",
    }


def _rate_item(item: RateItem) -> dict:
    return {
        "id": item.pk,
        "format": item.format,
        "channel_id": item.channel_id,
        "unit": item.unit,
        "price": getattr(item, "current_price", item.price),
        "currency": item.currency,
        "active": item.active,
        "changes": list(item.changes.all()),
    }


def _cooperation(access: PartnerAccess, cooperation: Cooperation) -> dict:
    return {
        "id": cooperation.pk,
        "partner_id": cooperation.partner_id,
        "title": cooperation.title,
        "status": cooperation.status,
        "rate_item_id": cooperation.rate_item_id,
        "booked_on": cooperation.booked_on,
        "publish_on": cooperation.publish_on,
        "quantity": cooperation.quantity,
        "list_price": cooperation.list_price,
        "agreed_price": cooperation.agreed_price,
        "agreed_total": cooperation.agreed_price * cooperation.quantity,
        "paid_amount": cooperation.paid_amount,
        "currency": cooperation.currency,
        "project_key": cooperation.project.key if cooperation.project else None,
        "piece_ids": queries.visible_piece_ids(cooperation),
        "reach": cooperation.reach,
        "clicks": cooperation.clicks,
        "attributed_users": cooperation.attributed_users,
        "conversions": cooperation.conversions,
        "revenue": cooperation.revenue,
        "notes": cooperation.notes,
        "created_by": cooperation.created_by,
    }


def _today(access: PartnerAccess):
    return queries.local_today(access.membership.workspace)


def _items(access: PartnerAccess) -> list[RateItem]:
    return queries.rate_items(access.partner, _today(access))


def _contracts(access: PartnerAccess) -> list[dict]:
    slug = access.membership.workspace.slug
    return [
        _contract(f, slug) for f in queries.partner_contracts(access.membership, access.partner)
    ]


def _detail(request: HttpRequest, slug: str, partner_id: int) -> dict:
    access = access_partner(request.auth, slug, partner_id)
    partner = access.partner
    return _partner(partner) | {
        "notes": partner.notes,
        "notes_html": partner.notes_html,
        "contacts": list(partner.contacts.all()),
        "accounts": [_account(a) for a in queries.partner_accounts(partner)],
        "contracts": _contracts(access),
        "rate_items": [_rate_item(i) for i in _items(access)],
        "can_delete": access.can_delete,
    }


def _access(request: HttpRequest, slug: str, partner_id: int, need: str = "view"):
    return access_partner(request.auth, slug, partner_id, need)


# --- partners


class PartnerListQuery(Schema):
    kind: str | None = Field(None, description="media, kol, koc, agency, merchant, supplier.")
    tag: str | None = Field(None, description="Partners with this tag.")
    owner: str | None = Field(None, description="Partners this user id owns.")
    quiet: str | None = Field(None, description="Not contacted for at least N days (or never).")
    contract: str | None = Field(None, description="The contract ends within N days.")
    q: str | None = Field(None, description="Part of the name.")
    archived: str | None = Field(None, description="1: the archived partners instead.")


@router.get(
    PARTNERS,
    response={200: list[PartnerOut], **ERRORS},
    summary="List partners",
    description=MEMBERS + " By name, at most 500.",
    tags=TAGS,
)
def get_partners(request: HttpRequest, slug: str, filters: Query[PartnerListQuery]) -> list:
    membership = access_partners(request.auth, slug)
    found = queries.list_partners(membership, queries.parse_partner_filters(request.GET))
    for partner in found:
        partner.workspace = membership.workspace
    return [_partner(p) for p in found]


@router.post(
    PARTNERS,
    response={201: PartnerDetailOut, **ERRORS},
    summary="Create a partner",
    description=MEMBERS + " The owner (default the caller) must be a member, not a guest.",
    tags=TAGS,
)
def create_partner(request: HttpRequest, slug: str, payload: PartnerIn) -> Status[dict]:
    membership = access_partners(request.auth, slug)
    partner = actions.do_create_partner(actor=membership, data=payload)
    return Status(201, _detail(request, slug, partner.pk))


# Before the partner's own paths: "price-changes" must not be taken for a partner id.


class PeriodQuery(Schema):
    from_: str | None = Field(None, alias="from", description="YYYY-MM-DD; default 90 days ago.")
    to: str | None = Field(None, description="YYYY-MM-DD; default today.")
    kind: str | None = Field(None, description="Only partners of this kind.")
    partner: str | None = Field(None, description="Only this partner id.")


@router.get(
    PARTNERS + "/price-changes",
    response={200: list[PriceChangeRowOut], **ERRORS},
    summary="List price changes across partners",
    description=MEMBERS + " Those that took effect in the period, newest first, at most 500 "
    "(first prices listed, with no old price, too).",
    tags=TAGS,
)
def get_all_price_changes(request: HttpRequest, slug: str, params: Query[PeriodQuery]) -> list:
    membership = access_partners(request.auth, slug)
    period = queries.parse_period(request.GET, queries.local_today(membership.workspace))
    return [
        {
            "id": c.pk, "effective_on": c.effective_on, "old_price": c.old_price,
            "new_price": c.new_price, "note": c.note, "changed_by": c.changed_by,
            "created_at": c.created_at, "partner_id": c.rate_item.partner_id,
            "partner": c.rate_item.partner.name, "rate_item_id": c.rate_item_id,
            "format": c.rate_item.format, "currency": c.rate_item.currency,
        }
        for c in queries.price_changes(membership, period)
    ]  # fmt: skip


class CompareQuery(PeriodQuery):
    tag: str | None = Field(None, description="Only partners with this tag.")
    basis: str | None = Field(None, description="agreed (default) or paid.")
    sort: str | None = Field(
        None,
        description="partner, cooperations, cost, cpm, cpc (default), cost_per_user, "
        "cost_per_conversion, roi; a leading - sorts descending.",
    )


@router.get(
    PARTNERS + "/compare",
    response={200: list[CompareRowOut], **ERRORS},
    summary="Compare partners on cost per result",
    description=MEMBERS + " Each partner (and currency) with cooperations that went out in "
    "the period (default the last 365 days); rows lacking the sorted value last.",
    tags=TAGS,
)
def compare(request: HttpRequest, slug: str, params: Query[CompareQuery]) -> list:
    membership = access_partners(request.auth, slug)
    filters = queries.parse_compare(request.GET, queries.local_today(membership.workspace))
    return [
        _costs(r.costs) | {"partner_id": r.partner.pk, "partner": r.partner.name,
                           "kind": r.partner.kind}
        for r in queries.compare_partners(membership, filters)
    ]  # fmt: skip


@router.get(
    ONE,
    response={200: PartnerDetailOut, **ERRORS},
    summary="Get a partner",
    description=MEMBERS + " With contacts, accounts and their followers, contracts and the "
    "rate card (each line's price today).",
    tags=TAGS,
)
def get_partner(request: HttpRequest, slug: str, partner_id: int) -> dict:
    return _detail(request, slug, partner_id)


@router.patch(
    ONE,
    response={200: PartnerDetailOut, **ERRORS},
    summary="Change a partner",
    description=MEMBERS + " Only the fields sent change.",
    tags=TAGS,
)
def update_partner(request: HttpRequest, slug: str, partner_id: int, payload: PartnerPatch) -> dict:
    access = _access(request, slug, partner_id)
    actions.do_update_partner(actor=access.membership, partner=access.partner, data=payload)
    return _detail(request, slug, partner_id)


@router.delete(
    ONE,
    response={204: None, **ERRORS},
    summary="Delete a partner",
    description=DELETERS + " With its contacts, interactions, rate card and cooperations.",
    tags=TAGS,
)
def delete_partner(request: HttpRequest, slug: str, partner_id: int) -> Status[None]:
    access = _access(request, slug, partner_id, DELETE)
    actions.do_delete_partner(actor=access.membership, partner=access.partner)
    return Status(204, None)


# --- contacts


@router.get(
    ONE + "/contacts",
    response={200: list[ContactOut], **ERRORS},
    summary="List a partner's contacts",
    description=MEMBERS,
    tags=TAGS,
)
def get_contacts(request: HttpRequest, slug: str, partner_id: int) -> list:
    return list(_access(request, slug, partner_id).partner.contacts.all())


@router.post(
    ONE + "/contacts",
    response={201: ContactOut, **ERRORS},
    summary="Add a contact",
    description=MEMBERS,
    tags=TAGS,
)
def add_contact(request: HttpRequest, slug: str, partner_id: int, payload: ContactIn) -> Status:
    access = _access(request, slug, partner_id)
    return Status(
        201, actions.do_add_contact(actor=access.membership, partner=access.partner, data=payload)
    )


@router.patch(
    ONE + "/contacts/{contact_id}",
    response={200: ContactOut, **ERRORS},
    summary="Change a contact",
    description=MEMBERS,
    tags=TAGS,
)
def update_contact(
    request: HttpRequest, slug: str, partner_id: int, contact_id: int, payload: ContactPatch
):
    access = _access(request, slug, partner_id)
    contact = queries.get_contact(access.partner, contact_id)
    return actions.do_update_contact(actor=access.membership, contact=contact, data=payload)


@router.delete(
    ONE + "/contacts/{contact_id}",
    response={204: None, **ERRORS},
    summary="Remove a contact",
    description=MEMBERS,
    tags=TAGS,
)
def delete_contact(request: HttpRequest, slug: str, partner_id: int, contact_id: int) -> Status:
    access = _access(request, slug, partner_id)
    contact = queries.get_contact(access.partner, contact_id)
    actions.do_delete_contact(actor=access.membership, contact=contact)
    return Status(204, None)


# --- accounts


@router.get(
    ONE + "/accounts",
    response={200: list[AccountOut], **ERRORS},
    summary="List a partner's accounts",
    description=MEMBERS + " Each with its followers of the last year, by day.",
    tags=TAGS,
)
def get_accounts(request: HttpRequest, slug: str, partner_id: int) -> list:
    access = _access(request, slug, partner_id)
    return [_account(a) for a in queries.partner_accounts(access.partner)]


@router.post(
    ONE + "/accounts",
    response={201: AccountOut, **ERRORS},
    summary="Link or add a partner account",
    description=MEMBERS + " `account_id` links a partner account of the workspace; else "
    "`channel_id` and `name` make one (a partner's, not the team's), with `followers` today.",
    tags=TAGS,
)
def link_account(request: HttpRequest, slug: str, partner_id: int, payload: AccountIn) -> Status:
    access = _access(request, slug, partner_id)
    account = actions.do_link_account(actor=access.membership, partner=access.partner, data=payload)
    (linked,) = queries.partner_accounts(access.partner, ids=[account.pk])
    return Status(201, _account(linked))


@router.delete(
    ONE + "/accounts/{partner_account_id}",
    response={204: None, **ERRORS},
    summary="Unlink a partner account",
    description=MEMBERS + " The account stays on its channel with its follower history.",
    tags=TAGS,
)
def unlink_account(
    request: HttpRequest, slug: str, partner_id: int, partner_account_id: int
) -> Status:
    access = _access(request, slug, partner_id)
    account = queries.get_account(access.partner, partner_account_id)
    actions.do_unlink_account(actor=access.membership, partner=access.partner, account=account)
    return Status(204, None)


@router.post(
    ONE + "/accounts/{partner_account_id}/followers",
    response={201: FollowerPointOut, **ERRORS},
    summary="Record an account's followers",
    description=MEMBERS + " On a day (default today, never ahead); a second count of the "
    "same day replaces the first.",
    tags=TAGS,
)
def record_followers(
    request: HttpRequest,
    slug: str,
    partner_id: int,
    partner_account_id: int,
    payload: FollowersIn,
) -> Status:
    access = _access(request, slug, partner_id)
    account = queries.get_account(access.partner, partner_account_id)
    return Status(
        201, actions.do_record_followers(actor=access.membership, account=account, data=payload)
    )


# --- interactions


def _interaction_list(partner: Partner) -> list[Interaction]:
    return queries.partner_interactions(partner)


@router.get(
    ONE + "/interactions",
    response={200: list[InteractionOut], **ERRORS},
    summary="List contacts made with a partner",
    description=MEMBERS + " Latest first, at most 200.",
    tags=TAGS,
)
def get_interactions(request: HttpRequest, slug: str, partner_id: int) -> list:
    return _interaction_list(_access(request, slug, partner_id).partner)


@router.post(
    ONE + "/interactions",
    response={201: InteractionOut, **ERRORS},
    summary="Record a contact made",
    description=MEMBERS + " It moves the partner's last contact; its `follow_up_on` reminds "
    "the partner's owner on that day (once).",
    tags=TAGS,
)
def add_interaction(
    request: HttpRequest, slug: str, partner_id: int, payload: InteractionIn
) -> Status:
    access = _access(request, slug, partner_id)
    made = actions.do_add_interaction(actor=access.membership, partner=access.partner, data=payload)
    return Status(201, made)


@router.patch(
    ONE + "/interactions/{interaction_id}",
    response={200: InteractionOut, **ERRORS},
    summary="Change a contact made",
    description=MEMBERS + " A new follow-up day is reminded of again.",
    tags=TAGS,
)
def update_interaction(
    request: HttpRequest, slug: str, partner_id: int, interaction_id: int, payload: InteractionPatch
):
    access = _access(request, slug, partner_id)
    interaction = queries.get_interaction(access.partner, interaction_id)
    return actions.do_update_interaction(
        actor=access.membership, interaction=interaction, data=payload
    )


@router.delete(
    ONE + "/interactions/{interaction_id}",
    response={204: None, **ERRORS},
    summary="Remove a contact made",
    description=MEMBERS,
    tags=TAGS,
)
def delete_interaction(
    request: HttpRequest, slug: str, partner_id: int, interaction_id: int
) -> Status:
    access = _access(request, slug, partner_id)
    interaction = queries.get_interaction(access.partner, interaction_id)
    actions.do_delete_interaction(actor=access.membership, interaction=interaction)
    return Status(204, None)


# --- contracts


@router.get(
    ONE + "/contracts",
    response={200: list[ContractOut], **ERRORS},
    summary="List a partner's contracts",
    description=MEMBERS + " The files the caller sees.",
    tags=TAGS,
)
def get_contracts(request: HttpRequest, slug: str, partner_id: int) -> list:
    return _contracts(_access(request, slug, partner_id))


@router.post(
    ONE + "/contracts",
    response={201: ContractOut, **ERRORS},
    summary="Attach a contract",
    description=MEMBERS + " A file of the library the caller sees (upload it there first).",
    tags=TAGS,
)
def attach_contract(
    request: HttpRequest, slug: str, partner_id: int, payload: ContractIn
) -> Status:
    access = _access(request, slug, partner_id)
    file = actions.do_attach_contract(
        actor=access.membership, partner=access.partner, file_id=payload.file_id
    )
    return Status(201, _contract(file, slug))


@router.delete(
    ONE + "/contracts/{contract_file_id}",
    response={204: None, **ERRORS},
    summary="Detach a contract",
    description=MEMBERS + " The file stays in the library.",
    tags=TAGS,
)
def detach_contract(
    request: HttpRequest, slug: str, partner_id: int, contract_file_id: int
) -> Status:
    access = _access(request, slug, partner_id)
    actions.do_detach_contract(
        actor=access.membership, partner=access.partner, file_id=contract_file_id
    )
    return Status(204, None)


# --- the rate card


def _one_item(access: PartnerAccess, item_id: int) -> dict:
    found = [i for i in _items(access) if i.pk == item_id]
    if not found:
        queries.get_rate_item(access.partner, item_id)  # the 404
    return _rate_item(found[0])


@router.get(
    ONE + "/rate-items",
    response={200: list[RateItemDetailOut], **ERRORS},
    summary="Get a partner's rate card",
    description=MEMBERS + " Each line with its price today and every change of it.",
    tags=TAGS,
)
def get_rate_items(request: HttpRequest, slug: str, partner_id: int) -> list:
    return [_rate_item(i) for i in _items(_access(request, slug, partner_id))]


@router.post(
    ONE + "/rate-items",
    response={201: RateItemDetailOut, **ERRORS},
    summary="Add a line to the rate card",
    description=MEMBERS + " Its price, from `effective_on` (default today), is the first row "
    "of its history.",
    tags=TAGS,
)
def create_rate_item(
    request: HttpRequest, slug: str, partner_id: int, payload: RateItemIn
) -> Status:
    access = _access(request, slug, partner_id)
    item = actions.do_create_rate_item(
        actor=access.membership, partner=access.partner, data=payload
    )
    return Status(201, _one_item(access, item.pk))


@router.get(
    ONE + "/rate-items/{rate_item_id}",
    response={200: RateItemDetailOut, **ERRORS},
    summary="Get a rate card line",
    description=MEMBERS + " With every change of its price.",
    tags=TAGS,
)
def get_rate_item(request: HttpRequest, slug: str, partner_id: int, rate_item_id: int) -> dict:
    return _one_item(_access(request, slug, partner_id), rate_item_id)


@router.patch(
    ONE + "/rate-items/{rate_item_id}",
    response={200: RateItemDetailOut, **ERRORS},
    summary="Change a rate card line",
    description=MEMBERS + " Its format, channel, unit, whether it is offered; the price "
    "changes through its price changes.",
    tags=TAGS,
)
def update_rate_item(
    request: HttpRequest, slug: str, partner_id: int, rate_item_id: int, payload: RateItemPatch
) -> dict:
    access = _access(request, slug, partner_id)
    item = queries.get_rate_item(access.partner, rate_item_id)
    actions.do_update_rate_item(actor=access.membership, item=item, data=payload)
    return _one_item(access, rate_item_id)


@router.delete(
    ONE + "/rate-items/{rate_item_id}",
    response={204: None, **ERRORS},
    summary="Remove a rate card line",
    description=DELETERS + " With its price history; cooperations keep their prices.",
    tags=TAGS,
)
def delete_rate_item(
    request: HttpRequest, slug: str, partner_id: int, rate_item_id: int
) -> Status[None]:
    access = _access(request, slug, partner_id)
    item = queries.get_rate_item(access.partner, rate_item_id)
    actions.do_delete_rate_item(actor=access.membership, item=item)
    return Status(204, None)


@router.get(
    ONE + "/rate-items/{rate_item_id}/changes",
    response={200: list[PriceChangeOut], **ERRORS},
    summary="Get a price's history",
    description=MEMBERS + " Every change, oldest first: from when, old and new price, who, why.",
    tags=TAGS,
)
def get_price_changes(
    request: HttpRequest, slug: str, partner_id: int, rate_item_id: int
) -> list[PriceChange]:
    access = _access(request, slug, partner_id)
    return queries.price_history(queries.get_rate_item(access.partner, rate_item_id))


@router.post(
    ONE + "/rate-items/{rate_item_id}/changes",
    response={201: PriceChangeOut, **ERRORS},
    summary="Change a price",
    description=MEMBERS + " A new price from `effective_on` (past or future); the old price "
    "is the one in force that day. Cooperations booked keep their prices.",
    tags=TAGS,
)
def change_price(
    request: HttpRequest, slug: str, partner_id: int, rate_item_id: int, payload: PriceChangeIn
) -> Status:
    access = _access(request, slug, partner_id)
    item = queries.get_rate_item(access.partner, rate_item_id)
    return Status(201, actions.do_change_price(actor=access.membership, item=item, data=payload))


class PriceAtQuery(Schema):
    day: str | None = Field(None, description="YYYY-MM-DD; default today.")


@router.get(
    ONE + "/rate-items/{rate_item_id}/price",
    response={200: PriceAtOut, **ERRORS},
    summary="Get the price on a day",
    description=MEMBERS + " The price in force on `day`; null before the first price.",
    tags=TAGS,
)
def get_price_at(
    request: HttpRequest, slug: str, partner_id: int, rate_item_id: int, params: Query[PriceAtQuery]
) -> dict:
    access = _access(request, slug, partner_id)
    item = queries.get_rate_item(access.partner, rate_item_id)
    day = parse_date(params.day) if params.day else _today(access)
    if day is None:
        raise Invalid(_("%(field)s must be a date (YYYY-MM-DD).") % {"field": "day"}, field="day")
    price = queries.price_at(item, day)
    return {"rate_item_id": item.pk, "day": day, "price": price, "currency": item.currency}


# --- cooperations


@router.get(
    ONE + "/cooperations",
    response={200: list[CooperationOut], **ERRORS},
    summary="List a partner's cooperations",
    description=MEMBERS + " Those of no project and of the projects the caller sees, latest "
    "booked first.",
    tags=TAGS,
)
def get_cooperations(request: HttpRequest, slug: str, partner_id: int) -> list:
    access = _access(request, slug, partner_id)
    return [
        _cooperation(access, c)
        for c in queries.partner_cooperations(access.membership, access.partner)
    ]


@router.post(
    ONE + "/cooperations",
    response={201: CooperationOut, **ERRORS},
    summary="Record a cooperation",
    description=MEMBERS + " With a rate item, `list_price` is its price on `booked_on` and "
    "`agreed_price` defaults to it.",
    tags=TAGS,
)
def create_cooperation(
    request: HttpRequest, slug: str, partner_id: int, payload: CooperationIn
) -> Status:
    access = _access(request, slug, partner_id)
    made = actions.do_create_cooperation(
        actor=access.membership, partner=access.partner, data=payload
    )
    return Status(201, _cooperation(access, queries.get_cooperation(access.membership, access.partner, made.pk)))  # fmt: skip


@router.get(
    ONE + "/cooperations/{cooperation_id}",
    response={200: CooperationOut, **ERRORS},
    summary="Get a cooperation",
    description=MEMBERS + " 404 when it is for a project the caller does not see.",
    tags=TAGS,
)
def get_cooperation(request: HttpRequest, slug: str, partner_id: int, cooperation_id: int) -> dict:
    access = _access(request, slug, partner_id)
    cooperation = queries.get_cooperation(access.membership, access.partner, cooperation_id)
    return _cooperation(access, cooperation)


@router.patch(
    ONE + "/cooperations/{cooperation_id}",
    response={200: CooperationOut, **ERRORS},
    summary="Change a cooperation",
    description=MEMBERS + " A new rate item or booking day takes that day's list price (an "
    "agreed price equal to the old list price follows it); results, payments, pieces.",
    tags=TAGS,
)
def update_cooperation(
    request: HttpRequest,
    slug: str,
    partner_id: int,
    cooperation_id: int,
    payload: CooperationPatch,
) -> dict:
    access = _access(request, slug, partner_id)
    cooperation = queries.get_cooperation(access.membership, access.partner, cooperation_id)
    actions.do_update_cooperation(actor=access.membership, cooperation=cooperation, data=payload)
    fresh = queries.get_cooperation(access.membership, access.partner, cooperation_id)
    return _cooperation(access, fresh)


@router.delete(
    ONE + "/cooperations/{cooperation_id}",
    response={204: None, **ERRORS},
    summary="Delete a cooperation",
    description="Who recorded it, the partner's owner and workspace admins.",
    tags=TAGS,
)
def delete_cooperation(
    request: HttpRequest, slug: str, partner_id: int, cooperation_id: int
) -> Status[None]:
    access = _access(request, slug, partner_id)
    cooperation = queries.get_cooperation(access.membership, access.partner, cooperation_id)
    actions.do_delete_cooperation(actor=access.membership, cooperation=cooperation)
    return Status(204, None)


# --- cost per result, price changes, comparison


class CostQuery(Schema):
    basis: str | None = Field(
        None, description="agreed (default: agreed price × quantity) or paid."
    )
    from_: str | None = Field(None, alias="from", description="Went out on or after.")
    to: str | None = Field(None, description="... on or before.")


def _costs(costs: queries.Costs) -> dict:
    return costs.as_dict()


@router.get(
    ONE + "/costs",
    response={200: list[CostMonthOut], **ERRORS},
    summary="Get a partner's cost per result by month",
    description=MEMBERS + " Per month a cooperation went out (or was booked) and currency: "
    "cost, results, CPM, cost per click, user and conversion, ROI. Cancelled ones left out.",
    tags=TAGS,
)
def get_costs(request: HttpRequest, slug: str, partner_id: int, params: Query[CostQuery]) -> list:
    access = _access(request, slug, partner_id)
    period = queries.parse_period(request.GET, _today(access), days=3660)
    months = queries.cost_by_month(
        access.membership,
        access.partner,
        basis=queries.parse_basis(request.GET),
        start=period.start if request.GET.get("from") else None,
        end=period.end if request.GET.get("to") else None,
    )
    return [_costs(m.costs) | {"month": m.month} for m in months]
