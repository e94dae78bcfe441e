"""Reads of channels, accounts, UTM naming rules and links that pages and the API share,
with the access checks, and the clicks of a link read from the event store
(docs/channels.md#who-may-do-what).

Channels and accounts belong to the whole workspace: every member reads them, guests
(agencies, partners) included, since briefs name the channels and accounts a campaign
goes out on. Members and above add and change accounts and record their followers;
owners and admins keep the list of channels and the UTM naming rules.

A link of a project is behind that project's wall: whoever sees the project sees the
link, guests included where the project is shared with them; a link of no project is
seen by members and above. Its clicks and the users behind them are users' events,
which guests never see (opsloop.events.queries.check_sees_events)."""

# SQL here is built from the insights compiler's fragments; values are bound parameters.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from opsloop.channels.models import Account, Channel, FollowerCount, Link, UtmField, UtmValue
from opsloop.core.errors import Forbidden, Invalid, NotFound
from opsloop.core.models import Membership, Role, User, Workspace
from opsloop.core.queries import access_workspace
from opsloop.events import queries as event_queries
from opsloop.events.models import Person
from opsloop.events.store import QueryTimeout, get_store
from opsloop.insights.engine import make_plan
from opsloop.insights.persons import ensure_snapshot
from opsloop.insights.plan import Plan
from opsloop.insights.queries import QueryTooSlow
from opsloop.insights.query import EventSelector, PropertyFilter
from opsloop.work.models import Project
from opsloop.work.queries import visible_projects

VIEW, EDIT, CLICKS = "view", "edit", "clicks"
LIST_LIMIT = 500
USERS_LIMIT = 200
# The event a short link's redirect records (docs/channels.md#the-click-event).
CLICK_EVENT = "$link_click"
# How far back a link's clicks are read: the insights' longest range.
CLICK_DAYS = 3 * 366


def local_today(workspace: Workspace, now: dt.datetime | None = None) -> dt.date:
    return (now or timezone.now()).astimezone(zoneinfo.ZoneInfo(workspace.time_zone)).date()


def local_day(workspace: Workspace, moment: dt.datetime) -> dt.date:
    return moment.astimezone(zoneinfo.ZoneInfo(workspace.time_zone)).date()


# --- who may do what


def can_edit(membership: Membership) -> bool:
    """Accounts, followers and links: members and above."""
    return membership.at_least(Role.MEMBER)


def can_manage(membership: Membership) -> bool:
    """The channels and the UTM naming rules: owners and admins."""
    return membership.at_least(Role.ADMIN)


def check_edit(membership: Membership, what: str = "") -> None:
    if not can_edit(membership):
        raise Forbidden(
            _("Guests can only read channels and accounts.")
            if what != "link"
            else _("Guests can only read the links shared with them.")
        )


def check_manage(membership: Membership) -> None:
    if not can_manage(membership):
        raise Forbidden(_("Only owners and admins change the channels and the UTM naming rules."))


def check_sees_clicks(membership: Membership) -> None:
    """A link's clicks are users' events: members and above."""
    if not membership.at_least(Role.MEMBER):
        raise Forbidden(_("Guests cannot see a link's clicks or the users behind them."))


# --- channels


def list_channels(workspace_id: int, *, archived: bool = False) -> QuerySet[Channel]:
    """The workspace's channels in their order; with `archived`, the archived ones too."""
    channels = Channel.objects.filter(workspace_id=workspace_id)
    return channels if archived else channels.filter(archived=False)


def get_channel(workspace_id: int, channel_id: int, *, field: str | None = None) -> Channel:
    """A channel of the workspace; with `field`, a missing one is an Invalid input there."""
    channel = Channel.objects.filter(workspace_id=workspace_id, pk=channel_id).first()
    if channel is None:
        if field:
            raise Invalid(_("No channel with id %(id)s.") % {"id": channel_id}, field=field)
        raise NotFound(_("Channel not found."))
    return channel


# --- accounts and followers


@dataclass
class AccountFilters:
    channel_id: int | None = None
    external: bool | None = None
    archived: bool = False


def _flag(value: Any, name: str) -> bool | None:
    text = str(value or "").strip().lower()
    if not text:
        return None
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off"):
        return False
    raise Invalid(_("%(field)s must be true or false.") % {"field": name}, field=name)


def _id(value: Any, name: str) -> int | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise Invalid(_("%(field)s must be an id.") % {"field": name}, field=name) from None


def parse_account_filters(params: Mapping[str, Any]) -> AccountFilters:
    return AccountFilters(
        channel_id=_id(params.get("channel"), "channel"),
        external=_flag(params.get("external"), "external"),
        archived=bool(_flag(params.get("archived"), "archived")),
    )


def list_accounts(workspace_id: int, filters: AccountFilters | None = None) -> QuerySet[Account]:
    """Accounts with their channel and owner, in the channels' order (LIST_LIMIT at most)."""
    filters = filters or AccountFilters()
    accounts = Account.objects.filter(
        workspace_id=workspace_id, archived=filters.archived
    ).select_related("channel", "owner")
    if filters.channel_id is not None:
        accounts = accounts.filter(channel_id=filters.channel_id)
    if filters.external is not None:
        accounts = accounts.filter(external=filters.external)
    return accounts[:LIST_LIMIT]


@dataclass(frozen=True)
class AccountAccess:
    membership: Membership
    account: Account


def get_account(membership: Membership, account_id: int, *, field: str | None = None) -> Account:
    account = (
        Account.objects.select_related("channel", "owner")
        .filter(workspace_id=membership.workspace_id, pk=account_id)
        .first()
    )
    if account is None:
        if field:
            raise Invalid(_("No account with id %(id)s.") % {"id": account_id}, field=field)
        raise NotFound(_("Account not found."))
    account.workspace = membership.workspace
    return account


def access_account(user: User, slug: str, account_id: int, need: str = VIEW) -> AccountAccess:
    """An account of the workspace; 404 for a non-member, 403 for a guest who would change it."""
    membership = access_workspace(user, slug)
    account = get_account(membership, account_id)
    if need == EDIT:
        check_edit(membership)
    return AccountAccess(membership, account)


def follower_history(account: Account) -> list[FollowerCount]:
    """Every recorded count of the account, the earliest day first."""
    return list(FollowerCount.objects.filter(account=account).order_by("day"))


def follower_chart(history: list[FollowerCount]) -> dict[str, list]:
    """The history for the account page's chart (opsloop/static/opsloop/channels.js)."""
    return {
        "days": [c.day.isoformat() for c in history],
        "followers": [c.followers for c in history],
    }


def latest_count(account: Account) -> FollowerCount | None:
    return FollowerCount.objects.filter(account=account).order_by("-day").first()


def accounts_by_name(workspace_id: int) -> dict[str, list[Account]]:
    """The workspace's accounts by name and by handle, case folded, for matching the rows
    of an imported file (an archived account still takes its history)."""
    found: dict[str, list[Account]] = {}
    for account in Account.objects.filter(workspace_id=workspace_id).select_related("channel"):
        keys = {account.name.strip().casefold(), account.handle.strip().casefold()} - {""}
        for key in keys:
            found.setdefault(key, []).append(account)
    return found


def people_choices(membership: Membership) -> list[User]:
    """Who may own an account: the workspace's members and above."""
    rows = (
        Membership.objects.filter(workspace_id=membership.workspace_id)
        .exclude(role=Role.GUEST)
        .select_related("user")
    )
    return sorted((m.user for m in rows), key=lambda u: u.label)


def check_owner(workspace_id: int, user_id: int, *, field: str = "owner_id") -> User:
    membership = (
        Membership.objects.filter(workspace_id=workspace_id, user_id=user_id)
        .exclude(role=Role.GUEST)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise Invalid(
            _("User %(id)s is not a member of this workspace.") % {"id": user_id}, field=field
        )
    return membership.user


# --- UTM naming rules


def list_utm_values(workspace_id: int) -> QuerySet[UtmValue]:
    return UtmValue.objects.filter(workspace_id=workspace_id).order_by("field", "value")


def utm_lists(workspace_id: int) -> dict[str, list[UtmValue]]:
    """The allowed values of each UTM field that has a list (a field with none takes any
    well-formed value)."""
    lists: dict[str, list[UtmValue]] = {}
    for value in list_utm_values(workspace_id):
        lists.setdefault(value.field, []).append(value)
    return lists


def utm_rule_rows(workspace_id: int) -> list[tuple[str, list[UtmValue]]]:
    """Each UTM field with its list (maybe empty), for the builder and the rules page."""
    lists = utm_lists(workspace_id)
    return [(name, lists.get(name, [])) for name in UtmField.values]


def get_utm_value(membership: Membership, utm_value_id: int) -> UtmValue:
    value = UtmValue.objects.filter(workspace_id=membership.workspace_id, pk=utm_value_id).first()
    if value is None:
        raise NotFound(_("UTM value not found."))
    return value


# --- links


def visible_links(membership: Membership) -> QuerySet[Link]:
    """Links the member may see (the module docstring says who)."""
    in_projects = Q(project__in=visible_projects(membership))
    seen = in_projects if membership.role == Role.GUEST else Q(project__isnull=True) | in_projects
    return Link.objects.filter(workspace_id=membership.workspace_id).filter(seen)


@dataclass
class LinkFilters:
    project: str = ""
    channel_id: int | None = None
    campaign: str = ""
    archived: bool = False


def parse_link_filters(params: Mapping[str, Any]) -> LinkFilters:
    return LinkFilters(
        project=str(params.get("project") or "").strip().upper()[:10],
        channel_id=_id(params.get("channel"), "channel"),
        campaign=str(params.get("campaign") or "").strip()[:100],
        archived=bool(_flag(params.get("archived"), "archived")),
    )


def list_links(membership: Membership, filters: LinkFilters | None = None) -> list[Link]:
    """The links the member sees, newest first (LIST_LIMIT at most)."""
    filters = filters or LinkFilters()
    links = visible_links(membership).filter(archived=filters.archived)
    if filters.project:
        links = links.filter(project__key=filters.project)
    if filters.channel_id is not None:
        links = links.filter(channel_id=filters.channel_id)
    if filters.campaign:
        links = links.filter(utm_campaign=filters.campaign)
    found = list(links.select_related("project", "channel", "account", "created_by")[:LIST_LIMIT])
    for link in found:
        link.workspace = membership.workspace
    return found


@dataclass(frozen=True)
class LinkAccess:
    membership: Membership
    link: Link


def access_link(user: User, slug: str, link_id: int, need: str = VIEW) -> LinkAccess:
    """A link the user sees; 404 when hidden, 403 when they may not do `need` (edit it,
    or see its clicks)."""
    membership = access_workspace(user, slug)
    return access_link_of(membership, link_id, need)


def access_link_of(membership: Membership, link_id: int, need: str = VIEW) -> LinkAccess:
    link = (
        visible_links(membership)
        .select_related("project", "channel", "account", "created_by")
        .filter(pk=link_id)
        .first()
    )
    if link is None:
        raise NotFound(_("Link not found."))
    link.workspace = membership.workspace
    if need == EDIT:
        check_edit(membership, "link")
    elif need == CLICKS:
        check_sees_clicks(membership)
    return LinkAccess(membership, link)


def link_for_redirect(code: str) -> Link | None:
    """The link of a short address, unless it is unknown or archived."""
    if not code or len(code) > 16:
        return None
    return (
        Link.objects.select_related("workspace", "project", "channel", "account")
        .filter(code=code, archived=False)
        .first()
    )


def project_choices(membership: Membership) -> QuerySet[Project]:
    """The projects a member may put a link in."""
    if not can_edit(membership):
        return Project.objects.none()
    return visible_projects(membership).exclude(stage="closed").order_by("name")


def get_project(membership: Membership, key: str) -> Project:
    project = visible_projects(membership).filter(key=(key or "").strip().upper()).first()
    if project is None:
        raise Invalid(_("No project with key %(key)s.") % {"key": key}, field="project_key")
    project.workspace = membership.workspace
    return project


# --- clicks, from the event store
#
# A click is an event named CLICK_EVENT whose properties carry the link's code
# (link_code): the redirect records it (actions.record_link_click), the flusher gives it
# a person, like any event. The statements are written with the insights compiler's
# parts (opsloop/insights/sql.py), so they read the same on DuckDB and ClickHouse, with
# merged persons read as the person they merged into.


@dataclass(frozen=True)
class LinkUser:
    person: Person | None
    person_id: int
    events: int
    first_at: dt.datetime
    last_at: dt.datetime

    @property
    def label(self) -> str:
        return self.person.label if self.person is not None else f"#{self.person_id}"


@dataclass
class LinkClicks:
    first_day: dt.date
    last_day: dt.date
    days: list[tuple[dt.date, int, int]] = field(default_factory=list)  # day, clicks, users
    clicks: int = 0
    users: int = 0
    clickers: list[LinkUser] = field(default_factory=list)
    utm_users: list[LinkUser] = field(default_factory=list)

    @property
    def chart(self) -> dict[str, list]:
        """For the link page's chart (opsloop/static/opsloop/channels.js)."""
        return {
            "days": [d.isoformat() for d, _c, _u in self.days],
            "clicks": [c for _d, c, _u in self.days],
            "users": [u for _d, _c, u in self.days],
        }


def _plan(workspace: Workspace, today: dt.date) -> Plan:
    store = get_store()
    ensure_snapshot(store, workspace.pk)
    return make_plan(
        store, workspace.pk, workspace.time_zone, today, timeout=settings.INSIGHTS_TIMEOUT
    )


def _clicks_of(link: Link) -> EventSelector:
    return EventSelector(
        event=CLICK_EVENT, filters=[PropertyFilter(key="link_code", value=link.code)]
    )


def _arrivals_of(link: Link) -> EventSelector | None:
    """Events, other than clicks, that carry every UTM value the link has: the visits
    the link brought to a site or app that sends its events to opsloop."""
    values = {name: value for name, value in link.utm_values.items() if value}
    if "utm_source" not in values or "utm_campaign" not in values:
        return None
    filters = [PropertyFilter(key=name, value=value) for name, value in values.items()]
    filters.append(PropertyFilter(key="event", op="neq", value=CLICK_EVENT))
    return EventSelector(filters=filters)


def _too_slow(exc: QueryTimeout) -> QueryTooSlow:
    return QueryTooSlow(
        _("Reading the link's clicks took longer than %(seconds)s seconds and was stopped.")
        % {"seconds": f"{exc.seconds:g}"}
    )


def link_days(link: Link, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The days a link's clicks are read over: from the day it was made to today."""
    workspace = link.workspace
    today = today or local_today(workspace)
    first = max(local_day(workspace, link.created_at), today - dt.timedelta(days=CLICK_DAYS))
    return min(first, today), today


def link_clicks(link: Link, *, today: dt.date | None = None) -> LinkClicks:
    """The link's clicks by day, who clicked (the latest first) and who came with its UTM
    values, from the day it was made to today (the workspace's days)."""
    first, last = link_days(link, today)
    plan = _plan(link.workspace, last)
    result = LinkClicks(first_day=first, last_day=last)
    try:
        ctx = plan.sql(first, last)
        rel = ctx.events_from(
            [ctx.selects(_clicks_of(link))],
            f"e.person_id AS person_id, {ctx.bucket('day', 'e.timestamp', since=ctx.start)} AS b",
        )
        by_day = {
            int(b): (int(n), int(u))
            for b, n, u in plan.run(
                ctx,
                f"SELECT b, count(*), count(DISTINCT person_id) FROM ({rel}) AS c GROUP BY b",
            )
        }
        result.days = [
            (first + dt.timedelta(days=i), *by_day.get(i, (0, 0)))
            for i in range((last - first).days + 1)
        ]
        result.clicks = sum(n for n, _u in by_day.values())
        result.clickers, result.users = _users(plan, first, last, _clicks_of(link))
        arrivals = _arrivals_of(link)
        if arrivals is not None:
            result.utm_users, _n = _users(plan, first, last, arrivals)
    except QueryTimeout as exc:
        raise _too_slow(exc) from None
    return result


def _users(
    plan: Plan, first: dt.date, last: dt.date, selector: EventSelector
) -> tuple[list[LinkUser], int]:
    """The persons of the selected events with their count and first and last time, the
    latest first (USERS_LIMIT of them), and how many there are in all."""
    ctx = plan.sql(first, last)
    rel = ctx.events_from([ctx.selects(selector)], "e.person_id AS person_id, e.timestamp AS ts")
    rows = plan.run(
        ctx,
        "SELECT person_id, count(*) AS n, min(ts) AS first_at, max(ts) AS last_at, "
        f"count(*) OVER () AS total FROM ({rel}) AS c GROUP BY person_id "
        f"ORDER BY last_at DESC, person_id LIMIT {USERS_LIMIT}",
    )
    persons = event_queries.persons_by_id(plan.workspace_id, (int(r[0]) for r in rows))
    users = [
        LinkUser(
            person=persons.get(int(pid)),
            person_id=persons[int(pid)].pk if int(pid) in persons else int(pid),
            events=int(n),
            first_at=_utc(first_at),
            last_at=_utc(last_at),
        )
        for pid, n, first_at, last_at, _total in rows
    ]
    return users, int(rows[0][4]) if rows else 0


def _utc(moment: Any) -> dt.datetime:
    if isinstance(moment, dt.datetime):
        return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment
    return dt.datetime.fromisoformat(str(moment)).replace(tzinfo=dt.UTC)


def click_totals(membership: Membership, links: list[Link]) -> dict[str, int] | None:
    """The clicks of each link (by code) since the earliest of them was made, in one
    statement; None when the event store is too slow to say (the list shows no numbers)."""
    if not links or not membership.at_least(Role.MEMBER):
        return {} if links else None
    workspace = membership.workspace
    today = local_today(workspace)
    first = min(link_days(link, today)[0] for link in links)
    plan = _plan(workspace, today)
    ctx = plan.sql(first, today)
    codes = [link.code for link in links]
    selector = EventSelector(
        event=CLICK_EVENT,
        filters=[PropertyFilter(key="link_code", op="in", value=list(codes))],
    )
    rel = ctx.events_from([ctx.selects(selector)], f"{ctx.prop('event', 'link_code')} AS code")
    try:
        rows = plan.run(ctx, f"SELECT code, count(*) FROM ({rel}) AS c GROUP BY code")
    except QueryTimeout:
        return None
    return {str(code): int(n) for code, n in rows}
