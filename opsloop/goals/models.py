"""Goals (OKR style) and KPIs: objectives for a period, their key results, each measured
by a KPI, and the KPI's value recorded day by day (docs/goals.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opsloop.core.models import Workspace
from opsloop.insights.models import Cohort, Insight
from opsloop.work.models import Item, Project


class KpiSource(models.TextChoices):
    INSIGHT = "insight", _("An insight")
    MANUAL = "manual", _("Entered or imported")
    WORK = "work", _("The work")
    # Registered by an app above goals (opsloop.money: a campaign's CAC, ROAS ...):
    # sources.register_source, docs/decisions/0024.
    RESULTS = "results", _("Campaign results")


class Kpi(models.Model):
    """A number the team watches: where its value comes from (a saved insight's number,
    values entered or imported by hand, or the work itself) and its unit. Its values are
    recorded per day (KpiValue); a change of where they come from is recorded too
    (KpiChange), so old values keep the definition they were made under."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="kpis")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=KpiSource.choices)
    # insight: the insight's number ({"series": 0} ...); work: {"measure": ..., ...};
    # manual: {} (docs/goals.md#kpis).
    definition = models.JSONField(default=dict)
    insight = models.ForeignKey(
        Insight, null=True, blank=True, on_delete=models.SET_NULL, related_name="kpis"
    )
    version = models.PositiveIntegerField(default=1)  # +1 at each change of definition
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="owned_kpis",
    )  # fmt: skip
    computed_at = models.DateTimeField(null=True, blank=True)
    # Set when the last computation failed, with why; the values so far stay.
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="kpi_name_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def stale(self) -> bool:
        return bool(self.error)


class KpiValue(models.Model):
    """A KPI's value on one day (the workspace's local day), under the definition
    version it was computed or entered with."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="values")
    day = models.DateField(_("day"))
    value = models.FloatField(_("value"))
    version = models.PositiveIntegerField(default=1)
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kpi", "day"]
        constraints = [models.UniqueConstraint(fields=["kpi", "day"], name="kpi_value_day")]

    def __str__(self) -> str:
        return f"{self.kpi_id} {self.day}: {self.value}"


class KpiChange(models.Model):
    """A change of where a KPI's values come from: what it was and what it became."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="changes")
    version = models.PositiveIntegerField()  # the version it became
    before = models.JSONField()
    after = models.JSONField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kpi", "version"]


class Level(models.TextChoices):
    WORKSPACE = "workspace", _("Workspace")
    TEAM = "team", _("Team")
    PROJECT = "project", _("Project")


class PeriodKind(models.TextChoices):
    QUARTER = "quarter", _("Quarter")
    MONTH = "month", _("Month")
    CUSTOM = "custom", _("Custom")


class Objective(models.Model):
    """What the workspace, a team or a project sets out to achieve in a period; measured
    by its key results."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="objectives")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    level = models.CharField(
        _("level"), max_length=10, choices=Level.choices, default=Level.WORKSPACE
    )
    team = models.CharField(_("team"), max_length=80, blank=True)  # level team
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="objectives"
    )  # level project
    period_kind = models.CharField(
        _("period"), max_length=10, choices=PeriodKind.choices, default=PeriodKind.QUARTER
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="owned_objectives",
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_date", "title", "pk"]
        indexes = [models.Index(fields=["workspace", "start_date"], name="objective_period")]

    def __str__(self) -> str:
        return self.title


class Direction(models.TextChoices):
    INCREASE = "increase", _("Increase to")
    DECREASE = "decrease", _("Decrease to")
    BAND = "band", _("Stay within")
    # A floor or a ceiling to keep all period ("do not fall below 25.34"): met while it
    # holds, not a value to climb to (opsloop/goals/measure.py).
    AT_LEAST = "at_least", _("At least (do not fall below)")
    AT_MOST = "at_most", _("At most (do not exceed)")


class KeyResult(models.Model):
    """A measurable result of an objective: its KPI from a start value to a target (or
    kept within a band, or at least or at most a value), weighed against the objective's other key results. Projects and
    items carry the key results they are meant to move."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="key_results")
    title = models.CharField(_("title"), max_length=200)
    # RESTRICT, not PROTECT: a KPI in use cannot be deleted alone, but goes with its
    # workspace (whose objectives and key results go too).
    kpi = models.ForeignKey(Kpi, on_delete=models.RESTRICT, related_name="key_results")
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.INCREASE
    )
    start_value = models.FloatField(_("start value"), default=0)
    target_value = models.FloatField(_("target"), default=0)
    band_low = models.FloatField(_("lowest"), null=True, blank=True)
    band_high = models.FloatField(_("highest"), null=True, blank=True)
    weight = models.FloatField(_("weight"), default=1)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="owned_key_results",
    )  # fmt: skip
    sort_order = models.PositiveIntegerField(default=0)
    projects = models.ManyToManyField(Project, blank=True, related_name="key_results")
    items = models.ManyToManyField(Item, blank=True, related_name="key_results")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["objective", "sort_order", "pk"]

    def __str__(self) -> str:
        return self.title


class AlertKind(models.TextChoices):
    BELOW = "below", _("Falls below a threshold")
    CHANGE = "change", _("Moves more than a percentage day on day")
    FORECAST = "forecast", _("Leaves its forecast's range")
    WEEKDAY = "weekday", _("Unusual for its weekday")


class AlertRule(models.Model):
    """A rule on a KPI's latest value (opsloop/goals/alerts.py). When it fires, the KPI's
    owner is told in the inbox and by email, and, when asked, a work item is made in
    `project` for them with the chart attached."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(_("rule"), max_length=10, choices=AlertKind.choices)
    threshold = models.FloatField(_("threshold"), null=True, blank=True)  # below
    percent = models.FloatField(_("percent"), null=True, blank=True)  # change
    weeks = models.PositiveSmallIntegerField(_("weeks"), default=4)  # weekday
    z = models.FloatField(_("standard deviations"), default=3.0)  # weekday
    create_item = models.BooleanField(_("make a work item"), default=False)
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    enabled = models.BooleanField(default=True)
    last_fired_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kpi", "pk"]

    def __str__(self) -> str:
        return f"{self.kpi_id} {self.kind}"


class AlertFiring(models.Model):
    """A rule broken on a day: the value, what it was held against, the item made."""

    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="firings")
    day = models.DateField()
    value = models.FloatField()
    numbers = models.JSONField(default=dict)
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "-pk"]
        constraints = [models.UniqueConstraint(fields=["rule", "day"], name="alert_firing_day")]


class CampaignCohorts(models.Model):
    """The cohort a campaign project targeted and the control cohort it is held against
    (opsloop/goals/campaign.py); without them a campaign is held against the period
    before it."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="campaign_cohorts"
    )
    target = models.ForeignKey(
        Cohort, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    control = models.ForeignKey(
        Cohort, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.project_id}: {self.target_id} vs {self.control_id}"
