"""Reads of a project's money that pages, the API, imports and the portfolio share, with
the access checks (docs/money.md#who-may-do-what).

Who sees a project sees its budget, spend and placements, except guests: an agency or
merchant a project is shared with sees its work, not what it costs (403 on a project
shared with them, 404 on one that is not). Members who see the project record spend,
placements and their daily figures; the project's owner and admins change its budget
lines and watch its budget.

What counts as spent (docs/money.md#what-counts-as-spent): the spend entries that name
no placement, plus every placement's daily spend. An entry naming a placement records a
payment for it (a top-up, an invoice) and is listed with it, but the placement's daily
spend (消耗) is the money used: counting both would count it twice.

All amounts are Decimal. A project's money is in one currency (its lines', else its
entries', else CNY): opsloop keeps no exchange rates, so nothing is added across
currencies."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from opsloop.channels.models import Account, Channel, Link
from opsloop.core.errors import Forbidden, Invalid, NotFound
from opsloop.core.models import Membership, Role, User
from opsloop.files.models import File
from opsloop.files.queries import visible_files
from opsloop.money.models import (
    BudgetLine,
    BudgetWatch,
    Placement,
    PlacementDay,
    SpendEntry,
)
from opsloop.partners.models import Cooperation, Partner
from opsloop.work.models import Project
from opsloop.work.queries import EDIT, MANAGE, VIEW, access_project, can_manage_project

__all__ = ["EDIT", "MANAGE", "VIEW"]

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
DEFAULT_CURRENCY = "CNY"
# The weekly table and chart show at most this many weeks (the latest).
MAX_WEEKS = 104
LIST_LIMIT = 1000


def money(value: Decimal | int | None) -> Decimal:
    """An amount with two places (None is 0)."""
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def ratio(numerator: Decimal, denominator: Decimal, scale: int = 1) -> Decimal | None:
    """numerator × scale / denominator with two places; None when dividing by 0."""
    if not denominator:
        return None
    return (Decimal(numerator) * scale / Decimal(denominator)).quantize(
        CENT, rounding=ROUND_HALF_UP
    )


# --- access


def project_money_url(project: Project, page: str = "budget") -> str:
    return f"/w/{project.workspace.slug}/p/{project.key}/{page}/"


@dataclass(frozen=True)
class MoneyAccess:
    membership: Membership
    project: Project
    can_record: bool  # spend entries, placements and their days
    can_manage: bool  # budget lines, the budget watch


def check_sees_money(membership: Membership) -> None:
    if membership.role == Role.GUEST:
        raise Forbidden(_("Guests do not see a project's budget and spend."))


def access_money(user: User, slug: str, key: str, need: str = VIEW) -> MoneyAccess:
    """The money of a project the user sees: 404 when the project is hidden, 403 for a
    guest, and 403 when the role may not do `need` (EDIT: record, MANAGE: budget lines)."""
    project_access = access_project(user, slug, key)
    return money_access(project_access.membership, project_access.project, need)


def money_access(membership: Membership, project: Project, need: str = VIEW) -> MoneyAccess:
    check_sees_money(membership)
    can_manage = can_manage_project(membership, project)
    access = MoneyAccess(membership, project, True, can_manage)
    if need == MANAGE and not can_manage:
        raise Forbidden(_("Only the project owner or a workspace admin can change its budget."))
    return access


def can_change_record(membership: Membership, project: Project, created_by_id: int | None) -> bool:
    """A spend entry or a placement is changed or deleted by who recorded it, the project's
    owner and admins."""
    return created_by_id == membership.user_id or can_manage_project(membership, project)


def check_change_record(membership: Membership, project: Project, created_by_id: int | None):
    if not can_change_record(membership, project, created_by_id):
        raise Forbidden(
            _("Only who recorded it, the project owner or a workspace admin can change it.")
        )


# --- rows of a project


def list_lines(project: Project) -> list[BudgetLine]:
    return list(BudgetLine.objects.filter(project=project).select_related("channel"))


def get_line(project: Project, line_id: int) -> BudgetLine:
    line = BudgetLine.objects.filter(project=project, pk=line_id).select_related("channel").first()
    if line is None:
        raise NotFound(_("Budget line not found."))
    line.project = project
    return line


@dataclass(frozen=True)
class SpendQuery:
    since: dt.date | None = None
    until: dt.date | None = None
    line_id: int | None = None
    placement_id: int | None = None


def filter_entries(project: Project, query: SpendQuery | None = None) -> QuerySet[SpendEntry]:
    entries = SpendEntry.objects.filter(project=project)
    query = query or SpendQuery()
    if query.since is not None:
        entries = entries.filter(day__gte=query.since)
    if query.until is not None:
        entries = entries.filter(day__lte=query.until)
    if query.line_id is not None:
        entries = entries.filter(line_id=query.line_id)
    if query.placement_id is not None:
        entries = entries.filter(placement_id=query.placement_id)
    return entries.select_related(
        "line", "partner", "cooperation", "placement", "invoice", "created_by"
    )


def list_entries(project: Project, query: SpendQuery | None = None) -> list[SpendEntry]:
    """Newest first, at most LIST_LIMIT."""
    return list(filter_entries(project, query).order_by("-day", "-pk")[:LIST_LIMIT])


def get_entry(project: Project, entry_id: int) -> SpendEntry:
    entry = filter_entries(project).filter(pk=entry_id).first()
    if entry is None:
        raise NotFound(_("Spend entry not found."))
    entry.project = project
    return entry


def _with_totals(placements: QuerySet[Placement]) -> QuerySet[Placement]:
    return placements.annotate(
        total_spend=Sum("days__spend"),
        total_impressions=Sum("days__impressions"),
        total_clicks=Sum("days__clicks"),
        total_conversions=Sum("days__conversions"),
        day_count=Count("days"),
    )


def list_placements(project: Project) -> list[Placement]:
    """The project's placements with their totals (`figures`), by name."""
    placements = _with_totals(
        Placement.objects.filter(project=project).select_related(
            "channel", "account", "budget_line", "link"
        )
    ).order_by("name", "pk")[:LIST_LIMIT]
    out = list(placements)
    for placement in out:
        placement.project = project
        placement.figures = figures(  # type: ignore[attr-defined]
            placement.total_spend,  # type: ignore[attr-defined]
            placement.total_impressions,  # type: ignore[attr-defined]
            placement.total_clicks,  # type: ignore[attr-defined]
            placement.total_conversions,  # type: ignore[attr-defined]
        )
    return out


def get_placement(project: Project, placement_id: int) -> Placement:
    placement = (
        _with_totals(Placement.objects.filter(project=project, pk=placement_id))
        .select_related("channel", "account", "budget_line", "link")
        .first()
    )
    if placement is None:
        raise NotFound(_("Placement not found."))
    placement.project = project
    placement.figures = figures(  # type: ignore[attr-defined]
        placement.total_spend,  # type: ignore[attr-defined]
        placement.total_impressions,  # type: ignore[attr-defined]
        placement.total_clicks,  # type: ignore[attr-defined]
        placement.total_conversions,  # type: ignore[attr-defined]
    )
    return placement


@dataclass(frozen=True)
class Figures:
    """A placement's numbers (or one day's) with the rates read from them."""

    spend: Decimal
    impressions: int
    clicks: int
    conversions: int | None

    @property
    def ctr(self) -> Decimal | None:
        """Clicks per 100 impressions."""
        return ratio(Decimal(self.clicks), Decimal(self.impressions), 100)

    @property
    def cpc(self) -> Decimal | None:
        return ratio(self.spend, Decimal(self.clicks))

    @property
    def cpm(self) -> Decimal | None:
        return ratio(self.spend, Decimal(self.impressions), 1000)


def figures(
    spend: Decimal | None, impressions: int | None, clicks: int | None, conversions: int | None
) -> Figures:
    return Figures(money(spend), int(impressions or 0), int(clicks or 0), conversions)


def placement_days(placement: Placement) -> list[tuple[PlacementDay, Figures]]:
    days = PlacementDay.objects.filter(placement=placement).order_by("day")
    return [(d, figures(d.spend, d.impressions, d.clicks, d.conversions)) for d in days]


def placements_by_key(project: Project) -> tuple[dict[str, Placement], dict[str, list[Placement]]]:
    """The project's placements by their platform id, and by name (a name may repeat),
    for an import to match its rows to."""
    by_id: dict[str, Placement] = {}
    by_name: dict[str, list[Placement]] = defaultdict(list)
    for placement in Placement.objects.filter(project=project):
        if placement.external_id:
            by_id[placement.external_id] = placement
        by_name[placement.name.strip()].append(placement)
    return by_id, dict(by_name)


# --- what a write may point at (actions check with these)


def _pointed(rows: QuerySet[Any], pk: int | None, field: str, missing: str) -> Any:
    """The row `pk` among `rows`, None when none is named, 400 naming the field when it
    is not there (`missing` says what, with %(id)s)."""
    if pk is None:
        return None
    found = rows.filter(pk=pk).first()
    if found is None:
        raise Invalid(missing % {"id": pk}, field=field)
    return found


def channel_of(workspace_id: int, channel_id: int | None, field: str) -> Channel | None:
    rows = Channel.objects.filter(workspace_id=workspace_id)
    return _pointed(rows, channel_id, field, _("No channel %(id)s in this workspace."))


def account_of(workspace_id: int, account_id: int | None, field: str) -> Account | None:
    rows = Account.objects.filter(workspace_id=workspace_id)
    return _pointed(rows, account_id, field, _("No account %(id)s in this workspace."))


def link_of(workspace_id: int, link_id: int | None, field: str) -> Link | None:
    rows = Link.objects.filter(workspace_id=workspace_id)
    return _pointed(rows, link_id, field, _("No tracked link %(id)s in this workspace."))


def partner_of(workspace_id: int, partner_id: int | None, field: str) -> Partner | None:
    rows = Partner.objects.filter(workspace_id=workspace_id)
    return _pointed(rows, partner_id, field, _("No partner %(id)s in this workspace."))


def cooperation_of(project: Project, cooperation_id: int | None, field: str) -> Cooperation | None:
    """A cooperation of the workspace, of this project or of none."""
    rows = Cooperation.objects.filter(workspace_id=project.workspace_id).filter(
        Q(project__isnull=True) | Q(project=project)
    )
    return _pointed(rows, cooperation_id, field, _("No cooperation %(id)s for this project."))


def line_of(project: Project, line_id: int | None, field: str) -> BudgetLine | None:
    rows = BudgetLine.objects.filter(project=project)
    return _pointed(rows, line_id, field, _("No budget line %(id)s in this project."))


def placement_of(project: Project, placement_id: int | None, field: str) -> Placement | None:
    rows = Placement.objects.filter(project=project)
    return _pointed(rows, placement_id, field, _("No placement %(id)s in this project."))


def invoice_of(membership: Membership, file_id: int | None, field: str) -> File | None:
    """A file of the workspace the member sees."""
    rows = visible_files(membership)
    return _pointed(rows, file_id, field, _("No file %(id)s that you can see."))


def project_currency(project: Project) -> str:
    """The currency of the project's money: its lines', else its entries', else its
    placements' days', else CNY."""
    for rows in (
        BudgetLine.objects.filter(project=project),
        SpendEntry.objects.filter(project=project),
        PlacementDay.objects.filter(placement__project=project),
    ):
        currency = rows.values_list("currency", flat=True).first()
        if currency:
            return currency
    return DEFAULT_CURRENCY


def other_currency(project: Project, currency: str, *, but: object = None) -> str | None:
    """A currency other than `currency` that the project's money is already in (leaving
    out the row `but`, which is being changed), or None."""
    rows: list[QuerySet] = [
        BudgetLine.objects.filter(project=project),
        SpendEntry.objects.filter(project=project),
        PlacementDay.objects.filter(placement__project=project),
    ]
    for qs in rows:
        if but is not None and qs.model is type(but):
            qs = qs.exclude(pk=but.pk)  # type: ignore[attr-defined]
        found = qs.exclude(currency=currency).values_list("currency", flat=True).first()
        if found:
            return found
    return None


# --- the budget, planned against actual


@dataclass
class LineFigures:
    line: BudgetLine | None  # None: spend on no line
    planned: Decimal = ZERO
    actual: Decimal = ZERO

    @property
    def line_id(self) -> int | None:
        return self.line.pk if self.line else None

    @property
    def name(self) -> str:
        return self.line.name if self.line else _("Not on a budget line")

    @property
    def category(self) -> str:
        return self.line.category if self.line else ""

    @property
    def category_label(self) -> str:
        return self.line.get_category_display() if self.line else ""

    @property
    def channel_id(self) -> int | None:
        return self.line.channel_id if self.line else None

    @property
    def left(self) -> Decimal:
        return self.planned - self.actual

    @property
    def used_percent(self) -> Decimal | None:
        return ratio(self.actual, self.planned, 100)

    @property
    def overspent(self) -> bool:
        """More spent than planned; spend on no line is never overspent (nothing planned)."""
        return self.line is not None and self.actual > self.planned

    @property
    def bar(self) -> int:
        """The share used for a bar, 0-100."""
        used = self.used_percent
        if used is None:
            return 100 if self.actual > 0 else 0
        return int(min(Decimal(100), max(Decimal(0), used)))


@dataclass
class ChannelFigures:
    channel_id: int | None
    name: str
    planned: Decimal = ZERO
    actual: Decimal = ZERO

    @property
    def left(self) -> Decimal:
        return self.planned - self.actual

    @property
    def overspent(self) -> bool:
        """More spent on the channel than its lines plan; spend on no channel never is."""
        return self.channel_id is not None and self.actual > self.planned

    @property
    def bar(self) -> int:
        if not self.planned:
            return 100 if self.actual > 0 else 0
        return int(min(Decimal(100), max(Decimal(0), self.actual * 100 / self.planned)))


@dataclass
class WeekFigures:
    year: int
    number: int
    starts_on: dt.date
    planned: Decimal | None
    actual: Decimal
    planned_to_date: Decimal | None
    actual_to_date: Decimal

    @property
    def week(self) -> str:
        return f"{self.year}-W{self.number:02d}"


@dataclass
class Budget:
    """A project's budget against its spend: in all, per line, per channel, per week."""

    project: Project
    currency: str
    planned: Decimal | None
    planned_from: str  # lines, project, none
    actual: Decimal
    lines: list[LineFigures] = field(default_factory=list)
    channels: list[ChannelFigures] = field(default_factory=list)
    weeks: list[WeekFigures] = field(default_factory=list)
    watch: BudgetWatch | None = None

    @property
    def left(self) -> Decimal | None:
        return None if self.planned is None else self.planned - self.actual

    @property
    def used_percent(self) -> Decimal | None:
        return None if self.planned is None else ratio(self.actual, self.planned, 100)

    @property
    def overspent(self) -> bool:
        return self.planned is not None and self.actual > self.planned

    @property
    def overspent_lines(self) -> list[LineFigures]:
        return [f for f in self.lines if f.overspent]

    @property
    def bar(self) -> int:
        used = self.used_percent
        if used is None:
            return 100 if self.actual > 0 and self.planned is not None else 0
        return int(min(Decimal(100), max(Decimal(0), used)))


def _spend_rows(project: Project) -> list[tuple[int | None, int | None, dt.date, Decimal]]:
    """(line id, channel id, day, amount) of everything counted as spent: entries naming
    no placement, and placements' days (their line's, their channel else their line's)."""
    entries = (
        SpendEntry.objects.filter(project=project, placement__isnull=True)
        .values("line_id", "line__channel_id", "day")
        .annotate(total=Sum("amount"))
        .values_list("line_id", "line__channel_id", "day", "total")
        .order_by()
    )
    days = (
        PlacementDay.objects.filter(placement__project=project)
        .annotate(
            channel=Coalesce(F("placement__channel_id"), F("placement__budget_line__channel_id"))
        )
        .values("placement__budget_line_id", "channel", "day")
        .annotate(total=Sum("spend"))
        .values_list("placement__budget_line_id", "channel", "day", "total")
        .order_by()
    )
    return [*entries, *days]


def spent_by_project(project_ids: Iterable[int]) -> dict[int, Decimal]:
    """What each project has spent (what counts as spent: the module docstring), for the
    projects that have any spend recorded. Two queries."""
    ids = list(project_ids)
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    entries = (
        SpendEntry.objects.filter(project_id__in=ids, placement__isnull=True)
        .values("project_id")
        .annotate(total=Sum("amount"))
        .values_list("project_id", "total")
        .order_by()
    )
    days = (
        PlacementDay.objects.filter(placement__project_id__in=ids)
        .values("placement__project_id")
        .annotate(total=Sum("spend"))
        .values_list("placement__project_id", "total")
        .order_by()
    )
    for project_id, total in [*entries, *days]:
        totals[project_id] += money(total)
    return dict(totals)


def planned_by_project(project_ids: Iterable[int]) -> dict[int, Decimal]:
    """Each project's budget lines added up, for the projects that have lines (a project
    without plans its Budget field). One query."""
    rows = (
        BudgetLine.objects.filter(project_id__in=list(project_ids))
        .values("project_id")
        .annotate(total=Sum("planned"))
        .values_list("project_id", "total")
        .order_by()
    )
    return {project_id: money(total) for project_id, total in rows}


def _weeks(
    project: Project, planned: Decimal | None, by_day: Mapping[dt.date, Decimal]
) -> list[WeekFigures]:
    """ISO weeks from the first of the project's start and its first spend to the last of
    its end and its last spend. The planned budget is spread evenly over the project's days
    (start to end, both counted); planned is None without both dates. Each week's planned
    is the difference of the rounded amounts planned to date, so the weeks add up to the
    budget exactly."""
    start, end = project.start_date, project.end_date
    spread = planned is not None and start is not None and end is not None and end >= start
    days = sorted(by_day)
    first = min([d for d in (start, days[0] if days else None) if d is not None], default=None)
    last = max([d for d in (end, days[-1] if days else None) if d is not None], default=None)
    if first is None or last is None:
        return []
    monday = first - dt.timedelta(days=first.weekday())
    weeks: list[WeekFigures] = []
    planned_before = actual_before = ZERO
    while monday <= last:
        sunday = monday + dt.timedelta(days=6)
        actual = money(sum((v for d, v in by_day.items() if monday <= d <= sunday), ZERO))
        actual_to_date = actual_before + actual
        week_planned = planned_to_date = None
        if spread:
            assert start is not None and end is not None and planned is not None
            total_days = (end - start).days + 1
            covered = (min(sunday, end) - start).days + 1
            covered = max(0, min(total_days, covered))
            planned_to_date = money(planned * covered / total_days)
            week_planned = planned_to_date - planned_before
            planned_before = planned_to_date
        iso = monday.isocalendar()
        weeks.append(
            WeekFigures(iso[0], iso[1], monday, week_planned, actual, planned_to_date,
                        actual_to_date)
        )  # fmt: skip
        actual_before = actual_to_date
        monday += dt.timedelta(days=7)
    return weeks[-MAX_WEEKS:]


def budget_of(project: Project) -> Budget:
    """The project's budget against what it spent. About six queries, whatever its size."""
    lines = list_lines(project)
    currency = lines[0].currency if lines else project_currency(project)
    rows = _spend_rows(project)
    line_figures = {line.pk: LineFigures(line, money(line.planned)) for line in lines}
    loose = LineFigures(None)
    channel_ids: set[int] = set()
    channel_figures: dict[int | None, ChannelFigures] = {}

    def channel(channel_id: int | None) -> ChannelFigures:
        if channel_id not in channel_figures:
            channel_figures[channel_id] = ChannelFigures(channel_id, "")
        return channel_figures[channel_id]

    for line in lines:
        channel(line.channel_id).planned += money(line.planned)
        if line.channel_id:
            channel_ids.add(line.channel_id)
    by_day: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
    actual = ZERO
    for line_id, channel_id, day, total in rows:
        amount = money(total)
        actual += amount
        by_day[day] += amount
        (line_figures.get(line_id, loose) if line_id else loose).actual += amount
        channel(channel_id).actual += amount
        if channel_id:
            channel_ids.add(channel_id)
    names = dict(Channel.objects.filter(pk__in=channel_ids).values_list("pk", "name"))
    for figures_ in channel_figures.values():
        figures_.name = (
            names.get(figures_.channel_id, "") if figures_.channel_id else _("No channel")
        )
    channels = sorted(
        channel_figures.values(), key=lambda c: (c.channel_id is None, -c.planned, c.name)
    )
    if lines:
        planned: Decimal | None = money(sum((line.planned for line in lines), ZERO))
        planned_from = "lines"
    elif project.budget is not None:
        planned, planned_from = money(project.budget), "project"
    else:
        planned, planned_from = None, "none"
    out_lines = list(line_figures.values())
    if loose.actual:
        out_lines.append(loose)
    return Budget(
        project=project,
        currency=currency,
        planned=planned,
        planned_from=planned_from,
        actual=actual,
        lines=out_lines,
        channels=channels,
        weeks=_weeks(project, planned, by_day),
        watch=get_watch(project),
    )


# --- the budget watch


def get_watch(project: Project) -> BudgetWatch | None:
    return BudgetWatch.objects.filter(project=project).select_related("kpi").first()


def budget_left_percent(budget: Budget) -> float | None:
    """The share of the budget not spent yet, in % (below 0 once overspent); None without
    a budget above 0. A KPI value, so a float: a ratio, not an amount of money."""
    if budget.planned is None or budget.planned <= 0:
        return None
    # Four places, not two: 0.50 over 50,000 is -0.001 %, and must still be below 0.
    left = (budget.planned - budget.actual) * 100 / budget.planned
    return float(left.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


# --- choices for the pages


def channel_choices(workspace_id: int) -> list[Channel]:
    return list(Channel.objects.filter(workspace_id=workspace_id, archived=False))


def account_choices(workspace_id: int) -> list[Account]:
    return list(
        Account.objects.filter(workspace_id=workspace_id, archived=False).select_related("channel")
    )


def partner_choices(workspace_id: int) -> list[Partner]:
    return list(Partner.objects.filter(workspace_id=workspace_id, archived=False))


def invoice_choices(membership: Membership, project: Project) -> list[File]:
    """The project's own files, newest first (the first 200)."""
    return list(visible_files(membership).filter(project=project).order_by("-pk")[:200])
