"""Input and output shapes of project progress."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema
from pydantic import Field

from opsloop.core.schemas import Out, UserOut

WEEK_PATTERN = r"^\d{4}-W\d{1,2}$"


class SendSummaryIn(Schema):
    week: str | None = Field(
        None,
        max_length=8,
        pattern=WEEK_PATTERN,
        description="The ISO week to send, like 2026-W45; the current week when left out.",
    )


class ItemRefOut(Out):
    ref: str
    title: str
    state: str
    state_group: str
    due_date: date | None
    url: str = Field(description="The item's page.")


class PlannedVsActualOut(Out):
    day: date = Field(description="Counted at the end of this day.")
    scope: int = Field(description="Items that existed then.")
    planned: int = Field(description="Items due by the day.")
    planned_done: int = Field(description="Of the planned items, those done by the end of the day.")
    done: int = Field(description="Every item done by the end of the day (the actual).")
    behind: int = Field(description="Planned items still open.")
    percent: int | None = Field(description="planned_done / planned, in percent.")
    early: int = Field(description="Items in a done state finished before their due date.")
    on_time: int
    late: int
    lines: list[str] = Field(description="The same in words, in the caller's language.")


class ReasonOut(Out):
    kind: str = Field(description="past_due, blocked or due_soon.")
    days: int
    blocker: str = Field(description="The blocking item's reference (blocked only).")
    text: str


class AtRiskOut(Out):
    item: ItemRefOut
    reasons: list[ReasonOut]
    text: str


class MilestoneDeviationOut(Out):
    id: int
    name: str
    status: str = Field(description="done, late, at_risk or on_track.")
    planned_date: date
    forecast_date: date | None = Field(
        description="Latest due date of its open items (today at the earliest), or the day "
        "its last item closed."
    )
    deviation_days: int | None = Field(description="forecast - planned; positive is late.")
    open_items: int
    done_items: int
    text: str


class ProgressOut(Schema):
    today: date
    planned_vs_actual: PlannedVsActualOut
    at_risk: list[AtRiskOut]
    milestones: list[MilestoneDeviationOut]


class BurnUpDayOut(Schema):
    day: date
    scope: int
    done: int
    ideal: float | None = Field(
        description="The planned done by the end of the day: a straight line from 0 on the "
        "project's start to the whole scope on the target; null without a target."
    )


class BurnUpOut(Schema):
    from_: date = Field(alias="from")
    to: date
    target: date | None = Field(
        description="The day the whole scope is planned to be done: the project's end date, "
        "else the latest due date of its items."
    )
    days: list[BurnUpDayOut]


class SlipOut(Out):
    item: ItemRefOut
    days_late: int
    moved_from: date | None
    moved_to: date | None
    text: str


class DoneOut(Out):
    item: ItemRefOut
    on: date
    text: str


class WeeklySummaryOut(Schema):
    week: str
    start: date
    end: date
    as_of: date
    title: str
    planned_vs_actual: PlannedVsActualOut
    done: list[DoneOut]
    slipped: list[SlipOut]
    at_risk: list[AtRiskOut]
    markdown: str
    text: str


class SummarySendOut(Out):
    id: int
    week: str
    sent_by: UserOut | None
    recipients: int
    created_at: datetime
    sent_at: datetime | None
