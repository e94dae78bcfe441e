"""Every write of reports: templates, drafts (by the schedule or by hand), the writer's
edits and refreshes, comments, review, publishing and delivery (docs/reports.md).

A draft is computed from live data and frozen when it is made; only its writer's
explicit refresh of one block reads live data again, and that is recorded. A template
has at most one report per period (a unique constraint): the schedule may fire in two
workers at once, or again after a restart, and still drafts once."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from opsloop.core.background import enqueue_with_transaction
from opsloop.core.errors import Conflict, Forbidden, Invalid
from opsloop.core.markdown import render_markdown
from opsloop.core.models import Membership, Role, User
from opsloop.core.rows import lock_current, save_changed
from opsloop.goals import queries as goal_queries
from opsloop.inbox.actions import do_notify
from opsloop.insights import queries as insight_queries
from opsloop.reports import blocks as report_blocks
from opsloop.reports import queries
from opsloop.reports.models import (
    EventKind,
    Report,
    ReportComment,
    ReportDelivery,
    ReportEvent,
    ReportTemplate,
    Schedule,
    Status,
)
from opsloop.reports.periods import Period, last_firing, make_period, period_fired
from opsloop.reports.render import search_text
from opsloop.reports.schemas import ReportDraftIn, ReportTemplateIn
from opsloop.work import queries as work_queries
from opsloop.work.models import Project

logger = logging.getLogger(__name__)
NOTIFY_KIND = "report"


def report_url(report: Report) -> str:
    return reverse("report", args=[report.workspace.slug, report.pk])


# --- templates


def _check_schedule(values: dict[str, Any]) -> None:
    if not 0 <= values["weekday"] <= 6:
        raise Invalid(_("The weekday is 0 (Monday) to 6 (Sunday)."), field="weekday")
    if not 1 <= values["day"] <= 28:
        raise Invalid(_("The day of the month is 1 to 28."), field="day")
    if not 0 <= values["hour"] <= 23:
        raise Invalid(_("The hour is 0 to 23."), field="hour")


def _check_project(actor: Membership, project_id: int | None) -> Project | None:
    if project_id is None:
        return None
    project = work_queries.visible_projects(actor).filter(pk=project_id).first()
    if project is None:
        raise Invalid(_("No such project."), field="project_id")
    return project


def _check_people(actor: Membership, ids: list[int], field: str, *, guests: bool) -> list[User]:
    users = queries.workspace_members(actor, ids)
    if len(users) != len(set(ids)):
        raise Invalid(_("Everyone named must be a member of the workspace."), field=field)
    if not guests:
        guest_ids = set(
            Membership.objects.filter(
                workspace_id=actor.workspace_id, user_id__in=ids, role=Role.GUEST
            ).values_list("user_id", flat=True)
        )
        if guest_ids:
            raise Invalid(_("Guests cannot write or review reports."), field=field)
    return users


def check_references(actor: Membership, specs: list[dict[str, Any]], project: Project | None):
    """Every block points at something the actor sees, within the template's scope."""
    for i, spec in enumerate(specs):
        field = f"blocks.{i}"
        kind = spec["kind"]
        try:
            if kind == "kpi":
                goal_queries.get_kpi(actor, spec["kpi_id"])
            elif kind == "insight":
                insight_queries.get_insight(actor.workspace, spec["insight_id"])
            elif kind == "objective":
                goal_queries.get_objective(actor, spec["objective_id"])
            elif kind in ("project_progress", "items", *report_blocks.CAMPAIGN_KINDS):
                campaign = kind in report_blocks.CAMPAIGN_KINDS
                if campaign and project is None and spec.get("project_id") is None:
                    continue  # a retrospective's: the closing campaign's
                if project is None and spec.get("project_id") is None:
                    raise Invalid(_("Choose a project."), field=f"{field}.project_id")
                pid = spec.get("project_id") or (project.pk if project else None)
                if project is not None and pid != project.pk:
                    raise Invalid(
                        _("A project's report reads only its own project."),
                        field=f"{field}.project_id",
                    )
                target = _check_project(actor, pid)
                if kind == "items" and spec.get("saved_view_id") and target is not None:
                    work_queries.get_saved_view(actor, target, spec["saved_view_id"])
            elif kind == "numbers":
                for row in spec["rows"]:
                    if row.get("kpi_id"):
                        goal_queries.get_kpi(actor, row["kpi_id"])
                    elif row.get("insight_id"):
                        insight_queries.get_insight(actor.workspace, row["insight_id"])
                    else:
                        raise Invalid(_("A row of numbers names a KPI or an insight."))
        except Invalid as exc:
            if exc.field and exc.field.startswith(field):
                raise
            raise Invalid(exc.message, field=field) from None
        except Exception as exc:
            message = getattr(exc, "message", None) or str(exc)
            raise Invalid(message, field=field) from None


def _writable(actor: Membership) -> None:
    if not actor.at_least(Role.MEMBER):
        raise Forbidden(_("Guests cannot make report templates."))


def do_create_template(*, actor: Membership, data: ReportTemplateIn) -> ReportTemplate:
    """A template of the workspace or of a project the actor sees; its writer is the
    actor unless named."""
    _writable(actor)
    values = data.model_dump()
    _check_schedule(values)
    project = _check_project(actor, values["project_id"])
    specs = report_blocks.check_specs(values["blocks"])
    check_references(actor, specs, project)
    writer_id = values["writer_id"] or actor.user_id
    _check_people(actor, [writer_id], "writer_id", guests=False)
    reviewers = _check_people(actor, values["reviewer_ids"], "reviewer_ids", guests=False)
    subscribers = _check_people(actor, values["subscriber_ids"], "subscriber_ids", guests=True)
    with transaction.atomic():
        template = ReportTemplate.objects.create(
            workspace_id=actor.workspace_id,
            project=project,
            name=values["name"],
            description=values["description"],
            blocks=specs,
            schedule=values["schedule"],
            weekday=values["weekday"],
            day=values["day"],
            hour=values["hour"],
            writer_id=writer_id,
            outside_emails=sorted({e.lower() for e in values["outside_emails"]}),
            created_by=actor.user,
        )
        template.reviewers.set(reviewers)
        template.subscribers.set(subscribers)
    template.workspace = actor.workspace
    return template


def do_update_template(
    *, actor: Membership, template: ReportTemplate, changes: dict[str, Any]
) -> ReportTemplate:
    if not queries.may_change_template(actor, template):
        raise Forbidden(_("Only the template's maker, its writer or an admin can change it."))
    with transaction.atomic():
        before = lock_current(template)
        for name in ("name", "description", "schedule", "weekday", "day", "hour"):
            if changes.get(name) is not None:
                setattr(template, name, changes[name])
        _check_schedule({"weekday": template.weekday, "day": template.day, "hour": template.hour})
        if template.purpose == "retrospective" and template.schedule != Schedule.NONE:
            raise Invalid(
                _("A retrospective has no schedule: it is drafted when its campaign closes."),
                field="schedule",
            )
        if changes.get("blocks") is not None:
            specs = report_blocks.check_specs(changes["blocks"])
            check_references(actor, specs, template.project)
            template.blocks = specs
        if changes.get("writer_id") is not None:
            _check_people(actor, [changes["writer_id"]], "writer_id", guests=False)
            template.writer_id = changes["writer_id"]
        if changes.get("outside_emails") is not None:
            template.outside_emails = sorted({e.lower() for e in changes["outside_emails"]})
        if changes.get("reviewer_ids") is not None:
            template.reviewers.set(
                _check_people(actor, changes["reviewer_ids"], "reviewer_ids", guests=False)
            )
        if changes.get("subscriber_ids") is not None:
            template.subscribers.set(
                _check_people(actor, changes["subscriber_ids"], "subscriber_ids", guests=True)
            )
        save_changed(template, before, "updated_at")
    return template


def do_delete_template(*, actor: Membership, template: ReportTemplate) -> None:
    """Its reports stay, in the archive, without it."""
    if not queries.may_change_template(actor, template):
        raise Forbidden(_("Only the template's maker, its writer or an admin can change it."))
    template.delete()


# --- drafts


def _viewer_for(template: ReportTemplate) -> Membership | None:
    """Whose sight the blocks are read with: the writer's, else the maker's, else an
    owner's (a schedule drafts without anyone at the keyboard)."""
    memberships = Membership.objects.select_related("workspace", "user").filter(
        workspace_id=template.workspace_id
    )
    for user_id in (template.writer_id, template.created_by_id):
        if user_id is not None:
            found = memberships.filter(user_id=user_id).exclude(role=Role.GUEST).first()
            if found is not None:
                return found
    return memberships.filter(role=Role.OWNER).order_by("pk").first()


def default_period(template: ReportTemplate, kind: str, now: dt.datetime | None = None) -> Period:
    """The last whole week or month before today, in the workspace's time zone."""
    today = (now or timezone.now()).astimezone(_zone(template)).date()
    schedule = "monthly" if kind == "month" else "weekly"
    return period_fired(schedule, today)


def _zone(template: ReportTemplate) -> Any:
    import zoneinfo

    return zoneinfo.ZoneInfo(template.workspace.time_zone)


def check_draft_period(template: ReportTemplate, data: ReportDraftIn) -> Period:
    if template.purpose == "retrospective":
        raise Conflict(_("A retrospective is drafted when its campaign project closes."))
    if data.period_start is None:
        if data.period_kind == "custom":
            raise Invalid(_("A custom period needs its start."), field="period_start")
        return default_period(template, data.period_kind)
    return make_period(data.period_kind, data.period_start, data.period_end)


def frame_for(
    template: ReportTemplate, viewer: Membership, period: Period, project: Project | None = None
) -> report_blocks.Frame:
    """What blocks are computed under: the template's project, or the report's (a
    retrospective's template serves every campaign of the workspace)."""
    viewer.workspace = template.workspace
    return report_blocks.Frame(
        workspace=template.workspace,
        viewer=viewer,
        project=project or template.project,
        period=period,
    )


def _title(template: ReportTemplate, period: Period) -> str:
    return f"{template.name} {period.name}"[:300]


def do_draft_report(
    *,
    template: ReportTemplate,
    period: Period,
    actor: Membership | None = None,
    origin: str = "manual",
) -> tuple[Report, bool]:
    """The template's report for the period, computed from live data now and frozen:
    (the report, whether it was made now). By hand (an actor), a period that has one
    already is a conflict; by the schedule, the one there is is returned unchanged."""
    if actor is not None and not queries.may_change_template(actor, template):
        raise Forbidden(_("Only the template's writer, its maker or an admin can draft it."))
    existing = Report.objects.filter(
        template=template, period_start=period.start, period_end=period.end
    ).first()
    if existing is not None:
        if actor is not None:
            raise Conflict(_("This period has its report already."))
        return existing, False
    viewer = actor or _viewer_for(template)
    if viewer is None:
        raise Invalid(_("Nobody in the workspace can read this report's data."))
    writer = template.writer or viewer.user
    language = writer.message_language if actor is None else translation.get_language()
    with translation.override(language):
        frozen = report_blocks.freeze_all(template.blocks, frame_for(template, viewer, period))
    title = _title(template, period)
    try:
        with transaction.atomic():
            report = Report.objects.create(
                workspace_id=template.workspace_id,
                template=template,
                project=template.project,
                title=title,
                period_kind=period.kind,
                period_start=period.start,
                period_end=period.end,
                blocks=frozen,
                search_text=search_text(title, frozen),
                origin=origin,
                writer=writer,
                created_by=actor.user if actor else None,
            )
            ReportEvent.objects.create(
                report=report, actor=actor.user if actor else None, kind=EventKind.DRAFTED
            )
            if actor is None or actor.user_id != writer.pk:
                do_notify(
                    workspace_id=template.workspace_id,
                    recipients=[writer],
                    actor=None,
                    kind=NOTIFY_KIND,
                    title=lambda: _("A draft to write: %(title)s") % {"title": title},
                    url=reverse("report", args=[template.workspace.slug, report.pk]),
                    project=template.project,
                )
    except IntegrityError:
        # Another worker made it between our look and our write: theirs stands.
        report = Report.objects.get(
            template=template, period_start=period.start, period_end=period.end
        )
        if actor is not None:
            raise Conflict(_("This period has its report already.")) from None
        return report, False
    report.workspace = template.workspace
    return report, True


def do_draft_scheduled(*, template_id: int, kind: str, start: str) -> int | None:
    """The schedule's draft of a template for the period starting `start` (ISO date);
    the report's id, or None when the template is gone or off its schedule."""
    template = (
        ReportTemplate.objects.select_related("workspace", "project", "writer")
        .filter(pk=template_id)
        .exclude(schedule=Schedule.NONE)
        .first()
    )
    if template is None:
        return None
    period = make_period(kind, dt.date.fromisoformat(start))
    report, _made = do_draft_report(template=template, period=period, origin="schedule")
    return report.pk


def due_drafts(now: dt.datetime | None = None) -> list[tuple[ReportTemplate, Period]]:
    """The scheduled templates whose latest firing has no report yet, with its period."""
    now = now or timezone.now()
    due = []
    templates = ReportTemplate.objects.exclude(schedule=Schedule.NONE).select_related("workspace")
    for template in templates:
        fired = last_firing(
            template.schedule,
            weekday=template.weekday,
            day=template.day,
            hour=template.hour,
            now=now,
            zone=template.workspace.time_zone,
        )
        if fired is None:
            continue
        period = period_fired(template.schedule, fired.date())
        exists = Report.objects.filter(
            template=template, period_start=period.start, period_end=period.end
        ).exists()
        if not exists:
            due.append((template, period))
    return due


def do_schedule_reports(*, now: dt.datetime | None = None) -> int:
    """Queue a draft for every template whose time has come; how many. Queued twice (two
    schedulers, a restart), a draft is still made once: the task finds it made."""
    due = due_drafts(now)
    for template, period in due:
        enqueue_with_transaction(
            "opsloop.reports.tasks.draft_scheduled_report",
            template.pk,
            period.kind,
            period.start.isoformat(),
        )
    return len(due)


# --- writing


def _locked(report: Report, version: int | None = None) -> dict[str, Any]:
    before = lock_current(report)
    if version is not None and version != report.version:
        raise Conflict(_("The report changed since you opened it; reload it."))
    return before


def _check_writable(actor: Membership, report: Report) -> None:
    queries.check_may_write(actor, report)
    if report.status not in (Status.DRAFT, Status.CHANGES_REQUESTED):
        raise Conflict(_("Only a draft (or one sent back with changes) can be changed."))


def _block_at(report: Report, index: int) -> dict[str, Any]:
    if not 0 <= index < len(report.blocks):
        raise Invalid(_("No such block in this report."), field="block_index")
    return report.blocks[index]


def _store_blocks(report: Report, blocks: list[dict[str, Any]], before: dict[str, Any]) -> None:
    report.blocks = blocks
    report.search_text = search_text(report.title, blocks)
    report.version += 1
    save_changed(report, before, "updated_at")


def do_edit_text(
    *, actor: Membership, report: Report, index: int, markdown: str, version: int | None = None
) -> Report:
    """The writer's words of a text block (Markdown); numbers stay as frozen."""
    with transaction.atomic():
        before = _locked(report, version)
        _check_writable(actor, report)
        block = _block_at(report, index)
        if block.get("kind") != "text":
            raise Invalid(_("Only text blocks are written by hand."), field="block_index")
        blocks = [dict(b) for b in report.blocks]
        blocks[index] = {**block, "text": markdown}
        _store_blocks(report, blocks, before)
        ReportEvent.objects.create(
            report=report, actor=actor.user, kind=EventKind.EDITED, block=index
        )
    return report


def do_refresh_block(*, actor: Membership, report: Report, index: int) -> Report:
    """Compute one block again from live data, as the writer sees it now; recorded."""
    template = report.template
    if template is None:
        raise Conflict(_("The report's template was deleted; its blocks cannot be refreshed."))
    with transaction.atomic():
        before = _locked(report)
        _check_writable(actor, report)
        # A text block refreshed gets the template's words back, placeholders filled.
        block = _block_at(report, index)
        template.workspace = report.workspace
        period = make_period(report.period_kind, report.period_start, report.period_end)
        frame = frame_for(template, actor, period, project=report.project)
        fresh = report_blocks.freeze(block["spec"], frame)
        blocks = [dict(b) for b in report.blocks]
        blocks[index] = fresh
        _store_blocks(report, blocks, before)
        ReportEvent.objects.create(
            report=report, actor=actor.user, kind=EventKind.REFRESHED, block=index
        )
    return report


def do_add_comment(*, actor: Membership, report: Report, body: str) -> ReportComment:
    if actor.role == Role.GUEST:
        raise Forbidden(_("Guests cannot comment on reports."))
    body = body.strip()
    if not body:
        raise Invalid(_("Write something first."), field="body")
    with transaction.atomic():
        comment = ReportComment.objects.create(
            report=report, author=actor.user, body=body, body_html=render_markdown(body)
        )
        people = [u for u in [report.writer] if u is not None]
        do_notify(
            workspace_id=report.workspace_id,
            recipients=people,
            actor=actor.user,
            kind=NOTIFY_KIND,
            title=lambda: (
                _("%(who)s commented on %(title)s")
                % {"who": actor.user.label, "title": report.title}
            ),
            url=report_url(report),
            excerpt=body[:300],
            project=report.project,
        )
    return comment


# --- review and publishing


def _reviewers(report: Report) -> list[User]:
    if report.template is None:
        return []
    return list(report.template.reviewers.all())


def do_submit(*, actor: Membership, report: Report) -> Report:
    with transaction.atomic():
        before = _locked(report)
        _check_writable(actor, report)
        report.status = Status.IN_REVIEW
        report.submitted_at = timezone.now()
        save_changed(report, before, "updated_at")
        ReportEvent.objects.create(report=report, actor=actor.user, kind=EventKind.SUBMITTED)
        do_notify(
            workspace_id=report.workspace_id,
            recipients=_reviewers(report),
            actor=actor.user,
            kind=NOTIFY_KIND,
            title=lambda: _("Please review %(title)s") % {"title": report.title},
            url=report_url(report),
            project=report.project,
        )
    return report


def do_review(*, actor: Membership, report: Report, approve: bool, note: str = "") -> Report:
    """A reviewer (never the writer) approves, or sends it back with what to change."""
    note = note.strip()
    if not approve and not note:
        raise Invalid(_("Say what to change."), field="note")
    with transaction.atomic():
        before = _locked(report)
        queries.check_may_review(actor, report)
        if report.status != Status.IN_REVIEW:
            raise Conflict(_("Only a report in review can be reviewed."))
        now = timezone.now()
        if approve:
            report.status = Status.APPROVED
            report.approved_by, report.approved_at = actor.user, now
        else:
            report.status = Status.CHANGES_REQUESTED
        save_changed(report, before, "updated_at")
        ReportEvent.objects.create(
            report=report,
            actor=actor.user,
            kind=EventKind.APPROVED if approve else EventKind.CHANGES_REQUESTED,
            note=note,
        )
        do_notify(
            workspace_id=report.workspace_id,
            recipients=[u for u in [report.writer] if u is not None],
            actor=actor.user,
            kind=NOTIFY_KIND,
            title=(lambda: _("%(title)s was approved") % {"title": report.title})
            if approve
            else (lambda: _("Changes requested on %(title)s") % {"title": report.title}),
            url=report_url(report),
            excerpt=note[:300],
            project=report.project,
        )
    return report


def readers_among(report: Report, users: list[User]) -> list[User]:
    """Those of `users` who may read the published report."""
    members = Membership.objects.select_related("workspace", "user").filter(
        workspace_id=report.workspace_id, user__in=users
    )
    return [m.user for m in members if queries.visible_reports(m).filter(pk=report.pk).exists()]


def do_publish(*, actor: Membership, report: Report, deliver: bool = True) -> Report:
    """After approval, by its writer or an admin: into the archive, into the subscribers'
    inboxes now and out by email (a background task; not with deliver=False, as the
    demo, whose people are made up, publishes)."""
    with transaction.atomic():
        before = _locked(report)
        queries.check_may_write(actor, report)
        if report.status != Status.APPROVED:
            raise Conflict(_("A report is published once it is approved."))
        report.status = Status.PUBLISHED
        report.published_by, report.published_at = actor.user, timezone.now()
        save_changed(report, before, "updated_at")
        ReportEvent.objects.create(report=report, actor=actor.user, kind=EventKind.PUBLISHED)
        subscribers = list(report.template.subscribers.all()) if report.template else []
        # The email carries the report itself: the inbox row is not emailed again.
        do_notify(
            workspace_id=report.workspace_id,
            recipients=readers_among(report, subscribers),
            actor=actor.user,
            kind=NOTIFY_KIND,
            title=lambda: _("Report published: %(title)s") % {"title": report.title},
            url=report_url(report),
            project=report.project,
            email=False,
        )
        if deliver:
            enqueue_with_transaction("opsloop.reports.tasks.deliver_report", report.pk)
    return report


def recipients_of(report: Report) -> list[tuple[User | None, str]]:
    """Who gets the published report by email: the subscribers who may read it (each in
    their language) and the template's outside addresses, once per address."""
    out: list[tuple[User | None, str]] = []
    seen: set[str] = set()
    if report.template is None:
        return out
    subscribers = list(report.template.subscribers.exclude(email=""))
    for user in readers_among(report, subscribers):
        address = user.email.lower()
        if address not in seen:
            seen.add(address)
            out.append((user, user.email))
    for address in report.template.outside_emails:
        if address.lower() not in seen:
            seen.add(address.lower())
            out.append((None, address))
    return out


def do_deliver_report(*, report_id: int) -> int:
    """Email the published report to each recipient not sent it yet; how many got it
    now. A failed address is recorded and the others still go."""
    from opsloop.reports.email import send_report_email

    report = (
        Report.objects.select_related("workspace", "template", "project", "writer")
        .filter(pk=report_id, status=Status.PUBLISHED)
        .first()
    )
    if report is None:
        return 0
    sent = 0
    for user, address in recipients_of(report):
        delivery, _made = ReportDelivery.objects.get_or_create(
            report=report, email=address.lower(), defaults={"user": user}
        )
        if delivery.sent_at is not None:
            continue
        try:
            send_report_email(report, address, user)
        except Exception as exc:  # noqa: BLE001 (one bad address must not stop the rest)
            logger.warning("report %s to %s failed: %s", report.pk, address, exc)
            delivery.error = str(exc)[:300]
            delivery.save(update_fields=["error"])
        else:
            delivery.sent_at, delivery.error = timezone.now(), ""
            delivery.save(update_fields=["sent_at", "error"])
            sent += 1
    return sent
