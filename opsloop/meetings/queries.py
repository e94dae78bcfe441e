"""Reads of meetings that pages and the API share, with the access checks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from opsloop.core.errors import Forbidden, Invalid, NotFound
from opsloop.core.models import Membership, Role, User
from opsloop.core.queries import access_workspace
from opsloop.meetings.models import (
    ActionItem,
    AgendaItem,
    Attendee,
    Decision,
    Meeting,
    MeetingKind,
)
from opsloop.work.models import Item, Project, StateGroup
from opsloop.work.queries import EDIT, VIEW, visible_projects

PartT = TypeVar("PartT", AgendaItem, Decision, ActionItem)

# Lists stop here; older meetings are reached through the date filters.
LIST_LIMIT = 200


def visible_meetings(membership: Membership) -> QuerySet[Meeting]:
    """Meetings the member may see.

    A project's meeting is behind the project's wall; within it, a private meeting (every
    one-to-one) is seen by its organizer and attendees only, admins included. A meeting
    without a project is seen by members, admins and owners, and by guests who attend."""
    uid = membership.user_id
    mine = Q(organizer_id=uid) | Q(pk__in=Attendee.objects.filter(user_id=uid).values("meeting_id"))
    in_sight = Q(project__isnull=True) | Q(project__in=visible_projects(membership))
    if membership.role == Role.GUEST:
        open_to_me = Q(private=False, project__isnull=False)
    else:
        open_to_me = Q(private=False)
    return Meeting.objects.filter(workspace_id=membership.workspace_id).filter(
        in_sight & (mine | open_to_me)
    )


def can_edit_meeting(membership: Membership, meeting: Meeting, attendee_ids: set[int]) -> bool:
    """Organizer and attendees, and admins on meetings that are not private; guests read."""
    if not membership.at_least(Role.MEMBER):
        return False
    if meeting.organizer_id == membership.user_id or membership.user_id in attendee_ids:
        return True
    return not meeting.private and membership.at_least(Role.ADMIN)


def can_delete_meeting(membership: Membership, meeting: Meeting) -> bool:
    if not membership.at_least(Role.MEMBER):
        return False
    if meeting.organizer_id == membership.user_id:
        return True
    return not meeting.private and membership.at_least(Role.ADMIN)


@dataclass(frozen=True)
class MeetingAccess:
    membership: Membership
    meeting: Meeting
    can_edit: bool
    can_delete: bool


def _with_people(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return (
        meetings.select_related("project", "organizer", "workspace")
        .annotate(next_pk=F("next__id"))
        .prefetch_related(
            Prefetch("attendees", queryset=User.objects.order_by("display_name", "username", "id"))
        )
    )


def access_meeting(user: User, slug: str, meeting_id: int, need: str = VIEW) -> MeetingAccess:
    """A meeting the user can see, with its attendees; 404 when hidden, 403 when the
    need is EDIT and the user may only read it."""
    membership = access_workspace(user, slug)
    meeting = _with_people(visible_meetings(membership)).filter(pk=meeting_id).first()
    if meeting is None:
        raise NotFound(_("Meeting not found."))
    attendee_ids = {u.pk for u in meeting.attendees.all()}
    access = MeetingAccess(
        membership,
        meeting,
        can_edit_meeting(membership, meeting, attendee_ids),
        can_delete_meeting(membership, meeting),
    )
    if need == EDIT and not access.can_edit:
        raise _edit_refused(membership)
    return access


def _edit_refused(membership: Membership) -> Forbidden:
    return Forbidden(
        _("Guests can only read meetings.")
        if membership.role == Role.GUEST
        else _("Only the organizer and the attendees can change this meeting.")
    )


def check_can_edit(membership: Membership, meeting: Meeting) -> None:
    attendee_ids = set(
        Attendee.objects.filter(meeting_id=meeting.pk).values_list("user_id", flat=True)
    )
    if not can_edit_meeting(membership, meeting, attendee_ids):
        raise _edit_refused(membership)


def load_meeting_parts(meeting: Meeting, membership: Membership) -> Meeting:
    """Fetch the agenda, decisions and action items (with their people and items) at once;
    an action item's work item in a project the member cannot see is marked hidden."""
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(
        [meeting],
        Prefetch("agenda", queryset=AgendaItem.objects.select_related("owner")),
        Prefetch("decisions", queryset=Decision.objects.select_related("created_by")),
        Prefetch(
            "action_items",
            queryset=ActionItem.objects.select_related("owner", "work_item__project"),
        ),
    )
    mark_hidden_work_items(membership, list(meeting.action_items.all()))
    return meeting


def mark_hidden_work_items(membership: Membership, rows: list[ActionItem]) -> list[ActionItem]:
    """Set `work_item_hidden` on each action item: True when the work item it became is in
    a project the member cannot see, whose reference and state the member must not learn
    from the meeting. One query, none when no action item became a work item."""
    project_ids = {a.work_item.project_id for a in rows if a.work_item is not None}
    seen = (
        set(visible_projects(membership).filter(pk__in=project_ids).values_list("pk", flat=True))
        if project_ids
        else set()
    )
    for action in rows:
        item = action.work_item
        action.work_item_hidden = item is not None and item.project_id not in seen  # type: ignore[attr-defined]
    return rows


# What a previous meeting's action item has come to.
OPEN, DONE, CANCELLED, HIDDEN = "open", "done", "cancelled", "hidden"


@dataclass(frozen=True)
class CarriedAction:
    """An action item of the meeting before, with where it stands now: its work item's
    state (done, cancelled or open), open while it has none, hidden when the work item is
    in a project the reader cannot see."""

    action: ActionItem
    item: Item | None  # the work item it became, when the reader may see it

    @property
    def status(self) -> str:
        if self.item is None:
            return HIDDEN if self.action.work_item_id else OPEN
        if self.item.state.group == StateGroup.DONE:
            return DONE
        return CANCELLED if self.item.state.group == StateGroup.CANCELLED else OPEN

    @property
    def done(self) -> bool:
        return self.status in (DONE, CANCELLED)

    @property
    def text(self) -> str:
        """The state in words: the work item's state, or why there is none to show."""
        if self.item is not None:
            return self.item.state.name
        if self.action.work_item_id:
            return _("In a project you cannot see")
        return _("Open, no work item")


@dataclass(frozen=True)
class PreviousActions:
    """The meeting before this one in its series, and its action items as they stand."""

    meeting: Meeting
    actions: list[CarriedAction]

    @property
    def open_count(self) -> int:
        return sum(1 for a in self.actions if not a.done)


def previous_actions(membership: Membership, meeting: Meeting) -> PreviousActions | None:
    """The action items of the previous occurrence of `meeting`, each with its current
    state; None when there is no previous occurrence the member may see. Three queries."""
    if meeting.previous_id is None:
        return None
    previous = visible_meetings(membership).filter(pk=meeting.previous_id).first()
    if previous is None:
        return None
    rows = list(
        ActionItem.objects.filter(meeting=previous).select_related(
            "owner", "work_item__project", "work_item__state"
        )
    )
    carried = []
    for action in mark_hidden_work_items(membership, rows):
        action.meeting = previous
        hidden = action.work_item_hidden  # type: ignore[attr-defined]
        carried.append(CarriedAction(action, None if hidden else action.work_item))
    return PreviousActions(previous, carried)


@dataclass
class MeetingFilters:
    """Filters of a meeting list, parsed from query parameters."""

    scope: str = "all"  # all, mine, one_on_one
    project: str = ""
    kind: str = ""
    after: datetime | None = None
    before: datetime | None = None
    errors: list[str] = field(default_factory=list)


def _moment(value: str, *, end: bool, field_name: str) -> datetime:
    """A date (its start, or its end when `end`) or a datetime, in the install's zone."""
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise Invalid(
                _("%(field)s must be a date (YYYY-MM-DD) or a date and time.")
                % {"field": field_name},
                field=field_name,
            )
        moment = datetime.combine(day + timedelta(days=1) if end else day, time())
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def parse_meeting_filters(params: Mapping[str, str]) -> MeetingFilters:
    filters = MeetingFilters()
    scope = params.get("scope") or ("mine" if params.get("mine") in ("1", "true") else "all")
    if scope not in ("all", "mine", "one_on_one"):
        raise Invalid(_("scope must be all, mine or one_on_one."), field="scope")
    filters.scope = scope
    kind = params.get("kind") or ""
    if kind and kind not in MeetingKind.values:
        raise Invalid(_("kind must be meeting or one_on_one."), field="kind")
    filters.kind = kind
    filters.project = (params.get("project") or "").strip().upper()[:10]
    if params.get("from"):
        filters.after = _moment(params["from"], end=False, field_name="from")
    if params.get("to"):
        filters.before = _moment(params["to"], end=True, field_name="to")
    return filters


def filter_meetings(
    membership: Membership, filters: MeetingFilters, meetings: QuerySet[Meeting] | None = None
) -> QuerySet[Meeting]:
    meetings = visible_meetings(membership) if meetings is None else meetings
    uid = membership.user_id
    if filters.scope == "mine":
        meetings = meetings.filter(
            Q(organizer_id=uid)
            | Q(pk__in=Attendee.objects.filter(user_id=uid).values("meeting_id"))
        )
    elif filters.scope == "one_on_one":
        meetings = meetings.filter(kind=MeetingKind.ONE_ON_ONE)
    if filters.kind:
        meetings = meetings.filter(kind=filters.kind)
    if filters.project:
        meetings = meetings.filter(project__key=filters.project)
    if filters.after:
        meetings = meetings.filter(ends_at__gte=filters.after)
    if filters.before:
        meetings = meetings.filter(starts_at__lt=filters.before)
    return _with_people(meetings)


def list_meetings(membership: Membership, filters: MeetingFilters) -> list[Meeting]:
    """Meetings matching the filters, earliest first, at most LIST_LIMIT."""
    return list(filter_meetings(membership, filters).order_by("starts_at", "id")[:LIST_LIMIT])


@dataclass(frozen=True)
class MeetingPage:
    upcoming: list[Meeting]
    past: list[Meeting]


def meetings_page(
    membership: Membership, filters: MeetingFilters, *, now: datetime | None = None
) -> MeetingPage:
    """Upcoming meetings (not yet over) soonest first, then past ones latest first."""
    now = now or timezone.now()
    meetings = filter_meetings(membership, filters)
    return MeetingPage(
        upcoming=list(meetings.filter(ends_at__gte=now).order_by("starts_at", "id")[:LIST_LIMIT]),
        past=list(meetings.filter(ends_at__lt=now).order_by("-starts_at", "-id")[:LIST_LIMIT]),
    )


def project_choices(membership: Membership) -> QuerySet[Project]:
    """Projects a meeting may belong to, and where an action item may become a work item."""
    if not membership.at_least(Role.MEMBER):
        return Project.objects.none()
    return visible_projects(membership).exclude(stage="closed").order_by("name")


def get_project(membership: Membership, key: str, field_name: str = "project_key") -> Project:
    """A project the member can see, named in a body; unknown or hidden ones are bad input."""
    project = visible_projects(membership).filter(key=(key or "").strip().upper()).first()
    if project is None:
        raise Invalid(_("No project with key %(key)s.") % {"key": key}, field=field_name)
    return project


def _part(queryset: QuerySet[PartT], meeting: Meeting, pk: int, missing: str) -> PartT:
    """A row of the meeting's agenda, decisions or action items; 404 when not this meeting's."""
    found = queryset.filter(meeting=meeting, pk=pk).first()
    if found is None:
        raise NotFound(missing)
    found.meeting = meeting
    return found


def get_agenda_item(meeting: Meeting, agenda_item_id: int) -> AgendaItem:
    return _part(
        AgendaItem.objects.select_related("owner"),
        meeting,
        agenda_item_id,
        _("Agenda topic not found."),
    )


def get_decision(meeting: Meeting, decision_id: int) -> Decision:
    return _part(Decision.objects.all(), meeting, decision_id, _("Decision not found."))


def get_action_item(membership: Membership, meeting: Meeting, action_item_id: int) -> ActionItem:
    action = _part(
        ActionItem.objects.select_related("owner", "work_item__project"),
        meeting,
        action_item_id,
        _("Action item not found."),
    )
    return mark_hidden_work_items(membership, [action])[0]


def item_meetings(membership: Membership, item: Item) -> list[Meeting]:
    """Meetings, visible to the member, whose action items became this item."""
    return list(
        visible_meetings(membership)
        .filter(action_items__work_item=item)
        .distinct()
        .order_by("-starts_at", "-id")
    )


def recurring_series_due(now: datetime | None = None) -> QuerySet[Meeting]:
    """The latest occurrence of every recurring series, once it has started."""
    now = now or timezone.now()
    return (
        Meeting.objects.exclude(recurrence="none")
        .filter(next__isnull=True, starts_at__lte=now)
        .select_related("workspace", "project", "organizer")
        .order_by("starts_at", "id")
    )


def meeting_day(meeting: Meeting) -> date:
    return timezone.localtime(meeting.starts_at).date()


def series_first_id(meeting: Meeting, *, limit: int = 1000) -> int:
    """The id of the first meeting of the series this one continues (its own when it
    starts one), following `previous` back at most `limit` occurrences."""
    first_id, previous_id = meeting.pk, meeting.previous_id
    for _step in range(limit):
        if previous_id is None:
            break
        first_id = previous_id
        previous_id = (
            Meeting.objects.filter(pk=previous_id).values_list("previous_id", flat=True).first()
        )
    return first_id
