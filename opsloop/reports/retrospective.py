"""A campaign's retrospective (复盘): when a campaign project closes, a report is drafted
from the workspace's retrospective template: the key results against their targets, the
lift on the linked KPIs, the budget against the spend, what slipped, the decisions
taken, and two texts for the team (what went well, what to change).

The work app does not know of reports: its project update action sends
`project_stage_changed` (opsloop/work/signals.py, docs/decisions/0010), and this app
listens (apps.py). A campaign gets one retrospective per period (its start to its end
date): closing it, reopening it and closing it again finds the draft there is; a
database constraint keeps it so however the closes race. Changing the campaign's dates
and closing it again drafts one for the new period."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from opsloop.core.models import Membership, Role, Workspace
from opsloop.inbox.actions import do_notify
from opsloop.insights import queries as insight_queries
from opsloop.reports import blocks as report_blocks
from opsloop.reports.models import EventKind, Report, ReportEvent, ReportTemplate
from opsloop.reports.periods import MAX_DAYS, Period, make_period
from opsloop.reports.render import search_text
from opsloop.work.models import Project, ProjectKind, Stage

logger = logging.getLogger(__name__)
PURPOSE = "retrospective"
ORIGIN = "retrospective"


def starter_blocks() -> list[dict[str, Any]]:
    """The blocks of a new retrospective template, titled in the active language."""
    return [
        {"kind": "heading", "title": "", "text": _("{project} retrospective")},
        {"kind": "text", "title": _("Summary"),
         "markdown": _("{project}, {start} – {end}: what the campaign set out to do and "
                       "what came of it.")},
        {"kind": "campaign_results", "title": _("Goals against results")},
        {"kind": "campaign_lift", "title": _("Lift")},
        {"kind": "campaign_budget", "title": _("Budget against spend")},
        {"kind": "campaign_timeline", "title": _("Timeline slips")},
        {"kind": "decisions", "title": _("Decisions taken")},
        {"kind": "text", "title": _("What went well"), "markdown": "- "},
        {"kind": "text", "title": _("What to change"), "markdown": "- "},
    ]  # fmt: skip


def retrospective_template(workspace: Workspace, maker: Membership) -> ReportTemplate:
    """The workspace's retrospective template, made on first need with the starter
    blocks (its admins may change its blocks, reviewers and subscribers after)."""
    found = (
        ReportTemplate.objects.filter(workspace=workspace, purpose=PURPOSE, project=None)
        .order_by("pk")
        .first()
    )
    if found is not None:
        return found
    return ReportTemplate.objects.create(
        workspace=workspace,
        name=_("Campaign retrospective"),
        description=_("Drafted when a campaign project closes."),
        purpose=PURPOSE,
        blocks=report_blocks.check_specs(starter_blocks()),
        created_by=maker.user,
    )


def campaign_period(project: Project, today: dt.date) -> Period:
    """The campaign's days: its start to its end date (the day it was made, and today,
    when it has none), at most a year back from the end."""
    end = project.end_date or today
    start = project.start_date or project.created_at.date()
    start = min(start, end)
    start = max(start, end - dt.timedelta(days=MAX_DAYS - 1))
    return make_period("custom", start, end)


def _writer(project: Project, closer: Membership) -> Membership:
    """The campaign's owner writes it, when a member; else whoever closed it."""
    if project.owner_id is not None and project.owner_id != closer.user_id:
        owner = (
            Membership.objects.select_related("workspace", "user")
            .filter(workspace_id=project.workspace_id, user_id=project.owner_id)
            .exclude(role=Role.GUEST)
            .first()
        )
        if owner is not None:
            return owner
    return closer


def get_retrospective(project: Project, period: Period) -> Report | None:
    return Report.objects.filter(
        project=project, origin=ORIGIN, period_start=period.start, period_end=period.end
    ).first()


def do_draft_retrospective(*, project: Project, actor: Membership) -> tuple[Report | None, bool]:
    """The campaign's retrospective for its period: (the report, whether made now);
    (None, False) for a project that is not a closed campaign. Its blocks are read as
    its writer (the owner) sees them, in the writer's language."""
    if project.kind != ProjectKind.CAMPAIGN or project.stage != Stage.CLOSED:
        return None, False
    workspace = actor.workspace
    period = campaign_period(project, insight_queries.local_today(workspace))
    existing = get_retrospective(project, period)
    if existing is not None:
        return existing, False
    writer = _writer(project, actor)
    with translation.override(writer.user.message_language):
        template = retrospective_template(workspace, actor)
        frame = report_blocks.Frame(
            workspace=workspace, viewer=writer, project=project, period=period
        )
        frozen = report_blocks.freeze_all(template.blocks, frame)
        title = (_("%(project)s retrospective") % {"project": f"{project.key} {project.name}"})[
            :300
        ]
    try:
        with transaction.atomic():
            report = Report.objects.create(
                workspace=workspace,
                template=template,
                project=project,
                title=title,
                period_kind=period.kind,
                period_start=period.start,
                period_end=period.end,
                blocks=frozen,
                search_text=search_text(title, frozen),
                origin=ORIGIN,
                writer=writer.user,
                created_by=actor.user,
            )
            ReportEvent.objects.create(report=report, actor=actor.user, kind=EventKind.DRAFTED)
            if writer.user_id != actor.user_id:
                do_notify(
                    workspace_id=workspace.pk,
                    recipients=[writer.user],
                    actor=actor.user,
                    kind="report",
                    title=lambda: _("A retrospective to write: %(title)s") % {"title": title},
                    url=reverse("report", args=[workspace.slug, report.pk]),
                    project=project,
                )
    except IntegrityError:
        # Closed twice at once: the other close's draft stands.
        return get_retrospective(project, period), False
    return report, True


def on_project_stage_changed(
    sender: Any, *, actor: Membership, project: Project, old: str, new: str, **kwargs: Any
) -> None:
    """work's project_stage_changed: a campaign that closes gets its retrospective."""
    if new != Stage.CLOSED or project.kind != ProjectKind.CAMPAIGN:
        return
    try:
        # A savepoint: a draft that fails must not undo the close.
        with transaction.atomic():
            do_draft_retrospective(project=project, actor=actor)
    except Exception:
        logger.exception("retrospective of project %s could not be drafted", project.pk)
