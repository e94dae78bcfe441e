"""Reads of decision records that pages, the API and the reports share, with the access
checks (docs/decisions-log.md#who-may-do-what).

A record of a project is behind that project's wall: whoever sees the project sees the
record, guests included when the project is shared with them. A record of the whole
workspace is seen by members, admins and the owner, not by guests. The owner of the
record and admins change it; the people asked score it."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from opsloop.core.errors import Conflict, Forbidden, Invalid, NotFound
from opsloop.core.models import Membership, Role, User, Workspace
from opsloop.core.queries import access_workspace
from opsloop.decisions import ranking
from opsloop.decisions.models import Criterion, DecisionRecord, Option, Score, Status
from opsloop.goals.models import Kpi, KpiValue
from opsloop.goals.queries import list_kpis
from opsloop.insights.models import Insight
from opsloop.work.models import Item, Project
from opsloop.work.queries import VIEW, visible_projects

EDIT, SCORE = "edit", "score"
LIST_LIMIT = 500


def record_url(record: DecisionRecord) -> str:
    return f"/w/{record.workspace.slug}/decisions/{record.pk}/"


def local_day(workspace: Workspace, moment: dt.datetime) -> dt.date:
    return moment.astimezone(zoneinfo.ZoneInfo(workspace.time_zone)).date()


def local_today(workspace: Workspace, now: dt.datetime | None = None) -> dt.date:
    return local_day(workspace, now or timezone.now())


def visible_records(membership: Membership) -> QuerySet[DecisionRecord]:
    """Records the member may see (the module docstring says who)."""
    in_projects = Q(project__in=visible_projects(membership))
    seen = in_projects if membership.role == Role.GUEST else Q(project__isnull=True) | in_projects
    return DecisionRecord.objects.filter(workspace_id=membership.workspace_id).filter(seen)


def can_edit_record(membership: Membership, record: DecisionRecord) -> bool:
    """The record's owner and admins; never a guest."""
    if not membership.at_least(Role.MEMBER):
        return False
    return record.owner_id == membership.user_id or membership.at_least(Role.ADMIN)


def can_score_record(membership: Membership, scorer_ids: set[int]) -> bool:
    return membership.user_id in scorer_ids


@dataclass(frozen=True)
class RecordAccess:
    membership: Membership
    record: DecisionRecord
    can_edit: bool
    can_score: bool


def _with_parts(records: QuerySet[DecisionRecord]) -> QuerySet[DecisionRecord]:
    return records.select_related(
        "workspace", "project", "owner", "decided_by", "reviewed_by", "chosen_option",
        "meeting_decision__meeting",
    ).prefetch_related(
        Prefetch("scorers", queryset=User.objects.order_by("display_name", "username", "id")),
        "options",
        "criteria",
    )  # fmt: skip


def access_record(user: User, slug: str, record_id: int, need: str = VIEW) -> RecordAccess:
    """A record the user can see; 404 when hidden, 403 when they may not do `need`."""
    membership = access_workspace(user, slug)
    return access_record_of(membership, record_id, need)


def access_record_of(membership: Membership, record_id: int, need: str = VIEW) -> RecordAccess:
    record = _with_parts(visible_records(membership)).filter(pk=record_id).first()
    if record is None:
        raise NotFound(_("Decision record not found."))
    record.workspace = membership.workspace
    scorer_ids = {u.pk for u in record.scorers.all()}
    access = RecordAccess(
        membership,
        record,
        can_edit_record(membership, record),
        can_score_record(membership, scorer_ids),
    )
    if need == EDIT and not access.can_edit:
        raise Forbidden(
            _("Guests can only read decision records.")
            if membership.role == Role.GUEST
            else _("Only the record's owner or a workspace admin can change it.")
        )
    if need == SCORE and not access.can_score:
        raise Forbidden(_("Only the people asked to score this decision can score it."))
    return access


def check_can_edit(membership: Membership, record: DecisionRecord) -> None:
    if not can_edit_record(membership, record):
        raise Forbidden(_("Only the record's owner or a workspace admin can change it."))


def check_open(record: DecisionRecord) -> None:
    """Options, criteria and scores change only until the decision is taken."""

    if not record.open:
        raise Conflict(_("This decision is %(status)s: it no longer changes.") % {
            "status": record.get_status_display()})  # fmt: skip


def load_links(membership: Membership, record: DecisionRecord) -> DecisionRecord:
    """The record's linked KPIs, insights and items, only those the member may see."""
    projects = visible_projects(membership)
    items = Item.objects.filter(project__in=projects).select_related("project", "state")
    prefetch_related_objects(
        [record],
        Prefetch("problem_items", queryset=items.order_by("project__key", "number")),
        Prefetch("work_items", queryset=items.order_by("project__key", "number")),
    )
    if membership.at_least(Role.MEMBER):
        record.visible_kpis = list(list_kpis(membership).filter(decision_records=record))  # type: ignore[attr-defined]
        record.visible_insights = list(  # type: ignore[attr-defined]
            Insight.objects.filter(workspace_id=record.workspace_id, decision_records=record)
        )
    else:
        record.visible_kpis, record.visible_insights = [], []  # type: ignore[attr-defined]
    return record


def get_option(record: DecisionRecord, option_id: int) -> Option:
    option = Option.objects.filter(record=record, pk=option_id).first()
    if option is None:
        raise NotFound(_("Option not found."))
    option.record = record
    return option


def get_criterion(record: DecisionRecord, criterion_id: int) -> Criterion:
    criterion = Criterion.objects.filter(record=record, pk=criterion_id).first()
    if criterion is None:
        raise NotFound(_("Criterion not found."))
    criterion.record = record
    return criterion


# --- the list


@dataclass
class RecordFilters:
    status: str = ""
    project: str = ""
    owner_id: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    errors: list[str] = field(default_factory=list)


def _day(value: str, name: str) -> dt.date:
    day = parse_date(value)
    if day is None:
        raise Invalid(_("%(field)s must be a date (YYYY-MM-DD).") % {"field": name}, field=name)
    return day


def parse_record_filters(params: Mapping[str, str]) -> RecordFilters:
    filters = RecordFilters()
    status = params.get("status") or ""
    if status and status not in Status.values:
        raise Invalid(_("Unknown status %(status)s.") % {"status": status}, field="status")
    filters.status = status
    filters.project = (params.get("project") or "").strip().upper()[:10]
    owner = params.get("owner") or ""
    if owner:
        try:
            filters.owner_id = int(owner)
        except ValueError:
            raise Invalid(_("owner must be a user id."), field="owner") from None
    if params.get("from"):
        filters.start = _day(params["from"], "from")
    if params.get("to"):
        filters.end = _day(params["to"], "to")
    return filters


def _bounds(workspace: Workspace, start: dt.date | None, end: dt.date | None):
    """The period's first and last moment in the workspace's time zone."""
    zone = zoneinfo.ZoneInfo(workspace.time_zone)
    low = dt.datetime.combine(start, dt.time(), zone) if start else None
    high = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), zone) if end else None
    return low, high


def filter_records(membership: Membership, filters: RecordFilters) -> QuerySet[DecisionRecord]:
    """Records matching the filters. The period is when a record was decided, or, while
    it is not decided yet, when it was made."""
    records = visible_records(membership)
    if filters.status:
        records = records.filter(status=filters.status)
    if filters.project:
        records = records.filter(project__key=filters.project)
    if filters.owner_id is not None:
        records = records.filter(owner_id=filters.owner_id)
    low, high = _bounds(membership.workspace, filters.start, filters.end)
    if low is not None:
        records = records.filter(
            Q(decided_at__gte=low) | Q(decided_at__isnull=True, created_at__gte=low)
        )
    if high is not None:
        records = records.filter(
            Q(decided_at__lt=high) | Q(decided_at__isnull=True, created_at__lt=high)
        )
    return records.select_related("workspace", "project", "owner", "chosen_option")


def list_records(membership: Membership, filters: RecordFilters) -> list[DecisionRecord]:
    """Newest first, at most LIST_LIMIT."""
    return list(filter_records(membership, filters).order_by("-created_at", "-id")[:LIST_LIMIT])


def project_choices(membership: Membership) -> QuerySet[Project]:
    if not membership.at_least(Role.MEMBER):
        return Project.objects.none()
    return visible_projects(membership).exclude(stage="closed").order_by("name")


def get_project(membership: Membership, key: str) -> Project:
    project = visible_projects(membership).filter(key=(key or "").strip().upper()).first()
    if project is None:
        raise Invalid(_("No project with key %(key)s.") % {"key": key}, field="project_key")
    return project


# --- for the reports


@dataclass(frozen=True)
class DecisionSummary:
    """A decision as a report of its period shows it."""

    id: int
    title: str
    url: str
    project_key: str | None
    project_name: str | None
    status: str
    status_label: str
    chosen: str
    rationale: str
    rationale_html: str
    decided_by: str
    decided_at: dt.datetime
    review_on: dt.date | None
    outcome: str
    outcome_label: str


def decisions_in_period(
    membership: Membership, start: dt.date, end: dt.date, project: Project | None = None
) -> list[DecisionSummary]:
    """The decisions the member may see that were taken from `start` to `end` (both
    included, days of the workspace's time zone), of one project or of every one, in the
    order they were taken. Withdrawn records are left out; a decision later reviewed is
    in, with its outcome."""
    low, high = _bounds(membership.workspace, start, end)
    records = (
        visible_records(membership)
        .filter(decided_at__gte=low, decided_at__lt=high)
        .exclude(status=Status.WITHDRAWN)
        .select_related("workspace", "project", "chosen_option", "decided_by")
        .order_by("decided_at", "id")
    )
    if project is not None:
        records = records.filter(project_id=project.pk)
    return [
        DecisionSummary(
            id=r.pk,
            title=r.title,
            url=record_url(r),
            project_key=r.project.key if r.project else None,
            project_name=r.project.name if r.project else None,
            status=r.status,
            status_label=str(r.get_status_display()),
            chosen=r.chosen_option.title if r.chosen_option else "",
            rationale=r.rationale,
            rationale_html=r.rationale_html,
            decided_by=r.decided_by.label if r.decided_by else "",
            decided_at=r.decided_at,  # type: ignore[arg-type]
            review_on=r.review_on,
            outcome=r.outcome,
            outcome_label=str(r.get_outcome_display()) if r.outcome else "",
        )
        for r in records
    ]


# --- scores and the ranking


def list_scores(record: DecisionRecord) -> list[Score]:
    return list(
        Score.objects.filter(record=record).order_by("option_id", "criterion_id", "scorer_id")
    )


def my_scores(record: DecisionRecord, user_id: int) -> dict[tuple[int, int], int]:
    """{(option id, criterion id): value} of one person's scores."""
    rows = Score.objects.filter(record=record, scorer_id=user_id)
    return {(s.option_id, s.criterion_id): s.value for s in rows}


@dataclass(frozen=True)
class RankedOption:
    option: Option
    result: ranking.OptionResult
    cells: list[tuple[Criterion, ranking.Cell]]


@dataclass(frozen=True)
class RecordRanking:
    ranking: ranking.Ranking
    options: list[RankedOption]
    criteria: list[Criterion]
    scorers_done: list[int]
    scorers_waiting: list[User]


def record_ranking(record: DecisionRecord) -> RecordRanking:
    """The ranking of the record's options from the scores of the people asked (two
    queries once the record's parts are loaded)."""
    options = list(record.options.all())
    criteria = list(record.criteria.all())
    scorers = list(record.scorers.all())
    rows = list(
        Score.objects.filter(record=record).values_list(
            "option_id", "criterion_id", "scorer_id", "value"
        )
    )
    result = ranking.rank_options(
        option_ids=[o.pk for o in options],
        criteria=[(c.pk, c.weight) for c in criteria],
        scores=[ranking.ScoreRow(*row) for row in rows],
        scorer_ids=[u.pk for u in scorers],
    )
    by_option = {o.pk: o for o in options}
    by_criterion = {c.pk: c for c in criteria}
    cells_needed = len(options) * len(criteria)
    counts: dict[int, int] = {}
    option_ids, criterion_ids = set(by_option), set(by_criterion)
    for option_id, criterion_id, scorer_id, _value in rows:
        if option_id in option_ids and criterion_id in criterion_ids:
            counts[scorer_id] = counts.get(scorer_id, 0) + 1
    done = [u.pk for u in scorers if cells_needed and counts.get(u.pk, 0) >= cells_needed]
    return RecordRanking(
        ranking=result,
        options=[
            RankedOption(
                by_option[r.option_id],
                r,
                [(by_criterion[c.criterion_id], c) for c in r.cells],
            )
            for r in result.options
        ],
        criteria=criteria,
        scorers_done=done,
        scorers_waiting=[u for u in scorers if u.pk not in done],
    )


# --- the review


@dataclass(frozen=True)
class KpiComparison:
    kpi: Kpi
    before: KpiValue | None  # the last value on or before the day of the decision
    after: KpiValue | None  # the last value on or before the review (or today)

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after.value - self.before.value

    @property
    def change_percent(self) -> float | None:
        if self.change is None or not self.before or self.before.value == 0:
            return None
        return self.change / abs(self.before.value) * 100


def review_comparison(
    membership: Membership, record: DecisionRecord, *, today: dt.date | None = None
) -> list[KpiComparison]:
    """Each linked KPI the member may see, before the decision and after it: the value on
    the day it was decided (or the last one before) against the value on the review day
    once that has passed, else the latest. Empty before the decision is taken."""
    if record.decided_at is None or not membership.at_least(Role.MEMBER):
        return []
    today = today or local_today(record.workspace)
    decided_day = local_day(record.workspace, record.decided_at)
    after_day = min(today, record.review_on) if record.review_on else today
    if record.reviewed_at is not None:
        after_day = min(after_day, local_day(record.workspace, record.reviewed_at))
    kpis = list(list_kpis(membership).filter(decision_records=record).order_by("name", "pk"))
    values = KpiValue.objects.filter(kpi__in=kpis, day__lte=max(after_day, decided_day))
    before: dict[int, KpiValue] = {}
    after: dict[int, KpiValue] = {}
    for value in values.order_by("kpi_id", "day"):
        if value.day <= decided_day:
            before[value.kpi_id] = value
        if value.day <= after_day and value.day > decided_day:
            after[value.kpi_id] = value
    return [KpiComparison(k, before.get(k.pk), after.get(k.pk)) for k in kpis]


# --- what the actions check


def members_by_id(workspace_id: int, user_ids: list[int]) -> dict[int, Membership]:
    return {
        m.user_id: m
        for m in Membership.objects.select_related("user").filter(
            workspace_id=workspace_id, user_id__in=user_ids
        )
    }


def kpis_by_id(membership: Membership, ids: list[int]) -> dict[int, Kpi]:
    if not ids or not membership.at_least(Role.MEMBER):
        return {}
    return {k.pk: k for k in list_kpis(membership).filter(pk__in=ids)}


def insights_by_id(membership: Membership, ids: list[int]) -> dict[int, Insight]:
    if not ids or not membership.at_least(Role.MEMBER):
        return {}
    return {
        i.pk: i for i in Insight.objects.filter(workspace_id=membership.workspace_id, pk__in=ids)
    }


def items_by_ref(membership: Membership, refs: list[str]) -> dict[str, Item]:
    """Items of projects the member sees, by their reference in capitals."""
    wanted: dict[str, set[int]] = {}
    for ref in refs:
        key, _sep, number = ref.strip().upper().rpartition("-")
        if key and number.isdigit():
            wanted.setdefault(key, set()).add(int(number))
    if not wanted:
        return {}
    condition = Q()
    for key, numbers in wanted.items():
        condition |= Q(project__key=key, number__in=numbers)
    items = Item.objects.filter(project__in=visible_projects(membership)).filter(condition)
    return {i.ref: i for i in items.select_related("project")}


def due_reviews(now: dt.datetime | None = None) -> list[DecisionRecord]:
    """Decided records whose review day has come in their workspace's time zone and whose
    owner has not been reminded yet."""
    now = now or timezone.now()
    # A day ahead of UTC covers every time zone; the exact local day is checked below.
    candidates = (
        DecisionRecord.objects.filter(
            status=Status.DECIDED,
            review_reminded_at__isnull=True,
            review_on__lte=(now + dt.timedelta(days=1)).date(),
            owner__isnull=False,
        )
        .select_related("workspace", "project", "owner")
        .order_by("review_on", "id")
    )
    return [r for r in candidates if r.review_on <= local_today(r.workspace, now)]  # type: ignore[operator]


# --- what the forms offer


def kpi_choices(membership: Membership) -> list[Kpi]:
    return (
        list(list_kpis(membership).order_by("name", "pk"))
        if membership.at_least(Role.MEMBER)
        else []
    )


def insight_choices(membership: Membership) -> list[Insight]:
    if not membership.at_least(Role.MEMBER):
        return []
    return list(Insight.objects.filter(workspace_id=membership.workspace_id).order_by("name", "pk"))


def people_choices(membership: Membership) -> list[User]:
    """Members of the workspace, guests last."""
    rows = Membership.objects.filter(workspace_id=membership.workspace_id).select_related("user")
    return [m.user for m in sorted(rows, key=lambda m: (m.role == Role.GUEST, m.user.label))]
