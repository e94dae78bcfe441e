"""Input and output shapes of campaign results and the conversion they count
(docs/money.md#results). Money and ratios are Decimals, answered as strings; a ratio
that has no value (over zero, or a figure not known) is null."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field, StringConstraints

from opsloop.core.inputs import STRICT, Date
from opsloop.core.schemas import SINGLE_LINE

EventName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), SINGLE_LINE]
PropertyKey = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100), SINGLE_LINE]
Window = Annotated[int, Field(ge=1, le=365), STRICT]
TouchName = Literal["first", "last"]
SortName = Literal["spend", "new_users", "conversions", "revenue", "cac", "cpa", "roas", "roi"]


class ConversionIn(Schema):
    event: EventName = Field(
        description="The conversion event, e.g. order_paid; empty removes the setting "
        "(a project's then falls back to the workspace's)."
    )
    revenue_property: PropertyKey = Field(
        "", description="The event property holding its revenue, e.g. amount; empty: none."
    )
    window_days: Window = Field(30, description="Days after the touch a conversion counts.")


class ResultsQuery(Schema):
    date_from: Date | None = Field(
        None, description="First day (default: 29 days before the last)."
    )
    date_to: Date | None = Field(None, description="Last day (default: today).")
    touch: TouchName = Field("first", description="Attribute users to their first or last touch.")


class WorkspaceResultsQuery(ResultsQuery):
    sort: SortName = Field("spend", description="Rank campaigns and channels by this.")


class ConversionOut(Schema):
    event: str
    revenue_property: str
    window_days: int
    project_key: str | None = Field(description="Set for a project's own; null: the workspace's.")

    @staticmethod
    def resolve_project_key(obj) -> str | None:
        return obj.project.key if obj.project_id else None


class FiguresOut(Schema):
    spend: Decimal
    impressions: int | None
    clicks: int | None
    new_users: int
    conversions: int | None = Field(description="Null when no conversion event is set.")
    revenue: Decimal | None
    ctr: Decimal | None = Field(description="clicks / impressions")
    cpc: Decimal | None = Field(description="spend / clicks")
    cpm: Decimal | None = Field(description="spend / impressions × 1000")
    cac: Decimal | None = Field(description="spend / new users")
    cpa: Decimal | None = Field(description="spend / conversions")
    roas: Decimal | None = Field(description="revenue / spend")
    roi: Decimal | None = Field(description="(revenue − spend) / spend")


class RowOut(Schema):
    kind: str = Field(description="campaign, channel, placement, partner or piece")
    id: int
    label: str
    detail: str = Field(description="A project's key, a channel's utm_source, a platform …")
    matched: bool = Field(description="Has UTM values to find its users by.")
    figures: FiguresOut


class DayOut(Schema):
    day: dt.date
    figures: FiguresOut


class ResultsOut(Schema):
    date_from: dt.date
    date_to: dt.date
    touch: str
    currency: str
    conversion: ConversionOut | None
    totals: FiguresOut
    days: list[DayOut]
    other_currencies: dict[str, Decimal] = Field(
        description="Spend recorded in other currencies, left out of every figure."
    )


class ProjectResultsOut(ResultsOut):
    channels: list[RowOut]
    placements: list[RowOut]
    partners: list[RowOut]
    pieces: list[RowOut]


class WorkspaceResultsOut(ResultsOut):
    campaigns: list[RowOut]
    channels: list[RowOut]
    direct_users: int = Field(description="New users whose touch carried no UTM value.")
