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
        loc = [str(p) for p in error.get("loc", ()) if p not in ("body", "payload", "query")]
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
