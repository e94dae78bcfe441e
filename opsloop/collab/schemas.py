"""Input and output shapes of comments, reactions, timelines and discussions."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field

from opsloop.core.inputs import Bool, Int
from opsloop.core.schemas import UserOut


class CommentIn(Schema):
    body: str = Field(
        description="Markdown, at most 20,000 characters. `@username` mentions a "
        "member who can see the project; `#KEY-N` links an item."
    )
    parent_id: Int | None = Field(
        None, description="Reply to this comment (a reply to a reply joins the top comment)."
    )


class CommentPatch(Schema):
    body: str = Field(description="The new Markdown; the old body is kept as a version.")


class ReactionIn(Schema):
    emoji: str = Field(description="One of 👍 ❤️ 🎉 😄 👀 🚀 ✅ 👏.")


class DiscussionIn(Schema):
    title: str = Field(description="At most 200 characters.")
    body: str = Field(description="The first post, in Markdown.")


class DiscussionPatch(Schema):
    title: str | None = None
    closed: Bool | None = Field(None, description="A closed discussion takes no new posts.")


class ReactionOut(Schema):
    emoji: str
    count: int
    users: list[UserOut]


class CommentOut(Schema):
    id: int
    parent_id: int | None
    author: UserOut | None
    body: str
    body_html: str = Field(
        description="The body rendered to sanitized HTML, mentions and references as links."
    )
    created_at: datetime
    updated_at: datetime
    edited_at: datetime | None = Field(description="When the body last changed, if it did.")
    deleted: bool = Field(description="Deleted but kept because it has replies: no body.")
    reactions: list[ReactionOut] = []
    replies: list[CommentOut] = Field(
        [], description="Replies, oldest first (only on top-level comments of lists)."
    )

    @staticmethod
    def resolve_author(comment) -> object:
        return None if comment.deleted_at else comment.author

    @staticmethod
    def resolve_deleted(comment) -> bool:
        return comment.deleted_at is not None

    @staticmethod
    def resolve_reactions(comment) -> list:
        return getattr(comment, "reaction_list", [])

    @staticmethod
    def resolve_replies(comment) -> list:
        return getattr(comment, "reply_list", [])


class CommentVersionOut(Schema):
    body: str
    body_html: str
    written_at: datetime = Field(description="When this body was written.")
    replaced_at: datetime = Field(description="When an edit replaced it.")
    replaced_by: UserOut | None


class ChangeOut(Schema):
    id: int
    actor: UserOut | None
    verb: str = Field(description="created, updated or deleted.")
    field: str
    old_value: str = Field(description="As stored: stage and priority names, login names, ids.")
    new_value: str
    field_text: str = Field("", description="The field's name in the caller's language.")
    old_text: str = Field(
        "", description="The old value as people read it: labels, display names, 50%."
    )
    new_text: str = Field("", description="The new value as people read it.")
    item_ref: str | None = Field(description="The item changed; null for the project itself.")
    created_at: datetime

    @staticmethod
    def resolve_item_ref(change) -> str | None:
        return change.item.ref if change.item is not None else None


class EntryOut(Schema):
    type: str = Field(description="comment or change.")
    created_at: datetime
    comment: CommentOut | None = None
    change: ChangeOut | None = None

    @staticmethod
    def resolve_type(entry) -> str:
        return entry.kind


class ActivityTimelineOut(Schema):
    count: int = Field(description="Entries on all pages (top-level comments and changes).")
    page: int
    per_page: int
    pages: int
    results: list[EntryOut]

    @staticmethod
    def resolve_count(page) -> int:
        return page.total

    @staticmethod
    def resolve_results(page) -> list:
        return page.entries


class DiscussionOut(Schema):
    id: int
    title: str
    author: UserOut | None
    created_at: datetime
    last_post_at: datetime
    post_count: int
    closed: bool


class DiscussionPageOut(Schema):
    count: int
    page: int
    per_page: int
    pages: int
    results: list[DiscussionOut]

    @staticmethod
    def resolve_count(page) -> int:
        return page.total

    @staticmethod
    def resolve_results(page) -> list:
        return page.discussions
