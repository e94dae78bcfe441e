"""Comments (on items, on projects, as discussion posts), their versions, reactions and
mentions, and project discussions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opsloop.core.models import Workspace
from opsloop.work.models import Item, Project

# The reactions offered, in the order the page shows them.
EMOJI = ("👍", "❤️", "🎉", "😄", "👀", "🚀", "✅", "👏")


class Discussion(models.Model):
    """A conversation in a project that is not about one item; its posts are comments."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="discussions")
    title = models.CharField(_("title"), max_length=200)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_post_at = models.DateTimeField()
    post_count = models.PositiveIntegerField(default=0)
    closed = models.BooleanField(_("closed"), default=False)

    class Meta:
        ordering = ["-last_post_at", "-id"]
        indexes = [
            models.Index(fields=["project", "-last_post_at"], name="discussion_project_recent")
        ]

    def __str__(self) -> str:
        return self.title


class Comment(models.Model):
    """A Markdown comment on an item, on a project (item empty) or a discussion post.

    A reply has a parent, always a top-level comment. body_html is the sanitized rendering
    with mentions and item references resolved when it was written."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="comments")
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    discussion = models.ForeignKey(
        Discussion, null=True, blank=True, on_delete=models.CASCADE, related_name="posts"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("comment"))
    body_html = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Set when a comment with replies is deleted: it stays, emptied, to hold the thread.
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["item", "created_at"], name="comment_item_time"),
            models.Index(fields=["project", "created_at"], name="comment_project_time"),
            models.Index(fields=["discussion", "created_at"], name="comment_discussion_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(item__isnull=True) | Q(discussion__isnull=True),
                name="comment_one_target",
            )
        ]

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class CommentVersion(models.Model):
    """A body a comment had before an edit: who wrote it, and when it was replaced."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="versions")
    body = models.TextField()
    body_html = models.TextField(blank=True)
    written_at = models.DateTimeField()
    replaced_at = models.DateTimeField(auto_now_add=True)
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-replaced_at", "-id"]


class Reaction(models.Model):
    """One person's emoji on a comment; each person gives each emoji at most once."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    emoji = models.CharField(max_length=8, choices=[(e, e) for e in EMOJI])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["comment", "user", "emoji"], name="reaction_unique")
        ]


class Mention(models.Model):
    """A member a comment mentions, so an edit notifies only the newly mentioned."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["comment", "user"], name="mention_unique")]
