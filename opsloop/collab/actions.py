"""Writes of comments: checks, sanitized rendering, activity."""

from __future__ import annotations

from django.utils.translation import gettext as _

from opsloop.collab.models import Comment
from opsloop.core.actions import check_text
from opsloop.core.errors import Forbidden
from opsloop.core.markdown import render_markdown
from opsloop.core.models import Membership
from opsloop.work.models import Item

MAX_COMMENT = 20_000


def do_add_comment(*, actor: Membership, item: Item, body: str) -> Comment:
    """Comment on an item the actor can see (guests may comment too)."""
    body = check_text(body, field="body", label=_("Comment"), max_length=MAX_COMMENT)
    return Comment.objects.create(
        workspace_id=item.workspace_id,
        item=item,
        author=actor.user,
        body=body,
        body_html=render_markdown(body),
    )


def do_edit_comment(*, actor: Membership, comment: Comment, body: str) -> Comment:
    if comment.author_id != actor.user_id:
        raise Forbidden(_("You can only edit your own comments."))
    comment.body = check_text(body, field="body", label=_("Comment"), max_length=MAX_COMMENT)
    comment.body_html = render_markdown(comment.body)
    comment.save(update_fields=["body", "body_html", "updated_at"])
    return comment


def do_delete_comment(*, actor: Membership, comment: Comment) -> None:
    if comment.author_id != actor.user_id and not actor.at_least("admin"):
        raise Forbidden(_("You can only delete your own comments."))
    comment.delete()
