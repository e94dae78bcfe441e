"""Input and output shapes of project templates, and the shape of a template's body.

The body (TemplateBody) is what a template keeps of its project: every date as a number
of days from the project's start (an offset; negative for work before the start), and
every item, label, field and channel by name or by a number local to the template, never
by a database id, so that it stays true whatever happens to the rows it was made from."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import ConfigDict, Field, StringConstraints, model_validator

from opsloop.core.inputs import STRICT, Bool, Date, Int
from opsloop.core.schemas import SINGLE_LINE, UserOut
from opsloop.work.schemas import (
    Color,
    FieldTypeName,
    GroupName,
    Hours,
    Key,
    Kind,
    Money,
    Priority,
    VisibilityName,
)

# How far from the start a template's dates may lie, either way (ten years).
MAX_OFFSET = 3650
# How much one template may hold.
MAX_ITEMS = 1000
MAX_PARTS = 500


Line30 = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30), SINGLE_LINE
]
Line50 = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50), SINGLE_LINE
]
Line60 = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60), SINGLE_LINE
]
Line120 = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120), SINGLE_LINE
]
Line200 = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), SINGLE_LINE
]
Line255 = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255), SINGLE_LINE
]
Name = Line120
Description = Annotated[str, StringConstraints(max_length=5_000)]
LongText = Annotated[str, StringConstraints(max_length=50_000)]
ProjectKey = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10), SINGLE_LINE]
Offset = Annotated[int, Field(ge=-MAX_OFFSET, le=MAX_OFFSET), STRICT]
Days = Annotated[int, Field(ge=0, le=MAX_OFFSET), STRICT]
LocalId = Annotated[int, Field(ge=1, le=1_000_000), STRICT]
Planned = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2), STRICT]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Clock = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
# A custom field's value in a template: text, a number, an offset (date fields), option
# labels (select fields), true (checkbox); person fields keep none.
BodyValue = bool | int | float | str | list[str]
TemplateVisibilityName = Literal["workspace", "private"]


# --- the body


class _Part(Schema):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class StateBody(_Part):
    name: Line60
    group: GroupName
    color: Color = "#94a3b8"
    is_default: Bool = False


class LabelBody(_Part):
    name: Line50
    color: Color = "#6366f1"


class OptionBody(_Part):
    label: Line60
    color: Color = "#94a3b8"


class FieldBody(_Part):
    name: Line60
    type: FieldTypeName
    options: Annotated[list[OptionBody], Field(max_length=100)] = []
    # workspace: a field every project of the workspace has; a new project uses the
    # workspace's field of that name and type when there is one.
    scope: Literal["project", "workspace"] = "project"


class ProjectBody(_Part):
    kind: Kind = "general"
    goal: LongText = ""
    scope: LongText = ""
    visibility: VisibilityName = "workspace"
    duration_days: Days | None = Field(None, description="End date minus start date.")
    budget: Money | None = None
    states: Annotated[list[StateBody], Field(max_length=50)] = []
    labels: Annotated[list[LabelBody], Field(max_length=MAX_PARTS)] = []
    custom_fields: Annotated[list[FieldBody], Field(max_length=100)] = []


class ItemBody(_Part):
    id: LocalId
    title: Line255
    description: LongText = ""
    state: str | None = Field(None, description="A state's name; none: the default state.")
    state_group: Literal["backlog", "todo"] | None = Field(
        None, description="Without a state: the group whose first state the item starts in."
    )
    priority: Priority = "none"
    labels: Annotated[list[str], Field(max_length=50)] = []
    estimate: Hours | None = None
    start_offset: Offset | None = None
    due_offset: Offset | None = None
    parent: LocalId | None = None
    fields: Annotated[dict[str, BodyValue], Field(max_length=100)] = {}


class DependencyBody(_Part):
    from_: LocalId = Field(alias="from")
    to: LocalId
    kind: Literal["blocks", "relates", "duplicates"] = "blocks"


class MilestoneBody(_Part):
    name: Line120
    offset: Offset
    description: Description = ""
    items: Annotated[list[LocalId], Field(max_length=MAX_ITEMS)] = []


class BudgetLineBody(_Part):
    name: Line200
    category: Literal["ads", "kol", "coupons", "prizes", "production", "other"]
    channel: Line60 | None = None
    planned: Planned
    currency: Currency = "CNY"


class ContentSlotBody(_Part):
    title: Line200
    channel: Line60
    format: Literal["article", "short_video", "live", "poster", "long_form", "push"] = "article"
    offset_days: Offset | None = None
    time: Clock | None = Field(None, description="HH:MM, the workspace's time.")
    tags: Annotated[list[Line30], Field(max_length=10)] = []
    item: LocalId | None = Field(None, description="The item that carries the piece.")
    owner: None = None


class TemplateBody(_Part):
    project: ProjectBody = ProjectBody()
    items: Annotated[list[ItemBody], Field(max_length=MAX_ITEMS)] = []
    dependencies: Annotated[list[DependencyBody], Field(max_length=MAX_ITEMS)] = []
    milestones: Annotated[list[MilestoneBody], Field(max_length=MAX_PARTS)] = []
    budget_lines: Annotated[list[BudgetLineBody], Field(max_length=MAX_PARTS)] = []
    content_slots: Annotated[list[ContentSlotBody], Field(max_length=MAX_PARTS)] = []

    @model_validator(mode="after")
    def _references_hold(self) -> TemplateBody:
        """Every local id, state, label and field an item names is in the body, and
        sub-items make no loop."""
        ids = [item.id for item in self.items]
        if len(set(ids)) != len(ids):
            raise ValueError("two items share an id")
        known = set(ids)
        states = {s.name for s in self.project.states}
        labels = {label.name for label in self.project.labels}
        fields = {f.name for f in self.project.custom_fields}
        parents = {}
        for item in self.items:
            if item.parent is not None and item.parent not in known:
                raise ValueError(f"item {item.id}: no parent {item.parent}")
            parents[item.id] = item.parent
            if item.state is not None and item.state not in states:
                raise ValueError(f"item {item.id}: no state {item.state}")
            if set(item.labels) - labels:
                raise ValueError(f"item {item.id}: unknown labels")
            if set(item.fields) - fields:
                raise ValueError(f"item {item.id}: unknown fields")
        for start in parents:
            seen, node = set(), start
            while node is not None:
                if node in seen:
                    raise ValueError(f"item {start}: its parents make a loop")
                seen.add(node)
                node = parents[node]
        for link in self.dependencies:
            if link.from_ not in known or link.to not in known or link.from_ == link.to:
                raise ValueError("a dependency names an unknown item")
        for milestone in self.milestones:
            if set(milestone.items) - known:
                raise ValueError(f"milestone {milestone.name}: unknown items")
        for slot in self.content_slots:
            if slot.item is not None and slot.item not in known:
                raise ValueError(f"content slot {slot.title}: unknown item")
        return self


# --- inputs


class TemplateIn(Schema):
    project_key: ProjectKey = Field(description="The project to save as a template.")
    name: Name
    description: Description = ""
    visibility: TemplateVisibilityName | None = Field(
        None,
        description="workspace: every member sees it; private: its maker and admins. "
        "Default: private for a private project, else workspace.",
    )


class TemplatePatch(Schema):
    name: Name | None = None
    description: Description | None = None
    visibility: TemplateVisibilityName | None = None


class TemplateUseIn(Schema):
    name: Name
    key: Key
    start_date: Date = Field(description="The new project's start: every date lands from it.")
    owner_id: Int | None = Field(None, description="The project's owner; default the caller.")
    visibility: VisibilityName | None = Field(None, description="Default: the template's.")


class TemplateQuery(Schema):
    start_date: Date | None = Field(
        None, description="Also answer the dates a project started on this day would get."
    )


# --- outputs


class TemplateOut(Schema):
    id: int
    name: str
    description: str
    kind: str
    visibility: str
    source_project_key: str | None = Field(
        description="The project it was saved from, when the caller sees it."
    )
    created_by: UserOut | None
    created_at: datetime
    updated_at: datetime
    items: int
    milestones: int
    dependencies: int
    budget_lines: int
    budget_total: Decimal | None = Field(description="The budget lines' total.")
    currency: str | None
    content_slots: int
    duration_days: int | None
    url: str
    can_edit: bool


class PreviewItemOut(Schema):
    id: int
    title: str
    start_date: date | None
    due_date: date | None


class PreviewMilestoneOut(Schema):
    name: str
    date: date


class PreviewSlotOut(Schema):
    title: str
    channel: str
    planned_at: datetime | None


class PreviewOut(Schema):
    start_date: date
    end_date: date | None
    items: list[PreviewItemOut]
    milestones: list[PreviewMilestoneOut]
    content_slots: list[PreviewSlotOut]


class TemplateDetailOut(TemplateOut):
    body: dict = Field(description="Its project, items, dependencies, milestones, budget "
                       "lines and content slots (docs/blueprints.md#what-a-template-keeps).")  # fmt: skip
    preview: PreviewOut | None = Field(description="With start_date: the dates it gives.")


class ProjectMadeOut(Schema):
    key: str
    name: str
    url: str
    start_date: date | None
    end_date: date | None
    items: int
    milestones: int
    dependencies: int
    budget_lines: int
    content_pieces: int
    notes: list[str] = Field(description="What could not be made as the template says, and why.")
