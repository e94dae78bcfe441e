"""A JSON value of the wrong type is refused, not converted: 0 is no date, 0 and 1 are no
booleans, false is no id and true no number (opsloop/core/inputs.py, STRICT).

Every body field of every API route in test_api_permissions.ROUTES is sent each wrong type
its kind has; the answer is a 400 naming the field, and nothing is written. Pages parse their
forms with the same schemas, so the text a form posts must still be read."""

from __future__ import annotations

import datetime as dt
import decimal
import importlib
import types
import typing
from typing import Annotated, Union

import pytest
from django.apps import apps
from pydantic import BaseModel

from opsloop.api import api
from opsloop.core.errors import Invalid
from opsloop.core.inputs import STRICT, parse_input
from opsloop.files.schemas import UploadJsonIn, VersionJsonIn
from opsloop.goals.schemas import ValuesIn
from opsloop.work.schemas import ItemIn, ItemPatch, ProjectIn
from tests import test_api_permissions as permissions
from tests.test_api_permissions import PREFIX, ROUTES, call

shared_world = permissions.shared_world
world = permissions.world

SCALARS = (bool, int, float, decimal.Decimal, dt.datetime, dt.date)
APPS = ("core", "work", "collab", "inbox", "meetings", "files", "planning", "capacity",
        "progress", "events", "insights", "goals", "dashboards", "decisions", "reports",
        "channels", "content", "partners", "money", "blueprints")  # fmt: skip
# Values checked elsewhere, against the kind of the custom field they fill (work/fields.py).
LAX_ON_PURPOSE = {("ItemIn", "custom_fields"), ("ItemPatch", "custom_fields"),
                  ("BulkChanges", "custom_fields")}  # fmt: skip
# Routes whose JSON body the handler parses itself (it may also be multipart).
MANUAL_BODIES: dict[tuple[str, str], type[BaseModel]] = {
    ("POST", "/workspaces/{slug}/files"): UploadJsonIn,
    ("POST", "/workspaces/{slug}/files/{file_id}/versions"): VersionJsonIn,
    ("POST", "/workspaces/{slug}/kpis/{kpi_id}/values"): ValuesIn,
}


# --- every input schema is written with the strict types


def _lax_scalars(annotation, strict: bool = False) -> list:
    """The scalar types in an annotation that no STRICT marker covers."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        base, *metadata = typing.get_args(annotation)
        return _lax_scalars(base, strict or any(m is STRICT for m in metadata))
    if origin in (Union, types.UnionType, list, dict, tuple, set):
        return [t for arg in typing.get_args(annotation) for t in _lax_scalars(arg)]
    if isinstance(annotation, type) and issubclass(annotation, SCALARS) and not strict:
        return [annotation]
    return []


def _nested_models(annotation) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _nested_models(arg)]


def input_models() -> set[type[BaseModel]]:
    """The API's bodies, the input schemas of every app (bodies, query strings, forms) and
    what they nest. Parameters that a handler declares one by one come from the URL's text
    (its path or query string) and are left out."""
    found: set[type[BaseModel]] = set()
    todo: list[type[BaseModel]] = list(MANUAL_BODIES.values())
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:
                    if getattr(model, "__ninja_param_source__", None) == "body":
                        todo.append(model)
    for app in APPS:
        for name in ("schemas", "api"):
            try:
                module = importlib.import_module(f"opsloop.{app}.{name}")
            except ModuleNotFoundError:
                continue
            todo += [
                value
                for key, value in vars(module).items()
                if isinstance(value, type)
                and issubclass(value, BaseModel)
                and value.__module__ == module.__name__
                and key.endswith(("In", "Patch", "Query", "Changes"))
            ]
    while todo:
        model = todo.pop()
        if model in found:
            continue
        found.add(model)
        for field in model.model_fields.values():
            todo += _nested_models(field.annotation)
    return found


def test_every_input_field_is_strict():
    lax = []
    for model in input_models():
        for name, field in model.model_fields.items():
            if (model.__name__, name) in LAX_ON_PURPOSE:
                continue
            strict = any(m is STRICT for m in field.metadata)
            for scalar in _lax_scalars(field.annotation, strict):
                lax.append(f"{model.__module__}.{model.__qualname__}.{name}: {scalar.__name__}")
    assert lax == [], "use Int, Bool, Float, DecimalNumber, Date, DateTime (core/inputs.py)"


def test_the_openapi_document_keeps_numeric_limits():
    """STRICT placed before a constraint would turn minimum into a bare "ge" key."""
    document = str(api.get_openapi_schema(path_prefix=""))
    for key in ("'ge':", "'le':", "'gt':", "'lt':"):
        assert key not in document


# --- what pages post is still read


def test_form_text_is_read():
    item = parse_input(
        ItemIn,
        {"title": "表单", "due_date": "2026-01-31", "progress": "30", "estimate_hours": "2.5",
         "assignee_ids": ["3", "4"], "parent_id": None},
    )  # fmt: skip
    assert item.due_date == dt.date(2026, 1, 31)
    assert (item.progress, item.estimate_hours, item.assignee_ids) == (
        30,
        decimal.Decimal("2.5"),
        [3, 4],
    )
    patch = parse_input(ItemPatch, {"sort_order": "1.5", "version": "2"})
    assert (patch.sort_order, patch.version) == (1.5, 2)
    project = parse_input(ProjectIn, {"name": "x", "key": "XX", "budget": "1000", "owner_id": "7"})
    assert (project.budget, project.owner_id) == (1000, 7)


@pytest.mark.parametrize("text", ["on", "true", "1", "false", "0"])
def test_a_checkbox_posts_text(text):
    from opsloop.files.schemas import ShareIn

    assert parse_input(ShareIn, {"require_login": text}).require_login is (
        text in ("on", "true", "1")
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "x", "due_date": "0"}, "due_date"),
        ({"title": "x", "due_date": "1700000000"}, "due_date"),
        ({"title": "x", "progress": True}, "progress"),
        ({"title": "x", "parent_id": False}, "parent_id"),
        ({"title": "x", "assignee_ids": [1, True]}, "assignee_ids.1"),
        ({"title": "x", "estimate_hours": True}, "estimate_hours"),
    ],
)
def test_wrong_types_name_the_field(data, field):
    with pytest.raises(Invalid) as caught:
        parse_input(ItemIn, data)
    assert caught.value.field == field


# --- every API route, every wrong type


def _kind(annotation) -> type | None:
    """The scalar a top-level field holds (alone, optional or in a list), if any."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _kind(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        kinds = {_kind(a) for a in typing.get_args(annotation) if a is not type(None)}
        return kinds.pop() if len(kinds) == 1 else None
    if origin is list:
        kind = _kind(typing.get_args(annotation)[0])
        return list if kind and kind is not list else None  # a list of scalars: list[int] here
    if isinstance(annotation, type) and issubclass(annotation, SCALARS):
        return next(s for s in SCALARS if issubclass(annotation, s))
    return None


WRONG = {
    bool: [0, 1],
    int: [True, False],
    float: [True, False],
    decimal.Decimal: [True, False],
    dt.date: [0, 1_700_000_000, "0"],
    dt.datetime: [0, 1_700_000_000, "1700000000"],
    list: [[True], [False]],
}


def body_model(method: str, path: str) -> type[BaseModel] | None:
    if (method, path) in MANUAL_BODIES:
        return MANUAL_BODIES[(method, path)]
    for prefix, router in api._routers:
        for route, path_view in router.path_operations.items():
            if f"/{prefix.strip('/')}{route}".replace("//", "/") != path:
                continue
            for operation in path_view.operations:
                if method in operation.methods:
                    for model in operation.models:
                        if getattr(model, "__ninja_param_source__", None) == "body":
                            payload = model.model_fields["payload"].annotation
                            # A body given as a dict is parsed by the handler (insights).
                            return payload if issubclass(payload, BaseModel) else None
    return None


def _cases() -> list:
    cases = []
    for (method, path), case in ROUTES.items():
        model = body_model(method, path) if case.body is not None else None
        if model is None:
            continue
        for name, field in model.model_fields.items():
            kind = _kind(field.annotation)
            if kind is not None and (model.__name__, name) not in LAX_ON_PURPOSE:
                cases.append(pytest.param(method, path, name, kind, id=f"{method} {path} {name}"))
    return cases


CASES = _cases()


def snapshot() -> dict[str, list[dict]]:
    rows = {}
    for model in apps.get_models(include_auto_created=True):
        if not model.__module__.startswith("opsloop."):
            continue
        values = list(model._default_manager.order_by("pk").values())
        for row in values:
            # Reading with a token stamps it; that is bookkeeping, not a write of the request.
            row.pop("last_used_at", None)
        rows[model._meta.label] = values
    return rows


def test_the_walk_covers_the_issue():
    """The cases the issue names are among those walked."""
    walked = {(p.values[1], p.values[2]) for p in CASES}
    assert ("/workspaces/{slug}/projects/{key}/items", "due_date") in walked
    assert ("/workspaces/{slug}/projects/{key}/items", "parent_id") in walked
    assert ("/workspaces/{slug}/sources", "rate_limit") in walked
    assert ("/workspaces/{slug}/dashboards", "personal") in walked
    assert len(CASES) > 100


@pytest.mark.parametrize(("method", "path", "field", "kind"), CASES)
def test_a_wrong_json_type_is_refused(world, method, path, field, kind):
    context = world.context["shared"]
    client = world.clients["owner"]
    url = PREFIX + path.format(**context)
    before = snapshot()
    for wrong in WRONG[kind]:
        body = {**ROUTES[(method, path)].body(context), field: wrong}
        response = call(client, method, url, body)
        assert response.status_code == 400, (wrong, response.content)
        answer = response.json()
        assert answer["code"] == "invalid", answer
        assert answer["field"] == field or answer["field"].startswith(f"{field}."), answer
    assert snapshot() == before


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ({"day": 0, "value": 1}, "values.0.day"),
        ({"day": "2026-10-01", "value": True}, "values.0.value"),
    ],
)
def test_a_kpi_value_of_the_wrong_type_is_refused(world, value, field):
    context = world.context["shared"]
    url = PREFIX + "/workspaces/{slug}/kpis/{kpi_id}/values".format(**context)
    before = snapshot()
    response = call(world.clients["owner"], "POST", url, {"values": [value]})
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field
    assert snapshot() == before


# --- the insight query (opsloop/insights/query.py), which the API, the builder and saved
# insights all parse


def test_every_field_of_the_insight_query_is_strict():
    from opsloop.insights import query as insight_query

    models = [
        value
        for value in vars(insight_query).values()
        if isinstance(value, type)
        and issubclass(value, BaseModel)
        and value.__module__ == insight_query.__name__
    ]
    assert len(models) > 5
    lax = [
        f"{model.__name__}.{name}: {scalar.__name__}"
        for model in models
        for name, field in model.model_fields.items()
        if (model.__name__, name) != ("PropertyFilter", "value")  # compared as the event holds it
        for scalar in _lax_scalars(field.annotation, any(m is STRICT for m in field.metadata))
    ]
    assert lax == [], "use Int, Bool, Date or Annotated[int, ..., STRICT] (core/inputs.py)"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"compare": 1}, "compare"),
        ({"date_from": 0}, "date_from"),
        ({"date_from": "1700000000"}, "date_from"),
        ({"limit": True}, "limit"),
    ],
)
def test_an_insight_query_of_the_wrong_type_is_refused(world, change, field):
    url = PREFIX + "/workspaces/{slug}/insights/query".format(**world.context["shared"])
    query = {"kind": "trends", "series": [{"event": "$pageview"}]}
    response = call(world.clients["owner"], "POST", url, query | change)
    assert response.status_code == 400, response.content
    assert field in response.content.decode()
    assert call(world.clients["owner"], "POST", url, query).status_code == 200
