"""Project templates (docs/blueprints.md): a frozen copy of a project's plan, its items
with their dates as days from the project's start, their sub-items, dependencies and
custom field values, its milestones, budget lines and content slots, from which new
projects are made at any start date.

The copy is a JSON body, not rows pointing at the source project: the source may be
changed, closed or deleted afterwards and the template stays as it was saved. Its shape
is opsloop/blueprints/schemas.py's TemplateBody (version BODY_VERSION)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opsloop.core.models import Workspace
from opsloop.work.models import Project, ProjectKind

# The shape of `body`; a later shape bumps it and reads the older ones.
BODY_VERSION = 1


class TemplateVisibility(models.TextChoices):
    WORKSPACE = "workspace", pgettext_lazy("visibility", "Workspace")
    # Its maker and the workspace's admins: what a private project's template is at first,
    # so saving one does not show the private project's plan to every member.
    PRIVATE = "private", _("Private")


class ProjectTemplate(models.Model):
    """A project's plan saved to start new projects from."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="project_templates"
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=12, choices=ProjectKind.choices, default=ProjectKind.GENERAL
    )
    visibility = models.CharField(
        _("visibility"),
        max_length=10,
        choices=TemplateVisibility.choices,
        default=TemplateVisibility.WORKSPACE,
    )
    source_project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveSmallIntegerField(default=BODY_VERSION)
    body = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="template_name_unique")
        ]

    def __str__(self) -> str:
        return self.name
