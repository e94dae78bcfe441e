"""Input and output shapes of partners, their contacts, accounts, interactions, contracts,
rate cards with their price history, cooperations, and cost per result."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field, StringConstraints

from opsloop.core.inputs import STRICT, Bool, Date, Int
from opsloop.core.schemas import SINGLE_LINE, UserOut

Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), SINGLE_LINE
]
ShortName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120), SINGLE_LINE
]
Line = Annotated[str, StringConstraints(strip_whitespace=True, max_length=120), SINGLE_LINE]
Tag = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), SINGLE_LINE
]
Tags = Annotated[list[Tag], Field(max_length=20)]
LongText = Annotated[str, StringConstraints(max_length=50_000)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Rating = Annotated[int, Field(ge=1, le=5), STRICT]
Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2), STRICT]
Count = Annotated[int, Field(ge=0, le=10**15), STRICT]
Quantity = Annotated[int, Field(ge=1, le=100_000), STRICT]
Currency = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z]{3}$")]
ProjectKey = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10), SINGLE_LINE]
Ids = Annotated[list[Int], Field(max_length=100)]
KindName = Literal["media", "kol", "koc", "agency", "merchant", "supplier"]
InteractionKindName = Literal["call", "wechat", "meeting", "email", "other"]
StatusName = Literal["planned", "booked", "delivered", "paid", "cancelled"]


# --- partners


class PartnerIn(Schema):
    name: Name
    kind: KindName
    tags: Tags = Field([], description="Free labels (美妆, 头部, 华东).")
    rating: Rating | None = Field(None, description="1 (poor) to 5 (excellent).")
    notes: LongText = Field("", description="Markdown.")
    owner_id: Int | None = Field(
        None, description="Who looks after the partner (a member, not a guest); default the caller."
    )
    contract_ends_on: Date | None = Field(None, description="The owner is reminded 30 days before.")


class PartnerPatch(Schema):
    name: Name | None = None
    kind: KindName | None = None
    tags: Tags | None = Field(None, description="The whole new list.")
    rating: Rating | None = Field(None, description="null clears it.")
    notes: LongText | None = None
    owner_id: Int | None = Field(None, description="null leaves the partner without an owner.")
    contract_ends_on: Date | None = None
    archived: Bool | None = None


class ContactIn(Schema):
    name: ShortName
    role: Line = ""
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40), SINGLE_LINE] = ""
    wechat: Annotated[str, StringConstraints(strip_whitespace=True, max_length=80), SINGLE_LINE] = (
        ""
    )
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=254), SINGLE_LINE] = (
        ""
    )
    notes: Annotated[str, StringConstraints(max_length=5000)] = ""


class ContactPatch(Schema):
    name: ShortName | None = None
    role: Line | None = None
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40), SINGLE_LINE] | None = None  # fmt: skip
    wechat: Annotated[str, StringConstraints(strip_whitespace=True, max_length=80), SINGLE_LINE] | None = None  # fmt: skip
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=254), SINGLE_LINE] | None = None  # fmt: skip
    notes: Annotated[str, StringConstraints(max_length=5000)] | None = None


class AccountIn(Schema):
    """Link an account of the workspace (account_id), or make a new one on a channel."""

    account_id: Int | None = Field(None, description="An existing partner account to link.")
    channel_id: Int | None = Field(None, description="For a new account: its channel.")
    name: Line = Field("", description="For a new account: its name on the channel.")
    handle: Line = Field("", description="Its ID on the platform (小红书号, 抖音号).")
    url: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), SINGLE_LINE] = ""
    followers: Count | None = Field(None, description="Followers today, recorded in its history.")


class FollowersIn(Schema):
    followers: Count
    day: Date | None = Field(None, description="Default today.")


class InteractionIn(Schema):
    day: Date | None = Field(None, description="Default today; never after today.")
    kind: InteractionKindName
    note: LongText = ""
    follow_up_on: Date | None = Field(
        None, description="The partner's owner is reminded on that day."
    )


class InteractionPatch(Schema):
    day: Date | None = None
    kind: InteractionKindName | None = None
    note: LongText | None = None
    follow_up_on: Date | None = Field(None, description="null: no follow-up.")


class ContractIn(Schema):
    file_id: Int = Field(description="A file of the file library the caller sees.")


class RateItemIn(Schema):
    format: ShortName = Field(description="小红书图文, 抖音 60 s 视频, 公众号头条 …")
    channel_id: Int | None = None
    unit: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20), SINGLE_LINE] = ""
    price: Money
    currency: Currency = "CNY"
    effective_on: Date | None = Field(None, description="From when the price holds; default today.")
    note: Note = ""


class RateItemPatch(Schema):
    """Everything but the price, which changes through a price change."""

    format: ShortName | None = None
    channel_id: Int | None = None
    unit: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20), SINGLE_LINE] | None = None  # fmt: skip
    active: Bool | None = Field(None, description="false: no longer offered.")


class PriceChangeIn(Schema):
    new_price: Money
    effective_on: Date = Field(description="From when the new price holds (past or future).")
    note: Note = ""


class CooperationIn(Schema):
    title: Name = Field(description="What was bought.")
    rate_item_id: Int | None = Field(None, description="The rate card line, if any.")
    status: StatusName = "planned"
    booked_on: Date
    publish_on: Date | None = None
    quantity: Quantity = 1
    agreed_price: Money | None = Field(
        None,
        description="Per unit; default the rate card's price on booked_on (needed without one).",
    )
    paid_amount: Money = Field(Decimal(0), description="Paid so far, in all.")
    currency: Currency | None = Field(None, description="Default the rate item's, else CNY.")
    project_key: ProjectKey | None = Field(None, description="The campaign it was for.")
    piece_ids: Ids = Field([], description="Content pieces it produced.")
    reach: Count | None = None
    clicks: Count | None = None
    attributed_users: Count | None = None
    conversions: Count | None = None
    revenue: Money | None = None
    notes: LongText = ""


class CooperationPatch(Schema):
    title: Name | None = None
    rate_item_id: Int | None = Field(None, description="null: no rate item.")
    status: StatusName | None = None
    booked_on: Date | None = None
    publish_on: Date | None = None
    quantity: Quantity | None = None
    agreed_price: Money | None = None
    paid_amount: Money | None = None
    currency: Currency | None = None
    project_key: ProjectKey | None = Field(None, description='null or "": no project.')
    piece_ids: Ids | None = Field(None, description="The whole new list (of those you see).")
    reach: Count | None = None
    clicks: Count | None = None
    attributed_users: Count | None = None
    conversions: Count | None = None
    revenue: Money | None = None
    notes: LongText | None = None


# --- outputs


class ContactOut(Schema):
    id: int
    name: str
    role: str
    phone: str
    wechat: str
    email: str
    notes: str


class FollowerPointOut(Schema):
    day: date
    followers: int


class AccountOut(Schema):
    id: int
    channel_id: int
    channel: str
    platform: str
    name: str
    handle: str
    url: str
    followers: int | None
    followers_on: date | None
    history: list[FollowerPointOut] = Field(description="Followers by day, oldest first.")


class InteractionOut(Schema):
    id: int
    day: date
    kind: str
    note: str
    follow_up_on: date | None
    follow_up_reminded: bool
    by: UserOut | None


class ContractOut(Schema):
    file_id: int
    name: str
    project_key: str | None
    url: str


class PriceChangeOut(Schema):
    id: int
    effective_on: date
    old_price: Decimal | None = Field(description="null for the first price listed.")
    new_price: Decimal
    note: str
    changed_by: UserOut | None
    created_at: datetime


class RateItemOut(Schema):
    id: int
    format: str
    channel_id: int | None
    unit: str
    price: Decimal | None = Field(
        description="The price in force today (the first price, while it is still to come)."
    )
    currency: str
    active: bool


class RateItemDetailOut(RateItemOut):
    changes: list[PriceChangeOut]


class PriceAtOut(Schema):
    rate_item_id: int
    day: date
    price: Decimal | None = Field(description="null before the item's first price.")
    currency: str


class PartnerOut(Schema):
    id: int
    name: str
    kind: str
    tags: list[str]
    rating: int | None
    owner: UserOut | None
    contract_ends_on: date | None
    last_contacted_on: date | None
    archived: bool
    url: str


class PartnerDetailOut(PartnerOut):
    notes: str
    notes_html: str
    contacts: list[ContactOut]
    accounts: list[AccountOut]
    contracts: list[ContractOut]
    rate_items: list[RateItemDetailOut]
    can_delete: bool


class CooperationOut(Schema):
    id: int
    partner_id: int
    title: str
    status: str
    rate_item_id: int | None
    booked_on: date
    publish_on: date | None
    quantity: int
    list_price: Decimal | None = Field(description="The rate card's price on booked_on, per unit.")
    agreed_price: Decimal = Field(description="Per unit.")
    agreed_total: Decimal = Field(description="agreed_price × quantity.")
    paid_amount: Decimal
    currency: str
    project_key: str | None
    piece_ids: list[int]
    reach: int | None
    clicks: int | None
    attributed_users: int | None
    conversions: int | None
    revenue: Decimal | None
    notes: str
    created_by: UserOut | None


class PriceChangeRowOut(PriceChangeOut):
    partner_id: int
    partner: str
    rate_item_id: int
    format: str
    currency: str


class CostOut(Schema):
    """Cost and results of a group of cooperations, and the cost of each result."""

    currency: str
    cooperations: int
    cost: Decimal
    reach: int
    clicks: int
    attributed_users: int
    conversions: int
    revenue: Decimal
    cpm: Decimal | None = Field(description="Cost per 1,000 reached.")
    cpc: Decimal | None = Field(description="Cost per click.")
    cost_per_user: Decimal | None
    cost_per_conversion: Decimal | None
    roi: Decimal | None = Field(description="Revenue ÷ cost.")


class CostMonthOut(CostOut):
    month: str = Field(description="YYYY-MM.")


class CompareRowOut(CostOut):
    partner_id: int
    partner: str
    kind: str
