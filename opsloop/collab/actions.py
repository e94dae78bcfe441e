"""Writes of comments, reactions and discussions: checks, rendering, versions, notifications."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opsloop.collab.models import EMOJI, Comment, CommentVersion, Discussion, Mention, Reaction
from opsloop.collab.queries import (
    Thread,
    comment_url,
    discussion_participants,
    mentionable_users,
    resolve_mentions,
    resolve_refs,
)
from opsloop.collab.rendering import (
    MentionTarget,
    find_mentions,
    find_refs,
    plain_excerpt,
    render_comment,
)
from opsloop.core.actions import check_text
from opsloop.core.errors import Conflict, Forbidden, Invalid, NotFound
from opsloop.core.models import Membership, Role, User
from opsloop.core.rows import lock_current, save_changed
from opsloop.inbox.actions import do_notify, do_watch
from opsloop.inbox.queries import watchers_of
from opsloop.work.models import Item, Project
from opsloop.work.queries import can_manage_project

MAX_COMMENT = 20_000
MAX_TITLE = 200


def _render(thread: Thread, body: str) -> tuple[str, list[User]]:
    """The comment's HTML and the members it mentions (only those who can see the thread)."""
    mentioned = resolve_mentions(thread.project, find_mentions(body))
    items_url = reverse("project_items", args=[thread.slug, thread.project.key])
    targets = {
        u.username.lower(): MentionTarget(u.label, f"{items_url}?assignee={u.pk}")
        for u in mentioned
    }
    refs = resolve_refs(thread.membership, find_refs(body))
    return render_comment(body, mentions=targets, refs=refs), mentioned


def _check_body(body: str) -> str:
    return check_text(
        body, field="body", label=_("Comment"), max_length=MAX_COMMENT, multiline=True
    )


def _thread_of(
    actor: Membership,
    item: Item | None,
    project: Project | None,
    discussion: Discussion | None,
) -> Thread:
    if item is not None:
        return Thread(actor, item.project, item=item)
    if discussion is not None:
        return Thread(actor, discussion.project, discussion=discussion)
    if project is None:
        raise Invalid(_("A comment needs an item, a project or a discussion."))
    return Thread(actor, project)


def do_add_comment(
    *,
    actor: Membership,
    body: str,
    item: Item | None = None,
    project: Project | None = None,
    discussion: Discussion | None = None,
    parent_id: int | None = None,
) -> Comment:
    """Comment on an item, a project or in a discussion the actor can see (guests too).

    A reply to a reply joins the thread of the top comment. Watchers hear of it, the
    mentioned are told so instead, and the commenter starts watching the item."""
    thread = _thread_of(actor, item, project, discussion)
    body = _check_body(body)
    if thread.discussion is not None and thread.discussion.closed:
        raise Conflict(_("This discussion is closed."))
    parent = None
    if parent_id is not None:
        parent = thread.comments().filter(pk=parent_id).first()
        if parent is None:
            raise Invalid(_("There is no such comment to reply to here."), field="parent_id")
        if parent.parent_id is not None:
            parent = thread.comments().get(pk=parent.parent_id)
    html, mentioned = _render(thread, body)
    with transaction.atomic():
        comment = Comment.objects.create(
            workspace_id=thread.project.workspace_id,
            project=thread.project,
            item=thread.item,
            discussion=thread.discussion,
            parent=parent,
            author=actor.user,
            body=body,
            body_html=html,
        )
        Mention.objects.bulk_create([Mention(comment=comment, user=u) for u in mentioned])
        if thread.discussion is not None:
            Discussion.objects.filter(pk=thread.discussion.pk).update(
                post_count=F("post_count") + 1, last_post_at=comment.created_at
            )
        _notify_comment(thread, comment, actor.user, mentioned, parent)
    return comment


def _notify_comment(
    thread: Thread, comment: Comment, actor: User, mentioned: list[User], parent: Comment | None
) -> None:
    project, item = thread.project, thread.item
    if item is not None:
        do_watch(user=actor, project=project, item=item, reason="commented")
        for user in mentioned:
            do_watch(user=user, project=project, item=item, reason="mentioned")
    url = comment_url(thread, comment)
    excerpt = plain_excerpt(comment.body)
    _tell_mentioned(thread, comment, actor, mentioned)
    if thread.discussion is not None:
        audience = [*watchers_of(project=project), *discussion_participants(thread.discussion)]
        kind = "discussion"

        def title() -> str:
            return _("%(actor)s posted in %(target)s") % {
                "actor": actor.label,
                "target": thread.name,
            }
    else:
        audience = watchers_of(project=project, item=item)
        if parent is not None and parent.author is not None:
            audience.append(parent.author)
        kind = "commented"

        def title() -> str:
            return _("%(actor)s commented on %(target)s") % {
                "actor": actor.label,
                "target": thread.name,
            }

    told = {u.pk for u in mentioned}
    do_notify(
        workspace_id=project.workspace_id,
        recipients=_who_can_see(project, [u for u in audience if u.pk not in told]),
        actor=actor,
        kind=kind,
        title=title,
        url=url,
        excerpt=excerpt,
        project=project,
        item=item,
    )


def _tell_mentioned(thread: Thread, comment: Comment, actor: User, mentioned: list[User]) -> None:
    if not mentioned:
        return

    def title() -> str:
        return _("%(actor)s mentioned you in %(target)s") % {
            "actor": actor.label,
            "target": thread.name,
        }

    do_notify(
        workspace_id=thread.project.workspace_id,
        recipients=mentioned,
        actor=actor,
        kind="mentioned",
        title=title,
        url=comment_url(thread, comment),
        excerpt=plain_excerpt(comment.body),
        project=thread.project,
        item=thread.item,
    )


def _who_can_see(project: Project, users: list[User]) -> list[User]:
    """Watchers who lost sight of the project (made private, guest unshared) hear nothing."""
    ids = {u.pk for u in users}
    if not ids:
        return []
    visible = set(mentionable_users(project).filter(pk__in=ids).values_list("pk", flat=True))
    unique = {u.pk: u for u in users if u.pk in visible}
    return list(unique.values())


def do_edit_comment(*, actor: Membership, comment: Comment, body: str) -> Comment:
    """Replace a comment's body, keeping the old one as a version; only its author may.

    Members mentioned for the first time by the edit are told."""
    thread = Thread(actor, comment.project, comment.item, comment.discussion)
    if comment.author_id != actor.user_id:
        raise Forbidden(_("You can only edit your own comments."))
    if comment.is_deleted:
        raise NotFound(_("Comment not found."))
    body = _check_body(body)
    html, mentioned = _render(thread, body)
    with transaction.atomic():
        # The version kept is the body as it is now, which another edit may have changed.
        before = lock_current(comment)
        if comment.is_deleted:
            raise NotFound(_("Comment not found."))
        if body == comment.body:
            return comment
        already = set(Mention.objects.filter(comment=comment).values_list("user_id", flat=True))
        new = [u for u in mentioned if u.pk not in already]
        CommentVersion.objects.create(
            comment=comment,
            body=comment.body,
            body_html=comment.body_html,
            written_at=comment.edited_at or comment.created_at,
            replaced_by=actor.user,
        )
        comment.body, comment.body_html, comment.edited_at = body, html, timezone.now()
        save_changed(comment, before, "updated_at")
        Mention.objects.bulk_create([Mention(comment=comment, user=u) for u in new])
        if thread.item is not None:
            for user in new:
                do_watch(user=user, project=thread.project, item=thread.item, reason="mentioned")
        _tell_mentioned(thread, comment, actor.user, new)
    return comment


def do_delete_comment(*, actor: Membership, comment: Comment) -> None:
    """Delete a comment (its author, or an admin). One with replies stays as "deleted",
    emptied of its text, versions and reactions, so that its thread survives."""
    if comment.author_id != actor.user_id and not actor.at_least(Role.ADMIN):
        raise Forbidden(_("You can only delete your own comments."))
    with transaction.atomic():
        if comment.replies.exists():
            CommentVersion.objects.filter(comment=comment).delete()
            Reaction.objects.filter(comment=comment).delete()
            Mention.objects.filter(comment=comment).delete()
            comment.body, comment.body_html = "", ""
            comment.deleted_at = timezone.now()
            comment.save(update_fields=["body", "body_html", "deleted_at", "updated_at"])
            return
        comment.delete()
        if comment.parent_id is not None:
            # The last reply gone, a deleted top comment has nothing left to hold.
            Comment.objects.filter(
                pk=comment.parent_id, deleted_at__isnull=False, replies__isnull=True
            ).delete()
        if comment.discussion_id is not None:
            Discussion.objects.filter(pk=comment.discussion_id, post_count__gt=0).update(
                post_count=F("post_count") - 1
            )


def check_emoji(emoji: str) -> str:
    if emoji not in EMOJI:
        raise Invalid(
            _("Unknown reaction; use one of: %(emoji)s.") % {"emoji": " ".join(EMOJI)},
            field="emoji",
        )
    return emoji


def do_react(*, actor: Membership, comment: Comment, emoji: str) -> Reaction:
    """Add the actor's emoji to a comment; adding it twice changes nothing."""
    check_emoji(emoji)
    if comment.is_deleted:
        raise NotFound(_("Comment not found."))
    try:
        with transaction.atomic():
            reaction, _created = Reaction.objects.get_or_create(
                comment=comment, user=actor.user, emoji=emoji
            )
    except IntegrityError:
        reaction = Reaction.objects.get(comment=comment, user=actor.user, emoji=emoji)
    return reaction


def do_unreact(*, actor: Membership, comment: Comment, emoji: str) -> None:
    check_emoji(emoji)
    Reaction.objects.filter(comment=comment, user=actor.user, emoji=emoji).delete()


def do_toggle_reaction(*, actor: Membership, comment: Comment, emoji: str) -> bool:
    """The page's reaction button: on when it was off, off when on. True when now on."""
    check_emoji(emoji)
    if Reaction.objects.filter(comment=comment, user=actor.user, emoji=emoji).exists():
        do_unreact(actor=actor, comment=comment, emoji=emoji)
        return False
    do_react(actor=actor, comment=comment, emoji=emoji)
    return True


# --- discussions


def _check_title(title: str) -> str:
    return check_text(title, field="title", label=_("Title"), max_length=MAX_TITLE)


def do_start_discussion(
    *, actor: Membership, project: Project, title: str, body: str
) -> Discussion:
    """Open a discussion in a project the actor can see, with its first post."""
    title = _check_title(title)
    _check_body(body)
    with transaction.atomic():
        discussion = Discussion.objects.create(
            workspace_id=project.workspace_id,
            project=project,
            title=title,
            author=actor.user,
            last_post_at=timezone.now(),
        )
        do_add_comment(actor=actor, discussion=discussion, body=body)
        discussion.refresh_from_db()
    return discussion


def _check_discussion_owner(actor: Membership, discussion: Discussion) -> None:
    if discussion.author_id == actor.user_id:
        return
    if actor.at_least(Role.MEMBER) and can_manage_project(actor, discussion.project):
        return
    raise Forbidden(
        _("Only the author of the discussion, the project owner or an admin can do this.")
    )


def do_update_discussion(
    *,
    actor: Membership,
    discussion: Discussion,
    title: str | None = None,
    closed: bool | None = None,
) -> Discussion:
    """Rename, close or reopen a discussion: its author, the project owner or an admin."""
    _check_discussion_owner(actor, discussion)
    if title is not None:
        title = _check_title(title)
    with transaction.atomic():
        # What is returned is the discussion as it is now (its posts counted since).
        before = lock_current(discussion)
        if title is not None:
            discussion.title = title
        if closed is not None:
            discussion.closed = closed
        save_changed(discussion, before)
    return discussion


def do_delete_discussion(*, actor: Membership, discussion: Discussion) -> None:
    """Delete a discussion and its posts: its author or a workspace admin."""
    if discussion.author_id != actor.user_id and not actor.at_least(Role.ADMIN):
        raise Forbidden(_("Only the author of the discussion or an admin can delete it."))
    discussion.delete()
