"""Campaign results over the API: spend joined to the users' events (docs/money.md)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from opsloop.core.schemas import ERROR_CODES, ErrorOut
from opsloop.money import results, results_actions
from opsloop.money.results_schemas import (
    ConversionIn,
    ConversionOut,
    ProjectResultsOut,
    ResultsQuery,
    WorkspaceResultsOut,
    WorkspaceResultsQuery,
)

router = Router(tags=["results"])

ERRORS = {ERROR_CODES: ErrorOut}
PROJECT = "/workspaces/{slug}/projects/{key}/results"
WORKSPACE = "/workspaces/{slug}/results"
WHO = "Members and above (guests do not see spend and results)."


class ConversionSettingOut(Schema):
    conversion: ConversionOut | None = Field(
        description="What a conversion is here: a project's own, else the workspace's; "
        "null when none is set (conversions, revenue, CPA, ROAS and ROI are then null)."
    )
    own: bool = Field(description="The project has its own (not the workspace's).")


def _setting(conversion, project=None) -> dict:
    own = conversion is not None and project is not None and conversion.project_id == project.pk
    return {"conversion": conversion, "own": own}


@router.get(
    PROJECT,
    response={200: ProjectResultsOut, **ERRORS},
    summary="A campaign's results",
    description="Spend, impressions, clicks, attributed new users, conversions and revenue "
    "of a project over a range, with CTR, CPC, CPM, CAC, CPA, ROAS and ROI: in total, by "
    f"day, by channel, placement, partner and content piece. {WHO}",
)
def get_project_results(request: HttpRequest, slug: str, key: str, q: Query[ResultsQuery]):
    access = results.access_project_results(request.auth, slug, key)
    workspace = access.membership.workspace
    rng = results.check_range(workspace, q.date_from, q.date_to, q.touch)
    return results.project_results(access.project, rng)


@router.get(
    WORKSPACE,
    response={200: WorkspaceResultsOut, **ERRORS},
    summary="The workspace's results",
    description="Results by campaign (the projects the caller sees) and by channel, "
    f"ranked by `sort`. {WHO}",
)
def get_workspace_results(request: HttpRequest, slug: str, q: Query[WorkspaceResultsQuery]):
    membership = results.access_results(request.auth, slug)
    rng = results.check_range(membership.workspace, q.date_from, q.date_to, q.touch)
    return results.workspace_results(membership, rng, q.sort)


@router.get(
    WORKSPACE + "/conversion",
    response={200: ConversionSettingOut, **ERRORS},
    summary="The workspace's conversion",
    description=f"The conversion event, revenue property and window results count. {WHO}",
)
def get_workspace_conversion(request: HttpRequest, slug: str):
    membership = results.access_results(request.auth, slug)
    return _setting(results.get_conversion(membership.workspace_id))


@router.put(
    WORKSPACE + "/conversion",
    response={200: ConversionSettingOut, **ERRORS},
    summary="Set the workspace's conversion",
    description="An empty event removes it. Owners and admins.",
)
def put_workspace_conversion(request: HttpRequest, slug: str, payload: ConversionIn):
    membership = results.access_results(request.auth, slug)
    return _setting(results_actions.do_set_conversion(actor=membership, data=payload))


@router.get(
    PROJECT + "/conversion",
    response={200: ConversionSettingOut, **ERRORS},
    summary="A campaign's conversion",
    description=f"The project's own conversion, else the workspace's. {WHO}",
)
def get_project_conversion(request: HttpRequest, slug: str, key: str):
    access = results.access_project_results(request.auth, slug, key)
    project = access.project
    return _setting(results.get_conversion(project.workspace_id, project), project)


@router.put(
    PROJECT + "/conversion",
    response={200: ConversionSettingOut, **ERRORS},
    summary="Set a campaign's conversion",
    description="The project's own; an empty event removes it (the workspace's then "
    "counts). Owners and admins.",
)
def put_project_conversion(request: HttpRequest, slug: str, key: str, payload: ConversionIn):
    access = results.access_project_results(request.auth, slug, key)
    project = access.project
    results_actions.do_set_conversion(actor=access.membership, data=payload, project=project)
    return _setting(results.get_conversion(project.workspace_id, project), project)
