"""What the workspace database keeps of insights: saved insights (a named query
description), their comments, and cohorts (named sets of persons other insights filter
on). The numbers themselves are always computed afresh from the event store."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opsloop.core.models import Workspace
from opsloop.events.models import Person

KIND_LABELS = {
    "trends": _("Trends"),
    "funnel": _("Funnel"),
    "retention": _("Retention"),
    "stickiness": _("Stickiness"),
    "lifecycle": _("Lifecycle"),
    "paths": _("Paths"),
    "attribution": _("Channel attribution"),
}


class Insight(models.Model):
    """A saved question: a name and a query description (opsloop/insights/query.py)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="insights")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(max_length=20)
    query = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["workspace", "-updated_at"], name="insight_recent")]

    def __str__(self) -> str:
        return self.name

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))


class InsightComment(models.Model):
    """A Markdown comment on a saved insight; body_html is its sanitized rendering."""

    insight = models.ForeignKey(Insight, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("comment"))
    body_html = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]


class CohortKind(models.TextChoices):
    STATIC = "static", _("Static")
    DYNAMIC = "dynamic", _("Dynamic")


class Cohort(models.Model):
    """A named set of persons: the persons behind a number of a query, or those whose
    traits match person filters. Static: its persons when it was saved (or refreshed),
    kept in CohortPerson. Dynamic: its definition, evaluated again whenever an insight
    filters on it, so it follows the events and the traits."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="cohorts")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=10, choices=CohortKind.choices, default=CohortKind.STATIC
    )
    # Where its persons come from: {"query": {...}, "selection": {...}}, or
    # {"persons": {"q": "...", "trait": ["city=上海", "plan"]}} (the People page's filters).
    definition = models.JSONField()
    size = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="cohort_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class CohortPerson(models.Model):
    """A person of a static cohort."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cohort", "person"], name="cohort_person_unique")
        ]


class DisplayNameKind(models.TextChoices):
    EVENT = "event", _("Event")
    PROPERTY = "property", _("Property")
    VALUE = "value", _("Property value")


class DisplayName(models.Model):
    """What a workspace calls an event name, a property key or one value of a property
    (first_order: 首单; utm_source: 来源渠道; utm_source = xiaohongshu: 小红书). Queries
    keep reading the raw identifiers; these are only what results show."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="display_names")
    kind = models.CharField(_("kind"), max_length=10, choices=DisplayNameKind.choices)
    # The event name, or the property key as queries name it (utm_source, person.city).
    key = models.CharField(_("key"), max_length=200)
    # The property's value, for kind "value"; empty otherwise.
    value = models.CharField(_("value"), max_length=500, blank=True)
    name = models.CharField(_("display name"), max_length=100)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "key", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "kind", "key", "value"], name="display_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name
