"""Pages of decision records: the log (workspace and project), new and edit forms, the
record with its options, criteria, ranking and decision, the scoring grid, the review,
and the button on a meeting's decisions that makes a record."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opsloop.core.errors import Invalid, OpsloopError
from opsloop.core.inputs import parse_input
from opsloop.core.models import Membership, Role
from opsloop.core.pages import form_data, int_param, page, raise_if_denied
from opsloop.core.queries import access_workspace
from opsloop.decisions import actions, queries
from opsloop.decisions.models import SCORE_MAX, SCORE_MIN, Outcome, Status
from opsloop.decisions.queries import EDIT, SCORE, RecordAccess
from opsloop.decisions.schemas import (
    CriterionIn,
    CriterionPatch,
    DecideIn,
    DecisionOptionIn,
    DecisionRecordIn,
    DecisionRecordPatch,
    DecisionReviewIn,
    ScoreIn,
)
from opsloop.meetings.queries import access_meeting, get_decision
from opsloop.work.queries import access_project

FORM_LISTS = ("scorer_ids", "kpi_ids", "insight_ids")
FORM_BLANK_NONE = ("project_key", "owner_id", "review_on")


def _list_context(request: HttpRequest, membership: Membership, project=None) -> dict:
    error = None
    try:
        filters = queries.parse_record_filters(request.GET)
    except Invalid as exc:
        error, filters = exc, queries.RecordFilters()
    if project is not None:
        filters.project = project.key
    return {
        "membership": membership,
        "workspace": membership.workspace,
        "filters": filters,
        "records": queries.list_records(membership, filters),
        "statuses": Status.choices,
        "projects": queries.project_choices(membership) if project is None else [],
        "people": queries.people_choices(membership),
        "can_create": membership.at_least(Role.MEMBER),
        "error": error,
    }


@login_required
@page
def decision_list(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    context = _list_context(request, membership) | {"nav": "decisions"}
    status = 400 if context["error"] else 200
    return TemplateResponse(request, "decisions/decision_list.html", context, status=status)


@login_required
@page
def project_decisions(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    access = access_project(request.user, slug, key)
    context = _list_context(request, access.membership, access.project) | {
        "project": access.project,
        "nav": f"project:{access.project.key}",
        "view": "decisions",
    }
    status = 400 if context["error"] else 200
    return TemplateResponse(request, "decisions/project_decisions.html", context, status=status)


def _refs(text: str | None) -> list[str]:
    return [r for r in (text or "").replace(",", " ").replace("，", " ").split() if r]


def _form_values(request: HttpRequest) -> dict:
    values = form_data(request, lists=FORM_LISTS, blank_is_none=FORM_BLANK_NONE)
    for name in ("problem_refs", "work_refs"):
        values[name] = _refs(values.get(name))
    return values


def _form_context(membership: Membership, values: dict, error: OpsloopError | None) -> dict:
    return {
        "membership": membership,
        "workspace": membership.workspace,
        "values": values,
        "error": error,
        "people": [u for u in queries.people_choices(membership)],
        "projects": queries.project_choices(membership),
        "kpis": queries.kpi_choices(membership),
        "insights": queries.insight_choices(membership),
        "nav": "decisions",
    }


@login_required
@page
def decision_new(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug, Role.MEMBER)
    error = None
    values: dict = {
        "project_key": request.GET.get("project", ""),
        "owner_id": str(membership.user_id),
        "scorer_ids": [str(membership.user_id)],
        "kpi_ids": [],
        "insight_ids": [],
    }
    if request.method == "POST":
        values = _form_values(request)
        try:
            record = actions.do_create_record(
                actor=membership, data=parse_input(DecisionRecordIn, values)
            )
        except OpsloopError as exc:
            error = exc
        else:
            messages.success(request, _("Decision record created."))
            return redirect("decision", slug=slug, record_id=record.pk)
    context = _form_context(membership, values, error) | {"creating": True}
    return TemplateResponse(
        request, "decisions/decision_form.html", context, status=error.status if error else 200
    )


@login_required
@page
def decision_edit(request: HttpRequest, slug: str, record_id: int) -> HttpResponse:
    access = queries.access_record(request.user, slug, record_id, EDIT)
    record = queries.load_links(access.membership, access.record)
    error = None
    values: dict = {
        "title": record.title,
        "project_key": record.project.key if record.project else "",
        "problem": record.problem,
        "context": record.context,
        "owner_id": str(record.owner_id or ""),
        "scorer_ids": [str(u.pk) for u in record.scorers.all()],
        "kpi_ids": [str(k.pk) for k in record.visible_kpis],  # type: ignore[attr-defined]
        "insight_ids": [str(i.pk) for i in record.visible_insights],  # type: ignore[attr-defined]
        "problem_refs": [i.ref for i in record.problem_items.all()],
        "work_refs": [i.ref for i in record.work_items.all()],
        "review_on": record.review_on.isoformat() if record.review_on else "",
    }
    if request.method == "POST":
        values = _form_values(request)
        values.setdefault("project_key", None)
        try:
            actions.do_update_record(
                actor=access.membership,
                record=record,
                data=parse_input(DecisionRecordPatch, values),
            )
        except OpsloopError as exc:
            error = exc
            raise_if_denied(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("decision", slug=slug, record_id=record.pk)
    context = _form_context(access.membership, values, error) | {"record": record}
    return TemplateResponse(
        request, "decisions/decision_form.html", context, status=error.status if error else 200
    )


def _record_context(access: RecordAccess) -> dict:
    record = queries.load_links(access.membership, access.record)
    return {
        "membership": access.membership,
        "workspace": access.membership.workspace,
        "record": record,
        "project": record.project,
        "can_edit": access.can_edit,
        "can_score": access.can_score,
        "nav": "decisions",
    }


@login_required
@page
def decision_detail(request: HttpRequest, slug: str, record_id: int) -> HttpResponse:
    access = queries.access_record(request.user, slug, record_id)
    error = None
    if request.method == "POST":
        try:
            return _handle_post(request, access)
        except OpsloopError as exc:
            error = exc
            raise_if_denied(exc)
        access = queries.access_record(request.user, slug, record_id)
    context = _record_context(access) | {
        "ranked": queries.record_ranking(access.record),
        "scale": range(SCORE_MIN, SCORE_MAX + 1),
        "error": error,
    }
    return TemplateResponse(
        request, "decisions/decision_detail.html", context, status=error.status if error else 200
    )


def _handle_post(request: HttpRequest, access: RecordAccess) -> HttpResponse:
    op = request.POST.get("op", "")
    handler = OPS.get(op)
    if handler is None:
        raise Invalid(_("Unknown operation."))
    queries.check_can_edit(access.membership, access.record)
    handler(request, access)
    return redirect("decision", slug=access.membership.workspace.slug, record_id=access.record.pk)


def _add_option(request: HttpRequest, access: RecordAccess) -> None:
    data = parse_input(DecisionOptionIn, {"title": request.POST.get("title", ""),
                                  "description": request.POST.get("description", "")})  # fmt: skip
    actions.do_add_option(actor=access.membership, record=access.record, data=data)


def _delete_option(request: HttpRequest, access: RecordAccess) -> None:
    option = queries.get_option(access.record, int_param(request.POST.get("option_id")))
    actions.do_delete_option(actor=access.membership, option=option)


def _add_criterion(request: HttpRequest, access: RecordAccess) -> None:
    data = parse_input(CriterionIn, {"title": request.POST.get("title", ""),
                                     "weight": request.POST.get("weight") or "1"})  # fmt: skip
    actions.do_add_criterion(actor=access.membership, record=access.record, data=data)


def _weigh_criterion(request: HttpRequest, access: RecordAccess) -> None:
    criterion = queries.get_criterion(access.record, int_param(request.POST.get("criterion_id")))
    data = parse_input(CriterionPatch, {"weight": request.POST.get("weight", "")})
    actions.do_update_criterion(actor=access.membership, criterion=criterion, data=data)


def _delete_criterion(request: HttpRequest, access: RecordAccess) -> None:
    criterion = queries.get_criterion(access.record, int_param(request.POST.get("criterion_id")))
    actions.do_delete_criterion(actor=access.membership, criterion=criterion)


def _status(request: HttpRequest, access: RecordAccess) -> None:
    status = request.POST.get("status", "")
    if status not in (Status.DRAFT, Status.SCORING, Status.WITHDRAWN):
        raise Invalid(_("Unknown status %(status)s.") % {"status": status}, field="status")
    actions.do_set_status(actor=access.membership, record=access.record, status=status)
    if status == Status.SCORING:
        messages.success(request, _("The people asked have been told to score."))


def _decide(request: HttpRequest, access: RecordAccess) -> None:
    values = form_data(request, blank_is_none=("review_on", "option_id"))
    data = {
        "option_id": values.get("option_id"),
        "rationale": values.get("rationale", ""),
        "review_on": values.get("review_on"),
    }
    if "work_refs" in values:
        data["work_refs"] = _refs(values.get("work_refs"))
    actions.do_decide(
        actor=access.membership, record=access.record, data=parse_input(DecideIn, data)
    )
    messages.success(request, _("Decided."))


OPS: dict[str, Callable[[HttpRequest, RecordAccess], None]] = {
    "add_option": _add_option,
    "delete_option": _delete_option,
    "add_criterion": _add_criterion,
    "weigh_criterion": _weigh_criterion,
    "delete_criterion": _delete_criterion,
    "status": _status,
    "decide": _decide,
}


@login_required
@require_POST
@page
def decision_delete(request: HttpRequest, slug: str, record_id: int) -> HttpResponse:
    access = queries.access_record(request.user, slug, record_id, EDIT)
    actions.do_delete_record(actor=access.membership, record=access.record)
    messages.success(request, _("Decision record deleted."))
    return redirect("decisions", slug=slug)


@login_required
@page
def decision_score(request: HttpRequest, slug: str, record_id: int) -> HttpResponse:
    """The grid where one person asked scores every option on every criterion."""
    access = queries.access_record(request.user, slug, record_id, SCORE)
    record = access.record
    error = None
    if request.method == "POST":
        scores = []
        for option in record.options.all():
            for criterion in record.criteria.all():
                raw = request.POST.get(f"score-{option.pk}-{criterion.pk}", "")
                scores.append(
                    {"option_id": option.pk, "criterion_id": criterion.pk, "value": raw or None}
                )
        try:
            parsed = [parse_input(ScoreIn, s) for s in scores]
            actions.do_score(actor=access.membership, record=record, scores=parsed)
        except OpsloopError as exc:
            error = exc
            raise_if_denied(exc)
        else:
            messages.success(request, _("Your scores are saved."))
            return redirect("decision", slug=slug, record_id=record.pk)
    mine = queries.my_scores(record, access.membership.user_id)
    rows = [
        (option, [(criterion, mine.get((option.pk, criterion.pk))) for criterion in record.criteria.all()])
        for option in record.options.all()
    ]  # fmt: skip
    context = _record_context(access) | {
        "rows": rows,
        "criteria": list(record.criteria.all()),
        "scale": range(SCORE_MIN, SCORE_MAX + 1),
        "error": error,
    }
    return TemplateResponse(
        request, "decisions/decision_score.html", context, status=error.status if error else 200
    )


@login_required
@page
def decision_review(request: HttpRequest, slug: str, record_id: int) -> HttpResponse:
    """Each linked KPI before and after the decision, and whether it worked."""
    access = queries.access_record(request.user, slug, record_id)
    error = None
    if request.method == "POST":
        queries.check_can_edit(access.membership, access.record)
        try:
            data = parse_input(
                DecisionReviewIn,
                {"outcome": request.POST.get("outcome", ""), "note": request.POST.get("note", "")},
            )
            actions.do_review(actor=access.membership, record=access.record, data=data)
        except OpsloopError as exc:
            error = exc
            raise_if_denied(exc)
        else:
            messages.success(request, _("Review recorded."))
            return redirect("decision", slug=slug, record_id=record_id)
    context = _record_context(access) | {
        "comparison": queries.review_comparison(access.membership, access.record),
        "outcomes": Outcome.choices,
        "error": error,
    }
    return TemplateResponse(
        request, "decisions/decision_review.html", context, status=error.status if error else 200
    )


@login_required
@require_POST
@page
def promote_meeting_decision(
    request: HttpRequest, slug: str, meeting_id: int, decision_id: int
) -> HttpResponse:
    """ "Make a decision record" on a meeting's decision: the record, new or made before."""
    meeting = access_meeting(request.user, slug, meeting_id)
    decision = get_decision(meeting.meeting, decision_id)
    promoted = actions.do_promote_meeting_decision(actor=meeting.membership, decision=decision)
    if promoted.created:
        messages.success(request, _("Decision record created from the meeting."))
    return redirect("decision", slug=slug, record_id=promoted.record.pk)
