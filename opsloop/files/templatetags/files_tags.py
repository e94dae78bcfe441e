"""Template tags that other apps' pages use to show this app's part of an item or project."""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.urls import reverse

from opsloop.core.models import Role
from opsloop.files import queries
from opsloop.files.uploads import max_upload_bytes

register = template.Library()


def _comment_files(context, comment) -> list:
    """A comment's files. The first comment of a thread (an item's comments, a discussion's
    posts, a project's comments) fetches those of the whole thread in one query."""
    if comment.item_id:
        thread = {"comment__item_id": comment.item_id}
    elif getattr(comment, "discussion_id", None):
        thread = {"comment__discussion_id": comment.discussion_id}
    else:
        thread = {
            "comment__project_id": comment.project_id,
            "comment__item__isnull": True,
            "comment__discussion__isnull": True,
        }
    key = tuple(sorted(thread.items()))
    cache = context.render_context.setdefault("files_comment_attachments", {})
    if key not in cache:
        cache[key] = queries.thread_attachments(**thread)
    return cache[key].get(comment.pk, [])


@register.simple_tag(takes_context=True)
def attachments(context, item=None, project=None, comment=None, meeting=None) -> str:
    """A compact list of the files attached to an item, comment or meeting, with an upload
    drop zone for members. The page has already checked that the reader sees the thing."""
    membership = context.get("membership")
    if membership is None:
        return ""
    if item is not None:
        kind, target, files = "item", item, list(queries.attachments(item=item))
        place = [("item", item.ref)]
    elif comment is not None:
        kind, target, files = "comment", comment, _comment_files(context, comment)
        place = [("comment_id", comment.pk)]
    elif meeting is not None:
        kind, target, files = (
            "meeting",
            meeting,
            list(queries.attachments(meeting=meeting)),
        )
        place = [("meeting_id", meeting.pk)]
    else:
        return ""
    slug = membership.workspace.slug
    region = f"attachments-{kind}-{target.pk}"
    return render_to_string(
        "files/_attachments.html",
        {
            "kind": kind,
            "files": files,
            "region": region,
            "refresh": f"#{region}",
            "place": place,
            "workspace_slug": slug,
            "upload_action": reverse("files_upload", args=[slug]),
            "can_upload": membership.at_least(Role.MEMBER),
            "max_bytes": max_upload_bytes(),
        },
        request=context.get("request"),
    )
