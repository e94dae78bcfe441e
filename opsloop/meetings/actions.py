"""Every write to meetings: checks, invitations, recurrence, and action items made work items."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from opsloop.core.errors import Conflict, Forbidden, Invalid
from opsloop.core.markdown import render_markdown
from opsloop.core.models import Membership, Role, User
from opsloop.core.rows import lock_current, save_changed
from opsloop.inbox.actions import do_notify
from opsloop.meetings.models import (
    ActionItem,
    AgendaItem,
    Attendee,
    Decision,
    Meeting,
    MeetingKind,
    Recurrence,
)
from opsloop.meetings.queries import (
    can_delete_meeting,
    check_can_edit,
    get_project,
    meeting_day,
)
from opsloop.meetings.schemas import (
    ActionItemIn,
    ActionItemPatch,
    AgendaItemIn,
    AgendaItemPatch,
    DecisionIn,
    MeetingIn,
    MeetingPatch,
)
from opsloop.work.actions import do_create_item
from opsloop.work.models import Item, Project
from opsloop.work.queries import EDIT, assignable_users, check_project_permission
from opsloop.work.schemas import ItemIn

DEFAULT_LENGTH = timedelta(hours=1)
# A meeting longer than this is almost certainly a typo in the end time.
MAX_LENGTH = timedelta(days=7)


def meeting_url(meeting: Meeting) -> str:
    return f"/w/{meeting.workspace.slug}/meetings/{meeting.pk}/"


# --- recurrence


def shift(moment: datetime, recurrence: str) -> datetime:
    """The same wall-clock time one period later, in the install's zone; a monthly meeting
    on a day the next month lacks (the 31st) falls on that month's last day."""
    local = timezone.localtime(moment)
    if recurrence == Recurrence.WEEKLY:
        shifted = local.replace(tzinfo=None) + timedelta(days=7)
    elif recurrence == Recurrence.BIWEEKLY:
        shifted = local.replace(tzinfo=None) + timedelta(days=14)
    elif recurrence == Recurrence.MONTHLY:
        year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
        day = min(local.day, calendar.monthrange(year, month)[1])
        shifted = local.replace(tzinfo=None, year=year, month=month, day=day)
    else:
        raise Invalid(_("This meeting does not repeat."), field="recurrence")
    return timezone.make_aware(shifted)


# --- people


def _check_attendees(
    *, actor: Membership, kind: str, project: Project | None, attendee_ids: list[int]
) -> list[User]:
    """The organizer plus the people invited, each a member who can see the meeting's project."""
    ids = list(dict.fromkeys([actor.user_id, *attendee_ids]))
    members = {
        m.user_id: m
        for m in Membership.objects.select_related("user").filter(
            workspace_id=actor.workspace_id, user_id__in=ids
        )
    }
    for user_id in ids:
        if user_id not in members:
            raise Invalid(
                _("User %(id)s is not a member of this workspace.") % {"id": user_id},
                field="attendee_ids",
            )
    if project is not None:
        allowed = set(assignable_users(project).filter(pk__in=ids).values_list("pk", flat=True))
        for user_id in ids:
            if user_id not in allowed:
                raise Invalid(
                    _("%(name)s cannot see project %(key)s, so cannot attend its meeting.")
                    % {"name": members[user_id].user.label, "key": project.key},
                    field="attendee_ids",
                )
    if kind == MeetingKind.ONE_ON_ONE and len(ids) != 2:
        raise Invalid(
            _("A one-to-one has exactly two attendees: you and one other person."),
            field="attendee_ids",
        )
    return [members[user_id].user for user_id in ids]


def _check_times(starts_at: datetime, ends_at: datetime | None) -> tuple[datetime, datetime]:
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at)
    if ends_at is None:
        ends_at = starts_at + DEFAULT_LENGTH
    elif timezone.is_naive(ends_at):
        ends_at = timezone.make_aware(ends_at)
    if ends_at <= starts_at:
        raise Invalid(_("The meeting must end after it starts."), field="ends_at")
    if ends_at - starts_at > MAX_LENGTH:
        raise Invalid(_("A meeting lasts at most seven days."), field="ends_at")
    return starts_at, ends_at


def _check_private(kind: str, private: bool | None) -> bool:
    if kind == MeetingKind.ONE_ON_ONE:
        if private is False:
            raise Invalid(_("A one-to-one is always private."), field="private")
        return True
    return bool(private)


def _project(actor: Membership, key: str | None) -> Project | None:
    if not key:
        return None
    project = get_project(actor, key)
    check_project_permission(actor, project, EDIT)
    return project


def _invite(*, actor: Membership, meeting: Meeting, users: list[User]) -> None:
    when = timezone.localtime(meeting.starts_at)
    do_notify(
        workspace_id=meeting.workspace_id,
        recipients=users,
        actor=actor.user,
        kind="meeting",
        title=lambda: (
            _("%(name)s invited you to %(title)s on %(when)s")
            % {
                "name": actor.user.label,
                "title": meeting.title,
                "when": when.strftime("%Y-%m-%d %H:%M"),
            }
        ),
        url=meeting_url(meeting),
        excerpt=meeting.location,
        project=meeting.project,
    )


# --- meetings


def _organizer_membership(meeting: Meeting) -> Membership | None:
    """The organizer's membership of the meeting's workspace, if they are still a member."""
    if meeting.organizer_id is None:
        return None
    return (
        Membership.objects.select_related("user", "workspace")
        .filter(workspace_id=meeting.workspace_id, user_id=meeting.organizer_id)
        .first()
    )


def do_create_meeting(*, actor: Membership, data: MeetingIn) -> Meeting:
    if not actor.at_least(Role.MEMBER):
        raise Forbidden(_("Guests cannot create meetings."))
    project = _project(actor, data.project_key)
    starts_at, ends_at = _check_times(data.starts_at, data.ends_at)
    private = _check_private(data.kind, data.private)
    attendees = _check_attendees(
        actor=actor, kind=data.kind, project=project, attendee_ids=data.attendee_ids
    )
    with transaction.atomic():
        meeting = Meeting.objects.create(
            workspace=actor.workspace,
            project=project,
            title=data.title,
            kind=data.kind,
            starts_at=starts_at,
            ends_at=ends_at,
            location=data.location,
            private=private,
            recurrence=data.recurrence,
            organizer=actor.user,
            minutes=data.minutes,
            minutes_html=render_markdown(data.minutes),
        )
        Attendee.objects.bulk_create([Attendee(meeting=meeting, user=u) for u in attendees])
        _invite(actor=actor, meeting=meeting, users=attendees)
    return meeting


def do_update_meeting(*, actor: Membership, meeting: Meeting, data: MeetingPatch) -> Meeting:
    """Change the fields given; new attendees are invited."""
    check_can_edit(actor, meeting)
    changes = data.model_dump(exclude_unset=True)
    for required in ("title", "kind", "starts_at", "recurrence"):
        if required in changes and changes[required] is None:
            raise Invalid(_("%(field)s cannot be empty.") % {"field": required}, field=required)
    moves = "project_key" in changes
    moved_to = _project(actor, changes.pop("project_key")) if moves else None
    with transaction.atomic():
        # What is not sent is kept as it is now, not as the caller read it.
        before = lock_current(meeting)
        kind = changes.get("kind") or meeting.kind
        project = meeting.project
        if moves:
            project = moved_to
        elif project is not None:
            project.workspace = meeting.workspace
        starts_at = changes.get("starts_at") or meeting.starts_at
        ends_at = changes.get("ends_at") or meeting.ends_at
        if changes.get("starts_at") and not changes.get("ends_at"):
            # Moving a meeting keeps its length.
            starts_at = (
                timezone.make_aware(starts_at) if timezone.is_naive(starts_at) else starts_at
            )
            ends_at = starts_at + (meeting.ends_at - meeting.starts_at)
        starts_at, ends_at = _check_times(starts_at, ends_at)
        if changes.get("private") is not None:
            private = _check_private(kind, changes["private"])
        else:
            private = _check_private(kind, meeting.private or None)
        current = list(meeting.attendees.values_list("pk", flat=True))
        attendee_ids = changes.get("attendee_ids")
        # Changing who attends or where the meeting belongs re-checks everyone who attends.
        if attendee_ids is not None or project != meeting.project or kind != meeting.kind:
            ids = (
                attendee_ids
                if attendee_ids is not None
                else [u for u in current if u != meeting.organizer_id]
            )
            organizer = _organizer_membership(meeting) or actor
            users = _check_attendees(actor=organizer, kind=kind, project=project, attendee_ids=ids)
        else:
            users = None
        for name in ("title", "location"):
            if changes.get(name) is not None:
                setattr(meeting, name, changes[name])
        if changes.get("recurrence"):
            meeting.recurrence = changes["recurrence"]
        if changes.get("minutes") is not None:
            meeting.minutes = changes["minutes"]
            meeting.minutes_html = render_markdown(meeting.minutes)
        meeting.kind, meeting.project, meeting.private = kind, project, private
        meeting.starts_at, meeting.ends_at = starts_at, ends_at
        save_changed(meeting, before, "updated_at")
        if users is not None:
            wanted = {u.pk for u in users}
            Attendee.objects.filter(meeting=meeting).exclude(user_id__in=wanted).delete()
            added = [u for u in users if u.pk not in current]
            Attendee.objects.bulk_create([Attendee(meeting=meeting, user=u) for u in added])
            _invite(actor=actor, meeting=meeting, users=added)
    return meeting


def do_delete_meeting(*, actor: Membership, meeting: Meeting) -> None:
    if not can_delete_meeting(actor, meeting):
        raise Forbidden(_("Only the organizer or a workspace admin can delete this meeting."))
    meeting.delete()


def do_create_next_occurrence(*, actor: Membership, meeting: Meeting) -> Meeting:
    """The next meeting of a recurring series: same people, place and project, one period
    later, with the agenda topics not done carried over."""
    check_can_edit(actor, meeting)
    if meeting.recurrence == Recurrence.NONE:
        raise Invalid(_("This meeting does not repeat."), field="recurrence")
    with transaction.atomic():
        # Locked, so two clicks (or a click and the scheduled roll) make one next meeting.
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        existing = Meeting.objects.filter(previous=locked).first()
        if existing is not None:
            raise Conflict(_("The next occurrence exists already."), data={"next_id": existing.pk})
        attendees = list(locked.attendees.all())
        following = Meeting.objects.create(
            workspace_id=locked.workspace_id,
            project_id=locked.project_id,
            title=locked.title,
            kind=locked.kind,
            starts_at=shift(locked.starts_at, locked.recurrence),
            ends_at=shift(locked.ends_at, locked.recurrence),
            location=locked.location,
            private=locked.private,
            recurrence=locked.recurrence,
            previous=locked,
            organizer_id=locked.organizer_id,
        )
        Attendee.objects.bulk_create([Attendee(meeting=following, user=u) for u in attendees])
        AgendaItem.objects.bulk_create(
            [
                AgendaItem(
                    meeting=following,
                    title=topic.title,
                    owner_id=topic.owner_id,
                    notes=topic.notes,
                    sequence=i,
                )
                for i, topic in enumerate(
                    locked.agenda.filter(done=False).order_by("sequence", "id")
                )
            ]
        )
        following.workspace = meeting.workspace
        following.project = meeting.project
        _invite(actor=actor, meeting=following, users=attendees)
    return following


@dataclass(frozen=True)
class RollResult:
    created: list[Meeting]
    skipped: list[Meeting]


def do_roll_meetings(*, now: datetime | None = None) -> RollResult:
    """Make the next occurrence of every recurring series whose latest meeting has started,
    in the name of its organizer; series whose organizer left the workspace are skipped."""
    from opsloop.meetings.queries import recurring_series_due

    created, skipped = [], []
    for meeting in recurring_series_due(now):
        organizer = _organizer_membership(meeting)
        if organizer is None:
            skipped.append(meeting)
            continue
        try:
            created.append(do_create_next_occurrence(actor=organizer, meeting=meeting))
        except Conflict:
            continue  # made meanwhile, by a click on the meeting page
        except Forbidden:
            skipped.append(meeting)
    return RollResult(created, skipped)


# --- agenda


def _check_owner(meeting: Meeting, owner_id: int | None, field: str = "owner_id") -> int | None:
    """An owner must attend the meeting."""
    if owner_id is None:
        return None
    if not Attendee.objects.filter(meeting=meeting, user_id=owner_id).exists():
        raise Invalid(
            _("User %(id)s does not attend this meeting.") % {"id": owner_id}, field=field
        )
    return owner_id


def do_add_agenda_item(*, actor: Membership, meeting: Meeting, data: AgendaItemIn) -> AgendaItem:
    check_can_edit(actor, meeting)
    owner_id = _check_owner(meeting, data.owner_id)
    last = AgendaItem.objects.filter(meeting=meeting).aggregate(m=Max("sequence"))["m"]
    return AgendaItem.objects.create(
        meeting=meeting,
        title=data.title,
        owner_id=owner_id,
        notes=data.notes,
        sequence=0 if last is None else last + 1,
    )


def do_update_agenda_item(
    *, actor: Membership, topic: AgendaItem, data: AgendaItemPatch
) -> AgendaItem:
    check_can_edit(actor, topic.meeting)
    changes = data.model_dump(exclude_unset=True)
    if "title" in changes and changes["title"] is None:
        raise Invalid(_("%(field)s cannot be empty.") % {"field": "title"}, field="title")
    owner_id = _check_owner(topic.meeting, changes["owner_id"]) if "owner_id" in changes else None
    with transaction.atomic():
        before = lock_current(topic)
        if "owner_id" in changes:
            topic.owner_id = owner_id
        for name in ("title", "notes", "done"):
            if changes.get(name) is not None:
                setattr(topic, name, changes[name])
        save_changed(topic, before)
    return topic


def do_delete_agenda_item(*, actor: Membership, topic: AgendaItem) -> None:
    check_can_edit(actor, topic.meeting)
    topic.delete()


def do_reorder_agenda(*, actor: Membership, meeting: Meeting, agenda_item_ids: list[int]) -> None:
    check_can_edit(actor, meeting)
    current = list(AgendaItem.objects.filter(meeting=meeting).values_list("pk", flat=True))
    if sorted(agenda_item_ids) != sorted(current):
        raise Invalid(
            _("Send every topic of this meeting's agenda exactly once."), field="agenda_item_ids"
        )
    with transaction.atomic():
        for sequence, pk in enumerate(agenda_item_ids):
            AgendaItem.objects.filter(pk=pk).update(sequence=sequence)


def do_move_agenda_item(*, actor: Membership, topic: AgendaItem, step: int) -> None:
    """Swap a topic with its neighbour above (step -1) or below (+1)."""
    ids = list(
        AgendaItem.objects.filter(meeting=topic.meeting)
        .order_by("sequence", "id")
        .values_list("pk", flat=True)
    )
    i = ids.index(topic.pk)
    j = i + step
    if 0 <= j < len(ids):
        ids[i], ids[j] = ids[j], ids[i]
    do_reorder_agenda(actor=actor, meeting=topic.meeting, agenda_item_ids=ids)


# --- decisions


def do_add_decision(*, actor: Membership, meeting: Meeting, data: DecisionIn) -> Decision:
    check_can_edit(actor, meeting)
    return Decision.objects.create(meeting=meeting, text=data.text, created_by=actor.user)


def do_delete_decision(*, actor: Membership, decision: Decision) -> None:
    check_can_edit(actor, decision.meeting)
    decision.delete()


# --- action items


def do_add_action_item(*, actor: Membership, meeting: Meeting, data: ActionItemIn) -> ActionItem:
    check_can_edit(actor, meeting)
    return ActionItem.objects.create(
        meeting=meeting,
        title=data.title,
        owner_id=_check_owner(meeting, data.owner_id),
        due_date=data.due_date,
        created_by=actor.user,
    )


def do_update_action_item(
    *, actor: Membership, action: ActionItem, data: ActionItemPatch
) -> ActionItem:
    check_can_edit(actor, action.meeting)
    changes = data.model_dump(exclude_unset=True)
    if "title" in changes and changes["title"] is None:
        raise Invalid(_("%(field)s cannot be empty.") % {"field": "title"}, field="title")
    owner_id = _check_owner(action.meeting, changes["owner_id"]) if "owner_id" in changes else None
    with transaction.atomic():
        # Made a work item meanwhile (do_convert_action_item), it stays one.
        before = lock_current(action)
        if "owner_id" in changes:
            action.owner_id = owner_id
        if changes.get("title") is not None:
            action.title = changes["title"]
        if "due_date" in changes:
            action.due_date = changes["due_date"]
        save_changed(action, before)
    return action


def do_delete_action_item(*, actor: Membership, action: ActionItem) -> None:
    check_can_edit(actor, action.meeting)
    action.delete()


def do_convert_action_item(
    *, actor: Membership, action: ActionItem, project_key: str | None = None
) -> Item:
    """Make the action item a work item in a project where the actor may create items:
    assigned to its owner, due when it is due, its description linking to the meeting."""
    check_can_edit(actor, action.meeting)
    meeting = action.meeting
    if action.work_item_id:
        raise Conflict(_("This action item is a work item already."))
    key = project_key or (meeting.project.key if meeting.project is not None else "")
    if not key:
        raise Invalid(_("Choose the project the work item goes to."), field="project_key")
    project = get_project(actor, key)
    project.workspace = actor.workspace
    check_project_permission(actor, project, EDIT)
    if action.owner_id and not assignable_users(project).filter(pk=action.owner_id).exists():
        raise Invalid(
            _("%(name)s cannot see project %(key)s; choose another project.")
            % {"name": action.owner.label if action.owner else action.owner_id, "key": project.key},
            field="project_key",
        )
    # The item may be seen by people the meeting is hidden from: a private one stays unnamed.
    link = {
        "title": meeting.title.replace("[", "(").replace("]", ")"),
        "url": meeting_url(meeting),
        "day": meeting_day(meeting).isoformat(),
    }
    if meeting.private:
        description = _("From a [private meeting](%(url)s) of %(day)s.") % link
    else:
        description = _("From the meeting [%(title)s](%(url)s) of %(day)s.") % link
    with transaction.atomic():
        locked = ActionItem.objects.select_for_update().get(pk=action.pk)
        if locked.work_item_id:
            raise Conflict(_("This action item is a work item already."))
        item = do_create_item(
            actor=actor,
            project=project,
            data=ItemIn(
                title=action.title,
                description=description,
                assignee_ids=[action.owner_id] if action.owner_id else [],
                due_date=action.due_date,
            ),
        )
        ActionItem.objects.filter(pk=action.pk).update(work_item=item)
    action.work_item = item
    item.project = project
    return item
