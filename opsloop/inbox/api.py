"""API of notifications (the inbox), notification preferences and watchers."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Status

from opsloop.core.paging import page_out
from opsloop.core.queries import access_workspace
from opsloop.core.schemas import ERROR_CODES, ErrorOut
from opsloop.inbox import actions
from opsloop.inbox.models import Notification, Watch
from opsloop.inbox.queries import (
    Preference,
    get_notification,
    list_notifications,
    list_preferences,
    list_watchers,
    unread_count,
)
from opsloop.inbox.schemas import (
    MarkedOut,
    NotificationListQuery,
    NotificationOut,
    NotificationPageOut,
    PreferenceOut,
    PreferencesIn,
    SnoozeIn,
    UnreadCountOut,
    WatcherOut,
)
from opsloop.work.models import Item, Project
from opsloop.work.queries import access_item, access_project

router = Router()

NOTIFICATIONS, WATCHERS = ["Notifications"], ["Watchers"]
ERRORS = {ERROR_CODES: ErrorOut}
INBOX = "/workspaces/{slug}/notifications"
ONE = INBOX + "/{notification_id}"
ITEM_WATCHERS = "/workspaces/{slug}/items/{ref}/watchers"
PROJECT_WATCHERS = "/workspaces/{slug}/projects/{key}/watchers"


@router.get(
    INBOX,
    response={200: NotificationPageOut, **ERRORS},
    summary="List my notifications",
    description="The caller's own notifications in the workspace, newest first, about what "
    "they can still see. `state` picks the inbox tab.",
    tags=NOTIFICATIONS,
)
def get_notifications(
    request: HttpRequest, slug: str, filters: Query[NotificationListQuery]
) -> dict:
    membership = access_workspace(request.auth, slug)
    page = list_notifications(
        membership, tab=filters.state, page=filters.page, per_page=filters.per_page
    )
    return page_out(page, page.notifications)


@router.get(
    INBOX + "/unread-count",
    response={200: UnreadCountOut, **ERRORS},
    summary="Count my unread notifications",
    description="What the badge beside Inbox shows: unread, not archived, not snoozed.",
    tags=NOTIFICATIONS,
)
def get_unread_count(request: HttpRequest, slug: str) -> dict:
    return {"unread": unread_count(access_workspace(request.auth, slug))}


@router.post(
    INBOX + "/read-all",
    response={200: MarkedOut, **ERRORS},
    summary="Mark all my notifications read",
    description="Every unread notification in the caller's inbox of this workspace.",
    tags=NOTIFICATIONS,
)
def read_all(request: HttpRequest, slug: str) -> dict:
    membership = access_workspace(request.auth, slug)
    return {"marked": actions.do_mark_all_read(membership=membership)}


def _notification(request: HttpRequest, slug: str, notification_id: int) -> Notification:
    return get_notification(access_workspace(request.auth, slug), notification_id)


@router.post(
    ONE + "/read",
    response={200: NotificationOut, **ERRORS},
    summary="Mark a notification read",
    description="Only the recipient's own notifications; anybody else's answer 404.",
    tags=NOTIFICATIONS,
)
def mark_read(request: HttpRequest, slug: str, notification_id: int) -> Notification:
    notification = _notification(request, slug, notification_id)
    return actions.do_mark_read(notification=notification)


@router.post(
    ONE + "/unread",
    response={200: NotificationOut, **ERRORS},
    summary="Mark a notification unread",
    tags=NOTIFICATIONS,
)
def mark_unread(request: HttpRequest, slug: str, notification_id: int) -> Notification:
    notification = _notification(request, slug, notification_id)
    return actions.do_mark_unread(notification=notification)


@router.post(
    ONE + "/archive",
    response={200: NotificationOut, **ERRORS},
    summary="Archive a notification",
    description="It leaves the inbox for the archived tab, marked read.",
    tags=NOTIFICATIONS,
)
def archive(request: HttpRequest, slug: str, notification_id: int) -> Notification:
    notification = _notification(request, slug, notification_id)
    return actions.do_archive(notification=notification)


@router.post(
    ONE + "/unarchive",
    response={200: NotificationOut, **ERRORS},
    summary="Move a notification back to the inbox",
    tags=NOTIFICATIONS,
)
def unarchive(request: HttpRequest, slug: str, notification_id: int) -> Notification:
    notification = _notification(request, slug, notification_id)
    return actions.do_unarchive(notification=notification)


@router.post(
    ONE + "/snooze",
    response={200: NotificationOut, **ERRORS},
    summary="Snooze a notification",
    description="Hide it until `until` (in the future, at most a year ahead); it then comes "
    "back to the inbox unread.",
    tags=NOTIFICATIONS,
)
def snooze(
    request: HttpRequest, slug: str, notification_id: int, payload: SnoozeIn
) -> Notification:
    notification = _notification(request, slug, notification_id)
    return actions.do_snooze(notification=notification, until=payload.until)


@router.get(
    "/me/notification-preferences",
    response={200: list[PreferenceOut], **ERRORS},
    summary="My notification preferences",
    description="Per kind of notification: shown in the inbox, sent by email. Both are on "
    "until changed. They hold in every workspace.",
    tags=NOTIFICATIONS,
)
def get_preferences(request: HttpRequest) -> list[Preference]:
    return list_preferences(request.auth)


@router.put(
    "/me/notification-preferences",
    response={200: list[PreferenceOut], **ERRORS},
    summary="Change my notification preferences",
    description="Set the kinds given; the others keep their setting. Answers all kinds.",
    tags=NOTIFICATIONS,
)
def put_preferences(request: HttpRequest, payload: PreferencesIn) -> list[Preference]:
    actions.do_set_preferences(user=request.auth, data=payload)
    return list_preferences(request.auth)


# --- watchers


def _watchers(project: Project, item: Item | None = None) -> list[Watch]:
    return list(list_watchers(project=project, item=item))


def _watch(request: HttpRequest, project: Project, item: Item | None = None) -> Watch:
    watch = actions.do_watch(user=request.auth, project=project, item=item)
    watch.user = request.auth
    return watch


@router.get(
    ITEM_WATCHERS,
    response={200: list[WatcherOut], **ERRORS},
    summary="List an item's watchers",
    description="People who watch the item itself; its project's watchers are listed on "
    "the project.",
    tags=WATCHERS,
)
def get_item_watchers(request: HttpRequest, slug: str, ref: str) -> list[Watch]:
    item = access_item(request.auth, slug, ref).item
    return _watchers(item.project, item)


@router.post(
    ITEM_WATCHERS,
    response={200: WatcherOut, **ERRORS},
    summary="Watch an item",
    description="The caller starts watching: they hear of its state changes and comments. "
    "Anyone who can see the item, guests too; watching twice is the same as once.",
    tags=WATCHERS,
)
def watch_item(request: HttpRequest, slug: str, ref: str) -> Watch:
    item = access_item(request.auth, slug, ref).item
    return _watch(request, item.project, item)


@router.delete(
    ITEM_WATCHERS,
    response={204: None, **ERRORS},
    summary="Stop watching an item",
    description="The caller stops watching the item (not its project).",
    tags=WATCHERS,
)
def unwatch_item(request: HttpRequest, slug: str, ref: str) -> Status[None]:
    item = access_item(request.auth, slug, ref).item
    actions.do_unwatch(user=request.auth, project=item.project, item=item)
    return Status(204, None)


@router.get(
    PROJECT_WATCHERS,
    response={200: list[WatcherOut], **ERRORS},
    summary="List a project's watchers",
    description="People who watch the whole project: every item's state changes.",
    tags=WATCHERS,
)
def get_project_watchers(request: HttpRequest, slug: str, key: str) -> list[Watch]:
    return _watchers(access_project(request.auth, slug, key).project)


@router.post(
    PROJECT_WATCHERS,
    response={200: WatcherOut, **ERRORS},
    summary="Watch a project",
    description="The caller starts watching every item of the project; idempotent.",
    tags=WATCHERS,
)
def watch_project(request: HttpRequest, slug: str, key: str) -> Watch:
    return _watch(request, access_project(request.auth, slug, key).project)


@router.delete(
    PROJECT_WATCHERS,
    response={204: None, **ERRORS},
    summary="Stop watching a project",
    tags=WATCHERS,
)
def unwatch_project(request: HttpRequest, slug: str, key: str) -> Status[None]:
    project = access_project(request.auth, slug, key).project
    actions.do_unwatch(user=request.auth, project=project)
    return Status(204, None)
