"""Content pieces: what the content team makes and publishes, with its review, its
calendar and its results (docs/content.md).

A piece belongs to a content or campaign project, goes out on a channel (and an account
of the team's there), in a format, owned by one person and reviewed by others. It moves
选题 → 创作中 → 待审核 → 已通过 → 已排期 → 已发布 → 已归档; each review is recorded.
Its body is Markdown; its assets are files of the library; its UTM link is a channels
Link. Results are snapshots: the totals a platform showed on a day (views, likes ...),
the latest being the piece's result. Cadence targets say how many pieces an account
should put out a week."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opsloop.channels.models import Account, Channel, Link
from opsloop.core.models import Workspace
from opsloop.files.models import File
from opsloop.work.models import Item, Project


class ContentFormat(models.TextChoices):
    ARTICLE = "article", _("Image and text")  # 图文
    SHORT_VIDEO = "short_video", _("Short video")
    LIVE = "live", _("Live stream")
    POSTER = "poster", _("Poster")
    LONG_FORM = "long_form", _("Long article")
    PUSH = "push", _("Push message")


class ContentStatus(models.TextChoices):
    IDEA = "idea", _("Idea")  # 选题
    WRITING = "writing", _("Writing")  # 创作中
    IN_REVIEW = "in_review", _("In review")  # 待审核
    APPROVED = "approved", _("Approved")  # 已通过
    SCHEDULED = "scheduled", _("Scheduled")  # 已排期
    PUBLISHED = "published", _("Published")  # 已发布
    ARCHIVED = "archived", _("Archived")  # 已归档


class ContentPiece(models.Model):
    """A piece of content, from idea to its published results."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="content_pieces"
    )
    title = models.CharField(_("title"), max_length=200)
    # As an account's channel: a channel with pieces stays, unless its workspace goes.
    channel = models.ForeignKey(Channel, on_delete=models.RESTRICT, related_name="pieces")
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="pieces"
    )
    # Other channels the same piece goes out on (a video cut for 抖音 and 视频号).
    also_on = models.ManyToManyField(Channel, blank=True, related_name="+")
    format = models.CharField(_("format"), max_length=12, choices=ContentFormat.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    reviewers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    tags = models.JSONField(_("topics"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ContentStatus.choices, default=ContentStatus.IDEA
    )
    planned_at = models.DateTimeField(_("planned publish time"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_url = models.URLField(_("published link"), max_length=1000, blank=True)
    body = models.TextField(_("body"), blank=True)
    body_html = models.TextField(blank=True)
    assets = models.ManyToManyField(File, blank=True, related_name="+")
    link = models.ForeignKey(
        Link, null=True, blank=True, on_delete=models.SET_NULL, related_name="pieces"
    )
    # The work item that carries the piece, when the team tracks it on a board too.
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.SET_NULL, related_name="content_pieces"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)  # the publish reminder, once
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["planned_at", "pk"]
        indexes = [
            models.Index(fields=["workspace", "planned_at"], name="piece_ws_planned"),
            models.Index(fields=["workspace", "status"], name="piece_ws_status"),
        ]

    def __str__(self) -> str:
        return self.title


class ReviewDecision(models.TextChoices):
    APPROVE = "approve", _("Approved")
    CHANGES = "changes", _("Changes requested")


class ContentReview(models.Model):
    """A reviewer's verdict on a piece, with their comment."""

    piece = models.ForeignKey(ContentPiece, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision = models.CharField(max_length=10, choices=ReviewDecision.choices)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]


class ResultSource(models.TextChoices):
    MANUAL = "manual", _("By hand")
    IMPORT = "import", _("Imported")
    API = "api", _("API")


class ContentResult(models.Model):
    """A piece's totals as the platform showed them on a day (one row per day)."""

    piece = models.ForeignKey(ContentPiece, on_delete=models.CASCADE, related_name="results")
    day = models.DateField(_("as of"))
    views = models.PositiveBigIntegerField(_("views"), null=True, blank=True)
    likes = models.PositiveBigIntegerField(_("likes"), null=True, blank=True)
    comments = models.PositiveBigIntegerField(_("comments"), null=True, blank=True)
    shares = models.PositiveBigIntegerField(_("shares"), null=True, blank=True)
    collects = models.PositiveBigIntegerField(_("collects"), null=True, blank=True)
    followers_gained = models.BigIntegerField(_("followers gained"), null=True, blank=True)
    clicks = models.PositiveBigIntegerField(_("clicks"), null=True, blank=True)
    # A video's completion rate in percent (0-100).
    completion_rate = models.DecimalField(
        _("completion rate"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    source = models.CharField(max_length=10, choices=ResultSource.choices, default="manual")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["piece", "day"], name="content_result_per_day")
        ]


class CadenceTarget(models.Model):
    """How many pieces an account should publish a week (3 小红书笔记 a week), of a
    format or of any."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="cadences")
    format = models.CharField(max_length=12, choices=ContentFormat.choices, blank=True)
    per_week = models.PositiveSmallIntegerField(_("a week"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "format"], name="cadence_unique")]
