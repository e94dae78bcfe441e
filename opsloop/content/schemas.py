"""Input and output shapes of content pieces, their review, results and cadence targets,
shared by pages and the API."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field, StringConstraints

from opsloop.core.inputs import STRICT, Date, DateTime, Int
from opsloop.core.schemas import SINGLE_LINE, Out, UserOut

Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), SINGLE_LINE
]
Body = Annotated[str, StringConstraints(max_length=100_000)]
Note = Annotated[str, StringConstraints(max_length=5_000)]
ProjectKey = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10), SINGLE_LINE]
ItemRef = Annotated[str, StringConstraints(strip_whitespace=True, max_length=24), SINGLE_LINE]
Tag = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30), SINGLE_LINE
]
Url = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000), SINGLE_LINE]
Utm = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100), SINGLE_LINE]
Ids = Annotated[list[Int], Field(max_length=50)]
Tags = Annotated[list[Tag], Field(max_length=10)]
Count = Annotated[int, Field(ge=0, le=10**15), STRICT]
Signed = Annotated[int, Field(ge=-(10**15), le=10**15), STRICT]
Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2), STRICT]
PerWeek = Annotated[int, Field(ge=1, le=100), STRICT]
FormatName = Literal["article", "short_video", "live", "poster", "long_form", "push"]
StatusName = Literal[
    "idea", "writing", "in_review", "approved", "scheduled", "published", "archived"
]


class PieceIn(Schema):
    title: Title
    project_key: ProjectKey | None = Field(
        None, description="The project the piece belongs to; none for the workspace."
    )
    channel_id: Int | None = Field(
        None, description="Where it goes out; may be left out when account_id is given."
    )
    account_id: Int | None = Field(None, description="The team's account on that channel.")
    also_on_ids: Ids = Field([], description="Other channels the same piece goes out on.")
    format: FormatName = "article"
    owner_id: Int | None = Field(None, description="Who makes it; default the caller.")
    reviewer_ids: Ids = Field([], description="Who approves it.")
    tags: Tags = Field([], description="Topics.")
    planned_at: DateTime | None = Field(
        None, description="Planned publish time; without a zone, the workspace's."
    )
    body: Body = Field("", description="Markdown.")
    link_id: Int | None = Field(None, description="Its tracked UTM link (a channels link).")
    item_ref: ItemRef | None = Field(None, description="The work item that carries it (D11-4).")


class PiecePatch(Schema):
    title: Title | None = None
    project_key: ProjectKey | None = Field(None, description='"" moves it to the workspace.')
    channel_id: Int | None = None
    account_id: Int | None = Field(None, description="null takes the account off.")
    also_on_ids: Ids | None = Field(None, description="The whole new list.")
    format: FormatName | None = None
    owner_id: Int | None = None
    reviewer_ids: Ids | None = Field(None, description="The whole new list.")
    tags: Tags | None = None
    planned_at: DateTime | None = Field(None, description="null takes the time off.")
    body: Body | None = None
    published_url: Url | None = None
    link_id: Int | None = Field(None, description="null takes the link off.")
    item_ref: ItemRef | None = Field(None, description='"" or null takes the item off.')


class PieceStatusIn(Schema):
    status: Literal["idea", "writing", "in_review", "scheduled", "published", "archived"] = Field(
        description="The next status (docs/content.md#statuses). approved comes only from a "
        "reviewer's approval (POST .../review)."
    )
    published_at: DateTime | None = Field(
        None, description="With published: when it went out; default now."
    )
    published_url: Url | None = Field(None, description="With published: its public link.")


class PieceReviewIn(Schema):
    decision: Literal["approve", "changes"] = Field(
        description="approve moves the piece to approved; changes sends it back to writing."
    )
    note: Note = Field("", description="The reviewer's comment.")


class PieceRescheduleIn(Schema):
    planned_at: DateTime | None = Field(
        None, description="The new planned time; without a zone, the workspace's."
    )
    day: Date | None = Field(
        None,
        description="Or only the day: the piece keeps its time of day (10:00 when it had none).",
    )


class PieceResultIn(Schema):
    day: Date = Field(description="The day the platform showed these totals.")
    views: Count | None = None
    likes: Count | None = None
    comments: Count | None = None
    shares: Count | None = None
    collects: Count | None = None
    followers_gained: Signed | None = None
    clicks: Count | None = None
    completion_rate: Percent | None = Field(None, description="Video completion, 0-100.")


class PieceAssetIn(Schema):
    file_id: Int = Field(description="A file of the piece's project library.")


class PieceLinkIn(Schema):
    destination: Url = Field(description="Where the link leads, http(s).")
    utm_medium: Utm = Field(description="e.g. social; the workspace's naming rules apply.")
    utm_campaign: Utm = Field(description="e.g. d11_2026.")
    utm_content: Utm = Field("", description="Default piece-<id>.")


class CadenceTargetIn(Schema):
    account_id: Int
    format: Literal["", "article", "short_video", "live", "poster", "long_form", "push"] = Field(
        "", description="Only pieces of this format count; empty for any."
    )
    per_week: PerWeek


class CadenceTargetPatch(Schema):
    per_week: PerWeek


# --- outputs


class ContentChannelOut(Out):
    id: int
    name: str
    platform: str
    color: str


class ContentAccountOut(Out):
    id: int
    name: str
    channel_id: int


class ContentLinkOut(Out):
    id: int
    code: str
    destination: str
    utm_source: str
    utm_medium: str
    utm_campaign: str
    utm_content: str


class PieceAssetOut(Out):
    id: int
    name: str
    url: str


class PieceReviewOut(Out):
    id: int
    reviewer: UserOut | None
    decision: str
    note: str
    created_at: datetime


class PieceChecklistOut(Out):
    title: bool
    body: bool
    assets: bool
    link: bool
    published_url: bool
    ready: bool = Field(description="Title, body, assets and link are all there.")


class PieceResultOut(Out):
    id: int
    day: date
    views: int | None
    likes: int | None
    comments: int | None
    shares: int | None
    collects: int | None
    followers_gained: int | None
    clicks: int | None
    completion_rate: Decimal | None
    source: str
    recorded_at: datetime


class PieceOut(Out):
    id: int
    title: str
    status: StatusName
    format: FormatName
    project_key: str | None
    channel: ContentChannelOut
    account: ContentAccountOut | None
    owner: UserOut | None
    tags: list[str]
    planned_at: datetime | None
    published_at: datetime | None
    published_url: str
    url: str


class PieceDetailOut(PieceOut):
    also_on: list[ContentChannelOut]
    reviewers: list[UserOut]
    body: str
    body_html: str
    assets: list[PieceAssetOut]
    link: ContentLinkOut | None
    item_ref: str | None
    reviews: list[PieceReviewOut]
    checklist: PieceChecklistOut
    latest_result: PieceResultOut | None
    reminded_at: datetime | None
    next_statuses: list[str] = Field(description="Where the caller may move it now.")
    can_edit: bool
    can_review: bool
    can_delete: bool


class PieceResultsOut(Schema):
    results: list[PieceResultOut] = Field(description="Snapshots, the oldest day first.")
    event_clicks: int | None = Field(
        description="Events carrying the link's utm_content (members and above; none when "
        "the piece has no link)."
    )


class CadenceTargetOut(Out):
    id: int
    account: ContentAccountOut
    channel: ContentChannelOut
    format: str
    per_week: int


class ContentLatestResultOut(Schema):
    piece: PieceOut
    result: PieceResultOut | None
    event_clicks: int | None
    clicks: int | None = Field(description="event_clicks when counted, else the entered clicks.")
    engagement: int | None = Field(description="likes + comments + shares + collects.")
    engagement_rate: float | None


class ContentRankingRowOut(Schema):
    key: str
    label: str
    pieces: int
    views: int
    likes: int
    comments: int
    shares: int
    collects: int
    followers_gained: int
    clicks: int
    engagement_rate: float | None = Field(
        description="(likes + comments + shares + collects) / views over the pieces with views."
    )


class ContentRankingsOut(Schema):
    first_day: date
    last_day: date
    by: str
    rows: list[ContentRankingRowOut]


class ContentHeatCellOut(Schema):
    weekday: int = Field(description="0 Monday … 6 Sunday.")
    hour: int
    pieces: int
    value: float | None


class ContentHeatmapOut(Schema):
    first_day: date
    last_day: date
    metric: str
    cells: list[ContentHeatCellOut] = Field(description="Only the cells with pieces.")
    best: ContentHeatCellOut | None


class ContentCalendarPieceOut(Schema):
    id: int
    title: str
    status: str
    format: str
    color: str = Field(description="The status's colour.")
    day: date
    time: str = Field(description="HH:MM in the workspace's time zone.")
    published: bool
    clash: str = Field(description='"hour", "day" or "".')
    url: str


class ContentCalendarCellOut(Schema):
    day: date
    gap: bool
    pieces: list[ContentCalendarPieceOut]


class ContentCadenceWeekOut(Schema):
    account_id: int
    account: str
    format: str
    target: int
    planned: int
    published: int
    met: bool
    past: bool


class ContentCalendarLaneOut(Schema):
    key: str
    label: str
    cells: list[ContentCalendarCellOut]
    cadence: list[ContentCadenceWeekOut]


class ContentCalendarWeekOut(Schema):
    start: date
    lanes: list[ContentCalendarLaneOut]


class ContentClashOut(Schema):
    kind: str
    account_id: int
    day: date
    piece_ids: list[int]


class ContentCalendarOut(Schema):
    mode: str
    group: str
    first_day: date
    last_day: date
    weeks: list[ContentCalendarWeekOut]
    clashes: list[ContentClashOut]
    unscheduled: list[PieceOut]
