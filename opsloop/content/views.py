"""Pages of content: the calendar (month or week, lanes by channel or account, drag to
reschedule), a piece with its review, assets and results, the new and edit forms with a
Markdown preview, results with rankings and the best-time heatmap, cadence targets."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opsloop.channels.actions import ensure_channels
from opsloop.content import actions, queries
from opsloop.content.models import ContentFormat, ContentStatus, ReviewDecision
from opsloop.content.queries import DELETE, EDIT, REVIEW, PieceAccess
from opsloop.content.schemas import (
    CadenceTargetIn,
    CadenceTargetPatch,
    PieceIn,
    PieceLinkIn,
    PiecePatch,
    PieceResultIn,
    PieceReviewIn,
    PieceStatusIn,
)
from opsloop.core.errors import Invalid, OpsloopError
from opsloop.core.inputs import parse_input
from opsloop.core.markdown import render_markdown
from opsloop.core.models import Membership, Role
from opsloop.core.pages import form_data, int_param, page, raise_if_denied, run_post
from opsloop.core.queries import access_workspace
from opsloop.files.uploads import uploaded_file

FORM_LISTS = ("also_on_ids", "reviewer_ids")
FORM_BLANK_NONE = (
    "project_key", "account_id", "channel_id", "owner_id", "planned_at", "link_id", "item_ref",
)  # fmt: skip
PREVIEW_LIMIT = 100_000


def _import_url(slug: str, next_url: str) -> str | None:
    """The import page for results files, once the workspace's import step exists."""
    try:
        url = reverse("import_file", args=[slug, "content.results"])
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode({'target': '', 'next': next_url})}"


# --- the calendar


@login_required
@page
def content_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    if queries.can_edit(membership):
        ensure_channels(membership.workspace)  # seeded on first use (opsloop.channels)
    error = None
    try:
        filters = queries.parse_piece_filters(request.GET)
        anchor = queries.parse_day(request.GET.get("date"), "date")
    except Invalid as exc:
        error, filters, anchor = exc, queries.PieceFilters(), None
    mode = request.GET.get("mode") if request.GET.get("mode") in queries.MODES else "month"
    group = request.GET.get("group") if request.GET.get("group") in queries.GROUPS else "channel"
    calendar = queries.content_calendar(
        membership, mode=mode, anchor=anchor, group=group, filters=filters
    )
    keep = {"project": filters.project, "status": filters.status,
            "owner": filters.owner_id or "", "group": group}  # fmt: skip
    context = {
        "membership": membership,
        "workspace": membership.workspace,
        "calendar": calendar,
        "filters": filters,
        "keep": "&".join(f"{k}={v}" for k, v in keep.items() if v),
        "statuses": ContentStatus.choices,
        "projects": queries.project_choices(membership),
        "people": queries.people_choices(membership),
        "can_edit": queries.can_edit(membership),
        "nav": "content",
        "error": error,
    }
    return TemplateResponse(request, "content/calendar.html", context, status=400 if error else 200)


# --- the forms


def _merged(values: dict, request: HttpRequest) -> dict:
    """The form's values over the ones it started with, blanks as None."""
    values.update(_form_values(request))
    return {k: (None if k in FORM_BLANK_NONE and v == "" else v) for k, v in values.items()}


def _form_values(request: HttpRequest) -> dict:
    values = form_data(request, lists=FORM_LISTS, blank_is_none=FORM_BLANK_NONE)
    raw = values.get("tags") or ""
    values["tags"] = [
        t for t in raw.replace("，", ",").replace("#", " ").replace(",", " ").split() if t
    ]
    return values


def _form_context(membership: Membership, values: dict, error: OpsloopError | None) -> dict:
    return {
        "membership": membership,
        "workspace": membership.workspace,
        "values": values,
        "error": error,
        "projects": queries.project_choices(membership),
        "channels": queries.channel_choices(membership.workspace),
        "accounts": queries.account_choices(membership.workspace),
        "links": queries.link_choices(membership),
        "people": queries.people_choices(membership),
        "formats": ContentFormat.choices,
        "nav": "content",
    }


@login_required
@page
def content_new(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug, Role.MEMBER)
    ensure_channels(membership.workspace)  # seeded on first use (opsloop.channels)
    values: dict = {
        "project_key": request.GET.get("project", ""),
        "owner_id": str(membership.user_id),
        "planned_at": (request.GET.get("day") + "T10:00") if request.GET.get("day") else None,
        "format": "article",
        "also_on_ids": [],
        "reviewer_ids": [],
        "tags": [],
    }

    def post() -> HttpResponse:
        data = parse_input(PieceIn, _merged(values, request))
        piece = actions.do_create_piece(actor=membership, data=data)
        messages.success(request, _("Content piece created."))
        return redirect("content_piece", slug=slug, piece_id=piece.pk)

    response, error = run_post(request, post)
    if response is not None:
        return response
    context = _form_context(membership, values, error) | {"creating": True}
    return TemplateResponse(
        request, "content/piece_form.html", context, status=error.status if error else 200
    )


@login_required
@page
def content_edit(request: HttpRequest, slug: str, piece_id: int) -> HttpResponse:
    access = queries.access_piece(request.user, slug, piece_id, EDIT)
    piece = access.piece
    planned = queries.local(piece.workspace, piece.planned_at) if piece.planned_at else None
    values: dict = {
        "title": piece.title,
        "project_key": piece.project.key if piece.project else "",
        "channel_id": str(piece.channel_id),
        "account_id": str(piece.account_id or ""),
        "also_on_ids": [str(c.pk) for c in piece.also_on.all()],
        "format": piece.format,
        "owner_id": str(piece.owner_id or ""),
        "reviewer_ids": [str(u.pk) for u in piece.reviewers.all()],
        "tags": piece.tags,
        "planned_at": planned.strftime("%Y-%m-%dT%H:%M") if planned else "",
        "body": piece.body,
        "published_url": piece.published_url,
        "link_id": str(piece.link_id or ""),
        "item_ref": piece.item.ref if piece.item else "",
    }

    def post() -> HttpResponse:
        changes = _merged(values, request)
        if piece.status not in queries.OPEN:
            changes.pop("planned_at", None)  # a piece that went out keeps its time
        actions.do_update_piece(
            actor=access.membership, piece=piece, data=parse_input(PiecePatch, changes)
        )
        messages.success(request, _("Saved."))
        return redirect("content_piece", slug=slug, piece_id=piece.pk)

    response, error = run_post(request, post)
    if response is not None:
        return response
    context = _form_context(access.membership, values, error) | {"piece": piece}
    return TemplateResponse(
        request, "content/piece_form.html", context, status=error.status if error else 200
    )


@login_required
@require_POST
@page
def content_preview(request: HttpRequest, slug: str) -> HttpResponse:
    """Markdown as the piece will show it (sanitized), for the editor's preview."""
    membership = access_workspace(request.user, slug, Role.MEMBER)
    del membership
    html = render_markdown(request.POST.get("body", "")[:PREVIEW_LIMIT])
    return HttpResponse(html or "<p class='muted'>—</p>")


# --- a piece


def _piece_context(access: PieceAccess) -> dict:
    piece, membership = access.piece, access.membership
    assets = queries.piece_assets(membership, piece)
    slug = membership.workspace.slug
    return {
        "membership": membership,
        "workspace": membership.workspace,
        "piece": piece,
        "project": piece.project,
        "assets": assets,
        "library": queries.library_choices(membership, piece) if access.can_edit else [],
        "checklist": queries.checklist(piece, assets),
        "reviews": queries.piece_reviews(piece),
        "results": queries.list_results(piece),
        "event_clicks": queries.event_clicks(membership, [piece]).get(piece.pk),
        "next_statuses": [(s, ContentStatus(s).label) for s in queries.next_statuses(piece)]
        if access.can_edit
        else [],
        "status_color": queries.STATUS_COLORS[ContentStatus(piece.status)],
        "can_edit": access.can_edit,
        "can_review": access.can_review and piece.status == ContentStatus.IN_REVIEW,
        "can_delete": access.can_delete,
        "import_url": _import_url(slug, queries.piece_url(piece)) if access.can_edit else None,
        "nav": "content",
    }


@login_required
@page
def content_piece(request: HttpRequest, slug: str, piece_id: int) -> HttpResponse:
    access = queries.access_piece(request.user, slug, piece_id)
    error = None
    if request.method == "POST":
        try:
            return _handle_post(request, access)
        except OpsloopError as exc:
            error = exc
            raise_if_denied(exc)
        access = queries.access_piece(request.user, slug, piece_id)
    context = _piece_context(access) | {"error": error}
    return TemplateResponse(
        request, "content/piece.html", context, status=error.status if error else 200
    )


def _handle_post(request: HttpRequest, access: PieceAccess) -> HttpResponse:
    op = request.POST.get("op", "")
    handler = OPS.get(op)
    if handler is None:
        raise Invalid(_("Unknown operation."))
    queries.check_piece(access, REVIEW if op == "review" else EDIT)
    handler(request, access)
    return redirect(
        "content_piece", slug=access.membership.workspace.slug, piece_id=access.piece.pk
    )


def _status(request: HttpRequest, access: PieceAccess) -> None:
    values = form_data(request, blank_is_none=("published_at", "published_url"))
    data = parse_input(PieceStatusIn, {k: values.get(k) for k in ("status", "published_at",
                                                                  "published_url")})  # fmt: skip
    actions.do_set_status(actor=access.membership, piece=access.piece, data=data)
    if data.status == ContentStatus.IN_REVIEW:
        messages.success(request, _("The reviewers have been told."))


def _review(request: HttpRequest, access: PieceAccess) -> None:
    data = parse_input(PieceReviewIn, {"decision": request.POST.get("decision", ""),
                                  "note": request.POST.get("note", "")})  # fmt: skip
    actions.do_review_piece(actor=access.membership, piece=access.piece, data=data)
    messages.success(
        request,
        _("Approved.") if data.decision == ReviewDecision.APPROVE else _("Sent back for changes."),
    )


def _result(request: HttpRequest, access: PieceAccess) -> None:
    names = ("day", "views", "likes", "comments", "shares", "collects", "followers_gained",
             "clicks", "completion_rate")  # fmt: skip
    values = {n: request.POST.get(n, "").strip().replace(",", "") for n in names}
    data = parse_input(PieceResultIn, {k: v for k, v in values.items() if v != ""})
    actions.do_record_result(actor=access.membership, piece=access.piece, data=data)
    messages.success(request, _("Results recorded."))


def _delete_result(request: HttpRequest, access: PieceAccess) -> None:
    result = queries.get_result(access.piece, int_param(request.POST.get("result_id")))
    actions.do_delete_result(actor=access.membership, result=result)


def _attach(request: HttpRequest, access: PieceAccess) -> None:
    file = queries.get_library_file(
        access.membership, access.piece, int_param(request.POST.get("file_id"))
    )
    actions.do_attach_asset(actor=access.membership, piece=access.piece, file=file)


def _upload(request: HttpRequest, access: PieceAccess) -> None:
    upload = uploaded_file(request, missing=_("Choose a file to upload."))
    actions.do_upload_asset(
        actor=access.membership, piece=access.piece, content=upload, name=upload.name or ""
    )
    messages.success(request, _("Uploaded %(name)s.") % {"name": upload.name})


def _make_link(request: HttpRequest, access: PieceAccess) -> None:
    values = form_data(request)
    data = parse_input(PieceLinkIn, {k: values.get(k, "") for k in ("destination", "utm_medium",
                                                                    "utm_campaign", "utm_content")})  # fmt: skip
    actions.do_make_link(actor=access.membership, piece=access.piece, data=data)
    messages.success(request, _("The piece has its link."))


def _detach(request: HttpRequest, access: PieceAccess) -> None:
    actions.do_detach_asset(
        actor=access.membership, piece=access.piece, file_id=int_param(request.POST.get("file_id"))
    )


OPS: dict[str, Callable[[HttpRequest, PieceAccess], None]] = {
    "status": _status,
    "review": _review,
    "result": _result,
    "delete_result": _delete_result,
    "attach": _attach,
    "upload": _upload,
    "detach": _detach,
    "make_link": _make_link,
}


@login_required
@require_POST
@page
def content_delete(request: HttpRequest, slug: str, piece_id: int) -> HttpResponse:
    access = queries.access_piece(request.user, slug, piece_id, DELETE)
    actions.do_delete_piece(actor=access.membership, piece=access.piece)
    messages.success(request, _("Content piece deleted."))
    return redirect("content_calendar", slug=slug)


# --- results


@login_required
@page
def content_results(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    period = queries.parse_period(membership, request.GET)
    metric = (
        request.GET.get("metric") if request.GET.get("metric") in queries.HEAT_METRICS else "views"
    )
    pieces = queries.published_pieces(membership, period)
    metrics = queries.metrics_of(membership, pieces)
    table = sorted(
        (queries.ResultRow(p, metrics[p.pk]) for p in pieces),
        key=lambda r: (-(r.metrics.views or 0), r.piece.published_at, r.piece.pk),
    )
    heatmap = queries.Heatmap(
        period, metric, queries.heat(membership.workspace, pieces, metrics, metric)
    )
    context = {
        "membership": membership,
        "workspace": membership.workspace,
        "period": period,
        "metric": metric,
        "rankings": [(by, queries.rank(pieces, metrics, by)) for by in queries.RANK_BY],
        "heatmap": heatmap,
        "grid": heatmap.grid(),
        "best": heatmap.best,
        "hours": range(24),
        "table": table[:200],
        "projects": queries.project_choices(membership),
        "sees_events": membership.at_least(Role.MEMBER),
        "import_url": _import_url(slug, reverse("content_results", args=[slug]))
        if queries.can_edit(membership)
        else None,
        "nav": "content",
    }
    return TemplateResponse(request, "content/results.html", context)


# --- cadence targets


@login_required
@page
def content_cadence(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug, Role.MEMBER)

    def post() -> HttpResponse:
        op = request.POST.get("op", "add")
        if op == "add":
            values = form_data(request)
            data = parse_input(CadenceTargetIn, {k: values.get(k, "") for k in ("account_id", "format",
                                                                           "per_week")})  # fmt: skip
            actions.do_create_cadence(actor=membership, data=data)
        else:
            target = queries.access_cadence(membership, int_param(request.POST.get("cadence_id")))
            if op == "delete":
                actions.do_delete_cadence(actor=membership, target=target)
            else:
                data = parse_input(
                    CadenceTargetPatch, {"per_week": request.POST.get("per_week", "")}
                )
                actions.do_update_cadence(actor=membership, target=target, data=data)
        messages.success(request, _("Saved."))
        return redirect("content_cadence", slug=slug)

    response, error = run_post(request, post)
    if response is not None:
        return response
    context = {
        "membership": membership,
        "workspace": membership.workspace,
        "targets": queries.list_cadence(membership.workspace),
        "accounts": queries.account_choices(membership.workspace),
        "formats": ContentFormat.choices,
        "error": error,
        "nav": "content",
    }
    return TemplateResponse(
        request, "content/cadence.html", context, status=error.status if error else 200
    )
