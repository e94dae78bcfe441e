"""Errors that actions and queries raise; pages and the API turn them into 4xx answers."""

from __future__ import annotations


class OpsloopError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, data: dict | None = None):
        super().__init__(message)
        self.message = str(message)
        self.field = field
        self.data = data or {}


class Invalid(OpsloopError):
    """The input is wrong; the message says what and the field says where."""

    status = 400
    code = "invalid"


class NotFound(OpsloopError):
    """No such object, or the actor may not know it exists."""

    status = 404
    code = "not_found"


class Forbidden(OpsloopError):
    """The actor sees the object but their role does not allow this."""

    status = 403
    code = "forbidden"


class Conflict(OpsloopError):
    """The object changed since the actor read it, or the write clashes with another."""

    status = 409
    code = "conflict"
