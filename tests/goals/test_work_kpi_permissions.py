"""The permission walk (tests/test_api_permissions.py) over the routes of a KPI of a
project's work, its alert rules, the key results it measures, and the dashboard tiles
that show it, on the private project: members outside it get 404 (a tile: 200, hidden),
as for the project itself, and nothing of it in any answer. The walk proper calls these
routes with the shared project's objects only (they name no project in their path)."""

from __future__ import annotations

import json

import pytest
from django.db import transaction

from tests.conftest import ApiClient, kept_for_module
from tests.test_api_permissions import (
    HIDDEN,
    PREFIX,
    ROLES,
    ROUTES,
    SECRET,
    SHARED,
    build_world,
    call,
)

# A route's path parameter -> the world's name for the private project's own object.
OWN_OBJECTS = {
    "kpi_id": "work_kpi_id",
    "alert_id": "work_alert_id",
    "key_result_id": "work_key_result_id",
    "tile_id": "work_tile_id",
}
# What differs from the shared project's statuses for who sees the KPI: it is computed,
# so values are not entered by hand.
COMPUTED = {("POST", "/workspaces/{slug}/kpis/{kpi_id}/values"): "400 400 403 403 404"}


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    yield from kept_for_module(django_db_blocker, build_world)


@pytest.fixture
def world(shared_world, db):
    return shared_world


def private_cases() -> list:
    params = []
    for (method, path), case in ROUTES.items():
        if not any("{" + name + "}" in path for name in OWN_OBJECTS):
            continue
        params.append(pytest.param(method, path, case, id=f"{method} {path}"))
    return params


def expected(method: str, path: str, case, role: str) -> int:
    if role == "anonymous":
        return 401
    statuses = COMPUTED.get((method, path), case.expect).split()
    shared = int(dict(zip(ROLES, statuses, strict=True))[role])
    # A tile belongs to the dashboard, which the member sees: it shows hidden (below).
    if role == "member" and "{tile_id}" not in path:
        return 404
    return shared


@pytest.mark.parametrize(("method", "path", "case"), private_cases())
def test_the_private_projects_work_kpi_routes(world, method, path, case):
    context = dict(world.context["private"])
    for name, own in OWN_OBJECTS.items():
        context[name] = context[own]
    url = PREFIX + path.format(**context)
    body = case.body(context) if case.body else None
    failures = []
    for role in (*ROLES, "anonymous"):
        with transaction.atomic():
            response = call(world.clients[role], method, url, body)
            transaction.set_rollback(True)
        want = expected(method, path, case, role)
        text = json.dumps(response.json(), ensure_ascii=False) if response.content else ""
        if response.status_code != want:
            failures.append(f"{role}: expected {want}, got {response.status_code} {text[:200]}")
            continue
        leaked = [secret for secret in HIDDEN[role] if secret in text]
        if leaked:
            failures.append(f"{role}: answer shows {leaked}: {text[:200]}")
        if want == 404 and set(response.json()) != {"code", "message"}:
            failures.append(f"{role}: a 404 says more than that: {text}")
        if path.endswith("/data") and want == 200:
            state = response.json()["state"]
            if state != ("hidden" if role == "member" else "ready"):
                failures.append(f"{role}: the tile is {state}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(("target", "tag"), [("private", SECRET), ("shared", SHARED)])
def test_an_objective_tile_leaves_out_the_key_results_of_hidden_kpis(world, target, tag):
    context = world.context[target]
    url = (
        f"{PREFIX}/workspaces/acme/dashboards/{context['dashboard_id']}"
        f"/tiles/{context['objective_tile_id']}/data"
    )
    for role, shown in (("owner", True), ("admin", True), ("member", target == "shared")):
        answer = world.clients[role].get(url)
        assert answer.status_code == 200
        titles = [r["title"] for r in answer.json()["data"]["key_results"]]
        assert (f"{tag} 关键结果" in titles) == shown, (role, titles)
        assert len(titles) == (2 if shown else 1), (role, titles)


def test_a_project_member_sees_the_private_projects_kpi(world):
    from opsloop.core.models import User

    client = ApiClient(User.objects.get(username="target"))
    kpi_id = world.context["private"]["work_kpi_id"]
    listed = client.get(f"{PREFIX}/workspaces/acme/kpis").json()
    assert kpi_id in [k["id"] for k in listed]
    values = client.get(f"{PREFIX}/workspaces/acme/kpis/{kpi_id}/values")
    assert values.status_code == 200 and len(values.json()) == 90
    alerts = client.get(f"{PREFIX}/workspaces/acme/kpis/{kpi_id}/alerts").json()
    assert alerts[0]["recent"], "the rule fired when the KPI was computed"
    member = world.clients["member"].get(f"{PREFIX}/workspaces/acme/kpis").json()
    assert kpi_id not in [k["id"] for k in member]
