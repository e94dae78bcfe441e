"""Input and output shapes of projects, states, labels and items, shared by pages and the API."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field, StringConstraints

# Re-exported: this app's outputs nest it, and its callers import it from here.
from opsloop.core.schemas import Out
from opsloop.core.schemas import UserOut as UserOut

Priority = Literal["urgent", "high", "medium", "low", "none"]
Kind = Literal["campaign", "content", "growth", "channel", "general"]
StageName = Literal["planning", "executing", "monitoring", "closed"]
VisibilityName = Literal["workspace", "private"]
GroupName = Literal["backlog", "todo", "in_progress", "in_review", "done", "cancelled"]
Color = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Key = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z][A-Za-z0-9]{1,9}$"),
]
LongText = Annotated[str, StringConstraints(max_length=50_000)]
Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
Hours = Annotated[Decimal, Field(ge=0, le=99_999, max_digits=7, decimal_places=2)]
Percent = Annotated[int, Field(ge=0, le=100)]
Ids = Annotated[list[int], Field(max_length=100)]


class ProjectIn(Schema):
    name: Name
    key: Key
    kind: Kind = "general"
    goal: LongText = ""
    scope: LongText = ""
    start_date: date | None = None
    end_date: date | None = None
    budget: Money | None = None
    owner_id: int | None = None
    stage: StageName = "planning"
    visibility: VisibilityName = "workspace"
    member_ids: Ids = []


class ProjectPatch(Schema):
    name: Name | None = None
    kind: Kind | None = None
    goal: LongText | None = None
    scope: LongText | None = None
    start_date: date | None = None
    end_date: date | None = None
    budget: Money | None = None
    owner_id: int | None = None
    stage: StageName | None = None
    visibility: VisibilityName | None = None


class StateIn(Schema):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
    group: GroupName
    color: Color = "#94a3b8"


class StatePatch(Schema):
    name: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)] | None
    ) = None
    color: Color | None = None
    is_default: bool | None = None


class StateOrderIn(Schema):
    state_ids: Ids


class LabelIn(Schema):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
    color: Color = "#6366f1"


class LabelPatch(Schema):
    name: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)] | None
    ) = None
    color: Color | None = None


class ItemIn(Schema):
    title: Title
    description: LongText = ""
    state_id: int | None = None
    priority: Priority = "none"
    assignee_ids: Ids = []
    label_ids: Ids = []
    start_date: date | None = None
    due_date: date | None = None
    estimate_hours: Hours | None = None
    progress: Percent = 0
    parent_id: int | None = None


class ItemPatch(Schema):
    title: Title | None = None
    description: LongText | None = None
    state_id: int | None = None
    priority: Priority | None = None
    assignee_ids: Ids | None = None
    label_ids: Ids | None = None
    start_date: date | None = None
    due_date: date | None = None
    estimate_hours: Hours | None = None
    progress: Percent | None = None
    parent_id: int | None = None
    sort_order: float | None = None
    version: int | None = Field(
        default=None, description="The version you read; a stale one is refused with 409."
    )


class ItemMoveIn(Schema):
    state_id: int
    before_id: int | None = Field(None, description="Put the item just above this item.")
    after_id: int | None = Field(None, description="Put the item just below this item.")


# --- outputs


class StateOut(Out):
    id: int
    name: str
    group: str
    color: str
    sequence: int
    is_default: bool


class LabelOut(Out):
    id: int
    name: str
    color: str


class ProjectOut(Schema):
    id: int
    key: str
    name: str
    kind: str
    goal: str
    scope: str
    start_date: date | None
    end_date: date | None
    budget: Decimal | None
    owner: UserOut | None
    stage: str
    visibility: str
    created_at: datetime
    updated_at: datetime


class ItemOut(Out):
    id: int
    ref: str
    number: int
    project_key: str
    title: str
    description: str
    state: StateOut
    priority: str = Field(alias="priority_name")
    assignees: list[UserOut] = Field(validation_alias="assignee_list")
    labels: list[LabelOut] = Field(validation_alias="label_list")
    start_date: date | None
    due_date: date | None
    estimate_hours: Decimal | None
    progress: int
    parent_id: int | None
    sort_order: float
    version: int
    completed_at: datetime | None
    created_by_id: int | None
    updated_by_id: int | None
    created_at: datetime
    updated_at: datetime
