"""API of dependencies, rescheduling, the timeline and milestones."""

# No `from __future__ import annotations`: ninja reads the handlers' annotations.
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Status

from opsloop.core.queries import access_workspace
from opsloop.core.schemas import ERROR_CODES, ErrorOut
from opsloop.planning import actions, queries
from opsloop.planning.schemas import (
    DependencyIn,
    DependencyOut,
    MilestoneIn,
    MilestoneOut,
    MilestonePatch,
    RescheduledOut,
    RescheduleIn,
    TimelineOut,
)
from opsloop.work.queries import EDIT, access_item, access_project

router = Router()

DEPENDENCIES, TIMELINE, MILESTONES = ["Dependencies"], ["Timeline"], ["Milestones"]
ERRORS = {ERROR_CODES: ErrorOut}
ITEM = "/workspaces/{slug}/items/{ref}"
PROJECT = "/workspaces/{slug}/projects/{key}"
MILESTONE = PROJECT + "/milestones/{milestone_id}"


@router.get(
    ITEM + "/dependencies",
    response={200: list[DependencyOut], **ERRORS},
    summary="An item's dependencies",
    description="Blockers first, then what it blocks, related items and duplicates; the kind "
    "is seen from this item. Links to items you cannot see are left out.",
    tags=DEPENDENCIES,
)
def list_dependencies(request: HttpRequest, slug: str, ref: str) -> list:
    access = access_item(request.auth, slug, ref)
    return queries.list_links(access.item, access.membership)


@router.post(
    ITEM + "/dependencies",
    response={201: DependencyOut, **ERRORS},
    summary="Link an item to another",
    description="A link that makes a cycle of blocking items is refused with 409 naming it.",
    tags=DEPENDENCIES,
)
def add_dependency(request: HttpRequest, slug: str, ref: str, payload: DependencyIn) -> Status:
    access = access_item(request.auth, slug, ref)
    dependency = actions.do_add_link(
        actor=access.membership, item=access.item, ref=payload.ref, kind=payload.kind
    )
    link = queries.link_of(access.item, dependency)
    return Status(201, link)


@router.delete(
    ITEM + "/dependencies/{dependency_id}",
    response={204: None, **ERRORS},
    summary="Remove a dependency",
    tags=DEPENDENCIES,
)
def remove_dependency(request: HttpRequest, slug: str, ref: str, dependency_id: int) -> Status:
    access = access_item(request.auth, slug, ref, EDIT)
    dependency = queries.get_item_dependency(access.item, dependency_id)
    actions.do_remove_dependency(actor=access.membership, dependency=dependency)
    return Status(204, None)


@router.post(
    ITEM + "/reschedule",
    response={200: RescheduledOut, **ERRORS},
    summary="Move an item in time",
    description="Sets start_date and due_date (both, as sent). Send the version you read: a "
    "stale one is refused with 409 and current_version. With shift_dependents the items it "
    "blocks move after it (finish-to-start), keeping their durations.",
    tags=TIMELINE,
)
def reschedule(request: HttpRequest, slug: str, ref: str, payload: RescheduleIn) -> dict:
    access = access_item(request.auth, slug, ref)
    changed = actions.do_reschedule(
        actor=access.membership,
        item=access.item,
        start=payload.start_date,
        due=payload.due_date,
        version=payload.version,
        shift_dependents=payload.shift_dependents,
    )
    moved = changed[0]
    broken = queries.broken_by_move(moved, moved.start_date, moved.due_date)
    return {"changed": changed, "broken": [str(b) for b in broken]}


@router.get(
    PROJECT + "/timeline",
    response={200: TimelineOut, **ERRORS},
    summary="A project's timeline",
    description="Every item with its dates, state and assignees, the blocking links between "
    "them, and the milestones with their status: what the timeline page draws.",
    tags=TIMELINE,
)
def timeline(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    access = access_project(request.auth, slug, key)
    payload = queries.project_timeline_payload(
        access.membership, access.project, today=timezone.localdate()
    )
    return _json(payload)


def _json(payload: dict) -> HttpResponse:
    # Thousands of rows of plain data: written out directly rather than validated again.
    return HttpResponse(
        json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False),
        content_type="application/json",
    )


@router.get(
    "/workspaces/{slug}/timeline",
    response={200: TimelineOut, **ERRORS},
    summary="The timeline across projects",
    description="The timeline of every project the caller can see, or of one (`project`, a "
    "key), optionally only the items of one assignee (`assignee`, a user id): what the "
    "workspace's timeline page draws. `group=project` adds `groups`: the bars by project.",
    tags=TIMELINE,
)
def workspace_timeline(
    request: HttpRequest, slug: str, project: str = "", assignee: int | None = None, group: str = ""
) -> HttpResponse:
    membership = access_workspace(request.auth, slug)
    payload = queries.workspace_timeline(
        membership,
        today=timezone.localdate(),
        project_key=project,
        assignee=assignee,
        group=group,
    )
    return _json(payload)


@router.get(
    PROJECT + "/milestones",
    response={200: list[MilestoneOut], **ERRORS},
    summary="A project's milestones",
    description="By date, each with its status (on_track, at_risk, late, done) and items.",
    tags=MILESTONES,
)
def list_milestones(request: HttpRequest, slug: str, key: str) -> list[dict]:
    access = access_project(request.auth, slug, key)
    rows = queries.list_milestones([access.project], timezone.localdate())
    return [queries.milestone_out(row) for row in rows]


@router.post(
    PROJECT + "/milestones",
    response={201: MilestoneOut, **ERRORS},
    summary="Add a milestone",
    tags=MILESTONES,
)
def create_milestone(request: HttpRequest, slug: str, key: str, payload: MilestoneIn) -> Status:
    access = access_project(request.auth, slug, key)
    milestone = actions.do_create_milestone(
        actor=access.membership, project=access.project, data=payload
    )
    milestone.project = access.project
    return Status(
        201, queries.milestone_out(queries.milestone_row(milestone, timezone.localdate()))
    )


@router.get(
    MILESTONE, response={200: MilestoneOut, **ERRORS}, summary="A milestone", tags=MILESTONES
)
def get_milestone(request: HttpRequest, slug: str, key: str, milestone_id: int) -> dict:
    access = queries.access_milestone(request.auth, slug, key, milestone_id)
    return queries.milestone_out(queries.milestone_row(access.milestone, timezone.localdate()))


@router.patch(
    MILESTONE,
    response={200: MilestoneOut, **ERRORS},
    summary="Change a milestone",
    description="Only the fields sent change; item_refs replaces the milestone's items.",
    tags=MILESTONES,
)
def update_milestone(
    request: HttpRequest, slug: str, key: str, milestone_id: int, payload: MilestonePatch
) -> dict:
    access = queries.access_milestone(request.auth, slug, key, milestone_id)
    milestone = actions.do_update_milestone(
        actor=access.membership, milestone=access.milestone, data=payload
    )
    return queries.milestone_out(queries.milestone_row(milestone, timezone.localdate()))


@router.delete(
    MILESTONE, response={204: None, **ERRORS}, summary="Delete a milestone", tags=MILESTONES
)
def delete_milestone(request: HttpRequest, slug: str, key: str, milestone_id: int) -> Status:
    access = queries.access_milestone(request.auth, slug, key, milestone_id)
    actions.do_delete_milestone(actor=access.membership, milestone=access.milestone)
    return Status(204, None)
