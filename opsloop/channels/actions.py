"""Every write of channels, accounts, follower counts, UTM naming rules and links, and
the click event a short link's redirect records (docs/channels.md)."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from typing import Any

import orjson
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from opsloop.channels import utm
from opsloop.channels.models import (
    Account,
    Channel,
    FollowerCount,
    FollowerSource,
    Link,
    Platform,
    UtmValue,
)
from opsloop.channels.queries import (
    CLICK_EVENT,
    check_edit,
    check_manage,
    check_owner,
    get_account,
    get_channel,
    get_project,
    latest_count,
    local_today,
    utm_lists,
)
from opsloop.channels.schemas import (
    ChannelAccountIn,
    ChannelAccountPatch,
    ChannelIn,
    ChannelPatch,
    LinkIn,
    LinkPatch,
    UtmValueIn,
)
from opsloop.core.actions import record_audit
from opsloop.core.errors import Conflict, Invalid
from opsloop.core.models import Membership, Workspace
from opsloop.core.rows import lock_current, save_changed
from opsloop.events import inbox
from opsloop.events.rows import COLUMNS
from opsloop.work.models import Project
from opsloop.work.queries import EDIT, check_project_permission

logger = logging.getLogger(__name__)

# The utm_source a channel's links carry by default, per platform.
PLATFORM_SOURCES: dict[str, str] = {
    Platform.WECHAT_OA: "wechat",
    Platform.WECHAT_CHANNELS: "channels",
    Platform.WEIBO: "weibo",
    Platform.DOUYIN: "douyin",
    Platform.XIAOHONGSHU: "xiaohongshu",
    Platform.BILIBILI: "bilibili",
    Platform.ZHIHU: "zhihu",
    Platform.KUAISHOU: "kuaishou",
    Platform.COMMUNITY: "community",
    Platform.APP_PUSH: "app_push",
    Platform.SMS: "sms",
    Platform.EMAIL: "email",
    Platform.WEBSITE: "website",
    Platform.OFFLINE: "offline",
    Platform.OTHER: "",
}

# The channels a workspace starts with: its own data, named as a Chinese team names them
# (renamed, archived or added to by its admins).
SEED_CHANNELS: tuple[tuple[str, str, str], ...] = (
    ("微信公众号", Platform.WECHAT_OA, "#07c160"),
    ("视频号", Platform.WECHAT_CHANNELS, "#fa9d3b"),
    ("微博", Platform.WEIBO, "#e6162d"),
    ("抖音", Platform.DOUYIN, "#111827"),
    ("小红书", Platform.XIAOHONGSHU, "#ff2442"),
    ("B站", Platform.BILIBILI, "#00a1d6"),
    ("知乎", Platform.ZHIHU, "#0066ff"),
    ("快手", Platform.KUAISHOU, "#ff4906"),
    ("社群/微信群", Platform.COMMUNITY, "#10b981"),
    ("App 推送", Platform.APP_PUSH, "#6366f1"),
    ("短信", Platform.SMS, "#0ea5e9"),
    ("邮件", Platform.EMAIL, "#f59e0b"),
    ("官网", Platform.WEBSITE, "#334155"),
    ("线下", Platform.OFFLINE, "#8b5cf6"),
)

# A day a follower count may be for: from this one to the workspace's today.
FIRST_FOLLOWER_DAY = dt.date(2000, 1, 1)
CODE_TRIES = 5


# --- channels


def ensure_channels(workspace: Workspace) -> None:
    """Seed the workspace's channels the first time they are used: once it has any
    channel (archived ones too), nothing is added, so a renamed or archived seed stays
    as its admins left it. Two first requests at once seed once (the name is unique)."""
    if Channel.objects.filter(workspace=workspace).exists():
        return
    Channel.objects.bulk_create(
        [
            Channel(
                workspace=workspace,
                name=name,
                platform=platform,
                utm_source=PLATFORM_SOURCES[platform],
                color=color,
                position=position,
            )
            for position, (name, platform, color) in enumerate(SEED_CHANNELS)
        ],
        ignore_conflicts=True,
    )


def _source_value(value: str, platform: str) -> str:
    value = (value or "").strip()
    if not value:
        return PLATFORM_SOURCES.get(platform, "")
    return utm.check_value(value, field="utm_source")


def _saved_channel(channel: Channel, before: dict[str, Any] | None = None) -> Channel:
    try:
        with transaction.atomic():
            if before is None:
                channel.save()
            else:
                save_changed(channel, before)
    except IntegrityError:
        raise Conflict(
            _("A channel named %(name)s exists already.") % {"name": channel.name}, field="name"
        ) from None
    return channel


def do_create_channel(*, actor: Membership, data: ChannelIn) -> Channel:
    check_manage(actor)
    ensure_channels(actor.workspace)
    last = Channel.objects.filter(workspace=actor.workspace).aggregate(m=Max("position"))["m"]
    channel = Channel(
        workspace=actor.workspace,
        name=data.name,
        platform=data.platform,
        utm_source=_source_value(data.utm_source, data.platform),
        color=data.color,
        position=0 if last is None else last + 1,
    )
    _saved_channel(channel)
    record_audit(
        actor=actor.user, action="channel.create", workspace=actor.workspace, target=channel.name
    )
    return channel


def do_update_channel(*, actor: Membership, channel: Channel, data: ChannelPatch) -> Channel:
    """Rename, re-platform, recolour, archive or bring back a channel; its accounts and
    links stay on it."""
    check_manage(actor)
    changes = data.model_dump(exclude_unset=True)
    with transaction.atomic():
        before = lock_current(channel)
        for name in ("name", "platform", "color", "archived"):
            if changes.get(name) is not None:
                setattr(channel, name, changes[name])
        if changes.get("utm_source") is not None:
            channel.utm_source = _source_value(changes["utm_source"], channel.platform)
        _saved_channel(channel, before)
    record_audit(
        actor=actor.user,
        action="channel.update",
        workspace=actor.workspace,
        target=channel.name,
        **{k: v for k, v in changes.items() if v is not None},
    )
    return channel


def do_reorder_channels(*, actor: Membership, channel_ids: list[int]) -> list[Channel]:
    """Put the channels in the order given: every channel of the workspace once."""
    check_manage(actor)
    with transaction.atomic():
        channels = {
            c.pk: c for c in Channel.objects.select_for_update().filter(workspace=actor.workspace)
        }
        if len(channel_ids) != len(set(channel_ids)) or set(channel_ids) != set(channels):
            raise Invalid(
                _("Send every channel id of the workspace once, in the new order."),
                field="channel_ids",
            )
        moved = []
        for position, pk in enumerate(channel_ids):
            if channels[pk].position != position:
                channels[pk].position = position
                moved.append(channels[pk])
        Channel.objects.bulk_update(moved, ["position"])
    return [channels[pk] for pk in channel_ids]


def do_move_channel(*, actor: Membership, channel: Channel, step: int) -> None:
    """Move a channel one place up (-1) or down (1) among the workspace's channels."""
    ids = list(Channel.objects.filter(workspace=actor.workspace).values_list("pk", flat=True))
    index = ids.index(channel.pk)
    target = index + (1 if step > 0 else -1)
    if 0 <= target < len(ids):
        ids[index], ids[target] = ids[target], ids[index]
    do_reorder_channels(actor=actor, channel_ids=ids)


# --- accounts


def _web_address(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise Invalid(
            _("The account's link must be a web address starting with http:// or https://."),
            field="url",
        ) from None
    return value


def _open_channel(actor: Membership, channel_id: int) -> Channel:
    channel = get_channel(actor.workspace_id, channel_id, field="channel_id")
    if channel.archived:
        raise Invalid(
            _("The channel %(name)s is archived.") % {"name": channel.name}, field="channel_id"
        )
    return channel


def do_create_account(*, actor: Membership, data: ChannelAccountIn) -> Account:
    check_edit(actor)
    channel = _open_channel(actor, data.channel_id)
    owner = check_owner(actor.workspace_id, data.owner_id) if data.owner_id else None
    account = Account.objects.create(
        workspace=actor.workspace,
        channel=channel,
        name=data.name,
        handle=data.handle,
        url=_web_address(data.url),
        owner=owner,
        external=data.external,
        notes=data.notes,
    )
    return account


def do_update_account(*, actor: Membership, account: Account, data: ChannelAccountPatch) -> Account:
    """Change the fields sent; archived takes it out of the lists, its history kept."""
    check_edit(actor)
    changes = data.model_dump(exclude_unset=True)
    channel = (
        _open_channel(actor, changes["channel_id"])
        if changes.get("channel_id") is not None and changes["channel_id"] != account.channel_id
        else None
    )
    owner_id = changes.get("owner_id")
    owner = check_owner(actor.workspace_id, owner_id) if owner_id else None
    url = _web_address(changes["url"]) if changes.get("url") is not None else None
    with transaction.atomic():
        before = lock_current(account)
        for name in ("name", "handle", "external", "notes", "archived"):
            if changes.get(name) is not None:
                setattr(account, name, changes[name])
        if url is not None:
            account.url = url
        if channel is not None:
            account.channel = channel
        if owner_id is not None:
            account.owner = owner
        save_changed(account, before)
    return account


# --- followers


def check_follower_day(workspace: Workspace, day: dt.date, *, field: str = "day") -> dt.date:
    today = local_today(workspace)
    if day > today:
        raise Invalid(
            _("%(day)s is after today: followers are recorded for days that have come.")
            % {"day": day.isoformat()},
            field=field,
        )
    if day < FIRST_FOLLOWER_DAY:
        raise Invalid(_("%(day)s is too long ago.") % {"day": day.isoformat()}, field=field)
    return day


def _refresh_latest(account: Account) -> None:
    """Account.followers and followers_on: the count of the latest day recorded."""
    latest = latest_count(account)
    followers = latest.followers if latest else None
    day = latest.day if latest else None
    if (account.followers, account.followers_on) != (followers, day):
        Account.objects.filter(pk=account.pk).update(followers=followers, followers_on=day)
    account.followers, account.followers_on = followers, day


def write_follower_counts(
    *,
    actor: Membership,
    account: Account,
    counts: Iterable[tuple[dt.date, int]],
    source: str,
) -> int:
    """Record counts (one per day; a day recorded before is replaced) and keep the
    account's latest count. Checks nothing: the callers have (record_followers, the
    importer). Inside the caller's transaction when there is one. How many were written."""
    written = 0
    with transaction.atomic():
        Account.objects.select_for_update().filter(pk=account.pk).first()
        for day, followers in counts:
            FollowerCount.objects.update_or_create(
                account=account,
                day=day,
                defaults={"followers": followers, "source": source, "recorded_by": actor.user},
            )
            written += 1
        _refresh_latest(account)
    return written


def do_record_followers(
    *,
    actor: Membership,
    account: Account,
    counts: list[tuple[dt.date, int]],
    source: str = FollowerSource.MANUAL,
) -> int:
    """Record an account's followers on one or more days, by hand or through the API."""
    check_edit(actor)
    by_day: dict[dt.date, int] = {}
    for index, (day, followers) in enumerate(counts):
        check_follower_day(actor.workspace, day, field=f"counts.{index}.day")
        if followers < 0:
            raise Invalid(_("Followers cannot be negative."), field=f"counts.{index}.followers")
        by_day[day] = followers  # the last count sent for a day wins
    return write_follower_counts(
        actor=actor, account=account, counts=sorted(by_day.items()), source=source
    )


def do_delete_follower_count(*, actor: Membership, account: Account, day: dt.date) -> None:
    """Take back a day's count (none recorded that day: nothing to do); the account's
    followers become the latest day's left."""
    check_edit(actor)
    with transaction.atomic():
        FollowerCount.objects.filter(account=account, day=day).delete()
        _refresh_latest(account)


# --- UTM naming rules


def do_add_utm_value(*, actor: Membership, data: UtmValueIn) -> UtmValue:
    check_manage(actor)
    value = utm.check_value(data.value, field="value")
    try:
        with transaction.atomic():
            made = UtmValue.objects.create(
                workspace=actor.workspace, field=data.field, value=value, label=data.label
            )
    except IntegrityError:
        raise Conflict(
            _("%(field)s has the value %(value)s already.") % {"field": data.field, "value": value},
            field="value",
        ) from None
    record_audit(
        actor=actor.user,
        action="utm_value.create",
        workspace=actor.workspace,
        target=f"{data.field}={value}",
    )
    return made


def do_delete_utm_value(*, actor: Membership, value: UtmValue) -> None:
    """Links made with the value keep it; new links may no longer use it."""
    check_manage(actor)
    value.delete()
    record_audit(
        actor=actor.user,
        action="utm_value.delete",
        workspace=actor.workspace,
        target=f"{value.field}={value.value}",
    )


def check_link_values(workspace_id: int, values: dict[str, str]) -> dict[str, str]:
    """The UTM values of a new link, checked against the naming rules: utm_source,
    utm_medium and utm_campaign given, every value well formed, and a field that has a
    list of values takes only those."""
    lists = utm_lists(workspace_id)
    checked: dict[str, str] = {}
    for name in utm.UTM_FIELDS:
        value = (values.get(name) or "").strip()
        if not value:
            if name in utm.REQUIRED_FIELDS:
                raise Invalid(_("%(field)s is required.") % {"field": name}, field=name)
            checked[name] = ""
            continue
        value = utm.check_value(value, field=name)
        allowed = [v.value for v in lists.get(name, [])]
        if allowed and value not in allowed:
            shown = ", ".join(allowed[:12]) + (" …" if len(allowed) > 12 else "")
            raise Invalid(
                _("%(field)s must be one of the workspace's values: %(values)s.")
                % {"field": name, "values": shown},
                field=name,
            )
        checked[name] = value
    return checked


# --- links


def _link_project(actor: Membership, key: str | None) -> Project | None:
    if not key:
        return None
    project = get_project(actor, key)
    check_project_permission(actor, project, EDIT)
    return project


def _link_place(
    actor: Membership, channel_id: int | None, account_id: int | None
) -> tuple[Channel | None, Account | None]:
    """The link's channel and account: the account's channel when only it is given."""
    account = get_account(actor, account_id, field="account_id") if account_id else None
    channel = (
        get_channel(actor.workspace_id, channel_id, field="channel_id") if channel_id else None
    )
    if account is not None:
        if channel is not None and account.channel_id != channel.pk:
            raise Invalid(
                _("The account %(account)s is on %(channel)s, not on %(other)s.")
                % {"account": account.name, "channel": account.channel.name, "other": channel.name},
                field="account_id",
            )
        channel = account.channel
    return channel, account


def do_create_link(*, actor: Membership, data: LinkIn) -> Link:
    """A link with a new random code, its UTM values checked against the naming rules
    (utm_source defaults to the channel's)."""
    check_edit(actor, "link")
    project = _link_project(actor, data.project_key)
    channel, account = _link_place(actor, data.channel_id, data.account_id)
    values = {name: getattr(data, name) for name in utm.UTM_FIELDS}
    if not values["utm_source"] and channel is not None:
        values["utm_source"] = channel.utm_source
    values = check_link_values(actor.workspace_id, values)
    destination = utm.check_destination(data.destination)
    for attempt in range(CODE_TRIES):
        try:
            with transaction.atomic():
                return Link.objects.create(
                    workspace=actor.workspace,
                    code=utm.new_code(),
                    name=data.name,
                    destination=destination,
                    project=project,
                    channel=channel,
                    account=account,
                    created_by=actor.user,
                    **values,
                )
        except IntegrityError:
            # Two codes of 62**8 meeting is all but impossible; try a fresh one.
            if attempt == CODE_TRIES - 1:
                raise
    raise AssertionError("unreachable")


def do_update_link(*, actor: Membership, link: Link, data: LinkPatch) -> Link:
    """Change the fields sent; its code and UTM values stay."""
    check_edit(actor, "link")
    changes = data.model_dump(exclude_unset=True)
    destination = (
        utm.check_destination(changes["destination"])
        if changes.get("destination") is not None
        else None
    )
    project: Project | None | bool = False  # False: unchanged
    if "project_key" in changes and changes["project_key"] is not None:
        project = _link_project(actor, changes["project_key"])
    channel_id = changes.get("channel_id")
    account_id = changes.get("account_id")
    place = None
    if channel_id is not None or account_id is not None:
        place = _link_place(
            actor,
            channel_id if channel_id is not None else link.channel_id,
            account_id if account_id is not None else link.account_id,
        )
    with transaction.atomic():
        before = lock_current(link)
        if changes.get("name") is not None:
            link.name = changes["name"]
        if destination is not None:
            link.destination = destination
        if changes.get("archived") is not None:
            link.archived = changes["archived"]
        if project is not False:
            link.project = project  # type: ignore[assignment]
        if place is not None:
            link.channel, link.account = place
        save_changed(link, before)
    return link


# --- the click event


def click_row(
    *,
    link: Link,
    distinct_id: str,
    url: str,
    referrer: str,
    user_agent: str,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """The event a click is, as ingestion's rows are (opsloop/events/rows.py): a track of
    CLICK_EVENT by the visitor's anonymous id, with the link's UTM values as its campaign
    context. No source (source_id 0: opsloop itself sent it) and no IP address."""
    moment = (now or timezone.now()).astimezone(dt.UTC).isoformat(timespec="microseconds")
    values = link.utm_values
    properties = {
        "link_code": link.code,
        "link_id": link.pk,
        "link_name": link.name,
        "destination": link.destination,
        "channel": link.channel.name if link.channel_id and link.channel else "",
        "account": link.account.name if link.account_id and link.account else "",
        "project": link.project_key or "",
        "$current_url": url,
        "$referrer": referrer,
        "$user_agent": user_agent,
        **{name: value for name, value in values.items() if value},
    }
    row: dict[str, Any] = {name: "" for name in COLUMNS}
    row.update(
        workspace_id=link.workspace_id,
        source_id=0,
        message_id=str(uuid.uuid4()),
        type="track",
        event=CLICK_EVENT,
        anonymous_id=distinct_id,
        user_id="",
        distinct_id=distinct_id,
        person_id=0,
        timestamp=moment,
        received_at=moment,
        url=url,
        path=link.short_path,
        referrer=referrer,
        user_agent=user_agent,
        properties=orjson.dumps(properties).decode(),
        traits="{}",
        **values,
    )
    return row


def record_link_click(
    *, link: Link, distinct_id: str, url: str, referrer: str = "", user_agent: str = ""
) -> bool:
    """Append the click to the events inbox, durable when it returns, as ingestion does
    (the flusher stores it). A disk that refuses loses the click, not the visitor's way
    on: False then."""
    row = click_row(
        link=link,
        distinct_id=distinct_id,
        url=url[:2000],
        referrer=referrer[:2000],
        user_agent=user_agent[:1000],
    )
    try:
        inbox.append([row])
    except OSError:
        logger.exception("The click of link %s could not be written to the inbox", link.code)
        return False
    return True
