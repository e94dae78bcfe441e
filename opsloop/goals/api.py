"""API of goals: KPIs and their values, objectives and key results with progress,
forecast and status (docs/goals.md)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from opsloop.core.inputs import json_body, parse_input
from opsloop.core.models import Membership
from opsloop.core.schemas import ERROR_CODES, ErrorOut
from opsloop.files.uploads import is_multipart, uploaded_file
from opsloop.goals import actions, queries
from opsloop.goals.models import KeyResult, Kpi, Objective
from opsloop.goals.queries import KeyResultReport, ObjectiveReport
from opsloop.goals.schemas import (
    AlertIn,
    AlertOut,
    KeyResultIn,
    KeyResultPatch,
    KpiIn,
    KpiOut,
    KpiPatch,
    LinksIn,
    ObjectiveIn,
    ObjectiveOut,
    ObjectivePatch,
    ObjectivesQuery,
    RecordedOut,
    ValueOut,
    ValuesIn,
    ValuesQuery,
)

router = Router()
ERRORS = {ERROR_CODES: ErrorOut}
GOALS = ["Goals"]
KPIS = "/workspaces/{slug}/kpis"
KPI = KPIS + "/{kpi_id}"
OBJECTIVES = "/workspaces/{slug}/objectives"
OBJECTIVE = OBJECTIVES + "/{objective_id}"
KEY_RESULT = "/workspaces/{slug}/key-results/{key_result_id}"


# --- KPIs


@router.get(KPIS, response={200: list[KpiOut], **ERRORS}, summary="List KPIs", tags=GOALS,
            description="Members and above; by name. A KPI of the work only for who sees "
            "every project it counts.")  # fmt: skip
def get_kpis(request: HttpRequest, slug: str) -> list:
    membership = queries.access_goals(request.auth, slug)
    return list(queries.list_kpis(membership))


@router.post(
    KPIS,
    response={201: KpiOut, **ERRORS},
    summary="Create a KPI",
    description="Members and above. A KPI from an insight or the work records its values "
    "(and the history its source has) at once; a manual one waits for values.",
    tags=GOALS,
)
def create_kpi(request: HttpRequest, slug: str, payload: KpiIn) -> Status[Kpi]:
    membership = queries.access_goals(request.auth, slug)
    kpi = actions.do_create_kpi(actor=membership, data=payload)
    return Status(201, kpi)


@router.get(KPI, response={200: KpiOut, **ERRORS}, summary="Get a KPI", tags=GOALS,
            description="Members and above; a KPI of the work is 404 for who does not see "
            "every project it counts, as are all its routes.")  # fmt: skip
def get_kpi(request: HttpRequest, slug: str, kpi_id: int) -> Kpi:
    membership = queries.access_goals(request.auth, slug)
    return queries.get_kpi(membership, kpi_id)


@router.patch(
    KPI,
    response={200: KpiOut, **ERRORS},
    summary="Change a KPI",
    description="Its owner, who made it, and admins. A change of source, insight or "
    "definition raises its version and is recorded; values so far keep theirs.",
    tags=GOALS,
)
def update_kpi(request: HttpRequest, slug: str, kpi_id: int, payload: KpiPatch) -> Kpi:
    membership = queries.access_goals(request.auth, slug)
    kpi = queries.get_kpi(membership, kpi_id)
    return actions.do_update_kpi(actor=membership, kpi=kpi, data=payload)


@router.delete(
    KPI,
    response={204: None, **ERRORS},
    summary="Delete a KPI",
    description="Its owner, who made it, and admins; 409 while key results use it.",
    tags=GOALS,
)
def delete_kpi(request: HttpRequest, slug: str, kpi_id: int) -> Status[None]:
    membership = queries.access_goals(request.auth, slug)
    actions.do_delete_kpi(actor=membership, kpi=queries.get_kpi(membership, kpi_id))
    return Status(204, None)


@router.get(
    KPI + "/values",
    response={200: list[ValueOut], **ERRORS},
    summary="A KPI's values",
    description="Members and above; by day, from `since` to `until` when given.",
    tags=GOALS,
)
def get_values(request: HttpRequest, slug: str, kpi_id: int, query: Query[ValuesQuery]) -> list:
    membership = queries.access_goals(request.auth, slug)
    kpi = queries.get_kpi(membership, kpi_id)
    return queries.kpi_values(kpi, since=query.since, until=query.until)


@router.post(
    KPI + "/values",
    response={200: RecordedOut, **ERRORS},
    summary="Enter values of a manual KPI",
    description="Members and above, for a KPI kept by hand (400 for a computed one). "
    'JSON {"values": [{"day", "value"}]}, or multipart with a CSV or Excel (.xlsx) '
    "file in `file`: the day in the first column, the value in the second, an optional "
    "header row.",
    tags=GOALS,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": ValuesIn.model_json_schema()},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                    }
                },
            },
        }
    },
)
def record_values(request: HttpRequest, slug: str, kpi_id: int) -> dict:
    membership = queries.access_goals(request.auth, slug)
    kpi = queries.get_kpi(membership, kpi_id)
    if is_multipart(request):
        upload = uploaded_file(
            request,
            max_bytes=actions.MAX_IMPORT_BYTES,
            missing=_("Send the file in the form field named file."),
        )
        values = actions.parse_value_file(upload.name or "", upload.read())
    else:
        values = actions.check_values(parse_input(ValuesIn, json_body(request)).values)
    return {"recorded": actions.do_record_kpi_values(actor=membership, kpi=kpi, values=values)}


@router.post(
    KPI + "/compute",
    response={200: KpiOut, **ERRORS},
    summary="Compute a KPI now",
    description="Members and above. A failure marks it stale with the error (200 still: "
    "the KPI says what went wrong).",
    tags=GOALS,
)
def compute_kpi(request: HttpRequest, slug: str, kpi_id: int) -> Kpi:
    membership = queries.access_goals(request.auth, slug)
    kpi = queries.get_kpi(membership, kpi_id)
    actions.do_compute_kpi(kpi=kpi)
    return kpi


# --- alerts


@router.get(
    KPI + "/alerts",
    response={200: list[AlertOut], **ERRORS},
    summary="A KPI's alert rules",
    description="Members and above; each with its last firings.",
    tags=GOALS,
)
def get_alerts(request: HttpRequest, slug: str, kpi_id: int) -> list:
    membership = queries.access_goals(request.auth, slug)
    return queries.list_alerts(queries.get_kpi(membership, kpi_id))


@router.post(
    KPI + "/alerts",
    response={201: AlertOut, **ERRORS},
    summary="Set an alert rule on a KPI",
    description="Members and above. Checked each time the KPI gets a value; when it fires "
    "the KPI's owner is told in the inbox and by email (once a day per rule), and with "
    "create_item a work item is made for them in project_id with the chart attached.",
    tags=GOALS,
)
def create_alert(request: HttpRequest, slug: str, kpi_id: int, payload: AlertIn) -> Status:
    membership = queries.access_goals(request.auth, slug)
    kpi = queries.get_kpi(membership, kpi_id)
    rule = actions.do_create_alert_rule(actor=membership, kpi=kpi, data=payload)
    return Status(201, queries.list_alerts(kpi, rule_id=rule.pk)[0])


@router.delete(
    KPI + "/alerts/{alert_id}",
    response={204: None, **ERRORS},
    summary="Delete an alert rule",
    description="Who set it, the KPI's owner, and admins.",
    tags=GOALS,
)
def delete_alert(request: HttpRequest, slug: str, kpi_id: int, alert_id: int) -> Status[None]:
    membership = queries.access_goals(request.auth, slug)
    kpi = queries.get_kpi(membership, kpi_id)
    actions.do_delete_alert_rule(actor=membership, rule=queries.get_alert(kpi, alert_id))
    return Status(204, None)


# --- objectives and key results


def _key_result_out(report: KeyResultReport, visible: set[int]) -> dict[str, Any]:
    kr: KeyResult = report.key_result
    return {
        "id": kr.pk,
        "title": kr.title,
        "kpi": kr.kpi,
        "direction": kr.direction,
        "start_value": kr.start_value,
        "target_value": kr.target_value,
        "band_low": kr.band_low,
        "band_high": kr.band_high,
        "weight": kr.weight,
        "owner": kr.owner,
        # Only the linked projects the caller sees.
        "projects": [p for p in kr.projects.all() if p.pk in visible],
        "current": report.current,
        "current_day": report.current_day,
        "progress": report.progress,
        "decimals": report.decimals,
        "forecast": report.forecast,
        "status": report.status,
        "method": report.method,
    }


def _objective_out(report: ObjectiveReport, visible: set[int]) -> dict[str, Any]:
    o: Objective = report.objective
    return {
        "id": o.pk,
        "title": o.title,
        "description": o.description,
        "level": o.level,
        "team": o.team,
        "project": o.project,
        "period_kind": o.period_kind,
        "start_date": o.start_date,
        "end_date": o.end_date,
        "owner": o.owner,
        "progress": report.progress,
        "status": report.status,
        "elapsed": report.elapsed,
        "key_results": [_key_result_out(kr, visible) for kr in report.key_results],
    }


def _one(membership: Membership, objective: Objective) -> dict[str, Any]:
    fresh = queries.get_objective(membership, objective.pk)
    visible = queries.visible_project_ids(membership)
    return _objective_out(queries.report_objectives([fresh])[0], visible)


@router.get(
    OBJECTIVES,
    response={200: list[ObjectiveOut], **ERRORS},
    summary="List objectives",
    description="Members and above; the latest period first, each with its key results' "
    "progress, forecast and status today.",
    tags=GOALS,
)
def get_objectives(request: HttpRequest, slug: str, query: Query[ObjectivesQuery]) -> list:
    membership = queries.access_goals(request.auth, slug)
    objectives = list(
        queries.list_objectives(
            membership, on=query.on, level=query.level, project_id=query.project_id
        )
    )
    visible = queries.visible_project_ids(membership)
    return [_objective_out(r, visible) for r in queries.report_objectives(objectives)]


@router.post(
    OBJECTIVES,
    response={201: ObjectiveOut, **ERRORS},
    summary="Set an objective",
    description="Members and above. A quarter or a month from any day of it; custom periods "
    "take end_date.",
    tags=GOALS,
)
def create_objective(request: HttpRequest, slug: str, payload: ObjectiveIn) -> Status:
    membership = queries.access_goals(request.auth, slug)
    objective = actions.do_create_objective(actor=membership, data=payload)
    return Status(201, _one(membership, objective))


@router.get(OBJECTIVE, response={200: ObjectiveOut, **ERRORS}, summary="Get an objective",
            description="Members and above.", tags=GOALS)  # fmt: skip
def get_objective(request: HttpRequest, slug: str, objective_id: int) -> dict:
    membership = queries.access_goals(request.auth, slug)
    return _one(membership, queries.get_objective(membership, objective_id))


@router.patch(
    OBJECTIVE,
    response={200: ObjectiveOut, **ERRORS},
    summary="Change an objective",
    description="Its owner, who set it, and admins.",
    tags=GOALS,
)
def update_objective(
    request: HttpRequest, slug: str, objective_id: int, payload: ObjectivePatch
) -> dict:
    membership = queries.access_goals(request.auth, slug)
    objective = queries.get_objective(membership, objective_id)
    actions.do_update_objective(actor=membership, objective=objective, data=payload)
    return _one(membership, objective)


@router.delete(
    OBJECTIVE,
    response={204: None, **ERRORS},
    summary="Delete an objective",
    description="Its owner, who set it, and admins; with its key results; audit-logged.",
    tags=GOALS,
)
def delete_objective(request: HttpRequest, slug: str, objective_id: int) -> Status[None]:
    membership = queries.access_goals(request.auth, slug)
    objective = queries.get_objective(membership, objective_id)
    actions.do_delete_objective(actor=membership, objective=objective)
    return Status(204, None)


@router.post(
    OBJECTIVE + "/key-results",
    response={201: ObjectiveOut, **ERRORS},
    summary="Add a key result",
    description="The objective's owner, who set it, and admins: a KPI from a start value to "
    "a target (increase, decrease), at least or at most a value all period (at_least, "
    "at_most), or within a band (band_low, band_high).",
    tags=GOALS,
)
def add_key_result(
    request: HttpRequest, slug: str, objective_id: int, payload: KeyResultIn
) -> Status:
    membership = queries.access_goals(request.auth, slug)
    objective = queries.get_objective(membership, objective_id)
    actions.do_add_key_result(actor=membership, objective=objective, data=payload)
    return Status(201, _one(membership, objective))


@router.patch(
    KEY_RESULT,
    response={200: ObjectiveOut, **ERRORS},
    summary="Change a key result",
    description="Its owner, the objective's owner or setter, and admins; answers with the "
    "objective.",
    tags=GOALS,
)
def update_key_result(
    request: HttpRequest, slug: str, key_result_id: int, payload: KeyResultPatch
) -> dict:
    membership = queries.access_goals(request.auth, slug)
    key_result = queries.get_key_result(membership, key_result_id)
    actions.do_update_key_result(actor=membership, key_result=key_result, data=payload)
    return _one(membership, key_result.objective)


@router.put(
    KEY_RESULT + "/links",
    response={200: ObjectiveOut, **ERRORS},
    summary="Link work to a key result",
    description="The projects and items meant to move it (each list replaces what was "
    "linked; leave one out to keep it).",
    tags=GOALS,
)
def link_work(request: HttpRequest, slug: str, key_result_id: int, payload: LinksIn) -> dict:
    membership = queries.access_goals(request.auth, slug)
    key_result = queries.get_key_result(membership, key_result_id)
    actions.do_link_work(actor=membership, key_result=key_result, data=payload)
    return _one(membership, key_result.objective)


@router.delete(
    KEY_RESULT,
    response={204: None, **ERRORS},
    summary="Delete a key result",
    description="The objective's owner, who set it, and admins.",
    tags=GOALS,
)
def delete_key_result(request: HttpRequest, slug: str, key_result_id: int) -> Status[None]:
    membership = queries.access_goals(request.auth, slug)
    key_result = queries.get_key_result(membership, key_result_id)
    actions.do_delete_key_result(actor=membership, key_result=key_result)
    return Status(204, None)
