"""Reads of watches and notifications."""

from __future__ import annotations

from django.db.models import Q

from opsloop.core.models import User
from opsloop.inbox.models import Watch
from opsloop.work.models import Item, Project


def watchers_of(*, project: Project, item: Item | None = None) -> list[User]:
    """People watching the item, or the project it belongs to."""
    match = Q(project=project, item__isnull=True)
    if item is not None:
        match |= Q(item=item)
    user_ids = Watch.objects.filter(match).values("user_id")
    return list(User.objects.filter(pk__in=user_ids, is_active=True))


def is_watching(*, user: User, project: Project, item: Item | None = None) -> bool:
    return Watch.objects.filter(user=user, project=project, item=item).exists()
