"""API of dashboards: the dashboards a member sees, their tiles and layout, what each
tile shows, and read-only share links (docs/dashboards.md)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema, Status
from pydantic import Field, StringConstraints

from opsloop.core.inputs import Bool, Int
from opsloop.core.models import Membership
from opsloop.core.schemas import ERROR_CODES, ErrorOut, Out, UserOut
from opsloop.dashboards import actions, queries, tiles
from opsloop.dashboards.models import Dashboard, DashboardShare

router = Router()
ERRORS = {ERROR_CODES: ErrorOut}
TAGS = ["Dashboards"]
DASHBOARDS = "/workspaces/{slug}/dashboards"
DASHBOARD = DASHBOARDS + "/{dashboard_id}"
TILES = DASHBOARD + "/tiles"
TILE = TILES + "/{tile_id}"
SHARES = DASHBOARD + "/shares"
Name = Annotated[str, StringConstraints(max_length=200)]
Text = Annotated[str, StringConstraints(max_length=5000)]

DATE_RANGE_DOC = (
    'The days every tile covers: {"preset": "last_30_days"} (today, yesterday, last_7_days, '
    "last_14_days, last_30_days, last_90_days, last_180_days, this_week, this_month, "
    'last_month, this_year) or {"preset": "custom", "date_from": ..., "date_to": ...}.'
)
FILTERS_DOC = (
    "Property filters added to every insight tile's own, as in an insight query: "
    '[{"type": "event", "key": "utm_source", "op": "eq", "value": "douyin"}].'
)

OPTIONS_DOC = (
    'kind portfolio: only projects of these kinds and stages, {"kind": ["campaign"], '
    '"stage": ["executing"]}; each optional.'
)


class DashboardIn(Schema):
    name: Name
    description: Text = ""
    personal: Bool = Field(False, description="Seen by its owner alone.")
    date_range: dict[str, Any] = Field(default_factory=dict, description=DATE_RANGE_DOC)
    filters: list[dict[str, Any]] = Field(default_factory=list, description=FILTERS_DOC)
    refresh_seconds: Int = Field(300, description="How often a TV shows it again (30-86400).")


class DashboardPatch(Schema):
    name: Name | None = None
    description: Text | None = None
    personal: Bool | None = None
    date_range: dict[str, Any] | None = Field(None, description=DATE_RANGE_DOC)
    filters: list[dict[str, Any]] | None = Field(None, description=FILTERS_DOC)
    refresh_seconds: Int | None = None


class TileOut(Out):
    id: int
    kind: str
    title: str
    kpi_id: int | None
    insight_id: int | None
    objective_id: int | None
    project_id: int | None
    text: str
    options: dict[str, Any]
    x: int
    y: int
    w: int
    h: int


class DashboardOut(Out):
    id: int
    name: str
    description: str
    personal: bool
    owner: UserOut | None
    date_range: dict[str, Any]
    filters: list[dict[str, Any]]
    refresh_seconds: int
    created_at: dt.datetime
    updated_at: dt.datetime


class DashboardDetailOut(DashboardOut):
    tiles: list[TileOut]
    can_change: bool


class TileIn(Schema):
    kind: str = Field(description="kpi, insight, objective, burnup, at_risk, note or portfolio.")
    title: Name = ""
    kpi_id: Int | None = Field(None, description="kind kpi")
    insight_id: Int | None = Field(None, description="kind insight")
    objective_id: Int | None = Field(None, description="kind objective")
    project_id: Int | None = Field(None, description="kinds burnup and at_risk")
    text: Text = Field("", description="kind note: Markdown")
    options: dict[str, Any] | None = Field(None, description=OPTIONS_DOC)
    x: Int | None = Field(
        None, description="Column, 0-11; with y, or the tile goes under the rest."
    )
    y: Int | None = None
    w: Int | None = Field(None, description="Columns wide, 1-12 (x + w at most 12).")
    h: Int | None = Field(None, description="Rows high, 1-12.")


class TilePatch(Schema):
    title: Name | None = None
    kpi_id: Int | None = None
    insight_id: Int | None = None
    objective_id: Int | None = None
    project_id: Int | None = None
    text: Text | None = None
    options: dict[str, Any] | None = Field(None, description=OPTIONS_DOC)
    x: Int | None = None
    y: Int | None = None
    w: Int | None = None
    h: Int | None = None


class PlaceIn(Schema):
    id: Int
    x: Int
    y: Int
    w: Int
    h: Int


class LayoutIn(Schema):
    tiles: list[PlaceIn] = Field(description="Every tile's place, as the grid left them.")


class TileDataOut(Schema):
    id: int
    kind: str
    title: str
    state: str = Field(description="ready, error (message says why) or hidden (not yours to see).")
    message: str
    data: dict[str, Any] = Field(description="What the tile shows; its fields depend on kind.")


class DashboardShareIn(Schema):
    expires_in_days: Int = Field(7, description="1 to 365.")


class ShareOut(Out):
    id: int
    prefix: str
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    created_at: dt.datetime


class CreatedShareOut(ShareOut):
    token: str = Field(description="Shown once; only its hash is kept.")
    path: str = Field(description="The read-only page, under this install's address.")


def _dashboard(request: HttpRequest, slug: str, dashboard_id: int) -> tuple[Membership, Dashboard]:
    membership = queries.access_dashboards(request.auth, slug)
    return membership, queries.get_dashboard(membership, dashboard_id)


def _detail(membership: Membership, dashboard: Dashboard) -> dict[str, Any]:
    out = DashboardOut.model_validate(dashboard).model_dump()
    out["tiles"] = queries.list_tiles(dashboard)
    out["can_change"] = queries.may_change(membership, dashboard)
    return out


@router.get(DASHBOARDS, response={200: list[DashboardOut], **ERRORS}, summary="List dashboards",
            tags=TAGS, description="Members and above: the workspace's and their own personal "
            "ones.")  # fmt: skip
def get_dashboards(request: HttpRequest, slug: str) -> list:
    membership = queries.access_dashboards(request.auth, slug)
    return queries.list_dashboards(membership)


@router.post(DASHBOARDS, response={201: DashboardDetailOut, **ERRORS}, summary="Make a dashboard",
             tags=TAGS, description="Members and above; they own it.")  # fmt: skip
def create_dashboard(request: HttpRequest, slug: str, payload: DashboardIn) -> Status:
    membership = queries.access_dashboards(request.auth, slug)
    dashboard = actions.do_create_dashboard(actor=membership, **payload.model_dump())
    return Status(201, _detail(membership, dashboard))


@router.get(DASHBOARD, response={200: DashboardDetailOut, **ERRORS}, summary="Get a dashboard",
            tags=TAGS, description="With its tiles; another's personal dashboard is 404.")  # fmt: skip
def get_dashboard(request: HttpRequest, slug: str, dashboard_id: int) -> dict:
    membership, dashboard = _dashboard(request, slug, dashboard_id)
    return _detail(membership, dashboard)


@router.patch(DASHBOARD, response={200: DashboardDetailOut, **ERRORS},
              summary="Change a dashboard", tags=TAGS,
              description="Its owner, and admins for a workspace dashboard.")  # fmt: skip
def update_dashboard(
    request: HttpRequest, slug: str, dashboard_id: int, payload: DashboardPatch
) -> dict:
    membership, dashboard = _dashboard(request, slug, dashboard_id)
    changes = payload.model_dump(exclude_unset=True)
    actions.do_update_dashboard(actor=membership, dashboard=dashboard, changes=changes)
    return _detail(membership, dashboard)


@router.delete(DASHBOARD, response={204: None, **ERRORS}, summary="Delete a dashboard",
               tags=TAGS, description="Its owner, and admins for a workspace dashboard.")  # fmt: skip
def delete_dashboard(request: HttpRequest, slug: str, dashboard_id: int) -> Status[None]:
    membership, dashboard = _dashboard(request, slug, dashboard_id)
    actions.do_delete_dashboard(actor=membership, dashboard=dashboard)
    return Status(204, None)


# --- tiles


@router.post(TILES, response={201: TileOut, **ERRORS}, summary="Add a tile", tags=TAGS,
             description="Who may change the dashboard; what it shows must be theirs to "
             "see.")  # fmt: skip
def add_tile(request: HttpRequest, slug: str, dashboard_id: int, payload: TileIn) -> Status:
    membership, dashboard = _dashboard(request, slug, dashboard_id)
    tile = actions.do_add_tile(actor=membership, dashboard=dashboard, data=payload.model_dump())
    return Status(201, tile)


@router.patch(TILE, response={200: TileOut, **ERRORS}, summary="Change a tile",
              tags=TAGS)  # fmt: skip
def update_tile(
    request: HttpRequest, slug: str, dashboard_id: int, tile_id: int, payload: TilePatch
) -> Any:
    membership, dashboard = _dashboard(request, slug, dashboard_id)
    tile = queries.get_tile(dashboard, tile_id)
    changes = payload.model_dump(exclude_unset=True)
    return actions.do_update_tile(actor=membership, dashboard=dashboard, tile=tile, changes=changes)


@router.delete(TILE, response={204: None, **ERRORS}, summary="Remove a tile", tags=TAGS)
def delete_tile(request: HttpRequest, slug: str, dashboard_id: int, tile_id: int) -> Status[None]:
    membership, dashboard = _dashboard(request, slug, dashboard_id)
    tile = queries.get_tile(dashboard, tile_id)
    actions.do_delete_tile(actor=membership, dashboard=dashboard, tile=tile)
    return Status(204, None)


@router.put(DASHBOARD + "/layout", response={200: list[TileOut], **ERRORS},
            summary="Arrange the tiles", tags=TAGS,
            description="Every tile's place at once; all or nothing.")  # fmt: skip
def arrange_tiles(request: HttpRequest, slug: str, dashboard_id: int, payload: LayoutIn) -> list:
    membership, dashboard = _dashboard(request, slug, dashboard_id)
    layout = [place.model_dump() for place in payload.tiles]
    return actions.do_arrange_tiles(actor=membership, dashboard=dashboard, layout=layout)


@router.get(TILE + "/data", response={200: TileDataOut, **ERRORS}, summary="What a tile shows",
            tags=TAGS, description="Over the dashboard's days and filters, read as the caller "
            "sees the workspace; an insight tile runs its query when it is not cached.")  # fmt: skip
def get_tile_data(request: HttpRequest, slug: str, dashboard_id: int, tile_id: int) -> dict:
    membership, dashboard = _dashboard(request, slug, dashboard_id)
    tile = queries.get_tile(dashboard, tile_id)
    view = tiles.tile_views(dashboard, [tile], viewer=membership, wait=True)[0]
    return {
        "id": tile.pk,
        "kind": tile.kind,
        "title": view.title,
        "state": view.state,
        "message": view.message,
        "data": tiles.plain_data(view),
    }


# --- share links


@router.get(SHARES, response={200: list[ShareOut], **ERRORS}, summary="List share links",
            tags=TAGS, description="Who may change the dashboard.")  # fmt: skip
def get_shares(request: HttpRequest, slug: str, dashboard_id: int) -> list:
    membership, dashboard = _dashboard(request, slug, dashboard_id)
    actions.check_changes(membership, dashboard)
    return queries.list_shares(dashboard)


@router.post(SHARES, response={201: CreatedShareOut, **ERRORS}, summary="Share read-only",
             tags=TAGS, description="A link that shows the dashboard to anyone who has it, "
             "until it expires or is revoked.")  # fmt: skip
def create_share(
    request: HttpRequest, slug: str, dashboard_id: int, payload: DashboardShareIn
) -> Status:
    membership, dashboard = _dashboard(request, slug, dashboard_id)
    created = actions.do_create_share(
        actor=membership, dashboard=dashboard, expires_in_days=payload.expires_in_days
    )
    out = ShareOut.model_validate(created.share).model_dump()
    return Status(201, {**out, "token": created.raw, "path": share_path(created.raw)})


@router.delete(SHARES + "/{share_id}", response={200: ShareOut, **ERRORS},
               summary="Revoke a share link", tags=TAGS)  # fmt: skip
def revoke_share(
    request: HttpRequest, slug: str, dashboard_id: int, share_id: int
) -> DashboardShare:
    membership, dashboard = _dashboard(request, slug, dashboard_id)
    share = queries.get_share(dashboard, share_id)
    return actions.do_revoke_share(actor=membership, dashboard=dashboard, share=share)


def share_path(raw: str) -> str:
    return reverse("dashboard_share", args=[raw])
