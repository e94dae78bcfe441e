"""Pages of channels and links: the channels with their accounts, the channels' settings,
an account with its follower history, the link builder and list, a link with its clicks
and QR code, the UTM naming rules, and the public short address /l/<code>."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.core import is_ratelimited

from opsloop.channels import actions, queries, utm
from opsloop.channels.models import FollowerSource, Platform
from opsloop.channels.qr import qr_filename, qr_image
from opsloop.channels.queries import AccountAccess
from opsloop.channels.schemas import (
    ChannelAccountIn,
    ChannelAccountPatch,
    ChannelIn,
    ChannelPatch,
    FollowerCountIn,
    LinkIn,
    LinkPatch,
    UtmValueIn,
)
from opsloop.core.errors import Invalid, OpsloopError
from opsloop.core.inputs import parse_input
from opsloop.core.models import Membership
from opsloop.core.pages import form_data, int_param, page, run_post
from opsloop.core.queries import access_workspace

# The visitor's anonymous id on short addresses: first party, sent only to /l/.
VISITOR_COOKIE = "opsloop_visitor"
VISITOR_MAX_AGE = 2 * 365 * 24 * 3600
# Clicks recorded per address a minute; past it the visitor still goes on, uncounted.
CLICK_RATE = "60/m"
FORM_BLANK_NONE = ("owner_id", "project_key", "channel_id", "account_id")


def _render(request: HttpRequest, template: str, context: dict, error) -> HttpResponse:
    return TemplateResponse(request, template, context, status=error.status if error else 200)


# --- channels and accounts


@login_required
@page
def channel_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Every channel with its accounts (the team's and partners'), and a form to add one."""
    membership = access_workspace(request.user, slug)
    actions.ensure_channels(membership.workspace)
    values: dict = {"channel_id": request.GET.get("channel", "")}

    def post() -> HttpResponse:
        queries.check_edit(membership)
        values.update(form_data(request, blank_is_none=FORM_BLANK_NONE))
        values["external"] = "external" in request.POST
        account = actions.do_create_account(
            actor=membership, data=parse_input(ChannelAccountIn, values)
        )
        messages.success(request, _("Account added."))
        return redirect("channel_account", slug=slug, account_id=account.pk)

    response, error = run_post(request, post)
    if response:
        return response
    channels = list(queries.list_channels(membership.workspace_id))
    accounts = list(queries.list_accounts(membership.workspace_id))
    by_channel: dict[int, list] = {}
    for account in accounts:
        by_channel.setdefault(account.channel_id, []).append(account)
    context = {
        "membership": membership,
        "workspace": membership.workspace,
        "rows": [(channel, by_channel.get(channel.pk, [])) for channel in channels],
        "channels": channels,
        "people": queries.people_choices(membership) if queries.can_edit(membership) else [],
        "can_edit": queries.can_edit(membership),
        "can_manage": queries.can_manage(membership),
        "values": values,
        "error": error,
        "nav": "channels",
    }
    return _render(request, "channels/channels.html", context, error)


@login_required
@page
def channel_settings(request: HttpRequest, slug: str) -> HttpResponse:
    """The channels themselves: add, rename, recolour, reorder, archive (admins)."""
    membership = access_workspace(request.user, slug)
    queries.check_manage(membership)
    actions.ensure_channels(membership.workspace)

    def post() -> HttpResponse:
        op = request.POST.get("op", "")
        if op == "add":
            data = parse_input(ChannelIn, _channel_form(request))
            actions.do_create_channel(actor=membership, data=data)
            messages.success(request, _("Channel added."))
        elif op in ("update", "archive", "restore", "up", "down"):
            channel = queries.get_channel(
                membership.workspace_id, int_param(request.POST.get("channel_id"))
            )
            if op in ("up", "down"):
                actions.do_move_channel(
                    actor=membership, channel=channel, step=-1 if op == "up" else 1
                )
            else:
                fields = _channel_form(request) if op == "update" else {"archived": op == "archive"}
                actions.do_update_channel(
                    actor=membership, channel=channel, data=parse_input(ChannelPatch, fields)
                )
                messages.success(request, _("Saved."))
        else:
            raise Invalid(_("Unknown operation."))
        return redirect("channel_settings", slug=slug)

    response, error = run_post(request, post)
    if response:
        return response
    context = {
        "membership": membership,
        "workspace": membership.workspace,
        "channels": list(queries.list_channels(membership.workspace_id, archived=True)),
        "platforms": Platform.choices,
        "sources": actions.PLATFORM_SOURCES,
        "error": error,
        "nav": "channels",
    }
    return _render(request, "channels/channel_settings.html", context, error)


def _channel_form(request: HttpRequest) -> dict:
    return {
        "name": request.POST.get("name", ""),
        "platform": request.POST.get("platform") or "other",
        "utm_source": request.POST.get("utm_source", ""),
        "color": request.POST.get("color") or "#64748b",
    }


@login_required
@page
def channel_account(request: HttpRequest, slug: str, account_id: int) -> HttpResponse:
    """An account: its follower history as a chart and a table, the form to record a
    day's count, and its details."""
    access = queries.access_account(request.user, slug, account_id)

    def post() -> HttpResponse:
        queries.check_edit(access.membership)
        ACCOUNT_OPS.get(request.POST.get("op", ""), _unknown)(request, access)
        return redirect("channel_account", slug=slug, account_id=account_id)

    response, error = run_post(request, post)
    if response:
        return response
    account = queries.get_account(access.membership, account_id)
    history = queries.follower_history(account)
    context = {
        "membership": access.membership,
        "workspace": access.membership.workspace,
        "account": account,
        "history": list(reversed(history)),
        "chart": queries.follower_chart(history),
        "can_edit": queries.can_edit(access.membership),
        "today": queries.local_today(access.membership.workspace),
        "posted": request.POST if error else {},
        "error": error,
        "nav": "channels",
    }
    if context["can_edit"]:  # the details form's choices
        context |= {
            "channels": list(queries.list_channels(access.membership.workspace_id)),
            "people": queries.people_choices(access.membership),
        }
    return _render(request, "channels/account.html", context, error)


def _unknown(request: HttpRequest, access: object) -> None:
    raise Invalid(_("Unknown operation."))


def _record(request: HttpRequest, access: AccountAccess) -> None:
    count = parse_input(
        FollowerCountIn,
        {"day": request.POST.get("day", ""), "followers": request.POST.get("followers", "")},
    )
    actions.do_record_followers(
        actor=access.membership,
        account=access.account,
        counts=[(count.day, count.followers)],
        source=FollowerSource.MANUAL,
    )
    messages.success(request, _("Followers recorded."))


def _delete_count(request: HttpRequest, access: AccountAccess) -> None:
    day = parse_date(request.POST.get("day", "") or "")
    if day is None:
        raise Invalid(_("A date is written as YYYY-MM-DD."), field="day")
    actions.do_delete_follower_count(actor=access.membership, account=access.account, day=day)


def _update_account(request: HttpRequest, access: AccountAccess) -> None:
    values = form_data(request, blank_is_none=FORM_BLANK_NONE)
    values.pop("op", None)
    values["external"] = "external" in request.POST
    values["archived"] = "archived" in request.POST
    if values.get("owner_id") is None:
        values["owner_id"] = 0
    actions.do_update_account(
        actor=access.membership,
        account=access.account,
        data=parse_input(ChannelAccountPatch, values),
    )
    messages.success(request, _("Saved."))


ACCOUNT_OPS: dict[str, Callable[[HttpRequest, AccountAccess], None]] = {
    "record": _record,
    "delete_count": _delete_count,
    "update": _update_account,
}


# --- links


def _builder_context(membership: Membership, values: dict) -> dict:
    return {
        "utm_inputs": [
            {
                "name": name,
                "options": options,
                "value": values.get(name) or "",
                "required": name in utm.REQUIRED_FIELDS,
            }
            for name, options in queries.utm_rule_rows(membership.workspace_id)
        ],
        "projects": queries.project_choices(membership),
        "channels": list(queries.list_channels(membership.workspace_id)),
        "accounts": list(queries.list_accounts(membership.workspace_id)),
    }


@login_required
@page
def link_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The link builder and the links the member sees, with their clicks."""
    membership = access_workspace(request.user, slug)
    actions.ensure_channels(membership.workspace)
    values: dict = {"project_key": request.GET.get("project", "")}

    def post() -> HttpResponse:
        queries.check_edit(membership, "link")
        values.update(form_data(request, blank_is_none=FORM_BLANK_NONE))
        link = actions.do_create_link(actor=membership, data=parse_input(LinkIn, values))
        messages.success(request, _("Link made: %(url)s") % {"url": link.short_url})
        return redirect("link", slug=slug, link_id=link.pk)

    response, error = run_post(request, post)
    if response:
        return response
    filter_error = None
    try:
        filters = queries.parse_link_filters(request.GET)
    except Invalid as exc:
        filter_error, filters = exc, queries.LinkFilters()
    links = queries.list_links(membership, filters)
    can_edit = queries.can_edit(membership)
    totals = queries.click_totals(membership, links) if can_edit else None
    for link in links:
        link.clicks = None if totals is None else totals.get(link.code, 0)  # type: ignore[attr-defined]
    context = {
        "membership": membership,
        "workspace": membership.workspace,
        "links": links,
        "filters": filters,
        "can_edit": can_edit,
        "can_manage": queries.can_manage(membership),
        "values": values,
        "error": error or filter_error,
        "nav": "links",
        **(_builder_context(membership, values) if can_edit else {}),
    }
    return _render(request, "channels/links.html", context, error or filter_error)


@login_required
@page
def link_detail(request: HttpRequest, slug: str, link_id: int) -> HttpResponse:
    """A link: its addresses, QR code, clicks by day, and the users behind it."""
    access = queries.access_link(request.user, slug, link_id)

    def post() -> HttpResponse:
        queries.check_edit(access.membership, "link")
        values = form_data(request, blank_is_none=FORM_BLANK_NONE)
        op = values.pop("op", "update")
        if op == "archive":
            values = {"archived": True}
        elif op == "restore":
            values = {"archived": False}
        else:
            values.setdefault("project_key", "")
            for name in ("channel_id", "account_id"):
                if values.get(name) is None:
                    values[name] = 0
        actions.do_update_link(
            actor=access.membership, link=access.link, data=parse_input(LinkPatch, values)
        )
        messages.success(request, _("Saved."))
        return redirect("link", slug=slug, link_id=link_id)

    response, error = run_post(request, post)
    if response:
        return response
    access = queries.access_link(request.user, slug, link_id)
    link = access.link
    sees_clicks = queries.can_edit(access.membership)
    clicks, clicks_error = None, None
    if sees_clicks:
        try:
            clicks = queries.link_clicks(link)
        except OpsloopError as exc:
            clicks_error = exc
    context = {
        "membership": access.membership,
        "workspace": access.membership.workspace,
        "link": link,
        "clicks": clicks,
        "chart": (clicks.chart | {"labels": [_("Clicks"), _("Users")]}) if clicks else None,
        "clicks_error": clicks_error,
        "sees_clicks": sees_clicks,
        "can_edit": sees_clicks,
        "error": error,
        "nav": "links",
    }
    if sees_clicks:  # the edit form's choices
        context |= {
            "projects": queries.project_choices(access.membership),
            "channels": list(queries.list_channels(access.membership.workspace_id)),
            "accounts": list(queries.list_accounts(access.membership.workspace_id)),
        }
    return _render(request, "channels/link.html", context, error)


@login_required
@require_GET
@page
def link_qr(request: HttpRequest, slug: str, link_id: int, fmt: str) -> HttpResponse:
    """The link's QR code as qr.png or qr.svg (?download=1: as a file to save)."""
    if fmt not in ("png", "svg"):
        raise Http404
    link = queries.access_link(request.user, slug, link_id).link
    content, content_type = qr_image(link.short_url, fmt)
    response = HttpResponse(content, content_type=content_type)
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="{qr_filename(link.code, fmt)}"'
    return response


@login_required
@page
def link_rules(request: HttpRequest, slug: str) -> HttpResponse:
    """The UTM naming rules: each field's allowed values (admins change them)."""
    membership = access_workspace(request.user, slug)
    queries.check_edit(membership, "link")

    def post() -> HttpResponse:
        queries.check_manage(membership)
        if request.POST.get("op") == "delete":
            value = queries.get_utm_value(membership, int_param(request.POST.get("utm_value_id")))
            actions.do_delete_utm_value(actor=membership, value=value)
        else:
            data = parse_input(
                UtmValueIn,
                {
                    "field": request.POST.get("field", ""),
                    "value": request.POST.get("value", ""),
                    "label": request.POST.get("label", ""),
                },
            )
            actions.do_add_utm_value(actor=membership, data=data)
            messages.success(request, _("Value added."))
        return redirect("link_rules", slug=slug)

    response, error = run_post(request, post)
    if response:
        return response
    context = {
        "membership": membership,
        "workspace": membership.workspace,
        "rules": queries.utm_rule_rows(membership.workspace_id),
        "can_manage": queries.can_manage(membership),
        "posted": request.POST if error else {},
        "error": error,
        "nav": "links",
    }
    return _render(request, "channels/rules.html", context, error)


# --- the short address


@require_http_methods(["GET", "HEAD"])
def link_redirect(request: HttpRequest, code: str) -> HttpResponse:
    """/l/<code>: 302 to the link's tracked URL, recording the click as an event of the
    visitor's anonymous id (a long-lived first-party cookie; nothing of it goes to the
    destination). An unknown or archived code is the 404 page. HEAD (link checkers,
    previews) redirects without counting."""
    link = queries.link_for_redirect(code)
    if link is None:
        raise Http404
    response = HttpResponseRedirect(link.tracked_url)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    if request.method != "GET":
        return response
    visitor = request.COOKIES.get(VISITOR_COOKIE, "")
    if not _valid_visitor(visitor):
        visitor = uuid.uuid4().hex
    response.set_cookie(
        VISITOR_COOKIE,
        visitor,
        max_age=VISITOR_MAX_AGE,
        path="/l/",
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    limited = is_ratelimited(
        request, group="channels.link_click", key="ip", rate=CLICK_RATE, increment=True
    )
    if not limited:
        actions.record_link_click(
            link=link,
            distinct_id=visitor,
            url=request.build_absolute_uri(),
            referrer=request.headers.get("Referer", ""),
            user_agent=request.headers.get("User-Agent", ""),
        )
    return response


def _valid_visitor(value: str) -> bool:
    return len(value) == 32 and all(c in "0123456789abcdef" for c in value)
