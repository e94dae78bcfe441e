"""Custom field values: what each type accepts, how a value is stored and how it reads.

A value lives in the column of its type of CustomFieldValue (decision 0015); an empty value
has no row at all, so "has no value" is a NOT IN over the (field, item) index."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from opsloop.core.errors import Invalid
from opsloop.work.models import CustomField, CustomFieldValue, FieldType

TEXT_MAX = 2000
NUMBER_LIMIT = Decimal("1e14")
TRUE_WORDS = {"1", "true", "on", "yes"}
FALSE_WORDS = {"", "0", "false", "off", "no"}
_url = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class Stored:
    """The columns one value fills."""

    text: str = ""
    number: Decimal | None = None
    date: date | None = None
    flag: bool | None = None
    user_id: int | None = None

    def columns(self) -> dict:
        return {
            "text": self.text,
            "number": self.number,
            "date": self.date,
            "flag": self.flag,
            "user_id": self.user_id,
        }


def option_ids(field: CustomField) -> list[str]:
    return [str(o.get("id")) for o in field.options or []]


def option_label(field: CustomField, option_id: str) -> str:
    for option in field.options or []:
        if str(option.get("id")) == option_id:
            return str(option.get("label", option_id))
    return option_id


def _is_empty(raw: Any) -> bool:
    return raw is None or raw == "" or raw == [] or (isinstance(raw, str) and not raw.strip())


def _ids_from(raw: Any, where: str) -> list[str]:
    if isinstance(raw, str):
        parts = raw.split(",")
    elif isinstance(raw, list):
        parts = [str(p) for p in raw if not isinstance(p, dict | list | bool)]
        if len(parts) != len(raw):
            raise Invalid(_("Give option ids."), field=where)
    else:
        raise Invalid(_("Give option ids."), field=where)
    return list(dict.fromkeys(p.strip() for p in parts if p.strip()))


def check_value(
    field: CustomField, raw: Any, *, where: str, can_assign: Any = None
) -> Stored | None:
    """The stored form of raw for this field, None when it is empty (which clears it).

    can_assign(user_id) tells whether a person may be chosen in the item's project."""
    kind = field.type
    if isinstance(raw, dict):
        raise Invalid(_("%(name)s: this is not a value.") % {"name": field.name}, field=where)
    if kind == FieldType.CHECKBOX:
        if isinstance(raw, bool):
            return Stored(flag=True) if raw else None
        word = "" if raw is None else str(raw).strip().lower()
        if word in TRUE_WORDS:
            return Stored(flag=True)
        if word in FALSE_WORDS:
            return None
        raise Invalid(
            _("%(name)s is checked or not: true or false.") % {"name": field.name}, field=where
        )
    if kind == FieldType.MULTI_SELECT:
        if _is_empty(raw):
            return None
        ids = _ids_from(raw, where)
        unknown = [i for i in ids if i not in option_ids(field)]
        if unknown:
            raise Invalid(
                _("%(name)s has no option %(id)s.") % {"name": field.name, "id": unknown[0]},
                field=where,
            )
        return Stored(text="," + ",".join(ids) + ",") if ids else None
    if isinstance(raw, list):
        raise Invalid(_("%(name)s takes one value.") % {"name": field.name}, field=where)
    if _is_empty(raw):
        return None
    if isinstance(raw, bool):
        raise Invalid(_("%(name)s: this is not a value.") % {"name": field.name}, field=where)
    if kind == FieldType.NUMBER:
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise Invalid(_("%(name)s must be a number.") % {"name": field.name}, field=where)
        if abs(number) >= NUMBER_LIMIT:
            raise Invalid(_("%(name)s is too large.") % {"name": field.name}, field=where)
        return Stored(number=number.quantize(Decimal("0.0001")))
    if kind == FieldType.DATE:
        try:
            return Stored(date=date.fromisoformat(str(raw).strip()))
        except ValueError:
            raise Invalid(
                _("%(name)s must be a date like 2026-11-11.") % {"name": field.name}, field=where
            ) from None
    if kind == FieldType.SELECT:
        option = str(raw).strip()
        if option not in option_ids(field):
            raise Invalid(
                _("%(name)s has no option %(id)s.") % {"name": field.name, "id": option},
                field=where,
            )
        return Stored(text=option)
    if kind == FieldType.USER:
        text = str(raw).strip()
        if not text.isdigit() or can_assign is None or not can_assign(int(text)):
            raise Invalid(
                _("%(name)s: user %(id)s cannot be chosen in this project.")
                % {"name": field.name, "id": text},
                field=where,
            )
        return Stored(user_id=int(text))
    text = str(raw).strip()
    if len(text) > TEXT_MAX:
        raise Invalid(
            _("%(name)s is too long (at most %(max)d characters).")
            % {"name": field.name, "max": TEXT_MAX},
            field=where,
        )
    if kind == FieldType.URL:
        try:
            _url(text)
        except ValidationError:
            raise Invalid(
                _("%(name)s must be a web address starting with http:// or https://.")
                % {"name": field.name},
                field=where,
            ) from None
    return Stored(text=text)


def stored_of(row: CustomFieldValue | None) -> Stored | None:
    if row is None:
        return None
    return Stored(
        text=row.text, number=row.number, date=row.date, flag=row.flag, user_id=row.user_id
    )


def display(field: CustomField, row: CustomFieldValue | None) -> str:
    """A value as people read it: option labels, a person's name, 2026-11-11."""
    if row is None:
        return ""
    kind = field.type
    if kind == FieldType.SELECT:
        return option_label(field, row.text)
    if kind == FieldType.MULTI_SELECT:
        return ", ".join(option_label(field, i) for i in row.text.split(",") if i)
    if kind == FieldType.USER:
        return row.user.label if row.user_id and row.user else ""
    if kind == FieldType.CHECKBOX:
        return "✓" if row.flag else ""
    if kind == FieldType.NUMBER and row.number is not None:
        return format(row.number.normalize(), "f")
    if kind == FieldType.DATE and row.date is not None:
        return row.date.isoformat()
    return row.text
