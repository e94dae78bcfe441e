"""Reads of comments."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from opsloop.collab.models import Comment
from opsloop.core.errors import NotFound
from opsloop.work.models import Item


def list_comments(item: Item) -> QuerySet[Comment]:
    return Comment.objects.filter(item=item).select_related("author").order_by("created_at", "id")


def get_comment(item: Item, comment_id: int) -> Comment:
    comment = Comment.objects.select_related("author").filter(item=item, pk=comment_id).first()
    if comment is None:
        raise NotFound(_("Comment not found."))
    return comment
