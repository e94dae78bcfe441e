"""Saved views: a layout with its query, shared with the project or kept private."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from opsloop.core.errors import NotFound
from opsloop.core.models import Membership
from opsloop.work.models import Layout, Project, SavedView
from opsloop.work.queries.access import visible_projects


def list_saved_views(membership: Membership, project: Project) -> QuerySet[SavedView]:
    """The project's shared views and the member's own private ones."""
    return seen_saved_views(membership, SavedView.objects.filter(project=project)).order_by(
        "name", "id"
    )


def seen_saved_views(
    membership: Membership, views: QuerySet[SavedView] | None = None
) -> QuerySet[SavedView]:
    """Of these views (all the workspace's by default), those the member sees: shared
    ones of projects they see, and their own."""
    if views is None:
        views = SavedView.objects.filter(project__in=visible_projects(membership))
    return views.filter(Q(shared=True) | Q(owner_id=membership.user_id)).select_related(
        "owner", "project"
    )


def get_saved_view(membership: Membership, project: Project, view_id: int) -> SavedView:
    view = list_saved_views(membership, project).filter(pk=view_id).first()
    if view is None:
        raise NotFound(_("Saved view not found."))
    view.project = project
    return view


LAYOUT_URLS = {
    Layout.LIST: "project_items",
    Layout.BOARD: "project_board",
    Layout.TIMELINE: "project_timeline",
    Layout.CALENDAR: "project_calendar",
}


def saved_view_url(view: SavedView, workspace_slug: str, project_key: str) -> str:
    """Where a saved view opens: its layout's page with its query."""
    try:
        url = reverse(LAYOUT_URLS[Layout(view.layout)], args=[workspace_slug, project_key])
    except NoReverseMatch:
        url = reverse("project_items", args=[workspace_slug, project_key])
    return f"{url}?{view.query}" if view.query else url
