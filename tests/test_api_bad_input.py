"""Bad input on every API route: a 4xx that says what is wrong, and nothing half-written.

The routes and their valid bodies come from test_api_permissions.ROUTES, so a new endpoint is
walked here as soon as it has its permission case."""

from __future__ import annotations

import re

import pytest
from django.apps import apps

from opsloop.core.models import Membership, Role
from opsloop.work.models import Item, State
from tests import test_api_permissions as permissions
from tests.conftest import ApiClient
from tests.test_api_permissions import PREFIX, ROUTES, call

# The permission tests' world, built once for this module too.
shared_world = permissions.shared_world
world = permissions.world
owner = permissions.owner

BODY_ROUTES = [(m, p) for (m, p), case in ROUTES.items() if case.body is not None]
# Every id in a route's path, of every app: an unknown one must be a plain 404.
ID_PARAMS = sorted({name for _m, path in ROUTES for name in re.findall(r"\{(\w+_id)\}", path)})
# Fields whose values the body of a route in ROUTES does not carry, checked for length too.
MORE_TEXT = {
    ("POST", "/workspaces/{slug}/projects"): ["goal", "scope"],
    ("PATCH", "/workspaces/{slug}/projects/{key}"): ["goal", "scope"],
    ("POST", "/workspaces/{slug}/projects/{key}/items"): ["description"],
    ("PATCH", "/workspaces/{slug}/items/{ref}"): ["description"],
}


def snapshot() -> dict[str, list[dict]]:
    """Every row of the app tables (and their many-to-many tables), to compare before and after."""
    rows = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label not in ("core", "work", "collab"):
            continue
        values = list(model.objects.order_by("pk").values())
        for row in values:
            # Reading with a token stamps it; that is bookkeeping, not a write of the request.
            row.pop("last_used_at", None)
        rows[model._meta.label] = values
    return rows


def url_of(path: str, context: dict, **override) -> str:
    return PREFIX + path.format(**{**context, **override})


def assert_refused(response, status: int = 400, code: str | None = None, field: str | None = None):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["message"], body
    if code:
        assert body["code"] == code, body
    if field:
        # A list's bad element is named with its index: state_ids.0.
        assert body.get("field") == field or body.get("field", "").startswith(f"{field}."), body
    return body


def route_id(route: tuple[str, str]) -> str:
    return f"{route[0]} {route[1]}"


# --- malformed bodies


MALFORMED = [
    pytest.param('{"name": ', id="truncated"),
    pytest.param("name=x", id="form-encoded"),
    pytest.param("{'name': 'x'}", id="single-quotes"),
    pytest.param('{"name": "x",}', id="trailing-comma"),
    pytest.param("[1, 2]", id="array"),
    pytest.param('"text"', id="string"),
    pytest.param("null", id="null"),
    pytest.param("", id="empty"),
]


@pytest.mark.parametrize("route", BODY_ROUTES, ids=route_id)
def test_malformed_json_is_400_on_every_route(world, route):
    method, path = route
    url = url_of(path, world.context["shared"])
    client = world.clients["owner"]
    before = snapshot()
    for raw in [p.values[0] for p in MALFORMED]:
        sender = {"POST": client.post, "PATCH": client.patch}.get(method)
        if sender is None:  # PUT
            response = client.client.put(
                url, raw, content_type="application/json", **client._headers()
            )
        else:
            response = sender(url, raw=raw)
        assert_refused(response, 400, code="bad_json")
    assert snapshot() == before


def test_non_utf8_body_is_400(world):
    client = world.clients["owner"]
    url = url_of("/workspaces/{slug}/projects/{key}/items", world.context["shared"])
    response = client.client.post(
        url, b"\xff\xfe{", content_type="application/json", **client._headers()
    )
    assert_refused(response, 400, code="bad_json")


# --- wrong types and too-long strings, field by field


def _field_cases(kind: str) -> list:
    cases = []
    for method, path in BODY_ROUTES:
        fields = list(ROUTES[(method, path)].body(_SAMPLE_CONTEXT))
        if kind == "long":
            fields = [f for f in fields if not f.endswith(("_id", "_ids"))]
            fields += MORE_TEXT.get((method, path), [])
        for field in fields:
            cases.append(pytest.param(method, path, field, id=f"{method} {path} {field}"))
    return cases


_SAMPLE_CONTEXT = {
    "member_id": 1, "state_ids": [1], "move_state_id": 1, "goal_kpi_id": 1, "tile_id": 1,
    "target_cohort_id": 1, "control_cohort_id": 1,
}  # fmt: skip


@pytest.mark.parametrize(("method", "path", "field"), _field_cases("type"))
def test_wrong_type_names_the_field(world, method, path, field):
    context = world.context["shared"]
    before = snapshot()
    for wrong in ({"a": 1}, [["x"]]):
        body = {**ROUTES[(method, path)].body(context), field: wrong}
        response = call(world.clients["owner"], method, url_of(path, context), body)
        assert_refused(response, 400, code="invalid", field=field)
    assert snapshot() == before


@pytest.mark.parametrize(("method", "path", "field"), _field_cases("long"))
def test_too_long_text_names_the_field(world, method, path, field):
    context = world.context["shared"]
    body = {**ROUTES[(method, path)].body(context), field: "长" * 60_001}
    before = snapshot()
    response = call(world.clients["owner"], method, url_of(path, context), body)
    assert_refused(response, 400, field=field)
    assert snapshot() == before


# --- unknown ids


def _id_routes() -> list:
    return [
        pytest.param(method, path, param, id=f"{method} {path} {param}")
        for (method, path) in ROUTES
        for param in ID_PARAMS
        if "{" + param + "}" in path
    ]


@pytest.mark.parametrize(("method", "path", "param"), _id_routes())
def test_unknown_id_in_the_path_is_404(world, method, path, param):
    context = world.context["shared"]
    case = ROUTES[(method, path)]
    body = case.body(context) if case.body else None
    before = snapshot()
    response = call(world.clients["owner"], method, url_of(path, context, **{param: 987654}), body)
    assert_refused(response, 404, code="not_found")
    response = call(world.clients["owner"], method, url_of(path, context, **{param: "abc"}), body)
    assert_refused(response, 400, code="invalid", field=param)
    assert snapshot() == before


@pytest.mark.parametrize(
    "route", [r for r in ROUTES if "{key}" in r[1] or "{ref}" in r[1]], ids=route_id
)
def test_unknown_project_or_item_is_404(world, route):
    method, path = route
    context = world.context["shared"]
    case = ROUTES[route]
    body = case.body(context) if case.body else None
    before = snapshot()
    overrides = [{"key": "NOPE", "ref": "NOPE-1"}]
    if "{ref}" in path:
        overrides += [{"ref": "SHR-999"}, {"ref": "SHR-x"}, {"ref": "1-SHR"}]
    for override in overrides:
        response = call(world.clients["owner"], method, url_of(path, context, **override), body)
        assert_refused(response, 404, code="not_found")
    assert snapshot() == before


@pytest.mark.parametrize("route", [r for r in ROUTES if "{slug}" in r[1]], ids=route_id)
def test_unknown_workspace_is_404(world, route):
    method, path = route
    context = world.context["shared"]
    case = ROUTES[route]
    body = case.body(context) if case.body else None
    before = snapshot()
    response = call(world.clients["owner"], method, url_of(path, context, slug="nowhere"), body)
    assert_refused(response, 404, code="not_found")
    assert snapshot() == before


UNKNOWN_BODY_IDS = [
    ("POST", "/workspaces/{slug}/projects", {"name": "x", "key": "XX", "owner_id": 987654}, "owner_id"),
    ("POST", "/workspaces/{slug}/projects", {"name": "x", "key": "XX", "member_ids": [987654]}, "member_ids"),
    ("PATCH", "/workspaces/{slug}/projects/{key}", {"owner_id": 987654}, "owner_id"),
    ("POST", "/workspaces/{slug}/projects/{key}/members", {"user_id": 987654}, "user_id"),
    ("PUT", "/workspaces/{slug}/projects/{key}/states/order", {"state_ids": [987654]}, "state_ids"),
    ("POST", "/workspaces/{slug}/projects/{key}/items", {"title": "x", "state_id": 987654}, "state_id"),
    ("POST", "/workspaces/{slug}/projects/{key}/items", {"title": "x", "assignee_ids": [987654]}, "assignee_ids"),
    ("POST", "/workspaces/{slug}/projects/{key}/items", {"title": "x", "label_ids": [987654]}, "label_ids"),
    ("POST", "/workspaces/{slug}/projects/{key}/items", {"title": "x", "parent_id": 987654}, "parent_id"),
    ("PATCH", "/workspaces/{slug}/items/{ref}", {"state_id": 987654}, "state_id"),
    ("PATCH", "/workspaces/{slug}/items/{ref}", {"assignee_ids": [987654]}, "assignee_ids"),
    ("PATCH", "/workspaces/{slug}/items/{ref}", {"label_ids": [987654]}, "label_ids"),
    ("PATCH", "/workspaces/{slug}/items/{ref}", {"parent_id": 987654}, "parent_id"),
    ("POST", "/workspaces/{slug}/items/{ref}/move", {"state_id": 987654}, "state_id"),
    ("POST", "/workspaces/{slug}/items/{ref}/move", {"state_id": "{move_state_id}", "before_id": 987654}, "before_id"),
    ("POST", "/workspaces/{slug}/items/{ref}/move", {"state_id": "{move_state_id}", "after_id": 987654}, "after_id"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    UNKNOWN_BODY_IDS,
    ids=[f"{m} {p} {f}" for m, p, _b, f in UNKNOWN_BODY_IDS],
)
def test_unknown_id_in_the_body_names_the_field(world, method, path, body, field):
    context = world.context["shared"]
    body = {k: context["move_state_id"] if v == "{move_state_id}" else v for k, v in body.items()}
    before = snapshot()
    response = call(world.clients["owner"], method, url_of(path, context), body)
    assert_refused(response, 400, field=field)
    assert snapshot() == before


def test_ids_of_another_workspace_are_unknown(world, owner):
    """Ids that exist, but in a workspace the caller does not share, are refused like any other."""
    client = world.clients["owner"]
    outsider = world.clients["outsider"]
    outsider.post(f"{PREFIX}/workspaces", {"slug": "elsewhere", "name": "别处"})
    label = outsider.post(f"{PREFIX}/workspaces/elsewhere/labels", {"name": "外"}).json()
    outsider.post(f"{PREFIX}/workspaces/elsewhere/projects", {"name": "外部", "key": "EXT"})
    state = outsider.get(f"{PREFIX}/workspaces/elsewhere/projects/EXT/states").json()[0]
    context = world.context["shared"]
    before = snapshot()
    items = url_of("/workspaces/{slug}/projects/{key}/items", context)
    assert_refused(
        client.post(items, {"title": "x", "label_ids": [label["id"]]}), field="label_ids"
    )
    assert_refused(client.post(items, {"title": "x", "state_id": state["id"]}), field="state_id")
    label_url = url_of("/workspaces/{slug}/labels/{label_id}", context, label_id=label["id"])
    assert_refused(client.patch(label_url, {"name": "偷"}), 404)
    assert snapshot() == before


# --- forbidden transitions


def test_project_stage_cannot_skip(world):
    client, context = world.clients["owner"], world.context["shared"]
    before = snapshot()
    url = url_of("/workspaces/{slug}/projects/{key}", context)
    body = assert_refused(client.patch(url, {"stage": "monitoring"}), 409, code="conflict")
    assert "Planning" in body["message"] and "Monitoring" in body["message"]
    assert_refused(client.patch(url, {"stage": None}), 400, field="stage")
    assert_refused(client.patch(url, {"name": None}), 400, field="name")
    assert snapshot() == before


def test_parent_cycle_is_refused(world):
    client, context = world.clients["owner"], world.context["shared"]
    items = url_of("/workspaces/{slug}/projects/{key}/items", context)
    parent_id = client.get(url_of("/workspaces/{slug}/items/{ref}", context)).json()["id"]
    child = client.post(items, {"title": "子", "parent_id": parent_id}).json()
    before = snapshot()
    url = url_of("/workspaces/{slug}/items/{ref}", context)
    assert_refused(client.patch(url, {"parent_id": child["id"]}), 409, code="conflict")
    assert_refused(client.patch(url, {"parent_id": parent_id}), 409, code="conflict")
    assert snapshot() == before


def test_last_state_of_a_group_cannot_be_deleted(world):
    client, context = world.clients["owner"], world.context["shared"]
    done = State.objects.get(project__key=context["key"], group="done")
    before = snapshot()
    url = url_of("/workspaces/{slug}/projects/{key}/states/{state_id}", context, state_id=done.pk)
    assert_refused(client.delete(url), 409, code="conflict")
    assert snapshot() == before


def test_state_with_items_needs_somewhere_to_put_them(world):
    client, context = world.clients["owner"], world.context["shared"]
    item = Item.objects.get(project__key=context["key"], number=1)
    url = url_of(
        "/workspaces/{slug}/projects/{key}/states/{state_id}", context, state_id=item.state_id
    )
    before = snapshot()
    assert_refused(client.delete(url), 409, code="conflict")
    assert_refused(client.delete(f"{url}?move_to={item.state_id}"), 400, field="move_to")
    assert_refused(client.delete(f"{url}?move_to=987654"), 400, field="move_to")
    assert_refused(client.delete(f"{url}?move_to=abc"), 400, field="move_to")
    assert snapshot() == before


def test_stale_version_is_409_with_the_current_one(world):
    client, context = world.clients["owner"], world.context["shared"]
    url = url_of("/workspaces/{slug}/items/{ref}", context)
    client.patch(url, {"title": "第二版"})
    before = snapshot()
    body = assert_refused(client.patch(url, {"title": "旧", "version": 1}), 409, code="conflict")
    assert body["current_version"] == 2
    assert snapshot() == before


def test_last_owner_stays(world, owner):
    client, context = world.clients["owner"], world.context["shared"]
    url = url_of("/workspaces/{slug}/members/{user_id}", context, user_id=owner.pk)
    before = snapshot()
    assert_refused(client.patch(url, {"role": "member"}), 409, code="conflict")
    assert_refused(client.delete(url), 409, code="conflict")
    assert snapshot() == before
    assert Membership.objects.get(user=owner).role == Role.OWNER


def test_project_owner_stays_a_project_member(world, owner):
    client, context = world.clients["owner"], world.context["shared"]
    url = url_of("/workspaces/{slug}/projects/{key}/members/{user_id}", context, user_id=owner.pk)
    before = snapshot()
    assert_refused(client.delete(url), 409, code="conflict")
    assert snapshot() == before


def test_end_before_start_is_refused(world):
    client, context = world.clients["owner"], world.context["shared"]
    before = snapshot()
    project = url_of("/workspaces/{slug}/projects/{key}", context)
    assert_refused(client.patch(project, {"start_date": "2026-12-01", "end_date": "2026-11-01"}))
    item = url_of("/workspaces/{slug}/items/{ref}", context)
    assert_refused(client.patch(item, {"start_date": "2026-12-01", "due_date": "2026-11-01"}))
    assert snapshot() == before


def test_failed_update_writes_none_of_its_fields(world):
    """A patch whose last field is bad leaves the fields before it unwritten too."""
    client, context = world.clients["owner"], world.context["shared"]
    url = url_of("/workspaces/{slug}/items/{ref}", context)
    before = snapshot()
    response = client.patch(
        url,
        {"title": "新标题", "priority": "urgent", "state_id": context["move_state_id"],
         "assignee_ids": [], "label_ids": [987654]},
    )  # fmt: skip
    assert_refused(response, 400, field="label_ids")
    assert snapshot() == before


def test_a_body_over_the_limit_is_a_json_413(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    client, context = world.clients["owner"], world.context["shared"]
    before = snapshot()
    url = url_of("/workspaces/{slug}/projects/{key}/items", context)
    response = client.post(url, {"title": "大", "description": "长" * 60_000})
    body = assert_refused(response, 413, code="too_large")
    assert "multipart" in body["message"]
    assert snapshot() == before


def test_unknown_endpoint_is_a_json_404(db):
    response = ApiClient().get(f"{PREFIX}/no/such/thing")
    assert_refused(response, 404, code="not_found")


def test_wrong_method_is_405(world):
    response = world.clients["owner"].put(f"{PREFIX}/me", {})
    assert response.status_code == 405
