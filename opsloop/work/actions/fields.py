"""Custom fields (a project's or the workspace's) and the values items hold in them."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from opsloop.core.actions import record_audit
from opsloop.core.errors import Forbidden, Invalid
from opsloop.core.models import Membership, Role
from opsloop.core.rows import lock_current, save_changed
from opsloop.work.fields import Stored, check_value, display, stored_of
from opsloop.work.models import CustomField, CustomFieldValue, FieldType, Item, Project
from opsloop.work.queries import (
    MANAGE,
    applicable_fields,
    assignable_users,
    check_project_permission,
)
from opsloop.work.schemas import CustomFieldIn, CustomFieldPatch


def _resolve_field_values(
    project: Project, raw: dict[str, Any]
) -> list[tuple[CustomField, Stored | None]]:
    """Each sent value checked against its field (a field of the project or workspace-wide)."""
    if not raw:
        return []
    fields = {str(f.pk): f for f in applicable_fields(project)}
    assignable: set[int] | None = None

    def can_assign(user_id: int) -> bool:
        nonlocal assignable
        if assignable is None:
            assignable = set(assignable_users(project).values_list("pk", flat=True))
        return user_id in assignable

    resolved = []
    for key, value in raw.items():
        where = f"custom_fields.{key}"
        field = fields.get(str(key).strip())
        if field is None:
            raise Invalid(_("This project has no custom field %(id)s.") % {"id": key}, field=where)
        resolved.append((field, check_value(field, value, where=where, can_assign=can_assign)))
    return resolved


def _write_field_values(
    item: Item, values: list[tuple[CustomField, Stored | None]]
) -> list[tuple[CustomField, str, str]]:
    """Store the values; return (field, before, after) as people read them, for each change."""
    if not values:
        return []
    current = {
        row.field_id: row
        for row in CustomFieldValue.objects.filter(
            item=item, field_id__in=[f.pk for f, _v in values]
        ).select_related("user")
    }
    changed = []
    for field, stored in values:
        row = current.get(field.pk)
        if stored_of(row) == stored:
            continue
        before = display(field, row)
        if stored is None:
            CustomFieldValue.objects.filter(pk=row.pk).delete()  # type: ignore[union-attr]  # differs, so exists
            after = ""
        else:
            new = CustomFieldValue(field=field, item=item, **stored.columns())
            if row is not None:
                new.pk = row.pk
            new.save()
            after = display(field, new)
        changed.append((field, before, after))
    # The item's values are read again when next asked for.
    item.__dict__.pop("loaded_field_rows", None)
    return changed


def _check_field_manager(actor: Membership, project: Project | None) -> None:
    if project is not None:
        check_project_permission(actor, project, MANAGE)
    elif not actor.at_least(Role.ADMIN):
        raise Forbidden(_("Only workspace admins can change workspace-wide fields."))


def _scope_fields(workspace_id: int, project: Project | None) -> Any:
    return CustomField.objects.filter(workspace_id=workspace_id, project=project)


def _check_field_name(
    workspace_id: int, project: Project | None, name: str, exclude: int | None = None
) -> None:
    # A project's field may not share a name with a workspace-wide one: both show on its items.
    clash = CustomField.objects.filter(workspace_id=workspace_id, name=name)
    clash = clash.filter(Q(project__isnull=True) | Q(project=project)) if project else clash
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise Invalid(_("A field named %(name)s already exists.") % {"name": name}, field="name")


def _options(field_type: str, sent: list, existing: list[dict]) -> list[dict]:
    """The new option list: sent ids keep their option, new options get a fresh id."""
    if field_type not in (FieldType.SELECT, FieldType.MULTI_SELECT):
        if sent:
            raise Invalid(_("Only select fields have options."), field="options")
        return []
    known = {str(o.get("id")) for o in existing}
    labels: set[str] = set()
    out = []
    for i, option in enumerate(sent):
        if option.label in labels:
            raise Invalid(
                _("Two options are named %(label)s.") % {"label": option.label},
                field=f"options.{i}.label",
            )
        labels.add(option.label)
        if option.id:
            if option.id not in known:
                raise Invalid(
                    _("The field has no option %(id)s.") % {"id": option.id},
                    field=f"options.{i}.id",
                )
            option_id = option.id
        else:
            option_id = secrets.token_hex(3)
            while option_id in known:
                option_id = secrets.token_hex(3)
            known.add(option_id)
        out.append({"id": option_id, "label": option.label, "color": option.color})
    return out


def do_create_field(
    *, actor: Membership, project: Project | None, data: CustomFieldIn
) -> CustomField:
    """A field of one project, or with project None of every project of the workspace."""
    _check_field_manager(actor, project)
    workspace_id = actor.workspace_id
    _check_field_name(workspace_id, project, data.name)
    options = _options(data.type, data.options, [])
    last = _scope_fields(workspace_id, project).aggregate(m=Max("sequence"))["m"]
    return CustomField.objects.create(
        workspace_id=workspace_id,
        project=project,
        name=data.name,
        type=data.type,
        options=options,
        sequence=0 if last is None else last + 1,
        created_by=actor.user,
    )


def do_update_field(
    *, actor: Membership, field: CustomField, data: CustomFieldPatch
) -> CustomField:
    """Rename a field or change its options; values of removed options are cleared."""
    _check_field_manager(actor, field.project)
    changes = data.model_dump(exclude_unset=True)
    with transaction.atomic():
        # The options kept and removed are measured against the field's options now.
        before = lock_current(field)
        if changes.get("name"):
            _check_field_name(field.workspace_id, field.project, changes["name"], field.pk)
            field.name = changes["name"]
        if data.options is not None:
            options = _options(field.type, data.options, field.options)
            removed = {str(o.get("id")) for o in field.options} - {o["id"] for o in options}
            if removed and field.type == FieldType.SELECT:
                field.values.filter(text__in=removed).delete()
            elif removed:
                for row in field.values.all():
                    kept = [i for i in row.text.split(",") if i and i not in removed]
                    if not kept:
                        row.delete()
                    elif len(kept) != len([i for i in row.text.split(",") if i]):
                        row.text = "," + ",".join(kept) + ","
                        row.save(update_fields=["text"])
            field.options = options
        save_changed(field, before)
    return field


def do_reorder_fields(
    *, actor: Membership, project: Project | None, field_ids: list[int]
) -> list[CustomField]:
    _check_field_manager(actor, project)
    fields = {f.pk: f for f in _scope_fields(actor.workspace_id, project)}
    if sorted(field_ids) != sorted(fields):
        raise Invalid(_("Give every field exactly once."), field="field_ids")
    ordered = [fields[i] for i in field_ids]
    for i, field in enumerate(ordered):
        field.sequence = i
    with transaction.atomic():
        CustomField.objects.bulk_update(ordered, ["sequence"])
    return ordered


def do_delete_field(*, actor: Membership, field: CustomField) -> None:
    """Delete a field with every value it holds."""
    _check_field_manager(actor, field.project)
    name = field.name
    field.delete()
    record_audit(
        actor=actor.user, action="custom_field.delete", workspace=actor.workspace, target=name
    )
