"""Input and output shapes of skills, member profiles, time entries, workload and suggestions."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from ninja import Schema
from pydantic import Field, StringConstraints

from opsloop.core.inputs import STRICT, Date, Int
from opsloop.core.schemas import SINGLE_LINE, Out, UserOut

SkillName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), SINGLE_LINE
]
Color = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
Capacity = Annotated[Decimal, Field(ge=0, le=168, max_digits=5, decimal_places=1), STRICT]
Duration = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20), SINGLE_LINE
]
Minutes = Annotated[int, Field(ge=1, le=24 * 60), STRICT]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300), SINGLE_LINE]
Ids = Annotated[list[Int], Field(max_length=100)]

DURATION_HELP = (
    'How long, as text: "1.5h", "1h30m", "90m", "1:30" or "2" (hours). Send this or minutes.'
)


class SkillIn(Schema):
    name: SkillName
    color: Color = "#0ea5e9"


class SkillPatch(Schema):
    name: SkillName | None = None
    color: Color | None = None


class ProfilePatch(Schema):
    weekly_capacity: Capacity | None = Field(None, description="Hours a week, 0-168.")
    skill_ids: Ids | None = Field(None, description="The whole new list of the member's skills.")


class TimeEntryIn(Schema):
    spent_on: Date | None = Field(None, description="The day the time was spent; default today.")
    duration: Duration | None = Field(None, description=DURATION_HELP)
    minutes: Minutes | None = Field(None, description="How long in minutes, 1-1440.")
    note: Note = ""


class TimeEntryPatch(Schema):
    spent_on: Date | None = None
    duration: Duration | None = Field(None, description=DURATION_HELP)
    minutes: Minutes | None = None
    note: Note | None = None


# --- outputs


class SkillOut(Out):
    id: int
    name: str
    color: str


class ProfileOut(Out):
    user: UserOut
    role: str
    weekly_capacity: Decimal
    skills: list[SkillOut]


class TimeEntryOut(Out):
    id: int
    item_id: int
    user: UserOut
    spent_on: date
    minutes: int
    hours: float
    note: str
    created_at: datetime


class ItemTimeOut(Schema):
    estimate_hours: Decimal | None
    logged_minutes: int
    logged_hours: float
    entries: list[TimeEntryOut]


class ReportRowOut(Schema):
    id: int = Field(description="The user's id, or the project's.")
    name: str
    logged_hours: float
    estimate_hours: float


class TimeReportOut(Schema):
    from_: date = Field(alias="from")
    to: date
    people: list[ReportRowOut]
    projects: list[ReportRowOut]
    total_logged_hours: float
    total_estimate_hours: float


class WeekOut(Out):
    week: str = Field(description='ISO week, "2026-W47".')
    starts_on: date


class CellOut(Out):
    week: str
    hours: float
    capacity: float
    percent: int
    level: str = Field(description="ok, high (80-100%) or over (above 100%).")


class WorkloadRowOut(Out):
    user: UserOut
    capacity: float
    skills: list[str]
    cells: list[CellOut]


class LoadItemOut(Out):
    ref: str
    title: str
    estimate_hours: Decimal | None
    hours: float = Field(description="This person's share in the week, or of the whole item.")


class UnscheduledOut(Out):
    ref: str
    title: str
    estimate_hours: Decimal | None
    assignees: list[UserOut]


class WorkloadOut(Out):
    weeks: list[WeekOut]
    people: list[WorkloadRowOut]
    unscheduled: list[UnscheduledOut]


class SuggestionOut(Schema):
    user: UserOut
    matching_skills: list[str]
    free_hours: float = Field(description="Capacity left in the item's weeks, without this item.")
    open_items: int
    reason: str
