"""Read and validate input: JSON bodies, and pydantic schemas for pages and the API alike."""

from __future__ import annotations

import json
from typing import TypeVar

from django.http import HttpRequest
from django.utils.translation import gettext as _
from pydantic import BaseModel, ValidationError

from opsloop.core.errors import Invalid

SchemaT = TypeVar("SchemaT", bound=BaseModel)

# Characters that reorder or hide text (right-to-left overrides and isolates, direction
# marks): in a title they can make "gpj.exe" read "exe.jpg" in a list. A single line of
# text (a title, a name) drops them, and its control characters become spaces.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_LINE = str.maketrans(
    {**{c: None for c in BIDI_CONTROLS}, **{chr(i): " " for i in range(32)}, "\x7f": None}
)


def clean_line(value: object) -> object:
    """A single line of text without bidi controls or control characters (see above);
    anything not a string is left for the schema to refuse."""
    return value.translate(_LINE) if isinstance(value, str) else value


class BadJson(Invalid):
    """The request body is not a JSON object."""

    code = "bad_json"


def json_body(request: HttpRequest) -> dict:
    """The request body as a JSON object, or BadJson saying why it is not one. The API's
    parser (opsloop/api.py); endpoints that also take multipart call it themselves."""
    try:
        data = json.loads(request.body)
    except UnicodeDecodeError:
        raise BadJson(_("The request body is not UTF-8 text.")) from None
    except json.JSONDecodeError as exc:
        raise BadJson(
            _("The request body is not valid JSON: %(error)s at line %(line)d column %(col)d.")
            % {"error": exc.msg, "line": exc.lineno, "col": exc.colno}
        ) from None
    if not isinstance(data, dict):
        raise BadJson(_("The request body must be a JSON object."))
    return data


def describe_errors(exc: ValidationError) -> list[dict]:
    """Each error as {field, message}, the field a dotted path."""
    out = []
    for error in exc.errors():
        # Only a leading location is dropped: a field may itself be named "body".
        loc = list(error.get("loc", ()))
        if loc and loc[0] in ("body", "query"):
            loc = loc[2:] if loc[0] == "body" and loc[1:2] == ["payload"] else loc[1:]
        field = ".".join(str(p) for p in loc)
        out.append({"field": field, "message": error.get("msg", _("Invalid value."))})
    return out


def invalid_from(exc: ValidationError) -> Invalid:
    errors = describe_errors(exc)
    first = errors[0] if errors else {"field": "", "message": _("Invalid input.")}
    message = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
    return Invalid(message, field=first["field"] or None, data={"errors": errors})


def parse_input(schema: type[SchemaT], data: dict) -> SchemaT:
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise invalid_from(exc) from None
