"""Saved views: save a layout with its query, change, delete."""

from __future__ import annotations

from django.db import transaction
from django.http import QueryDict
from django.utils.translation import gettext as _

from opsloop.core.errors import Forbidden, Invalid
from opsloop.core.models import Membership, Role
from opsloop.core.rows import lock_current, save_changed
from opsloop.work.models import Project, SavedView
from opsloop.work.queries import (
    EDIT,
    applicable_fields,
    can_manage_project,
    check_project_permission,
    parse_item_filters,
)
from opsloop.work.schemas import SavedViewIn, SavedViewPatch


def _check_view_query(project: Project, query: str) -> str:
    """The query string as the list reads it, without its page; Invalid when it is wrong."""
    params = QueryDict(query.lstrip("?"), mutable=True)
    params.pop("page", None)
    try:
        parse_item_filters(params, fields=applicable_fields(project))
    except Invalid as exc:
        raise Invalid(f"query: {exc.message}", field="query") from None
    return params.urlencode()


def _check_view_owner(actor: Membership, view: SavedView) -> None:
    if view.owner_id == actor.user_id:
        return
    if view.shared and actor.at_least(Role.MEMBER) and can_manage_project(actor, view.project):
        return
    raise Forbidden(_("Only its owner, the project owner or an admin can change this view."))


def do_create_view(*, actor: Membership, project: Project, data: SavedViewIn) -> SavedView:
    """Save a layout with its query; a private view is seen by its owner alone."""
    if data.shared:
        check_project_permission(actor, project, EDIT)
    return SavedView.objects.create(
        workspace_id=project.workspace_id,
        project=project,
        owner=actor.user,
        name=data.name,
        layout=data.layout,
        query=_check_view_query(project, data.query),
        shared=data.shared,
    )


def do_update_view(*, actor: Membership, view: SavedView, data: SavedViewPatch) -> SavedView:
    _check_view_owner(actor, view)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if changes.get("shared"):
        check_project_permission(actor, view.project, EDIT)
    if "query" in changes:
        changes["query"] = _check_view_query(view.project, changes["query"])
    with transaction.atomic():
        before = lock_current(view)
        # Who may change it depends on whether it is shared now.
        _check_view_owner(actor, view)
        for name, value in changes.items():
            setattr(view, name, value)
        save_changed(view, before, "updated_at")
    return view


def do_delete_view(*, actor: Membership, view: SavedView) -> None:
    _check_view_owner(actor, view)
    view.delete()
