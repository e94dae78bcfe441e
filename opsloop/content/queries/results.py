"""Pieces' results: the latest snapshot of each, clicks counted from events by the
utm_content of its link, rankings by channel, format, topic and author, and the
best-time-to-post heatmap (docs/content.md#results).

A snapshot holds the totals a platform showed on a day, so a piece's result is its
latest snapshot, never a sum of them. Rankings add up those latest results over the
pieces published in the period; the engagement rate of a group is
(likes + comments + shares + collects) / views over the pieces that have views, a rate
of the group's totals rather than an average of rates, so a piece seen by ten people
does not weigh as much as one seen by a hundred thousand."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from opsloop.channels.queries import CLICK_EVENT
from opsloop.content.models import ContentFormat, ContentPiece, ContentResult, ContentStatus
from opsloop.content.queries.access import (
    day_bounds,
    local,
    local_today,
    parse_day,
    summary_parts,
    visible_pieces,
)
from opsloop.core.errors import Invalid, NotFound, OpsloopError
from opsloop.core.models import Membership, Role
from opsloop.insights.queries import run_insight
from opsloop.insights.query import parse_query

logger = logging.getLogger(__name__)

# The event a link's redirect (/l/<code>) records for a click (opsloop.channels).
LINK_CLICK_EVENT = CLICK_EVENT
# A trends breakdown keeps at most 50 values; more links are asked in several queries.
VALUES_PER_QUERY = 50
RANK_BY = ("channel", "format", "topic", "author")
HEAT_METRICS = ("views", "engagement")
DEFAULT_DAYS = 90
TABLE_LIMIT = 200
PUBLISHED = (ContentStatus.PUBLISHED, ContentStatus.ARCHIVED)


def list_results(piece: ContentPiece) -> list[ContentResult]:
    return list(ContentResult.objects.filter(piece=piece).order_by("day"))


def get_result(piece: ContentPiece, result_id: int) -> ContentResult:
    result = ContentResult.objects.filter(piece=piece, pk=result_id).first()
    if result is None:
        raise NotFound(_("Result not found."))
    return result


def access_result(membership: Membership, result_id: int) -> ContentResult:
    """A result of a piece the member sees."""
    result = (
        ContentResult.objects.filter(piece__in=visible_pieces(membership), pk=result_id)
        .select_related("piece__workspace")
        .first()
    )
    if result is None:
        raise NotFound(_("Result not found."))
    return result


def latest_results(pieces: QuerySet[ContentPiece] | Iterable[int]) -> dict[int, ContentResult]:
    """Each piece's latest snapshot, in one query."""
    latest_day = (
        ContentResult.objects.filter(piece_id=OuterRef("piece_id"))
        .order_by("-day")
        .values("day")[:1]
    )
    rows = ContentResult.objects.filter(piece_id__in=pieces, day=Subquery(latest_day))
    return {r.piece_id: r for r in rows}


def event_clicks(membership: Membership, pieces: list[ContentPiece]) -> dict[int, int]:
    """Piece id -> the click events carrying its link's utm_content, counted in the event
    store since the link was made (at most three years back). Only for members and above
    (guests do not see events), only for pieces whose link has a utm_content."""
    if not membership.at_least(Role.MEMBER):
        return {}
    by_value: dict[str, list[ContentPiece]] = {}
    for piece in pieces:
        if piece.link_id is not None and piece.link is not None and piece.link.utm_content:
            by_value.setdefault(piece.link.utm_content, []).append(piece)
    if not by_value:
        return {}
    workspace = membership.workspace
    today = local_today(workspace)
    oldest = min(local(workspace, p.link.created_at).date() for ps in by_value.values() for p in ps)  # type: ignore[union-attr]
    first = max(oldest, today - dt.timedelta(days=3 * 365))
    counts: dict[str, int] = {}
    values = sorted(by_value)
    for start in range(0, len(values), VALUES_PER_QUERY):
        chunk = values[start : start + VALUES_PER_QUERY]
        query = parse_query(
            {
                "kind": "trends",
                "series": [{"event": LINK_CLICK_EVENT, "math": "total"}],
                "interval": "month",
                "date_range": {
                    "preset": "custom",
                    "date_from": first.isoformat(),
                    "date_to": today.isoformat(),
                },
                "filters": [{"key": "utm_content", "op": "in", "value": chunk}],
                "breakdown": {"key": "utm_content", "limit": VALUES_PER_QUERY},
            }
        )
        try:
            result = run_insight(workspace=workspace, query=query, today=today)
        except OpsloopError:
            logger.warning("clicks of content links could not be counted", exc_info=True)
            return {}
        for line in result.get("series", []):
            value = line.get("breakdown")
            if value in by_value:
                counts[value] = int(line.get("total") or 0)
    return {p.pk: counts.get(value, 0) for value, ps in by_value.items() for p in ps}


@dataclass(frozen=True)
class Metrics:
    """A piece's latest result, with its clicks counted from events when they are."""

    result: ContentResult | None
    event_clicks: int | None = None

    def _get(self, name: str) -> int | None:
        return getattr(self.result, name) if self.result is not None else None

    @property
    def views(self) -> int | None:
        return self._get("views")

    @property
    def clicks(self) -> int | None:
        return self.event_clicks if self.event_clicks is not None else self._get("clicks")

    @property
    def engagement(self) -> int | None:
        parts = [self._get(n) for n in ("likes", "comments", "shares", "collects")]
        if all(p is None for p in parts):
            return None
        return sum(p or 0 for p in parts)

    @property
    def engagement_rate(self) -> float | None:
        views, engaged = self.views, self.engagement
        if not views or engaged is None:
            return None
        return engaged / views

    @property
    def engagement_percent(self) -> float | None:
        rate = self.engagement_rate
        return None if rate is None else rate * 100


def metrics_of(membership: Membership, pieces: list[ContentPiece]) -> dict[int, Metrics]:
    latest = latest_results([p.pk for p in pieces])
    clicks = event_clicks(membership, pieces)
    return {p.pk: Metrics(latest.get(p.pk), clicks.get(p.pk)) for p in pieces}


# --- the period and the published pieces in it


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date
    project: str = ""


def parse_period(membership: Membership, params) -> Period:
    today = local_today(membership.workspace)
    last = parse_day(params.get("to"), "to") or today
    first = parse_day(params.get("from"), "from") or last - dt.timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise Invalid(_("from is after to."), field="from")
    if (last - first).days > 3 * 366:
        raise Invalid(_("A period of at most three years."), field="from")
    return Period(first, last, (params.get("project") or "").strip().upper()[:10])


def published_pieces(membership: Membership, period: Period) -> list[ContentPiece]:
    """Visible pieces that went out in the period, with what rankings show of them."""
    low, high = day_bounds(membership.workspace, period.first, period.last)
    pieces = visible_pieces(membership).filter(
        status__in=PUBLISHED, published_at__gte=low, published_at__lt=high
    )
    if period.project:
        pieces = pieces.filter(project__key=period.project)
    return list(summary_parts(pieces).select_related("link").order_by("published_at", "pk"))


@dataclass(frozen=True)
class ResultRow:
    piece: ContentPiece
    metrics: Metrics


def results_table(membership: Membership, period: Period) -> list[ResultRow]:
    """Each piece published in the period with its latest result, the most viewed first
    (at most TABLE_LIMIT)."""
    pieces = published_pieces(membership, period)
    metrics = metrics_of(membership, pieces)
    rows = [ResultRow(p, metrics[p.pk]) for p in pieces]
    rows.sort(key=lambda r: (-(r.metrics.views or 0), r.piece.published_at, r.piece.pk))
    return rows[:TABLE_LIMIT]


# --- rankings


@dataclass
class RankingRow:
    key: str
    label: str
    pieces: int = 0
    views: int = 0
    likes: int = 0
    comments: int = 0
    shares: int = 0
    collects: int = 0
    followers_gained: int = 0
    clicks: int = 0
    # Views and engagement of the pieces that have views: the rate's two sides.
    rated_views: int = 0
    rated_engagement: int = 0

    @property
    def engagement_rate(self) -> float | None:
        return self.rated_engagement / self.rated_views if self.rated_views else None

    @property
    def engagement_percent(self) -> float | None:
        rate = self.engagement_rate
        return None if rate is None else rate * 100

    def add(self, metrics: Metrics) -> None:
        self.pieces += 1
        result = metrics.result
        if result is not None:
            self.views += result.views or 0
            self.likes += result.likes or 0
            self.comments += result.comments or 0
            self.shares += result.shares or 0
            self.collects += result.collects or 0
            self.followers_gained += result.followers_gained or 0
        self.clicks += metrics.clicks or 0
        if metrics.views and metrics.engagement is not None:
            self.rated_views += metrics.views
            self.rated_engagement += metrics.engagement


@dataclass(frozen=True)
class Rankings:
    period: Period
    by: str
    rows: list[RankingRow]


def _keys(piece: ContentPiece, by: str) -> list[tuple[str, str]]:
    if by == "channel":
        return [(str(piece.channel_id), piece.channel.name)]
    if by == "format":
        return [(piece.format, str(ContentFormat(piece.format).label))]
    if by == "topic":
        return [(t, t) for t in dict.fromkeys(piece.tags or [])] or [("", _("No topic"))]
    if piece.owner is None:
        return [("", _("No owner"))]
    return [(str(piece.owner_id), piece.owner.label)]


def rank(pieces: list[ContentPiece], metrics: dict[int, Metrics], by: str) -> list[RankingRow]:
    """Groups by `by`, the most viewed first. A piece with several topics counts in each."""
    if by not in RANK_BY:
        raise Invalid(_("Rank by one of: %(names)s.") % {"names": ", ".join(RANK_BY)}, field="by")
    rows: dict[str, RankingRow] = {}
    for piece in pieces:
        for key, label in _keys(piece, by):
            rows.setdefault(key, RankingRow(key, label)).add(metrics[piece.pk])
    return sorted(rows.values(), key=lambda r: (-r.views, -r.pieces, r.label))


def rankings(membership: Membership, period: Period, by: str) -> Rankings:
    pieces = published_pieces(membership, period)
    return Rankings(period, by, rank(pieces, metrics_of(membership, pieces), by))


def all_rankings(membership: Membership, period: Period) -> dict[str, list[RankingRow]]:
    """Every ranking of the period from one read of its pieces and results."""
    pieces = published_pieces(membership, period)
    metrics = metrics_of(membership, pieces)
    return {by: rank(pieces, metrics, by) for by in RANK_BY}


# --- the best time to post


@dataclass
class HeatCell:
    weekday: int  # 0 Monday
    hour: int
    values: list[float] = field(default_factory=list)

    @property
    def pieces(self) -> int:
        return len(self.values)

    @property
    def value(self) -> float | None:
        return sum(self.values) / len(self.values) if self.values else None


@dataclass(frozen=True)
class Heatmap:
    period: Period
    metric: str
    cells: dict[tuple[int, int], HeatCell]

    @property
    def best(self) -> HeatCell | None:
        filled = [c for c in self.cells.values() if c.value is not None]
        return max(filled, key=lambda c: (c.value, c.pieces, -c.weekday, -c.hour), default=None)

    @property
    def top(self) -> float:
        return max((c.value or 0 for c in self.cells.values()), default=0)

    def grid(self) -> list[tuple[int, list[tuple[int, HeatCell | None, float]]]]:
        """Rows Monday to Sunday of (hour, cell, share of the top value 0-1)."""
        top = self.top
        return [
            (
                weekday,
                [
                    (
                        hour,
                        (cell := self.cells.get((weekday, hour))),
                        round((cell.value or 0) / top, 3) if cell and top else 0,
                    )
                    for hour in range(24)
                ],
            )
            for weekday in range(7)
        ]


def heat(
    workspace, pieces: list[ContentPiece], metrics: dict[int, Metrics], metric: str
) -> dict[tuple[int, int], HeatCell]:
    """Per weekday and hour of going out (local), the average of `metric` over the
    pieces that have it: views, or the engagement rate of pieces with views."""
    if metric not in HEAT_METRICS:
        raise Invalid(_("metric is views or engagement."), field="metric")
    cells: dict[tuple[int, int], HeatCell] = {}
    for piece in pieces:
        m = metrics[piece.pk]
        value = m.views if metric == "views" else m.engagement_rate
        if value is None or piece.published_at is None:
            continue
        moment = local(workspace, piece.published_at)
        key = (moment.weekday(), moment.hour)
        cells.setdefault(key, HeatCell(*key)).values.append(float(value))
    return cells


def heatmap(membership: Membership, period: Period, metric: str = "views") -> Heatmap:
    pieces = published_pieces(membership, period)
    metrics = metrics_of(membership, pieces)
    return Heatmap(period, metric, heat(membership.workspace, pieces, metrics, metric))
