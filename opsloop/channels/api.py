"""The channels API: channels, accounts and their followers, UTM naming rules, links,
their clicks and QR codes (docs/api.md#channels-accounts-and-links)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from opsloop.channels import actions, queries
from opsloop.channels.models import Account, Channel, FollowerSource, Link, UtmValue
from opsloop.channels.qr import qr_filename, qr_image
from opsloop.channels.schemas import (
    ChannelAccountIn,
    ChannelAccountListQuery,
    ChannelAccountOut,
    ChannelAccountPatch,
    ChannelIn,
    ChannelListQuery,
    ChannelOrderIn,
    ChannelOut,
    ChannelPatch,
    FollowerCountOut,
    FollowerCountsIn,
    FollowersWrittenOut,
    LinkClicksOut,
    LinkIn,
    LinkListQuery,
    LinkOut,
    LinkPatch,
    QrQuery,
    UtmValueIn,
    UtmValueOut,
)
from opsloop.core.errors import Invalid
from opsloop.core.queries import access_workspace
from opsloop.core.schemas import ERROR_CODES, ErrorOut

router = Router()

TAGS = ["Channels"]
ERRORS = {ERROR_CODES: ErrorOut}
W = "/workspaces/{slug}"
CHANNEL = W + "/channels/{channel_id}"
ACCOUNT = W + "/accounts/{account_id}"
LINK = W + "/links/{utm_link_id}"
ADMINS = "Owners and admins."
MEMBERS = "Members and above."


# --- channels


@router.get(W + "/channels", response={200: list[ChannelOut], **ERRORS}, tags=TAGS,
            summary="List channels",
            description="The workspace's channels in their order (seeded with 14 on first "
            "use); everyone in the workspace, guests too.")  # fmt: skip
def get_channels(request: HttpRequest, slug: str, params: Query[ChannelListQuery]) -> list:
    membership = access_workspace(request.auth, slug)
    actions.ensure_channels(membership.workspace)
    return list(queries.list_channels(membership.workspace_id, archived=bool(params.archived)))


@router.post(W + "/channels", response={201: ChannelOut, **ERRORS}, tags=TAGS,
             summary="Add a channel", description=ADMINS + " It goes last; 409 for a "
             "name the workspace has.")  # fmt: skip
def create_channel(request: HttpRequest, slug: str, payload: ChannelIn) -> Status[Channel]:
    membership = access_workspace(request.auth, slug)
    return Status(201, actions.do_create_channel(actor=membership, data=payload))


@router.put(W + "/channels/order", response={200: list[ChannelOut], **ERRORS}, tags=TAGS,
            summary="Reorder the channels",
            description=ADMINS + " Send every channel id once, in the new order.")  # fmt: skip
def reorder_channels(request: HttpRequest, slug: str, payload: ChannelOrderIn) -> list:
    membership = access_workspace(request.auth, slug)
    return actions.do_reorder_channels(actor=membership, channel_ids=payload.channel_ids)


@router.patch(CHANNEL, response={200: ChannelOut, **ERRORS}, tags=TAGS,
              summary="Change a channel", description=ADMINS + " Rename, recolour, change "
              "its utm_source, archive (archived: true) or bring it back.")  # fmt: skip
def update_channel(
    request: HttpRequest, slug: str, channel_id: int, payload: ChannelPatch
) -> Channel:
    membership = access_workspace(request.auth, slug)
    channel = queries.get_channel(membership.workspace_id, channel_id)
    return actions.do_update_channel(actor=membership, channel=channel, data=payload)


# --- accounts and followers


@router.get(W + "/accounts", response={200: list[ChannelAccountOut], **ERRORS}, tags=TAGS,
            summary="List accounts",
            description="The team's accounts on the channels, and partners' (external), "
            "with their latest follower count; everyone in the workspace.")  # fmt: skip
def get_accounts(request: HttpRequest, slug: str, params: Query[ChannelAccountListQuery]) -> list:
    membership = access_workspace(request.auth, slug)
    return list(
        queries.list_accounts(membership.workspace_id, queries.parse_account_filters(request.GET))
    )


@router.post(W + "/accounts", response={201: ChannelAccountOut, **ERRORS}, tags=TAGS,
             summary="Add an account", description=MEMBERS)  # fmt: skip
def create_account(request: HttpRequest, slug: str, payload: ChannelAccountIn) -> Status[Account]:
    membership = access_workspace(request.auth, slug)
    account = actions.do_create_account(actor=membership, data=payload)
    return Status(201, queries.get_account(membership, account.pk))


@router.get(ACCOUNT, response={200: ChannelAccountOut, **ERRORS}, tags=TAGS,
            summary="Get an account", description="Everyone in the workspace.")  # fmt: skip
def get_account(request: HttpRequest, slug: str, account_id: int) -> Account:
    return queries.access_account(request.auth, slug, account_id).account


@router.patch(ACCOUNT, response={200: ChannelAccountOut, **ERRORS}, tags=TAGS,
              summary="Change an account", description=MEMBERS + " Only the fields sent "
              "change; archived: true takes it out of the lists, its history kept.")  # fmt: skip
def update_account(
    request: HttpRequest, slug: str, account_id: int, payload: ChannelAccountPatch
) -> Account:
    access = queries.access_account(request.auth, slug, account_id, queries.EDIT)
    actions.do_update_account(actor=access.membership, account=access.account, data=payload)
    return queries.get_account(access.membership, account_id)


@router.get(ACCOUNT + "/followers", response={200: list[FollowerCountOut], **ERRORS},
            tags=TAGS, summary="An account's follower history",
            description="Every recorded count, the earliest day first.")  # fmt: skip
def get_followers(request: HttpRequest, slug: str, account_id: int) -> list:
    return queries.follower_history(queries.access_account(request.auth, slug, account_id).account)


@router.post(ACCOUNT + "/followers", response={200: FollowersWrittenOut, **ERRORS}, tags=TAGS,
             summary="Record followers", description=MEMBERS + " One count per day (a day "
             "recorded before is replaced), up to today; the account's followers become "
             "the latest day's.")  # fmt: skip
def record_followers(
    request: HttpRequest, slug: str, account_id: int, payload: FollowerCountsIn
) -> dict[str, Any]:
    access = queries.access_account(request.auth, slug, account_id, queries.EDIT)
    written = actions.do_record_followers(
        actor=access.membership,
        account=access.account,
        counts=[(c.day, c.followers) for c in payload.counts],
        source=FollowerSource.API,
    )
    account = access.account
    return {
        "written": written,
        "followers": account.followers,
        "followers_on": account.followers_on,
    }


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise Invalid(_("A date is written as YYYY-MM-DD."), field="day") from None


@router.delete(ACCOUNT + "/followers/{follower_day}", response={204: None, **ERRORS}, tags=TAGS,
               summary="Delete a day's follower count",
               description=MEMBERS + " The day as YYYY-MM-DD; 204 also when that day "
               "had no count.")  # fmt: skip
def delete_followers(
    request: HttpRequest, slug: str, account_id: int, follower_day: str
) -> Status[None]:
    access = queries.access_account(request.auth, slug, account_id, queries.EDIT)
    day = _day(follower_day)
    actions.do_delete_follower_count(actor=access.membership, account=access.account, day=day)
    return Status(204, None)


# --- UTM naming rules


@router.get(W + "/utm-values", response={200: list[UtmValueOut], **ERRORS}, tags=TAGS,
            summary="List the UTM naming rules",
            description=MEMBERS + " The allowed values of each UTM field; a field with "
            "none takes any well-formed value.")  # fmt: skip
def get_utm_values(request: HttpRequest, slug: str) -> list:
    membership = access_workspace(request.auth, slug)
    queries.check_edit(membership, "link")
    return list(queries.list_utm_values(membership.workspace_id))


@router.post(W + "/utm-values", response={201: UtmValueOut, **ERRORS}, tags=TAGS,
             summary="Add an allowed UTM value", description=ADMINS + " Lowercase letters, "
             "digits, - _ . and Chinese characters; 409 for a value the field has.")  # fmt: skip
def create_utm_value(request: HttpRequest, slug: str, payload: UtmValueIn) -> Status[UtmValue]:
    membership = access_workspace(request.auth, slug)
    return Status(201, actions.do_add_utm_value(actor=membership, data=payload))


@router.delete(W + "/utm-values/{utm_value_id}", response={204: None, **ERRORS}, tags=TAGS,
               summary="Remove an allowed UTM value",
               description=ADMINS + " Links made with it keep it.")  # fmt: skip
def delete_utm_value(request: HttpRequest, slug: str, utm_value_id: int) -> Status[None]:
    membership = access_workspace(request.auth, slug)
    queries.check_manage(membership)
    value = queries.get_utm_value(membership, utm_value_id)
    actions.do_delete_utm_value(actor=membership, value=value)
    return Status(204, None)


# --- links


@router.get(W + "/links", response={200: list[LinkOut], **ERRORS}, tags=TAGS,
            summary="List links",
            description="The links the caller sees, newest first (500 at most): guests "
            "those of the projects shared with them.")  # fmt: skip
def get_links(request: HttpRequest, slug: str, params: Query[LinkListQuery]) -> list:
    membership = access_workspace(request.auth, slug)
    return queries.list_links(membership, queries.parse_link_filters(request.GET))


@router.post(W + "/links", response={201: LinkOut, **ERRORS}, tags=TAGS,
             summary="Build a link", description=MEMBERS + " The UTM values must follow the "
             "naming rules (utm_source, utm_medium and utm_campaign required; utm_source "
             "defaults to the channel's); a random code names its short address.")  # fmt: skip
def create_link(request: HttpRequest, slug: str, payload: LinkIn) -> Status[Link]:
    membership = access_workspace(request.auth, slug)
    link = actions.do_create_link(actor=membership, data=payload)
    return Status(201, queries.access_link_of(membership, link.pk).link)


@router.get(LINK, response={200: LinkOut, **ERRORS}, tags=TAGS, summary="Get a link",
            description="Whoever sees its project; a link of no project: members.")  # fmt: skip
def get_link(request: HttpRequest, slug: str, utm_link_id: int) -> Link:
    return queries.access_link(request.auth, slug, utm_link_id).link


@router.patch(LINK, response={200: LinkOut, **ERRORS}, tags=TAGS, summary="Change a link",
              description=MEMBERS + " Its name, destination, project, channel, account; "
              "archived: true makes its short address 404. The UTM values stay.")  # fmt: skip
def update_link(request: HttpRequest, slug: str, utm_link_id: int, payload: LinkPatch) -> Link:
    access = queries.access_link(request.auth, slug, utm_link_id, queries.EDIT)
    actions.do_update_link(actor=access.membership, link=access.link, data=payload)
    return queries.access_link_of(access.membership, utm_link_id).link


@router.get(LINK + "/clicks", response={200: LinkClicksOut, **ERRORS}, tags=TAGS,
            summary="A link's clicks and users",
            description=MEMBERS + " Clicks and users by day since it was made, who clicked "
            "and who came with its UTM values.")  # fmt: skip
def get_clicks(request: HttpRequest, slug: str, utm_link_id: int) -> dict[str, Any]:
    link = queries.access_link(request.auth, slug, utm_link_id, queries.CLICKS).link
    clicks = queries.link_clicks(link)
    return {
        "link_id": link.pk,
        "code": link.code,
        "first_day": clicks.first_day,
        "last_day": clicks.last_day,
        "clicks": clicks.clicks,
        "users": clicks.users,
        "days": [{"day": d, "clicks": c, "users": u} for d, c, u in clicks.days],
        "clickers": [_user(u) for u in clicks.clickers],
        "utm_users": [_user(u) for u in clicks.utm_users],
    }


def _user(user: queries.LinkUser) -> dict[str, Any]:
    return {
        "person_id": user.person_id,
        "label": user.label,
        "events": user.events,
        "first_at": user.first_at,
        "last_at": user.last_at,
    }


@router.get(LINK + "/qr", response={200: None, **ERRORS}, tags=TAGS,
            summary="A link's QR code", description="The short address as a QR code, PNG "
            "or SVG (format); whoever sees the link.",
            openapi_extra={"responses": {200: {"description": "The image.", "content": {
                "image/png": {"schema": {"type": "string", "format": "binary"}},
                "image/svg+xml": {"schema": {"type": "string"}}}}}})  # fmt: skip
def get_qr(
    request: HttpRequest, slug: str, utm_link_id: int, params: Query[QrQuery]
) -> HttpResponse:
    link = queries.access_link(request.auth, slug, utm_link_id).link
    content, content_type = qr_image(link.short_url, params.format, params.scale)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{qr_filename(link.code, params.format)}"'
    )
    return response
