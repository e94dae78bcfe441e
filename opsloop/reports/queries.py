"""Reads of reports that pages and the API share: who may see which template and
report, the archive and its search, and what a reader may do with a report.

Who sees what (docs/reports.md#who-may-do-what):
- a workspace report (no project) is the members' (guests never see it);
- a project's report is seen by who sees the project, guests it is shared with too,
  but guests see published reports only;
- drafts (anything not published yet) are the members' who see its scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from opsloop.core.errors import Forbidden, NotFound
from opsloop.core.models import Membership, Role, User
from opsloop.core.queries import access_workspace
from opsloop.goals import queries as goal_queries
from opsloop.insights import queries as insight_queries
from opsloop.reports.models import (
    Report,
    ReportComment,
    ReportDelivery,
    ReportEvent,
    ReportTemplate,
    Status,
)
from opsloop.work import queries as work_queries
from opsloop.work.models import Project

ARCHIVE_PAGE = 50


def access_reports(user: User, slug: str) -> Membership:
    """Every member of the workspace, guests included (they see their projects' reports)."""
    return access_workspace(user, slug)


def _in_sight(membership: Membership) -> Q:
    projects = work_queries.visible_projects(membership)
    if membership.role == Role.GUEST:
        return Q(project__in=projects)
    return Q(project__isnull=True) | Q(project__in=projects)


def visible_templates(membership: Membership) -> QuerySet[ReportTemplate]:
    """Templates are the members' (guests see published reports only)."""
    templates = ReportTemplate.objects.filter(workspace_id=membership.workspace_id)
    if membership.role == Role.GUEST:
        return templates.none()
    return templates.filter(_in_sight(membership))


def list_templates(membership: Membership) -> list[ReportTemplate]:
    return list(
        visible_templates(membership)
        .select_related("project", "writer")
        .prefetch_related("reviewers", "subscribers")
    )


def get_template(membership: Membership, template_id: int) -> ReportTemplate:
    template = (
        visible_templates(membership)
        .select_related("project", "writer", "workspace")
        .prefetch_related("reviewers", "subscribers")
        .filter(pk=template_id)
        .first()
    )
    if template is None:
        raise NotFound(_("No such report template."))
    return template


def may_change_template(membership: Membership, template: ReportTemplate) -> bool:
    """Its maker, its writer and admins."""
    if membership.role == Role.GUEST:
        return False
    return membership.at_least(Role.ADMIN) or membership.user_id in (
        template.created_by_id,
        template.writer_id,
    )


def visible_reports(membership: Membership) -> QuerySet[Report]:
    reports = Report.objects.filter(workspace_id=membership.workspace_id).filter(
        _in_sight(membership)
    )
    if membership.role == Role.GUEST:
        reports = reports.filter(status=Status.PUBLISHED)
    return reports


def get_report(membership: Membership, report_id: int) -> Report:
    report = (
        visible_reports(membership)
        .select_related(
            "template", "project", "writer", "workspace", "approved_by", "published_by"
        )  # fmt: skip
        .filter(pk=report_id)
        .first()
    )
    if report is None:
        raise NotFound(_("No such report."))
    return report


@dataclass(frozen=True)
class ArchiveFilters:
    q: str = ""
    since: dt.date | None = None  # reports whose period ends on or after
    until: dt.date | None = None  # reports whose period starts on or before
    status: str = ""  # "" for every one the reader sees; "published"; "open" (not yet)
    project_id: int | None = None
    template_id: int | None = None


def list_reports(
    membership: Membership, filters: ArchiveFilters, *, limit: int = ARCHIVE_PAGE
) -> list[Report]:
    """The reports the reader sees, newest period first, searched by period and text."""
    reports = visible_reports(membership).select_related("project", "writer", "template")
    if filters.status == "open":
        reports = reports.exclude(status=Status.PUBLISHED)
    elif filters.status:
        reports = reports.filter(status=filters.status)
    if filters.since is not None:
        reports = reports.filter(period_end__gte=filters.since)
    if filters.until is not None:
        reports = reports.filter(period_start__lte=filters.until)
    if filters.project_id is not None:
        reports = reports.filter(project_id=filters.project_id)
    if filters.template_id is not None:
        reports = reports.filter(template_id=filters.template_id)
    for word in filters.q.split()[:5]:
        reports = reports.filter(Q(title__icontains=word) | Q(search_text__icontains=word))
    return list(reports.order_by("-period_start", "-pk").defer("blocks", "search_text")[:limit])


def project_for_archive(membership: Membership, key: str) -> Project:
    project = work_queries.visible_projects(membership).filter(key=key.upper()).first()
    if project is None:
        raise NotFound(_("Project not found."))
    return project


def list_events(report: Report) -> list[ReportEvent]:
    return list(ReportEvent.objects.filter(report=report).select_related("actor"))


def list_comments(report: Report) -> list[ReportComment]:
    return list(ReportComment.objects.filter(report=report).select_related("author"))


def list_deliveries(report: Report) -> list[ReportDelivery]:
    return list(ReportDelivery.objects.filter(report=report).select_related("user"))


# --- what the reader may do with a report


def is_writer(membership: Membership, report: Report) -> bool:
    return report.writer_id == membership.user_id


def reviewer_ids(report: Report) -> set[int]:
    if report.template is None:
        return set()
    return set(report.template.reviewers.values_list("pk", flat=True))


def may_write(membership: Membership, report: Report) -> bool:
    """Its writer, and admins, change its texts and blocks while it is not in review."""
    if membership.role == Role.GUEST:
        return False
    return is_writer(membership, report) or membership.at_least(Role.ADMIN)


def may_review(membership: Membership, report: Report) -> bool:
    """The template's reviewers, never its writer; admins when it names no reviewer."""
    if membership.role == Role.GUEST or is_writer(membership, report):
        return False
    reviewers = reviewer_ids(report)
    if reviewers:
        return membership.user_id in reviewers
    return membership.at_least(Role.ADMIN)


def check_may_write(membership: Membership, report: Report) -> None:
    if not may_write(membership, report):
        raise Forbidden(_("Only the report's writer or an admin can do this."))


def check_may_review(membership: Membership, report: Report) -> None:
    if is_writer(membership, report):
        raise Forbidden(_("The writer cannot review their own report."))
    if not may_review(membership, report):
        raise Forbidden(_("Only the report's reviewers can review it."))


def check_may_comment(membership: Membership) -> None:
    if membership.role == Role.GUEST:
        raise Forbidden(_("Guests cannot comment on reports."))


@dataclass(frozen=True)
class Allowed:
    """What the reader may do with a report now, for the page's buttons."""

    write: bool
    submit: bool
    review: bool
    publish: bool
    comment: bool


def allowed(membership: Membership, report: Report) -> Allowed:
    writable = report.status in (Status.DRAFT, Status.CHANGES_REQUESTED)
    write = may_write(membership, report)
    return Allowed(
        write=write and writable,
        submit=write and writable,
        review=report.status == Status.IN_REVIEW and may_review(membership, report),
        publish=write and report.status == Status.APPROVED,
        comment=membership.role != Role.GUEST,
    )


# --- what a template's blocks may point at: what the writer sees


@dataclass(frozen=True)
class Choices:
    kpis: list
    insights: list
    objectives: list
    projects: list
    members: list
    saved_views: list


def block_choices(membership: Membership) -> Choices:
    workspace = membership.workspace
    members = list(
        User.objects.filter(memberships__workspace_id=membership.workspace_id)
        .exclude(memberships__role=Role.GUEST, memberships__workspace_id=membership.workspace_id)
        .order_by("username")
    )
    return Choices(
        kpis=list(goal_queries.list_kpis(membership)),
        insights=insight_queries.list_insights(workspace),
        objectives=list(goal_queries.list_objectives(membership)),
        projects=list(work_queries.visible_projects(membership).order_by("key")),
        members=members,
        saved_views=list(
            work_queries.seen_saved_views(membership).order_by("project__key", "name", "id")
        ),
    )


def workspace_members(membership: Membership, user_ids: list[int]) -> list[User]:
    return list(
        User.objects.filter(
            pk__in=user_ids, memberships__workspace_id=membership.workspace_id
        ).distinct()
    )
