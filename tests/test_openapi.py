"""The OpenAPI document says what each operation takes and answers, truly.

The document keys its schemas by class name: two classes of one name would leave one
description standing for both, and operations of the other documented wrongly."""

from __future__ import annotations

import typing
from collections import defaultdict

from pydantic import BaseModel

from opsloop.api import api


def models_in(annotation: object, seen: set[type]) -> None:
    """Every pydantic model an annotation names, and the models their fields name."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in seen:
            return
        seen.add(annotation)
        for field in annotation.model_fields.values():
            models_in(field.annotation, seen)
        return
    for arg in typing.get_args(annotation):
        models_in(arg, seen)


def api_models() -> set[type]:
    seen: set[type] = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in [*operation.response_models.values(), *operation.models]:
                    if model is not None:
                        models_in(model, seen)
    return seen


def test_no_two_schemas_of_the_api_share_a_name():
    by_name: dict[str, set[str]] = defaultdict(set)
    for model in api_models():
        # ninja's own wrappers (the response envelope, grouped parameters) are made per
        # operation and never named in the document.
        if model.__module__.startswith("opsloop."):
            by_name[model.__name__].add(f"{model.__module__}.{model.__qualname__}")
    shared = {name: sorted(places) for name, places in by_name.items() if len(places) > 1}
    assert shared == {}


def test_each_response_is_documented_with_its_own_fields():
    """The document's schema of each answer lists the fields its model answers with."""
    document = api.get_openapi_schema(path_prefix="")
    components = document["components"]["schemas"]
    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for status, wrapper in operation.response_models.items():
                    if wrapper is None:  # 204: no body
                        continue
                    model = wrapper.model_fields["response"].annotation
                    if not (isinstance(model, type) and issubclass(model, BaseModel)):
                        continue
                    # By field name or by alias, as the route writes it.
                    names = {
                        frozenset(
                            model.model_json_schema(mode="serialization", by_alias=by_alias).get(
                                "properties", {}
                            )
                        )
                        for by_alias in (False, True)
                    }
                    if names == {frozenset()}:  # a serializer of its own says the shape
                        continue
                    documented = frozenset(components[model.__name__].get("properties", {}))
                    assert documented in names, f"{path} {status}: {model.__name__}"


def test_every_write_with_a_body_documents_it():
    document = api.get_openapi_schema(path_prefix="")
    values = document["paths"]["/workspaces/{slug}/kpis/{kpi_id}/values"]["post"]
    content = values["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(content)


def test_the_served_document_has_no_key_twice(client):
    """Swagger UI (the API docs page) reads the document as YAML, which refuses a key
    given twice in one object (an int 200 and a "200" from openapi_extra, say); Python's
    json keeps the last silently."""
    import json

    twice: list[str] = []

    def pairs(items: list) -> dict:
        keys = [key for key, _value in items]
        twice.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(items)

    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content, object_pairs_hook=pairs)
    assert twice == []
    download = document["paths"]["/api/v1/workspaces/{slug}/reports/{report_id}/pdf"]["get"]
    assert "application/pdf" in download["responses"]["200"]["content"]
