"""The dashboard pages: the list, one dashboard (its grid, and for who may change it the
forms to add tiles, set the days and filters, and share it), one tile (what the grid
fetches for an insight not yet cached), the TV mode (?tv=1), and the read-only page a
share link opens."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from opsloop.core.errors import Invalid
from opsloop.core.models import Membership
from opsloop.core.pages import int_param, page, run_post
from opsloop.dashboards import actions, queries, tiles
from opsloop.dashboards.models import Dashboard, TileKind
from opsloop.goals import queries as goal_queries
from opsloop.insights import builder
from opsloop.insights import queries as insight_queries
from opsloop.work.models import ProjectKind, Stage

SHARE_DAYS = [1, 7, 30, 90]


@login_required
@page
def dashboards(request: HttpRequest, slug: str) -> HttpResponse:
    """The dashboards the member sees, and a form to make one."""
    membership = queries.access_dashboards(request.user, slug)

    def post() -> HttpResponse:
        dashboard = actions.do_create_dashboard(
            actor=membership,
            name=request.POST.get("name", ""),
            description=request.POST.get("description", ""),
            personal=request.POST.get("personal") == "1",
        )
        messages.success(request, _("Dashboard made: add its tiles."))
        return redirect("dashboard", slug, dashboard.pk)

    response, error = run_post(request, post)
    if response is not None:
        return response
    context = {
        "membership": membership,
        "workspace": membership.workspace,
        "nav": "dashboards",
        "dashboards": queries.list_dashboards(membership),
        "error": error,
        "posted": request.POST if error else {},
    }
    return TemplateResponse(
        request, "dashboards/dashboards.html", context, status=error.status if error else 200
    )


@login_required
@page
def dashboard(request: HttpRequest, slug: str, dashboard_id: int) -> HttpResponse:
    """The grid; ?tv=1 full screen, shown again every refresh_seconds."""
    membership = queries.access_dashboards(request.user, slug)
    board = queries.get_dashboard(membership, dashboard_id)
    response, error = run_post(request, lambda: _post(request, membership, board))
    if response is not None:
        return response
    can_change = queries.may_change(membership, board)
    context = _grid_context(request, board, membership)
    context.update(
        {
            "membership": membership,
            "workspace": membership.workspace,
            "nav": "dashboards",
            "can_change": can_change,
            "error": error,
            "posted": request.POST if error else {},
            "tile_url": reverse("dashboard_tile", args=[slug, board.pk, 0]).removesuffix("0/"),
            "layout_url": f"/api/v1/workspaces/{slug}/dashboards/{board.pk}/layout",
        }
    )
    if can_change and not context["tv"]:
        context.update(_edit_context(membership, board))
    template = "dashboards/tv.html" if context["tv"] else "dashboards/dashboard.html"
    return TemplateResponse(request, template, context, status=error.status if error else 200)


def _grid_context(request: HttpRequest, board: Dashboard, viewer: Membership) -> dict[str, Any]:
    today = insight_queries.local_today(board.workspace)
    frame = tiles.frame_of(board, viewer, today)
    first, last = frame.days
    return {
        "dashboard": board,
        "views": tiles.tile_views(board, queries.list_tiles(board), viewer=viewer, today=today),
        "first_day": first,
        "last_day": last,
        "tv": request.GET.get("tv") == "1",
        "columns": actions.COLUMNS,
    }


def _edit_context(membership: Membership, board: Dashboard) -> dict[str, Any]:
    workspace = membership.workspace
    date_range = tiles.check_date_range(board.date_range)
    return {
        "kinds": TileKind.choices,
        "project_kinds": ProjectKind.choices,
        "project_stages": Stage.choices,
        "kpis": goal_queries.list_kpis(membership),
        "insights": insight_queries.list_insights(workspace),
        "objectives": queries.objective_choices(membership),
        "projects": queries.project_choices(membership),
        "ranges": builder.RANGES,
        "operators": builder.OPERATORS,
        "range": {
            "preset": date_range.preset,
            "from": date_range.date_from or "",
            "to": date_range.date_to or "",
        },
        "filter_rows": builder.filter_rows(board.filters),
        "shares": queries.list_shares(board),
        "share_days": SHARE_DAYS,
    }


def _post(request: HttpRequest, membership: Membership, board: Dashboard) -> HttpResponse:
    op = request.POST.get("op", "")
    slug = membership.workspace.slug
    here = reverse("dashboard", args=[slug, board.pk])
    post = request.POST
    if op == "settings":
        actions.do_update_dashboard(
            actor=membership,
            dashboard=board,
            changes={
                "name": post.get("name", ""),
                "description": post.get("description", ""),
                "personal": post.get("personal") == "1",
                "date_range": builder.date_range_from_params(post),
                "filters": builder.filters_from_params(post),
                "refresh_seconds": post.get("refresh_seconds") or 300,
            },
        )
        messages.success(request, _("Dashboard saved."))
        return redirect(here)
    if op == "add_tile":
        data: dict[str, Any] = {
            key: post.get(key) or None
            for key in ("kind", "title", "kpi_id", "insight_id", "objective_id", "project_id")
        }
        data.update({"text": post.get("text", ""), "w": post.get("w") or None})
        if data["kind"] == TileKind.PORTFOLIO:
            data["options"] = {
                name: post.getlist(f"portfolio_{name}")
                for name in ("kind", "stage")
                if any(post.getlist(f"portfolio_{name}"))
            }
        actions.do_add_tile(actor=membership, dashboard=board, data=data)
        messages.success(request, _("Tile added."))
        return redirect(here)
    if op == "delete":
        actions.do_delete_dashboard(actor=membership, dashboard=board)
        messages.success(request, _("Dashboard deleted."))
        return redirect("dashboards", slug)
    if op == "share":
        created = actions.do_create_share(
            actor=membership, dashboard=board, expires_in_days=post.get("days") or 7
        )
        link = request.build_absolute_uri(reverse("dashboard_share", args=[created.raw]))
        messages.success(
            request,
            _("Share link made; copy it now, it is not shown again: %(link)s") % {"link": link},
        )
        return redirect(here)
    if op == "revoke":
        share = queries.get_share(board, int_param(post.get("share")))
        actions.do_revoke_share(actor=membership, dashboard=board, share=share)
        messages.success(request, _("Share link revoked."))
        return redirect(here)
    if op in ("edit_tile", "delete_tile"):
        tile = queries.get_tile(board, int_param(post.get("tile")))
        if op == "delete_tile":
            actions.do_delete_tile(actor=membership, dashboard=board, tile=tile)
            messages.success(request, _("Tile removed."))
        else:
            changes = {key: post[key] for key in ("title", "text", "w", "h") if key in post}
            actions.do_update_tile(actor=membership, dashboard=board, tile=tile, changes=changes)
            messages.success(request, _("Tile saved."))
        return redirect(here)
    raise Invalid(_("Unknown operation."))


@login_required
@page
def dashboard_tile(
    request: HttpRequest, slug: str, dashboard_id: int, tile_id: int
) -> HttpResponse:
    """One tile, its insight run when not cached: the grid swaps it in; opened alone, a
    page of its own."""
    membership = queries.access_dashboards(request.user, slug)
    board = queries.get_dashboard(membership, dashboard_id)
    return _tile_response(request, board, membership, tile_id, shared=False)


def _tile_response(
    request: HttpRequest, board: Dashboard, viewer: Membership, tile_id: int, *, shared: bool
) -> HttpResponse:
    tile = queries.get_tile(board, tile_id)
    view = tiles.tile_views(board, [tile], viewer=viewer, wait=True)[0]
    context = {
        "dashboard": board,
        "workspace": board.workspace,
        "membership": None if shared else viewer,
        "v": view,
        "shared": shared,
        "can_change": not shared and queries.may_change(viewer, board),
        "tv": False,
    }
    if request.headers.get("HX-Request"):
        return TemplateResponse(request, "dashboards/_tile.html#body", context)
    return TemplateResponse(request, "dashboards/tile.html", context)


@page
def dashboard_share(request: HttpRequest, token: str) -> HttpResponse:
    """The dashboard read-only, for whoever holds the link, until it expires."""
    share, viewer = queries.share_by_token(token)
    board = share.dashboard
    context = _grid_context(request, board, viewer)
    context.update(
        {
            "shared": True,
            "share": share,
            "tile_url": reverse("dashboard_share_tile", args=[token, 0]).removesuffix("0/"),
        }
    )
    template = "dashboards/tv.html" if context["tv"] else "dashboards/share.html"
    response = TemplateResponse(request, template, context)
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


@page
def dashboard_share_tile(request: HttpRequest, token: str, tile_id: int) -> HttpResponse:
    share, viewer = queries.share_by_token(token)
    return _tile_response(request, share.dashboard, viewer, tile_id, shared=True)
