"""Input and output shapes of meetings, their agenda, decisions and action items."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field, StringConstraints

from opsloop.core.inputs import Bool, Date, DateTime, Int
from opsloop.core.schemas import SINGLE_LINE, UserOut

KindName = Literal["meeting", "one_on_one"]
RecurrenceName = Literal["none", "weekly", "biweekly", "monthly"]
Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), SINGLE_LINE
]
Topic = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), SINGLE_LINE
]
ActionTitle = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255), SINGLE_LINE
]
Location = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300), SINGLE_LINE]
LongText = Annotated[str, StringConstraints(max_length=50_000)]
DecisionText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)
]
ProjectKey = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10), SINGLE_LINE]
Ids = Annotated[list[Int], Field(max_length=100)]


class MeetingIn(Schema):
    title: Title
    kind: KindName = "meeting"
    project_key: ProjectKey | None = Field(
        None, description="The project the meeting belongs to; none for a workspace meeting."
    )
    starts_at: DateTime = Field(description="ISO 8601; without an offset, the install's zone.")
    ends_at: DateTime | None = Field(None, description="Default: one hour after the start.")
    location: Location = Field("", description="A room, or a Feishu / Tencent Meeting link.")
    attendee_ids: Ids = Field(
        [], description="Workspace members to invite; the organizer always attends."
    )
    private: Bool | None = Field(
        None,
        description="Seen by its organizer and attendees only. One-to-ones are always private.",
    )
    recurrence: RecurrenceName = "none"
    minutes: LongText = ""


class MeetingPatch(Schema):
    title: Title | None = None
    kind: KindName | None = None
    project_key: ProjectKey | None = Field(None, description='"" moves it out of its project.')
    starts_at: DateTime | None = None
    ends_at: DateTime | None = None
    location: Location | None = None
    attendee_ids: Ids | None = Field(None, description="The whole new list of attendees.")
    private: Bool | None = None
    recurrence: RecurrenceName | None = None
    minutes: LongText | None = Field(None, description="Markdown.")


class AgendaItemIn(Schema):
    title: Topic
    owner_id: Int | None = Field(None, description="Who brings the topic; an attendee.")
    notes: LongText = ""


class AgendaItemPatch(Schema):
    title: Topic | None = None
    owner_id: Int | None = None
    notes: LongText | None = None
    done: Bool | None = None


class AgendaOrderIn(Schema):
    agenda_item_ids: Ids = Field(description="Every topic of the agenda, in the new order.")


class DecisionIn(Schema):
    text: DecisionText


class ActionItemIn(Schema):
    title: ActionTitle
    owner_id: Int | None = None
    due_date: Date | None = None


class ActionItemPatch(Schema):
    title: ActionTitle | None = None
    owner_id: Int | None = None
    due_date: Date | None = None


class ConvertIn(Schema):
    project_key: ProjectKey | None = Field(
        None, description="Where the work item goes; default the meeting's project."
    )


# --- outputs


class AgendaItemOut(Schema):
    id: int
    title: str
    owner: UserOut | None
    notes: str
    sequence: int
    done: bool


class DecisionOut(Schema):
    id: int
    text: str
    created_by: UserOut | None
    created_at: datetime


class ActionItemOut(Schema):
    id: int
    title: str
    owner: UserOut | None
    due_date: date | None
    work_item_ref: str | None = Field(
        description="The work item it became, e.g. D11-42; null while it is none, or when "
        "it is in a project the caller cannot see (work_item_hidden)."
    )
    work_item_hidden: bool = Field(
        description="It became a work item in a project the caller cannot see."
    )
    created_at: datetime

    @staticmethod
    def resolve_work_item_ref(obj) -> str | None:
        item = obj.work_item
        if item is None or getattr(obj, "work_item_hidden", True):
            return None
        return f"{item.project.key}-{item.number}"

    @staticmethod
    def resolve_work_item_hidden(obj) -> bool:
        return obj.work_item is not None and getattr(obj, "work_item_hidden", True)


class PreviousActionItemOut(Schema):
    id: int
    title: str
    owner: UserOut | None
    due_date: date | None
    status: str = Field(
        description="open (no work item yet, or its work item is open), done, cancelled, or "
        "hidden (its work item is in a project the caller cannot see)."
    )
    done: bool = Field(description="Its work item is in a done or cancelled state.")
    work_item_ref: str | None = Field(description="The work item it became, when visible.")
    work_item_state: str | None = Field(description="That work item's state now.")
    work_item_state_group: str | None
    text: str = Field(description="The state in words, in the caller's language.")

    @staticmethod
    def resolve_id(obj) -> int:
        return obj.action.pk

    @staticmethod
    def resolve_title(obj) -> str:
        return obj.action.title

    @staticmethod
    def resolve_owner(obj):
        return obj.action.owner

    @staticmethod
    def resolve_due_date(obj) -> date | None:
        return obj.action.due_date

    @staticmethod
    def resolve_work_item_ref(obj) -> str | None:
        return obj.item.ref if obj.item is not None else None

    @staticmethod
    def resolve_work_item_state(obj) -> str | None:
        return obj.item.state.name if obj.item is not None else None

    @staticmethod
    def resolve_work_item_state_group(obj) -> str | None:
        return obj.item.state.group if obj.item is not None else None


class MeetingOut(Schema):
    id: int
    title: str
    kind: str
    project_key: str | None
    starts_at: datetime
    ends_at: datetime
    location: str
    private: bool
    recurrence: str
    organizer: UserOut | None
    attendees: list[UserOut]
    previous_id: int | None
    next_id: int | None
    url: str = Field(description="The meeting's page.")
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_project_key(obj) -> str | None:
        return obj.project.key if obj.project_id else None

    @staticmethod
    def resolve_attendees(obj) -> list:
        return list(obj.attendees.all())

    @staticmethod
    def resolve_next_id(obj) -> int | None:
        return getattr(obj, "next_pk", None)

    @staticmethod
    def resolve_url(obj) -> str:
        return f"/w/{obj.workspace.slug}/meetings/{obj.pk}/"


class MeetingDetailOut(MeetingOut):
    minutes: str = Field(description="Markdown.")
    minutes_html: str = Field(description="The minutes rendered to sanitized HTML.")
    agenda: list[AgendaItemOut]
    decisions: list[DecisionOut]
    action_items: list[ActionItemOut]
    previous_action_items: list[PreviousActionItemOut] = Field(
        description="The action items of the previous meeting of its series, each with its "
        "state now; empty without a previous meeting the caller may see."
    )

    @staticmethod
    def resolve_previous_action_items(obj) -> list:
        previous = getattr(obj, "previous_actions", None)
        return previous.actions if previous is not None else []

    @staticmethod
    def resolve_agenda(obj) -> list:
        return list(obj.agenda.all())

    @staticmethod
    def resolve_decisions(obj) -> list:
        return list(obj.decisions.all())

    @staticmethod
    def resolve_action_items(obj) -> list:
        return list(obj.action_items.all())


class WorkItemRefOut(Schema):
    ref: str = Field(description="The created work item, e.g. D11-42.")
    url: str
    action_item: ActionItemOut
