"""Importing a table (CSV or Excel) into opsloop: one way for every kind of import.

An app describes what it imports as an Importer: its columns (each with the header
names the platforms' exports use, 日期, 消耗, 展示数 ...), a pydantic model of one row
whose fields parse the cells as those exports write them, a check of who may import
into what (the *target*: a project's key, an account's id, as the importer reads it),
and a write. `run_import` then does the same steps for all of them:

1. read the file: .csv in UTF-8 (with or without the BOM Excel writes) or GB18030 (what
   a Chinese Excel saves as CSV), or .xlsx (the first sheet);
2. map the file's headers to the importer's columns: as given, else guessed from the
   columns' aliases (case, spaces and punctuation ignored);
3. parse every row, collecting each bad cell as a RowError with its line in the file;
4. preview (commit=False): the mapping, the first rows and every error, nothing written;
   or import (commit=True): with any error, RowsInvalid naming the rows and nothing
   written; else the importer's write, inside one transaction, so that a write that
   refuses a row (RowsInvalid again) leaves nothing half-imported.

Importers register themselves at start (`register_importer` in an AppConfig.ready);
the page (opsloop/core/imports_views.py) and the API (opsloop/core/imports_api.py)
serve every registered kind."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any

from django.db import transaction
from django.utils.translation import gettext as _
from pydantic import BaseModel, BeforeValidator, ValidationError

from opsloop.core.errors import Invalid, NotFound
from opsloop.core.models import Membership

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
PREVIEW_ROWS = 20
MAX_ERRORS = 200  # listed; the count says how many there are in all

# --- cells: what the exports write, parsed


def _blank(value: Any) -> bool:
    """An empty cell, or one the exports fill with a dash for "none"."""
    return value is None or (isinstance(value, str) and value.strip() in ("", "-", "--", "—"))


def _text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel keeps IDs as numbers: 1700000000000000 not 1.7e15
    return str(value).strip()


_NUMBER_JUNK = re.compile(r"[,\s¥￥$元人次个]")


def _decimal(value: Any) -> Decimal | None:
    """A number as the exports write it: 1,234.50, ¥1,234, 1.2万, 3亿, (12) for -12."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(_("not a number"))
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    text = _NUMBER_JUNK.sub("", str(value))
    negative = text.startswith("(") and text.endswith(")")
    text = text.strip("()")
    scale = Decimal(1)
    if text.endswith("万"):
        scale, text = Decimal(10_000), text[:-1]
    elif text.endswith("亿"):
        scale, text = Decimal(100_000_000), text[:-1]
    try:
        number = Decimal(text) * scale
    except InvalidOperation:
        raise ValueError(_("not a number")) from None
    if not number.is_finite():
        raise ValueError(_("not a number"))
    return -number if negative else number


def _money(value: Any) -> Decimal | None:
    number = _decimal(value)
    if number is None:
        return None
    if abs(number) >= Decimal("1e12"):
        raise ValueError(_("too large an amount"))
    return number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _count(value: Any) -> int | None:
    number = _decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ValueError(_("not a whole number"))
    if number < 0:
        raise ValueError(_("not a count (below 0)"))
    return int(number)


def _percent(value: Any) -> Decimal | None:
    """12.5% or 12.5 -> 12.5; a fraction Excel keeps for a % cell (0.125) stays 0.125:
    the header says which, and exports write percentages with their sign."""
    if isinstance(value, str):
        value = value.strip().rstrip("%").strip()
    number = _decimal(value)
    if number is not None and not Decimal(-1000) <= number <= Decimal(1000):
        raise ValueError(_("not a percentage"))
    return number


_DAY_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def _day(value: Any) -> dt.date | None:
    """2026-11-01, 2026/11/1, 2026.11.1, 20261101, 2026年11月1日, with a time after it
    or not, an Excel date cell, or an Excel serial number (46,000 and so on)."""
    if _blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20_000 <= value <= 80_000:  # 1954 .. 2119
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        value = str(int(value))
    text = str(value).strip()
    text = re.split(r"[ T]", text, maxsplit=1)[0] if re.match(r"\d{4}\D", text) else text
    for fmt in _DAY_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a day, no zone)
        except ValueError:
            continue
    raise ValueError(_("not a date (write it as 2026-11-01)"))


Text = Annotated[str, BeforeValidator(_text)]
Money = Annotated[Decimal, BeforeValidator(_money)]
Count = Annotated[int, BeforeValidator(_count)]
Percent = Annotated[Decimal, BeforeValidator(_percent)]
Day = Annotated[dt.date, BeforeValidator(_day)]


# --- what an app declares


@dataclass(frozen=True)
class Column:
    """A field an import fills, with the headers that name it in the exports."""

    name: str
    label: Any  # a lazy translation
    aliases: tuple[str, ...] = ()
    required: bool = False


@dataclass(frozen=True)
class RowError:
    line: int  # in the file, the header being line 1
    field: str  # the column's name, or "" for the row as a whole
    message: str


class RowsInvalid(Invalid):
    """Rows that cannot be imported: nothing is written, every row is named."""

    def __init__(self, errors: Sequence[RowError], *, total: int | None = None):
        errors = list(errors)
        count = total if total is not None else len(errors)
        lines = sorted({e.line for e in errors})
        message = _("%(count)s rows cannot be imported (lines %(lines)s): nothing was written.") % {
            "count": len(lines),
            "lines": ", ".join(str(n) for n in lines[:20]) + (" …" if len(lines) > 20 else ""),
        }
        super().__init__(
            message,
            data={
                "errors": [
                    {"line": e.line, "field": e.field, "message": e.message}
                    for e in errors[:MAX_ERRORS]
                ],
                "error_count": count,
            },
        )
        self.errors = errors


Check = Callable[[Membership, str], None]
Write = Callable[[Membership, str, list[tuple[int, Any]]], int]


@dataclass(frozen=True)
class Importer:
    kind: str  # "<app>.<what>"
    label: Any
    columns: tuple[Column, ...]
    row: type[BaseModel]
    check: Check
    write: Write
    help: Any = ""  # a sentence under the page's title: where to get the file


_IMPORTERS: dict[str, Importer] = {}


def register_importer(importer: Importer) -> None:
    names = {c.name for c in importer.columns}
    missing = names - set(importer.row.model_fields)
    if missing:
        raise ValueError(f"{importer.kind}: columns without a row field: {sorted(missing)}")
    _IMPORTERS[importer.kind] = importer


def get_importer(kind: str) -> Importer:
    found = _IMPORTERS.get(kind)
    if found is None:
        raise NotFound(_("There is no such import."))
    return found


def importers() -> list[Importer]:
    return sorted(_IMPORTERS.values(), key=lambda i: i.kind)


# --- reading


@dataclass(frozen=True)
class Sheet:
    headers: list[str]
    rows: list[list[Any]]  # cells as read: str from CSV; str, int, float, date from Excel


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Invalid(_("The file is neither UTF-8 nor GB18030 text."), field="file")


def read_sheet(filename: str, content: bytes) -> Sheet:
    """The file's header row and its rows (blank rows left out)."""
    if len(content) > MAX_BYTES:
        raise Invalid(_("The file is larger than 10 MB."), field="file")
    lowered = filename.lower()
    if lowered.endswith(".xlsx"):
        rows = _xlsx_rows(content)
    elif lowered.endswith((".csv", ".txt", ".tsv")):
        text = _decode(content)
        try:
            dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
        except csv.Error:
            dialect = csv.excel
        rows = [list(r) for r in csv.reader(io.StringIO(text), dialect)]
    else:
        raise Invalid(_("Import a .csv or an .xlsx file."), field="file")
    rows = [r for r in rows if any(not _blank(c) for c in r)]
    if not rows:
        raise Invalid(_("The file has no rows."), field="file")
    if len(rows) - 1 > MAX_ROWS:
        raise Invalid(
            _("The file has more than %(n)s rows: split it.") % {"n": f"{MAX_ROWS:,}"},
            field="file",
        )
    headers = [_text(h) for h in rows[0]]
    width = len(headers)
    body = [(r + [None] * width)[:width] for r in rows[1:]]
    return Sheet(headers=headers, rows=body)


def _xlsx_rows(content: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        raise Invalid(_("This is not an Excel (.xlsx) file."), field="file") from None
    try:
        sheet = book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


# --- mapping


def _key(text: str) -> str:
    return re.sub(r"[\s_\-()（）:：/.]+", "", str(text)).lower()


def guess_mapping(importer: Importer, headers: Sequence[str]) -> dict[str, str]:
    """{column name: header} for each column whose name, label or alias a header is."""
    by_key = {_key(h): h for h in reversed(headers) if h}
    out: dict[str, str] = {}
    for column in importer.columns:
        for alias in (column.name, str(column.label), *column.aliases):
            header = by_key.get(_key(alias))
            if header is not None and header not in out.values():
                out[column.name] = header
                break
    return out


def check_mapping(importer: Importer, headers: Sequence[str], mapping: dict[str, str]) -> None:
    names = {c.name for c in importer.columns}
    for name, header in mapping.items():
        if name not in names:
            raise Invalid(_("The import has no column %(name)s.") % {"name": name}, field="mapping")
        if header not in headers:
            raise Invalid(
                _("The file has no column headed %(header)s.") % {"header": header},
                field="mapping",
            )
    if len(set(mapping.values())) != len(mapping):
        raise Invalid(_("One column of the file is mapped twice."), field="mapping")
    for column in importer.columns:
        if column.required and column.name not in mapping:
            raise Invalid(
                _("Say which column holds %(label)s.") % {"label": column.label},
                field=f"mapping.{column.name}",
            )


# --- parsing and running


@dataclass
class ImportResult:
    kind: str
    headers: list[str]
    mapping: dict[str, str]
    total: int  # rows in the file
    valid: int  # rows that parsed
    errors: list[RowError] = field(default_factory=list)
    sample: list[dict[str, Any]] = field(default_factory=list)  # the first rows, parsed
    written: int = 0
    committed: bool = False


def parse_rows(
    importer: Importer, sheet: Sheet, mapping: dict[str, str]
) -> tuple[list[tuple[int, Any]], list[RowError]]:
    index = {name: sheet.headers.index(header) for name, header in mapping.items()}
    parsed: list[tuple[int, Any]] = []
    errors: list[RowError] = []
    for number, cells in enumerate(sheet.rows, start=2):
        values = {name: cells[i] for name, i in index.items() if not _blank(cells[i])}
        try:
            parsed.append((number, importer.row.model_validate(values)))
        except ValidationError as exc:
            for error in exc.errors():
                where = str(error["loc"][0]) if error.get("loc") else ""
                message = str(error.get("ctx", {}).get("error") or error["msg"])
                if error["type"] == "missing":
                    message = _("empty")
                errors.append(RowError(line=number, field=where, message=message))
    return parsed, errors


def run_import(
    membership: Membership,
    kind: str,
    target: str,
    filename: str,
    content: bytes,
    *,
    mapping: dict[str, str] | None = None,
    commit: bool = True,
) -> ImportResult:
    """Preview (commit=False) or import a file, all or nothing (see the module's doc)."""
    importer = get_importer(kind)
    importer.check(membership, target)
    sheet = read_sheet(filename, content)
    mapping = dict(mapping) if mapping else guess_mapping(importer, sheet.headers)
    check_mapping(importer, sheet.headers, mapping)
    parsed, errors = parse_rows(importer, sheet, mapping)
    result = ImportResult(
        kind=kind,
        headers=sheet.headers,
        mapping=mapping,
        total=len(sheet.rows),
        valid=len(parsed),
        errors=errors,
        sample=[
            {"line": line, **row.model_dump(mode="json")} for line, row in parsed[:PREVIEW_ROWS]
        ],
    )
    if not commit:
        # The write's own checks (an unknown placement, a piece not found) run too, and
        # are rolled back: the preview names every row the import would refuse.
        with transaction.atomic():
            try:
                importer.write(membership, target, parsed)
            except RowsInvalid as refused:
                result.errors = sorted([*errors, *refused.errors], key=lambda e: e.line)
            finally:
                transaction.set_rollback(True)
        return result
    if errors:
        raise RowsInvalid(errors)
    with transaction.atomic():
        result.written = importer.write(membership, target, parsed)
    result.committed = True
    return result
