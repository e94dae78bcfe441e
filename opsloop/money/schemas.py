"""Input and output shapes of budget lines, spend entries, placements and their days.

Money is a Decimal with two places, sent as a string ("30000.00") or a JSON number and
answered as a string, with its currency (three capital letters, CNY by default)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import BeforeValidator, Field, StringConstraints

from opsloop.core.inputs import STRICT, Bool, Date, Int
from opsloop.core.schemas import SINGLE_LINE, UserOut

Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), SINGLE_LINE
]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), SINGLE_LINE]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100), SINGLE_LINE]


def _upper(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


# Three letters (ISO 4217), written in capitals whatever was sent: cny is CNY.
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$"), BeforeValidator(_upper)]
# At most 12 digits before the point: what the database keeps (max_digits 14, 2 places).
Planned = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2), STRICT]
Amount = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2), STRICT]
Spend = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2), STRICT]
Count = Annotated[int, Field(ge=0, le=10**15), STRICT]
CategoryName = Literal["ads", "kol", "coupons", "prizes", "production", "other"]
PlatformName = Literal["ocean_engine", "tencent_ads", "xhs_juguang", "baidu", "other"]


class BudgetLineIn(Schema):
    name: Name
    category: CategoryName
    channel_id: Int | None = Field(None, description="A channel of the workspace.")
    planned: Planned = Field(description="The amount planned, at least 0.")
    currency: Currency = "CNY"


class BudgetLinePatch(Schema):
    name: Name | None = None
    category: CategoryName | None = None
    channel_id: Int | None = Field(None, description="null: no channel.")
    planned: Planned | None = None
    currency: Currency | None = None
    position: Annotated[int, Field(ge=0, le=10_000), STRICT] | None = None


class SpendEntryIn(Schema):
    day: Date
    amount: Amount = Field(description="More than 0.")
    currency: Currency = "CNY"
    line_id: Int | None = Field(None, description="A budget line of the same project.")
    partner_id: Int | None = None
    cooperation_id: Int | None = Field(
        None, description="A cooperation with a partner (of this project, or of none)."
    )
    placement_id: Int | None = Field(
        None,
        description="A placement of this project: the entry records a payment for it (a "
        "top-up, an invoice); the placement's daily spend is what counts as spent.",
    )
    invoice_id: Int | None = Field(None, description="A file of the project: the invoice.")
    note: Note = ""


class SpendEntryPatch(Schema):
    day: Date | None = None
    amount: Amount | None = None
    currency: Currency | None = None
    line_id: Int | None = None
    partner_id: Int | None = None
    cooperation_id: Int | None = None
    placement_id: Int | None = None
    invoice_id: Int | None = None
    note: Note | None = None


class PlacementIn(Schema):
    name: Name
    platform: PlatformName
    channel_id: Int | None = None
    account_id: Int | None = None
    external_id: Short = Field("", description="The platform's id of the campaign (计划ID).")
    starts_on: Date | None = None
    ends_on: Date | None = None
    budget_line_id: Int | None = Field(None, description="A budget line of the same project.")
    link_id: Int | None = Field(None, description="A tracked link of the workspace.")
    utm_source: Short = ""
    utm_campaign: Short = ""
    utm_content: Short = ""


class PlacementPatch(Schema):
    name: Name | None = None
    platform: PlatformName | None = None
    channel_id: Int | None = None
    account_id: Int | None = None
    external_id: Short | None = None
    starts_on: Date | None = None
    ends_on: Date | None = None
    budget_line_id: Int | None = None
    link_id: Int | None = None
    utm_source: Short | None = None
    utm_campaign: Short | None = None
    utm_content: Short | None = None


class PlacementDayIn(Schema):
    day: Date
    spend: Spend = Field(description="What the platform charged that day (消耗), at least 0.")
    currency: Currency = "CNY"
    impressions: Count = 0
    clicks: Count = 0
    conversions: Count | None = Field(None, description="As the platform counts them.")


class PlacementDaysIn(Schema):
    days: Annotated[list[PlacementDayIn], Field(min_length=1, max_length=1000)] = Field(
        description="A day already recorded is replaced; a day given twice keeps its last."
    )


class BudgetWatchIn(Schema):
    members_may_see: Bool = Field(
        False,
        description="Required true for a private project: every member sees the KPIs, so "
        "the KPI shows the project's budget use to members who do not see the project.",
    )


class SpendListQuery(Schema):
    since: Date | None = None
    until: Date | None = None
    line_id: Int | None = None


# --- outputs


class BudgetLineOut(Schema):
    id: int
    name: str
    category: str
    channel_id: int | None
    channel_name: str | None
    planned: Decimal
    currency: str
    position: int


class BudgetLineFiguresOut(Schema):
    line_id: int | None = Field(description="null: spend on no line.")
    name: str
    category: str
    channel_id: int | None
    planned: Decimal
    actual: Decimal
    left: Decimal
    used_percent: Decimal | None
    overspent: bool


class BudgetChannelOut(Schema):
    channel_id: int | None
    name: str
    planned: Decimal
    actual: Decimal
    left: Decimal
    overspent: bool


class BudgetWeekOut(Schema):
    week: str = Field(description="The ISO week, 2026-W45.")
    starts_on: date
    planned: Decimal | None = Field(
        description="The budget spread evenly over the project's dates; null without them."
    )
    actual: Decimal
    planned_to_date: Decimal | None
    actual_to_date: Decimal


class BudgetWatchOut(Schema):
    kpi_id: int
    kpi_name: str


class BudgetOut(Schema):
    currency: str
    planned: Decimal | None = Field(
        description="The lines added up; without lines, the project's budget (or null)."
    )
    planned_from: Literal["lines", "project", "none"]
    actual: Decimal = Field(
        description="Spend entries not naming a placement, plus the placements' daily spend."
    )
    left: Decimal | None
    used_percent: Decimal | None
    overspent: bool
    overspent_lines: list[int]
    lines: list[BudgetLineFiguresOut]
    channels: list[BudgetChannelOut]
    weeks: list[BudgetWeekOut]
    watch: BudgetWatchOut | None


class SpendEntryOut(Schema):
    id: int
    day: date
    amount: Decimal
    currency: str
    line_id: int | None
    partner_id: int | None
    cooperation_id: int | None
    placement_id: int | None
    invoice_id: int | None
    note: str
    counted: bool = Field(
        description="false for an entry naming a placement: the placement's days count."
    )
    created_by: UserOut | None
    created_at: datetime


class PlacementFiguresOut(Schema):
    spend: Decimal
    impressions: int
    clicks: int
    conversions: int | None
    ctr: Decimal | None = Field(description="Clicks per 100 impressions.")
    cpc: Decimal | None = Field(description="Spend per click.")
    cpm: Decimal | None = Field(description="Spend per 1,000 impressions.")


class PlacementDayOut(PlacementFiguresOut):
    day: date
    currency: str


class PlacementOut(Schema):
    id: int
    name: str
    platform: str
    channel_id: int | None
    account_id: int | None
    external_id: str
    starts_on: date | None
    ends_on: date | None
    budget_line_id: int | None
    link_id: int | None
    utm_source: str
    utm_campaign: str
    utm_content: str
    figures: PlacementFiguresOut
    created_at: datetime


class PlacementDetailOut(PlacementOut):
    days: list[PlacementDayOut]


class PlacementDaysWrittenOut(Schema):
    written: int
    figures: PlacementFiguresOut
