"""Writes of campaign results: the conversion they count (docs/money.md#results)."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext as _

from opsloop.core.actions import record_audit
from opsloop.core.errors import Forbidden, Invalid
from opsloop.core.models import Membership
from opsloop.insights.query import KEY
from opsloop.money.models import Conversion
from opsloop.money.results import can_set_conversion
from opsloop.money.results_schemas import ConversionIn
from opsloop.work.models import Project


def check_conversion(data: ConversionIn) -> ConversionIn:
    if data.revenue_property and not re.fullmatch(KEY, data.revenue_property):
        raise Invalid(
            _("A property name is letters, digits and _ $ - . (such as amount)."),
            field="revenue_property",
        )
    if data.revenue_property and not data.event:
        raise Invalid(_("Name the conversion event the revenue is on."), field="event")
    return data


def do_set_conversion(
    *, actor: Membership, data: ConversionIn, project: Project | None = None
) -> Conversion | None:
    """Set what a conversion is for the workspace's results (project None) or one
    project's; an empty event removes the setting (a project then counts the
    workspace's). Owners and admins only. The setting as it is now, None when removed."""
    if not can_set_conversion(actor):
        raise Forbidden(_("Only owners and admins set what a conversion is."))
    data = check_conversion(data)
    if project is not None and project.workspace_id != actor.workspace_id:
        raise Invalid(_("No such project in this workspace."), field="project_key")
    mine = Conversion.objects.filter(workspace_id=actor.workspace_id, project=project)
    if project is None:
        mine = Conversion.objects.filter(workspace_id=actor.workspace_id, project__isnull=True)
    with transaction.atomic():
        current = mine.select_for_update().first()
        target = project.key if project is not None else ""
        if not data.event:
            if current is not None:
                current.delete()
                record_audit(
                    actor=actor.user, action="results.conversion_removed",
                    workspace=actor.workspace, target=target,
                )  # fmt: skip
            return None
        if current is None:
            current = Conversion(workspace_id=actor.workspace_id, project=project)
        current.event = data.event
        current.revenue_property = data.revenue_property
        current.window_days = data.window_days
        current.save()
        record_audit(
            actor=actor.user, action="results.conversion_set", workspace=actor.workspace,
            target=target, event=data.event, revenue_property=data.revenue_property,
            window_days=data.window_days,
        )  # fmt: skip
    return current
