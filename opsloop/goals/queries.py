"""Reads of goals that pages and the API share: KPIs and their values, objectives with
each key result's progress, forecast and status (opsloop/goals/measure.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opsloop.core.errors import NotFound
from opsloop.core.models import Membership, Role, User
from opsloop.events import queries as event_queries
from opsloop.goals import measure, sources
from opsloop.goals.models import (
    AlertFiring,
    AlertRule,
    KeyResult,
    Kpi,
    KpiChange,
    KpiSource,
    KpiValue,
    Objective,
)
from opsloop.insights.queries import local_today
from opsloop.planning.models import Milestone
from opsloop.work import queries as work_queries
from opsloop.work.models import Item, Project, StateGroup


def access_goals(user: User, slug: str) -> Membership:
    """Members and above see goals: their KPIs come from the users' events."""
    return event_queries.access_events(user, slug)


# --- KPIs


# Who may see a KPI of the work: a KPI that counts a project's items shows that
# project's numbers, day by day, so it is seen only by who sees every project it reads
# (docs/security.md#kpis-of-the-work). Its key results, alert rules and firings, and
# the dashboard tiles that show it, go with it.


# The key kpi_reads notes each definition's source under (no definition has it).
SOURCE = "__source__"


def kpi_reads(workspace_id: int) -> dict[int, set[int] | None]:
    """The projects whose items each KPI of the workspace counts: {kpi id: project ids},
    None for every project of the workspace. Older definitions count too, as the values
    made under them are kept (docs/goals.md#kpis). KPIs that never read the work (an
    insight's, by hand) are left out. Two queries, three with a milestone."""
    definitions: dict[int, list[dict[str, Any]]] = {}
    # Sources that read projects: the work, and those apps register (campaign results).
    reading = {KpiSource.WORK, *sources.registered_sources()}
    current = Kpi.objects.filter(workspace_id=workspace_id, source__in=reading)
    for pk, source, definition in current.values_list("pk", "source", "definition"):
        definitions.setdefault(pk, []).append({**(definition or {}), SOURCE: source})
    changes = KpiChange.objects.filter(kpi__workspace_id=workspace_id)
    for pk, before, after in changes.values_list("kpi_id", "before", "after"):
        for version in (before, after):
            if isinstance(version, dict) and version.get("source") in reading:
                definition = {**(version.get("definition") or {}), SOURCE: version["source"]}
                definitions.setdefault(pk, []).append(definition)
    milestone_ids = {
        int(d["milestone_id"])
        for ds in definitions.values()
        for d in ds
        if d.get("measure") == "milestone_done_percent" and d.get("milestone_id") is not None
    }
    milestone_projects = (
        dict(Milestone.objects.filter(pk__in=milestone_ids).values_list("pk", "project_id"))
        if milestone_ids
        else {}
    )
    reads: dict[int, set[int] | None] = {}
    for pk, versions in definitions.items():
        projects: set[int] | None = set()
        for definition in versions:
            read = _projects_read(definition, milestone_projects)
            if read is None or projects is None:
                projects = None
                break
            projects |= read
        reads[pk] = projects
    return reads


def _projects_read(definition: dict[str, Any], milestone_projects: dict) -> set[int] | None:
    registered = sources.registered_source(definition.get(SOURCE, KpiSource.WORK))
    if registered is not None:
        return registered.projects_read({k: v for k, v in definition.items() if k != SOURCE})
    if definition.get("measure") == "milestone_done_percent":
        project_id = milestone_projects.get(definition.get("milestone_id"))
        # A milestone since deleted: whose items it counted is no longer known.
        return None if project_id is None else {project_id}
    ids = definition.get("project_ids") or []
    # No projects named: every project of the workspace (sources.values_from_work).
    return {int(pk) for pk in ids} if ids else None


def hidden_kpi_ids(membership: Membership) -> set[int]:
    """The workspace's KPIs the member may not see: those that count the items of a
    project they do not see. Admins see every project, so every KPI."""
    if membership.at_least(Role.ADMIN):
        return set()
    reads = kpi_reads(membership.workspace_id)
    if not reads:
        return set()
    visible = visible_project_ids(membership)
    sees_every_project: bool | None = None
    hidden = set()
    for pk, projects in reads.items():
        if projects is None:
            if sees_every_project is None:
                sees_every_project = not (
                    Project.objects.filter(workspace_id=membership.workspace_id)
                    .exclude(pk__in=visible)
                    .exists()
                )
            if not sees_every_project:
                hidden.add(pk)
        elif not projects <= visible:
            hidden.add(pk)
    return hidden


def may_see_kpi(membership: Membership, kpi: Kpi) -> bool:
    return kpi.pk not in hidden_kpi_ids(membership)


def list_kpis(membership: Membership) -> QuerySet[Kpi]:
    """The KPIs the member sees (hidden_kpi_ids), by name."""
    return (
        Kpi.objects.filter(workspace_id=membership.workspace_id)
        .exclude(pk__in=hidden_kpi_ids(membership))
        .select_related("insight", "owner")
    )


def get_kpi(membership: Membership, kpi_id: int) -> Kpi:
    """A KPI the member sees; one of a project they do not see is as unknown as none."""
    kpi = list_kpis(membership).filter(pk=kpi_id).first()
    if kpi is None:
        raise NotFound(_("No such KPI."))
    return kpi


def kpi_values(
    kpi: Kpi, *, since: dt.date | None = None, until: dt.date | None = None
) -> list[KpiValue]:
    values = KpiValue.objects.filter(kpi=kpi)
    if since is not None:
        values = values.filter(day__gte=since)
    if until is not None:
        values = values.filter(day__lte=until)
    return list(values.order_by("day"))


def latest_values(kpi_ids: list[int]) -> dict[int, KpiValue]:
    """Each KPI's latest value (one query)."""
    latest: dict[int, KpiValue] = {}
    for value in KpiValue.objects.filter(kpi_id__in=kpi_ids).order_by("kpi_id", "day"):
        latest[value.kpi_id] = value
    return latest


def list_alerts(kpi: Kpi, *, rule_id: int | None = None) -> list[AlertRule]:
    """The KPI's alert rules, each with `recent`: its last 10 firings."""
    rules = list(AlertRule.objects.filter(kpi=kpi, **({"pk": rule_id} if rule_id else {})))
    firings: dict[int, list[AlertFiring]] = {}
    for firing in AlertFiring.objects.filter(rule__in=rules).order_by("-day", "-pk"):
        firings.setdefault(firing.rule_id, []).append(firing)
    for rule in rules:
        rule.recent = firings.get(rule.pk, [])[:10]  # type: ignore[attr-defined]
    return rules


def get_alert(kpi: Kpi, alert_id: int) -> AlertRule:
    rule = AlertRule.objects.select_related("kpi").filter(kpi=kpi, pk=alert_id).first()
    if rule is None:
        raise NotFound(_("No such alert."))
    return rule


# --- objectives


def work_progress(project_ids: set[int]) -> dict[int, int]:
    """Per project, the share of its items done, in percent (items cancelled left out)."""
    rows = (
        Item.objects.filter(project_id__in=project_ids)
        .exclude(state__group=StateGroup.CANCELLED)
        .values("project_id")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(state__group=StateGroup.DONE)))
    )
    return {r["project_id"]: round(100 * r["done"] / r["total"]) for r in rows if r["total"]}


def visible_project_ids(membership: Membership) -> set[int]:
    return set(work_queries.visible_projects(membership).values_list("pk", flat=True))


def project_choices(membership: Membership) -> list[Project]:
    """The projects the member sees, by name: what a form offers to pick from."""
    return list(work_queries.visible_projects(membership).order_by("name"))


def milestone_choices(membership: Membership) -> list[Milestone]:
    """The milestones of the projects the member sees: what a KPI of the work may measure."""
    visible = work_queries.visible_projects(membership)
    return list(Milestone.objects.filter(project__in=visible).select_related("project"))


def list_objectives(
    membership: Membership,
    *,
    on: dt.date | None = None,
    level: str | None = None,
    project_id: int | None = None,
) -> QuerySet[Objective]:
    """The objectives the member sees (a project's only when they see the project),
    those whose period holds `on` when given, with the key results they see (not those
    of a KPI they may not see)."""
    objectives = (
        Objective.objects.filter(workspace_id=membership.workspace_id)
        .filter(Q(project__isnull=True) | Q(project__in=work_queries.visible_projects(membership)))
        .select_related("owner", "project")
    )
    if on is not None:
        objectives = objectives.filter(start_date__lte=on, end_date__gte=on)
    if level:
        objectives = objectives.filter(level=level)
    if project_id is not None:
        objectives = objectives.filter(project_id=project_id)
    results = (
        KeyResult.objects.exclude(kpi_id__in=hidden_kpi_ids(membership))
        .select_related("kpi", "owner")
        .prefetch_related("projects")
    )
    return objectives.prefetch_related(Prefetch("key_results", queryset=results))


def get_objective(membership: Membership, objective_id: int) -> Objective:
    objective = list_objectives(membership).filter(pk=objective_id).first()
    if objective is None:
        raise NotFound(_("No such objective."))
    return objective


def get_key_result(membership: Membership, key_result_id: int) -> KeyResult:
    objectives = list_objectives(membership)
    key_result = (
        KeyResult.objects.select_related("objective__workspace", "kpi")
        .filter(objective__in=objectives, pk=key_result_id)
        .exclude(kpi_id__in=hidden_kpi_ids(membership))
        .first()
    )
    if key_result is None:
        raise NotFound(_("No such key result."))
    return key_result


@dataclass(frozen=True)
class KeyResultReport:
    """Where a key result stands on a day."""

    key_result: KeyResult
    current: float | None
    current_day: dt.date | None
    progress: float | None
    forecast: measure.Forecast | None
    status: str
    method: str  # how the status was reached, in words
    points: list[tuple[dt.date, float]] = field(default_factory=list)

    @property
    def decimals(self) -> int:
        """The decimal places that show its numbers apart (25.338 against 25.340)."""
        kr = self.key_result
        numbers = [self.current, kr.start_value, kr.target_value, kr.band_low, kr.band_high]
        return measure.decimals(numbers)


@dataclass(frozen=True)
class ObjectiveReport:
    objective: Objective
    today: dt.date
    elapsed: float
    progress: float | None
    status: str
    key_results: list[KeyResultReport]


def target_of(key_result: KeyResult) -> measure.Target:
    return measure.Target(
        direction=key_result.direction,
        start=key_result.start_value,
        target=key_result.target_value,
        low=key_result.band_low,
        high=key_result.band_high,
    )


def report_objectives(
    objectives: list[Objective], today: dt.date | None = None
) -> list[ObjectiveReport]:
    """Each objective's progress and status on `today` (the workspace's day), from its
    key results' KPI values within the period (one query for all the values)."""
    if not objectives:
        return []
    today = today or local_today(objectives[0].workspace)
    kpi_ids = {kr.kpi_id for o in objectives for kr in o.key_results.all()}
    first = min(o.start_date for o in objectives)
    rows = KpiValue.objects.filter(kpi_id__in=kpi_ids, day__gte=first, day__lte=today)
    by_kpi: dict[int, list[tuple[dt.date, float]]] = {}
    for kpi_id, day, value in rows.order_by("day").values_list("kpi_id", "day", "value"):
        by_kpi.setdefault(kpi_id, []).append((day, value))
    return [_report(o, today, by_kpi) for o in objectives]


def _report(
    objective: Objective, today: dt.date, by_kpi: dict[int, list[tuple[dt.date, float]]]
) -> ObjectiveReport:
    elapsed = measure.elapsed_share(objective.start_date, objective.end_date, today)
    reports = []
    for kr in objective.key_results.all():
        points = [
            (d, v)
            for d, v in by_kpi.get(kr.kpi_id, [])
            if objective.start_date <= d <= min(today, objective.end_date)
        ]
        current_day, current = points[-1] if points else (None, None)
        goal = target_of(kr)
        predicted = (
            measure.forecast(points, objective.end_date) if today < objective.end_date else None
        )
        if predicted is not None:
            method = _("linear fit over the last %(n)d values, carried to %(day)s") % {
                "n": predicted.points,
                "day": objective.end_date.isoformat(),
            }
            state = measure.status(goal, predicted, current=current)
        elif today >= objective.end_date and current is not None:
            method = _("the period is over: its last value")
            state = measure.ON_TRACK if measure.progress(goal, current) == 1 else measure.OFF_TRACK
        else:
            method = _("progress against the share of the period gone (fewer than 3 values)")
            state = measure.status(goal, None, current=current, elapsed=elapsed)
        reports.append(
            KeyResultReport(
                key_result=kr,
                current=current,
                current_day=current_day,
                progress=measure.progress(goal, current),
                forecast=predicted,
                status=state,
                method=method,
                points=points,
            )
        )
    return ObjectiveReport(
        objective=objective,
        today=today,
        elapsed=elapsed,
        progress=measure.weighted_progress([(r.progress, r.key_result.weight) for r in reports]),
        status=measure.worst([r.status for r in reports]),
        key_results=reports,
    )


@dataclass(frozen=True)
class LinkedWork:
    """The work linked to an objective's key results, as far as the member sees it."""

    projects: dict[int, list[Project]]  # by key result
    items: dict[int, list[Item]]  # by key result
    milestones: list[Milestone]  # of the linked projects, within the period, by date


def linked_work(membership: Membership, report: ObjectiveReport) -> LinkedWork:
    """The projects and items linked to each key result that the member sees, and the
    milestones of those projects within the objective's period (three queries)."""
    visible = visible_project_ids(membership)
    key_results = [r.key_result for r in report.key_results]
    prefetch_related_objects(
        key_results, Prefetch("items", queryset=Item.objects.select_related("project", "state"))
    )
    projects = {kr.pk: [p for p in kr.projects.all() if p.pk in visible] for kr in key_results}
    items = {kr.pk: [i for i in kr.items.all() if i.project_id in visible] for kr in key_results}
    objective = report.objective
    milestones = (
        Milestone.objects.filter(project_id__in={p.pk for ps in projects.values() for p in ps})
        .filter(date__gte=objective.start_date, date__lte=objective.end_date)
        .select_related("project")
        .order_by("date")
    )
    return LinkedWork(projects=projects, items=items, milestones=list(milestones))


STATUS_LABELS = {
    measure.ON_TRACK: gettext_lazy("On track"),
    measure.AT_RISK: gettext_lazy("At risk"),
    measure.OFF_TRACK: gettext_lazy("Off track"),
    measure.UNKNOWN: gettext_lazy("Not known yet"),
}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))
