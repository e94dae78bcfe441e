"""A small importer the import tests run through the whole framework: a manual KPI's
values (day, value) with an optional note, its target the KPI's id."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy
from pydantic import BaseModel, ConfigDict

from opsloop.core.errors import Invalid
from opsloop.core.tables import (
    Column,
    Count,
    Day,
    Importer,
    RowError,
    RowsInvalid,
    Text,
    register_importer,
)
from opsloop.goals import actions as goal_actions
from opsloop.goals import queries as goal_queries

KIND = "tests.kpi_values"


class ValueRow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    day: Day
    value: Count
    note: Text = ""


def _kpi(membership, target: str):
    if not target.isdigit():
        raise Invalid("Name the KPI.", field="target")
    return goal_queries.get_kpi(membership, int(target))


def _write(membership, target: str, rows: list[tuple[int, ValueRow]]) -> int:
    today = timezone.localdate()
    future = [RowError(line, "day", "in the future") for line, r in rows if r.day > today]
    if future:
        raise RowsInvalid(future)
    kpi = _kpi(membership, target)
    values = [(r.day, float(r.value)) for _line, r in rows]
    goal_actions.do_record_kpi_values(actor=membership, kpi=kpi, values=values)
    return len(values)


IMPORTER = Importer(
    kind=KIND,
    label=gettext_lazy("KPI values"),
    columns=(
        Column("day", gettext_lazy("Day"), aliases=("日期", "时间", "date"), required=True),
        Column("value", gettext_lazy("Value"), aliases=("数值", "粉丝数"), required=True),
        Column("note", gettext_lazy("Note"), aliases=("备注",)),
    ),
    row=ValueRow,
    check=lambda membership, target: _kpi(membership, target) and None,
    write=_write,
)
register_importer(IMPORTER)
