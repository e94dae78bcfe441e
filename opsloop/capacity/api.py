"""API of skills, member profiles, time tracking, workload and assignment suggestions."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from opsloop.capacity import actions, queries
from opsloop.capacity.models import Skill, TimeEntry
from opsloop.capacity.schemas import (
    ItemTimeOut,
    ProfileOut,
    ProfilePatch,
    SkillIn,
    SkillOut,
    SkillPatch,
    SuggestionOut,
    TimeEntryIn,
    TimeEntryOut,
    TimeEntryPatch,
    TimeReportOut,
    WorkloadOut,
)
from opsloop.core.queries import access_workspace, get_member
from opsloop.core.schemas import ERROR_CODES, ErrorOut
from opsloop.work.queries import EDIT, access_item

router = Router()

ERRORS = {ERROR_CODES: ErrorOut}
TEAM, TIME, WORKLOAD = ["Team"], ["Time"], ["Workload"]
SKILLS = "/workspaces/{slug}/skills"
PROFILE = "/workspaces/{slug}/members/{user_id}/profile"
ITEM_TIME = "/workspaces/{slug}/items/{ref}/time"


class ReportQuery(Schema):
    from_: str | None = Field(None, alias="from", description="First day, default the 1st.")
    to: str | None = Field(None, description="Last day, default today. At most a year.")
    project: str | None = Field(None, description="Only this project key.")


class WorkloadQuery(Schema):
    from_: str | None = Field(None, alias="from", description="A day of the first week.")
    weeks: str | None = Field(None, description="How many weeks, 1-26 (default 12).")
    project: str | None = Field(None, description="Only this project's items and people.")
    skill: str | None = Field(None, description="Only people with this skill id.")


# --- team


@router.get(
    SKILLS,
    response={200: list[SkillOut], **ERRORS},
    summary="List skills",
    description="The workspace's skills, by name. Labels named like a skill are what an item "
    "needs, for assignment suggestions.",
    tags=TEAM,
)
def get_skills(request: HttpRequest, slug: str) -> list:
    return list(queries.list_skills(access_workspace(request.auth, slug).workspace_id))


@router.post(
    SKILLS,
    response={201: SkillOut, **ERRORS},
    summary="Create a skill",
    description="Admins. Names are unique in the workspace (409).",
    tags=TEAM,
)
def create_skill(request: HttpRequest, slug: str, payload: SkillIn) -> Status[Skill]:
    membership = access_workspace(request.auth, slug)
    return Status(201, actions.do_create_skill(actor=membership, data=payload))


@router.patch(
    SKILLS + "/{skill_id}",
    response={200: SkillOut, **ERRORS},
    summary="Change a skill",
    description="Admins. Rename or recolour.",
    tags=TEAM,
)
def update_skill(request: HttpRequest, slug: str, skill_id: int, payload: SkillPatch) -> Skill:
    membership = access_workspace(request.auth, slug)
    skill = queries.get_skill(membership.workspace_id, skill_id)
    return actions.do_update_skill(actor=membership, skill=skill, data=payload)


@router.delete(
    SKILLS + "/{skill_id}",
    response={204: None, **ERRORS},
    summary="Delete a skill",
    description="Admins. Members who had it lose it.",
    tags=TEAM,
)
def delete_skill(request: HttpRequest, slug: str, skill_id: int) -> Status[None]:
    membership = access_workspace(request.auth, slug)
    skill = queries.get_skill(membership.workspace_id, skill_id)
    actions.do_delete_skill(actor=membership, skill=skill)
    return Status(204, None)


@router.get(
    "/workspaces/{slug}/team",
    response={200: list[ProfileOut], **ERRORS},
    summary="List the team",
    description="Members and above: every member with their skills and weekly capacity.",
    tags=TEAM,
)
def get_team(request: HttpRequest, slug: str) -> list:
    return queries.team_members(queries.access_team(request.auth, slug).workspace_id)


@router.get(
    PROFILE,
    response={200: ProfileOut, **ERRORS},
    summary="Get a member's profile",
    description="Members and above: the member's skills and weekly capacity (40 h by default).",
    tags=TEAM,
)
def get_profile(request: HttpRequest, slug: str, user_id: int) -> queries.TeamMember:
    return queries.access_member_profile(request.auth, slug, user_id)[1]


@router.patch(
    PROFILE,
    response={200: ProfileOut, **ERRORS},
    summary="Change a member's profile",
    description="Members their own, admins anyone's. skill_ids replaces the list.",
    tags=TEAM,
)
def update_profile(
    request: HttpRequest, slug: str, user_id: int, payload: ProfilePatch
) -> queries.TeamMember:
    membership = queries.access_team(request.auth, slug)
    target = get_member(membership.workspace, user_id)
    actions.do_update_profile(actor=membership, member=target, data=payload)
    return queries.access_member_profile(request.auth, slug, user_id)[1]


# --- time


@router.get(
    ITEM_TIME,
    response={200: ItemTimeOut, **ERRORS},
    summary="List an item's time",
    description="Everyone who sees the item: its estimate, the time logged and each entry, "
    "latest day first.",
    tags=TIME,
)
def get_item_time(request: HttpRequest, slug: str, ref: str) -> queries.ItemTime:
    return queries.item_time(access_item(request.auth, slug, ref).item)


@router.post(
    ITEM_TIME,
    response={201: TimeEntryOut, **ERRORS},
    summary="Log time on an item",
    description="Members and above log their own time: a positive duration of at most 24 h, "
    "on a day up to today, and at most 24 h a day over all their entries.",
    tags=TIME,
)
def log_time(request: HttpRequest, slug: str, ref: str, payload: TimeEntryIn) -> Status[TimeEntry]:
    access = access_item(request.auth, slug, ref, EDIT)
    return Status(201, actions.do_log_time(actor=access.membership, item=access.item, data=payload))


@router.patch(
    ITEM_TIME + "/{entry_id}",
    response={200: TimeEntryOut, **ERRORS},
    summary="Change a time entry",
    description="Its author, or an admin.",
    tags=TIME,
)
def update_time_entry(
    request: HttpRequest, slug: str, ref: str, entry_id: int, payload: TimeEntryPatch
) -> TimeEntry:
    access = queries.access_time_entry(request.auth, slug, ref, entry_id)
    return actions.do_update_time_entry(actor=access.membership, entry=access.entry, data=payload)


@router.delete(
    ITEM_TIME + "/{entry_id}",
    response={204: None, **ERRORS},
    summary="Delete a time entry",
    description="Its author, or an admin.",
    tags=TIME,
)
def delete_time_entry(request: HttpRequest, slug: str, ref: str, entry_id: int) -> Status[None]:
    access = queries.access_time_entry(request.auth, slug, ref, entry_id)
    actions.do_delete_time_entry(actor=access.membership, entry=access.entry)
    return Status(204, None)


@router.get(
    "/workspaces/{slug}/time-report",
    response={200: TimeReportOut, **ERRORS},
    by_alias=True,
    summary="Time report",
    description="Members and above: time logged per person and per project between two days, "
    "against the estimates of the items it was logged on, with totals.",
    tags=TIME,
)
def get_time_report(request: HttpRequest, slug: str, params: Query[ReportQuery]) -> dict:
    report = queries.time_report(queries.access_team(request.auth, slug), request.GET)
    return {
        "from": report.start,
        "to": report.end,
        "people": report.people,
        "projects": report.projects,
        "total_logged_hours": report.total_logged_hours,
        "total_estimate_hours": report.total_estimate_hours,
    }


# --- workload and suggestions


@router.get(
    "/workspaces/{slug}/workload",
    response={200: WorkloadOut, **ERRORS},
    summary="Workload",
    description="Members and above: per person per week, the estimated hours of their open "
    "items against their capacity, from the projects the caller can see.",
    tags=WORKLOAD,
)
def get_workload(request: HttpRequest, slug: str, params: Query[WorkloadQuery]) -> dict:
    membership = queries.access_team(request.auth, slug)
    found = queries.workload(membership, queries.parse_workload_filters(request.GET))
    return {
        "weeks": found.week_items,
        "people": [
            {
                "user": row.user,
                "capacity": row.capacity,
                "skills": row.skills,
                "cells": [
                    {
                        "week": c.week_name,
                        "hours": round(c.hours, 2),
                        "capacity": c.capacity,
                        "percent": c.percent,
                        "level": c.level,
                    }
                    for c in row.cells
                ],
            }
            for row in found.rows
        ],
        "unscheduled": [
            {
                "ref": i.ref,
                "title": i.title,
                "estimate_hours": i.estimate_hours,
                "assignees": i.assignee_list,
            }
            for i in found.unscheduled
        ],
    }


@router.get(
    "/workspaces/{slug}/items/{ref}/suggestions",
    response={200: list[SuggestionOut], **ERRORS},
    summary="Suggest assignees",
    description="Members and above: the people who can be assigned, by matching skills (the "
    "item's labels named like skills), then free hours in the item's weeks, then fewest open "
    "items, each with the reason in words.",
    tags=WORKLOAD,
)
def get_suggestions(request: HttpRequest, slug: str, ref: str) -> list:
    access = access_item(request.auth, slug, ref, EDIT)
    return queries.suggestions(access.membership, access.item)
