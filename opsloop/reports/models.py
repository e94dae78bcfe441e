"""Reports: templates of blocks (KPIs, insights, goals, the work, text), drafted from live
data on a schedule or by hand, frozen, written, reviewed and published to subscribers
(docs/reports.md).

A report's blocks are computed once, when it is drafted (or when its writer refreshes
one), and kept as JSON in the report: what it says never changes after the data does.
Each frozen block carries everything needed to show it anywhere (a page, an email, a
PDF, a spreadsheet) without live data: its title, its text, a table of plain values and
a chart's series (opsloop/reports/blocks.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opsloop.core.models import Workspace
from opsloop.work.models import Project


class Schedule(models.TextChoices):
    NONE = "none", _("By hand only")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class ReportTemplate(models.Model):
    """What a report holds (its blocks), for whom (the workspace or one project), when it
    is drafted (its schedule, in the workspace's time zone), who writes it, who reviews it
    and who receives it."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="report_templates"
    )
    # Empty: a report of the workspace, read by its members; set: of that project, read
    # by who sees the project (its guests too).
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="report_templates"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # What kind of report it is: "regular", or "retrospective" for a campaign's review
    # (drafted when a campaign closes; built on these models by the retrospective).
    purpose = models.CharField(max_length=20, default="regular")
    # The block specifications, in order (opsloop/reports/blocks.py BlockSpec).
    blocks = models.JSONField(default=list)
    schedule = models.CharField(
        _("schedule"), max_length=10, choices=Schedule.choices, default=Schedule.NONE
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), default=0)  # 0 Monday
    day = models.PositiveSmallIntegerField(_("day of the month"), default=1)  # 1-28
    hour = models.PositiveSmallIntegerField(_("hour"), default=9)  # 0-23, local
    writer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    reviewers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    subscribers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    # Addresses outside the workspace that get the published report by email.
    outside_emails = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["schedule"], name="report_template_schedule")]

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")


class PeriodKind(models.TextChoices):
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")
    CUSTOM = "custom", _("Custom")


class Report(models.Model):
    """One report of a template for one period: its blocks frozen as JSON when drafted,
    then written, reviewed and published. A template has at most one report per period
    (the schedule relies on it to draft once, however many workers run)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="reports")
    template = models.ForeignKey(
        ReportTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    title = models.CharField(_("title"), max_length=300)
    period_kind = models.CharField(max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    # The frozen blocks (opsloop/reports/blocks.py FrozenBlock as dicts), in order.
    blocks = models.JSONField(default=list)
    # Title, texts and table cells as one string: what the archive's search reads.
    search_text = models.TextField(blank=True)
    # "schedule", "manual", or "retrospective" (a campaign's, drafted when it closed)
    origin = models.CharField(max_length=20, default="manual")
    writer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    version = models.PositiveIntegerField(default=1)  # +1 at each change of its blocks
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    approved_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "period_start", "period_end"],
                condition=Q(template__isnull=False) & ~Q(origin="retrospective"),
                name="report_once_per_period",
            ),
            # A campaign's retrospective: one per campaign and period (the workspace's
            # retrospective template serves every campaign, so the one above cannot).
            models.UniqueConstraint(
                fields=["project", "period_start", "period_end"],
                condition=Q(origin="retrospective"),
                name="retrospective_once_per_period",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "status", "period_start"], name="report_archive")
        ]

    def __str__(self) -> str:
        return self.title


class EventKind(models.TextChoices):
    DRAFTED = "drafted", _("drafted")
    EDITED = "edited", _("edited a text")
    REFRESHED = "refreshed", _("refreshed a block")
    SUBMITTED = "submitted", _("submitted for review")
    APPROVED = "approved", _("approved")
    CHANGES_REQUESTED = "changes_requested", _("requested changes")
    PUBLISHED = "published", _("published")


class ReportEvent(models.Model):
    """What happened to a report, by whom and when, with the reviewer's note."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    block = models.PositiveIntegerField(null=True, blank=True)  # which block, by place
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]


class ReportComment(models.Model):
    """A comment on a report (collab's comments belong to a project's items and
    discussions; a workspace report has no project)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    body_html = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]


class ReportDelivery(models.Model):
    """One copy of a published report sent to one person or address: once each."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    email = models.CharField(max_length=254)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "email"], name="report_delivery_once")
        ]
