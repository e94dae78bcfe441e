"""Every write to content pieces: the piece, its status and review, its time on the
calendar and its publish reminder, its assets, its results, and cadence targets
(docs/content.md)."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files import File as DjangoFile
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opsloop.channels.actions import do_create_link
from opsloop.channels.models import Account, Channel, Link
from opsloop.channels.schemas import LinkIn
from opsloop.content.models import (
    CadenceTarget,
    ContentPiece,
    ContentResult,
    ContentReview,
    ContentStatus,
    ResultSource,
    ReviewDecision,
)
from opsloop.content.queries import (
    DEFAULT_HOUR,
    OPEN,
    aware,
    check_can_edit,
    checklist,
    due_reminders,
    get_account,
    get_channel,
    get_item,
    get_link,
    get_project,
    local,
    local_today,
    members_by_id,
    next_statuses,
    piece_assets,
    piece_url,
    users_who_see,
    zone,
)
from opsloop.content.schemas import (
    CadenceTargetIn,
    CadenceTargetPatch,
    PieceIn,
    PieceLinkIn,
    PiecePatch,
    PieceRescheduleIn,
    PieceResultIn,
    PieceReviewIn,
    PieceStatusIn,
)
from opsloop.core.background import enqueue_with_transaction
from opsloop.core.errors import Conflict, Forbidden, Invalid, NotFound
from opsloop.core.markdown import render_markdown
from opsloop.core.models import Membership, Role, User
from opsloop.core.rows import lock_current, save_changed
from opsloop.files.actions import do_upload_file
from opsloop.files.models import File
from opsloop.files.queries import resolve_place
from opsloop.files.schemas import PlaceIn
from opsloop.inbox.actions import do_notify
from opsloop.inbox.models import NotificationKind
from opsloop.work.models import Item, Project
from opsloop.work.queries import EDIT, check_project_permission

logger = logging.getLogger(__name__)

S = ContentStatus
# The inbox has no kind of its own for content: review requests and the publish
# reminder are things asked of the person, as an assignment is; a review's verdict is a
# change of state on what the owner makes.
ASKED = NotificationKind.ASSIGNED
CHANGED = NotificationKind.STATE_CHANGED
# A planned time further back than this is not reminded of (a piece put on last
# month's calendar, or a worker that was down for days, would only make noise).
REMINDER_WINDOW = dt.timedelta(days=2)
# A piece may be said to have gone out this much in the future (clocks differ).
CLOCK_SLACK = dt.timedelta(minutes=10)


# --- checks


def _project(actor: Membership, key: str | None) -> Project | None:
    if not key:
        return None
    project = get_project(actor, key)
    check_project_permission(actor, project, EDIT)
    return project


def _people(
    actor: Membership, project: Project | None, user_ids: list[int], field: str, *, editors: bool
) -> list[User]:
    """Members who can see a piece of `project`; with editors, members and above only."""
    ids = list(dict.fromkeys(user_ids))
    members = members_by_id(actor.workspace_id, ids)
    seeing = users_who_see(project, actor.workspace_id, ids)
    for user_id in ids:
        member = members.get(user_id)
        if member is None:
            raise Invalid(
                _("User %(id)s is not a member of this workspace.") % {"id": user_id}, field=field
            )
        if user_id not in seeing:
            raise Invalid(
                _("%(name)s cannot see this content piece.") % {"name": member.user.label},
                field=field,
            )
        if editors and not member.at_least(Role.MEMBER):
            raise Invalid(
                _("%(name)s is a guest: a guest cannot own a piece.") % {"name": member.user.label},
                field=field,
            )
    return [members[user_id].user for user_id in ids]


def _place(
    actor: Membership, channel_id: int | None, account_id: int | None
) -> tuple[Channel, Account | None]:
    """The channel and account: the account must be on the channel; given alone, it
    says the channel."""
    account = get_account(actor.workspace, account_id) if account_id is not None else None
    if channel_id is None:
        if account is None:
            raise Invalid(_("Say where the piece goes out: a channel or an account."),
                          field="channel_id")  # fmt: skip
        return account.channel, account
    channel = get_channel(actor.workspace, channel_id)
    if account is not None and account.channel_id != channel.pk:
        raise Invalid(
            _("The account %(account)s is not on %(channel)s.")
            % {"account": account.name, "channel": channel.name},
            field="account_id",
        )
    return channel, account


def _also_on(actor: Membership, ids: list[int], channel: Channel) -> list[Channel]:
    found = {c.pk: c for c in Channel.objects.filter(workspace_id=actor.workspace_id, pk__in=ids)}
    for pk in ids:
        if pk not in found:
            raise Invalid(_("No channel with id %(id)s.") % {"id": pk}, field="also_on_ids")
    return [found[pk] for pk in dict.fromkeys(ids) if pk != channel.pk]


def _tags(tags: list[str]) -> list[str]:
    return list(dict.fromkeys(t.strip().lstrip("#") for t in tags if t.strip().lstrip("#")))


def _link(actor: Membership, link_id: int | None) -> Link | None:
    return get_link(actor, link_id) if link_id is not None else None


def _item(actor: Membership, ref: str | None) -> Item | None:
    return get_item(actor, ref) if ref else None


def _url(value: str | None) -> str:
    value = (value or "").strip()
    if value:
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            raise Invalid(_("Enter a web address (https://…)."), field="published_url") from None
    return value


# --- pieces


def do_create_piece(*, actor: Membership, data: PieceIn) -> ContentPiece:
    check_can_edit(actor)
    project = _project(actor, data.project_key)
    channel, account = _place(actor, data.channel_id, data.account_id)
    also_on = _also_on(actor, data.also_on_ids, channel)
    owner_id = data.owner_id if data.owner_id is not None else actor.user_id
    (owner,) = _people(actor, project, [owner_id], "owner_id", editors=True)
    reviewers = _people(actor, project, data.reviewer_ids, "reviewer_ids", editors=False)
    link = _link(actor, data.link_id)
    item = _item(actor, data.item_ref)
    with transaction.atomic():
        piece = ContentPiece.objects.create(
            workspace=actor.workspace,
            project=project,
            title=data.title,
            channel=channel,
            account=account,
            format=data.format,
            owner=owner,
            tags=_tags(data.tags),
            planned_at=aware(actor.workspace, data.planned_at) if data.planned_at else None,
            body=data.body,
            body_html=render_markdown(data.body),
            link=link,
            item=item,
            created_by=actor.user,
        )
        piece.also_on.set(also_on)
        piece.reviewers.set(reviewers)
        _schedule_reminder(piece)
        _tell_owner(actor, piece)
    return piece


def do_update_piece(*, actor: Membership, piece: ContentPiece, data: PiecePatch) -> ContentPiece:
    """Change the fields sent; lists replace the old ones. A new owner is told; a new
    planned time is reminded of again."""
    check_can_edit(actor)
    changes = data.model_dump(exclude_unset=True)
    for name in ("title", "format", "channel_id"):
        if name in changes and changes[name] is None:
            raise Invalid(_("%(field)s cannot be empty.") % {"field": name}, field=name)
    project = piece.project
    if "project_key" in changes:
        project = _project(actor, changes["project_key"])
    channel_id = changes.get("channel_id", piece.channel_id)
    account_id = changes.get("account_id", piece.account_id)
    if (
        "channel_id" in changes
        and "account_id" not in changes
        and account_id is not None
        and not Account.objects.filter(pk=account_id, channel_id=channel_id).exists()
    ):
        # A piece moved to another channel leaves an account of the old one behind.
        account_id = None
    channel, account = _place(actor, channel_id, account_id)
    also_ids = changes.get("also_on_ids")
    if also_ids is None:
        also_ids = [c.pk for c in piece.also_on.all()]
    also_on = _also_on(actor, also_ids, channel)
    owner_id = changes.get("owner_id") or piece.owner_id
    owner = _people(actor, project, [owner_id], "owner_id", editors=True)[0] if owner_id else None
    reviewer_ids = changes.get("reviewer_ids")
    if reviewer_ids is None:
        reviewer_ids = [u.pk for u in piece.reviewers.all()]
    reviewers = _people(actor, project, reviewer_ids, "reviewer_ids", editors=False)
    link = _link(actor, changes["link_id"]) if "link_id" in changes else piece.link
    item = _item(actor, changes["item_ref"]) if "item_ref" in changes else piece.item
    published_url = (
        _url(changes["published_url"]) if "published_url" in changes else piece.published_url
    )
    with transaction.atomic():
        before = lock_current(piece)
        owner_before = piece.owner_id
        if changes.get("title") is not None:
            piece.title = changes["title"]
        if changes.get("format") is not None:
            piece.format = changes["format"]
        if changes.get("tags") is not None:
            piece.tags = _tags(changes["tags"])
        if changes.get("body") is not None:
            piece.body = changes["body"]
            piece.body_html = render_markdown(changes["body"])
        if "planned_at" in changes:
            planned = changes["planned_at"]
            _set_planned(piece, aware(actor.workspace, planned) if planned else None)
        piece.project, piece.channel, piece.account, piece.owner = project, channel, account, owner
        piece.link, piece.item, piece.published_url = link, item, published_url
        if piece.owner_id != owner_before:
            piece.reminded_at = None
        save_changed(piece, before, "updated_at")
        piece.also_on.set(also_on)
        piece.reviewers.set(reviewers)
        if piece.owner_id != owner_before:
            _tell_owner(actor, piece)
        _schedule_reminder(piece)
    return piece


def _set_planned(piece: ContentPiece, planned: dt.datetime | None) -> None:
    if piece.status not in OPEN and planned != piece.planned_at:
        raise Conflict(_("A piece that went out stays where it went out."))
    if planned != piece.planned_at:
        piece.reminded_at = None
    if planned is None and piece.status == S.SCHEDULED:
        raise Invalid(_("A scheduled piece needs its planned time."), field="planned_at")
    piece.planned_at = planned


def do_delete_piece(*, actor: Membership, piece: ContentPiece) -> None:
    if not (
        actor.at_least(Role.ADMIN)
        or (actor.at_least(Role.MEMBER) and piece.owner_id == actor.user_id)
    ):
        raise Forbidden(_("Only the piece's owner or a workspace admin can delete it."))
    piece.delete()


# --- status and review


def do_set_status(*, actor: Membership, piece: ContentPiece, data: PieceStatusIn) -> ContentPiece:
    """Move a piece along its pipeline (queries.TRANSITIONS): in_review needs reviewers,
    who are told; scheduled needs a planned time; published records when (now unless
    given) and may take the published link."""
    check_can_edit(actor)
    target = data.status
    published_url = _url(data.published_url) if data.published_url is not None else None
    with transaction.atomic():
        before = lock_current(piece)
        if target == piece.status:
            return piece
        if target not in next_statuses(piece):
            raise Conflict(
                _("A piece cannot go from %(from)s to %(to)s.")
                % {"from": piece.get_status_display(), "to": S(target).label}
            )
        if target == S.IN_REVIEW and not piece.reviewers.exists():
            raise Invalid(_("Ask at least one reviewer first."), field="status")
        if target == S.SCHEDULED and piece.planned_at is None:
            raise Invalid(_("Give the piece a planned publish time first."), field="status")
        if target == S.PUBLISHED and piece.status != S.ARCHIVED:
            when = (
                aware(actor.workspace, data.published_at) if data.published_at else timezone.now()
            )
            if when > timezone.now() + CLOCK_SLACK:
                raise Invalid(_("A piece cannot have gone out in the future; schedule it "
                                "instead."), field="published_at")  # fmt: skip
            piece.published_at = when
            if published_url is not None:
                piece.published_url = published_url
        if target == S.IDEA and piece.status == S.ARCHIVED:
            piece.published_at = None
        piece.status = target
        save_changed(piece, before, "updated_at")
        if target == S.IN_REVIEW:
            _tell_reviewers(actor, piece)
        _schedule_reminder(piece)
    return piece


def do_review_piece(
    *, actor: Membership, piece: ContentPiece, data: PieceReviewIn
) -> ContentReview:
    """A reviewer's verdict: approve moves the piece to approved, changes sends it back to
    writing; either way it is recorded with the note, and the owner is told."""
    if not piece.reviewers.filter(pk=actor.user_id).exists():
        raise Forbidden(_("Only the people asked to review this piece can review it."))
    with transaction.atomic():
        before = lock_current(piece)
        if piece.status != S.IN_REVIEW:
            raise Conflict(
                _("Pieces are reviewed while in review; this one is %(status)s.")
                % {"status": piece.get_status_display()}
            )
        approved = data.decision == ReviewDecision.APPROVE
        review = ContentReview.objects.create(
            piece=piece, reviewer=actor.user, decision=data.decision, note=data.note
        )
        piece.status = S.APPROVED if approved else S.WRITING
        save_changed(piece, before, "updated_at")
        if piece.owner is not None:
            do_notify(
                workspace_id=piece.workspace_id,
                recipients=[piece.owner],
                actor=actor.user,
                kind=CHANGED,
                title=lambda: (
                    (
                        _("%(name)s approved %(title)s")
                        if approved
                        else _("%(name)s asks for changes to %(title)s")
                    )
                    % {"name": actor.user.label, "title": piece.title}
                ),
                url=piece_url(piece),
                excerpt=data.note,
                project=piece.project,
            )
    return review


def _tell_reviewers(actor: Membership, piece: ContentPiece) -> None:
    do_notify(
        workspace_id=piece.workspace_id,
        recipients=list(piece.reviewers.all()),
        actor=actor.user,
        kind=ASKED,
        title=lambda: (
            _("%(name)s asks you to review %(title)s")
            % {"name": actor.user.label, "title": piece.title}
        ),
        url=piece_url(piece),
        project=piece.project,
    )


def _tell_owner(actor: Membership, piece: ContentPiece) -> None:
    if piece.owner is None:
        return
    do_notify(
        workspace_id=piece.workspace_id,
        recipients=[piece.owner],
        actor=actor.user,
        kind=ASKED,
        title=lambda: (
            _("%(name)s made you the owner of %(title)s")
            % {"name": actor.user.label, "title": piece.title}
        ),
        url=piece_url(piece),
        project=piece.project,
    )


# --- the calendar


def do_reschedule_piece(
    *, actor: Membership, piece: ContentPiece, data: PieceRescheduleIn
) -> ContentPiece:
    """A new planned time, or a new day at the same time of day (DEFAULT_HOUR for a piece
    that had no time): what dragging a piece on the calendar does."""
    check_can_edit(actor)
    if data.planned_at is None and data.day is None:
        raise Invalid(_("Give the new planned time or day."), field="day")
    with transaction.atomic():
        before = lock_current(piece)
        if data.planned_at is not None:
            planned = aware(actor.workspace, data.planned_at)
        else:
            assert data.day is not None
            old = local(actor.workspace, piece.planned_at) if piece.planned_at else None
            time = old.time() if old else dt.time(DEFAULT_HOUR)
            planned = dt.datetime.combine(data.day, time, zone(actor.workspace))
        _set_planned(piece, planned)
        save_changed(piece, before, "updated_at")
        _schedule_reminder(piece)
    return piece


# --- the publish reminder


def _schedule_reminder(piece: ContentPiece) -> None:
    """A background task at the planned time; it reminds whoever is due then (each piece
    claims its reminder once, so a task queued twice or run by two workers tells once)."""
    if piece.planned_at is None or piece.status not in OPEN or piece.owner_id is None:
        return
    if piece.reminded_at is not None or piece.planned_at < timezone.now() - REMINDER_WINDOW:
        return
    enqueue_with_transaction("opsloop.content.tasks.remind_publishing", run_after=piece.planned_at)


def checklist_text(piece: ContentPiece, assets: list[File]) -> str:
    """The publish checklist, one line per thing, ✓ when it is there."""
    marks = checklist(piece, assets)
    lines = [
        (marks.title, _("Title")),
        (marks.body, _("Body")),
        (marks.assets, _("Assets")),
        (marks.link, _("UTM link")),
        (marks.published_url, _("Published link (fill in once it is out)")),
    ]
    return "\n".join(f"{'✓' if done else '✗'} {label}" for done, label in lines)


def do_remind_publish(*, piece: ContentPiece, now: dt.datetime | None = None) -> bool:
    """Remind the owner that the piece's planned time has come, with the checklist, once:
    the first caller to set the piece's marker does it. Whether this caller reminded."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = ContentPiece.objects.filter(
            pk=piece.pk, status__in=OPEN, planned_at__lte=now, reminded_at__isnull=True
        ).update(reminded_at=now)
        if not claimed or piece.owner is None:
            return False
        piece.reminded_at = now
        owner_ms = (
            Membership.objects.select_related("workspace", "user")
            .filter(workspace_id=piece.workspace_id, user=piece.owner)
            .first()
        )
        assets = piece_assets(owner_ms, piece) if owner_ms is not None else []
        do_notify(
            workspace_id=piece.workspace_id,
            recipients=[piece.owner],
            actor=None,
            kind=ASKED,
            title=lambda: _("Time to publish %(title)s") % {"title": piece.title},
            url=piece_url(piece),
            excerpt=checklist_text(piece, assets),
            project=piece.project,
        )
    return True


def do_remind_publishing(*, now: dt.datetime | None = None) -> int:
    """Remind the owner of every piece whose planned time has come; how many were told."""
    told = 0
    for piece in due_reminders(now, within=REMINDER_WINDOW):
        try:
            told += do_remind_publish(piece=piece, now=now)
        except Exception:  # noqa: BLE001 (one broken piece must not stop the others)
            logger.exception("publish reminder of content piece %s failed", piece.pk)
    return told


# --- assets


def do_attach_asset(*, actor: Membership, piece: ContentPiece, file: File) -> None:
    """Attach a file of the piece's project library (queries.get_library_file found it)."""
    check_can_edit(actor)
    if file.project_id is None or file.project_id != piece.project_id:
        raise Invalid(_("Only files of the piece's project can be its assets."), field="file_id")
    piece.assets.add(file)


def do_upload_asset(
    *, actor: Membership, piece: ContentPiece, content: DjangoFile, name: str
) -> File:
    """A new file in the piece's project library, attached to the piece."""
    check_can_edit(actor)
    if piece.project is None:
        raise Invalid(
            _("A piece of the whole workspace has no file library: put it in a project to "
              "add assets."),
            field="file",
        )  # fmt: skip
    place = resolve_place(actor, PlaceIn.model_validate({"project": piece.project.key}))
    file = do_upload_file(actor=actor, place=place, content=content, name=name)
    piece.assets.add(file)
    return file


def do_detach_asset(*, actor: Membership, piece: ContentPiece, file_id: int) -> None:
    """Take a file off the piece; it stays in the library."""
    check_can_edit(actor)
    if not piece.assets.filter(pk=file_id).exists():
        raise NotFound(_("That file is not an asset of this piece."))
    piece.assets.remove(file_id)


# --- its UTM link


def do_make_link(*, actor: Membership, piece: ContentPiece, data: PieceLinkIn) -> Link:
    """A tracked link for the piece (opsloop.channels, its naming rules checked): on the
    piece's channel, account and project, its utm_content naming the piece (piece-<id>)
    unless given, so its clicks count as the piece's; the piece takes it as its link."""
    check_can_edit(actor)
    link = do_create_link(
        actor=actor,
        data=LinkIn.model_validate(
            {
                "destination": data.destination,
                "name": piece.title[:200],
                "utm_medium": data.utm_medium,
                "utm_campaign": data.utm_campaign,
                "utm_content": data.utm_content or f"piece-{piece.pk}",
                "project_key": piece.project.key if piece.project else None,
                "channel_id": piece.channel_id,
                "account_id": piece.account_id,
            }
        ),
    )
    with transaction.atomic():
        before = lock_current(piece)
        piece.link = link
        save_changed(piece, before, "updated_at")
    return link


# --- results


def check_result_day(piece: ContentPiece, day: dt.date, field: str = "day") -> None:
    if piece.published_at is None:
        raise Conflict(_("Record results once the piece has gone out."))
    today = local_today(piece.workspace)
    if day > today:
        raise Invalid(_("A result is of a day that has come: %(day)s is ahead.")
                      % {"day": day.isoformat()}, field=field)  # fmt: skip
    if day < local(piece.workspace, piece.published_at).date():
        raise Invalid(_("%(day)s is before the piece went out.") % {"day": day.isoformat()},
                      field=field)  # fmt: skip


RESULT_FIELDS = (
    "views", "likes", "comments", "shares", "collects", "followers_gained", "clicks",
    "completion_rate",
)  # fmt: skip


def write_result(
    *, piece: ContentPiece, day: dt.date, values: dict, source: str, user: User | None
) -> ContentResult:
    """The day's snapshot, made or updated: the values given replace the day's, the rest
    stay (a second file for the same day fills in what the first left blank)."""
    fields = {k: v for k, v in values.items() if k in RESULT_FIELDS}
    if fields.get("completion_rate") is not None:
        fields["completion_rate"] = Decimal(fields["completion_rate"]).quantize(Decimal("0.01"))
    result, created = ContentResult.objects.get_or_create(
        piece=piece,
        day=day,
        defaults={**fields, "source": source, "recorded_by": user},
    )
    if not created:
        for name, value in fields.items():
            setattr(result, name, value)
        result.source, result.recorded_by = source, user
        result.save()
    return result


def do_record_result(
    *,
    actor: Membership,
    piece: ContentPiece,
    data: PieceResultIn,
    source: str = ResultSource.MANUAL,
) -> ContentResult:
    """A day's totals of a piece that went out; fields left out keep what the day had."""
    check_can_edit(actor)
    check_result_day(piece, data.day)
    values = data.model_dump(exclude_unset=True)
    values.pop("day", None)
    with transaction.atomic():
        return write_result(piece=piece, day=data.day, values=values, source=source,
                            user=actor.user)  # fmt: skip


def do_delete_result(*, actor: Membership, result: ContentResult) -> None:
    check_can_edit(actor)
    result.delete()


# --- cadence targets


def do_create_cadence(*, actor: Membership, data: CadenceTargetIn) -> CadenceTarget:
    check_can_edit(actor)
    account = get_account(actor.workspace, data.account_id)
    if account.external:
        raise Invalid(_("Cadence targets are for the team's own accounts, not partners'."),
                      field="account_id")  # fmt: skip
    try:
        with transaction.atomic():
            return CadenceTarget.objects.create(
                account=account, format=data.format, per_week=data.per_week
            )
    except IntegrityError:
        raise Conflict(
            _("%(account)s already has a target for this format; change that one.")
            % {"account": account.name}
        ) from None


def do_update_cadence(
    *, actor: Membership, target: CadenceTarget, data: CadenceTargetPatch
) -> CadenceTarget:
    check_can_edit(actor)
    with transaction.atomic():
        before = lock_current(target)
        target.per_week = data.per_week
        save_changed(target, before)
    return target


def do_delete_cadence(*, actor: Membership, target: CadenceTarget) -> None:
    check_can_edit(actor)
    target.delete()
