"""Input and output shapes of dependencies, milestones, rescheduling and the timeline."""

from __future__ import annotations

import datetime as dt
from datetime import date
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field, StringConstraints

from opsloop.core.inputs import Bool, Date, Int
from opsloop.core.schemas import SINGLE_LINE, Out

KindName = Literal["blocks", "blocked_by", "relates", "duplicates"]
Ref = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), SINGLE_LINE
]
MilestoneName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)
]
Refs = Annotated[list[Ref], Field(max_length=500)]


class DependencyIn(Schema):
    ref: Ref = Field(description="The other item, as D11-7 (or 7 within the same project).")
    kind: KindName = Field(
        "blocks",
        description="blocks: this item blocks the other; blocked_by: the other blocks this one; "
        "relates; duplicates: this item duplicates the other.",
    )


class RescheduleIn(Schema):
    start_date: Date | None = None
    due_date: Date | None = None
    version: Int | None = Field(
        None, description="The version you read; a stale one is refused with 409."
    )
    shift_dependents: Bool = Field(
        False, description="Also move the items this one blocks (transitively) to start after it."
    )


class MilestoneIn(Schema):
    name: MilestoneName
    date: Date
    description: Annotated[str, StringConstraints(max_length=5_000)] = ""
    item_refs: Refs = Field([], description="Items of the project, as D11-3 or 3.")


class MilestonePatch(Schema):
    name: MilestoneName | None = None
    date: Date | None = None
    description: Annotated[str, StringConstraints(max_length=5_000)] | None = None
    item_refs: Refs | None = Field(None, description="Replaces the milestone's items.")


# --- outputs


class LinkedItemOut(Out):
    id: int
    ref: str
    title: str
    start_date: date | None
    due_date: date | None
    version: int


class DependencyOut(Schema):
    id: int
    kind: str = Field(description="blocks, blocked_by, relates or duplicates, seen from the item.")
    item: LinkedItemOut = Field(description="The item at the other end.")


class MilestoneOut(Schema):
    id: int
    name: str
    date: dt.date
    description: str
    status: str = Field(description="on_track, at_risk, late or done.")
    item_refs: list[str]
    items_count: int
    done_count: int


class RescheduledOut(Schema):
    changed: list[LinkedItemOut] = Field(description="Every item whose dates changed.")
    broken: list[str] = Field(
        description="Dependencies still broken after the move, as 'D11-3 → D11-7'."
    )


class TimelineItemOut(Schema):
    id: int
    ref: str
    title: str
    project: str
    start: date | None
    due: date | None
    state: str
    group: str
    color: str
    assignees: list[int]
    parent_id: int | None
    version: int


class TimelineMilestoneOut(Schema):
    id: int
    name: str
    date: dt.date
    project: str
    status: str


class TimelineGroupOut(Schema):
    project: str = Field(description="The project's key.")
    name: str
    item_ids: list[int] = Field(description="Its items, in the timeline's order.")


class TimelineOut(Schema):
    today: date
    items: list[TimelineItemOut]
    links: list[list[int]] = Field(description="[source id, target id]: source blocks target.")
    milestones: list[TimelineMilestoneOut]
    people: dict[str, str] = Field(description="User id -> name, for the assignees.")
    projects: dict[str, str] = Field(
        default_factory=dict, description="Project key -> name, for the projects of the items."
    )
    groups: list[TimelineGroupOut] | None = Field(
        None, description='With group=project: the bars by project, by key ("group" option).'
    )
