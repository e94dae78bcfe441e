"""Who follows what (watches) and what each person is told (notifications, preferences)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opsloop.core.models import Workspace
from opsloop.work.models import Item, Project


class WatchReason(models.TextChoices):
    MANUAL = "manual", _("Watching")
    CREATED = "created", _("Created it")
    ASSIGNED = "assigned", _("Assigned")
    MENTIONED = "mentioned", _("Mentioned")
    COMMENTED = "commented", _("Commented")


class Watch(models.Model):
    """A user follows an item, or a whole project when item is empty."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="watches")
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.CASCADE, related_name="watches"
    )
    reason = models.CharField(max_length=12, choices=WatchReason.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "item"], condition=Q(item__isnull=False), name="watch_item_unique"
            ),
            models.UniqueConstraint(
                fields=["user", "project"],
                condition=Q(item__isnull=True),
                name="watch_project_unique",
            ),
        ]


class NotificationKind(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned to me")
    MENTIONED = "mentioned", _("Mentioned me")
    COMMENTED = "commented", _("Comments on what I watch")
    STATE_CHANGED = "state_changed", _("State changes on what I watch")
    DISCUSSION = "discussion", _("Discussions")
    MEETING = "meeting", _("Meetings")
    KPI_ALERT = "kpi_alert", _("KPI alerts")
    REPORT = "report", _("Reports published to me")
    DECISION = "decision", _("Decisions: scores asked, reviews due")


class Notification(models.Model):
    """One thing a person is told about, in the inbox and (batched) by email.

    The title is stored as rendered for the recipient when it was made; project and
    item, when set, let reads hide what the recipient can no longer see."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(max_length=300)
    excerpt = models.TextField(blank=True)
    url = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    # False when the recipient takes this kind by email only: the row feeds the email
    # but never shows in the inbox.
    in_app = models.BooleanField(default=True)
    # Email: pending while email_due is set and emailed_at is not.
    email_due = models.BooleanField(default=False)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient", "workspace", "archived_at", "created_at"],
                name="notification_inbox",
            ),
            models.Index(
                fields=["email_due", "emailed_at", "recipient"], name="notification_email"
            ),
        ]


class NotificationPreference(models.Model):
    """Whether a user gets one kind of notification in the inbox and by email."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_pref_unique")
        ]


class EmailSchedule(models.Model):
    """When the next batched email to a person goes out; exists while they have email pending.

    The first pending notification creates it (and enqueues the send); later ones join it.
    A failed send pushes send_after back and counts the attempt; claimed_until keeps two
    senders from mailing the same rows at once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    send_after = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["send_after"], name="email_schedule_due")]
