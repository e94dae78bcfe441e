"""Writing a change to one row without undoing another request's change to its other fields.

An update action reads its object when the request starts (access_* checks), and another
request may change the same row before the action writes. Saving the caller's copy whole
would then put back the other request's old values: a lost update. So an action

1. takes the row under a lock inside its transaction and loads its current values into
   the caller's object (`lock_current`), so what it compares and records is the row as
   it is now, and no other write to the row can come between;
2. writes only the fields it changed (`save_changed`).

SQLite takes the write lock when the transaction begins (transaction_mode IMMEDIATE in
settings), PostgreSQL at SELECT ... FOR UPDATE: on both, the values loaded are the last
committed ones."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def lock_current(obj: M) -> dict[str, Any]:
    """Lock obj's row until the transaction ends and load its current values into obj.

    Returns those values by field attname, for `save_changed`. Must run inside
    transaction.atomic()."""
    # _meta rather than type(): request.user is a lazy wrapper around the user.
    current = obj._meta.model._default_manager.select_for_update().get(pk=obj.pk)
    values = {}
    for field in obj._meta.concrete_fields:
        value = getattr(current, field.attname)
        # Setting a foreign key's id drops a cached related object that no longer matches.
        setattr(obj, field.attname, value)
        values[field.attname] = value
    return values


def save_changed(obj: models.Model, before: dict[str, Any], *also: str) -> list[str]:
    """Save the fields of obj whose values differ from `before`, with the fields in `also`
    (a version counter, who changed it; an auto_now field is written only when named).
    Nothing is written when nothing differs. Returns the names saved."""
    changed = [
        field.name
        for field in obj._meta.concrete_fields
        if not field.primary_key and getattr(obj, field.attname) != before[field.attname]
    ]
    if not changed:
        return []
    fields = list(dict.fromkeys([*changed, *also]))
    obj.save(update_fields=fields)
    return fields
