"""API of the portfolio: the table of every project the caller sees, filtered, grouped
and sorted as the page does (docs/portfolio.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from opsloop.core.queries import access_workspace
from opsloop.core.schemas import ERROR_CODES, ErrorOut
from opsloop.portfolio import queries

router = Router()
ERRORS = {ERROR_CODES: ErrorOut}
TAGS = ["Portfolio"]


class PortfolioQuery(Schema):
    kind: list[str] = Field([], description="campaign, content, growth, channel, general.")
    stage: list[str] = Field([], description="planning, executing, monitoring, closed.")
    owner: list[str] = Field([], description='Owner user ids, or "none" for no owner.')
    quarter: str | None = Field(None, description="Projects whose dates touch it: 2026-Q2.")
    q: str | None = Field(None, description="Text in the key or name.")
    group: str | None = Field(None, description="kind, owner, stage or quarter.")
    sort: str | None = Field(
        None,
        description="name, key, kind, stage, owner, start, end, progress, budget, spent, "
        "late, risk; a leading - sorts descending. Default name.",
    )


class PortfolioKeyResultOut(Schema):
    id: int
    title: str
    objective_id: int
    objective_title: str
    progress: float | None = Field(description="0 to 1, as Goals computes it.")
    status: str = Field(description="on_track, at_risk, off_track or unknown.")


class PortfolioRowOut(Schema):
    id: int
    key: str
    name: str
    kind: str
    stage: str
    visibility: str
    owner_id: int | None
    owner_name: str
    start_date: dt.date | None
    end_date: dt.date | None
    quarter: str = Field(description="The quarter it starts in; empty without dates.")
    items: int
    done: int = Field(description="Items closed (done or cancelled).")
    progress: int | None = Field(description="Percent of its items done; null without items.")
    budget: Decimal | None = Field(description="Budget planned.")
    spent: Decimal | None = Field(description="Budget spent; null while no spend is recorded.")
    milestones: int
    milestones_late: int = Field(description="Not done, and past their date or forecast late.")
    items_at_risk: int
    key_results: list[PortfolioKeyResultOut] = Field(
        description="Linked key results the caller sees; empty for guests."
    )


class PortfolioGroupOut(Schema):
    key: str = Field(description='The kind, stage, owner id, quarter, or "none".')
    label: str
    count: int
    budget: Decimal | None
    spent: Decimal | None
    projects: list[str] = Field(description="The keys of its rows, in order.")


class PortfolioOut(Schema):
    rows: list[PortfolioRowOut]
    groups: list[PortfolioGroupOut] = Field(description="Empty unless grouped.")
    total: PortfolioGroupOut


def _row(row: queries.PortfolioRow) -> dict:
    out = {
        name: getattr(row, name) for name in PortfolioRowOut.model_fields if name != "key_results"
    }
    out["key_results"] = [kr.__dict__ for kr in row.key_results]
    return out


def _group(group: queries.PortfolioGroup) -> dict:
    return {
        "key": group.key,
        "label": group.label,
        "count": group.count,
        "budget": group.budget,
        "spent": group.spent,
        "projects": [row.key for row in group.rows],
    }


@router.get(
    "/workspaces/{slug}/portfolio",
    response={200: PortfolioOut, **ERRORS},
    summary="The portfolio",
    description="Every project the caller can see (guests: those shared with them), with "
    "kind, stage, owner, dates, progress, budget planned and spent, late milestones, items "
    "at risk and linked key results; filtered, grouped with subtotals, and sorted.",
    tags=TAGS,
)
def get_portfolio(request: HttpRequest, slug: str, params: Query[PortfolioQuery]) -> dict:
    membership = access_workspace(request.auth, slug)
    filters = queries.parse_filters(params.model_dump(exclude_none=True))
    table = queries.portfolio(membership, filters)
    return {
        "rows": [_row(row) for row in table.rows],
        "groups": [_group(group) for group in table.groups],
        "total": _group(table.total),
    }
