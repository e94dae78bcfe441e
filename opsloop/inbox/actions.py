"""Writes of watches and notifications. Other apps notify through do_notify.

Email is batched: the first notification a person may get by email schedules one send
after NOTIFICATION_EMAIL_DELAY seconds (an EmailSchedule row and a background task);
later ones join it. The send happens only in the task (or `opsloop send_notifications`),
never in the request that made the notification. A failed send leaves every row pending
and tries again later, backing off; nothing is dropped."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from opsloop.core.background import enqueue_with_transaction
from opsloop.core.errors import Invalid
from opsloop.core.models import Membership, User
from opsloop.inbox.models import (
    EmailSchedule,
    Notification,
    NotificationPreference,
    Watch,
    WatchReason,
)
from opsloop.inbox.schemas import PreferencesIn
from opsloop.work.models import Item, Project
from opsloop.work.queries import visible_projects

logger = logging.getLogger(__name__)

Title = str | Callable[[], str]

# How long a sender may hold a person's pending email before another may take it over.
CLAIM = timedelta(minutes=10)
# A schedule this far past due has lost its task (a worker that was down): enqueue again.
STALE = timedelta(minutes=10)
MAX_BACKOFF = timedelta(hours=1)
MAX_SNOOZE = timedelta(days=366)


def do_watch(
    *, user: User, project: Project, item: Item | None = None, reason: str = WatchReason.MANUAL
) -> Watch:
    """Follow an item (or the whole project when item is None); idempotent."""
    watch, _created = Watch.objects.get_or_create(
        user=user,
        project=project,
        item=item,
        defaults={"workspace_id": project.workspace_id, "reason": reason},
    )
    return watch


def do_unwatch(*, user: User, project: Project, item: Item | None = None) -> None:
    Watch.objects.filter(user=user, project=project, item=item).delete()


def _render(title: Title, user: User) -> str:
    if not callable(title):
        return title
    with translation.override(user.message_language):
        return str(title())


def do_notify(
    *,
    workspace_id: int,
    recipients: Iterable[User],
    actor: User | None,
    kind: str,
    title: Title,
    url: str,
    excerpt: str = "",
    project: Project | None = None,
    item: Item | None = None,
    email: bool = True,
) -> list[Notification]:
    """Tell each recipient once, in their language, as their preferences allow.

    email=False keeps the row out of the batched email (what it tells of was emailed
    on its own, as a published report is).

    The actor is never told of their own doing, and people who are not members of the
    workspace are silently skipped. Callers pass only people who may see the target.
    A callable title is rendered per recipient under their language."""
    by_id = {u.pk: u for u in recipients if actor is None or u.pk != actor.pk}
    if not by_id:
        return []
    members = set(
        Membership.objects.filter(workspace_id=workspace_id, user_id__in=by_id).values_list(
            "user_id", flat=True
        )
    )
    prefs = {
        p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=members, kind=kind)
    }
    project_id = project.pk if project is not None else (item.project_id if item else None)
    rows = []
    for user_id in sorted(members):
        pref = prefs.get(user_id)
        if pref is not None and not pref.in_app and not pref.email:
            continue
        user = by_id[user_id]
        rows.append(
            Notification(
                workspace_id=workspace_id,
                recipient=user,
                actor=actor,
                kind=kind,
                project_id=project_id,
                item=item,
                title=_render(title, user)[:300],
                excerpt=excerpt[:1000],
                url=url[:500],
                # Email only: the row exists for the email but stays out of the inbox.
                in_app=pref.in_app if pref is not None else True,
                email_due=email and (pref.email if pref is not None else True) and bool(user.email),
            )
        )
    with transaction.atomic():
        created = Notification.objects.bulk_create(rows)
        _schedule_email({row.recipient_id for row in rows if row.email_due})
    return created


# --- the recipient's own handling of a notification


def do_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def do_mark_unread(*, notification: Notification) -> Notification:
    notification.read_at = None
    notification.save(update_fields=["read_at"])
    return notification


def do_archive(*, notification: Notification) -> Notification:
    if notification.archived_at is None:
        notification.archived_at = timezone.now()
        notification.read_at = notification.read_at or notification.archived_at
        notification.save(update_fields=["archived_at", "read_at"])
    return notification


def do_unarchive(*, notification: Notification) -> Notification:
    notification.archived_at = None
    notification.snoozed_until = None
    notification.save(update_fields=["archived_at", "snoozed_until"])
    return notification


def do_snooze(*, notification: Notification, until: datetime) -> Notification:
    """Hide it until `until`; it comes back unread, as if it had just arrived."""
    if timezone.is_naive(until):
        until = timezone.make_aware(until)
    now = timezone.now()
    if until <= now:
        raise Invalid(_("Choose a time in the future."), field="until")
    if until > now + MAX_SNOOZE:
        raise Invalid(_("Snooze for a year at most."), field="until")
    notification.snoozed_until = until
    notification.read_at = None
    notification.archived_at = None
    notification.save(update_fields=["snoozed_until", "read_at", "archived_at"])
    return notification


def do_mark_all_read(*, membership: Membership) -> int:
    """Mark every unread notification in the member's inbox read; how many it marked."""
    from opsloop.inbox.queries import inbox

    now = timezone.now()
    awake = Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=now)
    unread = inbox(membership).filter(awake, read_at__isnull=True, archived_at__isnull=True)
    return Notification.objects.filter(pk__in=list(unread.values_list("pk", flat=True))).update(
        read_at=now
    )


def do_set_preferences(*, user: User, data: PreferencesIn) -> None:
    """Store the user's choice per kind: in the inbox, by email, both or neither."""
    with transaction.atomic():
        for pref in data.preferences:
            NotificationPreference.objects.update_or_create(
                user=user, kind=pref.kind, defaults={"in_app": pref.in_app, "email": pref.email}
            )


# --- email


def _email_delay() -> timedelta:
    return timedelta(seconds=settings.NOTIFICATION_EMAIL_DELAY)


def _enqueue_email(user_id: int, send_after: datetime) -> None:
    enqueue_with_transaction(
        "opsloop.inbox.tasks.send_notification_email", user_id, run_after=send_after
    )


def _schedule_email(user_ids: set[int]) -> None:
    """Make sure a send is scheduled for each person; the first pending row starts the clock."""
    if not user_ids:
        return
    now = timezone.now()
    existing = {
        s.user_id: s for s in EmailSchedule.objects.select_for_update().filter(user_id__in=user_ids)
    }
    for user_id in sorted(user_ids):
        schedule = existing.get(user_id)
        if schedule is None:
            send_after = now + _email_delay()
            try:
                with transaction.atomic():
                    EmailSchedule.objects.create(user_id=user_id, send_after=send_after)
            except IntegrityError:
                continue  # scheduled at this very moment by another request; that send covers it
            _enqueue_email(user_id, send_after)
        elif schedule.send_after + STALE < now and not _claimed(schedule, now):
            schedule.send_after = now
            schedule.save(update_fields=["send_after"])
            _enqueue_email(user_id, now)


def _claimed(schedule: EmailSchedule, now: datetime) -> bool:
    return schedule.claimed_until is not None and schedule.claimed_until > now


def _backoff(attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _pending(user_id: int):
    return Notification.objects.filter(
        recipient_id=user_id, email_due=True, emailed_at__isnull=True
    )


def _still_worth_sending(user: User, rows: list[Notification]) -> list[Notification]:
    """The rows to email: not seen in the inbox already, about what the user can still see."""
    now = timezone.now()
    memberships = {
        m.workspace_id: m
        for m in Membership.objects.filter(
            user=user, workspace_id__in={r.workspace_id for r in rows}
        ).select_related("workspace")
    }
    visible: dict[int, set[int]] = {}
    for workspace_id, membership in memberships.items():
        project_ids = {
            r.project_id for r in rows if r.workspace_id == workspace_id and r.project_id
        }
        visible[workspace_id] = set(
            visible_projects(membership).filter(pk__in=project_ids).values_list("pk", flat=True)
        )
    keep = []
    for row in rows:
        if row.workspace_id not in memberships:
            continue
        if row.project_id is not None and row.project_id not in visible[row.workspace_id]:
            continue
        if row.read_at or row.archived_at or (row.snoozed_until and row.snoozed_until > now):
            continue
        row.workspace = memberships[row.workspace_id].workspace
        keep.append(row)
    return keep


def do_send_notification_email(*, user_id: int, force: bool = False) -> int:
    """Email the person everything pending, in one message; how many notifications it covered.

    Without force it sends only when the schedule is due (the task's case); force sends now
    (`opsloop send_notifications`). On failure every row stays pending and the schedule moves
    back by an exponential backoff, capped at an hour, with a task enqueued for then."""
    from opsloop.inbox.email import send_digest

    now = timezone.now()
    with transaction.atomic():
        schedule = EmailSchedule.objects.select_for_update().filter(user_id=user_id).first()
        if schedule is None:
            if not force or not _pending(user_id).exists():
                return 0
            schedule = EmailSchedule.objects.create(user_id=user_id, send_after=now)
        if _claimed(schedule, now) or (not force and schedule.send_after > now):
            return 0
        user = User.objects.get(pk=user_id)
        rows = list(_pending(user_id).select_related("actor", "project", "item__project"))
        keep = _still_worth_sending(user, rows) if user.is_active and user.email else []
        kept = {r.pk for r in keep}
        dropped = [r.pk for r in rows if r.pk not in kept]
        if dropped:
            Notification.objects.filter(pk__in=dropped).update(email_due=False)
        if not keep:
            schedule.delete()
            return 0
        schedule.claimed_until = now + CLAIM
        schedule.save(update_fields=["claimed_until"])
    try:
        send_digest(user, keep)
    except Exception as exc:  # SMTP down, refused, timed out: try again later, lose nothing
        logger.warning("Notification email to user %s failed: %s", user_id, exc)
        with transaction.atomic():
            schedule = EmailSchedule.objects.select_for_update().get(user_id=user_id)
            schedule.attempts += 1
            schedule.send_after = timezone.now() + _backoff(schedule.attempts)
            schedule.claimed_until = None
            schedule.last_error = str(exc)[:300]
            schedule.save()
            _enqueue_email(user_id, schedule.send_after)
        return 0
    with transaction.atomic():
        Notification.objects.filter(pk__in=[r.pk for r in keep]).update(emailed_at=timezone.now())
        schedule = EmailSchedule.objects.select_for_update().get(user_id=user_id)
        if _pending(user_id).exists():
            # Arrived while this email was on its way: they start the next batch.
            schedule.send_after = timezone.now() + _email_delay()
            schedule.attempts = 0
            schedule.claimed_until = None
            schedule.last_error = ""
            schedule.save()
            _enqueue_email(user_id, schedule.send_after)
        else:
            schedule.delete()
    return len(keep)


def do_send_all_notification_email() -> tuple[int, int]:
    """Send every pending email now, whatever its schedule; (emails sent, people failed)."""
    user_ids = set(
        Notification.objects.filter(email_due=True, emailed_at__isnull=True).values_list(
            "recipient_id", flat=True
        )
    )
    sent = failed = 0
    for user_id in sorted(user_ids):
        if do_send_notification_email(user_id=user_id, force=True):
            sent += 1
        elif _pending(user_id).exists():
            failed += 1
    return sent, failed


def do_cancel_pending_email(*, workspace_id: int) -> int:
    """Email none of a workspace's pending notifications (they stay in the inbox).

    For made-up people, such as the demo's: their scheduled sends then find nothing."""
    return Notification.objects.filter(
        workspace_id=workspace_id, email_due=True, emailed_at__isnull=True
    ).update(email_due=False)
