"""Who may see and change a project or item: visibility, roles, and the access_* reads
that check them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from opsloop.core.errors import Forbidden, NotFound
from opsloop.core.models import Membership, Role, User
from opsloop.core.queries import access_workspace
from opsloop.work.models import Item, Project, ProjectMember, Visibility

REF_RE = re.compile(r"^([A-Za-z][A-Za-z0-9]{1,9})-(\d{1,9})$")

# What a role may do in a project it can see.
VIEW, EDIT, MANAGE = "view", "edit", "manage"


def visible_projects(membership: Membership) -> QuerySet[Project]:
    """Projects the member may see: admins all, members the workspace-visible and
    their private ones, guests only those shared with them."""
    projects = Project.objects.filter(workspace_id=membership.workspace_id)
    if membership.at_least(Role.ADMIN):
        return projects
    shared = Q(pk__in=ProjectMember.objects.filter(user_id=membership.user_id).values("project_id"))
    if membership.role == Role.GUEST:
        return projects.filter(shared)
    return projects.filter(Q(visibility=Visibility.WORKSPACE) | shared)


def can_manage_project(membership: Membership, project: Project) -> bool:
    return membership.at_least(Role.ADMIN) or project.owner_id == membership.user_id


def check_project_permission(membership: Membership, project: Project, need: str) -> None:
    if need == VIEW:
        return
    if need == EDIT and membership.at_least(Role.MEMBER):
        return
    if (
        need == MANAGE
        and can_manage_project(membership, project)
        and membership.at_least(Role.MEMBER)
    ):
        return
    raise Forbidden(
        _("Guests can only read this project.")
        if membership.role == Role.GUEST
        else _("Only the project owner or a workspace admin can do this.")
    )


@dataclass(frozen=True)
class ProjectAccess:
    membership: Membership
    project: Project


def access_project(user: User, slug: str, key: str, need: str = VIEW) -> ProjectAccess:
    membership = access_workspace(user, slug)
    project = visible_projects(membership).select_related("owner").filter(key=key.upper()).first()
    if project is None:
        raise NotFound(_("Project not found."))
    project.workspace = membership.workspace
    check_project_permission(membership, project, need)
    return ProjectAccess(membership, project)


@dataclass(frozen=True)
class ItemAccess:
    membership: Membership
    item: Item


def parse_ref(ref: str) -> tuple[str, int]:
    match = REF_RE.match(ref or "")
    if not match:
        raise NotFound(_("Item not found."))
    return match.group(1).upper(), int(match.group(2))


def access_item(user: User, slug: str, ref: str, need: str = VIEW) -> ItemAccess:
    """An item by its reference (D11-42) in a project the user can see."""
    key, number = parse_ref(ref)
    membership = access_workspace(user, slug)
    item = (
        Item.objects.select_related(
            "project", "state", "parent__project", "created_by", "updated_by"
        )
        .prefetch_related("assignees", "labels")
        .filter(project__in=visible_projects(membership), project__key=key, number=number)
        .first()
    )
    if item is None:
        raise NotFound(_("Item not found."))
    item.project.workspace = membership.workspace
    check_project_permission(membership, item.project, need)
    return ItemAccess(membership, item)
