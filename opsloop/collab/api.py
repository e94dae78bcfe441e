"""API of comments (on items, on projects, in discussions), reactions, versions, timelines,
discussions and the mention autocomplete.

Listing and adding comments is served under an item, a project and a discussion; the
operations on one comment under an item and under a project (any comment of the project,
discussion posts included). Each set is made by one function from the way its thread is
reached."""

# No `from __future__ import annotations`: ninja reads the handlers' annotations, and
# those made in comment_routes name that function's own arguments.
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from opsloop.collab import actions, queries
from opsloop.collab.models import Comment, CommentVersion, Discussion
from opsloop.collab.schemas import (
    ActivityTimelineOut,
    CommentIn,
    CommentOut,
    CommentPatch,
    CommentVersionOut,
    DiscussionIn,
    DiscussionOut,
    DiscussionPageOut,
    DiscussionPatch,
    ReactionIn,
    ReactionOut,
)
from opsloop.core.inputs import Bool
from opsloop.core.schemas import ERROR_CODES, ErrorOut, UserOut
from opsloop.work.queries import access_project

router = Router()

COMMENTS, REACTIONS, DISCUSSIONS, ACTIVITY = (
    ["Comments"],
    ["Reactions"],
    ["Discussions"],
    ["Activity"],
)
ERRORS = {ERROR_CODES: ErrorOut}
ITEM = "/workspaces/{slug}/items/{ref}"
PROJECT = "/workspaces/{slug}/projects/{key}"
DISCUSSION = PROJECT + "/discussions/{discussion_id}"


class ItemPath(Schema):
    slug: str
    ref: str


class ItemCommentPath(ItemPath):
    comment_id: int


class ItemReactionPath(ItemCommentPath):
    emoji: str


class ProjectPath(Schema):
    slug: str
    key: str


class ProjectCommentPath(ProjectPath):
    comment_id: int


class ProjectReactionPath(ProjectCommentPath):
    emoji: str


class DiscussionPath(ProjectPath):
    discussion_id: int


class PageQuery(Schema):
    page: str | None = Field(None, description="Page number, from 1.")
    per_page: str | None = Field(None, description="Entries per page, 1-100 (default 50).")


class DiscussionQuery(PageQuery):
    closed: Bool | None = Field(None, description="Only closed (true) or open (false) ones.")


class MentionQuery(Schema):
    q: str = Field("", description="The start of a username or display name, without the @.")


def _item(request: HttpRequest, path: Any) -> queries.Thread:
    return queries.access_item_thread(request.auth, path.slug, path.ref)


def _project(request: HttpRequest, path: Any) -> queries.Thread:
    return queries.access_project_thread(request.auth, path.slug, path.key)


def _discussion(request: HttpRequest, path: Any) -> queries.Thread:
    return queries.access_discussion(request.auth, path.slug, path.key, path.discussion_id)


def _reactions(request: HttpRequest, comment: Comment) -> list[queries.ReactionSummary]:
    queries.load_comments([comment], me=request.auth)
    return comment.reaction_list  # type: ignore[attr-defined]


def comment_routes(
    base: str,
    name: str,
    what: str,
    thread_path: type[Schema],
    reach: Callable[[HttpRequest, Any], queries.Thread],
) -> None:
    """Listing and adding the comments of one kind of thread, mounted under base."""

    @router.get(
        base,
        response={200: list[CommentOut], **ERRORS},
        summary=f"List {what}",
        description="Top-level comments oldest first, each with its replies and reactions.",
        tags=COMMENTS,
        operation_id=f"list_{name}",
    )
    def list_(request: HttpRequest, path: Path[thread_path]) -> list[Comment]:  # type: ignore[valid-type]
        return queries.list_comments(reach(request, path), me=request.auth)

    @router.post(
        base,
        response={201: CommentOut, **ERRORS},
        summary=f"Add to {what}",
        description="Anyone who can see it, guests included. parent_id makes a reply. "
        "Mentioned members are notified; so are the watchers.",
        tags=COMMENTS,
        operation_id=f"add_{name}",
    )
    def add(request: HttpRequest, path: Path[thread_path], payload: CommentIn) -> Status[Comment]:  # type: ignore[valid-type]
        thread = reach(request, path)
        return Status(
            201,
            actions.do_add_comment(
                actor=thread.membership,
                item=thread.item,
                project=thread.project,
                discussion=thread.discussion,
                body=payload.body,
                parent_id=payload.parent_id,
            ),
        )


def one_comment_routes(
    one: str,
    name: str,
    what: str,
    paths: tuple[type[Schema], type[Schema]],
    find: Callable[[HttpRequest, Any], tuple[queries.Thread, Comment]],
) -> None:
    """Editing, deleting, versions and reactions of one comment, mounted at one."""
    comment_path, reaction_path = paths

    @router.patch(
        one,
        response={200: CommentOut, **ERRORS},
        summary=f"Edit one of {what}",
        description="Its author only; the previous body is kept as a version.",
        tags=COMMENTS,
        operation_id=f"edit_{name}",
    )
    def edit(request: HttpRequest, path: Path[comment_path], payload: CommentPatch) -> Comment:  # type: ignore[valid-type]
        thread, comment = find(request, path)
        return actions.do_edit_comment(actor=thread.membership, comment=comment, body=payload.body)

    @router.delete(
        one,
        response={204: None, **ERRORS},
        summary=f"Delete one of {what}",
        description="Its author, or a workspace admin. One with replies stays, marked deleted.",
        tags=COMMENTS,
        operation_id=f"delete_{name}",
    )
    def delete(request: HttpRequest, path: Path[comment_path]) -> Status[None]:  # type: ignore[valid-type]
        thread, comment = find(request, path)
        actions.do_delete_comment(actor=thread.membership, comment=comment)
        return Status(204, None)

    @router.get(
        one + "/versions",
        response={200: list[CommentVersionOut], **ERRORS},
        summary=f"Earlier versions of one of {what}",
        description="Every body the comment had before an edit, newest first.",
        tags=COMMENTS,
        operation_id=f"versions_{name}",
    )
    def versions(request: HttpRequest, path: Path[comment_path]) -> list[CommentVersion]:  # type: ignore[valid-type]
        _thread, comment = find(request, path)
        return list(queries.list_versions(comment))

    @router.post(
        one + "/reactions",
        response={200: list[ReactionOut], **ERRORS},
        summary=f"React to one of {what}",
        description="Adds the caller's emoji (once; adding it again changes nothing). "
        "Answers the comment's reactions.",
        tags=REACTIONS,
        operation_id=f"react_{name}",
    )
    def react(request: HttpRequest, path: Path[comment_path], payload: ReactionIn) -> list:  # type: ignore[valid-type]
        thread, comment = find(request, path)
        actions.do_react(actor=thread.membership, comment=comment, emoji=payload.emoji)
        return _reactions(request, comment)

    @router.delete(
        one + "/reactions/{emoji}",
        response={204: None, **ERRORS},
        summary=f"Take back a reaction to one of {what}",
        description="Removes the caller's emoji, if they gave it.",
        tags=REACTIONS,
        operation_id=f"unreact_{name}",
    )
    def unreact(request: HttpRequest, path: Path[reaction_path]) -> Status[None]:  # type: ignore[valid-type]
        thread, comment = find(request, path)
        actions.do_unreact(actor=thread.membership, comment=comment, emoji=path.emoji)
        return Status(204, None)


def _item_comment(request: HttpRequest, path: Any) -> tuple[queries.Thread, Comment]:
    thread = _item(request, path)
    return thread, queries.get_comment(thread, path.comment_id)


def _project_comment(request: HttpRequest, path: Any) -> tuple[queries.Thread, Comment]:
    thread = _project(request, path)
    return thread, queries.get_project_comment(thread, path.comment_id)


comment_routes(ITEM + "/comments", "item_comments", "an item's comments", ItemPath, _item)
one_comment_routes(
    ITEM + "/comments/{comment_id}",
    "item_comment",
    "an item's comments",
    (ItemCommentPath, ItemReactionPath),
    _item_comment,
)
comment_routes(
    PROJECT + "/comments", "project_comments", "a project's comments", ProjectPath, _project
)
# Any comment of the project by its id: on the project, on one of its items, or a post of
# one of its discussions (discussion posts are edited and reacted to here).
one_comment_routes(
    PROJECT + "/comments/{comment_id}",
    "project_comment",
    "the comments in a project",
    (ProjectCommentPath, ProjectReactionPath),
    _project_comment,
)
comment_routes(
    DISCUSSION + "/posts", "discussion_posts", "a discussion's posts", DiscussionPath, _discussion
)


@router.get(
    ITEM + "/timeline",
    response={200: ActivityTimelineOut, **ERRORS},
    summary="An item's timeline",
    description="Comments (with replies and reactions) and field changes interleaved, "
    "oldest first, paginated.",
    tags=ACTIVITY,
)
def item_timeline(request: HttpRequest, slug: str, ref: str, params: Query[PageQuery]):
    thread = queries.access_item_thread(request.auth, slug, ref)
    return queries.item_timeline(
        thread, page=params.page, per_page=params.per_page, me=request.auth
    )


@router.get(
    PROJECT + "/activity",
    response={200: ActivityTimelineOut, **ERRORS},
    summary="A project's activity",
    description="The project's comments and the changes to it and its items, newest first, "
    "paginated.",
    tags=ACTIVITY,
)
def project_activity(request: HttpRequest, slug: str, key: str, params: Query[PageQuery]):
    thread = queries.access_project_thread(request.auth, slug, key)
    return queries.project_activity(
        thread, page=params.page, per_page=params.per_page, me=request.auth
    )


@router.get(
    PROJECT + "/mentionable",
    response={200: list[UserOut], **ERRORS},
    summary="Members who can be mentioned",
    description="Members who can see the project whose username or display name starts "
    "with q (at most 8): what the comment editor offers after an @.",
    tags=COMMENTS,
)
def mentionable(request: HttpRequest, slug: str, key: str, params: Query[MentionQuery]):
    access = access_project(request.auth, slug, key)
    return queries.search_mentionable(access.project, params.q)


@router.get(
    PROJECT + "/discussions",
    response={200: DiscussionPageOut, **ERRORS},
    summary="List a project's discussions",
    description="Most recently active first, paginated.",
    tags=DISCUSSIONS,
)
def list_discussions(request: HttpRequest, slug: str, key: str, params: Query[DiscussionQuery]):
    access = access_project(request.auth, slug, key)
    return queries.list_discussions(
        access.project, closed=params.closed, page=params.page, per_page=params.per_page
    )


@router.post(
    PROJECT + "/discussions",
    response={201: DiscussionOut, **ERRORS},
    summary="Start a discussion",
    description="A title and the first post. Anyone who can see the project, guests included.",
    tags=DISCUSSIONS,
)
def start_discussion(
    request: HttpRequest, slug: str, key: str, payload: DiscussionIn
) -> Status[Discussion]:
    access = access_project(request.auth, slug, key)
    discussion = actions.do_start_discussion(
        actor=access.membership, project=access.project, title=payload.title, body=payload.body
    )
    return Status(201, discussion)


@router.get(
    DISCUSSION,
    response={200: DiscussionOut, **ERRORS},
    summary="A discussion",
    description="Its posts are at .../posts.",
    tags=DISCUSSIONS,
)
def get_discussion(request: HttpRequest, slug: str, key: str, discussion_id: int) -> Discussion:
    thread = queries.access_discussion(request.auth, slug, key, discussion_id)
    assert thread.discussion is not None
    return thread.discussion


@router.patch(
    DISCUSSION,
    response={200: DiscussionOut, **ERRORS},
    summary="Rename, close or reopen a discussion",
    description="Its author, the project owner or a workspace admin.",
    tags=DISCUSSIONS,
)
def patch_discussion(
    request: HttpRequest, slug: str, key: str, discussion_id: int, payload: DiscussionPatch
) -> Discussion:
    thread = queries.access_discussion(request.auth, slug, key, discussion_id)
    assert thread.discussion is not None
    return actions.do_update_discussion(
        actor=thread.membership,
        discussion=thread.discussion,
        title=payload.title,
        closed=payload.closed,
    )


@router.delete(
    DISCUSSION,
    response={204: None, **ERRORS},
    summary="Delete a discussion",
    description="With all its posts. Its author or a workspace admin.",
    tags=DISCUSSIONS,
)
def delete_discussion(request: HttpRequest, slug: str, key: str, discussion_id: int):
    thread = queries.access_discussion(request.auth, slug, key, discussion_id)
    assert thread.discussion is not None
    actions.do_delete_discussion(actor=thread.membership, discussion=thread.discussion)
    return Status(204, None)
