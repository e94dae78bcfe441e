"""Custom fields: those a project's items carry, a workspace's, one by id."""

from __future__ import annotations

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from opsloop.core.errors import NotFound
from opsloop.work.models import CustomField, Project


def applicable_fields(project: Project) -> QuerySet[CustomField]:
    """The workspace's fields and the project's own: the fields its items carry."""
    return CustomField.objects.filter(
        Q(project__isnull=True) | Q(project=project), workspace_id=project.workspace_id
    ).order_by(F("project_id").asc(nulls_first=True), "sequence", "id")


def workspace_fields(workspace_id: int) -> QuerySet[CustomField]:
    return CustomField.objects.filter(workspace_id=workspace_id, project__isnull=True).order_by(
        "sequence", "id"
    )


def project_own_fields(project: Project) -> QuerySet[CustomField]:
    return CustomField.objects.filter(project=project).order_by("sequence", "id")


def get_field(workspace_id: int, field_id: int, project: Project | None = None) -> CustomField:
    """A workspace-wide field, or with project a field of that project; 404 otherwise."""
    field = CustomField.objects.filter(
        workspace_id=workspace_id, pk=field_id, project=project
    ).first()
    if field is None:
        raise NotFound(_("Custom field not found."))
    return field
