"""Imports over the API, for every kind (opsloop/core/tables.py): preview a table or
import it all or nothing, in one request each (the file goes with both)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import StringConstraints

from opsloop.core import tables
from opsloop.core.errors import Invalid
from opsloop.core.inputs import json_body, parse_input
from opsloop.core.queries import access_workspace
from opsloop.core.schemas import ERROR_CODES, ErrorOut
from opsloop.files import imports
from opsloop.files.schemas import ContentIn
from opsloop.files.uploads import is_multipart, uploaded_file

router = Router(tags=["imports"])
ERRORS = {ERROR_CODES: ErrorOut}
PATH = "/workspaces/{slug}/imports/{kind}"


class RowErrorOut(Schema):
    line: int
    field: str
    message: str


class ImportOut(Schema):
    kind: str
    headers: list[str]
    mapping: dict[str, str]
    total: int
    valid: int
    written: int
    committed: bool
    errors: list[RowErrorOut]
    sample: list[dict[str, Any]]


class ImportJsonIn(ContentIn):
    """A table in a JSON body, for scripts: base64 content, as file uploads take it."""

    target: Annotated[str, StringConstraints(max_length=200)] = ""
    mapping: dict[str, str] | None = None


def _mapping(raw: str) -> dict[str, str] | None:
    try:
        mapping = json.loads(raw) if raw else None
    except ValueError:
        mapping = []
    if mapping is not None and (
        not isinstance(mapping, dict)
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items())
    ):
        raise Invalid(_("The mapping is JSON: {column: header}."), field="mapping")
    return mapping


def _run(request: HttpRequest, slug: str, kind: str, *, commit: bool) -> tables.ImportResult:
    membership = access_workspace(request.auth, slug)
    if is_multipart(request):
        target = str(request.POST.get("target", ""))[:200]
        imports.check_importer(membership, kind, target)
        mapping = _mapping(request.POST.get("mapping") or "")
        upload = uploaded_file(request, max_bytes=tables.MAX_BYTES)
        name, content = upload.name or "", upload.read()
    else:
        data = parse_input(ImportJsonIn, json_body(request))
        target, mapping = data.target, data.mapping
        imports.check_importer(membership, kind, target)
        name, content = data.name, data.content()
    return tables.run_import(
        membership, kind, target, name, content, mapping=mapping, commit=commit
    )


BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": ImportJsonIn.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "target": {"type": "string"},
                        "mapping": {"type": "string", "description": "JSON {column: header}"},
                    },
                    "required": ["file"],
                }
            },
        },
    }
}


@router.post(
    PATH + "/preview",
    response={200: ImportOut, **ERRORS},
    summary="Preview an import",
    description="Members and above, where the import's target allows. multipart/form-data "
    "(or JSON with `name` and `content_base64`, as file uploads take them): the .csv or "
    ".xlsx in `file`, the `target` (a project's key, an account's id: as the "
    "kind reads it) and an optional `mapping` JSON {column: header} (guessed from the "
    "headers when left out). Nothing is written: the answer has the mapping, the first rows "
    "as read and every row that would fail, with why.",
    openapi_extra=BODY,
)
def preview_import(request: HttpRequest, slug: str, kind: str) -> tables.ImportResult:
    return _run(request, slug, kind, commit=False)


@router.post(
    PATH,
    response={201: ImportOut, **ERRORS},
    summary="Import a table",
    description="As the preview, but written: all rows or none. With any bad row, 400 with "
    "`errors` [{line, field, message}] naming each (line 1 is the header) and nothing written.",
    openapi_extra=BODY,
)
def run_import(request: HttpRequest, slug: str, kind: str) -> Status:
    return Status(201, _run(request, slug, kind, commit=True))
