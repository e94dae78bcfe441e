"""API of insights: run a query description, and list the persons behind a number."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Body, Router, Schema, Status
from pydantic import ConfigDict, Field, StringConstraints, TypeAdapter

from opsloop.core.inputs import STRICT, Bool, Int
from opsloop.core.paging import page_out
from opsloop.core.schemas import ERROR_CODES, SINGLE_LINE, ErrorOut, Out, UserOut
from opsloop.events.schemas import PersonPageOut
from opsloop.insights import actions, queries
from opsloop.insights.examples import EXAMPLES
from opsloop.insights.models import Cohort, DisplayName, DisplayNameKind, Insight
from opsloop.insights.query import Query

router = Router()


NonNegative = Annotated[int, Field(ge=0), STRICT]
Positive = Annotated[int, Field(ge=1), STRICT]


class Selection(Schema):
    """Which number of the result; the fields its kind reads (docs/metrics.md)."""

    model_config = ConfigDict(extra="forbid")

    series: NonNegative | None = Field(None, description="trends: the series' index.")
    bucket: Int | None = Field(None, description="trends, lifecycle: the bucket's index.")
    breakdown: str | None = Field(None, max_length=500, description="trends, funnel.")
    compare: Bool | None = Field(None, description="trends: the period before.")
    step: NonNegative | None = Field(None, description="funnel, paths: the step (0-based).")
    dropped: Bool | None = Field(None, description="funnel: dropped before this step.")
    cohort: NonNegative | None = Field(None, description="retention: the cohort's index.")
    period: NonNegative | None = Field(None, description="retention: periods after the cohort's.")
    days: Positive | None = Field(None, description="stickiness: active on exactly this many.")
    status: str | None = Field(None, max_length=20, description="lifecycle: new, returning, …")
    source: str | None = Field(None, max_length=200, description="paths: the event before.")
    target: str | None = Field(None, max_length=200, description="paths: the event after.")
    channel: str | None = Field(None, max_length=500, description="attribution.")
    converted: Bool | None = Field(None, description="attribution: only who converted.")


INSIGHT = "/workspaces/{slug}/insights/{insight_id}"
COHORTS = "/workspaces/{slug}/cohorts"
COHORT = COHORTS + "/{cohort_id}"
Name = Annotated[str, StringConstraints(max_length=200)]
Text = Annotated[str, StringConstraints(max_length=5000)]


class InsightIn(Schema):
    name: Name
    description: Text = ""
    query: dict[str, Any] = Field(description="A query description (docs/metrics.md).")


class InsightPatch(Schema):
    name: Name | None = None
    description: Text | None = None
    query: dict[str, Any] | None = None


class InsightOut(Out):
    id: int
    name: str
    description: str
    kind: str
    query: dict[str, Any]
    created_by: UserOut | None
    created_at: datetime
    updated_at: datetime


class InsightCommentIn(Schema):
    body: Annotated[str, StringConstraints(max_length=20_000)] = Field(description="Markdown.")


class InsightCommentOut(Out):
    id: int
    body: str
    body_html: str
    author: UserOut | None
    created_at: datetime


class PersonFiltersIn(Schema):
    """Whose traits make a cohort: the filters of the people page (/persons)."""

    model_config = ConfigDict(extra="forbid")

    q: str = Field(
        "", description="Free text: part of the user id, a distinct id or a trait's text."
    )
    trait: list[str] = Field(
        default_factory=list,
        description='Trait filters, all of which hold: "key=value" (the trait equals the '
        'value, e.g. "city=上海") or "key" (the trait is set, e.g. "plan"); at most 10.',
    )


class CohortIn(Schema):
    name: Name
    description: Text = ""
    kind: str = Field(
        "static",
        description="static: its persons copied now; dynamic: evaluated "
        "again whenever an insight filters on it.",
    )
    query: dict[str, Any] | None = Field(
        None,
        description="The query whose number the cohort is, with `selection`; "
        "or give `persons` instead.",
    )
    selection: Selection | None = Field(
        None, description="Which number of `query`, as for /insights/persons."
    )
    persons: PersonFiltersIn | None = Field(
        None,
        description="Instead of `query` and `selection`: the persons whose traits match "
        "these filters (400 when both or neither are given).",
    )


class CohortOut(Out):
    id: int
    name: str
    description: str
    kind: str
    definition: dict[str, Any] = Field(
        description='Where its persons come from: {"query": ..., "selection": ...} or '
        '{"persons": {"q": ..., "trait": [...]}}.'
    )
    size: int = Field(description="Its persons when last counted (computed_at).")
    computed_at: datetime | None
    created_at: datetime


ERRORS = {ERROR_CODES: ErrorOut}
INSIGHTS = ["Insights"]
QUERY_SCHEMA = TypeAdapter(Query).json_schema(ref_template="#/components/schemas/{model}")


class PersonsIn(Schema):
    query: dict[str, Any] = Field(description="The query description, as for /insights/query.")
    selection: Selection = Field(default_factory=Selection)
    page: Int | None = Field(None, description="Page number, from 1.")
    per_page: Int | None = Field(None, description="Persons a page, 1-200 (default 50).")


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


class CountedOut(Schema):
    name: str
    count: int
    label: str | None = Field(
        None, description="Its display name in this workspace, if it has one."
    )


class SuggestionsOut(Schema):
    events: list[CountedOut] = Field(description="Event names, by events of the last 90 days.")
    properties: list[CountedOut] = Field(
        description="Event property keys, by the events of the last 90 days that carry them."
    )
    person_properties: list[CountedOut] = Field(
        description="Trait keys as filters and breakdowns name them (person.city), by the "
        "users who have them."
    )
    values: list[CountedOut] = Field(
        description="With `key`: its commonest values (of events, or of users for person.x)."
    )


@router.get(
    "/workspaces/{slug}/insights/suggestions",
    response={200: SuggestionsOut, **ERRORS},
    summary="List event names and property keys, with counts",
    description="Members and above. What the query builder suggests: the event names and "
    "the event property keys of the last 90 days and the users' trait keys, each with how "
    "many events (users) carry it, the most first; with `key` (`utm_source`, "
    "`person.city`), also that property's commonest values. Cached for up to 5 minutes.",
    tags=INSIGHTS,
)
def get_suggestions(request: HttpRequest, slug: str, key: str = "") -> dict:
    membership = queries.access_insights(request.auth, slug)
    found = queries.get_suggestions(membership.workspace)
    values = queries.list_property_values(membership.workspace, key) if key else []
    names = queries.get_display_names(membership.workspace)

    def counted(
        pairs: list[tuple[str, int]], labels: dict[str, str], prefix: str = ""
    ) -> list[dict[str, Any]]:
        return [
            {"name": prefix + name, "count": n, "label": labels.get(prefix + name)}
            for name, n in pairs
        ]

    return {
        "events": counted(found.events, names.events),
        "properties": counted(found.properties, names.properties),
        "person_properties": counted(found.traits, names.properties, "person."),
        "values": counted(values, names.values.get(key, {})),
    }


# --- display names

DISPLAY_NAMES = "/workspaces/{slug}/insights/display-names"


class DisplayNameIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: DisplayNameKind = Field(
        description="event: an event's name; property: a property key; value: one value "
        "of the property `key`."
    )
    key: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        description="The event name, or the property key as queries name it (utm_source, "
        "person.city)."
    )
    value: Annotated[str, StringConstraints(max_length=500)] = Field(
        "", description="For kind value: the property's value (xiaohongshu)."
    )
    name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), SINGLE_LINE
    ] = Field(description="What results show instead (小红书).")


class DisplayNameOut(Out):
    id: int
    kind: str
    key: str
    value: str
    name: str
    updated_by: UserOut | None
    updated_at: datetime


@router.get(
    DISPLAY_NAMES,
    response={200: list[DisplayNameOut], **ERRORS},
    summary="List display names",
    description="Members and above. The names the workspace gave its events, property "
    "keys and property values, by kind, key and value; `kind` (event, property, value) "
    "and `key` narrow the list.",
    tags=INSIGHTS,
)
def get_display_names(request: HttpRequest, slug: str, kind: str = "", key: str = "") -> list:
    membership = queries.access_insights(request.auth, slug)
    return queries.list_display_names(membership.workspace, kind=kind, key=key)


@router.put(
    DISPLAY_NAMES,
    response={200: DisplayNameOut, **ERRORS},
    summary="Set a display name",
    description="Members and above: name an event, a property key or a property's value "
    "(again: rename it). Results then show the name beside the raw value, which queries "
    "keep using.",
    tags=INSIGHTS,
)
def set_display_name(request: HttpRequest, slug: str, payload: DisplayNameIn) -> DisplayName:
    membership = queries.access_insights(request.auth, slug)
    return actions.do_set_display_name(
        actor=membership,
        kind=payload.kind,
        key=payload.key,
        value=payload.value,
        name=payload.name,
    )


@router.delete(
    DISPLAY_NAMES + "/{display_name_id}",
    response={204: None, **ERRORS},
    summary="Delete a display name",
    description="Members and above: results show the raw value again.",
    tags=INSIGHTS,
)
def delete_display_name(request: HttpRequest, slug: str, display_name_id: int) -> Status[None]:
    membership = queries.access_insights(request.auth, slug)
    actions.do_delete_display_name(
        actor=membership,
        display_name=queries.get_display_name(membership.workspace, display_name_id),
    )
    return Status(204, None)


# --- saved insights


@router.get(
    "/workspaces/{slug}/insights",
    response={200: list[InsightOut], **ERRORS},
    summary="List saved insights",
    description="Members and above; the latest changed first.",
    tags=INSIGHTS,
)
def get_insights(request: HttpRequest, slug: str) -> list:
    membership = queries.access_insights(request.auth, slug)
    return queries.list_insights(membership.workspace)


@router.post(
    "/workspaces/{slug}/insights",
    response={201: InsightOut, **ERRORS},
    summary="Save an insight",
    description="Members and above: a name and a query description.",
    tags=INSIGHTS,
)
def create_insight(request: HttpRequest, slug: str, payload: InsightIn) -> Status[Insight]:
    membership = queries.access_insights(request.auth, slug)
    insight = actions.do_save_insight(
        actor=membership, name=payload.name, description=payload.description, query=payload.query
    )
    return Status(201, insight)


@router.get(
    INSIGHT,
    response={200: InsightOut, **ERRORS},
    summary="Get a saved insight",
    description="Members and above. Run its query with /insights/query.",
    tags=INSIGHTS,
)
def get_insight(request: HttpRequest, slug: str, insight_id: int) -> Insight:
    membership = queries.access_insights(request.auth, slug)
    return queries.get_insight(membership.workspace, insight_id)


@router.patch(
    INSIGHT,
    response={200: InsightOut, **ERRORS},
    summary="Change a saved insight",
    description="Who saved it, and admins: its name, description or query.",
    tags=INSIGHTS,
)
def update_insight(
    request: HttpRequest, slug: str, insight_id: int, payload: InsightPatch
) -> Insight:
    membership = queries.access_insights(request.auth, slug)
    insight = queries.get_insight(membership.workspace, insight_id)
    return actions.do_update_insight(
        actor=membership,
        insight=insight,
        name=payload.name,
        description=payload.description,
        query=payload.query,
    )


@router.delete(
    INSIGHT,
    response={204: None, **ERRORS},
    summary="Delete a saved insight",
    description="Who saved it, and admins; audit-logged.",
    tags=INSIGHTS,
)
def delete_insight(request: HttpRequest, slug: str, insight_id: int) -> Status[None]:
    membership = queries.access_insights(request.auth, slug)
    actions.do_delete_insight(
        actor=membership, insight=queries.get_insight(membership.workspace, insight_id)
    )
    return Status(204, None)


@router.get(
    INSIGHT + "/comments",
    response={200: list[InsightCommentOut], **ERRORS},
    summary="List an insight's comments",
    description="Members and above; oldest first.",
    tags=INSIGHTS,
)
def get_comments(request: HttpRequest, slug: str, insight_id: int) -> list:
    membership = queries.access_insights(request.auth, slug)
    return queries.list_comments(queries.get_insight(membership.workspace, insight_id))


@router.post(
    INSIGHT + "/comments",
    response={201: InsightCommentOut, **ERRORS},
    summary="Comment on an insight",
    description="Members and above. Markdown, sanitized.",
    tags=INSIGHTS,
)
def create_comment(
    request: HttpRequest, slug: str, insight_id: int, payload: InsightCommentIn
) -> Status:
    membership = queries.access_insights(request.auth, slug)
    insight = queries.get_insight(membership.workspace, insight_id)
    return Status(
        201, actions.do_comment_insight(actor=membership, insight=insight, body=payload.body)
    )


# --- cohorts


@router.get(
    COHORTS,
    response={200: list[CohortOut], **ERRORS},
    summary="List cohorts",
    description="Members and above; by name.",
    tags=INSIGHTS,
)
def get_cohorts(request: HttpRequest, slug: str) -> list:
    membership = queries.access_insights(request.auth, slug)
    return queries.list_cohorts(membership.workspace)


@router.post(
    COHORTS,
    response={201: CohortOut, **ERRORS},
    summary="Save a cohort",
    description="Members and above: the persons behind one number of a query (`query` "
    "and `selection`), or those whose traits match `persons` (`q` and `trait`, as on "
    "/persons); by name (unique, 409). Any query's `cohort` then keeps to them.",
    tags=INSIGHTS,
)
def create_cohort(request: HttpRequest, slug: str, payload: CohortIn) -> Status[Cohort]:
    membership = queries.access_insights(request.auth, slug)
    cohort = actions.do_save_cohort(
        actor=membership,
        name=payload.name,
        description=payload.description,
        kind=payload.kind,
        query=payload.query,
        selection=payload.selection.model_dump(exclude_none=True) if payload.selection else None,
        persons=payload.persons.model_dump() if payload.persons else None,
    )
    return Status(201, cohort)


@router.get(
    COHORT,
    response={200: CohortOut, **ERRORS},
    summary="Get a cohort",
    description="Members and above.",
    tags=INSIGHTS,
)
def get_cohort(request: HttpRequest, slug: str, cohort_id: int) -> Cohort:
    membership = queries.access_insights(request.auth, slug)
    return queries.get_cohort(membership.workspace, cohort_id)


@router.post(
    COHORT + "/refresh",
    response={200: CohortOut, **ERRORS},
    summary="Refresh a cohort",
    description="Who saved it, and admins: a static cohort takes its persons again from its "
    "query or its person filters; a dynamic one recounts its size.",
    tags=INSIGHTS,
)
def refresh_cohort(request: HttpRequest, slug: str, cohort_id: int) -> Cohort:
    membership = queries.access_insights(request.auth, slug)
    cohort = queries.get_cohort(membership.workspace, cohort_id)
    return actions.do_refresh_cohort(actor=membership, cohort=cohort)


@router.delete(
    COHORT,
    response={204: None, **ERRORS},
    summary="Delete a cohort",
    description="Who saved it, and admins; audit-logged.",
    tags=INSIGHTS,
)
def delete_cohort(request: HttpRequest, slug: str, cohort_id: int) -> Status[None]:
    membership = queries.access_insights(request.auth, slug)
    actions.do_delete_cohort(
        actor=membership, cohort=queries.get_cohort(membership.workspace, cohort_id)
    )
    return Status(204, None)


@router.get(
    COHORT + "/persons",
    response={200: PersonPageOut, **ERRORS},
    summary="List a cohort's persons",
    description="Members and above; by id, paginated.",
    tags=INSIGHTS,
)
def get_cohort_persons(
    request: HttpRequest,
    slug: str,
    cohort_id: int,
    page: str | None = None,
    per_page: str | None = None,
) -> dict:
    membership = queries.access_insights(request.auth, slug)
    cohort = queries.get_cohort(membership.workspace, cohort_id)
    found = queries.list_cohort_persons(cohort, page=page, per_page=per_page)
    return page_out(found, found.items)
