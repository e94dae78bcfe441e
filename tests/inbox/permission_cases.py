"""Who may call this app's API routes and pages (see tests/test_api_permissions.py and
tests/test_page_permissions.py, which read this module)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from opsloop.inbox.actions import do_notify

EVERYONE = "200 200 200 200 200"
MEMBERS = "200 200 200 200 404"
# A notification is its recipient's alone (here the owner's): anybody else's id is unknown.
RECIPIENT = "200 404 404 404 404"


def _until(context: dict) -> dict:
    return {"until": (timezone.now() + timedelta(days=1)).isoformat()}


# (method, path) -> (statuses of owner admin member guest outsider on a shared project, body)
API_ROUTES: dict = {
    ("GET", "/workspaces/{slug}/notifications"): (MEMBERS, None),
    ("GET", "/workspaces/{slug}/notifications/unread-count"): (MEMBERS, None),
    ("POST", "/workspaces/{slug}/notifications/read-all"): (MEMBERS, None),
    ("POST", "/workspaces/{slug}/notifications/{notification_id}/read"): (RECIPIENT, None),
    ("POST", "/workspaces/{slug}/notifications/{notification_id}/unread"): (RECIPIENT, None),
    ("POST", "/workspaces/{slug}/notifications/{notification_id}/archive"): (RECIPIENT, None),
    ("POST", "/workspaces/{slug}/notifications/{notification_id}/unarchive"): (RECIPIENT, None),
    ("POST", "/workspaces/{slug}/notifications/{notification_id}/snooze"): (RECIPIENT, _until),
    ("GET", "/me/notification-preferences"): (EVERYONE, None),
    ("PUT", "/me/notification-preferences"): (
        EVERYONE,
        lambda c: {"preferences": [{"kind": "commented", "in_app": True, "email": False}]},
    ),
    # Anyone who can see an item or project may watch it, guests included.
    ("GET", "/workspaces/{slug}/items/{ref}/watchers"): (MEMBERS, None),
    ("POST", "/workspaces/{slug}/items/{ref}/watchers"): (MEMBERS, None),
    ("DELETE", "/workspaces/{slug}/items/{ref}/watchers"): ("204 204 204 204 404", None),
    ("GET", "/workspaces/{slug}/projects/{key}/watchers"): (MEMBERS, None),
    ("POST", "/workspaces/{slug}/projects/{key}/watchers"): (MEMBERS, None),
    ("DELETE", "/workspaces/{slug}/projects/{key}/watchers"): ("204 204 204 204 404", None),
}

ALL = dict(owner="ok", admin="ok", member="ok", guest="ok", shared_guest="ok", outsider=404)
OWNERS_ONLY = dict(owner="ok", admin=404, member=404, guest=404, shared_guest=404, outsider=404)
SEES_D11 = dict(owner="ok", admin="ok", member="ok", guest=404, shared_guest="ok", outsider=404)

PAGE_CASES: list = [
    ("GET", "inbox", "/w/acme/inbox/", ALL),
    ("GET", "inbox", "/w/acme/inbox/?tab=archived", ALL),
    ("GET", "inbox_count", "/w/acme/inbox/count/", ALL),
    ("POST", "inbox_read_all", "/w/acme/inbox/read-all/", ALL),
    ("GET", "inbox_preferences", "/w/acme/inbox/preferences/", ALL),
    ("POST", "inbox_preferences", "/w/acme/inbox/preferences/", ALL),
    ("GET", "inbox_open", "/w/acme/inbox/{notification_id}/open/", {**OWNERS_ONLY, "owner": 302}),
    ("POST", "inbox_notification", "/w/acme/inbox/{notification_id}/", OWNERS_ONLY),
    ("POST", "item_watch", "/w/acme/i/D11-1/watch/", SEES_D11),
    ("POST", "project_watch", "/w/acme/p/D11/watch/", SEES_D11),
]
PAGE_POST_DATA: dict = {
    "inbox_preferences": {"in_app_assigned": "on", "email_assigned": "on"},
    "inbox_notification": {"op": "archive", "tab": "unread"},
    "item_watch": {"watch": "1"},
    "project_watch": {"watch": "1"},
}


def _notify_owner(owner_ms, project, item, title: str) -> int:
    [notification] = do_notify(
        workspace_id=project.workspace_id,
        recipients=[owner_ms.user],
        actor=None,
        kind="mentioned",
        title=title,
        url=f"/w/{owner_ms.workspace.slug}/i/{item.ref}/",
        excerpt=title,
        project=project,
        item=item,
    )
    return notification.pk


def project_context(*, owner_ms, project, item, tag) -> dict:
    """Ids the API routes above need, made in `project` (its names carry `tag`)."""
    return {"notification_id": _notify_owner(owner_ms, project, item, f"{tag} 提到了你")}


def page_context(*, owner_ms, project, item) -> dict:
    """Ids the pages above need, made in D11."""
    return {"notification_id": _notify_owner(owner_ms, project, item, "有人提到了你")}
