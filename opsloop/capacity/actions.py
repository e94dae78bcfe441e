"""Every write of skills, member profiles and time entries, with its checks."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from opsloop.capacity.models import MemberProfile, Skill, TimeEntry
from opsloop.capacity.queries import can_change_entry, can_edit_profile, parse_duration
from opsloop.capacity.schemas import (
    ProfilePatch,
    SkillIn,
    SkillPatch,
    TimeEntryIn,
    TimeEntryPatch,
)
from opsloop.core.errors import Conflict, Forbidden, Invalid
from opsloop.core.models import Membership, Role
from opsloop.core.rows import lock_current, save_changed
from opsloop.work.models import Item
from opsloop.work.queries import EDIT, check_project_permission

DAY_MINUTES = 24 * 60
# Time logged this long ago is a typo in the year more often than real work.
EARLIEST = date(2000, 1, 1)


# --- skills


def _check_admin(actor: Membership) -> None:
    if not actor.at_least(Role.ADMIN):
        raise Forbidden(_("Only admins can manage the workspace's skills."))


def _saved_skill(skill: Skill, before: dict[str, Any] | None = None) -> Skill:
    """Save a new skill, or of a locked one the fields that differ from `before`."""
    try:
        with transaction.atomic():
            if before is None:
                skill.save()
            else:
                save_changed(skill, before)
    except IntegrityError:
        raise Conflict(
            _("A skill named %(name)s already exists.") % {"name": skill.name}, field="name"
        ) from None
    return skill


def do_create_skill(*, actor: Membership, data: SkillIn) -> Skill:
    _check_admin(actor)
    return _saved_skill(Skill(workspace_id=actor.workspace_id, name=data.name, color=data.color))


def do_update_skill(*, actor: Membership, skill: Skill, data: SkillPatch) -> Skill:
    _check_admin(actor)
    with transaction.atomic():
        before = lock_current(skill)
        for name, value in data.model_dump(exclude_unset=True, exclude_none=True).items():
            setattr(skill, name, value)
        return _saved_skill(skill, before)


def do_delete_skill(*, actor: Membership, skill: Skill) -> None:
    _check_admin(actor)
    skill.delete()


# --- profiles


def do_update_profile(*, actor: Membership, member: Membership, data: ProfilePatch) -> None:
    """A member's capacity and skills: their own, or anyone's for admins."""
    if not can_edit_profile(actor, member):
        raise Forbidden(_("Only admins can change other members' skills and capacity."))
    skills = None
    if data.skill_ids is not None:
        ids = list(dict.fromkeys(data.skill_ids))
        skills = list(Skill.objects.filter(workspace_id=actor.workspace_id, pk__in=ids))
        if len(skills) != len(ids):
            raise Invalid(_("Unknown skill."), field="skill_ids")
    with transaction.atomic():
        profile, _created = MemberProfile.objects.get_or_create(membership=member)
        if data.weekly_capacity is not None:
            profile.weekly_capacity = data.weekly_capacity
            profile.save(update_fields=["weekly_capacity"])
        if skills is not None:
            profile.skills.set(skills)


# --- time


def _minutes(duration: str | None, minutes: int | None) -> int:
    if duration is not None and minutes is not None:
        raise Invalid(_("Send the duration or the minutes, not both."), field="minutes")
    value = parse_duration(duration) if duration is not None else minutes
    if value is None:
        raise Invalid(_("How long? Enter a time like 1.5h or 45m."), field="duration")
    field = "duration" if duration is not None else "minutes"
    if value < 1:
        raise Invalid(_("The time must be at least one minute."), field=field)
    if value > DAY_MINUTES:
        raise Invalid(_("One entry holds at most 24 hours."), field=field)
    return value


def _check_day(spent_on: date) -> date:
    if spent_on > timezone.localdate():
        raise Invalid(_("Time cannot be logged on a day still to come."), field="spent_on")
    if spent_on < EARLIEST:
        raise Invalid(_("That date is too long ago."), field="spent_on")
    return spent_on


def _check_day_total(user_id: int, spent_on: date, minutes: int, exclude: int | None) -> None:
    """Nobody works more than 24 hours in a day, over all their entries."""
    others = TimeEntry.objects.filter(user_id=user_id, spent_on=spent_on)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    logged = others.aggregate(total=Sum("minutes"))["total"] or 0
    if logged + minutes > DAY_MINUTES:
        raise Invalid(
            _("That makes more than 24 hours on %(day)s (%(hours)s h logged already).")
            % {"day": spent_on.isoformat(), "hours": round(logged / 60, 1)},
            field="spent_on",
        )


def do_log_time(*, actor: Membership, item: Item, data: TimeEntryIn) -> TimeEntry:
    """Time the actor spent on an item they can see; guests cannot log time."""
    check_project_permission(actor, item.project, EDIT)
    minutes = _minutes(data.duration, data.minutes)
    spent_on = _check_day(data.spent_on or timezone.localdate())
    with transaction.atomic():
        _check_day_total(actor.user_id, spent_on, minutes, None)
        entry = TimeEntry.objects.create(
            workspace_id=item.workspace_id,
            item=item,
            user=actor.user,
            spent_on=spent_on,
            minutes=minutes,
            note=data.note,
        )
    return entry


def do_update_time_entry(*, actor: Membership, entry: TimeEntry, data: TimeEntryPatch) -> TimeEntry:
    if not can_change_entry(actor, entry):
        raise Forbidden(_("Only the person who logged the time, or an admin, can change it."))
    sent = data.model_dump(exclude_unset=True)
    minutes = spent_on = None
    if sent.get("duration") is not None or sent.get("minutes") is not None:
        minutes = _minutes(sent.get("duration"), sent.get("minutes"))
    if sent.get("spent_on") is not None:
        spent_on = _check_day(sent["spent_on"])
    with transaction.atomic():
        # The day's total counts the entry's time and day as they are now.
        before = lock_current(entry)
        if minutes is not None:
            entry.minutes = minutes
        if spent_on is not None:
            entry.spent_on = spent_on
        if sent.get("note") is not None:
            entry.note = sent["note"]
        _check_day_total(entry.user_id, entry.spent_on, entry.minutes, entry.pk)
        save_changed(entry, before)
    return entry


def do_delete_time_entry(*, actor: Membership, entry: TimeEntry) -> None:
    if not can_change_entry(actor, entry):
        raise Forbidden(_("Only the person who logged the time, or an admin, can delete it."))
    entry.delete()
