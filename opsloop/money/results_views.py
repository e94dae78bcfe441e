"""Pages of campaign results: a project's (totals, by day, channel, placement, partner
and piece) and the workspace's (campaigns and channels ranked), each with its range, the
first/last touch switch and, for admins, the conversion setting."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from opsloop.core.errors import Invalid, OpsloopError
from opsloop.core.inputs import parse_input
from opsloop.core.models import Membership
from opsloop.core.pages import form_data, page, run_post
from opsloop.money import results, results_actions
from opsloop.money.results_schemas import ConversionIn, ResultsQuery, WorkspaceResultsQuery
from opsloop.work.models import Project

QUICK_RANGES = (7, 30, 90)


def _asked(request: HttpRequest, membership: Membership, schema=ResultsQuery) -> tuple[Any, Any]:
    """The range, touch (and ranking) the page's query string asks for."""
    asked = parse_input(
        schema,
        {
            key: value
            for key, value in (
                ("date_from", request.GET.get("from")),
                ("date_to", request.GET.get("to")),
                ("touch", request.GET.get("touch")),
                ("sort", request.GET.get("sort")),
            )
            if value
        },
    )
    rng = results.check_range(membership.workspace, asked.date_from, asked.date_to, asked.touch)
    return asked, rng


def _set_conversion(
    request: HttpRequest, membership: Membership, project: Project | None, here: str
) -> HttpResponse:
    if request.POST.get("op") != "conversion":
        raise Invalid(_("Unknown operation."))
    data = parse_input(ConversionIn, form_data(request))
    done = results_actions.do_set_conversion(actor=membership, data=data, project=project)
    messages.success(request, _("Conversion saved.") if done else _("Conversion removed."))
    return redirect(here)


def _chart(found: results.Results) -> dict:
    """The daily chart's data: spend, new users and revenue by day."""
    return {
        "days": [d.day.isoformat() for d in found.days],
        "spend": [str(d.figures.spend) for d in found.days],
        "users": [d.figures.new_users for d in found.days],
        "revenue": (
            [str(d.figures.revenue) for d in found.days] if found.counts_conversions else []
        ),
        "labels": {
            "spend": _("Spend (%(currency)s)") % {"currency": found.currency},
            "users": _("New users"),
            "revenue": _("Revenue (%(currency)s)") % {"currency": found.currency},
        },
    }


def _links(rng: results.Range, sort: str | None) -> dict:
    """The query string of the range shown (for links to other results pages) and the
    quick ranges: the last 7, 30 and 90 days to the range's last day."""
    extra = {"sort": sort} if sort else {}
    quick = []
    for n in QUICK_RANGES:
        first = rng.last - dt.timedelta(days=n - 1)
        quick.append(
            (
                _("%(n)s days") % {"n": n},
                urlencode({"from": first, "to": rng.last, "touch": rng.touch, **extra}),
            )
        )
    query = urlencode({"from": rng.first, "to": rng.last, "touch": rng.touch})
    return {"query": query, "quick_links": quick}


def _context(request: HttpRequest, membership: Membership, error: OpsloopError | None) -> dict:
    return {
        "membership": membership,
        "workspace": membership.workspace,
        "can_set_conversion": results.can_set_conversion(membership),
        "error": error,
        "posted": request.POST if error else {},
    }


@login_required
@page
def project_results(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    access = results.access_project_results(request.user, slug, key)
    project, membership = access.project, access.membership
    here = request.get_full_path()
    response, error = run_post(request, lambda: _set_conversion(request, membership, project, here))
    if response is not None:
        return response
    asked, rng = _asked(request, membership)
    found = results.project_results(project, rng)
    context = _context(request, membership, error) | {
        "project": project,
        "nav": f"project:{project.key}",
        "view": "results",
        "results": found,
        "asked": asked,
        "chart": _chart(found),
        **_links(rng, None),
        "own_conversion": found.conversion is not None
        and found.conversion.project_id == project.pk,
    }
    return TemplateResponse(
        request, "money/results_project.html", context, status=error.status if error else 200
    )


@login_required
@page
def workspace_results(request: HttpRequest, slug: str) -> HttpResponse:
    membership = results.access_results(request.user, slug)
    here = request.get_full_path()
    response, error = run_post(request, lambda: _set_conversion(request, membership, None, here))
    if response is not None:
        return response
    asked, rng = _asked(request, membership, WorkspaceResultsQuery)
    found = results.workspace_results(membership, rng, asked.sort)
    context = _context(request, membership, error) | {
        "nav": "results",
        "results": found,
        "asked": asked,
        "chart": _chart(found),
        **_links(rng, asked.sort),
        "sorts": _sorts(),
    }
    return TemplateResponse(
        request, "money/results_workspace.html", context, status=error.status if error else 200
    )


def _sorts() -> list[tuple[str, str]]:
    return [
        ("spend", _("Spend")),
        ("new_users", _("New users")),
        ("conversions", _("Conversions")),
        ("revenue", _("Revenue")),
        ("cac", _("CAC")),
        ("cpa", _("CPA")),
        ("roas", _("ROAS")),
        ("roi", _("ROI")),
    ]
