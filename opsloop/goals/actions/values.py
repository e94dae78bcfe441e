"""A KPI's values: entered by hand, imported from a CSV or an Excel file, and stored by
day (a computed KPI's too, through store_values)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opsloop.core.errors import Forbidden, Invalid
from opsloop.core.models import Membership, Role
from opsloop.goals.actions.alert_rules import do_check_alerts
from opsloop.goals.actions.common import check_day, check_number
from opsloop.goals.models import Kpi, KpiSource, KpiValue
from opsloop.goals.schemas import ValueIn
from opsloop.insights.queries import local_today

MAX_IMPORT_ROWS = 10_000
# The page and the API refuse a larger file before reading it (uploaded_file, 413).
MAX_IMPORT_BYTES = 2 * 1024 * 1024


def check_values(values: Sequence[ValueIn]) -> list[tuple[dt.date, float]]:
    """(day, value) by day; a day given again keeps its last value."""
    if not values:
        raise Invalid(_("Send at least one value."), field="values")
    if len(values) > MAX_IMPORT_ROWS:
        raise Invalid(
            _("At most %(max)d values at once.") % {"max": MAX_IMPORT_ROWS}, field="values"
        )
    out = {}
    for i, value in enumerate(values):
        out[value.day] = check_number(value.value, f"values.{i}.value")
    return sorted(out.items())


def check_records(actor: Membership, kpi: Kpi) -> None:
    """Members and above enter values of any KPI kept by hand (the team keeps them)."""
    if not actor.at_least(Role.MEMBER):
        raise Forbidden(_("Guests cannot enter values."))


def do_record_kpi_values(
    *, actor: Membership, kpi: Kpi, values: list[tuple[dt.date, float]]
) -> int:
    """Enter or import values of a KPI kept by hand (a day given again is replaced)."""
    check_records(actor, kpi)
    if kpi.source != KpiSource.MANUAL:
        raise Invalid(_("This KPI is computed; its values cannot be entered."), field="values")
    store_values(kpi, dict(values), replace=True)
    do_check_alerts(kpi=kpi)
    return len(values)


def parse_value_file(name: str, content: bytes) -> list[tuple[dt.date, float]]:
    """Rows of day and value from a CSV (UTF-8, with or without a header) or an Excel
    workbook's first sheet: the first column the day, the second the value."""
    lowered = name.lower()
    if lowered.endswith(".xlsx"):
        rows = _xlsx_rows(content)
    elif lowered.endswith((".csv", ".txt")):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise Invalid(_("Save the CSV file as UTF-8."), field="file") from None
        rows = [row for row in csv.reader(io.StringIO(text)) if any(c.strip() for c in row)]
    else:
        raise Invalid(_("Import a .csv or an .xlsx file."), field="file")
    out = []
    for n, row in enumerate(rows, start=1):
        if len(row) < 2:
            raise Invalid(_("Row %(n)d needs a day and a value.") % {"n": n}, field="file")
        try:
            day = check_day(row[0], "file")
        except Invalid:
            if n == 1:
                continue  # a header
            raise Invalid(_("Row %(n)d: the day is not a date.") % {"n": n}, field="file") from None
        try:
            value = check_number(row[1], "file")
        except Invalid:
            raise Invalid(
                _("Row %(n)d: the value is not a number.") % {"n": n}, field="file"
            ) from None
        out.append(ValueIn(day=day, value=value))
    return check_values(out)


def _xlsx_rows(content: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 (any unreadable workbook is the same 400)
        raise Invalid(_("The Excel file could not be read."), field="file") from None
    sheet = book.worksheets[0]
    rows = []
    for row in sheet.iter_rows(values_only=True, max_row=MAX_IMPORT_ROWS + 1):
        cells = list(row[:2])
        if any(cell not in (None, "") for cell in cells):
            rows.append(cells)
    book.close()
    return rows


def store_values(kpi: Kpi, values: dict[dt.date, float], *, replace: bool) -> None:
    """Write values by day. `replace` overwrites days already recorded; otherwise only
    new days, today and yesterday (which may have been recorded before it was over) are
    written, so history keeps the definition it was made under."""
    if not values:
        return
    existing = dict(KpiValue.objects.filter(kpi=kpi, day__in=list(values)).values_list("day", "pk"))
    today = local_today(kpi.workspace)
    now = timezone.now()
    new = [
        KpiValue(kpi=kpi, day=day, value=value, version=kpi.version)
        for day, value in values.items()
        if day not in existing
    ]
    changed = [
        KpiValue(
            pk=existing[day], kpi=kpi, day=day, value=value, version=kpi.version, recorded_at=now
        )
        for day, value in values.items()
        if day in existing and (replace or day >= today - dt.timedelta(days=1))
    ]
    with transaction.atomic():
        KpiValue.objects.bulk_create(new, batch_size=1000)
        KpiValue.objects.bulk_update(changed, ["value", "version", "recorded_at"], batch_size=1000)
