"""Every write of dependencies, rescheduling and milestones: checks first, then the rows."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from opsloop.core.errors import Conflict, Invalid, NotFound
from opsloop.core.models import Membership
from opsloop.core.rows import lock_current, save_changed
from opsloop.planning import queries
from opsloop.planning.models import Dependency, DependencyKind, Milestone
from opsloop.planning.schemas import MilestoneIn, MilestonePatch
from opsloop.work.actions import do_update_item
from opsloop.work.models import Item, Project
from opsloop.work.queries import EDIT, REF_RE, check_project_permission, visible_projects
from opsloop.work.schemas import ItemPatch

# --- dependencies


def find_item(actor: Membership, ref: str, *, near: Project, field: str = "ref") -> Item:
    """An item the actor can see, by D11-7, or by 7 within `near`; Invalid otherwise."""
    ref = (ref or "").strip()
    if ref.isdigit():
        key, number = near.key, int(ref)
    else:
        match = REF_RE.match(ref)
        if not match:
            raise Invalid(_("Give an item as KEY-number, like D11-7."), field=field)
        key, number = match.group(1).upper(), int(match.group(2))
    item = (
        Item.objects.select_related("project", "state")
        .filter(project__in=visible_projects(actor), project__key=key, number=number)
        .first()
    )
    if item is None:
        raise Invalid(_("There is no item %(ref)s that you can see.") % {"ref": ref}, field=field)
    return item


def do_add_dependency(
    *, actor: Membership, source: Item, target: Item, kind: str = DependencyKind.BLOCKS
) -> Dependency:
    """Link source to target ("source blocks target"); refuse self-links, repeats and cycles."""
    check_project_permission(actor, source.project, EDIT)
    if kind not in DependencyKind.values:
        raise Invalid(_("Unknown kind of dependency %(kind)s.") % {"kind": kind}, field="kind")
    if source.workspace_id != actor.workspace_id or target.workspace_id != actor.workspace_id:
        raise Invalid(_("Both items must belong to this workspace."), field="ref")
    visible = visible_projects(actor)
    if not visible.filter(pk__in=[source.project_id, target.project_id]).count() == len(
        {source.project_id, target.project_id}
    ):
        raise Invalid(_("There is no such item that you can see."), field="ref")
    if source.pk == target.pk:
        raise Invalid(_("An item cannot depend on itself."), field="ref")
    repeat = Dependency.objects.filter(source=source, target=target, kind=kind)
    if kind == DependencyKind.RELATES:
        repeat = Dependency.objects.filter(
            Q(source=source, target=target) | Q(source=target, target=source), kind=kind
        )
    if repeat.exists():
        raise Invalid(
            _("%(a)s and %(b)s are already linked this way.") % {"a": source.ref, "b": target.ref},
            field="ref",
        )
    with transaction.atomic():
        if kind == DependencyKind.BLOCKS:
            path = queries.blocks_path(actor.workspace_id, target.pk, source.pk)
            if path is not None:
                refs = dict(
                    (pk, f"{key}-{number}")
                    for pk, key, number in Item.objects.filter(pk__in=path).values_list(
                        "pk", "project__key", "number"
                    )
                )
                cycle = " → ".join(refs[pk] for pk in [source.pk, *path])
                raise Conflict(
                    _("This would make a cycle of blocking items: %(cycle)s.") % {"cycle": cycle},
                    field="ref",
                )
        try:
            with transaction.atomic():
                return Dependency.objects.create(
                    workspace_id=actor.workspace_id,
                    source=source,
                    target=target,
                    kind=kind,
                    created_by=actor.user,
                )
        except IntegrityError:
            raise Invalid(
                _("%(a)s and %(b)s are already linked this way.")
                % {"a": source.ref, "b": target.ref},
                field="ref",
            ) from None


def do_add_link(*, actor: Membership, item: Item, ref: str, kind: str) -> Dependency:
    """Link the item to the one named by ref, kind seen from the item (blocked_by reverses)."""
    other = find_item(actor, ref, near=item.project)
    if kind == "blocked_by":
        check_project_permission(actor, item.project, EDIT)
        return do_add_dependency(actor=actor, source=other, target=item, kind=DependencyKind.BLOCKS)
    return do_add_dependency(actor=actor, source=item, target=other, kind=kind)


def do_remove_dependency(*, actor: Membership, dependency: Dependency) -> None:
    check_project_permission(actor, dependency.source.project, EDIT)
    dependency.delete()


# --- rescheduling


def do_reschedule(
    *,
    actor: Membership,
    item: Item,
    start: date | None,
    due: date | None,
    version: int | None = None,
    shift_dependents: bool = False,
) -> list[Item]:
    """Move the item to start..due and, when asked, its dependents after it.

    Every changed item goes through do_update_item, so each gets its activity records and
    notifications; all of it commits together or not at all. Dependents in projects the
    actor cannot see are left alone. Returns the changed items, the moved one first."""
    check_project_permission(actor, item.project, EDIT)
    with transaction.atomic():
        moved = do_update_item(
            actor=actor,
            item=item,
            data=ItemPatch(start_date=start, due_date=due, version=version),
        )
        changed = [moved]
        if shift_dependents:
            spans, links = queries.downstream(moved, visible_projects(actor))
            plan = queries.shift_plan(spans, links, moved.pk)
            dependents = Item.objects.select_related("project", "state").filter(pk__in=plan)
            for dependent in sorted(
                dependents, key=lambda i: (plan[i.pk][0] or plan[i.pk][1], i.pk)
            ):
                new_start, new_due = plan[dependent.pk]
                changed.append(
                    do_update_item(
                        actor=actor,
                        item=dependent,
                        data=ItemPatch(start_date=new_start, due_date=new_due),
                    )
                )
    return changed


# --- milestones


def _milestone_items(project: Project, refs: list[str]) -> list[Item]:
    items = []
    for ref in dict.fromkeys(r.strip().upper() for r in refs if r.strip()):
        match = REF_RE.match(ref)
        if ref.isdigit():
            key, number = project.key, int(ref)
        elif match:
            key, number = match.group(1).upper(), int(match.group(2))
        else:
            raise Invalid(_("Give an item as KEY-number, like D11-7."), field="item_refs")
        item = (
            Item.objects.filter(project=project, number=number).first()
            if key == project.key
            else None
        )
        if item is None:
            raise Invalid(
                _("%(ref)s is not an item of this project.") % {"ref": ref}, field="item_refs"
            )
        items.append(item)
    return items


def do_create_milestone(*, actor: Membership, project: Project, data: MilestoneIn) -> Milestone:
    check_project_permission(actor, project, EDIT)
    items = _milestone_items(project, data.item_refs)
    with transaction.atomic():
        milestone = Milestone.objects.create(
            workspace_id=project.workspace_id,
            project=project,
            name=data.name,
            date=data.date,
            description=data.description,
            created_by=actor.user,
        )
        if items:
            milestone.items.set(items)
    return milestone


def do_update_milestone(
    *, actor: Membership, milestone: Milestone, data: MilestonePatch
) -> Milestone:
    check_project_permission(actor, milestone.project, EDIT)
    changes = data.model_dump(exclude_unset=True)
    for required in ("name", "date"):
        if required in changes and changes[required] is None:
            raise Invalid(_("%(field)s cannot be empty.") % {"field": required}, field=required)
    items = (
        _milestone_items(milestone.project, changes.pop("item_refs") or [])
        if "item_refs" in changes
        else None
    )
    with transaction.atomic():
        before = lock_current(milestone)
        for name in ("name", "date", "description"):
            if name in changes:
                setattr(
                    milestone, name, changes[name] or "" if name == "description" else changes[name]
                )
        saved = save_changed(milestone, before, "updated_at")
        if items is not None:
            milestone.items.set(items)
            if not saved:
                # A change of its items is a change of the milestone.
                milestone.save(update_fields=["updated_at"])
    return milestone


def do_set_milestone_items(
    *, actor: Membership, milestone: Milestone, refs: list[str]
) -> Milestone:
    """Make the items named by refs (D11-3 or 3) the milestone's items, replacing the others."""
    return do_update_milestone(
        actor=actor, milestone=milestone, data=MilestonePatch(item_refs=refs)
    )


def do_delete_milestone(*, actor: Membership, milestone: Milestone) -> None:
    check_project_permission(actor, milestone.project, EDIT)
    if milestone.pk is None:
        raise NotFound(_("Milestone not found."))
    milestone.delete()
