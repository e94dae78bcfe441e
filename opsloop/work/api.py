"""API of projects, workflow states, labels and work items."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from opsloop.core.inputs import Int
from opsloop.core.models import User
from opsloop.core.paging import page_out
from opsloop.core.queries import access_workspace
from opsloop.core.schemas import ERROR_CODES, ErrorOut
from opsloop.work import actions
from opsloop.work.export import csv_response
from opsloop.work.models import (
    PRIORITY_NAMES,
    Activity,
    CustomField,
    Item,
    Label,
    Project,
    SavedView,
    State,
)
from opsloop.work.queries import (
    access_item,
    access_project,
    applicable_fields,
    get_field,
    get_label,
    get_project_state,
    get_saved_view,
    list_item_activity,
    list_items,
    list_labels,
    list_project_members,
    list_projects,
    list_saved_views,
    list_states,
    parse_item_filters,
    workspace_fields,
    workspace_items,
)
from opsloop.work.schemas import (
    BulkIn,
    CustomFieldIn,
    CustomFieldOut,
    CustomFieldPatch,
    FieldOrderIn,
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
    SavedViewIn,
    SavedViewOut,
    SavedViewPatch,
    StateIn,
    StateOrderIn,
    StateOut,
    StatePatch,
    UserOut,
)

router = Router()

PROJECTS, STATES, LABELS, ITEMS = ["Projects"], ["Workflow states"], ["Labels"], ["Items"]
FIELDS, VIEWS = ["Custom fields"], ["Saved views"]
ERRORS = {ERROR_CODES: ErrorOut}
PROJECT = "/workspaces/{slug}/projects/{key}"
ITEM = "/workspaces/{slug}/items/{ref}"


class ProjectListOut(ProjectOut):
    item_count: int
    open_count: int = Field(description="Items not in a done or cancelled state.")


class ProjectMemberIn(Schema):
    user_id: Int


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
        None,
        description="manual, priority, due, -due, created, -created, updated, -updated, …; "
        "cf_<id> or -cf_<id> by a custom field.",
    )
    group: str | None = Field(
        None,
        description="none, state, assignee, priority, label, or cf_<id> of a single "
        "select, person or checkbox field.",
    )
    format: str | None = Field(None, description="csv: every page as a CSV file.")
    page: str | None = Field(None, description="Page number, from 1.")
    per_page: str | None = Field(None, description="Rows per page, 1-200 (default 50).")


class ActivityOut(Schema):
    id: int
    actor: UserOut | None
    verb: str
    field: str
    old_value: str = Field(description="As stored: stage and priority names, login names, ids.")
    new_value: str
    field_text: str = Field("", description="The field's name in the caller's language.")
    old_text: str = Field(
        "", description="The old value as people read it: labels, display names, 50%."
    )
    new_text: str = Field("", description="The new value as people read it.")
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


def _item_page(
    request: HttpRequest, source: Project | QuerySet[Item], fields: QuerySet[CustomField]
) -> dict:
    """One page of items (a project's, or any) under the request's filters, as the list
    endpoints answer it."""
    filters = parse_item_filters(request.GET, me=request.auth, fields=fields)
    page = list_items(
        source, filters, page=request.GET.get("page"), per_page=request.GET.get("per_page")
    )
    if filters.group == "priority":
        for item in page.items:
            item.group_key = PRIORITY_NAMES[item.group_key]
    elif filters.group_field is not None:
        for item in page.items:
            if item.group_key is True:
                item.group_key = "true"
    return page_out(page, page.items)


@router.get(
    PROJECT + "/items",
    response={200: ItemPageOut, **ERRORS},
    summary="List a project's items",
    description="Filtered, sorted, grouped and paginated. With format=csv, every page as a "
    "CSV file (UTF-8 with a byte order mark, for Excel): all columns and the custom fields.",
    tags=ITEMS,
)
def get_project_items(
    request: HttpRequest, slug: str, key: str, filters: Query[ItemListQuery]
) -> dict | HttpResponse:
    # The query schema documents the parameters; parse_item_filters reads them, as pages do.
    project = access_project(request.auth, slug, key).project
    if request.GET.get("format") == "csv":
        return _items_csv(request, project)
    return _item_page(request, project, applicable_fields(project))


def _items_csv(request: HttpRequest, project: Project) -> HttpResponse:
    """?format=csv: every page under the same filters and sort, as a CSV download."""
    fields = list(applicable_fields(project))
    filters = parse_item_filters(request.GET, me=request.auth, fields=fields)
    return csv_response(project, filters, fields)


@router.post(
    PROJECT + "/items/bulk",
    response={200: list[ItemOut], **ERRORS},
    summary="Change many items at once",
    description="The same changes on every item in refs, each recorded in its history; all "
    "or nothing. Send versions to be refused with 409 when someone changed an item since.",
    tags=ITEMS,
)
def bulk_update_items(request: HttpRequest, slug: str, key: str, payload: BulkIn) -> list[Item]:
    access = access_project(request.auth, slug, key)
    return actions.do_bulk_update_items(
        actor=access.membership,
        project=access.project,
        refs=payload.refs,
        changes=payload.changes,
        versions=payload.versions,
    )


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
    membership = access_workspace(request.auth, slug)
    return _item_page(
        request, workspace_items(membership), workspace_fields(membership.workspace_id)
    )


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
    return list_item_activity(access_item(request.auth, slug, ref).item)


# --- custom fields

WS_FIELDS = "/workspaces/{slug}/custom-fields"
PROJECT_FIELDS = PROJECT + "/custom-fields"


@router.get(
    WS_FIELDS,
    response={200: list[CustomFieldOut], **ERRORS},
    summary="List workspace-wide custom fields",
    description="Fields every project's items carry, in their order.",
    tags=FIELDS,
)
def get_workspace_fields(request: HttpRequest, slug: str) -> list[CustomField]:
    return list(workspace_fields(access_workspace(request.auth, slug).workspace_id))


@router.post(
    WS_FIELDS,
    response={201: CustomFieldOut, **ERRORS},
    summary="Create a workspace-wide custom field",
    description="Admins and owners. Select fields take options: "
    '[{"label": "抖音", "color": "#111827"}].',
    tags=FIELDS,
)
def create_workspace_field(
    request: HttpRequest, slug: str, payload: CustomFieldIn
) -> Status[CustomField]:
    membership = access_workspace(request.auth, slug)
    return Status(201, actions.do_create_field(actor=membership, project=None, data=payload))


@router.put(
    WS_FIELDS + "/order",
    response={200: list[CustomFieldOut], **ERRORS},
    summary="Reorder workspace-wide custom fields",
    description="Give every workspace-wide field id exactly once. Admins and owners.",
    tags=FIELDS,
)
def reorder_workspace_fields(
    request: HttpRequest, slug: str, payload: FieldOrderIn
) -> list[CustomField]:
    membership = access_workspace(request.auth, slug)
    return actions.do_reorder_fields(actor=membership, project=None, field_ids=payload.field_ids)


@router.patch(
    WS_FIELDS + "/{workspace_field_id}",
    response={200: CustomFieldOut, **ERRORS},
    summary="Rename a workspace-wide field or change its options",
    description="Admins and owners. Options keep their id; values of removed options clear.",
    tags=FIELDS,
)
def update_workspace_field(
    request: HttpRequest, slug: str, workspace_field_id: int, payload: CustomFieldPatch
) -> CustomField:
    membership = access_workspace(request.auth, slug)
    field = get_field(membership.workspace_id, workspace_field_id)
    return actions.do_update_field(actor=membership, field=field, data=payload)


@router.delete(
    WS_FIELDS + "/{workspace_field_id}",
    response={204: None, **ERRORS},
    summary="Delete a workspace-wide field and its values",
    tags=FIELDS,
)
def delete_workspace_field(
    request: HttpRequest, slug: str, workspace_field_id: int
) -> Status[None]:
    membership = access_workspace(request.auth, slug)
    field = get_field(membership.workspace_id, workspace_field_id)
    actions.do_delete_field(actor=membership, field=field)
    return Status(204, None)


@router.get(
    PROJECT_FIELDS,
    response={200: list[CustomFieldOut], **ERRORS},
    summary="List the custom fields of a project's items",
    description="The workspace-wide fields first (project_id empty), then the project's own.",
    tags=FIELDS,
)
def get_project_fields(request: HttpRequest, slug: str, key: str) -> list[CustomField]:
    return list(applicable_fields(access_project(request.auth, slug, key).project))


@router.post(
    PROJECT_FIELDS,
    response={201: CustomFieldOut, **ERRORS},
    summary="Create a project's custom field",
    description="The project owner or an admin.",
    tags=FIELDS,
)
def create_project_field(
    request: HttpRequest, slug: str, key: str, payload: CustomFieldIn
) -> Status[CustomField]:
    access = access_project(request.auth, slug, key)
    field = actions.do_create_field(actor=access.membership, project=access.project, data=payload)
    return Status(201, field)


@router.put(
    PROJECT_FIELDS + "/order",
    response={200: list[CustomFieldOut], **ERRORS},
    summary="Reorder a project's own custom fields",
    description="Give every field id of the project's own exactly once.",
    tags=FIELDS,
)
def reorder_project_fields(
    request: HttpRequest, slug: str, key: str, payload: FieldOrderIn
) -> list[CustomField]:
    access = access_project(request.auth, slug, key)
    return actions.do_reorder_fields(
        actor=access.membership, project=access.project, field_ids=payload.field_ids
    )


@router.patch(
    PROJECT_FIELDS + "/{field_id}",
    response={200: CustomFieldOut, **ERRORS},
    summary="Rename a project's field or change its options",
    tags=FIELDS,
)
def update_project_field(
    request: HttpRequest, slug: str, key: str, field_id: int, payload: CustomFieldPatch
) -> CustomField:
    access = access_project(request.auth, slug, key)
    field = get_field(access.project.workspace_id, field_id, access.project)
    return actions.do_update_field(actor=access.membership, field=field, data=payload)


@router.delete(
    PROJECT_FIELDS + "/{field_id}",
    response={204: None, **ERRORS},
    summary="Delete a project's field and its values",
    tags=FIELDS,
)
def delete_project_field(request: HttpRequest, slug: str, key: str, field_id: int) -> Status[None]:
    access = access_project(request.auth, slug, key)
    field = get_field(access.project.workspace_id, field_id, access.project)
    actions.do_delete_field(actor=access.membership, field=field)
    return Status(204, None)


# --- saved views

VIEWS_PATH = PROJECT + "/views"


@router.get(
    VIEWS_PATH,
    response={200: list[SavedViewOut], **ERRORS},
    summary="List saved views",
    description="The project's shared views and the caller's own private ones.",
    tags=VIEWS,
)
def get_views(request: HttpRequest, slug: str, key: str) -> list[SavedView]:
    access = access_project(request.auth, slug, key)
    return list(list_saved_views(access.membership, access.project))


@router.post(
    VIEWS_PATH,
    response={201: SavedViewOut, **ERRORS},
    summary="Save a view",
    description="A name, a layout and the list's query string. Anyone who sees the project "
    "saves private views; sharing one takes a member.",
    tags=VIEWS,
)
def create_view(
    request: HttpRequest, slug: str, key: str, payload: SavedViewIn
) -> Status[SavedView]:
    access = access_project(request.auth, slug, key)
    view = actions.do_create_view(actor=access.membership, project=access.project, data=payload)
    return Status(201, view)


@router.get(
    VIEWS_PATH + "/{view_id}",
    response={200: SavedViewOut, **ERRORS},
    summary="Get a saved view",
    tags=VIEWS,
)
def get_view(request: HttpRequest, slug: str, key: str, view_id: int) -> SavedView:
    access = access_project(request.auth, slug, key)
    return get_saved_view(access.membership, access.project, view_id)


@router.patch(
    VIEWS_PATH + "/{view_id}",
    response={200: SavedViewOut, **ERRORS},
    summary="Rename, share or change a saved view",
    description="Its owner; a shared one also the project owner or an admin.",
    tags=VIEWS,
)
def update_view(
    request: HttpRequest, slug: str, key: str, view_id: int, payload: SavedViewPatch
) -> SavedView:
    access = access_project(request.auth, slug, key)
    view = get_saved_view(access.membership, access.project, view_id)
    return actions.do_update_view(actor=access.membership, view=view, data=payload)


@router.delete(
    VIEWS_PATH + "/{view_id}",
    response={204: None, **ERRORS},
    summary="Delete a saved view",
    description="Its owner; a shared one also the project owner or an admin.",
    tags=VIEWS,
)
def delete_view(request: HttpRequest, slug: str, key: str, view_id: int) -> Status[None]:
    access = access_project(request.auth, slug, key)
    view = get_saved_view(access.membership, access.project, view_id)
    actions.do_delete_view(actor=access.membership, view=view)
    return Status(204, None)
