"""Reads of dependencies, milestones, the timeline and the calendar, with access checks.

Scheduling is finish-to-start: when A blocks B, B starts on a day after A is due. An item's
span is start..due; with only a due date (or only a start) it spans that one day; without
dates it has no span and takes no part in scheduling."""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from opsloop.core.errors import Invalid, NotFound
from opsloop.core.models import Membership, User
from opsloop.planning.models import Dependency, DependencyKind, Milestone
from opsloop.work.models import CLOSED_GROUPS, Item, ItemAssignee, Project, StateGroup
from opsloop.work.queries import (
    VIEW,
    access_project,
    check_project_permission,
    visible_projects,
)

ON_TRACK, AT_RISK, LATE, DONE = "on_track", "at_risk", "late", "done"
# A milestone this close (in days) with less than this share of its items done is at risk.
RISK_DAYS = 3
RISK_DONE_SHARE = 0.8

Span = tuple[date, date]


def span(start: date | None, due: date | None) -> Span | None:
    """The days an item occupies on the timeline, or None without dates."""
    if start is None and due is None:
        return None
    first = start or due
    last = due or start
    assert first is not None and last is not None
    return first, last


# --- milestones


def status_from(when: date, items: Iterable[tuple[str, date | None]], today: date) -> str:
    """A milestone's status from (state group, due date) of its items; see docs/planning.md."""
    rows = list(items)
    closed = [g for g, _due in rows if g in CLOSED_GROUPS]
    if rows and len(closed) == len(rows):
        return DONE
    if when < today:
        return LATE
    open_dues = [due for g, due in rows if g not in CLOSED_GROUPS and due is not None]
    if any(due > when or due < today for due in open_dues):
        return AT_RISK
    if (when - today).days <= RISK_DAYS and (not rows or len(closed) / len(rows) < RISK_DONE_SHARE):
        return AT_RISK
    return ON_TRACK


def milestone_status(milestone: Milestone, today: date) -> str:
    """on_track, at_risk, late or done, computed from the milestone's items."""
    rows = milestone.items.values_list("state__group", "due_date")
    return status_from(milestone.date, rows, today)


@dataclass
class MilestoneRow:
    milestone: Milestone
    status: str
    items: list[Item]

    @property
    def items_count(self) -> int:
        return len(self.items)

    @property
    def done_count(self) -> int:
        return sum(1 for item in self.items if item.state.group == StateGroup.DONE)


def list_milestones(
    projects: QuerySet[Project] | Iterable[Project], today: date
) -> list[MilestoneRow]:
    """Milestones of the projects with their items and status: two queries."""
    milestones = Milestone.objects.filter(project__in=projects).select_related("project")
    return milestone_rows(list(milestones.order_by("date", "id")), today)


def milestone_rows(milestones: list[Milestone], today: date) -> list[MilestoneRow]:
    """The milestones with their items (one query) and status."""
    by_milestone: dict[int, list[Item]] = defaultdict(list)
    links = Milestone.items.through.objects.filter(
        milestone_id__in=[m.pk for m in milestones]
    ).select_related("item__state", "item__project")
    for link in links.order_by("item__number"):
        by_milestone[link.milestone_id].append(link.item)
    rows = []
    for milestone in milestones:
        items = by_milestone.get(milestone.pk, [])
        status = status_from(milestone.date, [(i.state.group, i.due_date) for i in items], today)
        rows.append(MilestoneRow(milestone, status, items))
    return rows


@dataclass(frozen=True)
class MilestoneAccess:
    membership: Membership
    project: Project
    milestone: Milestone


def access_milestone(
    user: User, slug: str, key: str, milestone_id: int, need: str = VIEW
) -> MilestoneAccess:
    access = access_project(user, slug, key)
    milestone = Milestone.objects.filter(project=access.project, pk=milestone_id).first()
    if milestone is None:
        raise NotFound(_("Milestone not found."))
    milestone.project = access.project
    check_project_permission(access.membership, access.project, need)
    return MilestoneAccess(access.membership, access.project, milestone)


def milestone_row(milestone: Milestone, today: date) -> MilestoneRow:
    return milestone_rows([milestone], today)[0]


# --- dependencies


def blockers_of(
    items: Iterable[Item], *, projects: QuerySet[Project] | None = None
) -> dict[int, list[Item]]:
    """Open items that block each given item (one query); only from `projects` when given."""
    ids = [item.pk for item in items]
    out: dict[int, list[Item]] = {i: [] for i in ids}
    links = (
        Dependency.objects.filter(target_id__in=ids, kind=DependencyKind.BLOCKS)
        .exclude(source__state__group__in=CLOSED_GROUPS)
        .select_related("source__state", "source__project")
        .order_by("source__project__key", "source__number")
    )
    if projects is not None:
        links = links.filter(source__project__in=projects)
    for link in links:
        out[link.target_id].append(link.source)
    return out


@dataclass
class Link:
    """A dependency as seen from one item: its kind from that side and the other item."""

    dependency: Dependency
    kind: str  # blocks, blocked_by, relates, duplicates, duplicated_by
    other: Item

    @property
    def id(self) -> int:
        return self.dependency.pk

    @property
    def item(self) -> Item:
        return self.other


KIND_ORDER = ["blocked_by", "blocks", "relates", "duplicates", "duplicated_by"]


def list_links(item: Item, membership: Membership) -> list[Link]:
    """The item's dependencies with items the member can see, blockers first."""
    visible = visible_projects(membership)
    out = []
    outgoing = Dependency.objects.filter(source=item, target__project__in=visible).select_related(
        "target__project", "target__state"
    )
    for dep in outgoing:
        out.append(Link(dep, dep.kind, dep.target))
    incoming = Dependency.objects.filter(target=item, source__project__in=visible).select_related(
        "source__project", "source__state"
    )
    for dep in incoming:
        out.append(Link(dep, REVERSE[dep.kind], dep.source))
    out.sort(
        key=lambda link: (KIND_ORDER.index(link.kind), link.other.project.key, link.other.number)
    )
    return out


REVERSE = {"blocks": "blocked_by", "relates": "relates", "duplicates": "duplicated_by"}


def link_of(item: Item, dependency: Dependency) -> Link:
    if dependency.source_id == item.pk:
        return Link(dependency, dependency.kind, dependency.target)
    return Link(dependency, REVERSE[dependency.kind], dependency.source)


def get_item_dependency(item: Item, dependency_id: int) -> Dependency:
    dep = (
        Dependency.objects.filter(Q(source=item) | Q(target=item), pk=dependency_id)
        .select_related("source__project", "target__project")
        .first()
    )
    if dep is None:
        raise NotFound(_("Dependency not found."))
    return dep


def blocks_path(workspace_id: int, start_id: int, goal_id: int) -> list[int] | None:
    """Item ids from start to goal following "blocks" links, or None: one query per step."""
    parent: dict[int, int | None] = {start_id: None}
    frontier = [start_id]
    while frontier:
        rows = Dependency.objects.filter(
            workspace_id=workspace_id, kind=DependencyKind.BLOCKS, source_id__in=frontier
        ).values_list("source_id", "target_id")
        frontier = []
        for source, target in rows:
            if target in parent:
                continue
            parent[target] = source
            if target == goal_id:
                path = [goal_id]
                node = parent[goal_id]
                while node is not None:
                    path.append(node)
                    node = parent[node]
                return path[::-1]
            frontier.append(target)
    return None


# --- rescheduling


def shift_plan(
    spans: Mapping[int, tuple[date | None, date | None]],
    links: Iterable[tuple[int, int]],
    moved: int,
) -> dict[int, tuple[date | None, date | None]]:
    """New (start, due) of the items that must move after `moved` took its dates in `spans`.

    links are (blocker, dependent) pairs without cycles. Each dependent reachable from the
    moved item starts on the day after the latest due date of its blockers when it started
    earlier, keeping its duration; items without dates stay and do not pass the shift on.
    Pure: the known answers in tests/planning/test_queries.py are worked out by hand."""
    after: dict[int, list[int]] = defaultdict(list)
    before: dict[int, list[int]] = defaultdict(list)
    for source, target in links:
        after[source].append(target)
        before[target].append(source)
    # The part of the graph below the moved item, visited in topological order.
    reach: set[int] = set()
    queue = deque([moved])
    while queue:
        node = queue.popleft()
        for nxt in after[node]:
            if nxt not in reach and spans.get(nxt, (None, None)) != (None, None):
                reach.add(nxt)
                queue.append(nxt)
    indegree = {n: sum(1 for b in before[n] if b in reach) for n in reach}
    ready = deque(sorted(n for n, d in indegree.items() if d == 0))
    current = dict(spans)
    changed: dict[int, tuple[date | None, date | None]] = {}
    while ready:
        node = ready.popleft()
        start, due = current[node]
        own = span(start, due)
        ends = [s[1] for b in before[node] if (s := span(*current.get(b, (None, None))))]
        if own is not None and ends and own[0] <= max(ends):
            delta = max(ends) + timedelta(days=1) - own[0]
            new = (start + delta if start else None, due + delta if due else None)
            current[node] = changed[node] = new
        for nxt in after[node]:
            if nxt in indegree:
                indegree[nxt] -= 1
                if indegree[nxt] == 0:
                    ready.append(nxt)
    return changed


@dataclass(frozen=True)
class Broken:
    """A "blocks" link whose dependent would start before its blocker is due."""

    blocker: Item
    dependent: Item

    def __str__(self) -> str:
        return f"{self.blocker.ref} → {self.dependent.ref}"


def broken_by_move(item: Item, start: date | None, due: date | None) -> list[Broken]:
    """The item's "blocks" links that its move to start..due would break."""
    own = span(start, due)
    if own is None:
        return []
    out = []
    links = Dependency.objects.filter(
        Q(source=item) | Q(target=item), kind=DependencyKind.BLOCKS
    ).select_related("source__project", "target__project")
    for dep in links:
        if dep.source_id == item.pk:
            other = span(dep.target.start_date, dep.target.due_date)
            if other is not None and other[0] <= own[1]:
                out.append(Broken(item, dep.target))
        else:
            other = span(dep.source.start_date, dep.source.due_date)
            if other is not None and own[0] <= other[1]:
                out.append(Broken(dep.source, item))
    return out


def downstream(item: Item, projects: QuerySet[Project]) -> tuple[dict, list[tuple[int, int]]]:
    """Dates and "blocks" links of everything below the item, in projects the actor sees.

    One query per level for the links, then one for the dates of the items and of their
    other blockers (which set where a shifted dependent may start)."""
    seen = {item.pk}
    frontier = [item.pk]
    links: set[tuple[int, int]] = set()
    while frontier:
        rows = list(
            Dependency.objects.filter(
                source_id__in=frontier,
                kind=DependencyKind.BLOCKS,
                target__project__in=projects,
            ).values_list("source_id", "target_id")
        )
        links.update(rows)
        frontier = [t for _s, t in rows if t not in seen]
        seen.update(frontier)
    inbound = Dependency.objects.filter(target_id__in=seen, kind=DependencyKind.BLOCKS).values_list(
        "source_id", "target_id"
    )
    links.update(inbound)
    ids = {i for pair in links for i in pair} | {item.pk}
    spans = {
        pk: (start, due)
        for pk, start, due in Item.objects.filter(pk__in=ids).values_list(
            "pk", "start_date", "due_date"
        )
    }
    return spans, sorted(links)


# --- timeline and calendar


def workspace_timeline(
    membership: Membership,
    *,
    today: date,
    project_key: str = "",
    assignee: int | None = None,
    group: str = "",
) -> dict:
    """The timeline across the projects the member can see, or of one (by key), optionally
    only one assignee's items: what the workspace's timeline page and API show. With
    group "project", also its bars by project ("groups")."""
    if group and group not in TIMELINE_GROUPS:
        raise Invalid(
            _("Group the timeline by: %(values)s.") % {"values": "project"}, field="group"
        )
    projects = visible_projects(membership)
    if project_key:
        projects = projects.filter(key=project_key.upper())
    payload = timeline_payload(membership, projects, today=today, assignee=assignee)
    if group == "project":
        payload["groups"] = group_by_project(payload)
    return payload


def timeline_payload(
    membership: Membership,
    projects: QuerySet[Project],
    *,
    today: date,
    assignee: int | None = None,
) -> dict:
    """Everything the timeline draws, as plain data: five queries whatever the size."""
    items = Item.objects.filter(project__in=projects)
    if assignee:
        items = items.filter(assignees__id=assignee)
    rows = list(
        items.order_by("project__key", "sort_order", "id").values_list(
            "pk",
            "project__key",
            "project__name",
            "number",
            "title",
            "start_date",
            "due_date",
            "state__name",
            "state__group",
            "state__color",
            "parent_id",
            "version",
        )
    )
    ids = [r[0] for r in rows]
    project_names = {r[1]: r[2] for r in rows}
    people: dict[int, list[int]] = defaultdict(list)
    names: dict[str, str] = {}
    assigned = (
        # The rows carry their item's project: no join to the items to pick the projects'.
        ItemAssignee.objects.filter(project__in=projects)
        .values_list("item_id", "user_id", "user__display_name", "user__username")
        .order_by("user__display_name", "user__username")
    )
    wanted = set(ids)
    for item_id, user_id, display, username in assigned:
        if item_id in wanted:
            people[item_id].append(user_id)
            names[str(user_id)] = display or username
    links = [
        [s, t]
        for s, t in Dependency.objects.filter(
            source__project__in=projects, target__project__in=projects, kind=DependencyKind.BLOCKS
        ).values_list("source_id", "target_id")
        if s in wanted and t in wanted
    ]
    milestones = [
        {
            "id": row.milestone.pk,
            "name": row.milestone.name,
            "date": row.milestone.date,
            "project": row.milestone.project.key,
            "status": row.status,
        }
        for row in list_milestones(projects, today)
    ]
    return {
        "today": today,
        "items": [
            {
                "id": pk,
                "ref": f"{key}-{number}",
                "title": title,
                "project": key,
                "start": start,
                "due": due,
                "state": state,
                "group": group,
                "color": color,
                "assignees": people.get(pk, []),
                "parent_id": parent,
                "version": version,
            }
            for pk, key, _name, number, title, start, due, state, group, color, parent, version in rows
        ],
        "links": links,
        "milestones": milestones,
        "people": names,
        "projects": project_names,
    }


TIMELINE_GROUPS = ("project",)


def group_by_project(payload: dict) -> list[dict]:
    """The timeline's bars by project (the group option "project"): each project with
    items, by key, with the ids of its items in the timeline's order."""
    groups: dict[str, list[int]] = {}
    for item in payload["items"]:
        groups.setdefault(item["project"], []).append(item["id"])
    return [
        {"project": key, "name": payload["projects"].get(key, ""), "item_ids": ids}
        for key, ids in sorted(groups.items())
    ]


def month_grid(anchor: date) -> list[list[date]]:
    """The weeks (Monday first) that show the month of anchor."""
    first = anchor.replace(day=1)
    start = first - timedelta(days=first.weekday())
    next_month = (first + timedelta(days=32)).replace(day=1)
    weeks = []
    day = start
    while day < next_month:
        weeks.append([day + timedelta(days=i) for i in range(7)])
        day += timedelta(days=7)
    return weeks


def week_days(anchor: date) -> list[date]:
    start = anchor - timedelta(days=anchor.weekday())
    return [start + timedelta(days=i) for i in range(7)]


def calendar_items(project: Project, first: date, last: date) -> dict[date, list[Item]]:
    """The project's items due between first and last, by due date: one query."""
    items = (
        Item.objects.filter(project=project, due_date__gte=first, due_date__lte=last)
        .select_related("state", "project")
        .order_by("due_date", "sort_order", "id")
    )
    out: dict[date, list[Item]] = defaultdict(list)
    for item in items:
        assert item.due_date is not None
        out[item.due_date].append(item)
    return out


def count_undated(project: Project) -> int:
    return Item.objects.filter(project=project, due_date__isnull=True).aggregate(n=Count("pk"))["n"]


def milestone_out(row: MilestoneRow) -> dict:
    """A milestone as the API and the timeline show it."""
    m = row.milestone
    return {
        "id": m.pk,
        "name": m.name,
        "date": m.date,
        "description": m.description,
        "status": row.status,
        "item_refs": [f"{m.project.key}-{i.number}" for i in row.items],
        "items_count": row.items_count,
        "done_count": row.done_count,
    }


def project_timeline_payload(membership: Membership, project: Project, *, today: date) -> dict:
    """timeline_payload of one project the member may see (access checked by the caller)."""
    return timeline_payload(membership, Project.objects.filter(pk=project.pk), today=today)


def projects_by_name(membership: Membership) -> QuerySet[Project]:
    """The projects the member sees, by name: the timeline's project filter."""
    return visible_projects(membership).order_by("name")
