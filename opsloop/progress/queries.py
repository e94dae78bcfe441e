"""Progress of a project, computed from its items and their activity history.

Nothing here is stored: scope and done per day come from the items' creation times and
the "state" rows of the activity history (docs/decisions/0013-burn-up-from-history.md).
Days are days of the server's time zone (OPSLOOP_TIME_ZONE). An item counts as done while
its state is in a closed group (done or cancelled)."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opsloop.core.errors import Invalid
from opsloop.core.markdown import escape_markdown
from opsloop.core.models import Membership, User
from opsloop.planning.models import Milestone
from opsloop.planning.queries import AT_RISK, blockers_of, status_from
from opsloop.progress.models import SummarySend
from opsloop.work.models import CLOSED_GROUPS, Activity, Item, Project, State, StateGroup
from opsloop.work.queries import assignable_users, visible_projects

# Open items due within this many days that have not started are at risk.
DUE_SOON_DAYS = 3
# The longest burn-up range one request may ask for.
BURN_UP_MAX_DAYS = 731
NOT_STARTED = (StateGroup.BACKLOG, StateGroup.TODO)
WEEK_RE = re.compile(r"^(\d{4})-W(\d{1,2})$")


def _closed(group: str | None) -> bool:
    return group in CLOSED_GROUPS


# --- history


@dataclass(frozen=True)
class ItemHistory:
    """When an item came, and the days it was closed or reopened (in order)."""

    created: date
    initially_closed: bool
    changes: tuple[tuple[date, bool], ...] = ()

    def closed_at_end_of(self, day: date) -> bool:
        """Whether the item existed and was closed at the end of `day`."""
        if day < self.created:
            return False
        closed = self.initially_closed
        for when, now in self.changes:
            if when > day:
                break
            closed = now
        return closed

    def closed_on(self, day: date) -> date | None:
        """The day the item last became closed, as of the end of `day`; None when open then."""
        if not self.closed_at_end_of(day):
            return None
        last = self.created
        for when, now in self.changes:
            if when > day:
                break
            if now:
                last = when
        return last


def _history_of(
    item: Item, events: list[tuple[date, str, str]], groups: dict[str, str]
) -> ItemHistory:
    """One item's history from its state changes (day, old state name, new state name).

    A state's name maps to its group through the project's states as they are now; the
    last change always ends in the item's current state, which is the truth even when a
    state was renamed or deleted (moving its items) without a history row."""
    created = timezone.localdate(item.created_at)
    current = _closed(item.state.group)
    if not events:
        if current and item.completed_at is not None:
            done_day = timezone.localdate(item.completed_at)
            if done_day > created:
                # Closed before history was kept: count it done from its completion.
                return ItemHistory(created, False, ((done_day, True),))
        return ItemHistory(created, current)
    initially = _closed(groups.get(events[0][1]))
    changes = []
    for i, (day, _old, new) in enumerate(events):
        now = current if i == len(events) - 1 else _closed(groups.get(new))
        changes.append((max(day, created), now))
    return ItemHistory(created, initially, tuple(changes))


@dataclass
class Snapshot:
    """A project's items (with their states) and each item's history: three queries."""

    project: Project
    items: list[Item]
    history: dict[int, ItemHistory]

    @property
    def by_id(self) -> dict[int, Item]:
        return {item.pk: item for item in self.items}


def load_snapshot(project: Project) -> Snapshot:
    return load_snapshots([project])[project.pk]


def load_snapshots(projects: Iterable[Project]) -> dict[int, Snapshot]:
    """The snapshots of many projects, by project id: three queries however many."""
    by_id = {project.pk: project for project in projects}
    items = list(
        Item.objects.filter(project_id__in=by_id)
        .select_related("state")
        .only(
            "id",
            "number",
            "title",
            "project_id",
            "state__name",
            "state__group",
            "state__color",
            "due_date",
            "start_date",
            "progress",
            "estimate_hours",
            "created_at",
            "completed_at",
        )
        .order_by("project_id", "number")
    )
    groups: dict[int, dict[str, str]] = defaultdict(dict)
    states = State.objects.filter(project_id__in=by_id).values_list("project_id", "name", "group")
    for project_id, name, group in states:
        groups[project_id][name] = group
    events: dict[int, list[tuple[date, str, str]]] = defaultdict(list)
    rows = (
        Activity.objects.filter(
            project_id__in=by_id, item__isnull=False, verb="updated", field="state"
        )
        .order_by("created_at", "id")
        .values_list("item_id", "created_at", "old_value", "new_value")
    )
    for item_id, when, old, new in rows:
        events[item_id].append((timezone.localdate(when), old, new))
    out = {pk: Snapshot(project, [], {}) for pk, project in by_id.items()}
    for item in items:
        snapshot = out[item.project_id]
        item.project = snapshot.project
        snapshot.items.append(item)
        snapshot.history[item.pk] = _history_of(
            item, events.get(item.pk, []), groups[item.project_id]
        )
    return out


def today() -> date:
    return timezone.localdate()


def _day(value: date) -> str:
    return formats.date_format(value, "MONTH_DAY_FORMAT")


def item_url(item: Item) -> str:
    """The item's page as a full address, for what leaves opsloop (copied text, email)."""
    return settings.SITE_URL + reverse("item_detail", args=[item.project.workspace.slug, item.ref])


# --- burn-up


class BurnUpDay(NamedTuple):
    """Scope and done at the end of a day."""

    day: date
    scope: int
    done: int


def default_range(snapshot: Snapshot, *, on: date | None = None) -> tuple[date, date]:
    """From the project's start (or its first item) to today, at most BURN_UP_MAX_DAYS long."""
    end = on or today()
    firsts = [h.created for h in snapshot.history.values()]
    start = min(snapshot.project.start_date or (min(firsts) if firsts else end), end)
    return max(start, end - timedelta(days=BURN_UP_MAX_DAYS - 1)), end


def check_range(start: date, end: date) -> None:
    if end < start:
        raise Invalid(_("The end of the range is before its start."), field="to")
    if (end - start).days + 1 > BURN_UP_MAX_DAYS:
        raise Invalid(
            _("Ask for at most %(days)d days at once.") % {"days": BURN_UP_MAX_DAYS}, field="to"
        )


def burn_up(
    project: Project, start: date, end: date, *, snapshot: Snapshot | None = None
) -> list[BurnUpDay]:
    """Scope (items that existed) and done (items closed) at the end of each day start..end."""
    check_range(start, end)
    snapshot = snapshot or load_snapshot(project)
    scope_delta: Counter[date] = Counter()
    done_delta: Counter[date] = Counter()
    for h in snapshot.history.values():
        if h.created > end:
            continue
        scope_delta[max(h.created, start)] += 1
        closed = h.initially_closed
        if closed:
            done_delta[max(h.created, start)] += 1
        for day, now in h.changes:
            if day > end:
                break
            if now != closed:
                done_delta[max(day, start)] += 1 if now else -1
                closed = now
    out = []
    scope = done = 0
    day = start
    while day <= end:
        scope += scope_delta[day]
        done += done_delta[day]
        out.append(BurnUpDay(day, scope, done))
        day += timedelta(days=1)
    return out


class IdealLine(NamedTuple):
    """The planned burn-up: nothing done on the first day, the whole scope done on the
    target day, a straight line between and flat after it."""

    start: date
    target: date
    scope: int

    def at(self, day: date) -> float:
        if day <= self.start:
            return 0.0
        if day >= self.target:
            return float(self.scope)
        return self.scope * (day - self.start).days / (self.target - self.start).days


def burn_up_target(snapshot: Snapshot) -> date | None:
    """The day the whole scope is meant to be done: the project's end date, else the
    latest due date among its items; None when it has neither."""
    if snapshot.project.end_date is not None:
        return snapshot.project.end_date
    return max((i.due_date for i in snapshot.items if i.due_date is not None), default=None)


def ideal_line(snapshot: Snapshot, *, on: date | None = None) -> IdealLine | None:
    """The project's planned line: from its start (as default_range has it) with nothing
    done, to its scope as of `on` (today) done on the target; None without a target after
    the start."""
    start, end = default_range(snapshot, on=on)
    target = burn_up_target(snapshot)
    if target is None or target <= start:
        return None
    scope = sum(1 for h in snapshot.history.values() if h.created <= end)
    return IdealLine(start, target, scope)


@dataclass(frozen=True)
class BurnUpChart:
    """What the burn-up chart draws: actual scope and done up to the range's end (None
    after it), and the planned line over the range stretched to the target."""

    days: list[date]
    scope: list[int | None]
    done: list[int | None]
    ideal: list[float] | None
    target: date | None


def burn_up_chart(days: list[BurnUpDay], line: IdealLine | None) -> BurnUpChart:
    """What the chart of `days` draws: the axis runs on to the target when it lies ahead
    (BURN_UP_MAX_DAYS in all at most), so the planned line reaches the whole scope."""
    if not days:
        return BurnUpChart([], [], [], None, None)
    start, end = days[0].day, days[-1].day
    last = end
    if line is not None:
        last = min(max(end, line.target), start + timedelta(days=BURN_UP_MAX_DAYS - 1))
    axis = [start + timedelta(days=n) for n in range((last - start).days + 1)]
    ahead: list[None] = [None] * (len(axis) - len(days))
    return BurnUpChart(
        axis,
        [d.scope for d in days] + ahead,
        [d.done for d in days] + ahead,
        [round(line.at(d), 2) for d in axis] if line else None,
        line.target if line else None,
    )


# --- planned vs actual


@dataclass(frozen=True)
class PlannedVsActual:
    """Items due by a day against the items done by then."""

    day: date
    scope: int  # items that existed at the end of the day
    planned: int  # of them, due by the day
    planned_done: int  # of those, closed by the end of the day
    done: int  # every item closed by the end of the day (the actual)
    early: int  # items in a done state finished before their due date
    on_time: int
    late: int

    @property
    def behind(self) -> int:
        return self.planned - self.planned_done

    @property
    def percent(self) -> int | None:
        return round(100 * self.planned_done / self.planned) if self.planned else None

    @property
    def lines(self) -> list[str]:
        if not self.planned:
            first = _("No items were due by %(day)s.") % {"day": _day(self.day)}
        else:
            first = ngettext(
                "%(done)d of %(planned)d item due by %(day)s is done (%(percent)d%%).",
                "%(done)d of %(planned)d items due by %(day)s are done (%(percent)d%%).",
                self.planned,
            ) % {
                "done": self.planned_done,
                "planned": self.planned,
                "day": _day(self.day),
                "percent": self.percent,
            }
        lines = [first]
        if self.behind:
            lines.append(
                ngettext(
                    "%(count)d item due by then is still open.",
                    "%(count)d items due by then are still open.",
                    self.behind,
                )
                % {"count": self.behind}
            )
        lines.append(
            ngettext(
                "%(done)d of %(scope)d item is done in all.",
                "%(done)d of %(scope)d items are done in all.",
                self.scope,
            )
            % {"done": self.done, "scope": self.scope}
        )
        if self.early or self.on_time or self.late:
            lines.append(
                _("Finished early: %(early)d, on the due date: %(on_time)d, late: %(late)d.")
                % {"early": self.early, "on_time": self.on_time, "late": self.late}
            )
        return lines


def planned_vs_actual(
    project: Project, day: date, *, snapshot: Snapshot | None = None
) -> PlannedVsActual:
    snapshot = snapshot or load_snapshot(project)
    scope = planned = planned_done = done = early = on_time = late = 0
    for item in snapshot.items:
        h = snapshot.history[item.pk]
        if h.created > day:
            continue
        scope += 1
        closed = h.closed_at_end_of(day)
        done += closed
        if item.due_date is not None and item.due_date <= day:
            planned += 1
            planned_done += closed
        finished = h.closed_on(day)
        if finished and item.due_date is not None and item.state.group == StateGroup.DONE:
            if finished < item.due_date:
                early += 1
            elif finished == item.due_date:
                on_time += 1
            else:
                late += 1
    return PlannedVsActual(day, scope, planned, planned_done, done, early, on_time, late)


# --- items at risk

PAST_DUE, BLOCKED, DUE_SOON = "past_due", "blocked", "due_soon"
RISK_ORDER = {PAST_DUE: 0, BLOCKED: 1, DUE_SOON: 2}


@dataclass(frozen=True)
class Reason:
    """Why an item is at risk; the text is worded in the language active when it is read."""

    kind: str
    days: int
    blocker: str = ""  # the blocking item's reference

    @property
    def text(self) -> str:
        if self.kind == PAST_DUE:
            return ngettext("%(days)d day past due", "%(days)d days past due", self.days) % {
                "days": self.days
            }
        if self.kind == BLOCKED:
            return ngettext(
                "blocked by %(ref)s, %(days)d day late",
                "blocked by %(ref)s, %(days)d days late",
                self.days,
            ) % {"ref": self.blocker, "days": self.days}
        if self.days == 0:
            return _("due today and not started")
        return ngettext(
            "due in %(days)d day and not started", "due in %(days)d days and not started", self.days
        ) % {"days": self.days}


@dataclass
class AtRisk:
    item: Item
    reasons: list[Reason]

    @property
    def text(self) -> str:
        return _("; ").join(reason.text for reason in self.reasons)


def _blockers(
    items: list[Item], project: Project, viewer: Membership | None
) -> dict[int, list[Item]]:
    # Only blockers the reader may see: any visible project for a viewer, else this one.
    projects = (
        visible_projects(viewer) if viewer is not None else Project.objects.filter(pk=project.pk)
    )
    return blockers_of(items, projects=projects)


def items_at_risk(
    project: Project,
    day: date,
    *,
    snapshot: Snapshot | None = None,
    viewer: Membership | None = None,
    blockers: dict[int, list[Item]] | None = None,
) -> list[AtRisk]:
    """Open items past due, blocked by a late item, or due soon and not started; worst first.

    Blockers from other projects show only when `viewer` may see them (else none do).
    `blockers` read before (risk_blockers, for many projects at once) saves the query."""
    snapshot = snapshot or load_snapshot(project)
    open_items = [i for i in snapshot.items if not _closed(i.state.group)]
    if blockers is None:
        blockers = _blockers(open_items, project, viewer) if open_items else {}
    out = []
    for item in open_items:
        reasons = []
        due = item.due_date
        if due is not None and due < day:
            reasons.append(Reason(PAST_DUE, (day - due).days))
        for blocker in blockers.get(item.pk, []):
            if blocker.due_date is not None and blocker.due_date < day:
                reasons.append(Reason(BLOCKED, (day - blocker.due_date).days, blocker.ref))
        if (
            due is not None
            and 0 <= (due - day).days <= DUE_SOON_DAYS
            and item.state.group in NOT_STARTED
        ):
            reasons.append(Reason(DUE_SOON, (due - day).days))
        if reasons:
            out.append(AtRisk(item, reasons))
    out.sort(
        key=lambda r: (
            min(RISK_ORDER[x.kind] for x in r.reasons),
            r.item.due_date or date.max,
            r.item.number,
        )
    )
    return out


def risk_blockers(snapshots: Iterable[Snapshot], viewer: Membership) -> dict[int, list[Item]]:
    """The blockers items_at_risk reads, for the open items of many projects at once
    (one query; none without open items): from any project `viewer` may see."""
    open_items = [i for snapshot in snapshots for i in snapshot.items if not _closed(i.state.group)]
    if not open_items:
        return {}
    return blockers_of(open_items, projects=visible_projects(viewer))


# --- milestones

HOURS_A_DAY = 8


def days_of_work_left(item: Item) -> int:
    """Whole days an open item still needs: its estimate less its progress at eight hours
    a day; else its planned span (start to due) less its progress; one day at least."""
    left = 1 - (item.progress or 0) / 100
    if item.estimate_hours:
        return max(1, math.ceil(float(item.estimate_hours) * left / HOURS_A_DAY))
    if item.start_date and item.due_date and item.due_date >= item.start_date:
        return max(1, math.ceil(((item.due_date - item.start_date).days + 1) * left))
    return 1


def item_forecasts(
    items: list[Item], blockers: dict[int, list[Item]], day: date
) -> dict[int, date]:
    """The day each open item can be done by: not before its due date, not before today
    plus the work it still needs (an item past due is not done by its due date), and not
    before each of its open blockers can be done (by the same rule, one level deep) plus
    that work."""

    def alone(item: Item) -> date:
        earliest = day + timedelta(days=days_of_work_left(item) - 1)
        return max(earliest, item.due_date) if item.due_date else earliest

    out = {}
    for item in items:
        finish = alone(item)
        for blocker in blockers.get(item.pk, []):
            after = alone(blocker) + timedelta(days=days_of_work_left(item))
            finish = max(finish, after)
        out[item.pk] = finish
    return out


@dataclass
class MilestoneDeviation:
    milestone: Milestone
    status: str
    forecast: date | None
    open_count: int
    done_count: int

    @property
    def planned(self) -> date:
        return self.milestone.date

    @property
    def deviation_days(self) -> int | None:
        """Days the forecast lies after the planned date; negative when ahead."""
        return None if self.forecast is None else (self.forecast - self.milestone.date).days

    @property
    def text(self) -> str:
        days = self.deviation_days
        if days is None:
            return (
                _("No forecast: its open items have no due dates.")
                if self.open_count
                else _("No forecast: it has no items.")
            )
        if days > 0:
            return ngettext("%(days)d day late", "%(days)d days late", days) % {"days": days}
        if self.status == AT_RISK:
            # The forecast allows for what is known; the status also counts what tends to
            # slip (items past due, little done close to the date): say both.
            return _("at risk, though the forecast is on time")
        if days < 0:
            return ngettext("%(days)d day ahead", "%(days)d days ahead", -days) % {"days": -days}
        return _("on schedule")


def milestone_deviation(
    project: Project, day: date, *, snapshot: Snapshot | None = None
) -> list[MilestoneDeviation]:
    """Each milestone of the project, by date: its status, forecast and deviation in days.

    The forecast is when its last open item can be done (item_forecasts: not before its
    due date, nor before today plus the work it still needs, nor before its open blockers
    are done plus that work), or the day its last item closed when all are. With no due
    date among its open items there is no forecast."""
    snapshot = snapshot or load_snapshot(project)
    return milestone_deviations([snapshot], day)[project.pk]


def milestone_deviations(
    snapshots: Iterable[Snapshot], day: date
) -> dict[int, list[MilestoneDeviation]]:
    """milestone_deviation of many projects, by project id: three queries however many
    (the milestones, their items, the blockers of their open items)."""
    by_project = {s.project.pk: s for s in snapshots}
    milestones = list(Milestone.objects.filter(project_id__in=by_project).order_by("date", "id"))
    members: dict[int, list[Item]] = defaultdict(list)
    links = Milestone.items.through.objects.filter(
        milestone__project_id__in=by_project
    ).values_list("milestone_id", "milestone__project_id", "item_id")
    by_id = {pk: s.by_id for pk, s in by_project.items()}
    for milestone_id, project_id, item_id in links:
        # Only the milestone's own project's items count.
        if item_id in by_id[project_id]:
            members[milestone_id].append(by_id[project_id][item_id])
    open_members = {
        i.pk: i for items in members.values() for i in items if not _closed(i.state.group)
    }
    # Blockers within the blocked item's own project (one query).
    found = blockers_of(
        list(open_members.values()), projects=Project.objects.filter(pk__in=by_project)
    )
    blockers = {
        pk: [b for b in found.get(pk, []) if b.project_id == item.project_id]
        for pk, item in open_members.items()
    }
    finishes = item_forecasts(list(open_members.values()), blockers, day)
    out: dict[int, list[MilestoneDeviation]] = {pk: [] for pk in by_project}
    for milestone in milestones:
        snapshot = by_project[milestone.project_id]
        milestone.project = snapshot.project
        items = members.get(milestone.pk, [])
        open_items = [i for i in items if not _closed(i.state.group)]
        forecast: date | None
        if open_items:
            dated = any(i.due_date is not None for i in open_items)
            forecast = max(finishes[i.pk] for i in open_items) if dated else None
        else:
            finished = [snapshot.history[i.pk].closed_on(date.max) for i in items]
            forecast = max((f for f in finished if f), default=None)
        out[milestone.project_id].append(
            MilestoneDeviation(
                milestone,
                # milestone_status(milestone, day) would read the items again, per milestone.
                status_from(milestone.date, [(i.state.group, i.due_date) for i in items], day),
                forecast,
                len(open_items),
                len(items) - len(open_items),
            )
        )
    return out


# --- weekly summary


def parse_week(value: str | None, *, on: date | None = None) -> date:
    """The Monday of an ISO week written 2026-W45; the current week when empty."""
    if not value:
        current = on or today()
        return current - timedelta(days=current.weekday())
    match = WEEK_RE.match(value.strip())
    try:
        if match is None:
            raise ValueError
        return date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        raise Invalid(_("week must be an ISO week like 2026-W45."), field="week") from None


def week_name(monday: date) -> str:
    year, week, _weekday = monday.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class Slip:
    """An item that slipped in the week: due and still open, or its due date moved later."""

    item: Item
    days_late: int = 0
    moved_from: date | None = None
    moved_to: date | None = None

    @property
    def text(self) -> str:
        parts = []
        if self.days_late:
            parts.append(
                ngettext("%(days)d day past due", "%(days)d days past due", self.days_late)
                % {"days": self.days_late}
            )
        if self.moved_from and self.moved_to:
            days = (self.moved_to - self.moved_from).days
            parts.append(
                ngettext(
                    "due date moved from %(old)s to %(new)s (%(days)d day later)",
                    "due date moved from %(old)s to %(new)s (%(days)d days later)",
                    days,
                )
                % {"old": _day(self.moved_from), "new": _day(self.moved_to), "days": days}
            )
        return _("; ").join(parts)


@dataclass(frozen=True)
class Done:
    item: Item
    on: date

    @property
    def text(self) -> str:
        if self.item.state.group == StateGroup.CANCELLED:
            return _("cancelled %(day)s") % {"day": _day(self.on)}
        return _("done %(day)s") % {"day": _day(self.on)}


@dataclass
class WeeklySummary:
    """What got done in a week, what slipped and what is at risk, with its words."""

    project: Project
    start: date  # Monday
    as_of: date  # the week's Sunday, or today while the week runs
    progress: PlannedVsActual
    done: list[Done] = field(default_factory=list)
    slipped: list[Slip] = field(default_factory=list)
    at_risk: list[AtRisk] = field(default_factory=list)

    @property
    def end(self) -> date:
        return self.start + timedelta(days=6)

    @property
    def week(self) -> str:
        return week_name(self.start)

    @property
    def title(self) -> str:
        return _("%(project)s: weekly progress %(week)s (%(start)s – %(end)s)") % {
            "project": f"{self.project.key} {self.project.name}",
            "week": self.week,
            "start": _day(self.start),
            "end": _day(self.end),
        }

    def sections(self) -> list[tuple[str, list[tuple[Item, str]]]]:
        return [
            (
                _("Done this week (%(count)d)") % {"count": len(self.done)},
                [(d.item, d.text) for d in self.done],
            ),
            (
                _("Slipped (%(count)d)") % {"count": len(self.slipped)},
                [(s.item, s.text) for s in self.slipped],
            ),
            (
                _("At risk (%(count)d)") % {"count": len(self.at_risk)},
                [(r.item, r.text) for r in self.at_risk],
            ),
        ]

    def render(self, *, markdown: bool) -> str:
        """The summary as Markdown (links to the items) or plain text, in the active
        language. In Markdown what people typed (titles, names) is escaped: an item's
        title cannot put a link or an image into the email sent to the whole project."""
        plain = escape_markdown if markdown else (lambda text: " ".join(text.splitlines()))
        out = [f"## {plain(self.title)}" if markdown else self.title, ""]
        out += self.progress.lines
        for heading, rows in self.sections():
            out += ["", f"### {heading}" if markdown else heading]
            if not rows:
                out.append(_("- nothing"))
            for item, why in rows:
                ref = f"[{item.ref}]({item_url(item)})" if markdown else item.ref
                title = plain(item.title)
                out.append(f"- {ref} {title} — {plain(why)}" if why else f"- {ref} {title}")
        return "\n".join(out) + "\n"

    @property
    def markdown(self) -> str:
        return self.render(markdown=True)

    @property
    def text(self) -> str:
        return self.render(markdown=False)


def _moved_due_dates(project: Project, start: date, end: date) -> dict[int, tuple[date, date]]:
    """Items whose due date changed during start..end: (first old, last new) date."""
    tz = timezone.get_current_timezone()
    rows = (
        Activity.objects.filter(
            project=project,
            item__isnull=False,
            verb="updated",
            field="due_date",
            created_at__gte=datetime.combine(start, time.min, tzinfo=tz),
            created_at__lt=datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
        )
        .order_by("created_at", "id")
        .values_list("item_id", "old_value", "new_value")
    )
    moves: dict[int, list[str]] = {}
    for item_id, old, new in rows:
        if item_id in moves:
            moves[item_id][1] = new
        else:
            moves[item_id] = [old, new]
    out = {}
    for item_id, (old, new) in moves.items():
        try:
            before, after = date.fromisoformat(old), date.fromisoformat(new)
        except ValueError:
            continue  # set for the first time, or cleared: not a move
        if after > before:
            out[item_id] = (before, after)
    return out


def weekly_summary(
    project: Project,
    week: date,
    *,
    on: date | None = None,
    snapshot: Snapshot | None = None,
    viewer: Membership | None = None,
) -> WeeklySummary:
    """The week starting on Monday `week`, as of its Sunday (or of today while it runs)."""
    current = on or today()
    start = week - timedelta(days=week.weekday())
    end = start + timedelta(days=6)
    as_of = min(end, current)
    snapshot = snapshot or load_snapshot(project)
    summary = WeeklySummary(
        project, start, as_of, planned_vs_actual(project, as_of, snapshot=snapshot)
    )
    if start > current:
        return summary
    # Lateness is counted on the day after the week, or today while the week runs.
    reference = current if current <= end else end + timedelta(days=1)
    before = start - timedelta(days=1)
    moved = _moved_due_dates(project, start, as_of)
    for item in snapshot.items:
        h = snapshot.history[item.pk]
        if h.created > as_of:
            continue
        finished = h.closed_on(as_of)
        if finished is not None and not h.closed_at_end_of(before):
            summary.done.append(Done(item, finished))
        due = item.due_date
        late = (reference - due).days if finished is None and due and due < reference else 0
        move = moved.get(item.pk)
        if late or move:
            summary.slipped.append(Slip(item, late, *(move or (None, None))))
    summary.done.sort(key=lambda d: (d.on, d.item.number))
    summary.slipped.sort(key=lambda s: (-s.days_late, s.item.number))
    summary.at_risk = items_at_risk(project, reference, snapshot=snapshot, viewer=viewer)
    return summary


def summary_recipients(project: Project) -> QuerySet[User]:
    """Who gets the weekly summary: the project's members (its member list, not everyone
    who may see the project) still in the workspace, with an address; by name."""
    return assignable_users(project).filter(project_memberships__project=project).exclude(email="")


def recent_sends(project: Project, week: date, *, limit: int = 5) -> list[SummarySend]:
    """The last times the week's summary was sent, with who sent it."""
    return list(
        SummarySend.objects.filter(project=project, week=week).select_related("sent_by")[:limit]
    )
