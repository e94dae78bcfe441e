"""Campaign results: spend joined to the users' events by UTM (docs/money.md#results).

What was spent (spend entries and placements' daily figures, opsloop/money/models.py)
is put beside the users it brought: the users first seen in the range, by the UTM
values of their first or last touch, with the conversions they made within the window
and the revenue those carried (opsloop/money/results_events.py reads them from the
event store, as insights do). The join is by UTM:

- a campaign (project): the utm_campaign values of its links, its placements and its
  content pieces' links, and its key (D11 or d11); and its placements' and pieces' own
  values (below);
- a channel: its utm_source;
- a placement: its utm_source, utm_campaign and utm_content (those set; its link's
  where its own are empty), of which utm_campaign or utm_content must be set;
- a content piece: its link's utm_content (and its utm_source and utm_campaign, those set);
- a partner: the pieces of its cooperations.

From these: CTR, CPC, CPM, CAC, CPA, ROAS and ROI (Figures). Nothing here is stored:
results are computed when asked, the events' part cached per data version.

Reads only, for the pages, the API and the KPIs of goals (results_kpis.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from opsloop.channels.models import Channel, Link
from opsloop.content.models import ContentPiece, ContentResult
from opsloop.core.errors import Forbidden, Invalid
from opsloop.core.models import Membership, Role, User, Workspace
from opsloop.core.queries import access_workspace
from opsloop.events.store import QueryTimeout, get_store
from opsloop.insights.engine import make_plan
from opsloop.insights.persons import ensure_snapshot
from opsloop.insights.queries import QueryTooSlow, local_today
from opsloop.money import results_events
from opsloop.money.models import BudgetLine, Conversion, Placement, PlacementDay, SpendEntry
from opsloop.money.results_events import Group, Spec
from opsloop.partners.models import Cooperation, Partner
from opsloop.work.models import Project
from opsloop.work.queries import ProjectAccess, access_project, visible_projects

CENT = Decimal("0.01")
RATIO = Decimal("0.0001")
ZERO = Decimal("0")
DEFAULT_CURRENCY = "CNY"
DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366
TOUCHES = ("first", "last")
CACHE_SECONDS = 60 * 60
# What a ranking may sort by; the costs (lower is better) go up, the rest down.
SORTS = ("spend", "new_users", "conversions", "revenue", "cac", "cpa", "roas", "roi")
COSTS = ("cac", "cpa", "cpc", "cpm")


# --- who sees results


def check_sees_results(membership: Membership) -> None:
    """Members and above: results show spend and the users' events, which guests do not
    see."""
    if not membership.at_least(Role.MEMBER):
        raise Forbidden(_("Guests do not see spend and results."))


def access_results(user: User, slug: str) -> Membership:
    membership = access_workspace(user, slug)
    check_sees_results(membership)
    return membership


def access_project_results(user: User, slug: str, key: str) -> ProjectAccess:
    """A project the user sees, if their role sees results (404 before 403: a guest
    learns nothing of a project not shared with them)."""
    access = access_project(user, slug, key)
    check_sees_results(access.membership)
    return access


def can_set_conversion(membership: Membership) -> bool:
    return membership.at_least(Role.ADMIN)


# --- the numbers


def _ratio(a: Decimal | int | None, b: Decimal | int | None, places: Decimal) -> Decimal | None:
    if a is None or b is None or not b:
        return None
    return (Decimal(a) / Decimal(b)).quantize(places, rounding=ROUND_HALF_UP)


def _add(a: Any, b: Any) -> Any:
    if a is None:
        return b
    if b is None:
        return a
    return a + b


@dataclass
class Figures:
    """What was spent and what it brought, with the ratios of the two. None: not known
    (no placement figures, no conversion event set); a ratio over zero is None too."""

    spend: Decimal = ZERO
    impressions: int | None = None
    clicks: int | None = None
    new_users: int = 0
    conversions: int | None = None
    revenue: Decimal | None = None

    def add(self, other: Figures) -> Figures:
        self.spend += other.spend
        self.impressions = _add(self.impressions, other.impressions)
        self.clicks = _add(self.clicks, other.clicks)
        self.new_users += other.new_users
        self.conversions = _add(self.conversions, other.conversions)
        self.revenue = _add(self.revenue, other.revenue)
        return self

    @property
    def ctr(self) -> Decimal | None:
        """Clicks per impression (0.0123: 1.23%)."""
        return _ratio(self.clicks, self.impressions, RATIO)

    # Costs per result need spend: with none recorded (a channel's organic users, days
    # before a campaign spent) a cost of 0.00 would read as users for free, and rank
    # first; there is none ("—"), ranked last.

    @property
    def cpc(self) -> Decimal | None:
        return _ratio(self.spend, self.clicks, CENT) if self.spend else None

    @property
    def cpm(self) -> Decimal | None:
        """Spend per thousand impressions."""
        return _ratio(self.spend * 1000, self.impressions, CENT) if self.spend else None

    @property
    def cac(self) -> Decimal | None:
        """Spend per new user brought."""
        return _ratio(self.spend, self.new_users, CENT) if self.spend else None

    @property
    def cpa(self) -> Decimal | None:
        """Spend per conversion."""
        return _ratio(self.spend, self.conversions, CENT) if self.spend else None

    @property
    def roas(self) -> Decimal | None:
        """Revenue per unit spent (2.5: ¥2.50 for each ¥1)."""
        return _ratio(self.revenue, self.spend, RATIO)

    @property
    def roi(self) -> Decimal | None:
        """(Revenue - spend) / spend (0.5: 50%)."""
        if self.revenue is None:
            return None
        return _ratio(self.revenue - self.spend, self.spend, RATIO)

    def metric(self, name: str) -> Decimal | int | None:
        return getattr(self, name)


# --- UTM patterns: which users a campaign, placement or piece brought


@dataclass(frozen=True)
class Utm:
    """The UTM values a touch must carry (empty: any)."""

    source: str = ""
    campaign: str = ""
    content: str = ""

    @property
    def specific(self) -> bool:
        """Names a campaign or a content, not only a source (a source alone is a channel,
        and would claim every user of it)."""
        return bool(self.campaign or self.content)

    def matches(self, group: Group) -> bool:
        return (
            (not self.source or self.source == group.source)
            and (not self.campaign or self.campaign == group.campaign)
            and (not self.content or self.content == group.content)
        )


def placement_utm(placement: Placement) -> Utm | None:
    """A placement's values, its link's where its own are empty (as the placement's page
    says); None when they name no campaign or content."""
    link = placement.link
    utm = Utm(
        placement.utm_source or (link.utm_source if link else ""),
        placement.utm_campaign or (link.utm_campaign if link else ""),
        placement.utm_content or (link.utm_content if link else ""),
    )
    return utm if utm.specific else None


def piece_utm(piece: ContentPiece) -> Utm | None:
    """A piece is known by its link's utm_content (with its source and campaign)."""
    link = piece.link
    if link is None or not link.utm_content:
        return None
    return Utm(link.utm_source, link.utm_campaign, link.utm_content)


def _matcher(patterns: Iterable[Utm | None]) -> Callable[[Group], bool] | None:
    """Whether a group's touch fits any of the patterns (None: no pattern). Patterns are
    kept by which of the three values they set, so a group costs at most seven set
    lookups however many patterns there are."""
    by_fields: dict[tuple[bool, bool, bool], set[tuple[str, ...]]] = defaultdict(set)
    for p in patterns:
        if p is None:
            continue
        fields = (bool(p.source), bool(p.campaign), bool(p.content))
        by_fields[fields].add(_values(fields, p.source, p.campaign, p.content))
    if not by_fields:
        return None
    kept = list(by_fields.items())

    def match(group: Group) -> bool:
        return any(
            _values(fields, group.source, group.campaign, group.content) in wanted
            for fields, wanted in kept
        )

    return match


def _values(fields: tuple[bool, bool, bool], *values: str) -> tuple[str, ...]:
    return tuple(value for value, used in zip(values, fields, strict=True) if used)


# --- the conversion setting


def get_conversion(workspace_id: int, project: Project | None = None) -> Conversion | None:
    """The conversion results count: the project's own, else the workspace's (one query)."""
    wanted = Q(project__isnull=True)
    if project is not None:
        wanted |= Q(project=project)
    found = list(Conversion.objects.filter(Q(workspace_id=workspace_id) & wanted))
    own = [c for c in found if c.project_id is not None]
    chosen = own or found
    return chosen[0] if chosen else None


# --- the range


@dataclass(frozen=True)
class Range:
    first: dt.date
    last: dt.date
    touch: str = "first"

    @property
    def days(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=i) for i in range((self.last - self.first).days + 1)]


def check_range(
    workspace: Workspace,
    first: dt.date | None,
    last: dt.date | None,
    touch: str | None = None,
) -> Range:
    """The days asked (the last 30 days to today when none) and the touch, or Invalid."""
    today = local_today(workspace)
    last = last or today
    first = first or last - dt.timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise Invalid(_("The first day is after the last."), field="date_from")
    if (last - first).days >= MAX_DAYS:
        raise Invalid(_("Ask for at most three years."), field="date_from")
    if first.year < 1970 or last.year > 2100:
        raise Invalid(_("Ask for days from 1970 to 2100."), field="date_from")
    touch = touch or "first"
    if touch not in TOUCHES:
        raise Invalid(_("The touch is first or last."), field="touch")
    return Range(first, last, touch)


# --- the events' side


def event_groups(workspace: Workspace, spec: Spec) -> list[Group]:
    """The new users of the range by UTM and day (results_events.run), from the cache when
    the events and the persons snapshot are what they were."""
    store = get_store()
    events, snapshot = ensure_snapshot(store, workspace.pk)
    described = "|".join(
        str(v)
        for v in (
            spec.first_day, spec.last_day, spec.touch, spec.event, spec.revenue_property,
            spec.window_days, workspace.time_zone, events, snapshot,
        )
    )  # fmt: skip
    key = f"money:results:{workspace.pk}:{hashlib.sha256(described.encode()).hexdigest()}"
    found = cache.get(key)
    if found is not None:
        return found
    plan = make_plan(
        store,
        workspace.pk,
        workspace.time_zone,
        local_today(workspace),
        timeout=settings.INSIGHTS_TIMEOUT,
    )
    try:
        found = results_events.run(plan, spec)
    except QueryTimeout as exc:
        raise QueryTooSlow(
            _(
                "Reading the users' events took longer than %(seconds)s seconds and was "
                "stopped. Try a shorter date range."
            )
            % {"seconds": f"{exc.seconds:g}"}
        ) from None
    cache.set(key, found, CACHE_SECONDS)
    return found


def _spec(rng: Range, conversion: Conversion | None) -> Spec:
    if conversion is None:
        return Spec(rng.first, rng.last, rng.touch)  # type: ignore[arg-type]
    return Spec(
        rng.first,
        rng.last,
        rng.touch,  # type: ignore[arg-type]
        conversion.event,
        conversion.revenue_property,
        conversion.window_days,
    )


# --- the spending side


@dataclass(frozen=True)
class Line:
    """One amount spent on a day: a placement's day, or a spend entry not tied to a
    placement (a placement's spend is its days' figures)."""

    day: dt.date
    currency: str
    amount: Decimal
    project_id: int
    channel_id: int | None = None
    placement_id: int | None = None
    partner_id: int | None = None
    cooperation_id: int | None = None
    impressions: int | None = None
    clicks: int | None = None


def _ledger(workspace_id: int, project_ids: list[int] | None, rng: Range) -> list[Line]:
    """The range's spend of these projects (every project's when None): two queries."""
    days = PlacementDay.objects.filter(
        placement__workspace_id=workspace_id, day__gte=rng.first, day__lte=rng.last
    )
    entries = SpendEntry.objects.filter(
        workspace_id=workspace_id, placement__isnull=True, day__gte=rng.first, day__lte=rng.last
    )
    if project_ids is not None:
        days = days.filter(placement__project_id__in=project_ids)
        entries = entries.filter(project_id__in=project_ids)
    # A placement's channel is its own, else its budget line's (as the Budget tab counts).
    days = days.annotate(
        channel=Coalesce(F("placement__channel_id"), F("placement__budget_line__channel_id"))
    )
    lines = [
        Line(day, currency, spend, project_id, channel_id, placement_id, None, None, shown, clicks)
        for day, currency, spend, project_id, channel_id, placement_id, shown, clicks in (
            days.values_list(
                "day", "currency", "spend", "placement__project_id", "channel",
                "placement_id", "impressions", "clicks",
            )
        )
    ]  # fmt: skip
    for row in entries.values_list(
        "day", "currency", "amount", "project_id", "line__channel_id", "partner_id",
        "cooperation__partner_id", "cooperation_id",
    ):  # fmt: skip
        day, currency, amount, project_id, channel_id, partner_id, coop_partner, coop = row
        lines.append(
            Line(
                day,
                currency,
                amount,
                project_id,
                channel_id,
                None,
                partner_id or coop_partner,
                coop,
            )
        )
    return lines


def _project_currencies(workspace_id: int, project_ids: list[int]) -> dict[int, str]:
    """Each project's currency, as its Budget tab has it (money.queries.project_currency):
    its lines', else its entries', else its placements' days'. Three queries for all;
    projects with no money are left out."""
    found: dict[int, str] = {}
    for rows in (
        BudgetLine.objects.filter(
            workspace_id=workspace_id, project_id__in=project_ids
        ).values_list("project_id", "currency"),
        SpendEntry.objects.filter(
            workspace_id=workspace_id, project_id__in=project_ids
        ).values_list("project_id", "currency"),
        PlacementDay.objects.filter(
            placement__workspace_id=workspace_id, placement__project_id__in=project_ids
        ).values_list("placement__project_id", "currency"),
    ):
        for project_id, currency in rows.distinct().order_by():
            found.setdefault(project_id, currency)
    return found


def _currency(
    workspace_id: int, project_ids: list[int], lines: list[Line]
) -> tuple[str, list[Line], dict[str, Decimal]]:
    """The currency results are in: the projects' (one project's money is in one
    currency), else the one most of them use (CNY on a tie and when none has money),
    whatever the range; the lines in it; and the totals left out, recorded in others."""
    counts = Counter(_project_currencies(workspace_id, project_ids).values())
    currency = (
        max(counts, key=lambda c: (counts[c], c == DEFAULT_CURRENCY))
        if counts
        else DEFAULT_CURRENCY
    )
    kept: list[Line] = []
    other: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        if line.currency == currency:
            kept.append(line)
        else:
            other[line.currency] += line.amount
    return currency, kept, dict(sorted(other.items()))


def _spent(lines: Iterable[Line]) -> Figures:
    out = Figures()
    for line in lines:
        out.spend += line.amount
        out.impressions = _add(out.impressions, line.impressions)
        out.clicks = _add(out.clicks, line.clicks)
    return out


def _brought(groups: Iterable[Group], counts_conversions: bool) -> Figures:
    out = Figures(
        conversions=0 if counts_conversions else None, revenue=ZERO if counts_conversions else None
    )
    for group in groups:
        out.new_users += group.users
        if counts_conversions:
            out.conversions = (out.conversions or 0) + group.conversions
            out.revenue = (out.revenue or ZERO) + group.revenue
    return out


# --- results


@dataclass
class Row:
    """One campaign, channel, placement, partner or piece with its figures. `matched`:
    whether it has UTM values to find its users by (else its users are not known)."""

    kind: str
    id: int
    label: str
    figures: Figures
    matched: bool = True
    detail: str = ""  # a channel's utm_source, a placement's platform, a project's key


@dataclass
class DayFigures:
    day: dt.date
    figures: Figures


@dataclass
class Results:
    """A project's (or the workspace's) results over a range."""

    range: Range
    currency: str
    conversion: Conversion | None
    totals: Figures
    days: list[DayFigures] = field(default_factory=list)
    channels: list[Row] = field(default_factory=list)
    placements: list[Row] = field(default_factory=list)
    partners: list[Row] = field(default_factory=list)
    pieces: list[Row] = field(default_factory=list)
    campaigns: list[Row] = field(default_factory=list)
    # Spend recorded in another currency than `currency`, left out of every figure.
    other_currencies: dict[str, Decimal] = field(default_factory=dict)
    # New users of the workspace whose touch carried no UTM value (direct or unknown).
    direct_users: int = 0
    # Whether conversions are counted (a conversion event is set); on the workspace's
    # page, also when only some campaign has its own.
    counts_conversions: bool = False

    def __post_init__(self) -> None:
        self.counts_conversions = self.counts_conversions or self.conversion is not None

    @property
    def date_from(self) -> dt.date:
        return self.range.first

    @property
    def date_to(self) -> dt.date:
        return self.range.last

    @property
    def touch(self) -> str:
        return self.range.touch


def _row(
    kind: str,
    pk: int,
    label: str,
    lines: Iterable[Line],
    groups: list[Group],
    match: Callable[[Group], bool] | None,
    counts: bool,
    detail: str = "",
) -> Row:
    figures = _spent(lines)
    if match is not None:
        figures.add(_brought((g for g in groups if match(g)), counts))
    elif counts:
        figures.conversions, figures.revenue = None, None
    return Row(kind, pk, label, figures, matched=match is not None, detail=detail)


def _days(rng: Range, lines: list[Line], groups: list[Group], counts: bool) -> list[DayFigures]:
    by_day: dict[dt.date, Figures] = {
        day: Figures(conversions=0 if counts else None, revenue=ZERO if counts else None)
        for day in rng.days
    }
    for line in lines:
        by_day[line.day].spend += line.amount
    for group in groups:
        if group.day in by_day:
            by_day[group.day].add(_brought([group], counts))
    return [DayFigures(day, figures) for day, figures in by_day.items()]


@dataclass
class _Scope:
    """A project's UTM patterns and the things its results are split by."""

    placements: list[Placement]
    pieces: list[ContentPiece]
    cooperations: list[Cooperation]
    campaign_values: set[str]


def _project_scopes(workspace_id: int, projects: list[Project]) -> dict[int, _Scope]:
    """Each project's placements, pieces (its own and its cooperations'), cooperations
    and utm_campaign values, in five queries whatever the number of projects."""
    ids = [p.pk for p in projects]
    scopes = {p.pk: _Scope([], [], [], {p.key, p.key.lower()}) for p in projects}
    for placement in Placement.objects.filter(
        workspace_id=workspace_id, project_id__in=ids
    ).select_related("channel", "link"):
        scopes[placement.project_id].placements.append(placement)
    for project_id, value in (
        Link.objects.filter(workspace_id=workspace_id, project_id__in=ids)
        .exclude(utm_campaign="")
        .values_list("project_id", "utm_campaign")
    ):
        scopes[project_id].campaign_values.add(value)
    cooperations = list(
        Cooperation.objects.filter(workspace_id=workspace_id, project_id__in=ids)
        .select_related("partner")
        .prefetch_related("pieces__link")
    )
    for cooperation in cooperations:
        scopes[cooperation.project_id].cooperations.append(cooperation)  # type: ignore[index]
    for piece in ContentPiece.objects.filter(
        workspace_id=workspace_id, project_id__in=ids
    ).select_related("link"):
        scopes[piece.project_id].pieces.append(piece)  # type: ignore[index]
    for scope in scopes.values():
        seen = {piece.pk for piece in scope.pieces}
        for cooperation in scope.cooperations:
            for piece in cooperation.pieces.all():
                if piece.pk not in seen:
                    seen.add(piece.pk)
                    scope.pieces.append(piece)
        for placement in scope.placements:
            utm = placement_utm(placement)
            if utm is not None and utm.campaign:
                scope.campaign_values.add(utm.campaign)
        for piece in scope.pieces:
            utm = piece_utm(piece)
            if utm is not None and utm.campaign:
                scope.campaign_values.add(utm.campaign)
    return scopes


def _project_match(scope: _Scope) -> Callable[[Group], bool] | None:
    return _matcher(
        [
            *(Utm(campaign=value) for value in scope.campaign_values if value),
            *(placement_utm(p) for p in scope.placements),
            *(piece_utm(p) for p in scope.pieces),
        ]
    )


def project_results(project: Project, rng: Range) -> Results:
    """A project's results: totals, by day, by channel, placement, partner and piece."""
    workspace = project.workspace
    conversion = get_conversion(workspace.pk, project)
    counts = conversion is not None
    scope = _project_scopes(workspace.pk, [project])[project.pk]
    currency, lines, other = _currency(
        workspace.pk, [project.pk], _ledger(workspace.pk, [project.pk], rng)
    )
    match = _project_match(scope)
    groups = [g for g in event_groups(workspace, _spec(rng, conversion)) if match and match(g)]
    totals = _spent(lines).add(_brought(groups, counts))
    in_range = [
        c for c in scope.cooperations if rng.first <= (c.publish_on or c.booked_on) <= rng.last
    ]
    for cooperation in in_range:
        totals.impressions = _add(totals.impressions, cooperation.reach)
        totals.clicks = _add(totals.clicks, cooperation.clicks)
    results = Results(
        range=rng,
        currency=currency,
        conversion=conversion,
        totals=totals,
        days=_days(rng, lines, groups, counts),
        other_currencies=other,
    )
    results.channels = _channel_rows(workspace.pk, lines, groups, counts)
    results.placements = [
        _row(
            "placement", p.pk, p.name,
            (line for line in lines if line.placement_id == p.pk),
            groups, _matcher([placement_utm(p)]), counts, p.get_platform_display(),
        )
        for p in scope.placements
    ]  # fmt: skip
    results.partners = _partner_rows(scope, lines, groups, counts, in_range)
    results.pieces = _piece_rows(scope, lines, groups, counts, rng)
    for rows in (results.channels, results.placements, results.partners, results.pieces):
        rank(rows, "spend")
    return results


def _channel_rows(
    workspace_id: int,
    lines: list[Line],
    groups: list[Group],
    counts: bool,
) -> list[Row]:
    """A row per channel that spent or brought users."""
    rows = []
    for channel in Channel.objects.filter(workspace_id=workspace_id):
        match = _matcher([Utm(source=channel.utm_source)]) if channel.utm_source else None
        row = _row(
            "channel", channel.pk, channel.name,
            (line for line in lines if line.channel_id == channel.pk),
            groups, match, counts, channel.utm_source,
        )  # fmt: skip
        if row.figures.spend or row.figures.new_users:
            rows.append(row)
    return rows


def _partner_rows(
    scope: _Scope,
    lines: list[Line],
    groups: list[Group],
    counts: bool,
    in_range: list[Cooperation],
) -> list[Row]:
    partners: dict[int, Partner] = {}
    pieces: dict[int, list[ContentPiece]] = defaultdict(list)
    for cooperation in scope.cooperations:
        partners[cooperation.partner_id] = cooperation.partner
        pieces[cooperation.partner_id] += list(cooperation.pieces.all())
    rows = []
    for pk, partner in sorted(partners.items(), key=lambda kv: kv[1].name):
        row = _row(
            "partner", pk, partner.name,
            (line for line in lines if line.partner_id == pk),
            groups, _matcher(piece_utm(p) for p in pieces[pk]), counts,
            partner.get_kind_display(),
        )  # fmt: skip
        for cooperation in in_range:
            if cooperation.partner_id == pk:
                row.figures.impressions = _add(row.figures.impressions, cooperation.reach)
                row.figures.clicks = _add(row.figures.clicks, cooperation.clicks)
        rows.append(row)
    return rows


def _piece_rows(
    scope: _Scope, lines: list[Line], groups: list[Group], counts: bool, rng: Range
) -> list[Row]:
    """A row per piece; a cooperation's spend is shared equally by the pieces it
    produced (to the cent, the remainder to the first); views and clicks are its latest
    result on or before the range's last day."""
    share: dict[int, Decimal] = defaultdict(lambda: ZERO)
    paid: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        if line.cooperation_id is not None:
            paid[line.cooperation_id] += line.amount
    for cooperation in scope.cooperations:
        made = sorted(p.pk for p in cooperation.pieces.all())
        amount = paid.get(cooperation.pk, ZERO)
        if not made or not amount:
            continue
        each = (amount / len(made)).quantize(CENT, rounding=ROUND_DOWN)
        for pk in made:
            share[pk] += each
        share[made[0]] += amount - each * len(made)
    latest: dict[int, ContentResult] = {}
    for result in ContentResult.objects.filter(
        piece_id__in=[p.pk for p in scope.pieces], day__lte=rng.last
    ).order_by("piece_id", "day"):
        latest[result.piece_id] = result
    rows = []
    for piece in scope.pieces:
        row = _row(
            "piece", piece.pk, piece.title, [], groups, _matcher([piece_utm(piece)]), counts,
            piece.link.utm_content if piece.link else "",
        )  # fmt: skip
        row.figures.spend = share.get(piece.pk, ZERO)
        shown = latest.get(piece.pk)
        if shown is not None:
            row.figures.impressions, row.figures.clicks = shown.views, shown.clicks
        rows.append(row)
    return rows


def workspace_results(membership: Membership, rng: Range, sort: str = "spend") -> Results:
    """The workspace's results by campaign (the projects the member sees that spent or
    brought users, or are campaigns) and by channel, ranked by `sort`. Spend is the
    visible projects' only; users are every new user of the workspace (a member sees
    the events of all)."""
    workspace = membership.workspace
    if sort not in SORTS:
        raise Invalid(_("Rank by one of: %(names)s.") % {"names": ", ".join(SORTS)}, field="sort")
    projects = list(visible_projects(membership).order_by("key"))
    ids = [p.pk for p in projects]
    # The workspace's conversion counts for the totals and the channels; a campaign with
    # its own counts that on its row (one more read of the events per setting).
    settings_ = list(
        Conversion.objects.filter(workspace=workspace).filter(
            Q(project__isnull=True) | Q(project_id__in=ids)
        )
    )
    conversion = next((c for c in settings_ if c.project_id is None), None)
    own = {c.project_id: c for c in settings_ if c.project_id is not None}
    counts = conversion is not None
    scopes = _project_scopes(workspace.pk, projects)
    currency, lines, other = _currency(workspace.pk, ids, _ledger(workspace.pk, ids, rng))
    groups = event_groups(workspace, _spec(rng, conversion))
    totals = _spent(lines).add(_brought(groups, counts))
    results = Results(
        range=rng,
        currency=currency,
        conversion=conversion,
        totals=totals,
        days=_days(rng, lines, groups, counts),
        other_currencies=other,
        direct_users=sum(g.users for g in groups if not (g.source or g.campaign or g.content)),
        counts_conversions=counts or bool(own),
    )
    for project in projects:
        mine = own.get(project.pk)
        row = _row(
            "campaign", project.pk, project.name,
            (line for line in lines if line.project_id == project.pk),
            groups if mine is None else event_groups(workspace, _spec(rng, mine)),
            _project_match(scopes[project.pk]), counts or mine is not None, project.key,
        )  # fmt: skip
        if row.figures.spend or row.figures.new_users or project.kind == "campaign":
            results.campaigns.append(row)
    results.channels = _channel_rows(workspace.pk, lines, groups, counts)
    rank(results.campaigns, sort)
    rank(results.channels, sort)
    return results


def scope_days(
    workspace: Workspace,
    rng: Range,
    *,
    project: Project | None = None,
    channel: Channel | None = None,
) -> tuple[list[DayFigures], bool]:
    """The figures by day of one project, one channel (every project's spend on it, and
    the users its utm_source brought) or the whole workspace (every project's spend, every
    new user), and whether conversions are counted: what a KPI of results reads."""
    conversion = get_conversion(workspace.pk, project)
    counts = conversion is not None
    projects = (
        [project] if project is not None else list(Project.objects.filter(workspace=workspace))
    )
    ids = [p.pk for p in projects]
    _currency_name, lines, _other = _currency(workspace.pk, ids, _ledger(workspace.pk, ids, rng))
    groups = event_groups(workspace, _spec(rng, conversion))
    if project is not None:
        match = _project_match(_project_scopes(workspace.pk, [project])[project.pk])
        groups = [g for g in groups if match is not None and match(g)]
    elif channel is not None:
        lines = [line for line in lines if line.channel_id == channel.pk]
        groups = [g for g in groups if channel.utm_source and g.source == channel.utm_source]
    return _days(rng, lines, groups, counts), counts


def rank(rows: list[Row], sort: str) -> list[Row]:
    """Rows best first by `sort`: costs lowest first, the rest highest first; rows
    without the figure last."""
    cost = sort in COSTS

    def key(row: Row) -> tuple:
        value = row.figures.metric(sort)
        if value is None:
            return (1, ZERO, row.label)
        return (0, value if cost else -Decimal(value), row.label)

    rows.sort(key=key)
    return rows
