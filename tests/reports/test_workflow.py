"""Writing, review and publishing: who may do what, what is recorded, and what the
subscribers get (the inbox, and an email with the report inline and its charts as PNG
images, received by a real SMTP server)."""

from __future__ import annotations

import datetime as dt

import pytest

from opsloop.core.errors import Conflict, Forbidden, Invalid
from opsloop.core.models import Role
from opsloop.inbox.models import Notification
from opsloop.reports import actions, queries
from opsloop.reports.models import ReportDelivery, Status
from opsloop.reports.periods import week_of
from opsloop.reports.schemas import ReportTemplateIn
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ItemIn, ProjectIn
from tests.conftest import add_member, membership_of
from tests.inbox.conftest import parts, smtp, subject  # noqa: F401 (fixture)
from tests.reports.conftest import WEEK, at


@pytest.fixture
def draft(world):
    with at(dt.date(2026, 3, 9), 9):
        report, _made = actions.do_draft_report(
            template=world.template, period=week_of(WEEK), actor=world.owner_ms
        )
    return report


def _ms(user, world):
    return membership_of(user, world.owner_ms.workspace)


def test_the_writer_edits_submits_and_a_reviewer_approves(world, draft):
    writer = world.owner_ms
    reviewer = _ms(world.reviewer, world)
    report = actions.do_edit_text(
        actor=writer, report=draft, index=1, markdown="**涨粉 25%**，GMV 回落。", version=1
    )
    assert report.blocks[1]["text"] == "**涨粉 25%**，GMV 回落。" and report.version == 2
    with pytest.raises(Conflict):  # an edit from a page opened before the last one
        actions.do_edit_text(actor=writer, report=report, index=1, markdown="x", version=1)
    with pytest.raises(Invalid):  # numbers are computed, not typed
        actions.do_edit_text(actor=writer, report=report, index=2, markdown="x")
    with pytest.raises(Forbidden):  # only the writer (or an admin) writes
        actions.do_edit_text(actor=reviewer, report=report, index=1, markdown="x")
    actions.do_add_comment(actor=reviewer, report=report, body="GMV 为什么回落？")
    actions.do_submit(actor=writer, report=report)
    assert Notification.objects.filter(recipient=world.reviewer, kind="report").exists()
    with pytest.raises(Forbidden):  # the writer cannot approve their own report
        actions.do_review(actor=writer, report=report, approve=True)
    with pytest.raises(Forbidden):  # nor can a member who is not a reviewer
        actions.do_review(actor=_ms(world.member, world), report=report, approve=True)
    with pytest.raises(Invalid):
        actions.do_review(actor=reviewer, report=report, approve=False, note="")
    actions.do_review(actor=reviewer, report=report, approve=False, note="补充 GMV 原因")
    assert report.status == Status.CHANGES_REQUESTED
    actions.do_edit_text(actor=writer, report=report, index=1, markdown="GMV 回落：大促前夕。")
    actions.do_submit(actor=writer, report=report)
    with pytest.raises(Conflict):  # not before approval
        actions.do_publish(actor=writer, report=report)
    actions.do_review(actor=reviewer, report=report, approve=True, note="可以发")
    assert report.status == Status.APPROVED and report.approved_by == world.reviewer
    events = [(e.kind, e.actor.username if e.actor else None, e.note) for e in report.events.all()]
    assert events == [
        ("drafted", "owner", ""),
        ("edited", "owner", ""),
        ("submitted", "owner", ""),
        ("changes_requested", "reviewer", "补充 GMV 原因"),
        ("edited", "owner", ""),
        ("submitted", "owner", ""),
        ("approved", "reviewer", "可以发"),
    ]
    assert all(e.created_at is not None for e in report.events.all())


def _approved(world, report):
    actions.do_submit(actor=world.owner_ms, report=report)
    actions.do_review(actor=_ms(world.reviewer, world), report=report, approve=True)
    return report


def test_publishing_reaches_the_inbox_and_real_mailboxes(world, draft, smtp):  # noqa: F811
    report = _approved(world, draft)
    with pytest.raises(Forbidden):  # the reviewer is not its writer nor an admin
        actions.do_publish(actor=_ms(world.reviewer, world), report=report)
    actions.do_publish(actor=world.owner_ms, report=report)
    note = Notification.objects.get(recipient=world.member, kind="report")
    assert note.title == "Report published: 运营周报 2026-W10" and not note.email_due
    assert actions.do_deliver_report(report_id=report.pk) == 2
    smtp.wait(2)
    by_address = {rcpt[0]: message for rcpt, message in smtp.messages}
    assert set(by_address) == {"reader@example.com", "boss@partner.example"}
    message = by_address["boss@partner.example"]
    assert subject(message) == "[opsloop] 运营周报 2026-W10"
    bodies = parts(message)
    html = bodies["text/html"]
    assert "公众号粉丝" in html and "+25%" in html and "主会场预算追加 2 万" in html
    images = [p for p in message.walk() if p.get_content_type() == "image/png"]
    assert images and f"cid:{images[0]['Content-ID'].strip('<>')}" in html
    assert images[0].get_payload(decode=True).startswith(b"\x89PNG\r\n\x1a\n")
    assert "| 公众号粉丝 | 人 | 1,250 |" in bodies["text/plain"]
    # Delivered once: a second run of the task sends nothing again.
    assert actions.do_deliver_report(report_id=report.pk) == 0
    assert ReportDelivery.objects.filter(report=report, sent_at__isnull=False).count() == 2


def test_a_guest_sees_only_published_reports_of_projects_shared_with_them(world, owner_ms):
    guest = add_member(owner_ms.workspace, "agency", Role.GUEST)
    shared = work_actions.do_create_project(
        actor=owner_ms, data=ProjectIn(name="代理商合作", key="AGY")
    )
    work_actions.do_add_project_member(actor=owner_ms, project=shared, user_id=guest.pk)
    work_actions.do_create_item(actor=owner_ms, project=shared, data=ItemIn(title="投放"))
    project_template = actions.do_create_template(
        actor=owner_ms,
        data=ReportTemplateIn(
            name="代理商周报",
            project_id=shared.pk,
            blocks=[{"kind": "project_progress"}],
            reviewer_ids=[world.reviewer.pk],
        ),
    )
    with at(dt.date(2026, 3, 9), 9):
        agency_report, _ = actions.do_draft_report(
            template=project_template, period=week_of(WEEK), actor=owner_ms
        )
        workspace_report, _ = actions.do_draft_report(
            template=world.template, period=week_of(WEEK), actor=owner_ms
        )
    guest_ms = membership_of(guest, owner_ms.workspace)
    everything = queries.ArchiveFilters()
    assert queries.list_reports(guest_ms, everything) == []  # drafts are not theirs
    for report in (agency_report, workspace_report):
        _approved(world, report)
        actions.do_publish(actor=owner_ms, report=report)
    assert [r.pk for r in queries.list_reports(guest_ms, everything)] == [agency_report.pk]
    assert queries.list_templates(guest_ms) == []
    with pytest.raises(Forbidden):
        actions.do_add_comment(actor=guest_ms, report=agency_report, body="?")
    member_ms = membership_of(world.member, owner_ms.workspace)
    assert {r.pk for r in queries.list_reports(member_ms, everything)} == {
        agency_report.pk, workspace_report.pk,
    }  # fmt: skip


def test_the_archive_is_searched_by_period_and_text(world, draft):
    member_ms = membership_of(world.member, world.owner_ms.workspace)
    found = queries.list_reports(member_ms, queries.ArchiveFilters(q="主会场预算"))
    assert [r.pk for r in found] == [draft.pk]
    assert queries.list_reports(member_ms, queries.ArchiveFilters(q="没有的词")) == []
    march = queries.ArchiveFilters(since=dt.date(2026, 3, 1), until=dt.date(2026, 3, 31))
    assert [r.pk for r in queries.list_reports(member_ms, march)] == [draft.pk]
    april = queries.ArchiveFilters(since=dt.date(2026, 4, 1))
    assert queries.list_reports(member_ms, april) == []


def test_a_template_refuses_what_its_maker_cannot_see(world, owner_ms):
    member_ms = membership_of(world.member, owner_ms.workspace)
    secret = work_actions.do_create_project(
        actor=owner_ms, data=ProjectIn(name="保密", key="SEC", visibility="private")
    )
    with pytest.raises(Invalid) as refused:
        actions.do_create_template(
            actor=member_ms,
            data=ReportTemplateIn(
                name="x", blocks=[{"kind": "project_progress", "project_id": secret.pk}]
            ),
        )
    assert refused.value.field == "blocks.0"
    with pytest.raises(Invalid) as bad:
        actions.do_create_template(
            actor=member_ms, data=ReportTemplateIn(name="x", blocks=[{"kind": "kpi"}])
        )
    assert bad.value.field == "blocks.0.kpi_id"
