"""The portfolio: every project a member may see in one table, with its progress, budget,
late milestones, items at risk and linked key results, filtered, grouped and sorted
(docs/portfolio.md).

Nothing is computed here that another app already computes: progress, items at risk and
milestone deviations come from opsloop/progress/queries.py (snapshots of all the
projects at once), key results' progress and status from opsloop/goals/queries.py. The
whole table is read in a bounded number of queries, whatever the number of projects."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opsloop.core.errors import Invalid
from opsloop.core.models import Membership, Role
from opsloop.goals import queries as goal_queries
from opsloop.planning.queries import DONE as MILESTONE_DONE
from opsloop.planning.queries import LATE as MILESTONE_LATE
from opsloop.progress import queries as progress_queries
from opsloop.work.models import Project, ProjectKind, Stage
from opsloop.work.queries import visible_projects

KIND, OWNER, STAGE, QUARTER = "kind", "owner", "stage", "quarter"
GROUPINGS = (KIND, OWNER, STAGE, QUARTER)
# Columns a table may be sorted by; "-" before one sorts it the other way.
SORTS = (
    "name", "key", "kind", "stage", "owner", "start", "end", "progress",
    "budget", "spent", "late", "risk",
)  # fmt: skip
QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$")
TEXT_LENGTH = 200
NO_OWNER = 0  # the owner filter's value for projects without one

GROUP_LABELS = {
    KIND: gettext_lazy("Kind"),
    OWNER: gettext_lazy("Owner"),
    STAGE: gettext_lazy("Stage"),
    QUARTER: gettext_lazy("Quarter"),
}


# --- filters


@dataclass(frozen=True)
class PortfolioFilters:
    """What the table shows and how: projects of these kinds, stages and owners (any when
    empty), whose dates touch `quarter` ("2026-Q2"), whose key or name holds `text`;
    grouped by `group` (kind, owner, stage, quarter, or "" for none), sorted by `sort`."""

    kinds: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    owners: tuple[int, ...] = ()  # user ids; NO_OWNER for projects without an owner
    quarter: str = ""
    text: str = ""
    group: str = ""
    sort: str = "name"

    @property
    def descending(self) -> bool:
        return self.sort.startswith("-")

    @property
    def sort_column(self) -> str:
        return self.sort.removeprefix("-")


def _values(params: Mapping[str, Any], name: str) -> list[str]:
    getlist = getattr(params, "getlist", None)
    raw = getlist(name) if getlist is not None else params.get(name)
    if raw is None:
        return []
    values = raw if isinstance(raw, list | tuple) else [raw]
    out = []
    for value in values:
        # "kind=campaign,growth" as well as kind=campaign&kind=growth.
        out += [part.strip() for part in str(value).split(",") if part.strip()]
    return out


def _one(params: Mapping[str, Any], name: str) -> str:
    values = _values(params, name)
    return values[0] if values else ""


def parse_filters(params: Mapping[str, Any]) -> PortfolioFilters:
    """Filters from request parameters (a QueryDict or a dict of strings or lists):
    kind, stage, owner (user ids or "none"), quarter, q, group, sort. Unknown values are
    errors, not silently ignored."""
    kinds = tuple(dict.fromkeys(_values(params, "kind")))
    for kind in kinds:
        if kind not in ProjectKind.values:
            raise Invalid(
                _("Unknown kind; use one of: %(values)s.")
                % {"values": ", ".join(ProjectKind.values)},
                field="kind",
            )
    stages = tuple(dict.fromkeys(_values(params, "stage")))
    for stage in stages:
        if stage not in Stage.values:
            raise Invalid(
                _("Unknown stage; use one of: %(values)s.") % {"values": ", ".join(Stage.values)},
                field="stage",
            )
    owners = []
    for owner in dict.fromkeys(_values(params, "owner")):
        if owner == "none":
            owners.append(NO_OWNER)
        elif owner.isdigit() and 0 < int(owner) < 2**63:
            owners.append(int(owner))
        else:
            raise Invalid(_('owner is a user id or "none".'), field="owner")
    quarter = _one(params, "quarter").upper()
    if quarter:
        quarter_days(quarter)
    text = " ".join(str(params.get("q") or "").split())
    if len(text) > TEXT_LENGTH:
        raise Invalid(_("Search for at most %(n)d characters.") % {"n": TEXT_LENGTH}, field="q")
    group = _one(params, "group")
    if group == "none":
        group = ""
    if group and group not in GROUPINGS:
        raise Invalid(
            _("Group by one of: %(values)s.") % {"values": ", ".join(GROUPINGS)}, field="group"
        )
    sort = _one(params, "sort") or "name"
    if sort.removeprefix("-") not in SORTS:
        raise Invalid(_("Sort by one of: %(values)s.") % {"values": ", ".join(SORTS)}, field="sort")
    return PortfolioFilters(kinds, stages, tuple(owners), quarter, text, group, sort)


def quarter_days(quarter: str) -> tuple[dt.date, dt.date]:
    """The first and last day of a quarter written 2026-Q2."""
    match = QUARTER_RE.match(quarter)
    if match is None or not 1900 <= int(match.group(1)) <= 9999:
        raise Invalid(_("quarter must be written like 2026-Q2."), field="quarter")
    year, number = int(match.group(1)), int(match.group(2))
    first = dt.date(year, 3 * number - 2, 1)
    last = dt.date(year + 1, 1, 1) if number == 4 else dt.date(year, 3 * number + 1, 1)
    return first, last - dt.timedelta(days=1)


def quarter_of(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def filter_projects(membership: Membership, filters: PortfolioFilters) -> QuerySet[Project]:
    """The projects the member sees that pass the filters (one query when read)."""
    projects = visible_projects(membership).select_related("owner")
    if filters.kinds:
        projects = projects.filter(kind__in=filters.kinds)
    if filters.stages:
        projects = projects.filter(stage__in=filters.stages)
    if filters.owners:
        owned = Q(owner_id__in=[o for o in filters.owners if o != NO_OWNER])
        if NO_OWNER in filters.owners:
            owned |= Q(owner__isnull=True)
        projects = projects.filter(owned)
    if filters.quarter:
        # A project's days are start..end; with one date only, that one day.
        first, last = quarter_days(filters.quarter)
        projects = projects.filter(
            Q(start_date__lte=last, end_date__gte=first)
            | Q(start_date__isnull=True, end_date__range=(first, last))
            | Q(end_date__isnull=True, start_date__range=(first, last))
        )
    if filters.text:
        projects = projects.filter(Q(name__icontains=filters.text) | Q(key__icontains=filters.text))
    return projects.order_by("name", "pk")


# --- rows


@dataclass(frozen=True)
class LinkedKeyResult:
    """A key result linked to a project, with its progress (0 to 1) and status as
    goals.measure computes them."""

    id: int
    title: str
    objective_id: int
    objective_title: str
    progress: float | None
    status: str

    @property
    def status_label(self) -> str:
        return goal_queries.status_label(self.status)


@dataclass(frozen=True)
class PortfolioRow:
    """One project of the portfolio, as plain values. `spent` stays None until spend
    is recorded (docs/portfolio.md#budget-and-spend)."""

    id: int
    key: str
    name: str
    kind: str
    stage: str
    visibility: str
    owner_id: int | None
    owner_name: str
    start_date: dt.date | None
    end_date: dt.date | None
    items: int  # items of the project today
    done: int  # of them closed (done or cancelled), as the burn-up counts them
    budget: Decimal | None
    spent: Decimal | None
    milestones: int
    milestones_late: int
    items_at_risk: int
    key_results: tuple[LinkedKeyResult, ...] = ()

    @property
    def progress(self) -> int | None:
        """The share of its items done, in percent; None without items."""
        return round(100 * self.done / self.items) if self.items else None

    @property
    def kind_label(self) -> str:
        return str(ProjectKind(self.kind).label)

    @property
    def stage_label(self) -> str:
        return str(Stage(self.stage).label)

    @property
    def quarter(self) -> str:
        """The quarter it starts in (of its end date without a start); "" without dates."""
        day = self.start_date or self.end_date
        return quarter_of(day) if day else ""


def spent_by_project(project_ids: Iterable[int]) -> dict[int, Decimal]:
    """What each project has spent, as its Budget tab counts it: its spend entries that
    name no placement plus its placements' daily spend (an entry naming a placement is a
    payment for it, counted through the placement's days: docs/money.md#what-counts-as-spent).
    A project with no spend recorded has no value: its column reads "—"."""
    from opsloop.money.queries import spent_by_project as money_spent

    return money_spent(project_ids)


def _late(deviation: progress_queries.MilestoneDeviation) -> bool:
    """A milestone not done whose date has passed, or whose forecast lies after it."""
    if deviation.status == MILESTONE_DONE:
        return False
    return deviation.status == MILESTONE_LATE or (deviation.deviation_days or 0) > 0


def linked_key_results(
    membership: Membership, project_ids: set[int], today: dt.date | None = None
) -> dict[int, list[LinkedKeyResult]]:
    """Per project, the key results linked to it that the member sees (not those of a
    KPI hidden from them, docs/decisions/0022), with progress and status: a constant
    number of queries. Guests see no goals, so none."""
    if not project_ids or not membership.at_least(Role.MEMBER):
        return {}
    objectives = list(
        goal_queries.list_objectives(membership)
        .filter(key_results__projects__in=project_ids)
        .distinct()
    )
    if not objectives:
        return {}
    for objective in objectives:
        objective.workspace = membership.workspace
    out: dict[int, list[LinkedKeyResult]] = {}
    for report in goal_queries.report_objectives(objectives, today):
        for result in report.key_results:
            kr = result.key_result
            linked = LinkedKeyResult(
                id=kr.pk,
                title=kr.title,
                objective_id=report.objective.pk,
                objective_title=report.objective.title,
                progress=result.progress,
                status=result.status,
            )
            for project in kr.projects.all():
                if project.pk in project_ids:
                    out.setdefault(project.pk, []).append(linked)
    return out


def portfolio_rows(
    membership: Membership,
    filters: PortfolioFilters | None = None,
    *,
    today: dt.date | None = None,
) -> list[PortfolioRow]:
    """Every project the member sees that passes `filters`, as plain rows, sorted as the
    filters say. Read in a constant number of queries (about fifteen) however many
    projects. `today` defaults to each app's own day (progress: the server's, goals: the
    workspace's)."""
    filters = filters or PortfolioFilters()
    projects = list(filter_projects(membership, filters))
    for project in projects:
        project.workspace = membership.workspace
    if not projects:
        return []
    day = today or progress_queries.today()
    snapshots = progress_queries.load_snapshots(projects)
    blockers = progress_queries.risk_blockers(snapshots.values(), membership)
    deviations = progress_queries.milestone_deviations(snapshots.values(), day)
    ids = {p.pk for p in projects}
    key_results = linked_key_results(membership, ids, today)
    # Guests never see money (docs/money.md): their Spent column reads "—".
    spent = spent_by_project(ids) if membership.at_least(Role.MEMBER) else {}
    rows = []
    for project in projects:
        snapshot = snapshots[project.pk]
        done = progress_queries.planned_vs_actual(project, day, snapshot=snapshot)
        risks = progress_queries.items_at_risk(
            project, day, snapshot=snapshot, viewer=membership, blockers=blockers
        )
        milestones = deviations[project.pk]
        owner = project.owner
        rows.append(
            PortfolioRow(
                id=project.pk,
                key=project.key,
                name=project.name,
                kind=project.kind,
                stage=project.stage,
                visibility=project.visibility,
                owner_id=project.owner_id,
                owner_name=(owner.display_name or owner.username) if owner else "",
                start_date=project.start_date,
                end_date=project.end_date,
                items=done.scope,
                done=done.done,
                budget=project.budget,
                spent=spent.get(project.pk),
                milestones=len(milestones),
                milestones_late=sum(1 for m in milestones if _late(m)),
                items_at_risk=len(risks),
                key_results=tuple(key_results.get(project.pk, [])),
            )
        )
    return sort_rows(rows, filters.sort)


_SORT_KEYS: dict[str, Any] = {
    "name": lambda r: r.name.lower(),
    "key": lambda r: r.key,
    "kind": lambda r: ProjectKind.values.index(r.kind),
    "stage": lambda r: Stage.values.index(r.stage),
    "owner": lambda r: r.owner_name.lower() or None,
    "start": lambda r: r.start_date,
    "end": lambda r: r.end_date,
    "progress": lambda r: r.progress,
    "budget": lambda r: r.budget,
    "spent": lambda r: r.spent,
    "late": lambda r: r.milestones_late,
    "risk": lambda r: r.items_at_risk,
}


def sort_rows(rows: list[PortfolioRow], sort: str) -> list[PortfolioRow]:
    """By a column of SORTS ("-" first for descending); rows without a value last either
    way, then by name."""
    column = sort.removeprefix("-")
    key = _SORT_KEYS[column]
    by_name = sorted(rows, key=lambda r: (r.name.lower(), r.id))
    known = [r for r in by_name if key(r) is not None]
    unknown = [r for r in by_name if key(r) is None]
    return sorted(known, key=key, reverse=sort.startswith("-")) + unknown


# --- groups


@dataclass
class PortfolioGroup:
    """Rows that share a kind, owner, stage or quarter, and their subtotals."""

    key: str
    label: str
    rows: list[PortfolioRow] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def budget(self) -> Decimal | None:
        """The planned budgets added up; None when no row has one."""
        values = [r.budget for r in self.rows if r.budget is not None]
        return sum(values, Decimal(0)) if values else None

    @property
    def spent(self) -> Decimal | None:
        values = [r.spent for r in self.rows if r.spent is not None]
        return sum(values, Decimal(0)) if values else None


def _group_of(row: PortfolioRow, by: str) -> tuple[Any, str, str]:
    """(order, key, label) of the row's group."""
    if by == KIND:
        return ProjectKind.values.index(row.kind), row.kind, row.kind_label
    if by == STAGE:
        return Stage.values.index(row.stage), row.stage, row.stage_label
    if by == OWNER:
        if row.owner_id is None:
            return (1, ""), "none", _("No owner")
        return (0, row.owner_name.lower()), str(row.owner_id), row.owner_name
    if not row.quarter:
        return (1, ""), "none", _("No dates")
    return (0, row.quarter), row.quarter, row.quarter


def group_rows(rows: list[PortfolioRow], by: str) -> list[PortfolioGroup]:
    """The rows by kind, owner, stage or quarter (the quarter a project starts in), each
    group in the rows' order; groups in the order of their kinds and stages, by owner's
    name, by quarter, those without an owner or dates last."""
    groups: dict[str, tuple[Any, PortfolioGroup]] = {}
    for row in rows:
        order, key, label = _group_of(row, by)
        if key not in groups:
            groups[key] = (order, PortfolioGroup(key, label))
        groups[key][1].rows.append(row)
    return [group for _order, group in sorted(groups.values(), key=lambda pair: pair[0])]


@dataclass(frozen=True)
class Portfolio:
    """The table: its rows, their groups when grouped, and the total of all."""

    filters: PortfolioFilters
    rows: list[PortfolioRow]
    groups: list[PortfolioGroup]
    total: PortfolioGroup


def portfolio(
    membership: Membership,
    filters: PortfolioFilters | None = None,
    *,
    today: dt.date | None = None,
) -> Portfolio:
    """The rows (portfolio_rows), grouped as the filters say, with subtotals."""
    filters = filters or PortfolioFilters()
    rows = portfolio_rows(membership, filters, today=today)
    groups = group_rows(rows, filters.group) if filters.group else []
    return Portfolio(filters, rows, groups, PortfolioGroup("", _("Total"), list(rows)))


def owner_choices(membership: Membership) -> list[tuple[int, str]]:
    """The owners of the projects the member sees (id, name), by name: the owner filter."""
    owners = {
        p.owner_id: (p.owner.display_name or p.owner.username)
        for p in visible_projects(membership).select_related("owner").exclude(owner=None)
        if p.owner is not None and p.owner_id is not None
    }
    return sorted(owners.items(), key=lambda pair: pair[1].lower())
