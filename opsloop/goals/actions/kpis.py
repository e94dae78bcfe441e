"""KPIs: their definition (where the values come from), making, changing and deleting
one, and computing the values of those that come from an insight or the work."""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _

from opsloop.core.actions import check_description, check_text, record_audit
from opsloop.core.background import enqueue_with_transaction
from opsloop.core.errors import Conflict, Invalid
from opsloop.core.models import Membership
from opsloop.core.rows import lock_current, save_changed
from opsloop.goals import sources
from opsloop.goals.actions.alert_rules import do_check_alerts
from opsloop.goals.actions.common import check_changes, check_member
from opsloop.goals.actions.values import store_values
from opsloop.goals.models import Kpi, KpiChange, KpiSource
from opsloop.goals.schemas import KpiIn, KpiPatch
from opsloop.insights.models import Insight
from opsloop.insights.queries import local_today
from opsloop.work import queries as work_queries
from opsloop.work.models import Project

logger = logging.getLogger(__name__)

# A new computed KPI looks back this far for its history (where the source has one).
HISTORY_DAYS = 90


@dataclass(frozen=True)
class KpiDefinition:
    source: str
    definition: dict[str, Any]
    insight: Insight | None


def check_kpi_definition(
    actor: Membership, source: str, definition: dict[str, Any] | None, insight_id: int | None
) -> KpiDefinition:
    """Where a KPI's values come from, checked: the insight and which of its numbers, or
    the measure of the work (of projects the actor sees)."""
    if source not in KpiSource.values:
        raise Invalid(
            _("A KPI's values come from an insight, by hand, or from the work."), field="source"
        )
    registered = sources.registered_source(source)
    if registered is not None:
        return KpiDefinition(source, registered.check(actor, definition or {}), None)
    if source == KpiSource.INSIGHT:
        insight = (
            None
            if insight_id is None
            else Insight.objects.filter(workspace_id=actor.workspace_id, pk=insight_id).first()
        )
        if insight is None:
            raise Invalid(_("No such insight in this workspace."), field="insight_id")
        return KpiDefinition(source, sources.check_insight_pick(insight, definition or {}), insight)
    if source == KpiSource.WORK:
        visible = set(work_queries.visible_projects(actor).values_list("pk", flat=True))
        checked = sources.check_work(actor.workspace_id, definition, visible)
        # No projects named counts every project's items: only who sees them all may.
        if checked["measure"] == "items_done" and not checked["project_ids"]:
            projects = Project.objects.filter(workspace_id=actor.workspace_id)
            if projects.exclude(pk__in=visible).exists():
                raise Invalid(
                    _("You do not see every project of the workspace: name the projects."),
                    field="definition.project_ids",
                )
        return KpiDefinition(source, checked, None)
    if source != KpiSource.MANUAL:
        raise Invalid(_("This source of KPI values is not available."), field="source")
    return KpiDefinition(source, {}, None)


def do_create_kpi(
    *,
    actor: Membership,
    data: KpiIn,
    today: dt.date | None = None,
) -> Kpi:
    """A KPI; a computed one gets its values (and what history its source has) now."""
    checked = check_kpi_definition(actor, data.source, data.definition, data.insight_id)
    try:
        with transaction.atomic():
            kpi = Kpi.objects.create(
                workspace_id=actor.workspace_id,
                name=check_text(data.name, field="name", label=_("Name"), max_length=200),
                description=check_description(data.description),
                unit=check_text(
                    data.unit, field="unit", label=_("Unit"), max_length=20, required=False
                ),
                source=checked.source,
                definition=checked.definition,
                insight=checked.insight,
                owner_id=check_member(
                    actor.workspace_id, data.owner_id or actor.user_id, "owner_id"
                ),
                created_by_id=actor.user_id,
            )
    except IntegrityError:
        raise Conflict(_("A KPI with that name already exists."), field="name") from None
    if kpi.source != KpiSource.MANUAL:
        do_compute_kpi(kpi=kpi, today=today)
    return kpi


def do_update_kpi(*, actor: Membership, kpi: Kpi, data: KpiPatch) -> Kpi:
    """Change a KPI: the fields `data` sets. A change of where its values come from is
    recorded (KpiChange) and raises its version: the values recorded so far keep theirs."""
    check_changes(actor, kpi.owner_id, kpi.created_by_id)
    given = data.model_dump(exclude_unset=True)
    values: dict[str, Any] = {}
    if "name" in given:
        values["name"] = check_text(given["name"], field="name", label=_("Name"), max_length=200)
    if "description" in given:
        values["description"] = check_description(given["description"])
    if "unit" in given:
        values["unit"] = check_text(
            given["unit"], field="unit", label=_("Unit"), max_length=20, required=False
        )
    if "owner_id" in given:
        values["owner_id"] = check_member(kpi.workspace_id, given["owner_id"], "owner_id")
    redefined = any(key in given for key in ("source", "definition", "insight_id"))
    with transaction.atomic():
        # The definition and version changed from are the KPI's as they are now.
        before_row = lock_current(kpi)
        for name, value in values.items():
            setattr(kpi, name, value)
        if redefined:
            checked = check_kpi_definition(
                actor,
                given.get("source", kpi.source),
                given.get("definition", kpi.definition),
                given.get("insight_id", kpi.insight_id),
            )
            before = _definition_of(kpi)
            kpi.source, kpi.definition, kpi.insight = (
                checked.source, checked.definition, checked.insight,
            )  # fmt: skip
            after = _definition_of(kpi)
            if after != before:
                kpi.version += 1
                KpiChange.objects.create(
                    kpi=kpi, version=kpi.version, before=before, after=after,
                    changed_by_id=actor.user_id,
                )  # fmt: skip
                kpi.error = ""
        try:
            save_changed(kpi, before_row, "updated_at")
        except IntegrityError:
            raise Conflict(_("A KPI with that name already exists."), field="name") from None
    if redefined and kpi.source != KpiSource.MANUAL:
        do_compute_kpi(kpi=kpi)
    return kpi


def _definition_of(kpi: Kpi) -> dict[str, Any]:
    return {"source": kpi.source, "insight_id": kpi.insight_id, "definition": kpi.definition}


def do_delete_kpi(*, actor: Membership, kpi: Kpi) -> None:
    check_changes(actor, kpi.owner_id, kpi.created_by_id)
    try:
        with transaction.atomic():
            record_audit(
                actor=actor.user, action="kpi.delete", workspace=actor.workspace, target=kpi.name
            )
            kpi.delete()
    except RestrictedError:
        raise Conflict(
            _("Key results measure themselves by this KPI: change them first.")
        ) from None


def do_compute_kpi(*, kpi: Kpi, today: dt.date | None = None) -> bool:
    """Compute a KPI's values from its source now; on failure keep the values so far and
    mark it stale with the error. Whether it succeeded."""
    if kpi.source == KpiSource.MANUAL:
        return True
    workspace = kpi.workspace
    today = today or local_today(workspace)
    try:
        if kpi.source == KpiSource.INSIGHT:
            if kpi.insight is None:
                raise Invalid(_("Its insight was deleted."))
            values = sources.values_from_insight(kpi.insight, kpi.definition, today)
        elif (registered := sources.registered_source(kpi.source)) is not None:
            values = registered.values(workspace, kpi.definition, today)
        elif kpi.source != KpiSource.WORK:
            raise Invalid(_("This source of KPI values is not available."))
        else:
            since = today - dt.timedelta(days=HISTORY_DAYS - 1)
            zone = zoneinfo.ZoneInfo(workspace.time_zone)
            values = sources.values_from_work(workspace.pk, kpi.definition, today, since, zone)
        store_values(kpi, values, replace=False)
    except Exception as exc:  # noqa: BLE001 (a failing KPI never stops the others)
        message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
        logger.warning("KPI %s of workspace %s failed: %s", kpi.pk, workspace.pk, message)
        Kpi.objects.filter(pk=kpi.pk).update(error=str(message)[:2000], computed_at=timezone.now())
        kpi.error = str(message)[:2000]
        return False
    kpi.error, kpi.computed_at = "", timezone.now()
    Kpi.objects.filter(pk=kpi.pk).update(error="", computed_at=kpi.computed_at)
    try:
        do_check_alerts(kpi=kpi)
    except Exception:  # noqa: BLE001 (a broken alert never stops the KPIs)
        logger.exception("alerts of KPI %s failed", kpi.pk)
    return True


def do_compute_workspace_kpis(*, workspace_id: int) -> tuple[int, int]:
    """Compute every computed KPI of a workspace: (how many succeeded, how many failed)."""
    kpis = (
        Kpi.objects.select_related("workspace", "insight__workspace")
        .filter(workspace_id=workspace_id)
        .exclude(source=KpiSource.MANUAL)
    )
    good = bad = 0
    for kpi in kpis:
        if do_compute_kpi(kpi=kpi):
            good += 1
        else:
            bad += 1
    return good, bad


def do_schedule_kpis() -> int:
    """Queue a background task per workspace that has computed KPIs; how many."""
    ids = sorted(
        set(Kpi.objects.exclude(source=KpiSource.MANUAL).values_list("workspace_id", flat=True))
    )
    for workspace_id in ids:
        enqueue_with_transaction("opsloop.goals.tasks.compute_workspace_kpis", workspace_id)
    return len(ids)
