"""What the inbox does when work changes (opsloop.work.signals): watch and notify.

Receivers run inside the work action's transaction (docs/decisions/0010): the watches and
notifications they write commit or roll back with the change itself."""

from __future__ import annotations

import html

from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from opsloop.core.markdown import render_markdown
from opsloop.core.models import User
from opsloop.inbox.actions import do_notify, do_watch
from opsloop.inbox.models import NotificationKind, WatchReason
from opsloop.inbox.queries import watchers_of
from opsloop.work.models import Activity, Item
from opsloop.work.queries import assignable_users


def plain_text(markdown: str, limit: int) -> str:
    """Markdown as one line of plain text, for an excerpt."""
    if not markdown:
        return ""
    text = html.unescape(strip_tags(render_markdown(markdown[: limit * 4])))
    return " ".join(text.split())[:limit]


def on_item_changed(
    sender,
    *,
    actor: User,
    item: Item,
    created: bool,
    changes: list[Activity],
    added_assignees: list[User],
    **kwargs,
) -> None:
    """Creator and new assignees watch the item; new assignees hear they were assigned;
    a state change tells the item's and the project's watchers. Never the actor, and only
    people who can see the project."""
    project = item.project
    if created and actor is not None:
        do_watch(user=actor, project=project, item=item, reason=WatchReason.CREATED)
    for user in added_assignees:
        do_watch(user=user, project=project, item=item, reason=WatchReason.ASSIGNED)
    state = next((a for a in changes if a.field == "state"), None)
    watchers = watchers_of(project=project, item=item) if state is not None else []
    candidates = {u.pk for u in added_assignees} | {u.pk for u in watchers}
    candidates.discard(actor.pk if actor else None)
    if not candidates:
        return
    can_see = set(assignable_users(project).filter(pk__in=candidates).values_list("pk", flat=True))
    url = reverse("item_detail", args=[project.workspace.slug, item.ref])
    who = actor.label if actor else "opsloop"
    assigned = [u for u in added_assignees if u.pk in can_see]
    do_notify(
        workspace_id=item.workspace_id,
        recipients=assigned,
        actor=actor,
        kind=NotificationKind.ASSIGNED,
        title=lambda: (
            _("%(actor)s assigned you %(ref)s %(title)s")
            % {"actor": who, "ref": item.ref, "title": item.title}
        ),
        url=url,
        excerpt=plain_text(item.description, 300),
        project=project,
        item=item,
    )
    if state is not None:
        told = {u.pk for u in assigned}
        do_notify(
            workspace_id=item.workspace_id,
            recipients=[u for u in watchers if u.pk in can_see and u.pk not in told],
            actor=actor,
            kind=NotificationKind.STATE_CHANGED,
            title=lambda: (
                _("%(actor)s moved %(ref)s to %(state)s")
                % {"actor": who, "ref": item.ref, "state": state.new_value}
            ),
            url=url,
            excerpt=f"{item.title} · {state.old_value} → {state.new_value}",
            project=project,
            item=item,
        )
