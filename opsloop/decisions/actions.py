"""Every write to decision records: checks, status changes, scores, the decision, the
review and its reminder, and records made from a meeting's decisions."""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from opsloop.core.background import enqueue_with_transaction
from opsloop.core.errors import Conflict, Forbidden, Invalid
from opsloop.core.markdown import render_markdown
from opsloop.core.models import Membership, Role, User
from opsloop.core.rows import lock_current, save_changed
from opsloop.decisions.models import (
    Criterion,
    DecisionRecord,
    Option,
    Outcome,
    Score,
    Status,
)
from opsloop.decisions.queries import (
    check_can_edit,
    check_open,
    due_reviews,
    get_project,
    insights_by_id,
    items_by_ref,
    kpis_by_id,
    members_by_id,
    record_url,
)
from opsloop.decisions.schemas import (
    CriterionIn,
    CriterionPatch,
    DecideIn,
    DecisionOptionIn,
    DecisionOptionPatch,
    DecisionRecordIn,
    DecisionRecordPatch,
    DecisionReviewIn,
    ScoreIn,
)
from opsloop.inbox.actions import do_notify
from opsloop.meetings.models import Decision as MeetingDecision
from opsloop.meetings.queries import meeting_day
from opsloop.work.models import Project
from opsloop.work.queries import EDIT, assignable_users, check_project_permission

logger = logging.getLogger(__name__)

# The inbox kind of a decision's notifications: scores asked, reviews due.
NOTIFICATION_KIND = "decision"
# The hour of the review day, in the workspace's time zone, at which the owner is reminded.
REMINDER_HOUR = 9


# --- checks


def _project(actor: Membership, key: str | None) -> Project | None:
    if not key:
        return None
    project = get_project(actor, key)
    project.workspace = actor.workspace
    check_project_permission(actor, project, EDIT)
    return project


def _people(
    actor: Membership, project: Project | None, user_ids: list[int], field: str
) -> list[User]:
    """Members who can see the record: of its project when it has one, else not guests."""
    ids = list(dict.fromkeys(user_ids))
    members = members_by_id(actor.workspace_id, ids)
    allowed = (
        set(assignable_users(project).filter(pk__in=ids).values_list("pk", flat=True))
        if project is not None
        else {pk for pk, m in members.items() if m.role != Role.GUEST}
    )
    for user_id in ids:
        if user_id not in members:
            raise Invalid(
                _("User %(id)s is not a member of this workspace.") % {"id": user_id}, field=field
            )
        if user_id not in allowed:
            raise Invalid(
                _("%(name)s cannot see this decision record.")
                % {"name": members[user_id].user.label},
                field=field,
            )
    return [members[user_id].user for user_id in ids]


def _kpis(actor: Membership, ids: list[int]) -> list:
    found = kpis_by_id(actor, ids)
    for pk in ids:
        if pk not in found:
            raise Invalid(_("No KPI with id %(id)s.") % {"id": pk}, field="kpi_ids")
    return [found[pk] for pk in dict.fromkeys(ids)]


def _insights(actor: Membership, ids: list[int]) -> list:
    found = insights_by_id(actor, ids)
    for pk in ids:
        if pk not in found:
            raise Invalid(_("No saved insight with id %(id)s.") % {"id": pk}, field="insight_ids")
    return [found[pk] for pk in dict.fromkeys(ids)]


def _items(actor: Membership, refs: list[str], field: str) -> list:
    found = items_by_ref(actor, refs)
    items = []
    for ref in dict.fromkeys(r.strip().upper() for r in refs):
        if ref not in found:
            raise Invalid(_("No work item %(ref)s.") % {"ref": ref}, field=field)
        items.append(found[ref])
    return items


# --- records


def do_create_record(*, actor: Membership, data: DecisionRecordIn) -> DecisionRecord:
    if not actor.at_least(Role.MEMBER):
        raise Forbidden(_("Guests cannot create decision records."))
    project = _project(actor, data.project_key)
    owner_id = data.owner_id if data.owner_id is not None else actor.user_id
    (owner,) = _people(actor, project, [owner_id], "owner_id")
    scorers = _people(actor, project, data.scorer_ids, "scorer_ids")
    kpis = _kpis(actor, data.kpi_ids)
    insights = _insights(actor, data.insight_ids)
    problem_items = _items(actor, data.problem_refs, "problem_refs")
    work_items = _items(actor, data.work_refs, "work_refs")
    with transaction.atomic():
        record = DecisionRecord.objects.create(
            workspace=actor.workspace,
            project=project,
            title=data.title,
            problem=data.problem,
            problem_html=render_markdown(data.problem),
            context=data.context,
            context_html=render_markdown(data.context),
            owner=owner,
            review_on=data.review_on,
            created_by=actor.user,
        )
        record.scorers.set(scorers)
        record.kpis.set(kpis)
        record.insights.set(insights)
        record.problem_items.set(problem_items)
        record.work_items.set(work_items)
        _tell_scorers(actor=actor, record=record, users=scorers)
    return record


def do_update_record(
    *, actor: Membership, record: DecisionRecord, data: DecisionRecordPatch
) -> DecisionRecord:
    """Change the fields given; people newly asked to score are told while it is scored."""
    check_can_edit(actor, record)
    changes = data.model_dump(exclude_unset=True)
    if "title" in changes and changes["title"] is None:
        raise Invalid(_("%(field)s cannot be empty.") % {"field": "title"}, field="title")
    project = record.project
    if "project_key" in changes:
        project = _project(actor, changes["project_key"])
    owner_id = changes.get("owner_id") or record.owner_id
    owner = _people(actor, project, [owner_id], "owner_id")[0] if owner_id else None
    scorer_ids = changes.get("scorer_ids")
    if scorer_ids is None:
        scorer_ids = list(record.scorers.values_list("pk", flat=True))
    scorers = _people(actor, project, scorer_ids, "scorer_ids")
    links = {
        "kpis": _kpis(actor, changes["kpi_ids"]) if changes.get("kpi_ids") is not None else None,
        "insights": _insights(actor, changes["insight_ids"])
        if changes.get("insight_ids") is not None
        else None,
        "problem_items": _items(actor, changes["problem_refs"], "problem_refs")
        if changes.get("problem_refs") is not None
        else None,
        "work_items": _items(actor, changes["work_refs"], "work_refs")
        if changes.get("work_refs") is not None
        else None,
    }
    with transaction.atomic():
        before = lock_current(record)
        asked_before = set(record.scorers.values_list("pk", flat=True))
        if changes.get("title") is not None:
            record.title = changes["title"]
        for name in ("problem", "context"):
            if changes.get(name) is not None:
                setattr(record, name, changes[name])
                setattr(record, f"{name}_html", render_markdown(changes[name]))
        record.project, record.owner = project, owner
        if "review_on" in changes:
            if record.review_on != changes["review_on"]:
                record.review_reminded_at = None
            record.review_on = changes["review_on"]
        save_changed(record, before, "updated_at")
        if changes.get("scorer_ids") is not None or "project_key" in changes:
            record.scorers.set(scorers)
        for name, linked in links.items():
            if linked is not None:
                _keep_hidden(actor, record, name, linked)
        if record.status == Status.SCORING:
            added = [u for u in scorers if u.pk not in asked_before]
            _tell_scorers(actor=actor, record=record, users=added)
        if record.status == Status.DECIDED and "review_on" in changes:
            _schedule_reminder(record)
    return record


def _keep_hidden(actor: Membership, record: DecisionRecord, name: str, linked: list) -> None:
    """Replace the links the actor can see with `linked`; links to what the actor cannot
    see (an item of a private project, a KPI of one) stay as they are."""
    manager = getattr(record, name)
    visible = {obj.pk for obj in linked}
    if name == "kpis":
        mine = set(kpis_by_id(actor, list(manager.values_list("pk", flat=True))))
    elif name == "insights":
        mine = set(insights_by_id(actor, list(manager.values_list("pk", flat=True))))
    else:
        mine = {
            i.pk
            for i in items_by_ref(
                actor, [f"{k}-{n}" for k, n in manager.values_list("project__key", "number")]
            ).values()
        }
    kept = set(manager.values_list("pk", flat=True)) - mine
    manager.set(sorted(kept | visible))


def do_delete_record(*, actor: Membership, record: DecisionRecord) -> None:
    check_can_edit(actor, record)
    record.delete()


def do_set_status(*, actor: Membership, record: DecisionRecord, status: str) -> DecisionRecord:
    """draft <-> scoring; withdrawn from any status before reviewed; draft again from
    withdrawn (a decided record brought back loses its decision)."""
    check_can_edit(actor, record)
    with transaction.atomic():
        before = lock_current(record)
        current = record.status
        allowed = {
            Status.DRAFT: {Status.SCORING, Status.WITHDRAWN},
            Status.SCORING: {Status.DRAFT, Status.WITHDRAWN},
            Status.DECIDED: {Status.WITHDRAWN},
            Status.WITHDRAWN: {Status.DRAFT},
            Status.REVIEWED: set(),
        }[Status(current)]
        if status == current:
            return record
        if status not in allowed:
            raise Conflict(
                _("A decision record cannot go from %(from)s to %(to)s.")
                % {"from": record.get_status_display(), "to": Status(status).label}
            )
        record.status = status
        if status == Status.SCORING:
            if not record.options.exists() or not record.criteria.exists():
                raise Invalid(
                    _("Add at least one option and one criterion before asking for scores."),
                    field="status",
                )
            if not record.scorers.exists():
                raise Invalid(_("Ask at least one person to score first."), field="status")
        if status == Status.DRAFT and current == Status.WITHDRAWN:
            record.chosen_option, record.decided_by, record.decided_at = None, None, None
            record.review_reminded_at = None
        save_changed(record, before, "updated_at")
        if status == Status.SCORING:
            _tell_scorers(actor=actor, record=record, users=list(record.scorers.all()))
    return record


def _tell_scorers(*, actor: Membership, record: DecisionRecord, users: list[User]) -> None:
    if record.status != Status.SCORING or not users:
        return
    do_notify(
        workspace_id=record.workspace_id,
        recipients=users,
        actor=actor.user,
        kind=NOTIFICATION_KIND,
        title=lambda: (
            _("%(name)s asks you to score the options of %(title)s")
            % {"name": actor.user.label, "title": record.title}
        ),
        url=record_url(record) + "score/",
        project=record.project,
    )


# --- options and criteria


def _next_sequence(model: type[Option] | type[Criterion], record: DecisionRecord) -> int:
    last = model.objects.filter(record=record).aggregate(m=Max("sequence"))["m"]
    return 0 if last is None else last + 1


MAX_OPTIONS = MAX_CRITERIA = 20


def do_add_option(*, actor: Membership, record: DecisionRecord, data: DecisionOptionIn) -> Option:
    check_can_edit(actor, record)
    check_open(record)
    if Option.objects.filter(record=record).count() >= MAX_OPTIONS:
        raise Invalid(_("A decision weighs at most %(n)s options.") % {"n": MAX_OPTIONS})
    return Option.objects.create(
        record=record,
        title=data.title,
        description=data.description,
        sequence=_next_sequence(Option, record),
    )


def do_update_option(*, actor: Membership, option: Option, data: DecisionOptionPatch) -> Option:
    check_can_edit(actor, option.record)
    check_open(option.record)
    changes = data.model_dump(exclude_unset=True)
    with transaction.atomic():
        before = lock_current(option)
        for name in ("title", "description"):
            if changes.get(name) is not None:
                setattr(option, name, changes[name])
        save_changed(option, before)
    return option


def do_delete_option(*, actor: Membership, option: Option) -> None:
    check_can_edit(actor, option.record)
    check_open(option.record)
    option.delete()


def do_add_criterion(*, actor: Membership, record: DecisionRecord, data: CriterionIn) -> Criterion:
    check_can_edit(actor, record)
    check_open(record)
    if Criterion.objects.filter(record=record).count() >= MAX_CRITERIA:
        raise Invalid(_("A decision has at most %(n)s criteria.") % {"n": MAX_CRITERIA})
    return Criterion.objects.create(
        record=record,
        title=data.title,
        weight=data.weight,
        sequence=_next_sequence(Criterion, record),
    )


def do_update_criterion(
    *, actor: Membership, criterion: Criterion, data: CriterionPatch
) -> Criterion:
    check_can_edit(actor, criterion.record)
    check_open(criterion.record)
    changes = data.model_dump(exclude_unset=True)
    with transaction.atomic():
        before = lock_current(criterion)
        for name in ("title", "weight"):
            if changes.get(name) is not None:
                setattr(criterion, name, changes[name])
        save_changed(criterion, before)
    return criterion


def do_delete_criterion(*, actor: Membership, criterion: Criterion) -> None:
    check_can_edit(actor, criterion.record)
    check_open(criterion.record)
    criterion.delete()


# --- scores


def do_score(*, actor: Membership, record: DecisionRecord, scores: list[ScoreIn]) -> int:
    """Set the actor's scores of the cells given (null takes one back); the others stay.
    Only the people asked, only while the record is being scored. How many cells changed."""
    if not record.scorers.filter(pk=actor.user_id).exists():
        raise Forbidden(_("Only the people asked to score this decision can score it."))
    option_ids = set(Option.objects.filter(record=record).values_list("pk", flat=True))
    criterion_ids = set(Criterion.objects.filter(record=record).values_list("pk", flat=True))
    for i, score in enumerate(scores):
        if score.option_id not in option_ids:
            raise Invalid(
                _("No option %(id)s in this decision.") % {"id": score.option_id},
                field=f"scores.{i}.option_id",
            )
        if score.criterion_id not in criterion_ids:
            raise Invalid(
                _("No criterion %(id)s in this decision.") % {"id": score.criterion_id},
                field=f"scores.{i}.criterion_id",
            )
    changed = 0
    with transaction.atomic():
        # The status is read under the lock: a score cannot slip in after the decision.
        locked = DecisionRecord.objects.select_for_update().get(pk=record.pk)
        if locked.status != Status.SCORING:
            raise Conflict(
                _("Scores are given while the decision is being scored; it is %(status)s.")
                % {"status": locked.get_status_display()}
            )
        for score in scores:
            mine = Score.objects.filter(
                option_id=score.option_id, criterion_id=score.criterion_id, scorer_id=actor.user_id
            )
            if score.value is None:
                changed += mine.delete()[0]
                continue
            Score.objects.update_or_create(
                record=record,
                option_id=score.option_id,
                criterion_id=score.criterion_id,
                scorer_id=actor.user_id,
                defaults={"value": score.value},
            )
            changed += 1
    return changed


# --- the decision and its review


def do_decide(*, actor: Membership, record: DecisionRecord, data: DecideIn) -> DecisionRecord:
    """Choose an option: the scores freeze, the review is put on the calendar."""
    check_can_edit(actor, record)
    check_open(record)
    option = Option.objects.filter(record=record, pk=data.option_id).first()
    if option is None:
        raise Invalid(_("No option %(id)s in this decision.") % {"id": data.option_id},
                      field="option_id")  # fmt: skip
    work_items = _items(actor, data.work_refs, "work_refs") if data.work_refs is not None else None
    with transaction.atomic():
        before = lock_current(record)
        check_open(record)
        record.status = Status.DECIDED
        record.chosen_option = option
        record.rationale = data.rationale
        record.rationale_html = render_markdown(data.rationale)
        record.decided_by = actor.user
        record.decided_at = timezone.now()
        if data.review_on is not None:
            record.review_on = data.review_on
        record.review_reminded_at = None
        save_changed(record, before, "updated_at")
        if work_items is not None:
            _keep_hidden(actor, record, "work_items", work_items)
        _schedule_reminder(record)
    return record


def do_review(
    *, actor: Membership, record: DecisionRecord, data: DecisionReviewIn
) -> DecisionRecord:
    """Record whether the decision worked."""
    check_can_edit(actor, record)
    with transaction.atomic():
        before = lock_current(record)
        if record.status not in (Status.DECIDED, Status.REVIEWED):
            raise Conflict(_("Only a decision taken can be reviewed."))
        record.status = Status.REVIEWED
        record.outcome = Outcome(data.outcome)
        record.review_note = data.note
        record.review_note_html = render_markdown(data.note)
        record.reviewed_by = actor.user
        record.reviewed_at = timezone.now()
        save_changed(record, before, "updated_at")
    return record


def reminder_time(record: DecisionRecord) -> dt.datetime | None:
    """REMINDER_HOUR on the review day, in the workspace's time zone."""
    if record.review_on is None:
        return None
    zone = zoneinfo.ZoneInfo(record.workspace.time_zone)
    return dt.datetime.combine(record.review_on, dt.time(REMINDER_HOUR), zone)


def _schedule_reminder(record: DecisionRecord) -> None:
    """A background task for the review day; it reminds whoever is due then (the record
    claims its reminder once, so a task queued twice or run by two workers tells once)."""
    when = reminder_time(record)
    if when is None or record.status != Status.DECIDED:
        return
    enqueue_with_transaction("opsloop.decisions.tasks.remind_reviews", run_after=when)


def do_remind_review(*, record: DecisionRecord, now: dt.datetime | None = None) -> bool:
    """Remind the owner of a record that its review is due, once: the first caller to set
    the record's marker does it, any other (a second worker, a second task) does nothing.
    Whether this caller reminded."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = DecisionRecord.objects.filter(
            pk=record.pk, status=Status.DECIDED, review_reminded_at__isnull=True
        ).update(review_reminded_at=now)
        if not claimed or record.owner is None:
            return False
        record.review_reminded_at = now
        do_notify(
            workspace_id=record.workspace_id,
            recipients=[record.owner],
            actor=None,
            kind=NOTIFICATION_KIND,
            title=lambda: (
                _("Review the decision %(title)s: did it work?") % {"title": record.title}
            ),
            url=record_url(record) + "review/",
            excerpt=_("Compare its KPIs before and after, and record the outcome."),
            project=record.project,
        )
    return True


def do_remind_reviews(*, now: dt.datetime | None = None) -> int:
    """Remind the owner of every record whose review day has come; how many were told."""
    told = 0
    for record in due_reviews(now):
        try:
            told += do_remind_review(record=record, now=now)
        except Exception:  # noqa: BLE001 (one broken record must not stop the others)
            logger.exception("reminder of decision record %s failed", record.pk)
    return told


# --- from a meeting


@dataclass(frozen=True)
class Promoted:
    record: DecisionRecord
    created: bool


def do_promote_meeting_decision(*, actor: Membership, decision: MeetingDecision) -> Promoted:
    """A decision record made from a meeting's decision: titled with its first line, its
    context the decision with a link back to the meeting, in the meeting's project. A
    decision promoted before answers with the record made then."""
    if not actor.at_least(Role.MEMBER):
        raise Forbidden(_("Guests cannot create decision records."))
    meeting = decision.meeting
    existing = DecisionRecord.objects.filter(meeting_decision=decision).first()
    if existing is not None:
        return Promoted(existing, False)
    first_line = decision.text.strip().splitlines()[0] if decision.text.strip() else ""
    title = first_line[:200] or meeting.title[:200]
    link = {
        "title": meeting.title.replace("[", "(").replace("]", ")"),
        "url": f"/w/{actor.workspace.slug}/meetings/{meeting.pk}/",
        "day": meeting_day(meeting).isoformat(),
    }
    if meeting.private:
        source = _("Decided in a [private meeting](%(url)s) of %(day)s.") % link
    else:
        source = _("Decided in the meeting [%(title)s](%(url)s) of %(day)s.") % link
    quoted = "\n".join(f"> {line}" for line in decision.text.strip().splitlines())
    context = f"{source}\n\n{quoted}"
    project = meeting.project
    if project is not None:
        project.workspace = actor.workspace
    with transaction.atomic():
        locked = MeetingDecision.objects.select_for_update().get(pk=decision.pk)
        existing = DecisionRecord.objects.filter(meeting_decision=locked).first()
        if existing is not None:
            return Promoted(existing, False)
        record = DecisionRecord.objects.create(
            workspace=actor.workspace,
            project=project,
            title=title,
            context=context,
            context_html=render_markdown(context),
            owner=actor.user,
            meeting_decision=locked,
            created_by=actor.user,
        )
    return Promoted(record, True)
