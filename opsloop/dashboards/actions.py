"""Every write of dashboards: the dashboard and its settings (days, filters, refresh),
its tiles and their places on the grid, and its read-only share links."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opsloop.core.actions import check_description, check_text, record_audit
from opsloop.core.errors import Forbidden, Invalid
from opsloop.core.models import Membership, Role
from opsloop.core.queries import hash_token
from opsloop.core.rows import lock_current, save_changed
from opsloop.dashboards import queries
from opsloop.dashboards.models import Dashboard, DashboardShare, DashboardTile, TileKind
from opsloop.dashboards.tiles import check_date_range, check_filters
from opsloop.goals import queries as goal_queries
from opsloop.insights.models import Insight
from opsloop.portfolio import queries as portfolio_queries
from opsloop.work import queries as work_queries

COLUMNS = 12  # the grid's width
MAX_ROWS = 200
MAX_TILES = 50
MIN_REFRESH, MAX_REFRESH = 30, 24 * 3600
MAX_SHARE_DAYS = 365
NOTE_LENGTH = 5000
# A new tile's width and height by kind, in grid cells, when none are given.
SIZES = {
    TileKind.KPI: (3, 3),
    TileKind.INSIGHT: (6, 4),
    TileKind.OBJECTIVE: (4, 4),
    TileKind.BURNUP: (6, 4),
    TileKind.AT_RISK: (4, 3),
    TileKind.NOTE: (3, 2),
    TileKind.PORTFOLIO: (12, 5),
}


def check_changes(actor: Membership, dashboard: Dashboard) -> None:
    if not queries.may_change(actor, dashboard):
        if dashboard.personal:
            raise Forbidden(_("Only its owner changes a personal dashboard."))
        raise Forbidden(_("Only its owner and admins change a workspace dashboard."))


def _refresh(value: Any) -> int:
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        raise Invalid(_("Refresh is a number of seconds."), field="refresh_seconds") from None
    if not MIN_REFRESH <= seconds <= MAX_REFRESH:
        raise Invalid(
            _("Refresh every %(low)d to %(high)d seconds.")
            % {"low": MIN_REFRESH, "high": MAX_REFRESH},
            field="refresh_seconds",
        )
    return seconds


def _settings(changes: dict[str, Any]) -> dict[str, Any]:
    """The checked values of the settings given (only those)."""
    out: dict[str, Any] = {}
    if "name" in changes:
        out["name"] = check_text(changes["name"], field="name", label=_("Name"), max_length=200)
    if "description" in changes:
        out["description"] = check_description(changes["description"])
    if "personal" in changes:
        if not isinstance(changes["personal"], bool):
            raise Invalid(_("Personal is true or false."), field="personal")
        out["personal"] = changes["personal"]
    if "date_range" in changes:
        out["date_range"] = check_date_range(changes["date_range"]).model_dump(
            mode="json", exclude_none=True
        )
    if "filters" in changes:
        out["filters"] = [
            f.model_dump(mode="json", exclude_none=True) for f in check_filters(changes["filters"])
        ]
    if "refresh_seconds" in changes:
        out["refresh_seconds"] = _refresh(changes["refresh_seconds"])
    return out


def do_create_dashboard(
    *,
    actor: Membership,
    name: str,
    description: str = "",
    personal: bool = False,
    date_range: Any = None,
    filters: Any = None,
    refresh_seconds: Any = 300,
) -> Dashboard:
    if not actor.at_least(Role.MEMBER):
        raise Forbidden(_("Guests cannot make dashboards."))
    values = _settings(
        {
            "name": name,
            "description": description,
            "personal": personal,
            "date_range": date_range,
            "filters": filters,
            "refresh_seconds": refresh_seconds,
        }
    )
    return Dashboard.objects.create(workspace_id=actor.workspace_id, owner=actor.user, **values)


def do_update_dashboard(
    *, actor: Membership, dashboard: Dashboard, changes: dict[str, Any]
) -> Dashboard:
    check_changes(actor, dashboard)
    values = _settings(changes)
    if values.get("personal") and dashboard.owner_id != actor.user_id:
        # Making it personal would hide it from everyone but its owner, admins included.
        raise Forbidden(_("Only its owner makes a dashboard personal."), field="personal")
    with transaction.atomic():
        before = lock_current(dashboard)
        # Made personal meanwhile, it is its owner's alone.
        check_changes(actor, dashboard)
        for name, value in values.items():
            setattr(dashboard, name, value)
        save_changed(dashboard, before, "updated_at")
    return dashboard


def do_delete_dashboard(*, actor: Membership, dashboard: Dashboard) -> None:
    check_changes(actor, dashboard)
    record_audit(
        actor=actor.user, action="dashboard.delete", workspace=actor.workspace,
        target=dashboard.name,
    )  # fmt: skip
    dashboard.delete()


# --- tiles


def _int(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise Invalid(_("%(field)s must be a whole number.") % {"field": field}, field=field)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Invalid(
            _("%(field)s must be a whole number.") % {"field": field}, field=field
        ) from None
    if not low <= number <= high:
        raise Invalid(
            _("%(field)s must be from %(low)d to %(high)d.")
            % {"field": field, "low": low, "high": high},
            field=field,
        )
    return number


def _place(data: dict[str, Any], tile: DashboardTile | None = None) -> dict[str, int]:
    """x, y, w, h on the grid: whole cells, inside its 12 columns."""
    out = {
        name: _int(data[name], name, *bounds)
        for name, bounds in {
            "x": (0, COLUMNS - 1),
            "y": (0, MAX_ROWS),
            "w": (1, COLUMNS),
            "h": (1, 12),
        }.items()
        if data.get(name) is not None
    }
    x = out.get("x", tile.x if tile else 0)
    w = out.get("w", tile.w if tile else 4)
    if x + w > COLUMNS:
        raise Invalid(
            _("A tile ends inside the grid's %(n)d columns (x + w at most %(n)d).")
            % {"n": COLUMNS},
            field="w",
        )
    return out


def _first_fit(tiles: list[DashboardTile], w: int, h: int, x: int | None = None) -> dict[str, int]:
    """The first place, reading rows top down and left to right, where a w × h tile
    overlaps none of the others (in column `x` when given), as the grid would put it."""
    taken = {(t.x + i, t.y + j) for t in tiles for i in range(t.w) for j in range(t.h)}
    columns = [x] if x is not None else range(COLUMNS - w + 1)
    bottom = max((t.y + t.h for t in tiles), default=0)
    for y in range(bottom + 1):
        for left in columns:
            cells = ((left + i, y + j) for i in range(w) for j in range(h))
            if not any(cell in taken for cell in cells):
                return {"x": left, "y": y}
    return {"x": columns[0], "y": bottom}  # not reached: the row under all is free


def _subject(actor: Membership, kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """What a tile of `kind` shows, checked: it exists in the workspace and the actor
    sees it."""
    workspace = actor.workspace
    if kind == TileKind.KPI:
        return {"kpi": goal_queries.get_kpi(actor, _id(data, "kpi_id"))}
    if kind == TileKind.INSIGHT:
        insight = Insight.objects.filter(workspace=workspace, pk=_id(data, "insight_id")).first()
        if insight is None:
            raise Invalid(_("No such insight in this workspace."), field="insight_id")
        return {"insight": insight}
    if kind == TileKind.OBJECTIVE:
        objective = goal_queries.list_objectives(actor).filter(pk=_id(data, "objective_id")).first()
        if objective is None:
            raise Invalid(_("No such objective in this workspace."), field="objective_id")
        return {"objective": objective}
    if kind in (TileKind.BURNUP, TileKind.AT_RISK):
        project = work_queries.visible_projects(actor).filter(pk=_id(data, "project_id")).first()
        if project is None:
            raise Invalid(_("No such project in this workspace."), field="project_id")
        return {"project": project}
    if kind == TileKind.PORTFOLIO:
        return {"options": check_portfolio_options(data.get("options"))}
    return {}


def check_portfolio_options(data: Any) -> dict[str, list[str]]:
    """A portfolio tile's filters: {"kind": [...], "stage": [...]}, each optional."""
    if data in (None, ""):
        return {}
    if not isinstance(data, dict) or set(data) - {"kind", "stage"}:
        raise Invalid(_('Options are {"kind": [...], "stage": [...]}.'), field="options")
    for name, values in data.items():
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise Invalid(_("%(field)s is a list of names.") % {"field": name}, field="options")
    filters = portfolio_queries.parse_filters(data)
    out = {"kind": list(filters.kinds), "stage": list(filters.stages)}
    return {name: values for name, values in out.items() if values}


def _id(data: dict[str, Any], field: str) -> int:
    value = data.get(field)
    if value in (None, ""):
        raise Invalid(_("Choose what the tile shows."), field=field)
    return _int(value, field, 1, 2**63 - 1)


def do_add_tile(*, actor: Membership, dashboard: Dashboard, data: dict[str, Any]) -> DashboardTile:
    """A tile of `kind` (kpi, insight, objective, burnup, at_risk, note, portfolio) with
    what it shows (kpi_id, insight_id, objective_id or project_id; a note's text; a
    portfolio's options), placed at x, y, w, h, or under the others."""
    check_changes(actor, dashboard)
    kind = data.get("kind")
    if kind not in TileKind.values:
        raise Invalid(
            _("Unknown kind of tile; use one of: %(kinds)s.")
            % {"kinds": ", ".join(TileKind.values)},
            field="kind",
        )
    subject = _subject(actor, kind, data)
    text = check_text(
        data.get("text"), field="text", label=_("Text"), max_length=NOTE_LENGTH,
        required=kind == TileKind.NOTE, multiline=True,
    )  # fmt: skip
    title = check_text(
        data.get("title"), field="title", label=_("Title"), max_length=200, required=False
    )
    w, h = SIZES[TileKind(kind)]
    place = _place({"w": w, "h": h, **{k: v for k, v in data.items() if v is not None}})
    with transaction.atomic():
        tiles = list(DashboardTile.objects.select_for_update().filter(dashboard=dashboard))
        if len(tiles) >= MAX_TILES:
            raise Invalid(_("A dashboard holds at most %(n)d tiles.") % {"n": MAX_TILES})
        if "y" not in place:
            place.update(_first_fit(tiles, place["w"], place["h"], place.get("x")))
        tile = DashboardTile.objects.create(
            dashboard=dashboard, kind=kind, title=title, text=text, **subject, **place
        )
        Dashboard.objects.filter(pk=dashboard.pk).update(updated_at=timezone.now())
    return tile


def do_update_tile(
    *, actor: Membership, dashboard: Dashboard, tile: DashboardTile, changes: dict[str, Any]
) -> DashboardTile:
    """Its title, a note's text, what it shows (of its kind), its place."""
    check_changes(actor, dashboard)
    values: dict[str, Any] = {}
    if "title" in changes:
        values["title"] = check_text(
            changes["title"], field="title", label=_("Title"), max_length=200, required=False
        )
    if "text" in changes:
        values["text"] = check_text(
            changes["text"], field="text", label=_("Text"), max_length=NOTE_LENGTH,
            required=tile.kind == TileKind.NOTE, multiline=True,
        )  # fmt: skip
    subject_fields = {"kpi_id", "insight_id", "objective_id", "project_id", "options"}
    if subject_fields & changes.keys():
        values.update(_subject(actor, tile.kind, changes))
    with transaction.atomic():
        # A place given in part is completed from where the tile is now (the grid may
        # have moved it meanwhile).
        before = lock_current(tile)
        values.update(_place(changes, tile))
        for name, value in values.items():
            setattr(tile, name, value)
        save_changed(tile, before)
    return tile


def do_delete_tile(*, actor: Membership, dashboard: Dashboard, tile: DashboardTile) -> None:
    check_changes(actor, dashboard)
    tile.delete()


def do_arrange_tiles(
    *, actor: Membership, dashboard: Dashboard, layout: Any
) -> list[DashboardTile]:
    """Every tile's place at once, as the grid left them: [{"id", "x", "y", "w", "h"}].
    All or nothing: an unknown tile or a bad place changes no tile."""
    check_changes(actor, dashboard)
    if not isinstance(layout, list) or not layout:
        raise Invalid(_("Send the layout as a list of tiles."), field="tiles")
    with transaction.atomic():
        tiles = {
            t.pk: t for t in DashboardTile.objects.select_for_update().filter(dashboard=dashboard)
        }
        seen: set[int] = set()
        for i, entry in enumerate(layout):
            if not isinstance(entry, dict):
                raise Invalid(_("Each tile's place is an object."), field=f"tiles.{i}")
            tile = tiles.get(entry.get("id"))  # type: ignore[arg-type]
            if tile is None or tile.pk in seen:
                raise Invalid(_("No such tile on this dashboard."), field=f"tiles.{i}.id")
            seen.add(tile.pk)
            for name, value in _place(entry, tile).items():
                setattr(tile, name, value)
        DashboardTile.objects.bulk_update([tiles[pk] for pk in seen], ["x", "y", "w", "h"])
        Dashboard.objects.filter(pk=dashboard.pk).update(updated_at=timezone.now())
    return queries.list_tiles(dashboard)


# --- share links


@dataclass(frozen=True)
class CreatedShare:
    share: DashboardShare
    raw: str


def do_create_share(
    *, actor: Membership, dashboard: Dashboard, expires_in_days: Any = 7
) -> CreatedShare:
    """A read-only link, until it expires: its token is returned once, only its hash kept.
    The link shows the tiles as its maker sees them, while they are a member."""
    check_changes(actor, dashboard)
    days = _int(expires_in_days, "expires_in_days", 1, MAX_SHARE_DAYS)
    raw = secrets.token_urlsafe(32)
    share = DashboardShare.objects.create(
        dashboard=dashboard,
        token_hash=hash_token(raw),
        prefix=raw[:8],
        expires_at=timezone.now() + dt.timedelta(days=days),
        created_by=actor.user,
    )
    record_audit(
        actor=actor.user, action="dashboard.share", workspace=actor.workspace,
        target=dashboard.name, share=share.pk, days=days,
    )  # fmt: skip
    return CreatedShare(share, raw)


def do_revoke_share(
    *, actor: Membership, dashboard: Dashboard, share: DashboardShare
) -> DashboardShare:
    check_changes(actor, dashboard)
    if share.revoked_at is None:
        share.revoked_at = timezone.now()
        share.save(update_fields=["revoked_at"])
        record_audit(
            actor=actor.user, action="dashboard.unshare", workspace=actor.workspace,
            target=dashboard.name, share=share.pk,
        )  # fmt: skip
    return share
