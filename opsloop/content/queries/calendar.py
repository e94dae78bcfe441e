"""The content calendar: pieces by day in lanes of channels or accounts, each account's
cadence met or missed per week, its gaps, and clashes (docs/content.md#calendar).

A piece sits on the day it went out, or, not out yet, on the day it is planned for
(the workspace's time zone). Archived pieces that never went out are left out of
everything here.

- Cadence: an account's target of n pieces a week (of one format, or of any) against the
  pieces on the account that week, Monday to Sunday. A week that is over is met when n
  went out; the current week and later ones are met when those out and those still
  planned make n.
- Gaps: on an account with a cadence, a run of at least ⌈7 ÷ n⌉ days in a row with
  nothing on it (3 a week: three empty days; once a week: seven). Every day of such a
  run is a gap. The week before and after the shown period count, so a run crossing its
  edge is seen.
- Clashes: pieces on one account less than an hour apart clash ("hour": the second
  buries the first in the followers' feeds); two or more on one account on the same day
  otherwise clash less ("day": a 公众号 may send once a day).

Cadence and clashes count every piece the reader sees, whatever the calendar's filters;
guests, who see only the projects shared with them, get neither cadence nor gaps."""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import math
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from opsloop.channels.models import Account, Channel
from opsloop.content.models import CadenceTarget, ContentPiece, ContentStatus
from opsloop.content.queries.access import (
    STATUS_COLORS,
    PieceFilters,
    day_bounds,
    filter_pieces,
    local,
    local_today,
    visible_pieces,
)
from opsloop.core.errors import Invalid
from opsloop.core.models import Membership, Role, Workspace

MODES = ("month", "week")
GROUPS = ("channel", "account")
HOUR = dt.timedelta(hours=1)
# Days before and after the shown period read for gaps and clashes at its edges.
MARGIN = 7
UNSCHEDULED_LIMIT = 50
CELL_LIMIT = 50


def _not_dropped() -> Q:
    """Everything but the archived pieces that never went out."""
    return ~Q(status=ContentStatus.ARCHIVED, published_at__isnull=True)


def _in_window(low: dt.datetime, high: dt.datetime) -> Q:
    return Q(published_at__gte=low, published_at__lt=high) | Q(
        published_at__isnull=True, planned_at__gte=low, planned_at__lt=high
    )


def period_of(mode: str, anchor: dt.date) -> tuple[dt.date, dt.date]:
    """Whole weeks, Monday to Sunday: the anchor's week, or the weeks of its month."""
    if mode == "week":
        start = anchor - dt.timedelta(days=anchor.weekday())
        return start, start + dt.timedelta(days=6)
    first = anchor.replace(day=1)
    last = anchor.replace(day=_calendar.monthrange(anchor.year, anchor.month)[1])
    return first - dt.timedelta(days=first.weekday()), last + dt.timedelta(days=6 - last.weekday())


def step(mode: str, anchor: dt.date, forward: bool) -> dt.date:
    """The anchor of the next (or previous) week or month."""
    if mode == "week":
        return anchor + dt.timedelta(days=7 if forward else -7)
    month = anchor.month + (1 if forward else -1)
    year = anchor.year + (month - 1) // 12
    return dt.date(year, (month - 1) % 12 + 1, 1)


# --- what the lanes show


@dataclass
class Placed:
    """A piece on the calendar."""

    piece: ContentPiece
    day: dt.date
    time: str
    clash: str = ""

    @property
    def color(self) -> str:
        return STATUS_COLORS[ContentStatus(self.piece.status)]

    @property
    def published(self) -> bool:
        return self.piece.published_at is not None


@dataclass
class Cell:
    day: dt.date
    pieces: list[Placed] = field(default_factory=list)
    gap: bool = False
    more: int = 0  # pieces past CELL_LIMIT


@dataclass(frozen=True)
class CadenceWeek:
    target: CadenceTarget
    planned: int
    published: int
    past: bool

    @property
    def met(self) -> bool:
        done = self.published if self.past else self.published + self.planned
        return done >= self.target.per_week

    @property
    def account(self) -> Account:
        return self.target.account


@dataclass
class LaneWeek:
    key: str
    label: str
    color: str
    cells: list[Cell]
    cadence: list[CadenceWeek]


@dataclass
class Week:
    start: dt.date
    days: list[dt.date]
    lanes: list[LaneWeek]


@dataclass(frozen=True)
class Clash:
    kind: str  # "hour" or "day"
    account_id: int
    day: dt.date
    piece_ids: tuple[int, ...]


@dataclass
class Calendar:
    mode: str
    group: str
    anchor: dt.date
    first_day: dt.date
    last_day: dt.date
    today: dt.date
    weeks: list[Week]
    clashes: list[Clash]
    unscheduled: list[ContentPiece]
    unscheduled_total: int
    shows_cadence: bool
    titles: dict[int, str] = field(default_factory=dict)  # of the pieces that clash

    def clash_pieces(self) -> list[tuple[Clash, list[tuple[int, str]]]]:
        """Each clash with the ids and titles of its pieces, for the page."""
        return [(c, [(pk, self.titles.get(pk, "")) for pk in c.piece_ids]) for c in self.clashes]

    @property
    def previous(self) -> dt.date:
        return step(self.mode, self.anchor, False)

    @property
    def following(self) -> dt.date:
        return step(self.mode, self.anchor, True)


# --- reading the calendar


@dataclass(frozen=True)
class _Row:
    """What cadence, gaps and clashes need of a piece."""

    pk: int
    title: str
    account_id: int | None
    format: str
    moment: dt.datetime
    day: dt.date
    published: bool


def _rows(membership: Membership, low: dt.datetime, high: dt.datetime) -> list[_Row]:
    workspace = membership.workspace
    rows = []
    values = (
        visible_pieces(membership)
        .filter(_in_window(low, high))
        .filter(_not_dropped())
        .values_list("pk", "title", "account_id", "format", "planned_at", "published_at")
    )
    for pk, title, account_id, fmt, planned_at, published_at in values:
        moment = published_at or planned_at
        if moment is None:  # the window's filter leaves none out; a type's comfort
            continue
        rows.append(
            _Row(
                pk,
                title,
                account_id,
                fmt,
                moment,
                local(workspace, moment).date(),
                bool(published_at),
            )  # fmt: skip
        )
    return rows


def find_clashes(rows: list[_Row]) -> tuple[list[Clash], dict[int, str]]:
    """Clashes among the rows (the module docstring says what they are), and each
    clashing piece's worst kind."""
    clashes: list[Clash] = []
    kinds: dict[int, str] = {}
    by_account: dict[int, list[_Row]] = {}
    for row in rows:
        if row.account_id is not None:
            by_account.setdefault(row.account_id, []).append(row)
    for account_id, mine in sorted(by_account.items()):
        mine.sort(key=lambda r: (r.moment, r.pk))
        cluster: list[_Row] = []
        ended: list[_Row | None] = [*mine, None]
        for next_row in ended:
            if next_row is not None and cluster and next_row.moment - cluster[-1].moment < HOUR:
                cluster.append(next_row)
                continue
            if len(cluster) > 1:
                ids = tuple(r.pk for r in cluster)
                clashes.append(Clash("hour", account_id, cluster[0].day, ids))
                kinds.update(dict.fromkeys(ids, "hour"))
            cluster = [next_row] if next_row is not None else []
        by_day: dict[dt.date, list[_Row]] = {}
        for row in mine:
            by_day.setdefault(row.day, []).append(row)
        for day, same in sorted(by_day.items()):
            ids = tuple(r.pk for r in same)
            if len(ids) > 1 and not all(kinds.get(pk) == "hour" for pk in ids):
                clashes.append(Clash("day", account_id, day, ids))
                for pk in ids:
                    kinds.setdefault(pk, "day")
    return clashes, kinds


def gap_days(
    days_with_pieces: set[dt.date], first: dt.date, last: dt.date, per_week: int
) -> set[dt.date]:
    """Days from first to last in runs of at least ⌈7 ÷ per_week⌉ empty days."""
    threshold = math.ceil(7 / per_week)
    gaps: set[dt.date] = set()
    run: list[dt.date] = []
    day = first
    while day <= last + dt.timedelta(days=1):
        if day <= last and day not in days_with_pieces:
            run.append(day)
        else:
            if len(run) >= threshold:
                gaps.update(run)
            run = []
        day += dt.timedelta(days=1)
    return gaps


def _cadence_week(
    target: CadenceTarget, rows: list[_Row], start: dt.date, today: dt.date
) -> CadenceWeek:
    end = start + dt.timedelta(days=6)
    mine = [
        r
        for r in rows
        if r.account_id == target.account_id
        and start <= r.day <= end
        and (not target.format or r.format == target.format)
    ]
    published = sum(1 for r in mine if r.published)
    return CadenceWeek(target, len(mine) - published, published, end < today)


def _lanes(
    membership: Membership, group: str, shown: list[ContentPiece]
) -> list[tuple[str, str, str, int | None]]:
    """(key, label, colour, channel id) of each lane, in order. By channel: for members
    the channels with pieces in the period or with the team's accounts (every active
    channel while there are neither, so a new team has somewhere to start), for guests
    those with their pieces. By account: every own active account for members, those
    with pieces for guests; pieces without an account get a lane of their own."""
    workspace = membership.workspace
    everyone = membership.at_least(Role.MEMBER)
    lanes: list[tuple[str, str, str, int | None]] = []
    if group == "channel":
        used = {p.channel_id for p in shown} | {c.pk for p in shown for c in p.also_on.all()}
        channels = Channel.objects.filter(workspace=workspace)
        if everyone:
            active = channels.filter(archived=False)
            worked = active.filter(
                Q(pk__in=used) | Q(accounts__external=False, accounts__archived=False)
            )
            channels = (
                channels.filter(pk__in=used) | worked if used or worked.exists() else active
            ).distinct()
        else:
            channels = channels.filter(pk__in=used)
        for c in channels.order_by("position", "pk"):
            lanes.append((f"c{c.pk}", c.name, c.color, c.pk))
        return lanes
    used = {p.account_id for p in shown if p.account_id}
    accounts = Account.objects.filter(workspace=workspace).select_related("channel")
    accounts = (
        accounts.filter(Q(archived=False, external=False) | Q(pk__in=used))
        if everyone
        else accounts.filter(pk__in=used)
    )
    for a in accounts.order_by("channel__position", "channel_id", "name", "pk"):
        lanes.append((f"a{a.pk}", f"{a.channel.name} · {a.name}", a.channel.color, a.pk))
    if any(p.account_id is None for p in shown):
        lanes.append(("none", _("No account"), "#9ca3af", None))
    return lanes


def _lane_keys(piece: ContentPiece, group: str) -> list[str]:
    if group == "channel":
        return [f"c{piece.channel_id}", *(f"c{c.pk}" for c in piece.also_on.all())]
    return [f"a{piece.account_id}" if piece.account_id else "none"]


def content_calendar(
    membership: Membership,
    *,
    mode: str = "month",
    anchor: dt.date | None = None,
    group: str = "channel",
    filters: PieceFilters | None = None,
) -> Calendar:
    if mode not in MODES:
        raise Invalid(_("mode is month or week."), field="mode")
    if group not in GROUPS:
        raise Invalid(_("group is channel or account."), field="group")
    workspace: Workspace = membership.workspace
    today = local_today(workspace)
    anchor = anchor or today
    first, last = period_of(mode, anchor)
    filters = filters or PieceFilters()
    low, high = day_bounds(workspace, first, last)
    # The period is the calendar's own, whatever the filters say.
    filters = PieceFilters(
        project=filters.project, status=filters.status, owner_id=filters.owner_id,
        channel_id=filters.channel_id, account_id=filters.account_id,
    )  # fmt: skip
    shown_q = filter_pieces(membership, filters).filter(_in_window(low, high))
    if filters.status != ContentStatus.ARCHIVED:
        shown_q = shown_q.filter(_not_dropped())
    shown = list(
        shown_q.select_related("workspace", "project", "channel", "account", "owner")
        .prefetch_related("also_on")
        .order_by("published_at", "planned_at", "pk")
    )
    shown.sort(key=lambda p: (p.published_at or p.planned_at, p.pk))
    wide_low, wide_high = day_bounds(
        workspace, first - dt.timedelta(days=MARGIN), last + dt.timedelta(days=MARGIN)
    )
    rows = _rows(membership, wide_low, wide_high)
    clashes, kinds = find_clashes(rows)
    clashes = [c for c in clashes if first <= c.day <= last]
    shows_cadence = membership.at_least(Role.MEMBER)
    targets = (
        list(
            CadenceTarget.objects.filter(account__workspace=workspace)
            .select_related("account__channel")
            .order_by("account__name", "format", "pk")
        )
        if shows_cadence
        else []
    )
    # Gaps per account: of its target for any format, else of its targets together.
    per_account: dict[int, int] = {}
    for t in targets:
        if t.format:
            per_account[t.account_id] = per_account.get(t.account_id, 0) + t.per_week
    per_account.update({t.account_id: t.per_week for t in targets if not t.format})
    gaps: dict[int, set[dt.date]] = {}
    for account_id, per_week in per_account.items():
        used_days = {r.day for r in rows if r.account_id == account_id}
        gaps[account_id] = gap_days(
            used_days, first - dt.timedelta(days=MARGIN), last + dt.timedelta(days=MARGIN), per_week
        )
    placed: dict[str, dict[dt.date, list[Placed]]] = {}
    for piece in shown:
        moment = local(workspace, piece.published_at or piece.planned_at)  # type: ignore[arg-type]
        spot = Placed(piece, moment.date(), moment.strftime("%H:%M"), kinds.get(piece.pk, ""))
        for key in _lane_keys(piece, group):
            placed.setdefault(key, {}).setdefault(spot.day, []).append(spot)
    lanes = _lanes(membership, group, shown)
    weeks = []
    start = first
    while start <= last:
        days = [start + dt.timedelta(days=i) for i in range(7)]
        lane_weeks = []
        for key, label, color, ref in lanes:
            if group == "channel":
                mine = [t for t in targets if t.account.channel_id == ref]
                gap_sets = [gaps[t.account_id] for t in mine if t.account_id in gaps]
            else:
                mine = [t for t in targets if t.account_id == ref]
                gap_sets = [gaps[ref]] if ref in gaps else []
            cells = []
            for day in days:
                on_day = placed.get(key, {}).get(day, [])
                cells.append(
                    Cell(
                        day,
                        on_day[:CELL_LIMIT],
                        gap=any(day in g for g in gap_sets),
                        more=max(0, len(on_day) - CELL_LIMIT),
                    )
                )
            cadence = [_cadence_week(t, rows, start, today) for t in mine]
            lane_weeks.append(LaneWeek(key, label, color, cells, cadence))
        weeks.append(Week(start, days, lane_weeks))
        start += dt.timedelta(days=7)
    unscheduled_q = filter_pieces(membership, filters).filter(
        planned_at__isnull=True, published_at__isnull=True
    ).exclude(status=ContentStatus.ARCHIVED)  # fmt: skip
    unscheduled = list(
        unscheduled_q.select_related(
            "workspace", "project", "channel", "account", "owner"
        ).order_by("-updated_at", "-pk")[:UNSCHEDULED_LIMIT]
    )
    total = len(unscheduled)
    if total == UNSCHEDULED_LIMIT:
        total = unscheduled_q.count()
    return Calendar(
        mode=mode,
        group=group,
        anchor=anchor,
        first_day=first,
        last_day=last,
        today=today,
        weeks=weeks,
        clashes=clashes,
        unscheduled=unscheduled,
        unscheduled_total=total,
        shows_cadence=shows_cadence,
        titles={r.pk: r.title for r in rows if any(r.pk in c.piece_ids for c in clashes)},
    )
