"""Progress is computed, not stored; what is kept is the record of summaries sent."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from opsloop.core.models import Workspace
from opsloop.work.models import Project


class SummarySend(models.Model):
    """A weekly progress summary sent by email to a project's members: who, which week, when."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="summary_sends")
    week = models.DateField()  # the week's Monday
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The members asked for; each still a member when the email goes gets it.
    recipient_ids = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["project", "week"], name="summary_send_week")]
