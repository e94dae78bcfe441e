"""The money API: a project's budget lines, spend entries, the budget against the spend,
ad placements and their daily figures, and the budget watch (docs/money.md)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from opsloop.core.errors import Invalid
from opsloop.core.schemas import ERROR_CODES, ErrorOut
from opsloop.money import actions, queries
from opsloop.money.models import BudgetLine, Placement, SpendEntry
from opsloop.money.queries import EDIT, MANAGE, Budget, Figures, SpendQuery, access_money
from opsloop.money.schemas import (
    BudgetLineIn,
    BudgetLineOut,
    BudgetLinePatch,
    BudgetOut,
    BudgetWatchIn,
    BudgetWatchOut,
    PlacementDayOut,
    PlacementDaysIn,
    PlacementDaysWrittenOut,
    PlacementDetailOut,
    PlacementIn,
    PlacementOut,
    PlacementPatch,
    SpendEntryIn,
    SpendEntryOut,
    SpendEntryPatch,
    SpendListQuery,
)

router = Router(tags=["money"])

TAGS = ["Money"]
ERRORS = {ERROR_CODES: ErrorOut}
P = "/workspaces/{slug}/projects/{key}"
LINES = P + "/budget-lines"
SPEND = P + "/spend"
PLACEMENTS = P + "/placements"
PLACEMENT = PLACEMENTS + "/{placement_id}"
READERS = "Who sees the project, guests excepted (403)."
RECORDERS = "Members who see the project."
MANAGERS = "The project's owner and admins."
CHANGERS = "Who recorded it, the project's owner and admins."


def _line(line: BudgetLine) -> dict:
    return {
        "id": line.pk, "name": line.name, "category": line.category,
        "channel_id": line.channel_id, "channel_name": line.channel.name if line.channel else None,
        "planned": line.planned, "currency": line.currency, "position": line.position,
    }  # fmt: skip


def _entry(entry: SpendEntry) -> dict:
    return {
        "id": entry.pk, "day": entry.day, "amount": entry.amount, "currency": entry.currency,
        "line_id": entry.line_id, "partner_id": entry.partner_id,
        "cooperation_id": entry.cooperation_id, "placement_id": entry.placement_id,
        "invoice_id": entry.invoice_id, "note": entry.note,
        "counted": entry.placement_id is None, "created_by": entry.created_by,
        "created_at": entry.created_at,
    }  # fmt: skip


def _figures(f: Figures) -> dict:
    return {
        "spend": f.spend, "impressions": f.impressions, "clicks": f.clicks,
        "conversions": f.conversions, "ctr": f.ctr, "cpc": f.cpc, "cpm": f.cpm,
    }  # fmt: skip


def _placement(p: Placement) -> dict:
    return {
        "id": p.pk, "name": p.name, "platform": p.platform, "channel_id": p.channel_id,
        "account_id": p.account_id, "external_id": p.external_id, "starts_on": p.starts_on,
        "ends_on": p.ends_on, "budget_line_id": p.budget_line_id, "link_id": p.link_id,
        "utm_source": p.utm_source, "utm_campaign": p.utm_campaign,
        "utm_content": p.utm_content, "figures": _figures(p.figures),  # type: ignore[attr-defined]
        "created_at": p.created_at,
    }  # fmt: skip


def _placement_detail(p: Placement) -> dict:
    days = [
        _figures(f) | {"day": d.day, "currency": d.currency} for d, f in queries.placement_days(p)
    ]
    return _placement(p) | {"days": days}


def _budget(b: Budget) -> dict:
    watch = {"kpi_id": b.watch.kpi_id, "kpi_name": b.watch.kpi.name} if b.watch else None
    return {
        "currency": b.currency, "planned": b.planned, "planned_from": b.planned_from,
        "actual": b.actual, "left": b.left, "used_percent": b.used_percent,
        "overspent": b.overspent, "overspent_lines": [f.line_id for f in b.overspent_lines],
        "lines": [
            {"line_id": f.line_id, "name": f.name, "category": f.category,
             "channel_id": f.channel_id, "planned": f.planned, "actual": f.actual,
             "left": f.left, "used_percent": f.used_percent, "overspent": f.overspent}
            for f in b.lines
        ],
        "channels": [
            {"channel_id": c.channel_id, "name": c.name, "planned": c.planned,
             "actual": c.actual, "left": c.left, "overspent": c.overspent}
            for c in b.channels
        ],
        "weeks": [
            {"week": w.week, "starts_on": w.starts_on, "planned": w.planned, "actual": w.actual,
             "planned_to_date": w.planned_to_date, "actual_to_date": w.actual_to_date}
            for w in b.weeks
        ],
        "watch": watch,
    }  # fmt: skip


# --- the budget


@router.get(
    P + "/budget",
    response={200: BudgetOut, **ERRORS},
    summary="Get a project's budget against its spend",
    description=READERS + " Planned (the lines added up, else the project's budget), spent, "
    "left, overspent; per line, per channel and per ISO week.",
    tags=TAGS,
)
def get_budget(request: HttpRequest, slug: str, key: str) -> dict:
    access = access_money(request.auth, slug, key)
    return _budget(queries.budget_of(access.project))


@router.post(
    P + "/budget/watch",
    response={201: BudgetWatchOut, **ERRORS},
    summary="Watch a project's budget",
    description=MANAGERS + ' Makes the KPI "<KEY> budget left" (%) with an alert below 0, '
    "recorded at each change of the project's money: the KPI's owner is told on overspend. "
    "409 when watched already.",
    tags=TAGS,
)
def watch_budget(request: HttpRequest, slug: str, key: str, payload: BudgetWatchIn) -> Status:
    access = access_money(request.auth, slug, key, MANAGE)
    watch = actions.do_watch_budget(actor=access.membership, project=access.project, data=payload)
    return Status(201, {"kpi_id": watch.kpi_id, "kpi_name": watch.kpi.name})


@router.delete(
    P + "/budget/watch",
    response={204: None, **ERRORS},
    summary="Stop watching a project's budget",
    description=MANAGERS + " The KPI goes with its values and alert. 409 when not watched.",
    tags=TAGS,
)
def unwatch_budget(request: HttpRequest, slug: str, key: str) -> Status[None]:
    access = access_money(request.auth, slug, key, MANAGE)
    actions.do_unwatch_budget(actor=access.membership, project=access.project)
    return Status(204, None)


# --- budget lines


@router.get(
    LINES,
    response={200: list[BudgetLineOut], **ERRORS},
    summary="List a project's budget lines",
    description=READERS,
    tags=TAGS,
)
def get_lines(request: HttpRequest, slug: str, key: str) -> list:
    access = access_money(request.auth, slug, key)
    return [_line(line) for line in queries.list_lines(access.project)]


@router.post(
    LINES,
    response={201: BudgetLineOut, **ERRORS},
    summary="Add a budget line",
    description=MANAGERS,
    tags=TAGS,
)
def create_line(request: HttpRequest, slug: str, key: str, payload: BudgetLineIn) -> Status:
    access = access_money(request.auth, slug, key, MANAGE)
    line = actions.do_create_line(actor=access.membership, project=access.project, data=payload)
    return Status(201, _line(line))


@router.patch(
    LINES + "/{budget_line_id}",
    response={200: BudgetLineOut, **ERRORS},
    summary="Change a budget line",
    description=MANAGERS + " Only the fields sent change.",
    tags=TAGS,
)
def update_line(
    request: HttpRequest, slug: str, key: str, budget_line_id: int, payload: BudgetLinePatch
) -> dict:
    access = access_money(request.auth, slug, key, MANAGE)
    line = queries.get_line(access.project, budget_line_id)
    return _line(actions.do_update_line(actor=access.membership, line=line, data=payload))


@router.delete(
    LINES + "/{budget_line_id}",
    response={204: None, **ERRORS},
    summary="Delete a budget line",
    description=MANAGERS + " Its entries and placements stay, on no line.",
    tags=TAGS,
)
def delete_line(request: HttpRequest, slug: str, key: str, budget_line_id: int) -> Status[None]:
    access = access_money(request.auth, slug, key, MANAGE)
    line = queries.get_line(access.project, budget_line_id)
    actions.do_delete_line(actor=access.membership, line=line)
    return Status(204, None)


# --- spend entries


@router.get(
    SPEND,
    response={200: list[SpendEntryOut], **ERRORS},
    summary="List a project's spend entries",
    description=READERS + " Newest first, at most 1,000; `since`, `until`, `line_id`.",
    tags=TAGS,
)
def get_entries(request: HttpRequest, slug: str, key: str, filters: Query[SpendListQuery]) -> list:
    access = access_money(request.auth, slug, key)
    query = SpendQuery(filters.since, filters.until, filters.line_id)
    return [_entry(e) for e in queries.list_entries(access.project, query)]


@router.post(
    SPEND,
    response={201: SpendEntryOut, **ERRORS},
    summary="Record spend",
    description=RECORDERS,
    tags=TAGS,
)
def create_entry(request: HttpRequest, slug: str, key: str, payload: SpendEntryIn) -> Status:
    access = access_money(request.auth, slug, key, EDIT)
    entry = actions.do_create_entry(actor=access.membership, project=access.project, data=payload)
    return Status(201, _entry(entry))


@router.patch(
    SPEND + "/{spend_id}",
    response={200: SpendEntryOut, **ERRORS},
    summary="Change a spend entry",
    description=CHANGERS + " Only the fields sent change.",
    tags=TAGS,
)
def update_entry(
    request: HttpRequest, slug: str, key: str, spend_id: int, payload: SpendEntryPatch
) -> dict:
    access = access_money(request.auth, slug, key, EDIT)
    entry = queries.get_entry(access.project, spend_id)
    return _entry(actions.do_update_entry(actor=access.membership, entry=entry, data=payload))


@router.delete(
    SPEND + "/{spend_id}",
    response={204: None, **ERRORS},
    summary="Delete a spend entry",
    description=CHANGERS,
    tags=TAGS,
)
def delete_entry(request: HttpRequest, slug: str, key: str, spend_id: int) -> Status[None]:
    access = access_money(request.auth, slug, key, EDIT)
    entry = queries.get_entry(access.project, spend_id)
    actions.do_delete_entry(actor=access.membership, entry=entry)
    return Status(204, None)


# --- placements


@router.get(
    PLACEMENTS,
    response={200: list[PlacementOut], **ERRORS},
    summary="List a project's ad placements",
    description=READERS + " With their totals: spend, impressions, clicks, CTR, CPC, CPM.",
    tags=TAGS,
)
def get_placements(request: HttpRequest, slug: str, key: str) -> list:
    access = access_money(request.auth, slug, key)
    return [_placement(p) for p in queries.list_placements(access.project)]


@router.post(
    PLACEMENTS,
    response={201: PlacementDetailOut, **ERRORS},
    summary="Add an ad placement",
    description=RECORDERS + " 409 when another placement on the platform has its ID.",
    tags=TAGS,
)
def create_placement(request: HttpRequest, slug: str, key: str, payload: PlacementIn) -> Status:
    access = access_money(request.auth, slug, key, EDIT)
    made = actions.do_create_placement(
        actor=access.membership, project=access.project, data=payload
    )
    return Status(201, _placement_detail(queries.get_placement(access.project, made.pk)))


@router.get(
    PLACEMENT,
    response={200: PlacementDetailOut, **ERRORS},
    summary="Get an ad placement",
    description=READERS + " With its figures per day.",
    tags=TAGS,
)
def get_placement(request: HttpRequest, slug: str, key: str, placement_id: int) -> dict:
    access = access_money(request.auth, slug, key)
    return _placement_detail(queries.get_placement(access.project, placement_id))


@router.patch(
    PLACEMENT,
    response={200: PlacementDetailOut, **ERRORS},
    summary="Change an ad placement",
    description=RECORDERS + " Only the fields sent change.",
    tags=TAGS,
)
def update_placement(
    request: HttpRequest, slug: str, key: str, placement_id: int, payload: PlacementPatch
) -> dict:
    access = access_money(request.auth, slug, key, EDIT)
    placement = queries.get_placement(access.project, placement_id)
    actions.do_update_placement(actor=access.membership, placement=placement, data=payload)
    return _placement_detail(queries.get_placement(access.project, placement_id))


@router.delete(
    PLACEMENT,
    response={204: None, **ERRORS},
    summary="Delete an ad placement",
    description=CHANGERS + " With its daily figures; 409 while spend entries name it.",
    tags=TAGS,
)
def delete_placement(request: HttpRequest, slug: str, key: str, placement_id: int) -> Status:
    access = access_money(request.auth, slug, key, EDIT)
    placement = queries.get_placement(access.project, placement_id)
    actions.do_delete_placement(actor=access.membership, placement=placement)
    return Status(204, None)


@router.get(
    PLACEMENT + "/days",
    response={200: list[PlacementDayOut], **ERRORS},
    summary="List a placement's daily figures",
    description=READERS,
    tags=TAGS,
)
def get_days(request: HttpRequest, slug: str, key: str, placement_id: int) -> list:
    access = access_money(request.auth, slug, key)
    placement = queries.get_placement(access.project, placement_id)
    return _placement_detail(placement)["days"]


@router.put(
    PLACEMENT + "/days",
    response={200: PlacementDaysWrittenOut, **ERRORS},
    summary="Record a placement's daily figures",
    description=RECORDERS + " Each day sent is added or replaces the day recorded; all of "
    "them are written or, on any error, none.",
    tags=TAGS,
)
def put_days(
    request: HttpRequest, slug: str, key: str, placement_id: int, payload: PlacementDaysIn
) -> dict:
    access = access_money(request.auth, slug, key, EDIT)
    placement = queries.get_placement(access.project, placement_id)
    written = actions.do_record_placement_days(
        actor=access.membership, placement=placement, days=payload.days
    )
    figures = queries.get_placement(access.project, placement_id).figures  # type: ignore[attr-defined]
    return {"written": written, "figures": _figures(figures)}


@router.delete(
    PLACEMENT + "/days/{day}",
    response={204: None, **ERRORS},
    summary="Delete a placement's figures of a day",
    description=RECORDERS,
    tags=TAGS,
)
def delete_day(request: HttpRequest, slug: str, key: str, placement_id: int, day: str) -> Status:
    access = access_money(request.auth, slug, key, EDIT)
    placement = queries.get_placement(access.project, placement_id)
    try:
        parsed = parse_date(day) if len(day) == 10 else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise Invalid(_("The day is a date, YYYY-MM-DD."), field="day")
    actions.do_delete_placement_day(actor=access.membership, placement=placement, day=parsed)
    return Status(204, None)
