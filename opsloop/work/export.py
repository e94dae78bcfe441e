"""CSV export of an item list: every standard column and the custom fields, streamed."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from opsloop.work.fields import display
from opsloop.work.models import CustomField, Item, Priority, Project
from opsloop.work.queries import ItemFilters, export_items

# Excel reads a CSV file as UTF-8 only when it starts with a byte order mark; without
# one, Chinese titles turn into mojibake.
BOM = "\ufeff"


class _Line:
    """A file-like object whose write() hands back the line, for csv.writer."""

    def write(self, value: str) -> str:
        return value


def _when(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def csv_lines(items: Iterable[Item], fields: list[CustomField]) -> Iterator[str]:
    writer = csv.writer(_Line())
    header = [
        _("Ref"),
        _("Title"),
        _("State"),
        _("Priority"),
        _("Assignees"),
        _("Labels"),
        _("Start date"),
        _("Due date"),
        _("Estimate (h)"),
        _("Progress"),
        _("Parent"),
        _("Created"),
        _("Updated"),
        *[f.name for f in fields],
    ]
    yield BOM + writer.writerow(header)
    for item in items:
        rows = item.field_rows
        yield writer.writerow(
            [
                item.ref,
                item.title,
                item.state.name,
                str(Priority(item.priority).label),
                ", ".join(u.label for u in item.assignee_list),
                ", ".join(label.name for label in item.label_list),
                _when(item.start_date),
                _when(item.due_date),
                "" if item.estimate_hours is None else str(item.estimate_hours),
                item.progress,
                f"{item.project.key}-{item.parent.number}"
                if item.parent_id and item.parent
                else "",
                _when(item.created_at),
                _when(item.updated_at),
                *[display(f, rows.get(f.pk)) for f in fields],
            ]
        )


def csv_response(
    project: Project, filters: ItemFilters, fields: list[CustomField]
) -> StreamingHttpResponse:
    """Every page of the project's list under filters, as a CSV download named after it."""
    response = StreamingHttpResponse(
        csv_lines(export_items(project, filters), fields), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{project.key}-{stamp}.csv"'
    return response
