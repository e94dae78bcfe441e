"""API of comments on work items."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from opsloop.collab import actions
from opsloop.collab.models import Comment
from opsloop.collab.queries import get_comment, list_comments
from opsloop.core.schemas import ERROR_CODES, ErrorOut, UserOut
from opsloop.work.queries import access_item

router = Router()

COMMENTS = ["Comments"]
ERRORS = {ERROR_CODES: ErrorOut}
COMMENTS_PATH = "/workspaces/{slug}/items/{ref}/comments"


class CommentIn(Schema):
    body: str = Field(description="Markdown, at most 20,000 characters.")


class CommentOut(Schema):
    id: int
    author: UserOut | None
    body: str
    body_html: str = Field(description="The body rendered to sanitized HTML.")
    created_at: datetime
    updated_at: datetime


@router.get(
    COMMENTS_PATH,
    response={200: list[CommentOut], **ERRORS},
    summary="List an item's comments",
    description="Oldest first.",
    tags=COMMENTS,
)
def get_comments(request: HttpRequest, slug: str, ref: str) -> list[Comment]:
    return list(list_comments(access_item(request.auth, slug, ref).item))


@router.post(
    COMMENTS_PATH,
    response={201: CommentOut, **ERRORS},
    summary="Comment on an item",
    description="Anyone who can see the item, guests included.",
    tags=COMMENTS,
)
def add_comment(request: HttpRequest, slug: str, ref: str, payload: CommentIn) -> Status[Comment]:
    access = access_item(request.auth, slug, ref)
    return Status(
        201, actions.do_add_comment(actor=access.membership, item=access.item, body=payload.body)
    )


@router.patch(
    COMMENTS_PATH + "/{comment_id}",
    response={200: CommentOut, **ERRORS},
    summary="Edit a comment",
    description="Its author only.",
    tags=COMMENTS,
)
def edit_comment(
    request: HttpRequest, slug: str, ref: str, comment_id: int, payload: CommentIn
) -> Comment:
    access = access_item(request.auth, slug, ref)
    comment = get_comment(access.item, comment_id)
    return actions.do_edit_comment(actor=access.membership, comment=comment, body=payload.body)


@router.delete(
    COMMENTS_PATH + "/{comment_id}",
    response={204: None, **ERRORS},
    summary="Delete a comment",
    description="Its author, or a workspace admin.",
    tags=COMMENTS,
)
def delete_comment(request: HttpRequest, slug: str, ref: str, comment_id: int) -> Status[None]:
    access = access_item(request.auth, slug, ref)
    actions.do_delete_comment(actor=access.membership, comment=get_comment(access.item, comment_id))
    return Status(204, None)
