"""Input and output shapes of projects, states, labels and items, shared by pages and the API."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field, StringConstraints

from opsloop.core.inputs import STRICT, Bool, Date, Float, Int

# Re-exported: this app's outputs nest it, and its callers import it from here.
from opsloop.core.schemas import SINGLE_LINE, Out
from opsloop.core.schemas import UserOut as UserOut

Priority = Literal["urgent", "high", "medium", "low", "none"]
Kind = Literal["campaign", "content", "growth", "channel", "general"]
StageName = Literal["planning", "executing", "monitoring", "closed"]
VisibilityName = Literal["workspace", "private"]
GroupName = Literal["backlog", "todo", "in_progress", "in_review", "done", "cancelled"]
Color = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255), SINGLE_LINE
]
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120), SINGLE_LINE
]
Key = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z][A-Za-z0-9]{1,9}$"),
]
LongText = Annotated[str, StringConstraints(max_length=50_000)]
Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2), STRICT]
Hours = Annotated[Decimal, Field(ge=0, le=99_999, max_digits=7, decimal_places=2), STRICT]
Percent = Annotated[int, Field(ge=0, le=100), STRICT]
Ids = Annotated[list[Int], Field(max_length=100)]


FieldTypeName = Literal[
    "text", "number", "date", "select", "multi_select", "user", "url", "checkbox"
]
LayoutName = Literal["list", "board", "timeline", "calendar"]
# A custom field's value: text, number, ISO date, option id(s), user id, URL or true/false;
# null or "" clears it (docs/items.md#custom-fields).
FieldValue = bool | int | float | str | list[int | str] | None
CustomValues = Annotated[
    dict[str, FieldValue],
    Field(max_length=100, description="{field id: value}; null or an empty value clears it."),
]


class ProjectIn(Schema):
    name: Name
    key: Key
    kind: Kind = "general"
    goal: LongText = ""
    scope: LongText = ""
    start_date: Date | None = None
    end_date: Date | None = None
    budget: Money | None = None
    owner_id: Int | None = None
    stage: StageName = "planning"
    visibility: VisibilityName = "workspace"
    member_ids: Ids = []


class ProjectPatch(Schema):
    name: Name | None = None
    kind: Kind | None = None
    goal: LongText | None = None
    scope: LongText | None = None
    start_date: Date | None = None
    end_date: Date | None = None
    budget: Money | None = None
    owner_id: Int | None = None
    stage: StageName | None = None
    visibility: VisibilityName | None = None


class StateIn(Schema):
    name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60), SINGLE_LINE
    ]
    group: GroupName
    color: Color = "#94a3b8"


class StatePatch(Schema):
    name: (
        Annotated[
            str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60), SINGLE_LINE
        ]
        | None
    ) = None
    color: Color | None = None
    is_default: Bool | None = None


class StateOrderIn(Schema):
    state_ids: Ids


class LabelIn(Schema):
    name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50), SINGLE_LINE
    ]
    color: Color = "#6366f1"


class LabelPatch(Schema):
    name: (
        Annotated[
            str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50), SINGLE_LINE
        ]
        | None
    ) = None
    color: Color | None = None


class ItemIn(Schema):
    title: Title
    description: LongText = ""
    state_id: Int | None = None
    priority: Priority = "none"
    assignee_ids: Ids = []
    label_ids: Ids = []
    start_date: Date | None = None
    due_date: Date | None = None
    estimate_hours: Hours | None = None
    progress: Percent = 0
    parent_id: Int | None = None
    custom_fields: CustomValues = {}


class ItemPatch(Schema):
    title: Title | None = None
    description: LongText | None = None
    state_id: Int | None = None
    priority: Priority | None = None
    assignee_ids: Ids | None = None
    label_ids: Ids | None = None
    start_date: Date | None = None
    due_date: Date | None = None
    estimate_hours: Hours | None = None
    progress: Percent | None = None
    parent_id: Int | None = None
    sort_order: Float | None = None
    custom_fields: CustomValues | None = None
    version: Int | None = Field(
        default=None, description="The version you read; a stale one is refused with 409."
    )


class ItemMoveIn(Schema):
    state_id: Int
    before_id: Int | None = Field(None, description="Put the item just above this item.")
    after_id: Int | None = Field(None, description="Put the item just below this item.")


class OptionIn(Schema):
    id: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=12), SINGLE_LINE] | None
    ) = Field(
        None,
        description="An existing option's id, to keep it (and its values); none for a new one.",
    )
    label: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60), SINGLE_LINE
    ]
    color: Color = "#94a3b8"


Options = Annotated[list[OptionIn], Field(max_length=100)]
FieldName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60), SINGLE_LINE
]


class CustomFieldIn(Schema):
    name: FieldName
    type: FieldTypeName
    options: Options = Field([], description="Single and multi select fields: their options.")


class CustomFieldPatch(Schema):
    name: FieldName | None = None
    options: Options | None = Field(
        None,
        description="The whole new list, in order. Options left out are removed, and so are "
        "the values that chose them.",
    )


class FieldOrderIn(Schema):
    field_ids: Ids


class SavedViewIn(Schema):
    name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80), SINGLE_LINE
    ]
    layout: LayoutName = "list"
    query: Annotated[
        str, StringConstraints(strip_whitespace=True, max_length=2000), SINGLE_LINE
    ] = Field("", description="The list's query string: filters, sort, group, columns.")
    shared: Bool = Field(False, description="Seen by everyone who sees the project.")


class SavedViewPatch(Schema):
    name: (
        Annotated[
            str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80), SINGLE_LINE
        ]
        | None
    ) = None
    layout: LayoutName | None = None
    query: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), SINGLE_LINE]
        | None
    ) = None
    shared: Bool | None = None


class BulkChanges(Schema):
    """What to change on every item; what is not sent stays as it is."""

    state_id: Int | None = None
    priority: Priority | None = None
    assignee_ids: Ids | None = Field(None, description="Replace the assignees with these.")
    add_assignee_ids: Ids = []
    remove_assignee_ids: Ids = []
    add_label_ids: Ids = []
    remove_label_ids: Ids = []
    start_date: Date | None = Field(None, description="Set (null clears) the start date.")
    due_date: Date | None = Field(None, description="Set (null clears) the due date.")
    shift_days: Annotated[int, Field(ge=-3650, le=3650), STRICT] | None = Field(
        None, description="Move the start and due dates of each item by this many days."
    )
    custom_fields: CustomValues | None = None


class BulkIn(Schema):
    refs: Annotated[
        list[Annotated[str, StringConstraints(max_length=24)]], Field(min_length=1, max_length=500)
    ]
    changes: BulkChanges
    versions: dict[str, Int] | None = Field(
        None,
        description="{ref: the version you read}: when any item moved on since, nothing "
        "changes and 409 lists the current versions.",
    )


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
    custom_fields: dict[str, Any] = Field(
        validation_alias="custom_field_values",
        description="{field id: value} of the custom fields that have one.",
    )


class OptionOut(Schema):
    id: str
    label: str
    color: str


class CustomFieldOut(Out):
    id: int
    name: str
    type: str
    project_id: int | None = Field(description="Empty for a workspace-wide field.")
    options: list[OptionOut]
    sequence: int


class SavedViewOut(Out):
    id: int
    name: str
    layout: str
    query: str
    shared: bool
    owner: UserOut
    created_at: datetime
    updated_at: datetime
