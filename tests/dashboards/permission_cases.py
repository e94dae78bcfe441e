"""Who may use dashboards (see tests/test_api_permissions.py and
tests/test_page_permissions.py, which read this module): members and above read the
workspace's dashboards; guests 403; outsiders 404. Its owner (the owner here) and admins
change a workspace dashboard, its tiles and its share links; members 403."""

from __future__ import annotations

TEAM = "200 200 200 403 404"
TEAM_CREATE = "201 201 201 403 404"
MAKER = "200 200 403 403 404"
MAKER_CREATE = "201 201 403 403 404"
MAKER_DELETE = "204 204 403 403 404"
DASHBOARDS = "/workspaces/{slug}/dashboards"
DASHBOARD = DASHBOARDS + "/{dashboard_id}"
TILE = DASHBOARD + "/tiles/{tile_id}"

API_ROUTES: dict = {
    ("GET", DASHBOARDS): (TEAM, None),
    ("POST", DASHBOARDS): (TEAM_CREATE, lambda c: {"name": "内容周报"}),
    ("GET", DASHBOARD): (TEAM, None),
    ("PATCH", DASHBOARD): (MAKER, lambda c: {"name": "作战室（改）"}),
    ("DELETE", DASHBOARD): (MAKER_DELETE, None),
    ("POST", DASHBOARD + "/tiles"): (MAKER_CREATE, lambda c: {"kind": "note", "text": "要点"}),
    ("PATCH", TILE): (MAKER, lambda c: {"title": "进度"}),
    ("DELETE", TILE): (MAKER_DELETE, None),
    ("GET", TILE + "/data"): (TEAM, None),
    ("PUT", DASHBOARD + "/layout"): (
        MAKER,
        lambda c: {"tiles": [{"id": c["tile_id"], "x": 0, "y": 0, "w": 6, "h": 4}]},
    ),
    ("GET", DASHBOARD + "/shares"): (MAKER, None),
    ("POST", DASHBOARD + "/shares"): (MAKER_CREATE, lambda c: {"expires_in_days": 7}),
    ("DELETE", DASHBOARD + "/shares/{share_id}"): (MAKER, None),
}
MEMBERS = dict(owner="ok", admin="ok", member="ok", guest=403, shared_guest=403, outsider=404)
MAKERS = dict(owner="ok", admin="ok", member=403, guest=403, shared_guest=403, outsider=404)
PAGE_CASES: list = [
    ("GET", "dashboards", "/w/acme/dashboards/", MEMBERS),
    ("GET", "dashboard", "/w/acme/dashboards/{dashboard_id}/", MEMBERS),
    ("GET", "dashboard", "/w/acme/dashboards/{dashboard_id}/?tv=1", MEMBERS),
    (
        "GET",
        "dashboard_tile",
        "/w/acme/dashboards/{dashboard_id}/tiles/{dashboard_tile_id}/",
        MEMBERS,
    ),
    ("POST", "dashboards", "/w/acme/dashboards/", MEMBERS),
    ("POST", "dashboard", "/w/acme/dashboards/{dashboard_id}/", MAKERS),
]
PAGE_POST_DATA: dict = {
    "dashboards": {"name": "内容周报"},
    "dashboard": {"op": "add_tile", "kind": "note", "text": "要点"},
}


def _board(owner_ms, project):
    """The workspace's dashboard (one for the whole world) with a burn-up of `project`."""
    from opsloop.dashboards import actions
    from opsloop.dashboards.models import Dashboard

    dashboard = Dashboard.objects.filter(
        workspace_id=owner_ms.workspace_id, name="运营看板"
    ).first()
    if dashboard is None:
        dashboard = actions.do_create_dashboard(actor=owner_ms, name="运营看板")
    tile = actions.do_add_tile(
        actor=owner_ms, dashboard=dashboard, data={"kind": "burnup", "project_id": project.pk}
    )
    return dashboard, tile


def project_context(*, owner_ms, project, item, tag) -> dict:
    """One dashboard for the world, with a burn-up tile of each project on it, a tile of
    the project's KPI of its work, and one of the objective whose key result that kind of
    KPI measures (tests/goals/permission_cases.py made both): who reads it sees the
    tiles of projects they may not see hidden, and nothing of them."""
    from opsloop.dashboards import actions
    from opsloop.goals.models import KeyResult, Kpi

    dashboard, tile = _board(owner_ms, project)
    share = actions.do_create_share(actor=owner_ms, dashboard=dashboard)
    work_kpi = Kpi.objects.get(workspace_id=owner_ms.workspace_id, name=f"{tag} 完成数")
    kpi_tile = actions.do_add_tile(
        actor=owner_ms, dashboard=dashboard, data={"kind": "kpi", "kpi_id": work_kpi.pk}
    )
    objective = KeyResult.objects.get(
        objective__workspace_id=owner_ms.workspace_id, title=f"{tag} 关键结果"
    ).objective
    objective_tile = actions.do_add_tile(
        actor=owner_ms,
        dashboard=dashboard,
        data={"kind": "objective", "objective_id": objective.pk},
    )
    return {
        "dashboard_id": dashboard.pk,
        "tile_id": tile.pk,
        "share_id": share.share.pk,
        "work_tile_id": kpi_tile.pk,
        "objective_tile_id": objective_tile.pk,
    }


def page_context(*, owner_ms, project, item) -> dict:
    dashboard, tile = _board(owner_ms, project)
    return {"dashboard_id": dashboard.pk, "dashboard_tile_id": tile.pk}
