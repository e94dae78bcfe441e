"""Workspace labels: create, change, delete."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from opsloop.core.errors import Forbidden, Invalid
from opsloop.core.models import Membership, Role
from opsloop.core.rows import lock_current, save_changed
from opsloop.work.models import Label
from opsloop.work.schemas import LabelIn, LabelPatch


def do_create_label(*, actor: Membership, data: LabelIn) -> Label:
    if not actor.at_least(Role.MEMBER):
        raise Forbidden(_("Guests cannot create labels."))
    try:
        with transaction.atomic():
            return Label.objects.create(workspace=actor.workspace, name=data.name, color=data.color)
    except IntegrityError:
        raise Invalid(
            _("A label named %(name)s already exists.") % {"name": data.name}, field="name"
        ) from None


def do_update_label(*, actor: Membership, label: Label, data: LabelPatch) -> Label:
    if not actor.at_least(Role.ADMIN):
        raise Forbidden(_("Only admins can change labels."))
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    try:
        with transaction.atomic():
            before = lock_current(label)
            for name, value in changes.items():
                setattr(label, name, value)
            save_changed(label, before)
    except IntegrityError:
        raise Invalid(
            _("A label named %(name)s already exists.") % {"name": label.name}, field="name"
        ) from None
    return label


def do_delete_label(*, actor: Membership, label: Label) -> None:
    if not actor.at_least(Role.ADMIN):
        raise Forbidden(_("Only admins can delete labels."))
    label.delete()
