"""Campaign money: budget lines and spend, ad placements with their daily figures, and
the conversion a campaign's results count (docs/money.md).

A project's budget is its budget lines (a category, a channel, the amount planned); what
was spent is its spend entries (a day, an amount with its currency, the line, partner,
cooperation or placement it went to, an invoice file). An ad placement is a campaign on
an ad platform (巨量引擎, 腾讯广告, 小红书聚光, 百度) with its spend, impressions and clicks
per day, entered, imported from the platform's export, or posted to the API; its UTM
values join it to the users' events. Results (CAC, ROAS, ROI) are computed from these
and the events, never stored.

Money is Decimal with its currency, never a float."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opsloop.channels.models import Account, Channel, Link
from opsloop.core.models import Workspace
from opsloop.files.models import File
from opsloop.partners.models import Cooperation, Partner
from opsloop.work.models import Project

MONEY = {"max_digits": 14, "decimal_places": 2}


class Category(models.TextChoices):
    ADS = "ads", _("Ads")
    KOL = "kol", _("KOL fees")
    COUPONS = "coupons", _("Coupons")
    PRIZES = "prizes", _("Prizes")
    PRODUCTION = "production", _("Production")
    OTHER = "other", _("Other")


class BudgetLine(models.Model):
    """Part of a project's budget: a category (and channel) with the amount planned."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budget_lines")
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    channel = models.ForeignKey(
        Channel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    planned = models.DecimalField(_("planned"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class Platform(models.TextChoices):
    OCEAN_ENGINE = "ocean_engine", _("Ocean Engine (巨量引擎)")
    TENCENT_ADS = "tencent_ads", _("Tencent Ads (腾讯广告)")
    XHS_JUGUANG = "xhs_juguang", _("Xiaohongshu Juguang (小红书聚光)")
    BAIDU = "baidu", _("Baidu (百度)")
    OTHER = "other", _("Other")


class Placement(models.Model):
    """An ad campaign on a platform for a project, over a period, with its UTM values."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="placements")
    name = models.CharField(_("name"), max_length=200)
    platform = models.CharField(_("platform"), max_length=14, choices=Platform.choices)
    channel = models.ForeignKey(
        Channel, null=True, blank=True, on_delete=models.SET_NULL, related_name="placements"
    )
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="placements"
    )
    # The platform's own id of the campaign or ad group, matched by imports.
    external_id = models.CharField(_("platform's ID"), max_length=100, blank=True)
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    budget_line = models.ForeignKey(
        BudgetLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="placements"
    )
    link = models.ForeignKey(
        Link, null=True, blank=True, on_delete=models.SET_NULL, related_name="placements"
    )
    # Its events: those with these UTM values (empty: not matched on that field).
    utm_source = models.CharField(max_length=100, blank=True)
    utm_campaign = models.CharField(max_length=100, blank=True)
    utm_content = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "platform", "external_id"],
                condition=~Q(external_id=""),
                name="placement_external_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name


class PlacementDay(models.Model):
    """A placement's figures on a day, as the platform reports them (one row a day)."""

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="days")
    day = models.DateField(_("day"))
    spend = models.DecimalField(_("spend"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    impressions = models.PositiveBigIntegerField(_("impressions"), default=0)
    clicks = models.PositiveBigIntegerField(_("clicks"), default=0)
    conversions = models.PositiveBigIntegerField(_("platform conversions"), null=True, blank=True)

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["placement", "day"], name="placement_day_unique")
        ]


class SpendEntry(models.Model):
    """Money spent for a project: a day, an amount, and what it went to."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="spend_entries")
    line = models.ForeignKey(
        BudgetLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="entries"
    )
    day = models.DateField(_("day"))
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.SET_NULL, related_name="spend_entries"
    )
    cooperation = models.ForeignKey(
        Cooperation, null=True, blank=True, on_delete=models.SET_NULL, related_name="spend_entries"
    )
    placement = models.ForeignKey(
        Placement, null=True, blank=True, on_delete=models.SET_NULL, related_name="spend_entries"
    )
    invoice = models.ForeignKey(
        File, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "-pk"]
        indexes = [models.Index(fields=["project", "day"], name="spend_project_day")]


class Conversion(models.Model):
    """What a conversion is for results: an event (order_paid) and the property that
    holds its revenue (amount), for the workspace (project empty) or one campaign."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    project = models.OneToOneField(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="conversion"
    )
    event = models.CharField(_("conversion event"), max_length=200)
    revenue_property = models.CharField(_("revenue property"), max_length=200, blank=True)
    # Attribution window in days from the touch; touch: first or last (the Channels
    # insight's definitions, docs/insights.md#channels).
    window_days = models.PositiveSmallIntegerField(_("window (days)"), default=30)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace"], condition=Q(project__isnull=True),
                name="conversion_one_per_workspace",
            )
        ]  # fmt: skip


class BudgetWatch(models.Model):
    """A project's budget watched through a KPI kept by money: each write of the project's
    money records the share of the budget left (%) as the KPI's value of the day, and an
    alert rule (below 0) on it fires on overspend (docs/money.md#overspend-alerts)."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="budget_watch")
    # Deleting the KPI (on the KPIs page) ends the watch.
    kpi = models.OneToOneField("goals.Kpi", on_delete=models.CASCADE, related_name="budget_watch")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
