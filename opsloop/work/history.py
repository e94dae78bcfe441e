"""The activity history as people read it: each changed field by its translated name,
each value in its display form, in the reader's language.

An Activity keeps the values as they were written (`planning`, `high`, the assignees'
login names, a user id), so that reports and the API can compare them; what a page, an
email or the API's `old_text`/`new_text` shows comes from here, when it is read."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opsloop.core.models import User
from opsloop.core.templatetags.opsloop_core import number
from opsloop.work.models import PRIORITY_VALUES, Activity, Priority, ProjectKind, Stage, Visibility

FIELD_LABELS = {
    # an item's
    "title": gettext_lazy("title"),
    "description": gettext_lazy("description"),
    "state": gettext_lazy("state"),
    "priority": gettext_lazy("priority"),
    "assignees": gettext_lazy("assignees"),
    "labels": gettext_lazy("labels"),
    "start_date": gettext_lazy("start date"),
    "due_date": gettext_lazy("due date"),
    "estimate_hours": gettext_lazy("estimate"),
    "progress": gettext_lazy("progress"),
    "parent": gettext_lazy("parent"),
    # a project's
    "name": gettext_lazy("name"),
    "kind": gettext_lazy("kind"),
    "goal": gettext_lazy("goal"),
    "scope": gettext_lazy("scope"),
    "end_date": gettext_lazy("end date"),
    "budget": gettext_lazy("budget"),
    "owner_id": gettext_lazy("owner"),
    "stage": gettext_lazy("stage"),
    "visibility": gettext_lazy("visibility"),
}
CHOICES = {"stage": Stage, "kind": ProjectKind, "visibility": Visibility}


def field_label(field: str) -> str:
    """A field's name in the reader's language; a custom field (cf:NAME) by its name."""
    if field.startswith("cf:"):
        return field[3:]
    return str(FIELD_LABELS.get(field, field))


def describe(activities: Iterable[Activity]) -> None:
    """Give each activity `field_text`, `old_text` and `new_text`: what a reader sees.
    People are named by their display names, found in one query for all of them."""
    activities = list(activities)
    usernames: set[str] = set()
    user_ids: set[int] = set()
    for a in activities:
        for raw in (a.old_value, a.new_value):
            if a.field == "assignees" and raw:
                usernames.update(raw.split(", "))
            elif a.field == "owner_id" and raw.isdigit():
                user_ids.add(int(raw))
    by_name: dict[str, str] = {}
    by_id: dict[str, str] = {}
    if usernames or user_ids:
        for user in User.objects.filter(username__in=usernames) | User.objects.filter(
            pk__in=user_ids
        ):
            by_name[user.username] = user.label
            by_id[str(user.pk)] = user.label
    for a in activities:
        a.field_text = field_label(a.field)
        a.old_text = shown(a.field, a.old_value, by_name, by_id)
        a.new_text = shown(a.field, a.new_value, by_name, by_id)


def shown(field: str, raw: str, by_name: dict[str, str], by_id: dict[str, str]) -> str:
    """One stored value in its display form ("" for none)."""
    if raw == "":
        return ""
    if field == "priority" and raw in PRIORITY_VALUES:
        return str(Priority(PRIORITY_VALUES[raw]).label)
    if field in CHOICES:
        choices = CHOICES[field]
        return str(choices(raw).label) if raw in choices.values else raw
    if field == "assignees":
        return ", ".join(by_name.get(name, name) for name in raw.split(", "))
    if field == "owner_id":
        return by_id.get(raw, raw)
    if field == "progress":
        return f"{raw}%"
    if field == "estimate_hours":
        return _("%(hours)s h") % {"hours": number(raw)}
    if field == "budget":
        return f"¥{number(raw)}"
    return raw
