"""The portfolio as CSV, with its headers in the reader's language."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext as _

from opsloop.portfolio.queries import PortfolioRow

# Excel reads a CSV file as UTF-8 only when it starts with a byte order mark.
BOM = "\ufeff"


def _money(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def csv_text(rows: Iterable[PortfolioRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Key"),
            _("Project"),
            _("Kind"),
            _("Stage"),
            _("Owner"),
            _("Start date"),
            _("End date"),
            _("Progress (%)"),
            _("Items"),
            _("Items done"),
            _("Budget planned"),
            _("Budget spent"),
            _("Milestones late"),
            _("Items at risk"),
            _("Key results"),
        ]
    )
    for row in rows:
        writer.writerow(
            [
                row.key,
                row.name,
                row.kind_label,
                row.stage_label,
                row.owner_name,
                row.start_date.isoformat() if row.start_date else "",
                row.end_date.isoformat() if row.end_date else "",
                "" if row.progress is None else row.progress,
                row.items,
                row.done,
                _money(row.budget),
                _money(row.spent),
                row.milestones_late,
                row.items_at_risk,
                "; ".join(
                    f"{kr.title} ({kr.status_label}"
                    + ("" if kr.progress is None else f", {round(100 * kr.progress)}%")
                    + ")"
                    for kr in row.key_results
                ),
            ]
        )
    return BOM + out.getvalue()
