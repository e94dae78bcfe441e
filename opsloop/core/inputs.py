"""Read and validate input: JSON bodies, and pydantic schemas for pages and the API alike."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import re
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from pydantic import AllowInfNan, BaseModel, GetCoreSchemaHandler, ValidationError
from pydantic_core import PydanticCustomError, core_schema

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


# --- Strict JSON types for input schemas
#
# pydantic's lax mode converts between JSON types: 0 becomes the date 1970-01-01, 0 and 1
# become booleans, false becomes the id 0 and true the number 1. Strict mode would also
# refuse the strings that HTML forms post ("3", "on", "2026-01-01"), and pages parse their
# forms with the same schemas as the API (docs/decisions/0004). So STRICT refuses only the
# JSON types that cannot mean the value and leaves text to pydantic's parsing. An input
# schema writes Int, Bool, Float, DecimalNumber, Date and DateTime, never int, bool, float,
# Decimal, date or datetime; with constraints, STRICT goes last, after them:
# Annotated[int, Field(ge=1, le=1440), STRICT]. (Placed first, pydantic can no longer put
# the constraints into the OpenAPI document as minimum and maximum.)
# tests/test_strict_inputs.py walks every input schema for a field left lax.

# Text that is a number, which pydantic would read as seconds since 1970 for a date.
_NUMBER_TEXT = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")
_DATE_MESSAGE = gettext_noop("A date is written as text, YYYY-MM-DD; a number is not a date.")
_DATETIME_MESSAGE = gettext_noop(
    "A date and time is written as text, YYYY-MM-DDTHH:MM with an optional time zone; "
    "a number is not a time."
)


def _number(kind: str) -> Callable[[object], object]:
    def check(value: object) -> object:
        if isinstance(value, bool):
            raise PydanticCustomError(kind, _("A number was expected, not true or false."))
        return value

    return check


def _boolean(value: object) -> object:
    if isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool):
        raise PydanticCustomError("bool_type", _("true or false was expected, not a number."))
    return value


def _moment(kind: str, message: str) -> Callable[[object], object]:
    def check(value: object) -> object:
        if isinstance(value, bool | int | float | decimal.Decimal) or (
            isinstance(value, str) and _NUMBER_TEXT.fullmatch(value)
        ):
            raise PydanticCustomError(kind, _(message))
        return value

    return check


# Checked in this order: a datetime is a date, a bool is an int.
_CHECKS: list[tuple[type, Callable[[object], object]]] = [
    (bool, _boolean),
    (int, _number("int_type")),
    (float, _number("float_type")),
    (decimal.Decimal, _number("decimal_type")),
    (dt.datetime, _moment("datetime_type", _DATETIME_MESSAGE)),
    (dt.date, _moment("date_type", _DATE_MESSAGE)),
]


class StrictJsonType:
    """Refuses a value of the wrong JSON type for the annotated type (see above)."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler):
        for kind, check in _CHECKS:
            if isinstance(source, type) and issubclass(source, kind):
                return core_schema.no_info_before_validator_function(check, handler(source))
        raise TypeError(
            f"STRICT applies to bool, int, float, Decimal, date and datetime, not {source}"
        )

    def __repr__(self) -> str:
        return "STRICT"


STRICT = StrictJsonType()
Int = Annotated[int, STRICT]
Float = Annotated[float, AllowInfNan(False), STRICT]
DecimalNumber = Annotated[decimal.Decimal, STRICT]
Bool = Annotated[bool, STRICT]
Date = Annotated[dt.date, STRICT]
DateTime = Annotated[dt.datetime, STRICT]


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
