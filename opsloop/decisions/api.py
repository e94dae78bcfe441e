"""API of decision records: options, criteria, scores, the ranking, the decision, the
review, and records made from a meeting's decisions."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from opsloop.core.queries import access_workspace
from opsloop.core.schemas import ERROR_CODES, ErrorOut
from opsloop.decisions import actions
from opsloop.decisions.models import Criterion, DecisionRecord, Option
from opsloop.decisions.queries import (
    EDIT,
    SCORE,
    RecordAccess,
    access_record,
    get_criterion,
    get_option,
    list_records,
    list_scores,
    load_links,
    parse_record_filters,
    record_ranking,
    record_url,
    review_comparison,
)
from opsloop.decisions.schemas import (
    CriterionIn,
    CriterionOut,
    CriterionPatch,
    DecideIn,
    DecisionOptionIn,
    DecisionOptionOut,
    DecisionOptionPatch,
    DecisionRankingOut,
    DecisionRecordDetailOut,
    DecisionRecordIn,
    DecisionRecordOut,
    DecisionRecordPatch,
    DecisionReviewIn,
    DecisionReviewOut,
    DecisionStatusIn,
    ScoreOut,
    ScoresIn,
)
from opsloop.meetings.queries import access_meeting, get_decision

router = Router()

TAGS = ["Decisions"]
ERRORS = {ERROR_CODES: ErrorOut}
RECORDS = "/workspaces/{slug}/decisions"
RECORD = RECORDS + "/{record_id}"
EDITORS = "The record's owner and workspace admins."


class RecordListQuery(Schema):
    status: str | None = Field(None, description="draft, scoring, decided, reviewed, withdrawn.")
    project: str | None = Field(None, description="Only records of this project key.")
    owner: str | None = Field(None, description="Only records this user id owns.")
    from_: str | None = Field(
        None, alias="from", description="Decided (or, not decided yet, made) on or after."
    )
    to: str | None = Field(None, description="... on or before this date.")


def _summary(record: DecisionRecord) -> dict:
    return {
        "id": record.pk,
        "title": record.title,
        "status": record.status,
        "project_key": record.project.key if record.project else None,
        "owner": record.owner,
        "review_on": record.review_on,
        "decided_at": record.decided_at,
        "outcome": record.outcome,
        "chosen_option_id": record.chosen_option_id,
        "created_at": record.created_at,
        "url": record_url(record),
    }


def _detail(request: HttpRequest, slug: str, record_id: int) -> dict:
    """The record as the caller now sees it."""
    access = access_record(request.auth, slug, record_id)
    record = load_links(access.membership, access.record)
    meeting = None
    if record.meeting_decision_id and record.meeting_decision:
        meeting = {
            "meeting_id": record.meeting_decision.meeting_id,
            "decision_id": record.meeting_decision_id,
            "title": record.meeting_decision.meeting.title,
        }
    return _summary(record) | {
        "problem": record.problem,
        "problem_html": record.problem_html,
        "context": record.context,
        "context_html": record.context_html,
        "scorers": list(record.scorers.all()),
        "options": list(record.options.all()),
        "criteria": list(record.criteria.all()),
        "kpis": record.visible_kpis,  # type: ignore[attr-defined]
        "insights": record.visible_insights,  # type: ignore[attr-defined]
        "problem_items": [_ref(i) for i in record.problem_items.all()],
        "work_items": [_ref(i) for i in record.work_items.all()],
        "meeting": meeting,
        "rationale": record.rationale,
        "rationale_html": record.rationale_html,
        "decided_by": record.decided_by,
        "review_note": record.review_note,
        "reviewed_by": record.reviewed_by,
        "reviewed_at": record.reviewed_at,
        "review_reminded_at": record.review_reminded_at,
        "can_edit": access.can_edit,
        "can_score": access.can_score,
    }


def _ref(item) -> dict:
    return {"id": item.pk, "ref": item.ref, "title": item.title}


def _edit(request: HttpRequest, slug: str, record_id: int) -> RecordAccess:
    return access_record(request.auth, slug, record_id, EDIT)


@router.get(
    RECORDS,
    response={200: list[DecisionRecordOut], **ERRORS},
    summary="List decision records",
    description="The decision log: records the caller can see, newest first, at most 500.",
    tags=TAGS,
)
def get_records(request: HttpRequest, slug: str, filters: Query[RecordListQuery]) -> list:
    membership = access_workspace(request.auth, slug)
    return [_summary(r) for r in list_records(membership, parse_record_filters(request.GET))]


@router.post(
    RECORDS,
    response={201: DecisionRecordDetailOut, **ERRORS},
    summary="Create a decision record",
    description="Members and above. The owner (default the caller) and the people asked to "
    "score must be able to see the record's project.",
    tags=TAGS,
)
def create_record(request: HttpRequest, slug: str, payload: DecisionRecordIn) -> Status[dict]:
    membership = access_workspace(request.auth, slug)
    record = actions.do_create_record(actor=membership, data=payload)
    return Status(201, _detail(request, slug, record.pk))


@router.get(
    RECORD,
    response={200: DecisionRecordDetailOut, **ERRORS},
    summary="Get a decision record",
    description="With its options, criteria, links and decision.",
    tags=TAGS,
)
def get_record(request: HttpRequest, slug: str, record_id: int) -> dict:
    return _detail(request, slug, record_id)


@router.patch(
    RECORD,
    response={200: DecisionRecordDetailOut, **ERRORS},
    summary="Change a decision record",
    description=EDITORS + " Only the fields sent change; lists replace the links the caller "
    "can see.",
    tags=TAGS,
)
def update_record(
    request: HttpRequest, slug: str, record_id: int, payload: DecisionRecordPatch
) -> dict:
    access = _edit(request, slug, record_id)
    actions.do_update_record(actor=access.membership, record=access.record, data=payload)
    return _detail(request, slug, record_id)


@router.delete(
    RECORD,
    response={204: None, **ERRORS},
    summary="Delete a decision record",
    description=EDITORS,
    tags=TAGS,
)
def delete_record(request: HttpRequest, slug: str, record_id: int) -> Status[None]:
    access = _edit(request, slug, record_id)
    actions.do_delete_record(actor=access.membership, record=access.record)
    return Status(204, None)


@router.post(
    RECORD + "/status",
    response={200: DecisionRecordDetailOut, **ERRORS},
    summary="Change a decision record's status",
    description=EDITORS + " scoring asks the people for their scores (they are told); draft, "
    "withdrawn. 409 for a change the status does not allow.",
    tags=TAGS,
)
def set_status(request: HttpRequest, slug: str, record_id: int, payload: DecisionStatusIn) -> dict:
    access = _edit(request, slug, record_id)
    actions.do_set_status(actor=access.membership, record=access.record, status=payload.status)
    return _detail(request, slug, record_id)


# --- options and criteria


@router.post(
    RECORD + "/options",
    response={201: DecisionOptionOut, **ERRORS},
    summary="Add an option",
    description=EDITORS + " Until decided (409 after).",
    tags=TAGS,
)
def add_option(
    request: HttpRequest, slug: str, record_id: int, payload: DecisionOptionIn
) -> Status[Option]:
    access = _edit(request, slug, record_id)
    return Status(
        201, actions.do_add_option(actor=access.membership, record=access.record, data=payload)
    )


@router.patch(
    RECORD + "/options/{option_id}",
    response={200: DecisionOptionOut, **ERRORS},
    summary="Change an option",
    description=EDITORS + " Until decided.",
    tags=TAGS,
)
def update_option(
    request: HttpRequest, slug: str, record_id: int, option_id: int, payload: DecisionOptionPatch
) -> Option:
    access = _edit(request, slug, record_id)
    option = get_option(access.record, option_id)
    return actions.do_update_option(actor=access.membership, option=option, data=payload)


@router.delete(
    RECORD + "/options/{option_id}",
    response={204: None, **ERRORS},
    summary="Remove an option",
    description=EDITORS + " Until decided; its scores go with it.",
    tags=TAGS,
)
def delete_option(request: HttpRequest, slug: str, record_id: int, option_id: int) -> Status[None]:
    access = _edit(request, slug, record_id)
    actions.do_delete_option(actor=access.membership, option=get_option(access.record, option_id))
    return Status(204, None)


@router.post(
    RECORD + "/criteria",
    response={201: CriterionOut, **ERRORS},
    summary="Add a criterion",
    description=EDITORS + " With its weight against the others. Until decided.",
    tags=TAGS,
)
def add_criterion(
    request: HttpRequest, slug: str, record_id: int, payload: CriterionIn
) -> Status[Criterion]:
    access = _edit(request, slug, record_id)
    return Status(
        201, actions.do_add_criterion(actor=access.membership, record=access.record, data=payload)
    )


@router.patch(
    RECORD + "/criteria/{criterion_id}",
    response={200: CriterionOut, **ERRORS},
    summary="Change a criterion",
    description=EDITORS + " Its title or weight. Until decided.",
    tags=TAGS,
)
def update_criterion(
    request: HttpRequest, slug: str, record_id: int, criterion_id: int, payload: CriterionPatch
) -> Criterion:
    access = _edit(request, slug, record_id)
    criterion = get_criterion(access.record, criterion_id)
    return actions.do_update_criterion(actor=access.membership, criterion=criterion, data=payload)


@router.delete(
    RECORD + "/criteria/{criterion_id}",
    response={204: None, **ERRORS},
    summary="Remove a criterion",
    description=EDITORS + " Until decided; its scores go with it.",
    tags=TAGS,
)
def delete_criterion(
    request: HttpRequest, slug: str, record_id: int, criterion_id: int
) -> Status[None]:
    access = _edit(request, slug, record_id)
    criterion = get_criterion(access.record, criterion_id)
    actions.do_delete_criterion(actor=access.membership, criterion=criterion)
    return Status(204, None)


# --- scores and the ranking


@router.get(
    RECORD + "/scores",
    response={200: list[ScoreOut], **ERRORS},
    summary="List the scores",
    description="Every score of every person asked, for whoever sees the record.",
    tags=TAGS,
)
def get_scores(request: HttpRequest, slug: str, record_id: int) -> list:
    access = access_record(request.auth, slug, record_id)
    return [
        {"option_id": s.option_id, "criterion_id": s.criterion_id, "scorer_id": s.scorer_id,
         "value": s.value}
        for s in list_scores(access.record)
    ]  # fmt: skip


@router.put(
    RECORD + "/scores",
    response={200: list[ScoreOut], **ERRORS},
    summary="Score the options",
    description="The people asked, while the record's status is scoring (409 otherwise). "
    "Sets the caller's score of each cell sent (1 to 5; null takes it back); cells not sent "
    "keep theirs. Answers the caller's scores.",
    tags=TAGS,
)
def put_scores(request: HttpRequest, slug: str, record_id: int, payload: ScoresIn) -> list:
    access = access_record(request.auth, slug, record_id, SCORE)
    actions.do_score(actor=access.membership, record=access.record, scores=payload.scores)
    return [
        {"option_id": s.option_id, "criterion_id": s.criterion_id, "scorer_id": s.scorer_id,
         "value": s.value}
        for s in list_scores(access.record)
        if s.scorer_id == access.membership.user_id
    ]  # fmt: skip


@router.get(
    RECORD + "/ranking",
    response={200: DecisionRankingOut, **ERRORS},
    summary="Get the ranking",
    description="Per option and criterion the mean, lowest, highest and standard deviation "
    "of the scores; per option the weighted score and its rank (ties share a rank); missing "
    "scores counted (docs/decisions-log.md#the-ranking).",
    tags=TAGS,
)
def get_ranking(request: HttpRequest, slug: str, record_id: int) -> dict:
    access = access_record(request.auth, slug, record_id)
    found = record_ranking(access.record)
    return {
        "options": [
            {
                "option_id": r.option.pk,
                "title": r.option.title,
                "weighted": r.result.weighted,
                "rank": r.result.rank,
                "tied": r.result.tied,
                "complete": r.result.complete,
                "missing": r.result.missing,
                "cells": [c.__dict__ for _criterion, c in r.cells],
            }
            for r in found.options
        ],
        "scores_given": found.ranking.scores_given,
        "scores_expected": found.ranking.scores_expected,
        "scorers_done": found.scorers_done,
    }


# --- the decision and the review


@router.post(
    RECORD + "/decide",
    response={200: DecisionRecordDetailOut, **ERRORS},
    summary="Take the decision",
    description=EDITORS + " The option chosen and why, the review date and the work that "
    "carries it out. The scores freeze; on the review date the owner is reminded.",
    tags=TAGS,
)
def decide(request: HttpRequest, slug: str, record_id: int, payload: DecideIn) -> dict:
    access = _edit(request, slug, record_id)
    actions.do_decide(actor=access.membership, record=access.record, data=payload)
    return _detail(request, slug, record_id)


def _review(access: RecordAccess) -> dict:
    record = access.record
    return {
        "status": record.status,
        "review_on": record.review_on,
        "decided_at": record.decided_at,
        "outcome": record.outcome,
        "note": record.review_note,
        "kpis": [
            {
                "kpi_id": c.kpi.pk,
                "name": c.kpi.name,
                "unit": c.kpi.unit,
                "before": c.before.value if c.before else None,
                "before_day": c.before.day if c.before else None,
                "after": c.after.value if c.after else None,
                "after_day": c.after.day if c.after else None,
                "change": c.change,
                "change_percent": c.change_percent,
            }
            for c in review_comparison(access.membership, record)
        ],
    }


@router.get(
    RECORD + "/review",
    response={200: DecisionReviewOut, **ERRORS},
    summary="Get the review",
    description="Each linked KPI the caller may see, at the decision and after it (on the "
    "review date once past, else the latest), with the change; the outcome once recorded.",
    tags=TAGS,
)
def get_review(request: HttpRequest, slug: str, record_id: int) -> dict:
    return _review(access_record(request.auth, slug, record_id))


@router.post(
    RECORD + "/review",
    response={200: DecisionReviewOut, **ERRORS},
    summary="Record whether it worked",
    description=EDITORS + " worked, partly or did_not, with a note. 409 before the decision.",
    tags=TAGS,
)
def post_review(request: HttpRequest, slug: str, record_id: int, payload: DecisionReviewIn) -> dict:
    access = _edit(request, slug, record_id)
    actions.do_review(actor=access.membership, record=access.record, data=payload)
    return _review(access_record(request.auth, slug, record_id))


@router.post(
    "/workspaces/{slug}/meetings/{meeting_id}/decisions/{decision_id}/record",
    response={200: DecisionRecordDetailOut, 201: DecisionRecordDetailOut, **ERRORS},
    summary="Make a decision record of a meeting's decision",
    description="Members and above who see the meeting. 201 with the new record, titled and "
    "with context from the decision and a link back; 200 with the record made before.",
    tags=TAGS,
)
def promote(request: HttpRequest, slug: str, meeting_id: int, decision_id: int) -> Status[dict]:
    meeting = access_meeting(request.auth, slug, meeting_id)
    decision = get_decision(meeting.meeting, decision_id)
    promoted = actions.do_promote_meeting_decision(actor=meeting.membership, decision=decision)
    return Status(201 if promoted.created else 200, _detail(request, slug, promoted.record.pk))
