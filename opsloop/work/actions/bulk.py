"""Bulk edit: the same changes on many items of a project, all or nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from opsloop.core.errors import Conflict, Invalid, NotFound
from opsloop.core.models import Membership
from opsloop.work.actions.items import _resolve_assignees, _resolve_labels, do_update_item
from opsloop.work.models import Item, Project
from opsloop.work.queries import EDIT, check_project_permission, parse_ref
from opsloop.work.schemas import BulkChanges, ItemPatch


def _numbers(project: Project, refs: list[str]) -> list[int]:
    """The numbers of the items that refs name, each once, in the order given; Invalid for
    a ref of another project."""
    numbers = []
    for ref in refs:
        try:
            key, number = parse_ref(ref)
        except NotFound:
            key, number = "", 0
        if key != project.key:
            raise Invalid(_("%(ref)s is not an item of this project.") % {"ref": ref}, field="refs")
        numbers.append(number)
    return list(dict.fromkeys(numbers))


def _locked_items(project: Project, numbers: list[int]) -> list[Item]:
    """The project's items with those numbers, in that order, locked until the transaction
    ends, with their assignees and labels as they are now. Must run inside
    transaction.atomic()."""
    found = {
        item.number: item
        for item in Item.objects.filter(project=project, number__in=numbers)
        # Only the items' rows (not their states' or parents'); in one order, by id, so
        # that two bulk edits of the same items wait for each other instead of deadlocking.
        .select_for_update(of=("self",))
        .order_by("pk")
        .select_related("state", "parent__project")
        .prefetch_related("assignees", "labels")
    }
    missing = [n for n in numbers if n not in found]
    if missing:
        raise Invalid(
            _("%(ref)s is not an item of this project.") % {"ref": f"{project.key}-{missing[0]}"},
            field="refs",
        )
    items = [found[n] for n in numbers]
    for item in items:
        item.project = project
    return items


def _bulk_patch(item: Item, changes: dict) -> ItemPatch:
    """The one edit of an item that the bulk changes make."""
    patch: dict[str, Any] = {
        name: changes[name]
        for name in ("state_id", "priority", "start_date", "due_date", "custom_fields")
        if name in changes
    }
    if {"assignee_ids", "add_assignee_ids", "remove_assignee_ids"} & set(changes):
        people = (
            list(changes["assignee_ids"])
            if changes.get("assignee_ids") is not None
            else [u.pk for u in item.assignees.all()]
        )
        people += [i for i in changes.get("add_assignee_ids", []) if i not in people]
        remove = set(changes.get("remove_assignee_ids", []))
        patch["assignee_ids"] = [i for i in people if i not in remove]
    if {"add_label_ids", "remove_label_ids"} & set(changes):
        labels = [label.pk for label in item.labels.all()]
        labels += [i for i in changes.get("add_label_ids", []) if i not in labels]
        remove = set(changes.get("remove_label_ids", []))
        patch["label_ids"] = [i for i in labels if i not in remove]
    if changes.get("shift_days"):
        delta = timedelta(days=changes["shift_days"])
        if item.start_date:
            patch["start_date"] = item.start_date + delta
        if item.due_date:
            patch["due_date"] = item.due_date + delta
    return ItemPatch(**patch)


def do_bulk_update_items(
    *,
    actor: Membership,
    project: Project,
    refs: list[str],
    changes: BulkChanges,
    versions: dict[str, int] | None = None,
) -> list[Item]:
    """The same changes on many items of a project, each through do_update_item (one activity
    per changed field per item), all in one transaction: one refusal changes none."""
    check_project_permission(actor, project, EDIT)
    sent = {
        name: value
        for name, value in changes.model_dump(exclude_unset=True).items()
        if value not in ([], {}) or name in ("assignee_ids",)
    }
    if not sent:
        raise Invalid(_("Choose something to change."), field="changes")
    if "shift_days" in sent and ({"start_date", "due_date"} & set(sent)):
        raise Invalid(
            _("Either set the dates or shift them, not both."), field="changes.shift_days"
        )
    if sent.get("assignee_ids") is None:
        sent.pop("assignee_ids", None)
    for name in ("assignee_ids", "add_assignee_ids", "remove_assignee_ids"):
        if name in sent:
            try:
                _resolve_assignees(project, sent[name])
            except Invalid as exc:
                raise Invalid(exc.message, field=f"changes.{name}") from None
    for name in ("add_label_ids", "remove_label_ids"):
        if name in sent:
            try:
                _resolve_labels(project, sent[name])
            except Invalid as exc:
                raise Invalid(exc.message, field=f"changes.{name}") from None
    numbers = _numbers(project, refs)
    versions = {ref.upper(): version for ref, version in (versions or {}).items()}
    changed = []
    with transaction.atomic():
        # The dates shifted and the people and labels added or taken away are worked out
        # from the items as they are under the lock, not as they were when the request
        # began: a change another request made in between stays (decision 0019).
        items = _locked_items(project, numbers)
        if set(versions) - {item.ref for item in items}:
            raise Invalid(_("versions names an item that refs does not."), field="versions")
        stale = {
            item.ref: item.version
            for item in items
            if item.ref in versions and versions[item.ref] != item.version
        }
        if stale:
            raise Conflict(
                _(
                    "Someone else changed %(refs)s since you loaded the list; nothing was "
                    "changed. Reload and try again."
                )
                % {"refs": ", ".join(sorted(stale))},
                data={"current_versions": stale},
            )
        for item in items:
            try:
                changed.append(do_update_item(actor=actor, item=item, data=_bulk_patch(item, sent)))
            except Invalid as exc:
                raise Invalid(f"{item.ref}: {exc.message}", field=exc.field) from None
    return changed
