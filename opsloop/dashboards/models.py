"""Dashboards: a grid of tiles that mix KPIs, insights, goals and the work, with one
date range and filters for all of them, shown on a TV or shared read-only by a link
that expires (docs/dashboards.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opsloop.core.models import Workspace
from opsloop.goals.models import Kpi, Objective
from opsloop.insights.models import Insight
from opsloop.work.models import Project


class Dashboard(models.Model):
    """A grid of tiles (KPIs, insights, goals, burn-ups, items at risk, notes) with a
    date range and filters applied to every insight tile. A workspace dashboard is seen
    by every member; a personal one by its owner alone."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="dashboards")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="dashboards"
    )
    personal = models.BooleanField(_("personal"), default=False)
    # An insights DateRange ({"preset": "last_30_days"} or custom dates) and a list of
    # insights PropertyFilter, both checked by the insights query models.
    date_range = models.JSONField(default=dict)
    filters = models.JSONField(default=list)
    refresh_seconds = models.PositiveIntegerField(_("refresh every (seconds)"), default=300)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["workspace", "personal"], name="dashboard_seen")]

    def __str__(self) -> str:
        return self.name


class TileKind(models.TextChoices):
    KPI = "kpi", _("KPI")
    INSIGHT = "insight", _("Insight")
    OBJECTIVE = "objective", _("Goal progress")
    BURNUP = "burnup", _("Project burn-up")
    AT_RISK = "at_risk", _("Items at risk")
    NOTE = "note", _("Note")
    PORTFOLIO = "portfolio", _("Portfolio")


class DashboardTile(models.Model):
    """One tile of a dashboard: what it shows and where, on a grid 12 columns wide."""

    dashboard = models.ForeignKey(Dashboard, on_delete=models.CASCADE, related_name="tiles")
    kind = models.CharField(_("kind"), max_length=10, choices=TileKind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    kpi = models.ForeignKey(Kpi, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    insight = models.ForeignKey(
        Insight, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    objective = models.ForeignKey(
        Objective, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    text = models.TextField(_("text"), blank=True)  # a note's Markdown
    # What a portfolio tile narrows to: {"kind": [...], "stage": [...]} (portfolio filters).
    options = models.JSONField(default=dict, blank=True)
    x = models.PositiveSmallIntegerField(default=0)
    y = models.PositiveSmallIntegerField(default=0)
    w = models.PositiveSmallIntegerField(default=4)
    h = models.PositiveSmallIntegerField(default=3)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["dashboard", "y", "x", "pk"]

    def __str__(self) -> str:
        return f"{self.dashboard_id} {self.kind} {self.pk}"


class DashboardShare(models.Model):
    """A read-only link to a dashboard, until it expires or is revoked. Only the token's
    hash is kept; its first characters name it in lists."""

    dashboard = models.ForeignKey(Dashboard, on_delete=models.CASCADE, related_name="shares")
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.dashboard_id} {self.prefix}"
