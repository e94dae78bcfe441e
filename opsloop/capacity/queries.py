"""Reads of skills, profiles, time and workload that pages and the API share, with access checks.

Workload spreads each open item's estimate over the working days between its start and due
dates and splits it between its assignees (docs/decisions/0014-workload-spreads-estimates.md)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import F, FloatField, QuerySet, Sum
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from opsloop.capacity.models import MemberProfile, Skill, TimeEntry
from opsloop.core.errors import Forbidden, Invalid, NotFound
from opsloop.core.models import Membership, Role, User
from opsloop.core.queries import access_workspace, get_member
from opsloop.work.models import CLOSED_GROUPS, Item, ItemAssignee, Project
from opsloop.work.queries import VIEW, access_item, assignable_users, visible_projects

DEFAULT_CAPACITY = Decimal("40")
MAX_WEEKS = 26
DEFAULT_WEEKS = 12
# Above this share of capacity a week is amber; above 100% red.
HIGH_PERCENT = 80


# --- weeks


def week_of(day: date) -> date:
    """The Monday of the ISO week holding the day."""
    return day - timedelta(days=day.weekday())


def week_name(monday: date) -> str:
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


def week_short(monday: date) -> str:
    return f"w{monday.isocalendar()[1]}"


def week_range_text(weeks: list[date]) -> str:
    if not weeks:
        return ""
    if len(weeks) == 1:
        return week_short(weeks[0])
    return f"{week_short(weeks[0])}-{week_short(weeks[-1])}"


def working_days(start: date, end: date) -> int:
    """Mondays to Fridays from start to end, both included."""
    if end < start:
        return 0
    full, rest = divmod((end - start).days + 1, 7)
    first = start.weekday()
    # The rest days run from `first` on; those falling Monday to Friday count.
    extra = sum(1 for offset in range(rest) if (first + offset) % 7 < 5)
    return full * 5 + extra


# --- spreading an estimate


def spread_hours(estimate: float, start: date | None, due: date | None) -> dict[date, float] | None:
    """An item's hours per week (by the week's Monday); None when it has no dates.

    Both dates: evenly over the working days from start to due (a range of weekend days
    only, or a start after the due date, counts as due only). Only due: all in the due
    date's week. Only start: all in the start date's week."""
    if start is None and due is None:
        return None
    if start is None or due is None or start > due:
        day = due or start
        assert day is not None
        return {week_of(day): estimate}
    monday = week_of(start)
    if monday == week_of(due):
        # Within one week: all of it there, weekend or not.
        return {monday: estimate}
    total_days = working_days(start, due)
    if total_days == 0:
        return {week_of(due): estimate}
    per_day = estimate / total_days
    out: dict[date, float] = {}
    while monday <= due:
        days = working_days(max(start, monday), min(due, monday + timedelta(days=4)))
        if days:
            out[monday] = per_day * days
        monday += timedelta(days=7)
    return out


@dataclass(frozen=True)
class ItemLoad:
    """What workload needs of an open item: its estimate, dates and assignees."""

    item_id: int
    estimate: float
    start: date | None
    due: date | None
    assignee_ids: tuple[int, ...]


def person_week_hours(loads: Iterable[ItemLoad]) -> dict[tuple[int, date], float]:
    """Hours per (person, week): each item's spread split equally between its assignees."""
    hours: dict[tuple[int, date], float] = defaultdict(float)
    for load in loads:
        if not load.assignee_ids or not load.estimate:
            continue
        weeks = spread_hours(load.estimate, load.start, load.due)
        if weeks is None:
            continue
        share = 1 / len(load.assignee_ids)
        for monday, value in weeks.items():
            for user_id in load.assignee_ids:
                hours[(user_id, monday)] += value * share
    return hours


def level_of(hours: float, capacity: float) -> str:
    if hours <= 0:
        return "ok"
    if capacity <= 0:
        return "over"
    percent = hours * 100 / capacity
    if percent > 100:
        return "over"
    if percent >= HIGH_PERCENT:
        return "high"
    return "ok"


# --- profiles and skills


def list_skills(workspace_id: int) -> QuerySet[Skill]:
    return Skill.objects.filter(workspace_id=workspace_id).order_by("name")


def get_skill(workspace_id: int, skill_id: int) -> Skill:
    skill = Skill.objects.filter(workspace_id=workspace_id, pk=skill_id).first()
    if skill is None:
        raise NotFound(_("Skill not found."))
    return skill


@dataclass
class TeamMember:
    """A member with their profile's skills and capacity (the defaults when they set none)."""

    membership: Membership
    capacity: Decimal
    skills: list[Skill]

    @property
    def user(self) -> User:
        return self.membership.user

    @property
    def role(self) -> str:
        return self.membership.role

    @property
    def weekly_capacity(self) -> Decimal:
        return self.capacity

    @property
    def skill_ids(self) -> set[int]:
        return {s.pk for s in self.skills}


def team_members(
    workspace_id: int, *, user_ids: Iterable[int] | None = None, skill_id: int | None = None
) -> list[TeamMember]:
    """Members with their skills and capacity, by name: two queries."""
    memberships = Membership.objects.filter(workspace_id=workspace_id).select_related("user")
    if user_ids is not None:
        memberships = memberships.filter(user_id__in=list(user_ids))
    rows = list(memberships.order_by("user__display_name", "user__username", "user_id"))
    profiles = {
        p.membership_id: p
        for p in MemberProfile.objects.filter(membership__in=[m.pk for m in rows]).prefetch_related(
            "skills"
        )
    }
    out = []
    for m in rows:
        profile = profiles.get(m.pk)
        skills = sorted(profile.skills.all(), key=lambda s: s.name) if profile else []
        member = TeamMember(
            membership=m,
            capacity=profile.weekly_capacity if profile else DEFAULT_CAPACITY,
            skills=skills,
        )
        if skill_id is not None and skill_id not in member.skill_ids:
            continue
        out.append(member)
    return out


def check_sees_team(membership: Membership) -> None:
    if not membership.at_least(Role.MEMBER):
        raise Forbidden(_("Guests cannot see the team's workload and time."))


def access_team(user: User, slug: str) -> Membership:
    """The caller's membership, if their role may see the team (members and above)."""
    membership = access_workspace(user, slug)
    check_sees_team(membership)
    return membership


def can_edit_profile(actor: Membership, target: Membership) -> bool:
    if actor.at_least(Role.ADMIN):
        return True
    return actor.user_id == target.user_id and actor.at_least(Role.MEMBER)


def access_member_profile(user: User, slug: str, user_id: int) -> tuple[Membership, TeamMember]:
    """A member's profile: members and above see everyone's."""
    membership = access_team(user, slug)
    target = get_member(membership.workspace, user_id)
    return membership, team_members(membership.workspace_id, user_ids=[target.user_id])[0]


# --- time


def parse_duration(text: str) -> int:
    """Minutes from "1.5h", "1h30m", "1h 30m", "90m", "1:30", "2" (hours), "2小时30分钟"."""
    value = (text or "").strip().lower().replace("：", ":")
    clock = re.fullmatch(r"(\d{1,2}):([0-5]\d)", value)
    if clock:
        return int(clock.group(1)) * 60 + int(clock.group(2))
    plain = re.fullmatch(r"\d+(?:\.\d+)?", value)
    if plain:
        return round(float(value) * 60)
    parts = re.fullmatch(
        r"(?:(\d+(?:\.\d+)?)\s*(?:h|hr|hrs|hour|hours|小时|时)\s*)?"
        r"(?:(\d+)\s*(?:m|min|mins|minute|minutes|分钟|分)\s*)?",
        value,
    )
    if not value or parts is None or not any(parts.groups()):
        raise Invalid(
            _('Write the time like 1.5h, 1h30m, 45m or 1:30; "%(value)s" is not understood.')
            % {"value": text[:20]},
            field="duration",
        )
    hours, minutes = parts.groups()
    return round(float(hours or 0) * 60) + int(minutes or 0)


def format_minutes(minutes: int) -> str:
    hours, rest = divmod(int(minutes), 60)
    if hours and rest:
        return f"{hours}h {rest}m"
    if hours:
        return f"{hours}h"
    return f"{rest}m"


def list_item_time(item: Item) -> list[TimeEntry]:
    return list(
        TimeEntry.objects.filter(item=item).select_related("user").order_by("-spent_on", "-id")
    )


@dataclass
class ItemTime:
    estimate_hours: Decimal | None
    entries: list[TimeEntry]

    @property
    def logged_minutes(self) -> int:
        return sum(e.minutes for e in self.entries)

    @property
    def logged_hours(self) -> float:
        return round(self.logged_minutes / 60, 2)

    @property
    def logged_text(self) -> str:
        return format_minutes(self.logged_minutes)

    @property
    def percent(self) -> int | None:
        if not self.estimate_hours:
            return None
        return round(self.logged_minutes * 100 / (float(self.estimate_hours) * 60))


def item_time(item: Item) -> ItemTime:
    return ItemTime(estimate_hours=item.estimate_hours, entries=list_item_time(item))


def can_change_entry(membership: Membership, entry: TimeEntry) -> bool:
    if membership.at_least(Role.ADMIN):
        return True
    return entry.user_id == membership.user_id and membership.at_least(Role.MEMBER)


@dataclass(frozen=True)
class EntryAccess:
    membership: Membership
    item: Item
    entry: TimeEntry


def access_time_entry(user: User, slug: str, ref: str, entry_id: int) -> EntryAccess:
    """A time entry of an item the user can see; 403 unless it is theirs or they are an admin."""
    access = access_item(user, slug, ref, VIEW)
    entry = TimeEntry.objects.select_related("user").filter(item=access.item, pk=entry_id).first()
    if entry is None:
        raise NotFound(_("Time entry not found."))
    entry.item = access.item
    if not can_change_entry(access.membership, entry):
        raise Forbidden(_("Only the person who logged the time, or an admin, can change it."))
    return EntryAccess(access.membership, access.item, entry)


def _date_param(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise Invalid(
            _("%(field)s must be a date like 2026-11-11.") % {"field": name}, field=name
        ) from None


def _project_param(membership: Membership, key: str | None) -> Project | None:
    if not key:
        return None
    project = visible_projects(membership).filter(key=str(key).strip().upper()).first()
    if project is None:
        raise Invalid(_("No project with the key %(key)s.") % {"key": key}, field="project")
    return project


@dataclass
class ReportRow:
    id: int
    name: str
    minutes: int = 0
    estimate: float = 0.0

    @property
    def logged_hours(self) -> float:
        return round(self.minutes / 60, 2)

    @property
    def estimate_hours(self) -> float:
        return round(self.estimate, 2)


@dataclass
class TimeReport:
    start: date
    end: date
    project: Project | None
    people: list[ReportRow]
    projects: list[ReportRow]

    @property
    def total_logged_hours(self) -> float:
        return round(sum(r.minutes for r in self.people) / 60, 2)

    @property
    def total_estimate_hours(self) -> float:
        return round(sum(r.estimate for r in self.projects), 2)


def time_report(membership: Membership, params: Mapping) -> TimeReport:
    """Time logged between two dates per person and per project, against the estimates of the
    items it was logged on. An item's estimate counts once per project, and per person it is
    split equally between the people who logged time on it in the range."""
    today = timezone.localdate()
    start = _date_param(params.get("from"), "from") or today.replace(day=1)
    end = _date_param(params.get("to"), "to") or today
    if end < start:
        raise Invalid(_("The end date is before the start date."), field="to")
    if (end - start).days > 366:
        raise Invalid(_("A report covers at most a year."), field="to")
    project = _project_param(membership, params.get("project"))
    entries = TimeEntry.objects.filter(
        workspace_id=membership.workspace_id,
        spent_on__gte=start,
        spent_on__lte=end,
        item__project__in=visible_projects(membership),
    )
    if project is not None:
        entries = entries.filter(item__project=project)
    rows = list(
        entries.values("item_id", "item__project_id", "user_id")
        .annotate(total=Sum("minutes"))
        .order_by()
    )
    item_ids = {r["item_id"] for r in rows}
    estimates = {
        pk: float(value or 0)
        for pk, value in Item.objects.filter(pk__in=item_ids).values_list("pk", "estimate_hours")
    }
    loggers: dict[int, int] = defaultdict(int)
    for r in rows:
        loggers[r["item_id"]] += 1
    users = {u.pk: u for u in User.objects.filter(pk__in={r["user_id"] for r in rows})}
    projects = {
        p.pk: p for p in Project.objects.filter(pk__in={r["item__project_id"] for r in rows})
    }
    people: dict[int, ReportRow] = {}
    by_project: dict[int, ReportRow] = {}
    counted: set[int] = set()
    for r in rows:
        person = people.setdefault(r["user_id"], ReportRow(r["user_id"], users[r["user_id"]].label))
        person.minutes += r["total"]
        person.estimate += estimates[r["item_id"]] / loggers[r["item_id"]]
        p = projects[r["item__project_id"]]
        proj = by_project.setdefault(p.pk, ReportRow(p.pk, f"{p.key} {p.name}"))
        proj.minutes += r["total"]
        if r["item_id"] not in counted:
            counted.add(r["item_id"])
            proj.estimate += estimates[r["item_id"]]
    return TimeReport(
        start=start,
        end=end,
        project=project,
        people=sorted(people.values(), key=lambda r: (-r.minutes, r.name)),
        projects=sorted(by_project.values(), key=lambda r: (-r.minutes, r.name)),
    )


# --- workload


def open_items(membership: Membership, project: Project | None = None) -> QuerySet[Item]:
    items = Item.objects.filter(project__in=visible_projects(membership)).exclude(
        state__group__in=CLOSED_GROUPS
    )
    if project is not None:
        items = items.filter(project=project)
    return items


def item_loads(items: QuerySet[Item]) -> list[ItemLoad]:
    """The loads of those of the items that have assignees: two queries."""
    through = ItemAssignee.objects.filter(item__in=items)
    people: dict[int, list[int]] = defaultdict(list)
    for item_id, user_id in through.values_list("item_id", "user_id").order_by(
        "item_id", "user_id"
    ):
        people[item_id].append(user_id)
    # A float from the database: Decimal conversion of thousands of rows costs more than
    # the query, and workload rounds to tenths of an hour anyway.
    rows = (
        items.filter(pk__in=through.values("item_id"))
        .annotate(hours=Cast("estimate_hours", FloatField()))
        .values_list("pk", "hours", "start_date", "due_date")
    )
    return [
        ItemLoad(pk, hours or 0.0, start, due, tuple(people[pk])) for pk, hours, start, due in rows
    ]


def _short(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


@dataclass
class Cell:
    week: date
    hours: float
    capacity: float

    @property
    def percent(self) -> int:
        if self.capacity <= 0:
            return 0 if self.hours <= 0 else 999
        return round(self.hours * 100 / self.capacity)

    @property
    def level(self) -> str:
        return level_of(self.hours, self.capacity)

    @property
    def week_name(self) -> str:
        return week_name(self.week)

    # Text for the page, made here: template filters on 600 cells cost more than the sums.
    @property
    def hours_text(self) -> str:
        return _short(self.hours)

    @property
    def capacity_text(self) -> str:
        return _short(self.capacity)

    @property
    def day(self) -> str:
        return self.week.isoformat()


@dataclass
class WorkloadRow:
    member: TeamMember
    cells: list[Cell]

    @property
    def user(self) -> User:
        return self.member.user

    @property
    def capacity(self) -> float:
        return float(self.member.capacity)

    @property
    def skills(self) -> list[str]:
        return [s.name for s in self.member.skills]


@dataclass
class Workload:
    weeks: list[date]
    rows: list[WorkloadRow]
    unscheduled: list[Item]
    project: Project | None = None
    skill: Skill | None = None
    start: date | None = None

    @property
    def week_items(self) -> list[dict]:
        return [{"week": week_name(w), "starts_on": w} for w in self.weeks]


@dataclass(frozen=True)
class WorkloadFilters:
    start: date
    weeks: int
    project_key: str = ""
    skill_id: int | None = None


def parse_workload_filters(params: Mapping) -> WorkloadFilters:
    start = _date_param(params.get("from"), "from") or timezone.localdate()
    raw_weeks = params.get("weeks") or DEFAULT_WEEKS
    try:
        weeks = int(raw_weeks)
    except (TypeError, ValueError):
        raise Invalid(_("weeks must be a whole number."), field="weeks") from None
    if not 1 <= weeks <= MAX_WEEKS:
        raise Invalid(_("weeks must be between 1 and %(max)d.") % {"max": MAX_WEEKS}, field="weeks")
    skill = params.get("skill") or None
    if skill is not None and not str(skill).isdigit():
        raise Invalid(_("skill must be a skill id."), field="skill")
    return WorkloadFilters(
        start=week_of(start),
        weeks=weeks,
        project_key=str(params.get("project") or "").strip(),
        skill_id=int(skill) if skill else None,
    )


def workload(membership: Membership, filters: WorkloadFilters) -> Workload:
    """Per person per week, the estimated hours of their open items against their capacity.

    Counts the items of the projects the viewer can see; a bounded number of queries."""
    project = _project_param(membership, filters.project_key)
    skill = None
    if filters.skill_id is not None:
        skill = Skill.objects.filter(
            workspace_id=membership.workspace_id, pk=filters.skill_id
        ).first()
        if skill is None:
            raise Invalid(_("No such skill."), field="skill")
    weeks = [filters.start + timedelta(days=7 * i) for i in range(filters.weeks)]
    user_ids = list(assignable_users(project).values_list("pk", flat=True)) if project else None
    members = team_members(membership.workspace_id, user_ids=user_ids, skill_id=filters.skill_id)
    items = open_items(membership, project)
    ids = [m.user.pk for m in members]
    hours = person_week_hours(item_loads(items))
    rows = [
        WorkloadRow(
            member=m,
            cells=[Cell(w, hours.get((m.user.pk, w), 0.0), float(m.capacity)) for w in weeks],
        )
        for m in members
    ]
    unscheduled_ids = list(
        items.filter(
            start_date__isnull=True,
            due_date__isnull=True,
            pk__in=ItemAssignee.objects.filter(user_id__in=ids).values("item_id"),
        )
        .order_by("project__key", "number")
        .values_list("pk", flat=True)[:200]
    )
    unscheduled = list(
        Item.objects.filter(pk__in=unscheduled_ids)
        .select_related("project")
        .order_by("project__key", "number")
    )
    names: dict[int, list[User]] = defaultdict(list)
    for user in (
        User.objects.filter(assigned_items__in=unscheduled_ids)
        .annotate(item_key=F("assigned_items__id"))
        .only("id", "username", "display_name", "first_name", "last_name")
        .order_by("display_name", "username")
    ):
        names[user.item_key].append(user)
    for found in unscheduled:
        found.loaded_assignees = names.get(found.pk, [])
    return Workload(
        weeks=weeks,
        rows=rows,
        unscheduled=unscheduled,
        project=project,
        skill=skill,
        start=filters.start,
    )


@dataclass
class CellItem:
    item: Item
    hours: float


def cell_items(
    membership: Membership, user_id: int, week: date, project_key: str = ""
) -> list[CellItem]:
    """The open items that make up one person's hours in one week, largest share first."""
    project = _project_param(membership, project_key)
    week = week_of(week)
    items = open_items(membership, project).filter(
        pk__in=ItemAssignee.objects.filter(user_id=user_id).values("item_id")
    )
    shares: dict[int, float] = {}
    for load in item_loads(items):
        weeks = spread_hours(load.estimate, load.start, load.due) or {}
        if week in weeks:
            shares[load.item_id] = weeks[week] / len(load.assignee_ids)
    by_id = {
        i.pk: i for i in Item.objects.filter(pk__in=list(shares)).select_related("project", "state")
    }
    return sorted(
        (CellItem(by_id[pk], round(h, 2)) for pk, h in shares.items()),
        key=lambda c: (-c.hours, c.item.project.key, c.item.number),
    )


# --- suggestions


def required_skills(item: Item, skills: Iterable[Skill]) -> list[str]:
    """The item's labels whose names are skill names: what the item needs."""
    names = {s.name for s in skills}
    return sorted(label.name for label in item.label_list if label.name in names)


def item_weeks(item: Item, today: date | None = None) -> list[date]:
    """The weeks an item takes: start to due, or the due (or start) week, or this week."""
    start, due = item.start_date, item.due_date
    if start and due and start <= due:
        first, last = week_of(start), week_of(due)
    else:
        day = due or start or today or timezone.localdate()
        first = last = week_of(day)
    weeks: list[date] = []
    while first <= last and len(weeks) < MAX_WEEKS:
        weeks.append(first)
        first += timedelta(days=7)
    return weeks


@dataclass(frozen=True)
class Candidate:
    """A person who could take an item, with what ranking needs to know about them."""

    user: User
    skills: frozenset[str]
    free_hours: float
    open_items: int


@dataclass(frozen=True)
class Suggestion:
    user: User
    matching_skills: list[str]
    free_hours: float
    open_items: int
    reason: str


def describe(matching: list[str], free_hours: float, weeks: list[date]) -> str:
    skills = _(", ").join(matching) if matching else _("no matching skills")
    span = week_range_text(weeks)
    hours = round(free_hours)
    if hours >= 0:
        room = _("%(hours)s h free in %(weeks)s") % {"hours": hours, "weeks": span}
    else:
        room = _("%(hours)s h over in %(weeks)s") % {"hours": -hours, "weeks": span}
    return f"{skills} · {room}"


def rank_candidates(
    candidates: Iterable[Candidate], required: Iterable[str], weeks: list[date]
) -> list[Suggestion]:
    """Most matching skills first, then most free hours, then fewest open items, then name."""
    needed = list(required)
    ranked = []
    for c in candidates:
        matching = [name for name in needed if name in c.skills]
        ranked.append((len(matching), c, matching))
    ranked.sort(key=lambda r: (-r[0], -round(r[1].free_hours, 2), r[1].open_items, r[1].user.label))
    return [
        Suggestion(
            user=c.user,
            matching_skills=matching,
            free_hours=round(c.free_hours, 1),
            open_items=c.open_items,
            reason=describe(matching, c.free_hours, weeks),
        )
        for _n, c, matching in ranked
    ]


def suggestions(membership: Membership, item: Item, today: date | None = None) -> list[Suggestion]:
    """Who could take the item, ranked, with the reason in words."""
    weeks = item_weeks(item, today)
    users = {u.pk: u for u in assignable_users(item.project)}
    members = team_members(membership.workspace_id, user_ids=list(users))
    skills = list(list_skills(membership.workspace_id))
    needed = required_skills(item, skills)
    others = open_items(membership).exclude(pk=item.pk)
    hours = person_week_hours(item_loads(others))
    counts: dict[int, int] = defaultdict(int)
    for user_id in ItemAssignee.objects.filter(
        item__in=others, user_id__in=list(users)
    ).values_list("user_id", flat=True):
        counts[user_id] += 1
    candidates = [
        Candidate(
            user=m.user,
            skills=frozenset(s.name for s in m.skills),
            free_hours=sum(float(m.capacity) - hours.get((m.user.pk, w), 0.0) for w in weeks),
            open_items=counts.get(m.user.pk, 0),
        )
        for m in members
    ]
    return rank_candidates(candidates, needed, weeks)
