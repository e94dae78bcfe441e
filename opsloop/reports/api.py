"""API of reports: templates, drafts ("draft now"), the writer's edits and refreshes,
comments, review, publishing, the archive and the Markdown export (docs/reports.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from opsloop.core.inputs import Date, Int
from opsloop.core.models import Membership
from opsloop.core.schemas import ERROR_CODES, ErrorOut, Out, UserOut
from opsloop.reports import actions, export, queries, render
from opsloop.reports.models import Report, ReportTemplate
from opsloop.reports.schemas import (
    ReportCommentIn,
    ReportDraftIn,
    ReportPublishIn,
    ReportReviewIn,
    ReportTemplateIn,
    ReportTemplatePatch,
    ReportTextIn,
)

router = Router()
ERRORS = {ERROR_CODES: ErrorOut}
TAGS = ["Reports"]
REPORTS = "/workspaces/{slug}/reports"
TEMPLATES = REPORTS + "/templates"
TEMPLATE = TEMPLATES + "/{report_template_id}"
REPORT = REPORTS + "/{report_id}"
BLOCK = REPORT + "/blocks/{block_index}"


class ReportTemplateOut(Out):
    id: int
    name: str
    description: str
    project_id: int | None
    blocks: list[dict[str, Any]]
    schedule: str
    weekday: int
    day: int
    hour: int
    writer: UserOut | None
    reviewer_ids: list[int]
    subscriber_ids: list[int]
    outside_emails: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime


class ReportSummaryOut(Out):
    id: int
    title: str
    template_id: int | None
    project_id: int | None
    period_kind: str
    period_start: dt.date
    period_end: dt.date
    status: str
    origin: str
    writer: UserOut | None
    version: int
    created_at: dt.datetime
    published_at: dt.datetime | None


class ReportEventOut(Out):
    kind: str
    actor: UserOut | None
    block: int | None
    note: str
    created_at: dt.datetime


class ReportOut(ReportSummaryOut):
    blocks: list[dict[str, Any]] = Field(
        description="The frozen blocks: kind, title, spec, text (Markdown), table "
        "{columns, rows}, chart {type, x, series}, data, computed_at, error."
    )
    submitted_at: dt.datetime | None
    approved_by: UserOut | None
    approved_at: dt.datetime | None
    events: list[ReportEventOut]
    allowed: dict[str, bool]


class ReportCommentOut(Out):
    id: int
    author: UserOut | None
    body: str
    body_html: str
    created_at: dt.datetime


class ReportMarkdownOut(Schema):
    filename: str
    markdown: str


class ReportArchiveQuery(Schema):
    q: str = Field("", max_length=200, description="Words in the title or the text.")
    since: Date | None = Field(None, description="Periods ending on or after.")
    until: Date | None = Field(None, description="Periods starting on or before.")
    status: str = Field("", max_length=20, description="published, open, or any status.")
    template_id: Int | None = None
    project_key: str = Field("", max_length=10)


def _template_out(template: ReportTemplate) -> dict[str, Any]:
    out = ReportTemplateOut.model_validate(
        {
            **{
                f: getattr(template, f)
                for f in ReportTemplateOut.model_fields
                if hasattr(template, f)
            },
            "reviewer_ids": sorted(u.pk for u in template.reviewers.all()),
            "subscriber_ids": sorted(u.pk for u in template.subscribers.all()),
        }
    )
    return out.model_dump()


def _report_out(membership: Membership, report: Report) -> dict[str, Any]:
    allowed = queries.allowed(membership, report)
    data = {f: getattr(report, f) for f in ReportOut.model_fields if hasattr(report, f)}
    data["events"] = queries.list_events(report)
    data["allowed"] = allowed.__dict__
    return ReportOut.model_validate(data).model_dump()


def _template(request: HttpRequest, slug: str, template_id: int):
    membership = queries.access_reports(request.auth, slug)
    return membership, queries.get_template(membership, template_id)


def _report(request: HttpRequest, slug: str, report_id: int) -> tuple[Membership, Report]:
    membership = queries.access_reports(request.auth, slug)
    return membership, queries.get_report(membership, report_id)


# --- templates


@router.get(TEMPLATES, response={200: list[ReportTemplateOut], **ERRORS}, summary="List report templates",
            tags=TAGS, description="Members: the workspace's and those of projects they see.")  # fmt: skip
def get_templates(request: HttpRequest, slug: str) -> list:
    membership = queries.access_reports(request.auth, slug)
    return [_template_out(t) for t in queries.list_templates(membership)]


@router.post(TEMPLATES, response={201: ReportTemplateOut, **ERRORS}, summary="Make a report template",
             tags=TAGS, description="Members and above; every block must point at what "
             "they see.")  # fmt: skip
def create_template(request: HttpRequest, slug: str, payload: ReportTemplateIn) -> Status:
    membership = queries.access_reports(request.auth, slug)
    template = actions.do_create_template(actor=membership, data=payload)
    return Status(201, _template_out(queries.get_template(membership, template.pk)))


@router.get(TEMPLATE, response={200: ReportTemplateOut, **ERRORS}, summary="Get a report template",
            tags=TAGS)  # fmt: skip
def get_template(request: HttpRequest, slug: str, report_template_id: int) -> dict:
    _membership, template = _template(request, slug, report_template_id)
    return _template_out(template)


@router.patch(TEMPLATE, response={200: ReportTemplateOut, **ERRORS}, summary="Change a report template",
              tags=TAGS, description="Its maker, its writer and admins.")  # fmt: skip
def update_template(
    request: HttpRequest, slug: str, report_template_id: int, payload: ReportTemplatePatch
) -> dict:
    membership, template = _template(request, slug, report_template_id)
    changes = payload.model_dump(exclude_unset=True)
    actions.do_update_template(actor=membership, template=template, changes=changes)
    return _template_out(queries.get_template(membership, template.pk))


@router.delete(TEMPLATE, response={204: None, **ERRORS}, summary="Delete a report template",
               tags=TAGS, description="Its reports stay in the archive.")  # fmt: skip
def delete_template(request: HttpRequest, slug: str, report_template_id: int) -> Status[None]:
    membership, template = _template(request, slug, report_template_id)
    actions.do_delete_template(actor=membership, template=template)
    return Status(204, None)


@router.post(TEMPLATE + "/drafts", response={201: ReportOut, **ERRORS}, summary="Draft now",
             tags=TAGS, description="Computes every block from live data and freezes it; "
             "409 when the period has its report already.")  # fmt: skip
def draft_now(
    request: HttpRequest, slug: str, report_template_id: int, payload: ReportDraftIn
) -> Status:
    membership, template = _template(request, slug, report_template_id)
    period = actions.check_draft_period(template, payload)
    report, _made = actions.do_draft_report(template=template, period=period, actor=membership)
    return Status(201, _report_out(membership, queries.get_report(membership, report.pk)))


# --- reports


@router.get(REPORTS, response={200: list[ReportSummaryOut], **ERRORS}, summary="List reports",
            tags=TAGS, description="The archive as the caller sees it, newest period first; "
            "guests see the published reports of their projects.")  # fmt: skip
def get_reports(request: HttpRequest, slug: str, filters: Query[ReportArchiveQuery]) -> list:
    membership = queries.access_reports(request.auth, slug)
    project_id = None
    if filters.project_key:
        project_id = queries.project_for_archive(membership, filters.project_key).pk
    archive = queries.ArchiveFilters(
        q=filters.q, since=filters.since, until=filters.until, status=filters.status,
        template_id=filters.template_id, project_id=project_id,
    )  # fmt: skip
    return queries.list_reports(membership, archive)


# Before the routes of one report: "reviews" is not a report's id.
@router.post(REPORTS + "/reviews", response={200: ReportOut, **ERRORS},
             summary="Review a report", tags=TAGS,
             description="A reviewer who is not its writer approves it, or sends it back "
             "with a note saying what to change; recorded with who and when.")  # fmt: skip
def review(request: HttpRequest, slug: str, payload: ReportReviewIn) -> dict:
    membership, report = _report(request, slug, payload.report_id)
    actions.do_review(actor=membership, report=report, approve=payload.approve, note=payload.note)
    return _report_out(membership, report)


@router.post(REPORTS + "/publications", response={200: ReportOut, **ERRORS},
             summary="Publish a report", tags=TAGS,
             description="Once approved, by its writer or an admin: into the archive, the "
             "subscribers' inboxes, and out by email.")  # fmt: skip
def publish(request: HttpRequest, slug: str, payload: ReportPublishIn) -> dict:
    membership, report = _report(request, slug, payload.report_id)
    actions.do_publish(actor=membership, report=report)
    return _report_out(membership, report)


@router.get(REPORT, response={200: ReportOut, **ERRORS}, summary="Get a report", tags=TAGS)
def get_report(request: HttpRequest, slug: str, report_id: int) -> dict:
    membership, report = _report(request, slug, report_id)
    return _report_out(membership, report)


@router.patch(BLOCK, response={200: ReportOut, **ERRORS}, summary="Write a text block",
              tags=TAGS, description="The writer (or an admin), while a draft.")  # fmt: skip
def edit_block(
    request: HttpRequest, slug: str, report_id: int, block_index: int, payload: ReportTextIn
) -> dict:
    membership, report = _report(request, slug, report_id)
    actions.do_edit_text(actor=membership, report=report, index=block_index,
                         markdown=payload.markdown, version=payload.version)  # fmt: skip
    return _report_out(membership, report)


@router.post(BLOCK + "/refresh", response={200: ReportOut, **ERRORS},
             summary="Refresh a block", tags=TAGS,
             description="Computes one block again from live data; recorded.")  # fmt: skip
def refresh_block(request: HttpRequest, slug: str, report_id: int, block_index: int) -> dict:
    membership, report = _report(request, slug, report_id)
    actions.do_refresh_block(actor=membership, report=report, index=block_index)
    return _report_out(membership, report)


@router.get(REPORT + "/comments", response={200: list[ReportCommentOut], **ERRORS},
            summary="List a report's comments", tags=TAGS)  # fmt: skip
def get_comments(request: HttpRequest, slug: str, report_id: int) -> list:
    membership, report = _report(request, slug, report_id)
    queries.check_may_comment(membership)
    return queries.list_comments(report)


@router.post(REPORT + "/comments", response={201: ReportCommentOut, **ERRORS},
             summary="Comment on a report", tags=TAGS)  # fmt: skip
def add_comment(
    request: HttpRequest, slug: str, report_id: int, payload: ReportCommentIn
) -> Status:
    membership, report = _report(request, slug, report_id)
    return Status(201, actions.do_add_comment(actor=membership, report=report, body=payload.body))


@router.post(REPORT + "/submit", response={200: ReportOut, **ERRORS},
             summary="Submit a report for review", tags=TAGS)  # fmt: skip
def submit(request: HttpRequest, slug: str, report_id: int) -> dict:
    membership, report = _report(request, slug, report_id)
    actions.do_submit(actor=membership, report=report)
    return _report_out(membership, report)


@router.get(REPORT + "/markdown", response={200: ReportMarkdownOut, **ERRORS},
            summary="A report as Markdown", tags=TAGS)  # fmt: skip
def export_markdown(request: HttpRequest, slug: str, report_id: int) -> dict:
    _membership, report = _report(request, slug, report_id)
    name = f"report-{report.pk}-{report.period_start.isoformat()}.md"
    return {"filename": name, "markdown": render.report_markdown(report)}


def _file_response(content_type: str, what: str) -> dict[str, Any]:
    """The OpenAPI description of a binary download."""
    return {
        "responses": {
            200: {
                "description": what,
                "content": {content_type: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }


def _download(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get(REPORT + "/pdf", response={200: None, **ERRORS}, summary="A report as PDF",
            tags=TAGS, description="A4, with its charts and page numbers; whoever reads "
            "the report may download it.",
            openapi_extra=_file_response(export.PDF_TYPE, "The PDF file."))  # fmt: skip
def export_pdf(request: HttpRequest, slug: str, report_id: int) -> HttpResponse:
    _membership, report = _report(request, slug, report_id)
    return _download(export.report_pdf(report), export.PDF_TYPE, export.filename(report, "pdf"))


@router.get(REPORT + "/xlsx", response={200: None, **ERRORS}, summary="A report as XLSX",
            tags=TAGS, description="A summary sheet with the texts, then a sheet per table "
            "block; numbers as numbers.",
            openapi_extra=_file_response(export.XLSX_TYPE, "The workbook."))  # fmt: skip
def export_xlsx(request: HttpRequest, slug: str, report_id: int) -> HttpResponse:
    _membership, report = _report(request, slug, report_id)
    return _download(export.report_xlsx(report), export.XLSX_TYPE, export.filename(report, "xlsx"))
