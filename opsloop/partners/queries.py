"""Reads of partners that pages, the API and the reminders share, with the access checks
(docs/partners.md#who-may-do-what).

Partners are the workspace's, not a project's: members, admins and the owner read and
change them; guests (agencies, merchants) see nothing of partners, their prices or their
cooperations. A partner is deleted by its owner or an admin. A cooperation made for a
project is behind that project's wall: whoever does not see the project does not see the
cooperation, nor count it in any total.

The price of a rate item on a day is the new price of its latest change on or before
that day (PriceChange, ordered by day then by when it was recorded); before its first
change an item has no price."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from opsloop.channels.models import Account, Channel, FollowerCount
from opsloop.content.models import ContentPiece
from opsloop.core.errors import Forbidden, Invalid, NotFound
from opsloop.core.models import Membership, Role, User, Workspace
from opsloop.core.queries import access_workspace
from opsloop.files.models import File
from opsloop.files.queries import visible_files
from opsloop.partners.models import (
    Contact,
    Cooperation,
    CooperationStatus,
    Interaction,
    Partner,
    PartnerKind,
    PriceChange,
    RateItem,
)
from opsloop.work.models import Project
from opsloop.work.queries import visible_projects

VIEW, DELETE = "view", "delete"
LIST_LIMIT = 500
# How many days before a contract ends its partner's owner is reminded.
CONTRACT_NOTICE_DAYS = 30
CENT = Decimal("0.01")


def partner_url(partner: Partner) -> str:
    return f"/w/{partner.workspace.slug}/partners/{partner.pk}/"


def local_today(workspace: Workspace, now: dt.datetime | None = None) -> dt.date:
    zone = zoneinfo.ZoneInfo(workspace.time_zone)
    return (now or timezone.now()).astimezone(zone).date()


# --- access


def check_can_use(membership: Membership) -> None:
    """Members and above; guests see nothing of partners."""
    if not membership.at_least(Role.MEMBER):
        raise Forbidden(_("Guests do not see partners, their prices or their cooperations."))


def access_partners(user: User, slug: str) -> Membership:
    """The membership of someone who may use partners: 404 outside, 403 for guests."""
    membership = access_workspace(user, slug)
    check_can_use(membership)
    return membership


def can_delete_partner(membership: Membership, partner: Partner) -> bool:
    """The partner's owner and admins."""
    return membership.at_least(Role.MEMBER) and (
        partner.owner_id == membership.user_id or membership.at_least(Role.ADMIN)
    )


def check_can_delete(membership: Membership, partner: Partner) -> None:
    check_can_use(membership)
    if not can_delete_partner(membership, partner):
        raise Forbidden(_("Only the partner's owner or a workspace admin can delete this."))


@dataclass(frozen=True)
class PartnerAccess:
    membership: Membership
    partner: Partner
    can_delete: bool


def workspace_partners(membership: Membership) -> QuerySet[Partner]:
    return Partner.objects.filter(workspace_id=membership.workspace_id)


def access_partner(user: User, slug: str, partner_id: int, need: str = VIEW) -> PartnerAccess:
    """A partner of the workspace: 404 when there is none, 403 for guests, and 403 for
    DELETE unless the caller is its owner or an admin."""
    return access_partner_of(access_partners(user, slug), partner_id, need)


def access_partner_of(membership: Membership, partner_id: int, need: str = VIEW) -> PartnerAccess:
    check_can_use(membership)
    partner = workspace_partners(membership).select_related("owner").filter(pk=partner_id).first()
    if partner is None:
        raise NotFound(_("Partner not found."))
    partner.workspace = membership.workspace
    if need == DELETE:
        check_can_delete(membership, partner)
    return PartnerAccess(membership, partner, can_delete_partner(membership, partner))


def get_contact(partner: Partner, contact_id: int) -> Contact:
    contact = Contact.objects.filter(partner=partner, pk=contact_id).first()
    if contact is None:
        raise NotFound(_("Contact not found."))
    contact.partner = partner
    return contact


def get_interaction(partner: Partner, interaction_id: int) -> Interaction:
    interaction = Interaction.objects.filter(partner=partner, pk=interaction_id).first()
    if interaction is None:
        raise NotFound(_("Interaction not found."))
    interaction.partner = partner
    return interaction


def get_account(partner: Partner, account_id: int) -> Account:
    account = partner.accounts.select_related("channel").filter(pk=account_id).first()
    if account is None:
        raise NotFound(_("Account not found."))
    return account


def get_rate_item(partner: Partner, item_id: int) -> RateItem:
    item = RateItem.objects.filter(partner=partner, pk=item_id).first()
    if item is None:
        raise NotFound(_("Rate item not found."))
    item.partner = partner
    return item


def visible_cooperations(membership: Membership) -> QuerySet[Cooperation]:
    """Cooperations of the workspace the member may see: those of no project and those of
    the projects they see."""
    if not membership.at_least(Role.MEMBER):
        return Cooperation.objects.none()
    return Cooperation.objects.filter(workspace_id=membership.workspace_id).filter(
        Q(project__isnull=True) | Q(project__in=visible_projects(membership))
    )


def get_cooperation(membership: Membership, partner: Partner, cooperation_id: int) -> Cooperation:
    cooperation = (
        _with_parts(membership, visible_cooperations(membership))
        .filter(partner=partner, pk=cooperation_id)
        .first()
    )
    if cooperation is None:
        raise NotFound(_("Cooperation not found."))
    cooperation.partner = partner
    return cooperation


def can_delete_cooperation(membership: Membership, cooperation: Cooperation) -> bool:
    """Who recorded it, the partner's owner and admins."""
    return cooperation.created_by_id == membership.user_id or can_delete_partner(
        membership, cooperation.partner
    )


# --- the list


@dataclass
class PartnerFilters:
    kind: str = ""
    tag: str = ""
    owner_id: int | None = None
    # Not contacted for at least this many days (never contacted counts).
    quiet_days: int | None = None
    # The contract ends within this many days from today.
    contract_days: int | None = None
    search: str = ""
    archived: bool = False


def _whole(params: Mapping[str, str], name: str, low: int = 0, high: int = 3650) -> int | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise Invalid(
            _("%(field)s must be a whole number.") % {"field": name}, field=name
        ) from None
    if not low <= value <= high:
        raise Invalid(
            _("%(field)s must be from %(low)s to %(high)s.")
            % {"field": name, "low": low, "high": high},
            field=name,
        )
    return value


def parse_partner_filters(params: Mapping[str, str]) -> PartnerFilters:
    """?kind=kol&tag=美妆&owner=3&quiet=30&contract=60&q=&archived=1"""
    kind = (params.get("kind") or "").strip()
    if kind and kind not in PartnerKind.values:
        raise Invalid(_("Unknown kind %(kind)s.") % {"kind": kind}, field="kind")
    return PartnerFilters(
        kind=kind,
        tag=(params.get("tag") or "").strip()[:40],
        owner_id=_whole(params, "owner", 1, 2**31),
        quiet_days=_whole(params, "quiet"),
        contract_days=_whole(params, "contract"),
        search=(params.get("q") or "").strip()[:100],
        archived=(params.get("archived") or "") in ("1", "true", "on"),
    )


def filter_partners(membership: Membership, filters: PartnerFilters) -> QuerySet[Partner]:
    partners = workspace_partners(membership).filter(archived=filters.archived)
    if filters.kind:
        partners = partners.filter(kind=filters.kind)
    if filters.owner_id is not None:
        partners = partners.filter(owner_id=filters.owner_id)
    if filters.search:
        partners = partners.filter(name__icontains=filters.search)
    today = local_today(membership.workspace)
    if filters.quiet_days is not None:
        since = today - dt.timedelta(days=filters.quiet_days)
        partners = partners.filter(
            Q(last_contacted_on__isnull=True) | Q(last_contacted_on__lte=since)
        )
    if filters.contract_days is not None:
        partners = partners.filter(
            contract_ends_on__gte=today,
            contract_ends_on__lte=today + dt.timedelta(days=filters.contract_days),
        )
    return partners.select_related("owner").order_by("name", "pk")


def list_partners(membership: Membership, filters: PartnerFilters) -> list[Partner]:
    """By name, at most LIST_LIMIT. The tag is matched here rather than in SQL: a JSON
    list's containment is not portable between SQLite and PostgreSQL, and a workspace has
    hundreds of partners, not millions."""
    partners = filter_partners(membership, filters)
    if not filters.tag:
        return list(partners[:LIST_LIMIT])
    wanted = filters.tag.casefold()
    return [p for p in partners if any(str(t).casefold() == wanted for t in p.tags)][:LIST_LIMIT]


def tag_choices(membership: Membership) -> list[str]:
    tags: dict[str, str] = {}
    for row in workspace_partners(membership).values_list("tags", flat=True):
        for tag in row or []:
            tags.setdefault(str(tag).casefold(), str(tag))
    return sorted(tags.values())


def people_choices(membership: Membership) -> list[User]:
    """Who may own a partner: members, admins and the owner, not guests."""
    rows = (
        Membership.objects.filter(workspace_id=membership.workspace_id)
        .exclude(role=Role.GUEST)
        .select_related("user")
    )
    return sorted((m.user for m in rows), key=lambda u: u.label)


def member_user(workspace_id: int, user_id: int) -> User | None:
    """The user if they are a member (not a guest) of the workspace."""
    row = (
        Membership.objects.filter(workspace_id=workspace_id, user_id=user_id)
        .exclude(role=Role.GUEST)
        .select_related("user")
        .first()
    )
    return row.user if row else None


# --- prices


def price_at(item: RateItem, day: dt.date) -> Decimal | None:
    """The item's price on `day`: its latest change on or before it; None before its first."""
    return (
        PriceChange.objects.filter(rate_item=item, effective_on__lte=day)
        .order_by("-effective_on", "-pk")
        .values_list("new_price", flat=True)
        .first()
    )


def _price_on(day: dt.date) -> Subquery:
    return Subquery(
        PriceChange.objects.filter(rate_item=OuterRef("pk"), effective_on__lte=day)
        .order_by("-effective_on", "-pk")
        .values("new_price")[:1]
    )


def _first_price() -> Subquery:
    return Subquery(
        PriceChange.objects.filter(rate_item=OuterRef("pk"))
        .order_by("effective_on", "pk")
        .values("new_price")[:1]
    )


def with_current_price(items: QuerySet[RateItem], today: dt.date) -> QuerySet[RateItem]:
    """Items with `current_price`: the price in force today, or the first price while it is
    still to come (RateItem.price keeps the same, refreshed by the actions; this reads it
    fresh whatever day it is)."""
    return items.annotate(current_price=Coalesce(_price_on(today), _first_price(), F("price")))


def current_price(item: RateItem, today: dt.date) -> Decimal:
    found = price_at(item, today)
    if found is not None:
        return found
    first = (
        PriceChange.objects.filter(rate_item=item)
        .order_by("effective_on", "pk")
        .values_list("new_price", flat=True)
        .first()
    )
    return first if first is not None else item.price


def rate_items(partner: Partner, today: dt.date, *, active_only: bool = False) -> list[RateItem]:
    """The partner's rate card with each line's price today and its history."""
    items = RateItem.objects.filter(partner=partner)
    if active_only:
        items = items.filter(active=True)
    items = with_current_price(items, today).prefetch_related(
        Prefetch(
            "changes",
            queryset=PriceChange.objects.select_related("changed_by").order_by(
                "effective_on", "pk"
            ),
        )
    )
    found = list(items.select_related("channel").order_by("format", "pk"))
    for item in found:
        item.partner = partner
        # SQLite hands an annotation's decimal back without its places.
        item.current_price = _money(Decimal(item.current_price))  # type: ignore[attr-defined]
    return found


def price_history(item: RateItem) -> list[PriceChange]:
    """Every change of the item's price, oldest first, with who made it."""
    return list(
        PriceChange.objects.filter(rate_item=item)
        .select_related("changed_by")
        .order_by("effective_on", "pk")
    )


def price_chart(item: RateItem, changes: list[PriceChange], today: dt.date) -> dict:
    """A step line of the price over time for echarts: one point per day a price took
    effect (the last change of a day wins), carried on to today or the last change."""
    points: dict[str, str] = {}
    for change in changes:
        points[change.effective_on.isoformat()] = str(change.new_price)
    data = [[day, price] for day, price in points.items()]
    if data and data[-1][0] < today.isoformat():
        data.append([today.isoformat(), data[-1][1]])
    return {"id": item.pk, "format": item.format, "currency": item.currency, "points": data}


@dataclass
class PeriodFilters:
    start: dt.date
    end: dt.date
    kind: str = ""
    partner_id: int | None = None


def _day(params: Mapping[str, str], name: str) -> dt.date | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    day = parse_date(raw) if len(raw) == 10 else None
    if day is None:
        raise Invalid(_("%(field)s must be a date (YYYY-MM-DD).") % {"field": name}, field=name)
    return day


def parse_period(params: Mapping[str, str], today: dt.date, *, days: int = 90) -> PeriodFilters:
    """?from=&to= (default the last `days` days to today), kind, partner."""
    end = _day(params, "to") or today
    start = _day(params, "from") or end - dt.timedelta(days=days - 1)
    if start > end:
        raise Invalid(_("from must not be after to."), field="from")
    if (end - start).days > 3660:
        raise Invalid(_("A period is at most ten years."), field="from")
    kind = (params.get("kind") or "").strip()
    if kind and kind not in PartnerKind.values:
        raise Invalid(_("Unknown kind %(kind)s.") % {"kind": kind}, field="kind")
    return PeriodFilters(start, end, kind, _whole(params, "partner", 1, 2**31))


def price_changes(membership: Membership, period: PeriodFilters) -> list[PriceChange]:
    """Price changes across partners that took effect in the period, newest first (first
    listings, with no old price, included), at most LIST_LIMIT."""
    check_can_use(membership)
    rows = PriceChange.objects.filter(
        rate_item__partner__workspace_id=membership.workspace_id,
        effective_on__gte=period.start,
        effective_on__lte=period.end,
    )
    if period.kind:
        rows = rows.filter(rate_item__partner__kind=period.kind)
    if period.partner_id is not None:
        rows = rows.filter(rate_item__partner_id=period.partner_id)
    return list(
        rows.select_related("rate_item__partner", "changed_by").order_by("-effective_on", "-pk")[
            :LIST_LIMIT
        ]
    )


def change_percent(change: PriceChange) -> Decimal | None:
    if not change.old_price:
        return None
    return ((change.new_price - change.old_price) / change.old_price * 100).quantize(
        Decimal("0.1"), ROUND_HALF_UP
    )


# --- cost per result

BASES = ("agreed", "paid")
METRICS = ("reach", "clicks", "attributed_users", "conversions")


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


@dataclass
class Costs:
    """Cost and results of a group of cooperations. The cost of a result counts only the
    cooperations that report it: a cooperation with no clicks recorded adds neither its
    cost nor zero clicks to the cost per click."""

    currency: str
    cooperations: int = 0
    cost: Decimal = Decimal(0)
    reach: int = 0
    clicks: int = 0
    attributed_users: int = 0
    conversions: int = 0
    revenue: Decimal = Decimal(0)
    cost_for: dict[str, Decimal] = field(default_factory=dict)

    def add(self, cost: Decimal, row: Mapping) -> None:
        self.cooperations += 1
        self.cost += cost
        for metric in (*METRICS, "revenue"):
            value = row.get(metric)
            if value is None:
                continue
            setattr(self, metric, getattr(self, metric) + value)
            self.cost_for[metric] = self.cost_for.get(metric, Decimal(0)) + cost

    def _per(self, metric: str, scale: int = 1) -> Decimal | None:
        amount = getattr(self, metric)
        if not amount:
            return None
        return _money(self.cost_for.get(metric, Decimal(0)) * scale / amount)

    @property
    def cpm(self) -> Decimal | None:
        return self._per("reach", 1000)

    @property
    def cpc(self) -> Decimal | None:
        return self._per("clicks")

    @property
    def cost_per_user(self) -> Decimal | None:
        return self._per("attributed_users")

    @property
    def cost_per_conversion(self) -> Decimal | None:
        return self._per("conversions")

    @property
    def roi(self) -> Decimal | None:
        spent = self.cost_for.get("revenue", Decimal(0))
        return _money(self.revenue / spent) if spent else None

    def as_dict(self) -> dict:
        return {
            "currency": self.currency,
            "cooperations": self.cooperations,
            "cost": _money(self.cost),
            "reach": self.reach,
            "clicks": self.clicks,
            "attributed_users": self.attributed_users,
            "conversions": self.conversions,
            "revenue": _money(self.revenue),
            "cpm": self.cpm,
            "cpc": self.cpc,
            "cost_per_user": self.cost_per_user,
            "cost_per_conversion": self.cost_per_conversion,
            "roi": self.roi,
        }


def _cost(row: Mapping, basis: str) -> Decimal:
    if basis == "paid":
        return row["paid_amount"]
    return row["agreed_price"] * row["quantity"]


def _counted(
    membership: Membership, start: dt.date | None = None, end: dt.date | None = None
) -> QuerySet[Cooperation]:
    """Cooperations that count in costs: visible, not cancelled, dated by when they went
    out (or, not out yet, were booked), within start and end when given."""
    rows = visible_cooperations(membership).exclude(status=CooperationStatus.CANCELLED)
    if start is not None:
        rows = rows.filter(
            Q(publish_on__gte=start) | Q(publish_on__isnull=True, booked_on__gte=start)
        )
    if end is not None:
        rows = rows.filter(Q(publish_on__lte=end) | Q(publish_on__isnull=True, booked_on__lte=end))
    return rows


def _went_out(row: Mapping) -> dt.date:
    return row["publish_on"] or row["booked_on"]


ROW_FIELDS = ("partner_id", "publish_on", "booked_on", "currency", "agreed_price", "quantity", "paid_amount",
              "reach", "clicks", "attributed_users", "conversions", "revenue")  # fmt: skip


def parse_basis(params: Mapping[str, str]) -> str:
    basis = (params.get("basis") or "agreed").strip()
    if basis not in BASES:
        raise Invalid(_("basis is agreed or paid."), field="basis")
    return basis


@dataclass(frozen=True)
class CostMonth:
    month: str
    costs: Costs


def cost_by_month(
    membership: Membership,
    partner: Partner,
    *,
    basis: str = "agreed",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[CostMonth]:
    """The partner's cost and cost per result per month (and currency), oldest first."""
    rows = _counted(membership, start, end).filter(partner=partner)
    months: dict[tuple[str, str], Costs] = {}
    for row in rows.values(*ROW_FIELDS):
        key = (_went_out(row).strftime("%Y-%m"), row["currency"])
        months.setdefault(key, Costs(row["currency"])).add(_cost(row, basis), row)
    return [CostMonth(month, months[(month, cur)]) for month, cur in sorted(months)]


SORTS = ("partner", "cooperations", "cost", "cpm", "cpc", "cost_per_user",
         "cost_per_conversion", "roi")  # fmt: skip


@dataclass(frozen=True)
class CompareRow:
    partner: Partner
    costs: Costs


@dataclass
class CompareFilters:
    period: PeriodFilters
    basis: str = "agreed"
    tag: str = ""
    sort: str = "cpc"
    descending: bool = False


def parse_compare(params: Mapping[str, str], today: dt.date) -> CompareFilters:
    """?from=&to= (default the last 365 days), kind, tag, basis, sort (-cpc descending)."""
    sort = (params.get("sort") or "cpc").strip()
    descending = sort.startswith("-")
    sort = sort.lstrip("-")
    if sort not in SORTS:
        raise Invalid(_("sort is one of %(names)s.") % {"names": ", ".join(SORTS)}, field="sort")
    return CompareFilters(
        period=parse_period(params, today, days=365),
        basis=parse_basis(params),
        tag=(params.get("tag") or "").strip()[:40],
        sort=sort,
        descending=descending,
    )


def compare_partners(membership: Membership, filters: CompareFilters) -> list[CompareRow]:
    """Each partner (and currency) with cooperations that went out in the period: cost,
    results and cost per result, sorted; rows lacking the sorted value go last."""
    check_can_use(membership)
    period = filters.period
    rows = _counted(membership, period.start, period.end)
    if period.kind:
        rows = rows.filter(partner__kind=period.kind)
    if period.partner_id is not None:
        rows = rows.filter(partner_id=period.partner_id)
    groups: dict[tuple[int, str], Costs] = {}
    for row in rows.values(*ROW_FIELDS):
        key = (row["partner_id"], row["currency"])
        groups.setdefault(key, Costs(row["currency"])).add(_cost(row, filters.basis), row)
    partners = workspace_partners(membership).in_bulk({pid for pid, _c in groups})
    wanted = filters.tag.casefold()
    found = [
        CompareRow(partners[pid], costs)
        for (pid, _cur), costs in groups.items()
        if not wanted or any(str(t).casefold() == wanted for t in partners[pid].tags)
    ]
    for row in found:
        row.partner.workspace = membership.workspace
    if filters.sort == "partner":
        found.sort(key=lambda r: (r.partner.name, r.costs.currency), reverse=filters.descending)
        return found
    present = [r for r in found if getattr(r.costs, filters.sort) is not None]
    missing = [r for r in found if getattr(r.costs, filters.sort) is None]
    present.sort(key=lambda r: getattr(r.costs, filters.sort), reverse=filters.descending)
    missing.sort(key=lambda r: r.partner.name)
    return present + missing


# --- one partner


def partner_accounts(
    partner: Partner, *, ids: list[int] | None = None, history_days: int = 365
) -> list[Account]:
    """The partner's accounts (those of `ids`), each with `history`: its follower counts
    of the last `history_days` days, oldest first."""
    since = timezone.now().date() - dt.timedelta(days=history_days)
    accounts = partner.accounts.all() if ids is None else partner.accounts.filter(pk__in=ids)
    return list(
        accounts.select_related("channel")
        .prefetch_related(
            Prefetch(
                "follower_counts",
                queryset=FollowerCount.objects.filter(day__gte=since).order_by("day"),
                to_attr="history",
            )
        )
        .order_by("channel__position", "name", "pk")
    )


def partner_contracts(membership: Membership, partner: Partner) -> list[File]:
    """The partner's contracts the member may see (a file of a project hidden from them
    stays attached, unseen)."""
    return list(
        visible_files(membership)
        .filter(pk__in=partner.contracts.values("pk"))
        .select_related("project", "current_version")
        .order_by("name", "pk")
    )


def partner_cooperations(membership: Membership, partner: Partner) -> list[Cooperation]:
    """The partner's cooperations the member may see, latest booked first."""
    rows = list(
        _with_parts(membership, visible_cooperations(membership))
        .filter(partner=partner)
        .order_by("-booked_on", "-pk")[:LIST_LIMIT]
    )
    for row in rows:
        row.partner = partner
    return rows


def visible_pieces(membership: Membership) -> QuerySet[ContentPiece]:
    """Content pieces the member may link: of no project, or of a project they see."""
    return ContentPiece.objects.filter(workspace_id=membership.workspace_id).filter(
        Q(project__isnull=True) | Q(project__in=visible_projects(membership))
    )


def _with_parts(membership: Membership, rows: QuerySet[Cooperation]) -> QuerySet[Cooperation]:
    """With project, rate item and recorder, and only the pieces the member sees."""
    return rows.select_related("project", "rate_item", "created_by").prefetch_related(
        Prefetch("pieces", queryset=visible_pieces(membership).only("pk", "title").order_by("pk"))
    )


def visible_piece_ids(cooperation: Cooperation) -> list[int]:
    """The ids of the pieces of a cooperation read by get_cooperation or
    partner_cooperations (which load only the pieces the member sees)."""
    return [p.pk for p in cooperation.pieces.all()]


def partner_interactions(partner: Partner, limit: int = 200) -> list[Interaction]:
    return list(
        Interaction.objects.filter(partner=partner)
        .select_related("by")
        .order_by("-day", "-pk")[:limit]
    )


# --- what the forms offer


def channel_choices(membership: Membership) -> list[Channel]:
    return list(
        Channel.objects.filter(workspace_id=membership.workspace_id, archived=False).order_by(
            "position", "pk"
        )
    )


def linkable_accounts(membership: Membership, partner: Partner) -> list[Account]:
    """Partners' accounts of the workspace not linked to this partner yet."""
    return list(
        Account.objects.filter(workspace_id=membership.workspace_id, external=True, archived=False)
        .exclude(partners=partner)
        .select_related("channel")
        .order_by("channel__position", "name", "pk")[:LIST_LIMIT]
    )


def file_choices(membership: Membership, partner: Partner) -> list[File]:
    """Recent files of the library the member sees, not attached yet."""
    return list(
        visible_files(membership)
        .exclude(pk__in=partner.contracts.values("pk"))
        .select_related("project")
        .order_by("-created_at", "-pk")[:200]
    )


def project_choices(membership: Membership) -> list[Project]:
    """Projects a cooperation may be for: those the member sees, campaigns first."""
    projects = visible_projects(membership).exclude(stage="closed")
    return sorted(projects, key=lambda p: (p.kind != "campaign", p.name))


def piece_choices(membership: Membership) -> list[ContentPiece]:
    return list(visible_pieces(membership).order_by("-pk")[:200])


# --- reminders


def due_follow_ups(now: dt.datetime | None = None) -> list[Interaction]:
    """Interactions whose follow-up day has come in their workspace's time zone, whose
    partner has an owner, and that have not been reminded of yet."""
    now = now or timezone.now()
    # A day ahead of UTC covers every time zone; the exact local day is checked below.
    candidates = (
        Interaction.objects.filter(
            follow_up_reminded=False,
            follow_up_on__lte=(now + dt.timedelta(days=1)).date(),
            partner__owner__isnull=False,
            partner__archived=False,
        )
        .select_related("partner__workspace", "partner__owner")
        .order_by("follow_up_on", "pk")
    )
    return [
        i
        for i in candidates
        if i.follow_up_on <= local_today(i.partner.workspace, now)  # type: ignore[operator]
    ]


def due_contracts(now: dt.datetime | None = None) -> list[Partner]:
    """Partners whose contract ends within CONTRACT_NOTICE_DAYS days (and has not ended
    yet) in their workspace's time zone, whose owner has not been reminded of that end."""
    now = now or timezone.now()
    horizon = (now + dt.timedelta(days=1)).date() + dt.timedelta(days=CONTRACT_NOTICE_DAYS)
    candidates = (
        Partner.objects.filter(
            contract_ends_on__isnull=False,
            contract_ends_on__lte=horizon,
            owner__isnull=False,
            archived=False,
        )
        .filter(
            Q(contract_reminded_for__isnull=True) | ~Q(contract_reminded_for=F("contract_ends_on"))
        )
        .select_related("workspace", "owner")
        .order_by("contract_ends_on", "pk")
    )
    due = []
    for partner in candidates:
        today = local_today(partner.workspace, now)
        ends = partner.contract_ends_on
        if ends is not None and today <= ends <= today + dt.timedelta(days=CONTRACT_NOTICE_DAYS):
            due.append(partner)
    return due
