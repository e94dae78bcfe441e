"""Validate input against a pydantic schema, for pages and the API alike."""

from __future__ import annotations

from typing import TypeVar

from django.utils.translation import gettext as _
from pydantic import BaseModel, ValidationError

from opsloop.core.errors import Invalid

SchemaT = TypeVar("SchemaT", bound=BaseModel)


def describe_errors(exc: ValidationError) -> list[dict]:
    """Each error as {field, message}, the field a dotted path."""
    out = []
    for error in exc.errors():
        # Only a leading location is dropped: a field may itself be named "body".
        loc = list(error.get("loc", ()))
        if loc and loc[0] in ("body", "query"):
            loc = loc[2:] if loc[0] == "body" and loc[1:2] == ["payload"] else loc[1:]
        loc = [str(p) for p in loc]
        out.append({"field": ".".join(loc), "message": error.get("msg", _("Invalid value."))})
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
