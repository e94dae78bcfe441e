"""Writes of watches and notifications. Other apps notify through do_notify."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.utils import timezone, translation

from opsloop.core.models import Membership, User
from opsloop.inbox.models import Notification, NotificationPreference, Watch, WatchReason
from opsloop.work.models import Item, Project

Title = str | Callable[[], str]


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
    with translation.override(user.language or None):
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
) -> list[Notification]:
    """Tell each recipient once, in their language, as their preferences allow.

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
                project=project,
                item=item,
                title=_render(title, user)[:300],
                excerpt=excerpt[:1000],
                url=url[:500],
                email_due=pref.email if pref is not None else True,
                # Email only: the row exists for the digest but stays out of the inbox.
                archived_at=None if pref is None or pref.in_app else timezone.now(),
            )
        )
    return Notification.objects.bulk_create(rows)
