"""The portfolio page (filters, grouping, sorting by column) and its CSV download."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from opsloop.core.errors import Invalid
from opsloop.core.models import Role
from opsloop.core.pages import page
from opsloop.core.queries import access_workspace
from opsloop.portfolio import queries
from opsloop.portfolio.export import csv_text
from opsloop.work.models import ProjectKind, Stage

# Columns whose header sorts the table: (sort name, first click descending).
SORTABLE = {
    "name": False, "kind": False, "stage": False, "owner": False, "start": False,
    "end": False, "progress": True, "budget": True, "spent": True, "late": True, "risk": True,
}  # fmt: skip


def _quarters(today: dt.date, chosen: str) -> list[str]:
    """The quarters of last year, this year and next: what the quarter filter offers."""
    out = [f"{year}-Q{n}" for year in range(today.year - 1, today.year + 2) for n in range(1, 5)]
    if chosen and chosen not in out:
        out.append(chosen)
    return sorted(out)


def _sort_links(request: HttpRequest, current: str) -> dict[str, str]:
    """Each sortable column's link: the same filters, sorted by it (the other way when it
    is the current sort)."""
    links = {}
    for column, descending_first in SORTABLE.items():
        params = request.GET.copy()
        if current == column:
            sort = f"-{column}"
        elif current == f"-{column}":
            sort = column
        else:
            sort = f"-{column}" if descending_first else column
        params["sort"] = sort
        links[column] = "?" + params.urlencode()
    return links


@login_required
@page
def portfolio(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    error = None
    try:
        filters = queries.parse_filters(request.GET)
    except Invalid as exc:
        error, filters = exc, queries.PortfolioFilters()
    table = queries.portfolio(membership, filters)
    context = {
        "membership": membership,
        "workspace": membership.workspace,
        "nav": "portfolio",
        "table": table,
        "filters": filters,
        "error": error,
        "kinds": ProjectKind.choices,
        "stages": Stage.choices,
        "owners": queries.owner_choices(membership),
        "quarters": _quarters(timezone.localdate(), filters.quarter),
        "groupings": [(key, str(label)) for key, label in queries.GROUP_LABELS.items()],
        "sort_links": _sort_links(request, filters.sort),
        "csv_query": request.GET.urlencode(),
        "show_key_results": membership.at_least(Role.MEMBER),
    }
    return TemplateResponse(
        request, "portfolio/portfolio.html", context, status=400 if error else 200
    )


@login_required
@page
def portfolio_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """The rows the page shows under the same filters and sort, as CSV."""
    membership = access_workspace(request.user, slug)
    rows = queries.portfolio_rows(membership, queries.parse_filters(request.GET))
    response = HttpResponse(csv_text(rows), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="portfolio-{slug}-{stamp}.csv"'
    return response
