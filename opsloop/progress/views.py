"""The progress page of a project: planned vs actual, burn-up, at risk, milestones, summary."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opsloop.core.errors import Forbidden, Invalid, OpsloopError
from opsloop.core.inputs import parse_input
from opsloop.core.pages import form_data, page
from opsloop.progress import actions, queries
from opsloop.progress.schemas import SendSummaryIn
from opsloop.work.queries import MANAGE, access_project, check_project_permission


@login_required
@page
def project_progress(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    access = access_project(request.user, slug, key)
    project, membership = access.project, access.membership
    error: OpsloopError | None = None
    if request.method == "POST":
        check_project_permission(membership, project, MANAGE)
        try:
            data = parse_input(SendSummaryIn, form_data(request, blank_is_none=("week",)))
            week = queries.parse_week(data.week)
            send = actions.do_send_weekly_summary(actor=membership, project=project, week=week)
        except OpsloopError as exc:
            error = exc
        else:
            count = len(send.recipient_ids)
            messages.success(
                request,
                ngettext(
                    "The summary of %(week)s is on its way to %(count)d member.",
                    "The summary of %(week)s is on its way to %(count)d members.",
                    count,
                )
                % {"week": queries.week_name(week), "count": count},
            )
            return redirect(
                f"{request.path}?week={queries.week_name(week)}#summary", permanent=False
            )
    day = queries.today()
    try:
        week = queries.parse_week(request.GET.get("week"))
    except Invalid as exc:
        error, week = exc, queries.parse_week(None)
    snapshot = queries.load_snapshot(project)
    start, end = queries.default_range(snapshot)
    burn_up = queries.burn_up(project, start, end, snapshot=snapshot)
    chart = queries.burn_up_chart(burn_up, queries.ideal_line(snapshot, on=end))
    summary = queries.weekly_summary(project, week, snapshot=snapshot, viewer=membership)
    try:
        check_project_permission(membership, project, MANAGE)
        can_send = True
    except Forbidden:
        can_send = False
    context = {
        "workspace": membership.workspace,
        "membership": membership,
        "project": project,
        "nav": f"project:{project.key}",
        "view": "progress",
        "today": day,
        "pva": queries.planned_vs_actual(project, day, snapshot=snapshot),
        "burn_up": burn_up,
        "chart": {
            "days": [d.isoformat() for d in chart.days],
            "scope": chart.scope,
            "done": chart.done,
            "ideal": chart.ideal,
            "target": chart.target.isoformat() if chart.target else None,
            "labels": {"scope": _("Scope"), "done": _("Done"), "ideal": _("Planned")},
        },
        "ideal": chart.ideal is not None,
        "target": chart.target,
        "at_risk": queries.items_at_risk(project, day, snapshot=snapshot, viewer=membership),
        "milestones": queries.milestone_deviation(project, day, snapshot=snapshot),
        "summary": summary,
        "week": summary.week,
        "previous_week": queries.week_name(week - timedelta(days=7)),
        "next_week": queries.week_name(week + timedelta(days=7)),
        "this_week": queries.week_name(queries.parse_week(None)),
        "can_send": can_send,
        "recipients": list(queries.summary_recipients(project)) if can_send else [],
        "sends": queries.recent_sends(project, week),
        "error": error,
    }
    return TemplateResponse(
        request, "progress/project_progress.html", context, status=error.status if error else 200
    )
