"""API of content pieces: the pieces, their status and review, the calendar and its drag
(reschedule), assets, results, rankings, the best-time heatmap and cadence targets
(docs/content.md)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from opsloop.content import actions
from opsloop.content.models import ContentPiece, ResultSource
from opsloop.content.queries import (
    DELETE,
    EDIT,
    REVIEW,
    PieceAccess,
    access_cadence,
    access_piece,
    access_result,
    check_sees_cadence,
    checklist,
    content_calendar,
    event_clicks,
    get_library_file,
    heatmap,
    latest_results,
    list_cadence,
    list_pieces,
    list_results,
    next_statuses,
    parse_day,
    parse_period,
    parse_piece_filters,
    piece_assets,
    piece_reviews,
    piece_url,
    rankings,
    results_table,
)
from opsloop.content.schemas import (
    CadenceTargetIn,
    CadenceTargetOut,
    CadenceTargetPatch,
    ContentCalendarOut,
    ContentHeatmapOut,
    ContentLatestResultOut,
    ContentRankingsOut,
    PieceAssetIn,
    PieceDetailOut,
    PieceIn,
    PieceLinkIn,
    PieceOut,
    PiecePatch,
    PieceRescheduleIn,
    PieceResultIn,
    PieceResultOut,
    PieceResultsOut,
    PieceReviewIn,
    PieceStatusIn,
)
from opsloop.core.queries import access_workspace
from opsloop.core.schemas import ERROR_CODES, ErrorOut

router = Router()

TAGS = ["Content"]
ERRORS = {ERROR_CODES: ErrorOut}
CONTENT = "/workspaces/{slug}/content"
PIECES = CONTENT + "/pieces"
PIECE = PIECES + "/{piece_id}"
CADENCE = CONTENT + "/cadence"
EDITORS = "Members and above who see the piece."


class PieceListQuery(Schema):
    project: str | None = Field(None, description="Only pieces of this project key.")
    status: str | None = Field(None, description="idea, writing, in_review, … archived.")
    owner: str | None = Field(None, description="Only pieces this user id owns.")
    channel: str | None = Field(None, description="Only pieces of this channel id.")
    account: str | None = Field(None, description="Only pieces of this account id.")
    from_: str | None = Field(
        None, alias="from", description="Out (or, not out yet, planned) on or after this date."
    )
    to: str | None = Field(None, description="… on or before this date.")


class ContentCalendarQuery(Schema):
    mode: str | None = Field(None, description="month (default) or week.")
    date: str | None = Field(None, description="A day of the month or week; default today.")
    group: str | None = Field(None, description="channel (default) or account lanes.")
    project: str | None = None
    status: str | None = None
    owner: str | None = None


class ContentPeriodQuery(Schema):
    from_: str | None = Field(None, alias="from", description="Default 90 days before `to`.")
    to: str | None = Field(None, description="Default today.")
    project: str | None = Field(None, description="Only pieces of this project key.")


class ContentRankingsQuery(ContentPeriodQuery):
    by: str | None = Field(None, description="channel (default), format, topic or author.")


class ContentHeatmapQuery(ContentPeriodQuery):
    metric: str | None = Field(None, description="views (default) or engagement.")


# --- shapes


def _summary(piece: ContentPiece) -> dict:
    return {
        "id": piece.pk,
        "title": piece.title,
        "status": piece.status,
        "format": piece.format,
        "project_key": piece.project.key if piece.project else None,
        "channel": piece.channel,
        "account": piece.account,
        "owner": piece.owner,
        "tags": list(piece.tags or []),
        "planned_at": piece.planned_at,
        "published_at": piece.published_at,
        "published_url": piece.published_url,
        "url": piece_url(piece),
    }


def _detail(request: HttpRequest, slug: str, piece_id: int) -> dict:
    """The piece as the caller now sees it."""
    access = access_piece(request.auth, slug, piece_id)
    piece, membership = access.piece, access.membership
    assets = piece_assets(membership, piece)
    marks = checklist(piece, assets)
    latest = latest_results([piece.pk]).get(piece.pk)
    return _summary(piece) | {
        "also_on": list(piece.also_on.all()),
        "reviewers": list(piece.reviewers.all()),
        "body": piece.body,
        "body_html": piece.body_html,
        "assets": [
            {"id": f.pk, "name": f.name, "url": reverse("file", args=[slug, f.pk])} for f in assets
        ],
        "link": piece.link,
        "item_ref": piece.item.ref if piece.item else None,
        "reviews": piece_reviews(piece),
        "checklist": {**marks.__dict__, "ready": marks.ready},
        "latest_result": latest,
        "reminded_at": piece.reminded_at,
        "next_statuses": next_statuses(piece) if access.can_edit else [],
        "can_edit": access.can_edit,
        "can_review": access.can_review,
        "can_delete": access.can_delete,
    }


def _access(request: HttpRequest, slug: str, piece_id: int, need: str) -> PieceAccess:
    return access_piece(request.auth, slug, piece_id, need)


# --- pieces


@router.get(
    PIECES,
    response={200: list[PieceOut], **ERRORS},
    summary="List content pieces",
    description="The pieces the caller can see, by planned (or published) time, at most 500.",
    tags=TAGS,
)
def get_pieces(request: HttpRequest, slug: str, filters: Query[PieceListQuery]) -> list:
    membership = access_workspace(request.auth, slug)
    return [_summary(p) for p in list_pieces(membership, parse_piece_filters(request.GET))]


@router.post(
    PIECES,
    response={201: PieceDetailOut, **ERRORS},
    summary="Create a content piece",
    description="Members and above. The owner (default the caller) and reviewers must see "
    "the piece's project; the owner is told.",
    tags=TAGS,
)
def create_piece(request: HttpRequest, slug: str, payload: PieceIn) -> Status[dict]:
    membership = access_workspace(request.auth, slug)
    piece = actions.do_create_piece(actor=membership, data=payload)
    return Status(201, _detail(request, slug, piece.pk))


@router.get(
    PIECE,
    response={200: PieceDetailOut, **ERRORS},
    summary="Get a content piece",
    description="With its body, assets, link, reviews, publish checklist and latest result.",
    tags=TAGS,
)
def get_piece(request: HttpRequest, slug: str, piece_id: int) -> dict:
    return _detail(request, slug, piece_id)


@router.patch(
    PIECE,
    response={200: PieceDetailOut, **ERRORS},
    summary="Change a content piece",
    description=EDITORS + " Only the fields sent change; lists replace the old ones. A piece "
    "that went out keeps its time (409).",
    tags=TAGS,
)
def update_piece(request: HttpRequest, slug: str, piece_id: int, payload: PiecePatch) -> dict:
    access = _access(request, slug, piece_id, EDIT)
    actions.do_update_piece(actor=access.membership, piece=access.piece, data=payload)
    return _detail(request, slug, piece_id)


@router.delete(
    PIECE,
    response={204: None, **ERRORS},
    summary="Delete a content piece",
    description="Its owner and workspace admins. Its results and reviews go with it; its "
    "assets stay in the library.",
    tags=TAGS,
)
def delete_piece(request: HttpRequest, slug: str, piece_id: int) -> Status[None]:
    access = _access(request, slug, piece_id, DELETE)
    actions.do_delete_piece(actor=access.membership, piece=access.piece)
    return Status(204, None)


@router.post(
    PIECE + "/status",
    response={200: PieceDetailOut, **ERRORS},
    summary="Move a content piece along its pipeline",
    description=EDITORS + " in_review needs reviewers (who are told); scheduled a planned "
    "time; published records when (now unless given) and may take the published link. 409 "
    "for a move the status does not allow (docs/content.md#statuses).",
    tags=TAGS,
)
def set_status(request: HttpRequest, slug: str, piece_id: int, payload: PieceStatusIn) -> dict:
    access = _access(request, slug, piece_id, EDIT)
    actions.do_set_status(actor=access.membership, piece=access.piece, data=payload)
    return _detail(request, slug, piece_id)


@router.post(
    PIECE + "/review",
    response={200: PieceDetailOut, **ERRORS},
    summary="Review a content piece",
    description="The people asked to review it, while it is in review (409 otherwise): "
    "approve moves it to approved, changes back to writing; the owner is told.",
    tags=TAGS,
)
def review_piece(request: HttpRequest, slug: str, piece_id: int, payload: PieceReviewIn) -> dict:
    access = _access(request, slug, piece_id, REVIEW)
    actions.do_review_piece(actor=access.membership, piece=access.piece, data=payload)
    return _detail(request, slug, piece_id)


@router.post(
    PIECE + "/reschedule",
    response={200: PieceOut, **ERRORS},
    summary="Reschedule a content piece",
    description=EDITORS + " A new planned time, or a new day at the same time of day (what "
    "dragging it on the calendar does). 409 for a piece that went out.",
    tags=TAGS,
)
def reschedule_piece(
    request: HttpRequest, slug: str, piece_id: int, payload: PieceRescheduleIn
) -> dict:
    access = _access(request, slug, piece_id, EDIT)
    actions.do_reschedule_piece(actor=access.membership, piece=access.piece, data=payload)
    return _summary(access_piece(request.auth, slug, piece_id).piece)


@router.post(
    PIECE + "/link",
    response={200: PieceDetailOut, **ERRORS},
    summary="Make a piece's UTM link",
    description=EDITORS + " A tracked link (opsloop.channels) on the piece's channel, "
    "account and project, its utm_content piece-<id> unless given; it becomes the piece's "
    "link, and its click events count as the piece's clicks.",
    tags=TAGS,
)
def make_link(request: HttpRequest, slug: str, piece_id: int, payload: PieceLinkIn) -> dict:
    access = _access(request, slug, piece_id, EDIT)
    actions.do_make_link(actor=access.membership, piece=access.piece, data=payload)
    return _detail(request, slug, piece_id)


# --- assets


@router.post(
    PIECE + "/assets",
    response={200: PieceDetailOut, **ERRORS},
    summary="Attach an asset",
    description=EDITORS + " A file of the piece's project library (upload it there first: "
    "POST /api/v1/workspaces/{slug}/files).",
    tags=TAGS,
)
def attach_asset(request: HttpRequest, slug: str, piece_id: int, payload: PieceAssetIn) -> dict:
    access = _access(request, slug, piece_id, EDIT)
    file = get_library_file(access.membership, access.piece, payload.file_id)
    actions.do_attach_asset(actor=access.membership, piece=access.piece, file=file)
    return _detail(request, slug, piece_id)


@router.delete(
    PIECE + "/assets/{asset_id}",
    response={204: None, **ERRORS},
    summary="Detach an asset",
    description=EDITORS + " The file stays in the library.",
    tags=TAGS,
)
def detach_asset(request: HttpRequest, slug: str, piece_id: int, asset_id: int) -> Status[None]:
    access = _access(request, slug, piece_id, EDIT)
    actions.do_detach_asset(actor=access.membership, piece=access.piece, file_id=asset_id)
    return Status(204, None)


# --- results


@router.get(
    PIECE + "/results",
    response={200: PieceResultsOut, **ERRORS},
    summary="Get a piece's results",
    description="Its snapshots by day, and the click events of its link (members and above).",
    tags=TAGS,
)
def get_piece_results(request: HttpRequest, slug: str, piece_id: int) -> dict:
    access = _access(request, slug, piece_id, "view")
    clicks = event_clicks(access.membership, [access.piece])
    return {"results": list_results(access.piece), "event_clicks": clicks.get(access.piece.pk)}


@router.post(
    PIECE + "/results",
    response={200: PieceResultOut, **ERRORS},
    summary="Record a day's results",
    description=EDITORS + " The totals the platform showed on a day, for a piece that went "
    "out (409 before). The day's snapshot is made or updated: fields sent replace its "
    "values, fields left out keep them.",
    tags=TAGS,
)
def record_result(request: HttpRequest, slug: str, piece_id: int, payload: PieceResultIn):
    access = _access(request, slug, piece_id, EDIT)
    return actions.do_record_result(
        actor=access.membership, piece=access.piece, data=payload, source=ResultSource.API
    )


@router.delete(
    CONTENT + "/results/{result_id}",
    response={204: None, **ERRORS},
    summary="Delete a day's results",
    description="Members and above who see its piece.",
    tags=TAGS,
)
def delete_result(request: HttpRequest, slug: str, result_id: int) -> Status[None]:
    membership = access_workspace(request.auth, slug)
    result = access_result(membership, result_id)
    actions.do_delete_result(actor=membership, result=result)
    return Status(204, None)


@router.get(
    CONTENT + "/results",
    response={200: list[ContentLatestResultOut], **ERRORS},
    summary="List the results of the pieces out in a period",
    description="Each piece the caller sees that went out in the period, with its latest "
    "snapshot; the most viewed first, at most 200.",
    tags=TAGS,
)
def get_results(request: HttpRequest, slug: str, query: Query[ContentPeriodQuery]) -> list:
    membership = access_workspace(request.auth, slug)
    rows = results_table(membership, parse_period(membership, request.GET))
    return [
        {
            "piece": _summary(r.piece),
            "result": r.metrics.result,
            "event_clicks": r.metrics.event_clicks,
            "clicks": r.metrics.clicks,
            "engagement": r.metrics.engagement,
            "engagement_rate": r.metrics.engagement_rate,
        }
        for r in rows
    ]


@router.get(
    CONTENT + "/rankings",
    response={200: ContentRankingsOut, **ERRORS},
    summary="Rank the results by channel, format, topic or author",
    description="The pieces the caller sees that went out in the period, their latest "
    "results added up per group, the most viewed first (docs/content.md#results).",
    tags=TAGS,
)
def get_rankings(request: HttpRequest, slug: str, query: Query[ContentRankingsQuery]) -> dict:
    membership = access_workspace(request.auth, slug)
    found = rankings(membership, parse_period(membership, request.GET), query.by or "channel")
    return {
        "first_day": found.period.first,
        "last_day": found.period.last,
        "by": found.by,
        "rows": [r.__dict__ | {"engagement_rate": r.engagement_rate} for r in found.rows],
    }


@router.get(
    CONTENT + "/heatmap",
    response={200: ContentHeatmapOut, **ERRORS},
    summary="The best time to post",
    description="Per weekday and hour a piece went out (workspace time), the average views "
    "(or engagement rate) of the pieces that have results.",
    tags=TAGS,
)
def get_heatmap(request: HttpRequest, slug: str, query: Query[ContentHeatmapQuery]) -> dict:
    membership = access_workspace(request.auth, slug)
    found = heatmap(membership, parse_period(membership, request.GET), query.metric or "views")

    def cell(c) -> dict:
        return {"weekday": c.weekday, "hour": c.hour, "pieces": c.pieces, "value": c.value}

    cells = sorted(found.cells.values(), key=lambda c: (c.weekday, c.hour))
    return {
        "first_day": found.period.first,
        "last_day": found.period.last,
        "metric": found.metric,
        "cells": [cell(c) for c in cells],
        "best": cell(found.best) if found.best else None,
    }


# --- the calendar


@router.get(
    CONTENT + "/calendar",
    response={200: ContentCalendarOut, **ERRORS},
    summary="The content calendar",
    description="A month (whole weeks) or a week of pieces in lanes by channel or account, "
    "coloured by status, with each account's cadence per week (members and above), gaps and "
    "clashes (docs/content.md#calendar).",
    tags=TAGS,
)
def get_calendar(request: HttpRequest, slug: str, query: Query[ContentCalendarQuery]) -> dict:
    membership = access_workspace(request.auth, slug)
    found = content_calendar(
        membership,
        mode=query.mode or "month",
        anchor=parse_day(query.date, "date"),
        group=query.group or "channel",
        filters=parse_piece_filters(request.GET),
    )
    return _calendar_out(found)


def _calendar_out(found) -> dict:
    def placed(p) -> dict:
        return {
            "id": p.piece.pk, "title": p.piece.title, "status": p.piece.status,
            "format": p.piece.format, "color": p.color, "day": p.day, "time": p.time,
            "published": p.published, "clash": p.clash, "url": piece_url(p.piece),
        }  # fmt: skip

    def cadence(c) -> dict:
        return {
            "account_id": c.target.account_id, "account": c.account.name,
            "format": c.target.format, "target": c.target.per_week, "planned": c.planned,
            "published": c.published, "met": c.met, "past": c.past,
        }  # fmt: skip

    return {
        "mode": found.mode,
        "group": found.group,
        "first_day": found.first_day,
        "last_day": found.last_day,
        "weeks": [
            {
                "start": w.start,
                "lanes": [
                    {
                        "key": lane.key,
                        "label": lane.label,
                        "cells": [
                            {"day": c.day, "gap": c.gap, "pieces": [placed(p) for p in c.pieces]}
                            for c in lane.cells
                        ],
                        "cadence": [cadence(c) for c in lane.cadence],
                    }
                    for lane in w.lanes
                ],
            }
            for w in found.weeks
        ],
        "clashes": [
            {
                "kind": c.kind,
                "account_id": c.account_id,
                "day": c.day,
                "piece_ids": list(c.piece_ids),
            }
            for c in found.clashes
        ],
        "unscheduled": [_summary(p) for p in found.unscheduled],
    }


# --- cadence targets


def _cadence_out(target) -> dict:
    return {
        "id": target.pk,
        "account": target.account,
        "channel": target.account.channel,
        "format": target.format,
        "per_week": target.per_week,
    }


@router.get(
    CADENCE,
    response={200: list[CadenceTargetOut], **ERRORS},
    summary="List cadence targets",
    description="How many pieces each account should put out a week. Members and above.",
    tags=TAGS,
)
def get_cadence(request: HttpRequest, slug: str) -> list:
    membership = access_workspace(request.auth, slug)
    check_sees_cadence(membership)
    return [_cadence_out(t) for t in list_cadence(membership.workspace)]


@router.post(
    CADENCE,
    response={201: CadenceTargetOut, **ERRORS},
    summary="Set a cadence target",
    description="Members and above, for one of the team's own accounts: n pieces a week, of "
    "a format or of any. 409 when the account has one for that format.",
    tags=TAGS,
)
def create_cadence(request: HttpRequest, slug: str, payload: CadenceTargetIn) -> Status[dict]:
    membership = access_workspace(request.auth, slug)
    target = actions.do_create_cadence(actor=membership, data=payload)
    return Status(201, _cadence_out(access_cadence(membership, target.pk)))


@router.patch(
    CADENCE + "/{cadence_id}",
    response={200: CadenceTargetOut, **ERRORS},
    summary="Change a cadence target",
    description="Members and above.",
    tags=TAGS,
)
def update_cadence(
    request: HttpRequest, slug: str, cadence_id: int, payload: CadenceTargetPatch
) -> dict:
    membership = access_workspace(request.auth, slug)
    check_sees_cadence(membership)
    target = access_cadence(membership, cadence_id)
    return _cadence_out(actions.do_update_cadence(actor=membership, target=target, data=payload))


@router.delete(
    CADENCE + "/{cadence_id}",
    response={204: None, **ERRORS},
    summary="Remove a cadence target",
    description="Members and above.",
    tags=TAGS,
)
def delete_cadence(request: HttpRequest, slug: str, cadence_id: int) -> Status[None]:
    membership = access_workspace(request.auth, slug)
    check_sees_cadence(membership)
    actions.do_delete_cadence(actor=membership, target=access_cadence(membership, cadence_id))
    return Status(204, None)
