"""The report pages: the archive of a workspace (with its templates) and of a project,
one template (its settings, blocks and "draft now"), one report (its frozen blocks, the
writer's text in Markdown with a preview, comments, review and publishing), its
Markdown download, and the preview of Markdown as it will show."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from opsloop.core.errors import Forbidden, Invalid
from opsloop.core.inputs import parse_input
from opsloop.core.markdown import render_markdown
from opsloop.core.models import Membership, Role
from opsloop.core.pages import int_param, page, run_post
from opsloop.reports import actions, blocks, export, queries, render
from opsloop.reports.models import Report, ReportTemplate, Schedule, Status
from opsloop.reports.schemas import ReportDraftIn, ReportTemplateIn

WEEKDAYS = [
    (0, gettext_lazy("Monday")), (1, gettext_lazy("Tuesday")), (2, gettext_lazy("Wednesday")),
    (3, gettext_lazy("Thursday")), (4, gettext_lazy("Friday")), (5, gettext_lazy("Saturday")),
    (6, gettext_lazy("Sunday")),
]  # fmt: skip


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _filters(request: HttpRequest, **extra: Any) -> queries.ArchiveFilters:
    status = request.GET.get("status", "")
    return queries.ArchiveFilters(
        q=request.GET.get("q", "")[:200],
        since=_day(request.GET.get("since")),
        until=_day(request.GET.get("until")),
        status=status if status in ("open", *Status.values) else "",
        **extra,
    )


def _ids(request: HttpRequest, name: str) -> list[int]:
    return [int_param(v) for v in request.POST.getlist(name) if v]


def _emails(text: str) -> list[str]:
    return [e.strip() for e in text.replace(",", "\n").replace(";", "\n").splitlines() if e.strip()]


def _template_values(request: HttpRequest) -> dict[str, Any]:
    post = request.POST
    values: dict[str, Any] = {
        "name": post.get("name", ""),
        "description": post.get("description", ""),
        "schedule": post.get("schedule", "none"),
        "weekday": int_param(post.get("weekday") or "0"),
        "day": int_param(post.get("day") or "1"),
        "hour": int_param(post.get("hour") or "9"),
        "reviewer_ids": _ids(request, "reviewer_ids"),
        "subscriber_ids": _ids(request, "subscriber_ids"),
        "outside_emails": _emails(post.get("outside_emails", "")),
    }
    if post.get("writer_id"):
        values["writer_id"] = int_param(post.get("writer_id"))
    return values


def _base(membership: Membership, **more: Any) -> dict[str, Any]:
    return {"membership": membership, "workspace": membership.workspace, "nav": "reports", **more}


@login_required
@page
def reports(request: HttpRequest, slug: str) -> HttpResponse:
    """The archive (what the reader sees, searchable by period and text), the templates
    and a form to make one."""
    membership = queries.access_reports(request.user, slug)

    def post() -> HttpResponse:
        values = _template_values(request)
        if request.POST.get("project_id"):
            values["project_id"] = int_param(request.POST.get("project_id"))
        values["blocks"] = _starter_blocks(request.POST.get("starter", ""))
        template = actions.do_create_template(
            actor=membership, data=parse_input(ReportTemplateIn, values)
        )
        messages.success(request, _("Template made: add its blocks."))
        return redirect("report_template", slug, template.pk)

    response, error = run_post(request, post)
    if response is not None:
        return response
    filters = _filters(request)
    member = membership.at_least(Role.MEMBER)
    context = _base(
        membership,
        reports=queries.list_reports(membership, filters),
        filters=filters,
        templates=queries.list_templates(membership) if member else [],
        choices=queries.block_choices(membership) if member else None,
        weekdays=WEEKDAYS,
        schedules=Schedule.choices,
        statuses=Status.choices,
        error=error,
        posted=request.POST if error else {},
        scope=None,
    )
    return TemplateResponse(
        request, "reports/reports.html", context, status=error.status if error else 200
    )


def _starter_blocks(kind: str) -> list[dict[str, Any]]:
    if kind != "weekly":
        return []
    return [
        {"kind": "heading", "text": _("{team} weekly report {period}")},
        {"kind": "text", "markdown": _("Summary of {start} – {end}: ...")},
        {"kind": "decisions"},
    ]


@login_required
@page
def project_reports(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """A project's archive: its published reports (and drafts, for members)."""
    membership = queries.access_reports(request.user, slug)
    project = queries.project_for_archive(membership, key)
    filters = _filters(request, project_id=project.pk)
    context = _base(
        membership,
        reports=queries.list_reports(membership, filters),
        filters=filters,
        templates=[],
        choices=None,
        statuses=Status.choices,
        scope=project,
        project=project,
    )
    return TemplateResponse(request, "reports/reports.html", context)


def _block_from_form(
    request: HttpRequest, previous: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A block's specification from the add or edit form; an edited block keeps its kind,
    and a numbers row that stays keeps its label and series."""
    post = request.POST
    kind = previous["kind"] if previous else post.get("kind", "")
    spec: dict[str, Any] = {"kind": kind, "title": post.get("title", "")}
    if kind == "heading":
        spec["text"] = post.get("text", "")
    elif kind == "text":
        spec["markdown"] = post.get("text", "")
    elif kind in ("kpi", "insight", "objective"):
        spec[f"{kind}_id"] = int_param(post.get(f"{kind}_id"))
    elif kind in ("project_progress", "items", *blocks.CAMPAIGN_KINDS):
        if post.get("project_id"):
            spec["project_id"] = int_param(post.get("project_id"))
        if kind == "items":
            spec["query"] = post.get("query", "")
            if post.get("saved_view_id"):
                spec["saved_view_id"] = int_param(post.get("saved_view_id"))
            if post.get("limit"):
                spec["limit"] = int_param(post.get("limit"))
    elif kind == "numbers":
        kept = {
            (row.get("kpi_id"), row.get("insight_id")): row
            for row in (previous or {}).get("rows", [])
        }
        rows = [(int_param(v), None) for v in post.getlist("number_kpi_ids") if v]
        rows += [(None, int_param(v)) for v in post.getlist("number_insight_ids") if v]
        spec["rows"] = [
            kept.get(key) or {k: v for k, v in zip(("kpi_id", "insight_id"), key, strict=True) if v}
            for key in rows
        ]
    return spec


def _target(spec: dict[str, Any], choices: queries.Choices) -> str:
    """What a block reads, named: its KPI, insight, objective, project or saved view
    ("" when it reads none, or one the reader cannot see)."""
    named = {
        "kpi_id": {x.pk: x.name for x in choices.kpis},
        "insight_id": {x.pk: x.name for x in choices.insights},
        "objective_id": {x.pk: x.title for x in choices.objectives},
        "project_id": {x.pk: f"{x.key} {x.name}" for x in choices.projects},
        "saved_view_id": {x.pk: x.name for x in choices.saved_views},
    }
    names = [named[key].get(spec[key], "") for key in named if spec.get(key)]
    rows = spec.get("rows") or []
    names += [
        named["kpi_id"].get(r.get("kpi_id"), "") or named["insight_id"].get(r.get("insight_id"), "")
        for r in rows
    ]
    return " · ".join(n for n in names if n)


def _picked(spec: dict[str, Any]) -> dict[str, set[int]]:
    """What a numbers block's selects show as chosen."""
    rows = spec.get("rows", [])
    return {
        "kpis": {r["kpi_id"] for r in rows if r.get("kpi_id")},
        "insights": {r["insight_id"] for r in rows if r.get("insight_id")},
    }


def _template_post(
    request: HttpRequest, membership: Membership, template: ReportTemplate
) -> HttpResponse:
    op = request.POST.get("op", "")
    slug = membership.workspace.slug
    specs = list(template.blocks)
    if op == "draft":
        data = parse_input(
            ReportDraftIn,
            {
                "period_kind": request.POST.get("period_kind") or "week",
                "period_start": request.POST.get("period_start") or None,
                "period_end": request.POST.get("period_end") or None,
            },
        )
        period = actions.check_draft_period(template, data)
        report, _made = actions.do_draft_report(template=template, period=period, actor=membership)
        messages.success(request, _("Draft made from live data."))
        return redirect("report", slug, report.pk)
    if op == "delete":
        actions.do_delete_template(actor=membership, template=template)
        messages.success(request, _("Template deleted; its reports stay in the archive."))
        return redirect("reports", slug)
    if op == "update":
        values = _template_values(request)
        actions.do_update_template(actor=membership, template=template, changes=values)
        messages.success(request, _("Template saved."))
    elif op == "add_block":
        specs.append(_block_from_form(request))
        actions.do_update_template(actor=membership, template=template, changes={"blocks": specs})
    elif op in ("remove_block", "up_block", "edit_block"):
        index = int_param(request.POST.get("index"))
        if not 0 <= index < len(specs):
            raise Invalid(_("No such block."), field="index")
        if op == "edit_block":
            specs[index] = _block_from_form(request, previous=specs[index])
        elif op == "remove_block":
            specs.pop(index)
        elif index > 0:
            specs[index - 1], specs[index] = specs[index], specs[index - 1]
        actions.do_update_template(actor=membership, template=template, changes={"blocks": specs})
    else:
        raise Invalid(_("Unknown action."))
    return redirect("report_template", slug, template.pk)


@login_required
@page
def report_template(request: HttpRequest, slug: str, template_id: int) -> HttpResponse:
    membership = queries.access_reports(request.user, slug)
    template = queries.get_template(membership, template_id)
    response, error = run_post(request, lambda: _template_post(request, membership, template))
    if response is not None:
        return response
    labels = blocks.kind_labels()
    choices = queries.block_choices(membership)
    context = _base(
        membership,
        template=template,
        specs=[
            (i, labels.get(s["kind"], s["kind"]), s, _picked(s), _target(s, choices))
            for i, s in enumerate(template.blocks)
        ],
        kinds=list(labels.items()),
        can_change=queries.may_change_template(membership, template),
        choices=choices,
        reviewer_ids={u.pk for u in template.reviewers.all()},
        subscriber_ids={u.pk for u in template.subscribers.all()},
        reports=queries.list_reports(
            membership, queries.ArchiveFilters(template_id=template.pk), limit=20
        ),
        default_week=actions.default_period(template, "week").start,
        weekdays=WEEKDAYS,
        schedules=Schedule.choices,
        error=error,
    )
    return TemplateResponse(
        request, "reports/template.html", context, status=error.status if error else 200
    )


def _report_post(request: HttpRequest, membership: Membership, report: Report) -> HttpResponse:
    op = request.POST.get("op", "")
    slug = membership.workspace.slug
    if op == "edit_text":
        actions.do_edit_text(
            actor=membership,
            report=report,
            index=int_param(request.POST.get("index")),
            markdown=request.POST.get("markdown", "")[: blocks.TEXT_LIMIT],
            version=int_param(request.POST.get("version")) if request.POST.get("version") else None,
        )
        messages.success(request, _("Text saved."))
    elif op == "refresh":
        actions.do_refresh_block(
            actor=membership, report=report, index=int_param(request.POST.get("index"))
        )
        messages.success(request, _("Block computed again from live data."))
    elif op == "comment":
        actions.do_add_comment(actor=membership, report=report, body=request.POST.get("body", ""))
    elif op == "submit":
        actions.do_submit(actor=membership, report=report)
        messages.success(request, _("Sent for review."))
    elif op in ("approve", "request_changes"):
        actions.do_review(
            actor=membership,
            report=report,
            approve=op == "approve",
            note=request.POST.get("note", "")[:5000],
        )
    elif op == "publish":
        actions.do_publish(actor=membership, report=report)
        messages.success(request, _("Published: the subscribers get it now."))
    else:
        raise Invalid(_("Unknown action."))
    return redirect("report", slug, report.pk)


@login_required
@page
def report(request: HttpRequest, slug: str, report_id: int) -> HttpResponse:
    membership = queries.access_reports(request.user, slug)
    found = queries.get_report(membership, report_id)
    response, error = run_post(request, lambda: _report_post(request, membership, found))
    if response is not None:
        return response
    context = _base(
        membership,
        report=found,
        blocks=render.rendered_blocks(found),
        allowed=queries.allowed(membership, found),
        events=queries.list_events(found),
        comments=queries.list_comments(found) if membership.role != Role.GUEST else [],
        deliveries=queries.list_deliveries(found) if membership.at_least(Role.MEMBER) else [],
        error=error,
    )
    return TemplateResponse(
        request, "reports/report.html", context, status=error.status if error else 200
    )


@login_required
@page
def report_markdown(request: HttpRequest, slug: str, report_id: int) -> HttpResponse:
    membership = queries.access_reports(request.user, slug)
    found = queries.get_report(membership, report_id)
    response = HttpResponse(
        render.report_markdown(found), content_type="text/markdown; charset=utf-8"
    )
    name = f"report-{found.pk}-{found.period_start.isoformat()}.md"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _download(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@page
def report_pdf(request: HttpRequest, slug: str, report_id: int) -> HttpResponse:
    """The report as an A4 PDF: whoever reads the report may download it."""
    membership = queries.access_reports(request.user, slug)
    found = queries.get_report(membership, report_id)
    return _download(export.report_pdf(found), export.PDF_TYPE, export.filename(found, "pdf"))


@login_required
@page
def report_xlsx(request: HttpRequest, slug: str, report_id: int) -> HttpResponse:
    """The report as a workbook: a summary sheet and a sheet per table."""
    membership = queries.access_reports(request.user, slug)
    found = queries.get_report(membership, report_id)
    return _download(export.report_xlsx(found), export.XLSX_TYPE, export.filename(found, "xlsx"))


@login_required
@require_POST
@page
def report_preview(request: HttpRequest, slug: str) -> HttpResponse:
    """Markdown as the report will show it (sanitized), for the editor's preview."""
    membership = queries.access_reports(request.user, slug)
    if membership.role == Role.GUEST:
        raise Forbidden(_("Guests cannot write reports."))
    html = render_markdown(request.POST.get("markdown", "")[: blocks.TEXT_LIMIT])
    return HttpResponse(html or "<p class='muted'>—</p>")
