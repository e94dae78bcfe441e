"""Who sees and changes content pieces, and the reads of one piece or a list of them
(docs/content.md#who-may-do-what).

A piece of a project is behind that project's wall: whoever sees the project sees the
piece, guests included where the project is shared with them. A piece of the whole
workspace (no project) is seen by members, admins and the owner, not by guests. Members
and above change pieces; the people asked to review a piece approve it or send it back;
its owner and admins delete it."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Case, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from opsloop.channels.models import Account, Channel, Link
from opsloop.content.models import (
    CadenceTarget,
    ContentPiece,
    ContentReview,
    ContentStatus,
)
from opsloop.core.errors import Forbidden, Invalid, NotFound
from opsloop.core.models import Membership, Role, User, Workspace
from opsloop.core.queries import access_workspace
from opsloop.files.models import File
from opsloop.files.queries import visible_files
from opsloop.work.models import Item, Project, ProjectKind
from opsloop.work.queries import VIEW, assignable_users, visible_projects

EDIT, REVIEW, DELETE = "edit", "review", "delete"
LIST_LIMIT = 500
FIRST_KINDS = (ProjectKind.CONTENT, ProjectKind.CAMPAIGN)
# The time of day a piece gets when it is put on a day without a time of its own.
DEFAULT_HOUR = 10

S = ContentStatus
# The colour of each status on the calendar.
STATUS_COLORS = {
    S.IDEA: "#94a3b8",
    S.WRITING: "#3b82f6",
    S.IN_REVIEW: "#f59e0b",
    S.APPROVED: "#14b8a6",
    S.SCHEDULED: "#6366f1",
    S.PUBLISHED: "#16a34a",
    S.ARCHIVED: "#9ca3af",
}
# Statuses before publishing: a planned time in one of them is a plan still to keep.
OPEN = (S.IDEA, S.WRITING, S.IN_REVIEW, S.APPROVED, S.SCHEDULED)
# Where an editor may move a piece from each status (approved comes only from a
# reviewer's approval, POST .../review; archived goes back to published when the piece
# went out, else to idea).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.IDEA: (S.WRITING, S.ARCHIVED),
    S.WRITING: (S.IDEA, S.IN_REVIEW, S.ARCHIVED),
    S.IN_REVIEW: (S.WRITING, S.ARCHIVED),
    S.APPROVED: (S.WRITING, S.SCHEDULED, S.PUBLISHED, S.ARCHIVED),
    S.SCHEDULED: (S.APPROVED, S.WRITING, S.PUBLISHED, S.ARCHIVED),
    S.PUBLISHED: (S.ARCHIVED,),
    S.ARCHIVED: (S.IDEA, S.PUBLISHED),
}


# --- time in the workspace's zone


def zone(workspace: Workspace) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(workspace.time_zone)


def local(workspace: Workspace, moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(zone(workspace))


def local_today(workspace: Workspace, now: dt.datetime | None = None) -> dt.date:
    return local(workspace, now or timezone.now()).date()


def aware(workspace: Workspace, moment: dt.datetime) -> dt.datetime:
    """A time without a zone is read in the workspace's."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone(workspace))
    return moment


def day_bounds(
    workspace: Workspace, first: dt.date, last: dt.date
) -> tuple[dt.datetime, dt.datetime]:
    """The first moment of `first` and the first moment after `last`, local."""
    tz = zone(workspace)
    return (
        dt.datetime.combine(first, dt.time(), tz),
        dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tz),
    )


def moment_of(piece: ContentPiece) -> dt.datetime | None:
    """Where a piece sits in time: when it went out, else when it is planned to."""
    return piece.published_at or piece.planned_at


def piece_url(piece: ContentPiece) -> str:
    return f"/w/{piece.workspace.slug}/content/{piece.pk}/"


# --- access


def visible_pieces(membership: Membership) -> QuerySet[ContentPiece]:
    """Pieces the member may see (the module docstring says who)."""
    in_projects = Q(project__in=visible_projects(membership))
    seen = in_projects if membership.role == Role.GUEST else Q(project__isnull=True) | in_projects
    return ContentPiece.objects.filter(workspace_id=membership.workspace_id).filter(seen)


def can_edit(membership: Membership) -> bool:
    return membership.at_least(Role.MEMBER)


def can_delete(membership: Membership, piece: ContentPiece) -> bool:
    """Its owner (a member or above) and admins."""
    if membership.at_least(Role.ADMIN):
        return True
    return membership.at_least(Role.MEMBER) and piece.owner_id == membership.user_id


@dataclass(frozen=True)
class PieceAccess:
    membership: Membership
    piece: ContentPiece
    can_edit: bool
    can_review: bool
    can_delete: bool


def with_parts(pieces: QuerySet[ContentPiece]) -> QuerySet[ContentPiece]:
    return pieces.select_related(
        "workspace", "project", "channel", "account", "owner", "link", "item__project"
    ).prefetch_related(
        Prefetch("reviewers", queryset=User.objects.order_by("display_name", "username", "id")),
        Prefetch("also_on", queryset=Channel.objects.order_by("position", "pk")),
    )


def access_piece(user: User, slug: str, piece_id: int, need: str = VIEW) -> PieceAccess:
    """A piece the user can see; 404 when hidden, 403 when they may not do `need`."""
    membership = access_workspace(user, slug)
    return access_piece_of(membership, piece_id, need)


def access_piece_of(membership: Membership, piece_id: int, need: str = VIEW) -> PieceAccess:
    piece = with_parts(visible_pieces(membership)).filter(pk=piece_id).first()
    if piece is None:
        raise NotFound(_("Content piece not found."))
    piece.workspace = membership.workspace
    reviewer_ids = {u.pk for u in piece.reviewers.all()}
    access = PieceAccess(
        membership,
        piece,
        can_edit(membership),
        membership.user_id in reviewer_ids,
        can_delete(membership, piece),
    )
    check_piece(access, need)
    return access


def check_piece(access: PieceAccess, need: str) -> None:
    if need == EDIT and not access.can_edit:
        raise Forbidden(_("Guests can only read content pieces."))
    if need == REVIEW and not access.can_review:
        raise Forbidden(_("Only the people asked to review this piece can review it."))
    if need == DELETE and not access.can_delete:
        raise Forbidden(_("Only the piece's owner or a workspace admin can delete it."))


def check_can_edit(membership: Membership) -> None:
    if not can_edit(membership):
        raise Forbidden(_("Guests can only read content pieces."))


def next_statuses(piece: ContentPiece) -> list[str]:
    """Where an editor may move the piece now (archived goes back to where it was)."""
    moves = list(TRANSITIONS[piece.status])
    if piece.status == S.ARCHIVED:
        moves = [S.PUBLISHED] if piece.published_at else [S.IDEA]
    return [str(m) for m in moves]


# --- the piece's parts


@dataclass(frozen=True)
class Checklist:
    """What a piece needs before it goes out (and its link once it has)."""

    title: bool
    body: bool
    assets: bool
    link: bool
    published_url: bool

    @property
    def ready(self) -> bool:
        return self.title and self.body and self.assets and self.link


def checklist(piece: ContentPiece, assets: list[File]) -> Checklist:
    return Checklist(
        title=bool(piece.title.strip()),
        body=bool(piece.body.strip()),
        assets=bool(assets),
        link=piece.link_id is not None,
        published_url=bool(piece.published_url),
    )


def piece_assets(membership: Membership, piece: ContentPiece) -> list[File]:
    """The piece's files the member may see."""
    return list(
        visible_files(membership)
        .filter(pk__in=piece.assets.values("pk"))
        .select_related("current_version")
        .order_by("name", "pk")
    )


def piece_reviews(piece: ContentPiece) -> list[ContentReview]:
    return list(piece.reviews.select_related("reviewer").order_by("created_at", "pk"))


def library_choices(membership: Membership, piece: ContentPiece) -> list[File]:
    """Files of the piece's project library that may be attached (at most 200)."""
    if piece.project_id is None:
        return []
    attached = piece.assets.values("pk")
    return list(
        visible_files(membership)
        .filter(project_id=piece.project_id, item__isnull=True, comment__isnull=True)
        .exclude(pk__in=attached)
        .order_by("name", "pk")[:200]
    )


# --- the list


@dataclass
class PieceFilters:
    project: str = ""
    status: str = ""
    owner_id: int | None = None
    channel_id: int | None = None
    account_id: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None


def _int(params: Mapping[str, str], name: str) -> int | None:
    value = (params.get(name) or "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise Invalid(
            _("%(field)s must be a whole number.") % {"field": name}, field=name
        ) from None


def parse_day(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    day = parse_date(value)
    if day is None:
        raise Invalid(_("%(field)s must be a date (YYYY-MM-DD).") % {"field": name}, field=name)
    return day


def parse_piece_filters(params: Mapping[str, str]) -> PieceFilters:
    status = params.get("status") or ""
    if status and status not in S.values:
        raise Invalid(_("Unknown status %(status)s.") % {"status": status}, field="status")
    return PieceFilters(
        project=(params.get("project") or "").strip().upper()[:10],
        status=status,
        owner_id=_int(params, "owner"),
        channel_id=_int(params, "channel"),
        account_id=_int(params, "account"),
        start=parse_day(params.get("from"), "from"),
        end=parse_day(params.get("to"), "to"),
    )


def filter_pieces(membership: Membership, filters: PieceFilters) -> QuerySet[ContentPiece]:
    """Pieces matching the filters; the period is when a piece went out or, not out yet,
    when it is planned to."""
    pieces = visible_pieces(membership)
    if filters.project:
        pieces = pieces.filter(project__key=filters.project)
    if filters.status:
        pieces = pieces.filter(status=filters.status)
    if filters.owner_id is not None:
        pieces = pieces.filter(owner_id=filters.owner_id)
    if filters.channel_id is not None:
        pieces = pieces.filter(channel_id=filters.channel_id)
    if filters.account_id is not None:
        pieces = pieces.filter(account_id=filters.account_id)
    if filters.start or filters.end:
        first = filters.start or dt.date(1970, 1, 1)
        last = filters.end or dt.date(2299, 12, 30)
        low, high = day_bounds(membership.workspace, first, last)
        pieces = pieces.filter(
            Q(published_at__gte=low, published_at__lt=high)
            | Q(published_at__isnull=True, planned_at__gte=low, planned_at__lt=high)
        )
    return pieces


def summary_parts(pieces: QuerySet[ContentPiece]) -> QuerySet[ContentPiece]:
    return pieces.select_related("workspace", "project", "channel", "account", "owner")


def list_pieces(membership: Membership, filters: PieceFilters) -> list[ContentPiece]:
    """By planned (or published) time, pieces without one last; at most LIST_LIMIT."""
    pieces = summary_parts(filter_pieces(membership, filters))
    return list(pieces.order_by("planned_at", "pk")[:LIST_LIMIT])


# --- what forms offer and actions check


def get_project(membership: Membership, key: str) -> Project:
    project = visible_projects(membership).filter(key=(key or "").strip().upper()).first()
    if project is None:
        raise Invalid(_("No project with key %(key)s.") % {"key": key}, field="project_key")
    project.workspace = membership.workspace
    return project


def project_choices(membership: Membership) -> QuerySet[Project]:
    """Projects a piece may go in: content and campaign projects first."""
    if not membership.at_least(Role.MEMBER):
        return Project.objects.none()
    first = Case(When(kind__in=FIRST_KINDS, then=Value(0)), default=Value(1))
    return visible_projects(membership).exclude(stage="closed").order_by(first, "name")


def members_by_id(workspace_id: int, user_ids: list[int]) -> dict[int, Membership]:
    return {
        m.user_id: m
        for m in Membership.objects.select_related("user").filter(
            workspace_id=workspace_id, user_id__in=user_ids
        )
    }


def users_who_see(project: Project | None, workspace_id: int, user_ids: list[int]) -> set[int]:
    """Of `user_ids`, the members who see a piece of `project` (or of the workspace)."""
    if project is not None:
        return set(assignable_users(project).filter(pk__in=user_ids).values_list("pk", flat=True))
    return set(
        Membership.objects.filter(workspace_id=workspace_id, user_id__in=user_ids)
        .exclude(role=Role.GUEST)
        .values_list("user_id", flat=True)
    )


def people_choices(membership: Membership) -> list[User]:
    """Members of the workspace, guests last."""
    rows = Membership.objects.filter(workspace_id=membership.workspace_id).select_related("user")
    return [m.user for m in sorted(rows, key=lambda m: (m.role == Role.GUEST, m.user.label))]


def channel_choices(workspace: Workspace) -> list[Channel]:
    return list(
        Channel.objects.filter(workspace=workspace, archived=False).order_by("position", "pk")
    )


def account_choices(workspace: Workspace) -> list[Account]:
    """The team's own accounts (not partners'), by channel."""
    return list(
        Account.objects.filter(workspace=workspace, archived=False, external=False)
        .select_related("channel")
        .order_by("channel__position", "channel_id", "name", "pk")
    )


def link_choices(membership: Membership) -> list[Link]:
    """Links the member may put on a piece: the workspace's, of projects they see."""
    if not membership.at_least(Role.MEMBER):
        return []
    return list(
        Link.objects.filter(workspace_id=membership.workspace_id, archived=False)
        .filter(Q(project__isnull=True) | Q(project__in=visible_projects(membership)))
        .order_by("-created_at", "-pk")[:200]
    )


def get_channel(workspace: Workspace, channel_id: int, field: str = "channel_id") -> Channel:
    channel = Channel.objects.filter(workspace=workspace, pk=channel_id).first()
    if channel is None:
        raise Invalid(_("No channel with id %(id)s.") % {"id": channel_id}, field=field)
    return channel


def get_account(workspace: Workspace, account_id: int, field: str = "account_id") -> Account:
    account = (
        Account.objects.filter(workspace=workspace, pk=account_id).select_related("channel").first()
    )
    if account is None:
        raise Invalid(_("No account with id %(id)s.") % {"id": account_id}, field=field)
    return account


def get_link(membership: Membership, link_id: int) -> Link:
    link = next((x for x in link_choices(membership) if x.pk == link_id), None)
    if link is None:
        link = (
            Link.objects.filter(workspace_id=membership.workspace_id, pk=link_id)
            .filter(Q(project__isnull=True) | Q(project__in=visible_projects(membership)))
            .first()
        )
    if link is None:
        raise Invalid(_("No link with id %(id)s.") % {"id": link_id}, field="link_id")
    return link


def get_item(membership: Membership, ref: str) -> Item:
    key, _sep, number = (ref or "").strip().upper().rpartition("-")
    item = None
    if key and number.isdigit():
        item = (
            Item.objects.filter(
                project__in=visible_projects(membership), project__key=key, number=int(number)
            )
            .select_related("project")
            .first()
        )
    if item is None:
        raise Invalid(_("No work item %(ref)s.") % {"ref": ref}, field="item_ref")
    return item


def get_library_file(membership: Membership, piece: ContentPiece, file_id: int) -> File:
    """A file of the piece's project library, which the member sees."""
    file = (
        visible_files(membership)
        .filter(pk=file_id, project_id=piece.project_id)
        .select_related("current_version")
        .first()
        if piece.project_id is not None
        else None
    )
    if file is None:
        raise Invalid(_("No file %(id)s in the project's library.") % {"id": file_id},
                      field="file_id")  # fmt: skip
    return file


# --- cadence targets


def list_cadence(workspace: Workspace) -> list[CadenceTarget]:
    return list(
        CadenceTarget.objects.filter(account__workspace=workspace)
        .select_related("account__channel")
        .order_by("account__channel__position", "account__name", "format", "pk")
    )


def access_cadence(membership: Membership, cadence_id: int) -> CadenceTarget:
    target = (
        CadenceTarget.objects.filter(account__workspace_id=membership.workspace_id, pk=cadence_id)
        .select_related("account__channel")
        .first()
    )
    if target is None:
        raise NotFound(_("Cadence target not found."))
    return target


def check_sees_cadence(membership: Membership) -> None:
    if not membership.at_least(Role.MEMBER):
        raise Forbidden(_("Guests do not see the team's publishing targets."))


# --- the publish reminder


def due_reminders(now: dt.datetime | None = None, *, within: dt.timedelta) -> list[ContentPiece]:
    """Pieces not out yet whose planned time has come (no longer ago than `within`) and
    whose owner has not been reminded yet."""
    now = now or timezone.now()
    return list(
        ContentPiece.objects.filter(
            status__in=OPEN,
            planned_at__lte=now,
            planned_at__gt=now - within,
            reminded_at__isnull=True,
            owner__isnull=False,
        )
        .select_related("workspace", "project", "owner", "channel", "account")
        .order_by("planned_at", "pk")
    )
