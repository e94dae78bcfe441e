"""Dependencies between items and project milestones: what the timeline draws."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from opsloop.core.models import Workspace
from opsloop.work.models import Item, Project


class DependencyKind(models.TextChoices):
    # source blocks target: finish-to-start, target cannot start before source is done.
    BLOCKS = "blocks", _("Blocks")
    RELATES = "relates", _("Relates to")
    DUPLICATES = "duplicates", _("Duplicates")


class Dependency(models.Model):
    """A link between two items of a workspace; "blocks" links are scheduled finish-to-start."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(
        _("kind"), max_length=12, choices=DependencyKind.choices, default=DependencyKind.BLOCKS
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="dependency_unique"),
            models.CheckConstraint(condition=~Q(source=F("target")), name="dependency_not_self"),
        ]
        indexes = [models.Index(fields=["target", "kind"], name="dependency_target")]


class Milestone(models.Model):
    """A dated goal of a project; its status is computed from the items that belong to it."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(_("name"), max_length=120)
    date = models.DateField(_("date"))
    description = models.TextField(_("description"), blank=True)
    items = models.ManyToManyField(Item, related_name="milestones", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return self.name
