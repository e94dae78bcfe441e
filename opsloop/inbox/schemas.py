"""Input and output shapes of notifications, preferences and watchers, for pages and the API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from opsloop.core.inputs import Bool, DateTime
from opsloop.core.schemas import UserOut

KindName = Literal[
    "assigned",
    "mentioned",
    "commented",
    "state_changed",
    "discussion",
    "meeting",
    "kpi_alert",
    "report",
    "decision",
]
TabName = Literal["unread", "all", "snoozed", "archived"]


class SnoozeIn(Schema):
    until: DateTime = Field(
        description="When the notification comes back to the inbox, unread: a time in the "
        "future, at most a year ahead (2026-11-25T09:00:00+08:00)."
    )


class PreferenceIn(Schema):
    kind: KindName
    in_app: Bool = Field(description="Show this kind in the inbox.")
    email: Bool = Field(description="Include this kind in the batched email.")


class PreferencesIn(Schema):
    preferences: list[PreferenceIn] = Field(
        max_length=20, description="The kinds to change; kinds left out keep their setting."
    )


class PreferenceOut(Schema):
    kind: KindName
    label: str = Field(description="The kind's name in the caller's language.")
    in_app: bool
    email: bool


class ProjectRefOut(Schema):
    key: str
    name: str


class NotificationOut(Schema):
    id: int
    kind: KindName
    title: str = Field(description="Rendered in the recipient's language when it was made.")
    excerpt: str
    url: str = Field(description="The page it is about, a path on this site.")
    actor: UserOut | None
    project: ProjectRefOut | None
    item_ref: str | None = Field(None, description="The item it is about (D11-42), if any.")
    created_at: datetime
    read_at: datetime | None
    archived_at: datetime | None
    snoozed_until: datetime | None

    @staticmethod
    def resolve_item_ref(obj) -> str | None:
        return obj.item.ref if obj.item_id else None


class NotificationPageOut(Schema):
    count: int = Field(description="Notifications in this state, on all pages.")
    page: int
    per_page: int
    pages: int
    results: list[NotificationOut]


class NotificationListQuery(Schema):
    state: TabName = Field(
        "unread",
        description="unread (the inbox: not read, archived or snoozed), all (not archived or "
        "snoozed), snoozed (until a later time), archived.",
    )
    page: str | None = Field(None, description="Page number, from 1.")
    per_page: str | None = Field(None, description="Rows per page, 1-200 (default 50).")


class UnreadCountOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int = Field(description="How many notifications this marked read.")


class WatcherOut(Schema):
    user: UserOut
    reason: str = Field(description="manual, created, assigned, mentioned or commented.")
    created_at: datetime
