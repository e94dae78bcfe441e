"""Pages of partners: the list with its filters and the new-partner form, a partner with
its contacts, accounts, rate card (a chart of each price over time), cooperations,
interactions, contracts and cost per result; the edit forms; price changes across
partners in a period; partners compared on cost per result. Guests get 403."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from opsloop.core.errors import Invalid, OpsloopError
from opsloop.core.inputs import parse_input
from opsloop.core.models import Membership
from opsloop.core.pages import form_data, int_param, page, raise_if_denied
from opsloop.partners import actions, queries
from opsloop.partners.models import (
    CooperationStatus,
    InteractionKind,
    PartnerKind,
)
from opsloop.partners.queries import DELETE, PartnerAccess
from opsloop.partners.schemas import (
    AccountIn,
    ContactIn,
    CooperationIn,
    CooperationPatch,
    FollowersIn,
    InteractionIn,
    PartnerIn,
    PartnerPatch,
    PriceChangeIn,
    RateItemIn,
    RateItemPatch,
)

PARTNER_BLANK_NONE = ("rating", "owner_id", "contract_ends_on")
COOPERATION_BLANK_NONE = (
    "rate_item_id", "publish_on", "agreed_price", "currency", "project_key", "reach", "clicks",
    "attributed_users", "conversions", "revenue",
)  # fmt: skip


def _tags(text: str | None) -> list[str]:
    """Tags typed as one line: split on commas (either width) and 、."""
    raw = (text or "").replace("，", ",").replace("、", ",")
    return [t.strip() for t in raw.split(",") if t.strip()]


def _base(membership: Membership) -> dict:
    return {
        "membership": membership,
        "workspace": membership.workspace,
        "nav": "partners",
        "stars": range(1, 6),
    }


def _status(error: OpsloopError | None) -> int:
    return error.status if error else 200


# --- the list


def _partner_values(request: HttpRequest) -> dict:
    values = form_data(request, blank_is_none=PARTNER_BLANK_NONE)
    values["tags"] = _tags(values.get("tags"))
    return values


@login_required
@page
def partner_list(request: HttpRequest, slug: str) -> HttpResponse:
    membership = queries.access_partners(request.user, slug)
    error = None
    values: dict = {"kind": "kol", "owner_id": str(membership.user_id)}
    if request.method == "POST":
        values = _partner_values(request)
        try:
            partner = actions.do_create_partner(
                actor=membership, data=parse_input(PartnerIn, values)
            )
        except OpsloopError as exc:
            raise_if_denied(exc)
            error = exc
        else:
            messages.success(request, _("Partner added."))
            return redirect("partner", slug=slug, partner_id=partner.pk)
    filter_error = None
    try:
        filters = queries.parse_partner_filters(request.GET)
    except Invalid as exc:
        filter_error, filters = exc, queries.PartnerFilters()
    today = queries.local_today(membership.workspace)
    partners = queries.list_partners(membership, filters)
    for partner in partners:
        if partner.last_contacted_on is not None:
            partner.quiet_days = (today - partner.last_contacted_on).days  # type: ignore[attr-defined]
    context = _base(membership) | {
        "filters": filters,
        "partners": partners,
        "kinds": PartnerKind.choices,
        "tags": queries.tag_choices(membership),
        "people": queries.people_choices(membership),
        "values": values,
        "error": error or filter_error,
    }
    status = _status(error) if error else (400 if filter_error else 200)
    return TemplateResponse(request, "partners/partner_list.html", context, status=status)


# --- one partner


def _detail_context(access: PartnerAccess) -> dict:
    membership, partner = access.membership, access.partner
    today = queries.local_today(membership.workspace)
    items = queries.rate_items(partner, today)
    charts = [queries.price_chart(i, list(i.changes.all()), today) for i in items]
    return _base(membership) | {
        "partner": partner,
        "can_delete": access.can_delete,
        "today": today,
        "contacts": list(partner.contacts.all()),
        "accounts": queries.partner_accounts(partner),
        "contracts": queries.partner_contracts(membership, partner),
        "rate_items": items,
        "charts": {"items": charts, "labels": {"price": _("Price")}},
        "cooperations": queries.partner_cooperations(membership, partner),
        "interactions": queries.partner_interactions(partner),
        "months": queries.cost_by_month(membership, partner),
        "channels": queries.channel_choices(membership),
        "linkable": queries.linkable_accounts(membership, partner),
        "files": queries.file_choices(membership, partner),
        "projects": queries.project_choices(membership),
        "pieces": queries.piece_choices(membership),
        "kinds": PartnerKind.choices,
        "interaction_kinds": InteractionKind.choices,
        "statuses": CooperationStatus.choices,
    }


@login_required
@page
def partner_detail(request: HttpRequest, slug: str, partner_id: int) -> HttpResponse:
    access = queries.access_partner(request.user, slug, partner_id)
    error = None
    if request.method == "POST":
        try:
            return _handle_post(request, access)
        except OpsloopError as exc:
            raise_if_denied(exc)
            error = exc
        access = queries.access_partner(request.user, slug, partner_id)
    context = _detail_context(access) | {"error": error, "op": request.POST.get("op", "")}
    return TemplateResponse(request, "partners/partner_detail.html", context, status=_status(error))


def _handle_post(request: HttpRequest, access: PartnerAccess) -> HttpResponse:
    handler = OPS.get(request.POST.get("op", ""))
    if handler is None:
        raise Invalid(_("Unknown operation."))
    anchor = handler(request, access)
    url = queries.partner_url(access.partner)
    return redirect(url + (f"#{anchor}" if anchor else ""))


def _add_contact(request: HttpRequest, access: PartnerAccess) -> str:
    values = form_data(request)
    values.pop("op", None)
    data = parse_input(ContactIn, values)
    actions.do_add_contact(actor=access.membership, partner=access.partner, data=data)
    return "contacts"


def _delete_contact(request: HttpRequest, access: PartnerAccess) -> str:
    contact = queries.get_contact(access.partner, int_param(request.POST.get("contact_id")))
    actions.do_delete_contact(actor=access.membership, contact=contact)
    return "contacts"


def _link_account(request: HttpRequest, access: PartnerAccess) -> str:
    values = form_data(request, blank_is_none=("account_id", "channel_id", "followers"))
    values.pop("op", None)
    actions.do_link_account(
        actor=access.membership, partner=access.partner, data=parse_input(AccountIn, values)
    )
    return "accounts"


def _unlink_account(request: HttpRequest, access: PartnerAccess) -> str:
    account = queries.get_account(access.partner, int_param(request.POST.get("account_id")))
    actions.do_unlink_account(actor=access.membership, partner=access.partner, account=account)
    return "accounts"


def _record_followers(request: HttpRequest, access: PartnerAccess) -> str:
    account = queries.get_account(access.partner, int_param(request.POST.get("account_id")))
    values = form_data(request, blank_is_none=("day",))
    data = parse_input(
        FollowersIn, {"followers": values.get("followers"), "day": values.get("day")}
    )
    actions.do_record_followers(actor=access.membership, account=account, data=data)
    return "accounts"


def _add_interaction(request: HttpRequest, access: PartnerAccess) -> str:
    values = form_data(request, blank_is_none=("day", "follow_up_on"))
    values.pop("op", None)
    actions.do_add_interaction(
        actor=access.membership, partner=access.partner, data=parse_input(InteractionIn, values)
    )
    return "interactions"


def _delete_interaction(request: HttpRequest, access: PartnerAccess) -> str:
    found = queries.get_interaction(access.partner, int_param(request.POST.get("interaction_id")))
    actions.do_delete_interaction(actor=access.membership, interaction=found)
    return "interactions"


def _attach_contract(request: HttpRequest, access: PartnerAccess) -> str:
    file_id = int_param(request.POST.get("file_id"))
    actions.do_attach_contract(actor=access.membership, partner=access.partner, file_id=file_id)
    return "contracts"


def _detach_contract(request: HttpRequest, access: PartnerAccess) -> str:
    file_id = int_param(request.POST.get("file_id"))
    actions.do_detach_contract(actor=access.membership, partner=access.partner, file_id=file_id)
    return "contracts"


def _add_rate_item(request: HttpRequest, access: PartnerAccess) -> str:
    values = form_data(request, blank_is_none=("channel_id", "effective_on"))
    values.pop("op", None)
    values["currency"] = values.get("currency") or "CNY"
    actions.do_create_rate_item(
        actor=access.membership, partner=access.partner, data=parse_input(RateItemIn, values)
    )
    return "rate-card"


def _change_price(request: HttpRequest, access: PartnerAccess) -> str:
    item = queries.get_rate_item(access.partner, int_param(request.POST.get("rate_item_id")))
    values = form_data(request)
    data = parse_input(
        PriceChangeIn,
        {k: values.get(k, "") for k in ("new_price", "effective_on", "note")},
    )
    actions.do_change_price(actor=access.membership, item=item, data=data)
    messages.success(request, _("Price changed; the old one stays in the history."))
    return f"item-{item.pk}"


def _offer_rate_item(request: HttpRequest, access: PartnerAccess) -> str:
    item = queries.get_rate_item(access.partner, int_param(request.POST.get("rate_item_id")))
    data = parse_input(RateItemPatch, {"active": request.POST.get("active", "")})
    actions.do_update_rate_item(actor=access.membership, item=item, data=data)
    return f"item-{item.pk}"


def _delete_rate_item(request: HttpRequest, access: PartnerAccess) -> str:
    item = queries.get_rate_item(access.partner, int_param(request.POST.get("rate_item_id")))
    actions.do_delete_rate_item(actor=access.membership, item=item)
    return "rate-card"


def _cooperation_values(request: HttpRequest) -> dict:
    values = form_data(request, lists=("piece_ids",), blank_is_none=COOPERATION_BLANK_NONE)
    values.pop("op", None)
    return values


def _add_cooperation(request: HttpRequest, access: PartnerAccess) -> str:
    values = _cooperation_values(request)
    for name in ("quantity", "paid_amount", "status"):
        if not values.get(name):
            values.pop(name, None)
    actions.do_create_cooperation(
        actor=access.membership, partner=access.partner, data=parse_input(CooperationIn, values)
    )
    messages.success(request, _("Cooperation recorded."))
    return "cooperations"


def _delete_cooperation(request: HttpRequest, access: PartnerAccess) -> str:
    cooperation = queries.get_cooperation(
        access.membership, access.partner, int_param(request.POST.get("cooperation_id"))
    )
    actions.do_delete_cooperation(actor=access.membership, cooperation=cooperation)
    return "cooperations"


OPS: dict[str, Callable[[HttpRequest, PartnerAccess], str]] = {
    "add_contact": _add_contact,
    "delete_contact": _delete_contact,
    "link_account": _link_account,
    "unlink_account": _unlink_account,
    "record_followers": _record_followers,
    "add_interaction": _add_interaction,
    "delete_interaction": _delete_interaction,
    "attach_contract": _attach_contract,
    "detach_contract": _detach_contract,
    "add_rate_item": _add_rate_item,
    "change_price": _change_price,
    "offer_rate_item": _offer_rate_item,
    "delete_rate_item": _delete_rate_item,
    "add_cooperation": _add_cooperation,
    "delete_cooperation": _delete_cooperation,
}


@login_required
@page
def partner_edit(request: HttpRequest, slug: str, partner_id: int) -> HttpResponse:
    access = queries.access_partner(request.user, slug, partner_id)
    partner = access.partner
    error = None
    values: dict = {
        "name": partner.name,
        "kind": partner.kind,
        "tags": partner.tags,
        "rating": str(partner.rating or ""),
        "notes": partner.notes,
        "owner_id": str(partner.owner_id or ""),
        "contract_ends_on": partner.contract_ends_on.isoformat()
        if partner.contract_ends_on
        else "",
        "archived": partner.archived,
    }
    if request.method == "POST":
        values = _partner_values(request)
        values["archived"] = "archived" in request.POST
        try:
            actions.do_update_partner(
                actor=access.membership, partner=partner, data=parse_input(PartnerPatch, values)
            )
        except OpsloopError as exc:
            raise_if_denied(exc)
            error = exc
        else:
            messages.success(request, _("Saved."))
            return redirect("partner", slug=slug, partner_id=partner.pk)
    context = _base(access.membership) | {
        "partner": partner,
        "values": values,
        "error": error,
        "kinds": PartnerKind.choices,
        "people": queries.people_choices(access.membership),
        "can_delete": access.can_delete,
    }
    return TemplateResponse(request, "partners/partner_form.html", context, status=_status(error))


@login_required
@require_POST
@page
def partner_delete(request: HttpRequest, slug: str, partner_id: int) -> HttpResponse:
    access = queries.access_partner(request.user, slug, partner_id, DELETE)
    actions.do_delete_partner(actor=access.membership, partner=access.partner)
    messages.success(request, _("Partner deleted."))
    return redirect("partners", slug=slug)


@login_required
@page
def cooperation_edit(
    request: HttpRequest, slug: str, partner_id: int, cooperation_id: int
) -> HttpResponse:
    """A cooperation's terms, payment, links and results."""
    access = queries.access_partner(request.user, slug, partner_id)
    cooperation = queries.get_cooperation(access.membership, access.partner, cooperation_id)
    error = None
    values: dict = {
        "title": cooperation.title,
        "rate_item_id": str(cooperation.rate_item_id or ""),
        "status": cooperation.status,
        "booked_on": cooperation.booked_on.isoformat(),
        "publish_on": cooperation.publish_on.isoformat() if cooperation.publish_on else "",
        "quantity": str(cooperation.quantity),
        "agreed_price": str(cooperation.agreed_price),
        "paid_amount": str(cooperation.paid_amount),
        "currency": cooperation.currency,
        "project_key": cooperation.project.key if cooperation.project else "",
        "piece_ids": [str(pk) for pk in queries.visible_piece_ids(cooperation)],
        "notes": cooperation.notes,
        **{
            name: "" if getattr(cooperation, name) is None else str(getattr(cooperation, name))
            for name in actions.RESULTS
        },
    }
    if request.method == "POST":
        values = _cooperation_values(request)
        try:
            actions.do_update_cooperation(
                actor=access.membership,
                cooperation=cooperation,
                data=parse_input(CooperationPatch, values),
            )
        except OpsloopError as exc:
            raise_if_denied(exc)
            error = exc
        else:
            messages.success(request, _("Saved."))
            return redirect(queries.partner_url(access.partner) + "#cooperations")
    context = _base(access.membership) | {
        "partner": access.partner,
        "cooperation": cooperation,
        "values": values,
        "error": error,
        "rate_items": queries.rate_items(
            access.partner, queries.local_today(access.membership.workspace)
        ),
        "projects": queries.project_choices(access.membership),
        "pieces": queries.piece_choices(access.membership),
        "statuses": CooperationStatus.choices,
        "can_delete": queries.can_delete_cooperation(access.membership, cooperation),
    }
    return TemplateResponse(
        request, "partners/cooperation_form.html", context, status=_status(error)
    )


# --- across partners


@login_required
@page
def partner_prices(request: HttpRequest, slug: str) -> HttpResponse:
    """Price changes across partners that took effect in a period."""
    membership = queries.access_partners(request.user, slug)
    today = queries.local_today(membership.workspace)
    period = queries.parse_period(request.GET, today)
    changes = queries.price_changes(membership, period)
    context = _base(membership) | {
        "period": period,
        "kinds": PartnerKind.choices,
        "changes": [(c, queries.change_percent(c)) for c in changes],
    }
    return TemplateResponse(request, "partners/partner_prices.html", context)


COMPARE_COLUMNS = (
    ("cooperations", gettext_lazy("Cooperations")),
    ("cost", gettext_lazy("Cost")),
    ("cpm", gettext_lazy("CPM")),
    ("cpc", gettext_lazy("Cost per click")),
    ("cost_per_user", gettext_lazy("Cost per user")),
    ("cost_per_conversion", gettext_lazy("Cost per conversion")),
    ("roi", gettext_lazy("ROI")),
)


@login_required
@page
def partner_compare(request: HttpRequest, slug: str) -> HttpResponse:
    """Partners side by side on cost per result, sortable by any column."""
    membership = queries.access_partners(request.user, slug)
    filters = queries.parse_compare(request.GET, queries.local_today(membership.workspace))
    params = request.GET.copy()
    params.pop("sort", None)
    context = _base(membership) | {
        "filters": filters,
        "rows": queries.compare_partners(membership, filters),
        "kinds": PartnerKind.choices,
        "tags": queries.tag_choices(membership),
        "keep": params.urlencode(),
        "columns": COMPARE_COLUMNS,
    }
    return TemplateResponse(request, "partners/partner_compare.html", context)
