"""API of project progress: planned vs actual, items at risk, milestones, burn-up, weekly summary."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from opsloop.core.inputs import Date
from opsloop.core.schemas import ERROR_CODES, ErrorOut
from opsloop.progress import actions, queries
from opsloop.progress.models import SummarySend
from opsloop.progress.schemas import (
    BurnUpOut,
    ProgressOut,
    SendSummaryIn,
    SummarySendOut,
    WeeklySummaryOut,
)
from opsloop.work.models import Item
from opsloop.work.queries import MANAGE, access_project

router = Router()

TAGS = ["Progress"]
ERRORS = {ERROR_CODES: ErrorOut}
PROGRESS = "/workspaces/{slug}/projects/{key}/progress"


class BurnUpQuery(Schema):
    from_: Date | None = Field(
        None, alias="from", description="First day (default: the project's start date)."
    )
    to: Date | None = Field(None, description="Last day (default: today).")


class WeekQuery(Schema):
    week: str | None = Field(
        None, description="ISO week like 2026-W45 (default: the current week)."
    )


def _item(item: Item) -> dict:
    return {
        "ref": item.ref,
        "title": item.title,
        "state": item.state.name,
        "state_group": item.state.group,
        "due_date": item.due_date,
        "url": queries.item_url(item),
    }


def _pva(pva: queries.PlannedVsActual) -> dict:
    fields = ("day", "scope", "planned", "planned_done", "done", "behind", "percent")
    more = ("early", "on_time", "late", "lines")
    return {name: getattr(pva, name) for name in fields + more}


def _risks(rows: list[queries.AtRisk]) -> list[dict]:
    return [
        {
            "item": _item(row.item),
            "text": row.text,
            "reasons": [
                {"kind": r.kind, "days": r.days, "blocker": r.blocker, "text": r.text}
                for r in row.reasons
            ],
        }
        for row in rows
    ]


@router.get(
    PROGRESS,
    response={200: ProgressOut, **ERRORS},
    summary="Get a project's progress",
    description="Planned vs actual today (items due by today against items done), the open "
    "items at risk with a reason each, and every milestone with its status, forecast and "
    "deviation in days. Anyone who sees the project.",
    tags=TAGS,
)
def get_progress(request: HttpRequest, slug: str, key: str) -> dict:
    access = access_project(request.auth, slug, key)
    day = queries.today()
    snapshot = queries.load_snapshot(access.project)
    risks = queries.items_at_risk(access.project, day, snapshot=snapshot, viewer=access.membership)
    milestones = queries.milestone_deviation(access.project, day, snapshot=snapshot)
    return {
        "today": day,
        "planned_vs_actual": _pva(
            queries.planned_vs_actual(access.project, day, snapshot=snapshot)
        ),
        "at_risk": _risks(risks),
        "milestones": [
            {
                "id": m.milestone.pk,
                "name": m.milestone.name,
                "status": m.status,
                "planned_date": m.planned,
                "forecast_date": m.forecast,
                "deviation_days": m.deviation_days,
                "open_items": m.open_count,
                "done_items": m.done_count,
                "text": m.text,
            }
            for m in milestones
        ],
    }


@router.get(
    PROGRESS + "/burn-up",
    response={200: BurnUpOut, **ERRORS},
    by_alias=True,
    summary="Get a project's burn-up",
    description="Scope (items that existed) and done (items in a done or cancelled state) at "
    "the end of each day, from the activity history, with the planned (ideal) line: nothing "
    "done on the project's start, its whole scope today done on the target (its end date, "
    f"else its latest due date). At most {queries.BURN_UP_MAX_DAYS} days.",
    tags=TAGS,
)
def get_burn_up(request: HttpRequest, slug: str, key: str, params: Query[BurnUpQuery]) -> dict:
    access = access_project(request.auth, slug, key)
    snapshot = queries.load_snapshot(access.project)
    start, end = queries.default_range(snapshot)
    start, end = params.from_ or start, params.to or end
    days = queries.burn_up(access.project, start, end, snapshot=snapshot)
    line = queries.ideal_line(snapshot)
    return {
        "from": start,
        "to": end,
        "target": line.target if line else None,
        "days": [d._asdict() | {"ideal": round(line.at(d.day), 2) if line else None} for d in days],
    }


def _summary(summary: queries.WeeklySummary) -> dict:
    return {
        "week": summary.week,
        "start": summary.start,
        "end": summary.end,
        "as_of": summary.as_of,
        "title": summary.title,
        "planned_vs_actual": _pva(summary.progress),
        "done": [{"item": _item(d.item), "on": d.on, "text": d.text} for d in summary.done],
        "slipped": [
            {
                "item": _item(s.item),
                "days_late": s.days_late,
                "moved_from": s.moved_from,
                "moved_to": s.moved_to,
                "text": s.text,
            }
            for s in summary.slipped
        ],
        "at_risk": _risks(summary.at_risk),
        "markdown": summary.markdown,
        "text": summary.text,
    }


@router.get(
    PROGRESS + "/weekly-summary",
    response={200: WeeklySummaryOut, **ERRORS},
    summary="Get a project's weekly summary",
    description="What got done in the week, what slipped (due and still open, or its due date "
    "moved later during the week) and what is at risk, as data and as Markdown and plain text "
    "in the caller's language.",
    tags=TAGS,
)
def get_weekly_summary(request: HttpRequest, slug: str, key: str, params: Query[WeekQuery]) -> dict:
    access = access_project(request.auth, slug, key)
    week = queries.parse_week(params.week)
    return _summary(queries.weekly_summary(access.project, week, viewer=access.membership))


def send_out(send: SummarySend) -> dict:
    return {
        "id": send.pk,
        "week": queries.week_name(send.week),
        "sent_by": send.sent_by,
        "recipients": len(send.recipient_ids),
        "created_at": send.created_at,
        "sent_at": send.sent_at,
    }


@router.post(
    PROGRESS + "/weekly-summary/send",
    response={202: SummarySendOut, **ERRORS},
    summary="Send the weekly summary to the members",
    description="The project owner or a workspace admin. Each member who may see the project "
    "gets an email in their language, sent in the background; 409 when the same week was "
    "sent in the last five minutes.",
    tags=TAGS,
)
def send_weekly_summary(
    request: HttpRequest, slug: str, key: str, payload: SendSummaryIn
) -> Status[dict]:
    access = access_project(request.auth, slug, key, MANAGE)
    week = queries.parse_week(payload.week)
    send = actions.do_send_weekly_summary(
        actor=access.membership, project=access.project, week=week
    )
    return Status(202, send_out(send))
