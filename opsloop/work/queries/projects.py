"""Reads of projects and what hangs off them: states, labels, members, assignable people."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from opsloop.core.errors import NotFound
from opsloop.core.models import Membership, Role, User
from opsloop.work.models import CLOSED_GROUPS, Label, Project, State, Visibility
from opsloop.work.queries.access import visible_projects


def list_projects(membership: Membership, *, include_closed: bool = True) -> QuerySet[Project]:
    projects = visible_projects(membership).select_related("owner")
    if not include_closed:
        projects = projects.exclude(stage="closed")
    return projects.annotate(
        item_count=Count("items", distinct=True),
        open_count=Count("items", filter=~Q(items__state__group__in=CLOSED_GROUPS), distinct=True),
        done_count=Count("items", filter=Q(items__state__group="done"), distinct=True),
    ).order_by("name")


def list_states(project: Project) -> QuerySet[State]:
    return State.objects.filter(project=project).order_by("sequence", "id")


def get_project_state(project: Project, state_id: int) -> State:
    """A state of the project named in a URL; 404 when it belongs to no such project."""
    state = State.objects.filter(project=project, pk=state_id).first()
    if state is None:
        raise NotFound(_("State not found."))
    state.project = project
    return state


def list_labels(workspace_id: int) -> QuerySet[Label]:
    return Label.objects.filter(workspace_id=workspace_id).order_by("name")


def get_label(workspace_id: int, label_id: int) -> Label:
    label = Label.objects.filter(workspace_id=workspace_id, pk=label_id).first()
    if label is None:
        raise NotFound(_("Label not found."))
    return label


def list_project_members(project: Project) -> QuerySet[User]:
    return User.objects.filter(project_memberships__project=project).order_by(
        "display_name", "username"
    )


def assignable_users(project: Project) -> QuerySet[User]:
    """Workspace members who can see the project (the only valid assignees)."""
    members = Membership.objects.filter(workspace_id=project.workspace_id)
    if project.visibility == Visibility.PRIVATE:
        members = members.filter(
            Q(role__in=[Role.ADMIN, Role.OWNER]) | Q(user__project_memberships__project=project)
        )
    else:
        members = members.filter(
            Q(role__in=[Role.ADMIN, Role.OWNER, Role.MEMBER])
            | Q(user__project_memberships__project=project)
        )
    return User.objects.filter(pk__in=members.values("user_id")).order_by(
        "display_name", "username"
    )
