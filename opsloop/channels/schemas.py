"""Input and output shapes of channels, accounts and their followers, UTM naming rules
and links. The API receives the inputs parsed by ninja; the pages parse their forms with
the same schemas (opsloop.core.inputs.parse_input) and hand them to the same actions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field, StringConstraints

from opsloop.channels.models import Platform, UtmField
from opsloop.core.inputs import STRICT, Bool, Date, Int
from opsloop.core.schemas import SINGLE_LINE, Out, UserOut

ChannelName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60), SINGLE_LINE
]
AccountName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120), SINGLE_LINE
]
Handle = Annotated[str, StringConstraints(strip_whitespace=True, max_length=120), SINGLE_LINE]
WebAddress = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), SINGLE_LINE]
Destination = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), SINGLE_LINE]
LinkName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), SINGLE_LINE]
Notes = Annotated[str, StringConstraints(max_length=5000)]
Colour = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
# Checked against the naming rules by the actions (opsloop/channels/utm.py).
UtmText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100), SINGLE_LINE]
Meaning = Annotated[str, StringConstraints(strip_whitespace=True, max_length=120), SINGLE_LINE]
ProjectKey = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10), SINGLE_LINE]
FollowerNumber = Annotated[int, Field(ge=0, le=10**12), STRICT]
PlatformName = Literal[tuple(Platform.values)]  # type: ignore[valid-type]
UtmFieldName = Literal[tuple(UtmField.values)]  # type: ignore[valid-type]

MAX_COUNTS = 1000  # follower counts in one request


# --- channels


class ChannelIn(Schema):
    name: ChannelName
    platform: PlatformName = Field("other", description="What it is: picks the icon and defaults.")
    utm_source: UtmText = Field(
        "", description="The utm_source its links carry; empty: the platform's (douyin ...)."
    )
    color: Colour = "#64748b"


class ChannelPatch(Schema):
    name: ChannelName | None = None
    platform: PlatformName | None = None
    utm_source: UtmText | None = None
    color: Colour | None = None
    archived: Bool | None = Field(None, description="Archived channels leave the lists.")


class ChannelOrderIn(Schema):
    channel_ids: Annotated[list[Int], Field(max_length=500)] = Field(
        description="Every channel id of the workspace once, in the new order."
    )


class ChannelOut(Out):
    id: int
    name: str
    platform: str
    utm_source: str
    color: str
    position: int
    archived: bool


class ChannelBriefOut(Out):
    id: int
    name: str
    platform: str


# --- accounts and followers


class ChannelAccountIn(Schema):
    channel_id: Int
    name: AccountName
    handle: Handle = Field("", description="Its ID on the platform (公众号 ID, 抖音号).")
    url: WebAddress = Field("", description="Its page, http(s).")
    owner_id: Int | None = Field(None, description="The member who runs it.")
    external: Bool = Field(False, description="A partner's account, not the team's own.")
    notes: Notes = ""


class ChannelAccountPatch(Schema):
    channel_id: Int | None = None
    name: AccountName | None = None
    handle: Handle | None = None
    url: WebAddress | None = None
    owner_id: Int | None = Field(None, description="null leaves it; 0 clears it.")
    external: Bool | None = None
    notes: Notes | None = None
    archived: Bool | None = None


class ChannelAccountOut(Out):
    id: int
    channel: ChannelBriefOut
    name: str
    handle: str
    url: str
    owner: UserOut | None
    external: bool
    followers: int | None = Field(description="The latest count recorded.")
    followers_on: dt.date | None = Field(description="The day of that count.")
    notes: str
    archived: bool
    created_at: dt.datetime


class FollowerCountIn(Schema):
    day: Date
    followers: FollowerNumber


class FollowerCountsIn(Schema):
    counts: Annotated[list[FollowerCountIn], Field(min_length=1, max_length=MAX_COUNTS)] = Field(
        description="A count per day; a day recorded before is replaced."
    )


class FollowerCountOut(Out):
    day: dt.date
    followers: int
    source: str = Field(description="manual, import or api.")
    recorded_at: dt.datetime


class FollowersWrittenOut(Schema):
    written: int
    followers: int | None
    followers_on: dt.date | None


# --- UTM naming rules


class UtmValueIn(Schema):
    field: UtmFieldName
    value: UtmText
    label: Meaning = Field("", description="What the value means, for the builder's list.")


class UtmValueOut(Out):
    id: int
    field: str
    value: str
    label: str


# --- links


class LinkIn(Schema):
    destination: Destination = Field(description="Where the link leads, http(s).")
    name: LinkName = ""
    utm_source: UtmText = Field("", description="Empty: the channel's utm_source.")
    utm_medium: UtmText = ""
    utm_campaign: UtmText = ""
    utm_content: UtmText = ""
    utm_term: UtmText = ""
    project_key: ProjectKey | None = None
    channel_id: Int | None = None
    account_id: Int | None = None


class LinkPatch(Schema):
    """The UTM values of a link do not change: its clicks carry them (make a new link)."""

    name: LinkName | None = None
    destination: Destination | None = None
    project_key: ProjectKey | None = Field(None, description='"" takes it out of its project.')
    channel_id: Int | None = Field(None, description="0 clears it.")
    account_id: Int | None = Field(None, description="0 clears it.")
    archived: Bool | None = Field(None, description="An archived link's short address is 404.")


class LinkOut(Out):
    id: int
    code: str
    name: str
    destination: str
    utm_source: str
    utm_medium: str
    utm_campaign: str
    utm_content: str
    utm_term: str
    tracked_url: str = Field(description="The destination with the UTM parameters.")
    short_url: str = Field(description="The address to share: /l/<code> on this install.")
    project_key: str | None
    channel: ChannelBriefOut | None
    account_id: int | None
    archived: bool
    created_by: UserOut | None
    created_at: dt.datetime


class ClickDayOut(Schema):
    day: dt.date
    clicks: int
    users: int


class LinkUserOut(Schema):
    person_id: int
    label: str
    events: int = Field(description="Its clicks (users) or its events with the UTM (utm_users).")
    first_at: dt.datetime
    last_at: dt.datetime


class LinkClicksOut(Schema):
    link_id: int
    code: str
    first_day: dt.date
    last_day: dt.date
    clicks: int
    users: int = Field(description="Distinct users who clicked.")
    days: list[ClickDayOut]
    clickers: list[LinkUserOut] = Field(description="Who clicked, the latest first (200 at most).")
    utm_users: list[LinkUserOut] = Field(
        description="Users whose other events carry the link's UTM values (200 at most)."
    )


class QrQuery(Schema):
    format: Literal["png", "svg"] = "png"
    scale: Annotated[int, Field(ge=1, le=40), STRICT] = Field(
        10, description="Pixels (PNG) or units (SVG) per module."
    )


class LinkListQuery(Schema):
    project: str | None = Field(None, description="Only links of this project key.")
    channel: str | None = Field(None, description="Only links of this channel id.")
    campaign: str | None = Field(None, description="Only links with this utm_campaign.")
    archived: Bool | None = Field(None, description="true: the archived links instead.")


class ChannelAccountListQuery(Schema):
    channel: str | None = Field(None, description="Only accounts on this channel id.")
    external: Bool | None = Field(None, description="true: partners' accounts; false: own.")
    archived: Bool | None = Field(None, description="true: the archived accounts instead.")


class ChannelListQuery(Schema):
    archived: Bool | None = Field(None, description="true: with the archived channels.")


# The name other apps (content, partners' tests) import an account's input by; the
# class is ChannelAccountIn, so that the OpenAPI document keeps it apart from partners'
# own AccountIn.
AccountIn = ChannelAccountIn
