"""Who may use reports (see tests/test_api_permissions.py and
tests/test_page_permissions.py, which read this module). Each project gets a template of
its own (the owner writes it; no reviewers named, so admins review) with a draft, a
report in review and a published one. Members read templates and drafts of the projects
they see; guests only the published reports of projects shared with them; the writer
(the owner) and admins write, admins who are not the writer review."""

from __future__ import annotations

import datetime as dt

READ = "200 200 200 200 404"
TEAM = "200 200 200 404 404"  # guests see no template nor draft
WRITER = "200 200 403 404 404"
WRITER_CREATE = "201 201 403 404 404"
WRITER_DELETE = "204 204 403 404 404"
TEMPLATES = "/workspaces/{slug}/reports/templates"
TEMPLATE = TEMPLATES + "/{report_template_id}"
REPORTS = "/workspaces/{slug}/reports"
REPORT = REPORTS + "/{report_id}"

API_ROUTES: dict = {
    ("GET", TEMPLATES): (READ, None),
    ("POST", TEMPLATES): ("201 201 201 403 404", lambda c: {"name": "内容周报"}),
    ("GET", TEMPLATE): (TEAM, None),
    ("PATCH", TEMPLATE): (WRITER, lambda c: {"name": "周报（改）"}),
    ("DELETE", TEMPLATE): (WRITER_DELETE, None),
    ("POST", TEMPLATE + "/drafts"): (
        WRITER_CREATE,
        lambda c: {"period_kind": "week", "period_start": "2026-01-05"},
    ),
    ("GET", REPORTS): (READ, None),
    ("GET", REPORT): (TEAM, None),
    ("PATCH", REPORT + "/blocks/{block_index}"): (WRITER, lambda c: {"markdown": "本周要点"}),
    ("POST", REPORT + "/blocks/{block_index}/refresh"): (WRITER, None),
    ("GET", REPORT + "/comments"): (TEAM, None),
    ("POST", REPORT + "/comments"): ("201 201 201 404 404", lambda c: {"body": "数字对吗？"}),
    ("POST", REPORT + "/submit"): (WRITER, None),
    # The owner writes these reports: they may not review their own.
    ("POST", REPORTS + "/reviews"): (
        "403 200 403 404 404",
        lambda c: {"report_id": c.get("review_report_id", 0), "approve": True, "note": "可以"},
    ),
    ("POST", REPORTS + "/publications"): (
        WRITER,
        lambda c: {"report_id": c.get("publish_report_id", 0)},
    ),
    ("GET", REPORT + "/markdown"): (TEAM, None),
    ("GET", REPORT + "/pdf"): (TEAM, None),
    ("GET", REPORT + "/xlsx"): (TEAM, None),
}

MEMBERS = dict(owner="ok", admin="ok", member="ok", guest=403, shared_guest=403, outsider=404)
EVERYONE = dict(owner="ok", admin="ok", member="ok", guest="ok", shared_guest="ok", outsider=404)
SEEN = dict(owner="ok", admin="ok", member="ok", guest=404, shared_guest=404, outsider=404)
PUBLISHED = dict(owner="ok", admin="ok", member="ok", guest=404, shared_guest="ok", outsider=404)
WRITERS = dict(owner="ok", admin="ok", member=403, guest=404, shared_guest=404, outsider=404)
PREVIEW = dict(owner=200, admin=200, member=200, guest=403, shared_guest=403, outsider=404)
PAGE_CASES: list = [
    ("GET", "reports", "/w/acme/reports/", EVERYONE),
    ("POST", "reports", "/w/acme/reports/", MEMBERS),
    ("GET", "project_reports", "/w/acme/p/D11/reports/", PUBLISHED),
    ("GET", "report_template", "/w/acme/reports/templates/{report_template_id}/", SEEN),
    ("POST", "report_template", "/w/acme/reports/templates/{report_template_id}/", WRITERS),
    ("GET", "report", "/w/acme/reports/{report_id}/", SEEN),
    ("GET", "report", "/w/acme/reports/{published_report_id}/", PUBLISHED),
    ("POST", "report", "/w/acme/reports/{report_id}/", WRITERS),
    ("GET", "report_markdown", "/w/acme/reports/{published_report_id}/report.md", PUBLISHED),
    ("GET", "report_markdown", "/w/acme/reports/{report_id}/report.md", SEEN),
    ("GET", "report_pdf", "/w/acme/reports/{published_report_id}/report.pdf", PUBLISHED),
    ("GET", "report_pdf", "/w/acme/reports/{report_id}/report.pdf", SEEN),
    ("GET", "report_xlsx", "/w/acme/reports/{published_report_id}/report.xlsx", PUBLISHED),
    ("GET", "report_xlsx", "/w/acme/reports/{report_id}/report.xlsx", SEEN),
    ("POST", "report_preview", "/w/acme/reports/preview/", PREVIEW),
]
PAGE_POST_DATA: dict = {
    "reports": {"name": "内容周报", "schedule": "none"},
    "report_template": {"op": "update", "name": "周报（改）", "schedule": "weekly"},
    "report": {"op": "edit_text", "index": "1", "markdown": "本周要点"},
    "report_preview": {"markdown": "**要点**"},
}


def _reports(owner_ms, project, tag: str) -> dict:
    from opsloop.core.models import Membership, Role
    from opsloop.reports import actions
    from opsloop.reports.periods import week_of
    from opsloop.reports.schemas import ReportTemplateIn

    template = actions.do_create_template(
        actor=owner_ms,
        data=ReportTemplateIn(
            name=f"{tag} 周报",
            project_id=project.pk,
            blocks=[
                {"kind": "heading", "text": f"{tag} {{period}}"},
                {"kind": "text", "markdown": f"{tag} 要点"},
                {"kind": "project_progress"},
            ],
        ),
    )
    reports = []
    for week in (dt.date(2026, 3, 2), dt.date(2026, 3, 9), dt.date(2026, 3, 16)):
        report, _made = actions.do_draft_report(
            template=template, period=week_of(week), actor=owner_ms
        )
        reports.append(report)
    draft, in_review, approved = reports
    admin = (
        Membership.objects.select_related("workspace", "user")
        .filter(workspace_id=owner_ms.workspace_id, role=Role.ADMIN)
        .first()
    )
    for report in (in_review, approved):
        actions.do_submit(actor=owner_ms, report=report)
    if admin is not None:
        actions.do_review(actor=admin, report=approved, approve=True)
    return {
        "report_template_id": template.pk,
        "report_id": draft.pk,
        "block_index": 1,
        "review_report_id": in_review.pk,
        "publish_report_id": approved.pk,
        "_approved": approved,
        "_admin": admin,
    }


def project_context(*, owner_ms, project, item, tag) -> dict:
    found = _reports(owner_ms, project, tag)
    found.pop("_approved")
    found.pop("_admin")
    return found


def page_context(*, owner_ms, project, item) -> dict:
    """D11's template, a draft, and a published report (D11 is shared with shared_guest;
    the world's admin approved it)."""
    from opsloop.reports import actions

    found = _reports(owner_ms, project, "双十一")
    approved = found.pop("_approved")
    found.pop("_admin")
    actions.do_publish(actor=owner_ms, report=approved)
    return {
        "report_template_id": found["report_template_id"],
        "report_id": found["report_id"],
        "published_report_id": approved.pk,
    }
