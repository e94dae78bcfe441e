"""The "content.results" import: a platform's export of its posts' numbers (小红书, 抖音,
公众号 …) read into the pieces' results, through the workspace's import step (column
mapping, preview, every bad row named, all or nothing: opsloop/core/tables.py).

A row names its piece by opsloop's id, by its published link, or by its title (in that
order of trust), within the workspace or, with a project key as the target, within that
project. A piece not found, a title two pieces share, a piece not out yet, a day ahead or
before it went out: the row is refused, and with it the file. A row for a day the piece
already has updates that day (the cells given replace, blank cells keep), so the same
file imported twice writes the same thing once."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import BaseModel, BeforeValidator, ConfigDict, TypeAdapter, ValidationError

from opsloop.content.actions import RESULT_FIELDS, check_result_day, write_result
from opsloop.content.models import ContentPiece, ResultSource
from opsloop.content.queries import check_can_edit, get_project, visible_pieces
from opsloop.core.errors import OpsloopError
from opsloop.core.models import Membership
from opsloop.core.tables import Column, Count, Day, Importer, Percent, RowError, RowsInvalid, Text

KIND = "content.results"
_COUNT = TypeAdapter(Count)


def _signed(value: Any) -> Any:
    """A count that may fall (followers: -12, (12), −12)."""
    if isinstance(value, str) and value.strip()[:1] in ("-", "−"):
        try:
            return -_COUNT.validate_python(value.strip()[1:])
        except ValidationError:
            raise ValueError(_("not a whole number")) from None
    return value if isinstance(value, int) else _COUNT.validate_python(value)


Signed = Annotated[int, BeforeValidator(_signed)]


class ResultRow(BaseModel):
    """One row of a platform's export: a piece's totals on a day."""

    model_config = ConfigDict(extra="forbid")
    piece_id: Count | None = None
    url: Text = ""
    title: Text = ""
    day: Day
    views: Count | None = None
    likes: Count | None = None
    comments: Count | None = None
    shares: Count | None = None
    collects: Count | None = None
    followers_gained: Signed | None = None
    clicks: Count | None = None
    completion_rate: Percent | None = None


def _scope(membership: Membership, target: str):
    pieces = visible_pieces(membership)
    if target:
        project = get_project(membership, target)
        pieces = pieces.filter(project=project)
    return pieces


def check(membership: Membership, target: str) -> None:
    """Members and above; the target is empty (the workspace) or a project key."""
    check_can_edit(membership)
    _scope(membership, target)


def _url_key(url: str) -> str:
    """A link without its query and fragment (the share parameters platforms add)."""
    return url.strip().split("#")[0].split("?")[0].rstrip("/")


def match_pieces(
    membership: Membership, target: str, rows: list[tuple[int, ResultRow]]
) -> tuple[dict[int, ContentPiece], list[RowError]]:
    """Each row's piece by line, and the rows whose piece is unknown or ambiguous."""
    ids = {r.piece_id for _n, r in rows if r.piece_id is not None}
    urls = {_url_key(r.url) for _n, r in rows if r.url}
    titles = {r.title for _n, r in rows if r.title}
    condition = Q(pk__in=ids) | Q(title__in=titles)
    for url in urls:
        condition |= Q(published_url__startswith=url)
    found = list(
        _scope(membership, target).filter(condition).select_related("workspace")
        if ids or urls or titles
        else []
    )
    by_id = {p.pk: p for p in found}
    by_url = {_url_key(p.published_url): p for p in found if p.published_url}
    by_title: dict[str, list[ContentPiece]] = {}
    for p in found:
        by_title.setdefault(p.title, []).append(p)
    matched: dict[int, ContentPiece] = {}
    errors: list[RowError] = []
    for line, row in rows:
        if row.piece_id is not None:
            piece = by_id.get(row.piece_id)
            if piece is None:
                errors.append(RowError(line, "piece_id", _("No content piece with id %(id)s here.")
                                       % {"id": row.piece_id}))  # fmt: skip
                continue
        elif row.url:
            piece = by_url.get(_url_key(row.url))
            if piece is None:
                errors.append(RowError(line, "url", _("No content piece was published at this "
                                                      "link.")))  # fmt: skip
                continue
        elif row.title:
            same = by_title.get(row.title, [])
            if len(same) != 1:
                errors.append(RowError(line, "title", _("No content piece has this title.")
                                       if not same else _("%(n)s pieces have this title: name "
                                       "it by its link or id.") % {"n": len(same)}))  # fmt: skip
                continue
            piece = same[0]
        else:
            errors.append(RowError(line, "title", _("Name the piece: its title, link or id.")))
            continue
        matched[line] = piece
    return matched, errors


def write(membership: Membership, target: str, rows: list[tuple[int, ResultRow]]) -> int:
    check(membership, target)
    matched, errors = match_pieces(membership, target, rows)
    for line, row in rows:
        piece = matched.get(line)
        if piece is None:
            continue
        try:
            check_result_day(piece, row.day)
        except OpsloopError as exc:
            errors.append(RowError(line, "day", exc.message))
        rate = row.completion_rate
        if rate is not None and not Decimal(0) <= rate <= Decimal(100):
            errors.append(RowError(line, "completion_rate", _("a percentage from 0 to 100")))
    if errors:
        raise RowsInvalid(sorted(errors, key=lambda e: e.line))
    for line, row in rows:
        values = {
            name: getattr(row, name) for name in RESULT_FIELDS if getattr(row, name) is not None
        }
        write_result(
            piece=matched[line],
            day=row.day,
            values=values,
            source=ResultSource.IMPORT,
            user=membership.user,
        )
    return len(rows)


IMPORTER = Importer(
    kind=KIND,
    label=gettext_lazy("Content results"),
    help=gettext_lazy(
        "A platform's export of its posts' data (小红书, 抖音, 公众号 …): one row per post and "
        "day, naming the piece by its title, its published link or its opsloop id."
    ),
    columns=(
        Column("piece_id", gettext_lazy("Piece id"), aliases=("piece id", "opsloop id", "编号")),
        Column("url", gettext_lazy("Published link"), aliases=(
            "url", "link", "链接", "作品链接", "笔记链接", "视频链接", "文章链接", "发布链接")),
        Column("title", gettext_lazy("Title"), aliases=(
            "title", "标题", "作品标题", "笔记标题", "视频标题", "文章标题", "作品名称", "作品")),
        Column("day", gettext_lazy("Day"), aliases=(
            "date", "日期", "时间", "数据日期", "统计日期"), required=True),
        Column("views", gettext_lazy("Views"), aliases=(
            "views", "reads", "plays", "阅读", "阅读数", "阅读量", "播放", "播放量", "播放数",
            "观看", "观看次数", "浏览量")),
        Column("likes", gettext_lazy("Likes"), aliases=("likes", "点赞", "点赞数", "点赞量")),
        Column("comments", gettext_lazy("Comments"), aliases=(
            "comments", "评论", "评论数", "评论量")),
        Column("shares", gettext_lazy("Shares"), aliases=(
            "shares", "分享", "分享数", "分享量", "转发", "转发数")),
        Column("collects", gettext_lazy("Collects"), aliases=(
            "collects", "saves", "收藏", "收藏数", "收藏量")),
        Column("followers_gained", gettext_lazy("Followers gained"), aliases=(
            "followers gained", "新增粉丝", "涨粉", "涨粉数", "粉丝增量", "净增粉丝", "新增关注")),
        Column("clicks", gettext_lazy("Clicks"), aliases=(
            "clicks", "点击", "点击数", "点击量", "链接点击")),
        Column("completion_rate", gettext_lazy("Completion rate"), aliases=(
            "completion rate", "完播率", "完播")),
    ),
    row=ResultRow,
    check=check,
    write=write,
)  # fmt: skip
