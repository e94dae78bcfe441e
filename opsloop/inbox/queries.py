"""Reads of watches, notifications and preferences, with the recipient's access checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from opsloop.core.errors import Invalid, NotFound
from opsloop.core.models import Membership, User
from opsloop.core.paging import Paged, page_numbers
from opsloop.inbox.models import Notification, NotificationKind, NotificationPreference, Watch
from opsloop.work.models import Item, Project

# The item lists' page checks, so that both lists refuse the same bad input the same way.
from opsloop.work.queries import assignable_users, visible_projects

TABS = ("unread", "all", "snoozed", "archived")


def watchers_of(*, project: Project, item: Item | None = None) -> list[User]:
    """People watching the item, or the project it belongs to."""
    match = Q(project=project, item__isnull=True)
    if item is not None:
        match |= Q(item=item)
    user_ids = Watch.objects.filter(match).values("user_id")
    return list(User.objects.filter(pk__in=user_ids, is_active=True))


def is_watching(*, user: User, project: Project, item: Item | None = None) -> bool:
    return Watch.objects.filter(user=user, project=project, item=item).exists()


@dataclass(frozen=True)
class WatchState:
    """Whether a user watches an item (or project) itself, and whether through its project."""

    watching: bool
    via_project: bool


def watch_state(*, user: User, project: Project, item: Item | None = None) -> WatchState:
    if item is None:
        return WatchState(is_watching(user=user, project=project), False)
    found = set(
        Watch.objects.filter(user=user, project=project)
        .filter(Q(item=item) | Q(item__isnull=True))
        .values_list("item_id", flat=True)
    )
    return WatchState(item.pk in found, None in found)


def list_watchers(*, project: Project, item: Item | None = None) -> QuerySet[Watch]:
    """Who watches the item (or the project itself), among people who can still see it."""
    return (
        Watch.objects.filter(project=project, item=item, user__in=assignable_users(project))
        .select_related("user")
        .order_by("created_at", "id")
    )


# --- the inbox


def inbox(membership: Membership) -> QuerySet[Notification]:
    """The member's notifications in the workspace, about what they can still see."""
    return Notification.objects.filter(
        recipient_id=membership.user_id, workspace_id=membership.workspace_id, in_app=True
    ).filter(Q(project__isnull=True) | Q(project__in=visible_projects(membership)))


def _tab_filter(tab: str, now: datetime) -> Q:
    awake = Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=now)
    if tab == "unread":
        return Q(archived_at__isnull=True, read_at__isnull=True) & awake
    if tab == "all":
        return Q(archived_at__isnull=True) & awake
    if tab == "snoozed":
        return Q(archived_at__isnull=True, snoozed_until__gt=now)
    if tab == "archived":
        return Q(archived_at__isnull=False)
    raise Invalid(_("state must be one of %(tabs)s.") % {"tabs": ", ".join(TABS)}, field="state")


def _tab_order(tab: str) -> tuple:
    if tab == "snoozed":
        return ("snoozed_until", "id")
    if tab == "archived":
        return ("-archived_at", "-id")
    # A notification back from a snooze sorts as if it arrived when it woke.
    return (Coalesce("snoozed_until", "created_at").desc(), "-id")


@dataclass
class NotificationPage(Paged):
    notifications: list[Notification]
    total: int
    page: int
    per_page: int


def list_notifications(
    membership: Membership,
    *,
    tab: str = "unread",
    page: int | str | None = 1,
    per_page: int | str | None = 50,
) -> NotificationPage:
    """One page of a tab of the inbox, newest first; two queries whatever the page size."""
    number, size = page_numbers(page, per_page)
    rows = inbox(membership).filter(_tab_filter(tab, timezone.now()))
    total = rows.count()
    start = (number - 1) * size
    notifications = list(
        rows.select_related("actor", "project", "item__project").order_by(*_tab_order(tab))[
            start : start + size
        ]
    )
    return NotificationPage(notifications, total, number, size)


def inbox_counts(membership: Membership) -> dict[str, int]:
    """How many notifications are unread and how many snoozed, in one query."""
    now = timezone.now()
    return inbox(membership).aggregate(
        unread=Count("pk", filter=_tab_filter("unread", now)),
        snoozed=Count("pk", filter=_tab_filter("snoozed", now)),
    )


def unread_count(membership: Membership) -> int:
    return inbox(membership).filter(_tab_filter("unread", timezone.now())).count()


def get_notification(membership: Membership, notification_id: int) -> Notification:
    """One of the member's own notifications; 404 for anybody else's, or one about a project
    they can no longer see."""
    notification = (
        inbox(membership)
        .select_related("actor", "project", "item__project")
        .filter(pk=notification_id)
        .first()
    )
    if notification is None:
        raise NotFound(_("Notification not found."))
    return notification


def is_local_url(url: str) -> bool:
    """A path on this site: where opening a notification may lead."""
    return url.startswith("/") and not url.startswith(("//", "/\\"))


def snooze_presets(now: datetime | None = None) -> dict[str, datetime]:
    """Tomorrow at 9:00 and next Monday at 9:00, in the site's time zone."""
    today = timezone.localdate(now or timezone.now())
    tomorrow = today + timedelta(days=1)
    monday = today + timedelta(days=7 - today.weekday())
    return {
        "tomorrow": timezone.make_aware(datetime.combine(tomorrow, time(9))),
        "monday": timezone.make_aware(datetime.combine(monday, time(9))),
    }


# --- preferences


@dataclass(frozen=True)
class Preference:
    kind: str
    label: str
    in_app: bool
    email: bool


def list_preferences(user: User) -> list[Preference]:
    """Every kind of notification with the user's choice (both on unless they changed it)."""
    stored = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
    out = []
    for kind, label in NotificationKind.choices:
        pref = stored.get(kind)
        out.append(
            Preference(
                kind=kind,
                label=str(label),
                in_app=pref.in_app if pref else True,
                email=pref.email if pref else True,
            )
        )
    return out
