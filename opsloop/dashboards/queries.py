"""Reads of dashboards that pages and the API share: which dashboards a member sees,
their tiles, their share links, and a share link by its token. What each tile shows is
in opsloop/dashboards/tiles.py."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from opsloop.core.errors import NotFound
from opsloop.core.models import Membership, Role, User
from opsloop.core.queries import hash_token
from opsloop.dashboards.models import Dashboard, DashboardShare, DashboardTile
from opsloop.goals import queries as goal_queries
from opsloop.work import queries as work_queries


def access_dashboards(user: User, slug: str) -> Membership:
    """Members and above see dashboards: their tiles show KPIs and the users' events."""
    return goal_queries.access_goals(user, slug)


def visible_dashboards(membership: Membership) -> QuerySet[Dashboard]:
    """The workspace's dashboards and the member's own personal ones."""
    return Dashboard.objects.filter(workspace_id=membership.workspace_id).filter(
        Q(personal=False) | Q(owner_id=membership.user_id)
    )


def list_dashboards(membership: Membership) -> list[Dashboard]:
    """Each with `tile_count`; the member's personal ones first."""
    dashboards = (
        visible_dashboards(membership)
        .select_related("owner")
        .annotate(tile_count=Count("tiles"))
        .order_by("-personal", "name", "pk")
    )
    return list(dashboards)


def get_dashboard(membership: Membership, dashboard_id: int) -> Dashboard:
    """Another member's personal dashboard is as unknown as one that does not exist."""
    dashboard = (
        visible_dashboards(membership)
        .select_related("owner", "workspace")
        .filter(pk=dashboard_id)
        .first()
    )
    if dashboard is None:
        raise NotFound(_("No such dashboard."))
    return dashboard


def may_change(membership: Membership, dashboard: Dashboard) -> bool:
    """A personal dashboard is its owner's alone; a workspace one its owner's and the
    admins'."""
    if dashboard.owner_id == membership.user_id:
        return True
    return not dashboard.personal and membership.at_least(Role.ADMIN)


def list_tiles(dashboard: Dashboard) -> list[DashboardTile]:
    return list(
        DashboardTile.objects.filter(dashboard=dashboard)
        .select_related("kpi", "insight", "objective", "project")
        .order_by("y", "x", "pk")
    )


def get_tile(dashboard: Dashboard, tile_id: int) -> DashboardTile:
    tile = next((t for t in list_tiles(dashboard) if t.pk == tile_id), None)
    if tile is None:
        raise NotFound(_("No such tile on this dashboard."))
    return tile


def list_shares(dashboard: Dashboard) -> list[DashboardShare]:
    return list(DashboardShare.objects.filter(dashboard=dashboard).select_related("created_by"))


def get_share(dashboard: Dashboard, share_id: int) -> DashboardShare:
    share = DashboardShare.objects.filter(dashboard=dashboard, pk=share_id).first()
    if share is None:
        raise NotFound(_("No such share link."))
    return share


def share_by_token(raw: str) -> tuple[DashboardShare, Membership]:
    """A live link by its token and the membership its tiles are read as: whoever made
    the link, while they still may see the dashboard. Unknown, expired and revoked links,
    and links whose maker left or lost the dashboard, are all 404."""
    share = (
        DashboardShare.objects.select_related("dashboard__workspace", "dashboard__owner")
        .filter(token_hash=hash_token(raw or ""), revoked_at__isnull=True)
        .filter(expires_at__gt=timezone.now())
        .first()
    )
    gone = NotFound(_("This link does not exist or has expired."))
    if share is None:
        raise gone
    if share.created_by_id is None:
        raise gone
    viewer = (
        Membership.objects.select_related("workspace", "user")
        .filter(workspace_id=share.dashboard.workspace_id, user_id=share.created_by_id)
        .first()
    )
    if viewer is None or not viewer.at_least(Role.MEMBER):
        raise gone
    if share.dashboard.personal and share.dashboard.owner_id != viewer.user_id:
        raise gone
    return share, viewer


def objective_choices(membership: Membership) -> QuerySet:
    """The objectives a tile may show, latest period first, for the tile form."""
    return goal_queries.list_objectives(membership).order_by("-start_date", "title")


def project_choices(membership: Membership) -> QuerySet:
    """The projects a burn-up or at-risk tile may show, by name, for the tile form."""
    return work_queries.visible_projects(membership).order_by("name")
