"""API of insights: run a query description, and list the persons behind a number."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Body, Router, Schema
from pydantic import ConfigDict, Field, TypeAdapter

from opsloop.core.paging import page_out
from opsloop.core.schemas import ERROR_CODES, ErrorOut
from opsloop.events.schemas import PersonPageOut
from opsloop.insights import queries
from opsloop.insights.examples import EXAMPLES
from opsloop.insights.query import Query

router = Router()

ERRORS = {ERROR_CODES: ErrorOut}
INSIGHTS = ["Insights"]
QUERY_SCHEMA = TypeAdapter(Query).json_schema(ref_template="#/components/schemas/{model}")


class Selection(Schema):
    """Which number of the result; the fields its kind reads (docs/metrics.md)."""

    model_config = ConfigDict(extra="forbid")

    series: int | None = Field(None, ge=0, description="trends: the series' index.")
    bucket: int | None = Field(None, description="trends, lifecycle: the bucket's index.")
    breakdown: str | None = Field(None, max_length=500, description="trends, funnel.")
    compare: bool | None = Field(None, description="trends: the period before.")
    step: int | None = Field(None, ge=0, description="funnel, paths: the step (0-based).")
    dropped: bool | None = Field(None, description="funnel: dropped before this step.")
    cohort: int | None = Field(None, ge=0, description="retention: the cohort's index.")
    period: int | None = Field(None, ge=0, description="retention: periods after the cohort's.")
    days: int | None = Field(None, ge=1, description="stickiness: active on exactly this many.")
    status: str | None = Field(None, max_length=20, description="lifecycle: new, returning, …")
    source: str | None = Field(None, max_length=200, description="paths: the event before.")
    target: str | None = Field(None, max_length=200, description="paths: the event after.")
    channel: str | None = Field(None, max_length=500, description="attribution.")
    converted: bool | None = Field(None, description="attribution: only who converted.")


class PersonsIn(Schema):
    query: dict[str, Any] = Field(description="The query description, as for /insights/query.")
    selection: Selection = Field(default_factory=Selection)
    page: int | None = Field(None, description="Page number, from 1.")
    per_page: int | None = Field(None, description="Persons a page, 1-200 (default 50).")


@router.post(
    "/workspaces/{slug}/insights/query",
    response={200: dict[str, Any], **ERRORS},
    summary="Run an insight query",
    description="Members and above. The body is a query description whose `kind` is "
    "trends, funnel, retention, stickiness, lifecycle, paths or attribution "
    "(docs/metrics.md); the answer is its series, counted in the workspace's time zone. "
    "Results are cached until new events arrive. 400 names what is wrong with the query; "
    "422 `query_timeout` when it runs past the time limit.",
    tags=INSIGHTS,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": QUERY_SCHEMA, "examples": EXAMPLES}},
        }
    },
)
def run_query(request: HttpRequest, slug: str, payload: Body[dict[str, Any]]) -> dict:
    membership = queries.access_insights(request.auth, slug)
    query = queries.check_query(payload)
    return queries.run_insight(workspace=membership.workspace, query=query)


@router.post(
    "/workspaces/{slug}/insights/persons",
    response={200: PersonPageOut, **ERRORS},
    summary="List the persons behind a number",
    description="Members and above. The persons behind one number of a query's result "
    "(one bucket of a series, a funnel step, a retention cell, ...), by id, a page at a time.",
    tags=INSIGHTS,
)
def list_persons(request: HttpRequest, slug: str, payload: PersonsIn) -> dict:
    membership = queries.access_insights(request.auth, slug)
    query = queries.check_query(payload.query, field="query")
    page = queries.list_persons_behind(
        workspace=membership.workspace,
        query=query,
        selection=payload.selection.model_dump(exclude_none=True),
        page=payload.page,
        per_page=payload.per_page,
    )
    return page_out(page, page.items)
