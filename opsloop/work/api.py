"""API of projects, workflow states, labels and work items."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from opsloop.core.models import User
from opsloop.core.queries import access_workspace
from opsloop.core.schemas import ERROR_CODES, ErrorOut
from opsloop.work import actions
from opsloop.work.models import PRIORITY_NAMES, Activity, Item, Label, Project, State
from opsloop.work.queries import (
    access_item,
    access_project,
    get_label,
    get_project_state,
    list_item_activity,
    list_items,
    list_labels,
    list_project_members,
    list_projects,
    list_states,
    parse_item_filters,
    project_items,
    workspace_items,
)
from opsloop.work.schemas import (
    ItemIn,
    ItemMoveIn,
    ItemOut,
    ItemPatch,
    LabelIn,
    LabelOut,
    LabelPatch,
    ProjectIn,
    ProjectOut,
    ProjectPatch,
    StateIn,
    StateOrderIn,
    StateOut,
    StatePatch,
    UserOut,
)

router = Router()

PROJECTS, STATES, LABELS, ITEMS = ["Projects"], ["Workflow states"], ["Labels"], ["Items"]
ERRORS = {ERROR_CODES: ErrorOut}
PROJECT = "/workspaces/{slug}/projects/{key}"
ITEM = "/workspaces/{slug}/items/{ref}"


class ProjectListOut(ProjectOut):
    item_count: int
    open_count: int = Field(description="Items not in a done or cancelled state.")


class ProjectMemberIn(Schema):
    user_id: int


class ItemRowOut(ItemOut):
    group_key: int | str | None = Field(
        None,
        description="With group=…, the group this row is listed under: a state, user or label "
        "id, or a priority name. An item with two assignees is listed under each.",
    )


class ItemPageOut(Schema):
    count: int = Field(description="Rows matching the filters, on all pages.")
    page: int
    per_page: int
    pages: int
    results: list[ItemRowOut]


class ItemListQuery(Schema):
    """Filters shared by every item list; lists are comma-separated or repeated parameters."""

    state: list[str] = Field([], description="State ids.")
    state_group: list[str] = Field([], description="backlog, todo, in_progress, in_review, …")
    assignee: list[str] = Field([], description='User ids, "me", or "none" for unassigned.')
    label: list[str] = Field([], description="Label ids.")
    priority: list[str] = Field([], description="urgent, high, medium, low, none.")
    due_after: str | None = Field(None, description="Due on or after this date (2026-11-01).")
    due_before: str | None = Field(None, description="Due on or before this date.")
    q: str | None = Field(None, description="Text in the title, or a reference like D11-42.")
    parent: str | None = Field(None, description="Only sub-items of this item id.")
    sort: str | None = Field(
        None, description="manual, priority, due, -due, created, -created, updated, -updated, …"
    )
    group: str | None = Field(None, description="none, state, assignee, priority, label.")
    page: str | None = Field(None, description="Page number, from 1.")
    per_page: str | None = Field(None, description="Rows per page, 1-200 (default 50).")


class ActivityOut(Schema):
    id: int
    actor: UserOut | None
    verb: str
    field: str
    old_value: str
    new_value: str
    created_at: datetime


ITEM_EXAMPLE = {
    "title": "主会场海报定稿",
    "description": "尺寸 **1080×1920**，周三前交付。",
    "priority": "high",
    "assignee_ids": [2],
    "label_ids": [1],
    "due_date": "2026-11-05",
    "estimate_hours": 6,
}


# --- projects


@router.get(
    "/workspaces/{slug}/projects",
    response={200: list[ProjectListOut], **ERRORS},
    summary="List projects",
    description="The projects the caller can see: guests only those shared with them.",
    tags=PROJECTS,
)
def get_projects(request: HttpRequest, slug: str) -> list[Project]:
    return list(list_projects(access_workspace(request.auth, slug)))


@router.post(
    "/workspaces/{slug}/projects",
    response={201: ProjectOut, **ERRORS},
    summary="Create a project",
    description="Members and above. The project starts with a default workflow.",
    tags=PROJECTS,
)
def create_project(request: HttpRequest, slug: str, payload: ProjectIn) -> Status[Project]:
    membership = access_workspace(request.auth, slug)
    return Status(201, actions.do_create_project(actor=membership, data=payload))


@router.get(PROJECT, response={200: ProjectOut, **ERRORS}, summary="Get a project", tags=PROJECTS)
def get_project(request: HttpRequest, slug: str, key: str) -> Project:
    return access_project(request.auth, slug, key).project


@router.patch(
    PROJECT,
    response={200: ProjectOut, **ERRORS},
    summary="Change a project",
    description="The project owner or an admin. The stage moves one step at a time "
    "(planning, executing, monitoring); closing is allowed from any stage.",
    tags=PROJECTS,
)
def update_project(request: HttpRequest, slug: str, key: str, payload: ProjectPatch) -> Project:
    access = access_project(request.auth, slug, key)
    return actions.do_update_project(actor=access.membership, project=access.project, data=payload)


@router.delete(
    PROJECT,
    response={204: None, **ERRORS},
    summary="Delete a project and its items",
    description="Workspace admins and owners only.",
    tags=PROJECTS,
)
def delete_project(request: HttpRequest, slug: str, key: str) -> Status[None]:
    access = access_project(request.auth, slug, key)
    actions.do_delete_project(actor=access.membership, project=access.project)
    return Status(204, None)


@router.get(
    PROJECT + "/members",
    response={200: list[UserOut], **ERRORS},
    summary="List project members",
    tags=PROJECTS,
)
def get_project_members(request: HttpRequest, slug: str, key: str) -> list[User]:
    return list(list_project_members(access_project(request.auth, slug, key).project))


@router.post(
    PROJECT + "/members",
    response={201: UserOut, **ERRORS},
    summary="Add a project member",
    description="Shares the project with a guest, or a private project with a member.",
    tags=PROJECTS,
)
def add_project_member(
    request: HttpRequest, slug: str, key: str, payload: ProjectMemberIn
) -> Status[User]:
    access = access_project(request.auth, slug, key)
    member = actions.do_add_project_member(
        actor=access.membership, project=access.project, user_id=payload.user_id
    )
    return Status(201, member.user)


@router.delete(
    PROJECT + "/members/{user_id}",
    response={204: None, **ERRORS},
    summary="Remove a project member",
    tags=PROJECTS,
)
def remove_project_member(request: HttpRequest, slug: str, key: str, user_id: int) -> Status[None]:
    access = access_project(request.auth, slug, key)
    actions.do_remove_project_member(
        actor=access.membership, project=access.project, user_id=user_id
    )
    return Status(204, None)


# --- workflow states


@router.get(
    PROJECT + "/states",
    response={200: list[StateOut], **ERRORS},
    summary="List a project's workflow states",
    description="In board order.",
    tags=STATES,
)
def get_states(request: HttpRequest, slug: str, key: str) -> list[State]:
    return list(list_states(access_project(request.auth, slug, key).project))


@router.post(
    PROJECT + "/states",
    response={201: StateOut, **ERRORS},
    summary="Add a workflow state",
    description="It goes last within its group. The project owner or an admin.",
    tags=STATES,
)
def create_state(request: HttpRequest, slug: str, key: str, payload: StateIn) -> Status[State]:
    access = access_project(request.auth, slug, key)
    state = actions.do_create_state(actor=access.membership, project=access.project, data=payload)
    return Status(201, state)


# Registered before states/{state_id} so that Django's resolver never reads "order" as an id.
@router.put(
    PROJECT + "/states/order",
    response={200: list[StateOut], **ERRORS},
    summary="Reorder workflow states",
    description="Give every state id of the project exactly once, in the new order.",
    tags=STATES,
)
def reorder_states(request: HttpRequest, slug: str, key: str, payload: StateOrderIn) -> list[State]:
    access = access_project(request.auth, slug, key)
    return actions.do_reorder_states(
        actor=access.membership, project=access.project, state_ids=payload.state_ids
    )


@router.patch(
    PROJECT + "/states/{state_id}",
    response={200: StateOut, **ERRORS},
    summary="Rename, recolour or make a state the default",
    tags=STATES,
)
def update_state(
    request: HttpRequest, slug: str, key: str, state_id: int, payload: StatePatch
) -> State:
    access = access_project(request.auth, slug, key)
    state = get_project_state(access.project, state_id)
    return actions.do_update_state(actor=access.membership, state=state, data=payload)


@router.delete(
    PROJECT + "/states/{state_id}",
    response={204: None, **ERRORS},
    summary="Delete a workflow state",
    description="A state with items needs move_to, the state that takes them. "
    "Each group keeps at least one state.",
    tags=STATES,
)
def delete_state(
    request: HttpRequest, slug: str, key: str, state_id: int, move_to: int | None = None
) -> Status[None]:
    access = access_project(request.auth, slug, key)
    state = get_project_state(access.project, state_id)
    actions.do_delete_state(actor=access.membership, state=state, move_to_id=move_to)
    return Status(204, None)


# --- labels


@router.get(
    "/workspaces/{slug}/labels",
    response={200: list[LabelOut], **ERRORS},
    summary="List labels",
    tags=LABELS,
)
def get_labels(request: HttpRequest, slug: str) -> list[Label]:
    return list(list_labels(access_workspace(request.auth, slug).workspace_id))


@router.post(
    "/workspaces/{slug}/labels",
    response={201: LabelOut, **ERRORS},
    summary="Create a label",
    description="Members and above.",
    tags=LABELS,
)
def create_label(request: HttpRequest, slug: str, payload: LabelIn) -> Status[Label]:
    membership = access_workspace(request.auth, slug)
    return Status(201, actions.do_create_label(actor=membership, data=payload))


@router.patch(
    "/workspaces/{slug}/labels/{label_id}",
    response={200: LabelOut, **ERRORS},
    summary="Rename or recolour a label",
    description="Admins and owners only.",
    tags=LABELS,
)
def update_label(request: HttpRequest, slug: str, label_id: int, payload: LabelPatch) -> Label:
    membership = access_workspace(request.auth, slug)
    label = get_label(membership.workspace_id, label_id)
    return actions.do_update_label(actor=membership, label=label, data=payload)


@router.delete(
    "/workspaces/{slug}/labels/{label_id}",
    response={204: None, **ERRORS},
    summary="Delete a label",
    description="Removes it from every item. Admins and owners only.",
    tags=LABELS,
)
def delete_label(request: HttpRequest, slug: str, label_id: int) -> Status[None]:
    membership = access_workspace(request.auth, slug)
    actions.do_delete_label(actor=membership, label=get_label(membership.workspace_id, label_id))
    return Status(204, None)


# --- items


def _item_page(request: HttpRequest, base: QuerySet[Item]) -> dict:
    """One page of items under the request's filters, as the list endpoints answer it."""
    filters = parse_item_filters(request.GET, me=request.auth)
    page = list_items(
        base, filters, page=request.GET.get("page"), per_page=request.GET.get("per_page")
    )
    if filters.group == "priority":
        for item in page.items:
            item.group_key = PRIORITY_NAMES[item.group_key]
    return {
        "count": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "pages": page.pages,
        "results": page.items,
    }


@router.get(
    PROJECT + "/items",
    response={200: ItemPageOut, **ERRORS},
    summary="List a project's items",
    description="Filtered, sorted, grouped and paginated.",
    tags=ITEMS,
)
def get_project_items(
    request: HttpRequest, slug: str, key: str, filters: Query[ItemListQuery]
) -> dict:
    # The query schema documents the parameters; parse_item_filters reads them, as pages do.
    return _item_page(request, project_items(access_project(request.auth, slug, key).project))


@router.post(
    PROJECT + "/items",
    response={201: ItemOut, **ERRORS},
    summary="Create an item",
    description="Without state_id the item starts in the project's default state.",
    tags=ITEMS,
    openapi_extra={"requestBody": {"content": {"application/json": {"example": ITEM_EXAMPLE}}}},
)
def create_item(request: HttpRequest, slug: str, key: str, payload: ItemIn) -> Status[Item]:
    access = access_project(request.auth, slug, key)
    item = actions.do_create_item(actor=access.membership, project=access.project, data=payload)
    return Status(201, item)


@router.get(
    "/workspaces/{slug}/items",
    response={200: ItemPageOut, **ERRORS},
    summary="List items across projects",
    description='Every project the caller can see. The "My work" page is assignee=me&'
    "state_group=backlog,todo,in_progress,in_review&sort=priority.",
    tags=ITEMS,
)
def get_workspace_items(request: HttpRequest, slug: str, filters: Query[ItemListQuery]) -> dict:
    return _item_page(request, workspace_items(access_workspace(request.auth, slug)))


@router.get(ITEM, response={200: ItemOut, **ERRORS}, summary="Get an item", tags=ITEMS)
def get_item(request: HttpRequest, slug: str, ref: str) -> Item:
    return access_item(request.auth, slug, ref).item


@router.patch(
    ITEM,
    response={200: ItemOut, **ERRORS},
    summary="Change an item",
    description="Only the fields sent change. Send the version you read to be refused with "
    "409 (and current_version) when someone changed the item since.",
    tags=ITEMS,
)
def update_item(request: HttpRequest, slug: str, ref: str, payload: ItemPatch) -> Item:
    access = access_item(request.auth, slug, ref)
    return actions.do_update_item(actor=access.membership, item=access.item, data=payload)


@router.delete(ITEM, response={204: None, **ERRORS}, summary="Delete an item", tags=ITEMS)
def delete_item(request: HttpRequest, slug: str, ref: str) -> Status[None]:
    access = access_item(request.auth, slug, ref)
    actions.do_delete_item(actor=access.membership, item=access.item)
    return Status(204, None)


@router.post(
    ITEM + "/move",
    response={200: ItemOut, **ERRORS},
    summary="Move an item on the board",
    description="Into a state, between two neighbouring items (drag and drop).",
    tags=ITEMS,
)
def move_item(request: HttpRequest, slug: str, ref: str, payload: ItemMoveIn) -> Item:
    access = access_item(request.auth, slug, ref)
    return actions.do_move_item(actor=access.membership, item=access.item, data=payload)


@router.get(
    ITEM + "/activity",
    response={200: list[ActivityOut], **ERRORS},
    summary="An item's change history",
    description="Oldest first: who changed which field from what to what.",
    tags=ITEMS,
)
def get_item_activity(request: HttpRequest, slug: str, ref: str) -> list[Activity]:
    return list(list_item_activity(access_item(request.auth, slug, ref).item))
