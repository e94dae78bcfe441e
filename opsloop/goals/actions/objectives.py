"""Objectives and their key results: the period and level of an objective, a key
result's KPI and target, and the work linked to a key result."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from opsloop.core.actions import check_description, check_text, record_audit
from opsloop.core.errors import Forbidden, Invalid
from opsloop.core.models import Membership, Role
from opsloop.core.rows import lock_current, save_changed
from opsloop.goals import queries, sources
from opsloop.goals.actions.common import (
    check_changes,
    check_day,
    check_member,
    check_number,
)
from opsloop.goals.models import Direction, KeyResult, Kpi, Level, Objective, PeriodKind
from opsloop.goals.schemas import KeyResultIn, KeyResultPatch, LinksIn, ObjectiveIn, ObjectivePatch
from opsloop.work import queries as work_queries
from opsloop.work.models import Item

# --- objectives


def check_period(
    kind: str, start: dt.date | None, end: dt.date | None
) -> tuple[str, dt.date, dt.date]:
    """A period: a quarter or a month from any day of it (the end follows), or custom."""
    if kind not in PeriodKind.values:
        raise Invalid(_("A period is a quarter, a month or custom."), field="period_kind")
    first = check_day(start, "start_date")
    if kind == PeriodKind.QUARTER:
        first = first.replace(month=(first.month - 1) // 3 * 3 + 1, day=1)
        last = _month_end(first, 3)
    elif kind == PeriodKind.MONTH:
        first = first.replace(day=1)
        last = _month_end(first, 1)
    else:
        last = check_day(end, "end_date")
    if last < first:
        raise Invalid(_("The period ends before it starts."), field="end_date")
    if (last - first).days > 3 * 366:
        raise Invalid(_("A period is at most three years."), field="end_date")
    return kind, first, last


def _month_end(first: dt.date, months: int) -> dt.date:
    month = first.month - 1 + months
    return dt.date(first.year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def _level(
    actor: Membership, level: str, team: str, project_id: int | None
) -> tuple[str, str, int | None]:
    if level not in Level.values:
        raise Invalid(_("An objective is the workspace's, a team's or a project's."), field="level")
    team = check_text(
        team, field="team", label=_("Team"), max_length=80, required=level == Level.TEAM
    )
    project = None
    if level == Level.PROJECT:
        if project_id is not None:
            project = work_queries.visible_projects(actor).filter(pk=project_id).first()
        if project is None:
            raise Invalid(_("No such project in this workspace."), field="project_id")
    return level, team if level == Level.TEAM else "", project.pk if project else None


def do_create_objective(*, actor: Membership, data: ObjectiveIn) -> Objective:
    """An objective for a period, of the workspace, a team or a project (members and
    above)."""
    if not actor.at_least(Role.MEMBER):
        raise Forbidden(_("Guests cannot set objectives."))
    kind, first, last = check_period(data.period_kind, data.start_date, data.end_date)
    level, team, project = _level(actor, data.level, data.team, data.project_id)
    return Objective.objects.create(
        workspace_id=actor.workspace_id,
        title=check_text(data.title, field="title", label=_("Title"), max_length=200),
        description=check_description(data.description),
        level=level,
        team=team,
        project_id=project,
        period_kind=kind,
        start_date=first,
        end_date=last,
        owner_id=check_member(actor.workspace_id, data.owner_id or actor.user_id, "owner_id"),
        created_by_id=actor.user_id,
    )


def do_update_objective(
    *, actor: Membership, objective: Objective, data: ObjectivePatch
) -> Objective:
    """Change the fields `data` sets."""
    check_changes(actor, objective.owner_id, objective.created_by_id)
    given = data.model_dump(exclude_unset=True)
    with transaction.atomic():
        # A period or level given in part is completed from the objective as it is now.
        before = lock_current(objective)
        if "title" in given:
            objective.title = check_text(
                given["title"], field="title", label=_("Title"), max_length=200
            )
        if "description" in given:
            objective.description = check_description(given["description"])
        if {"period_kind", "start_date", "end_date"} & given.keys():
            objective.period_kind, objective.start_date, objective.end_date = check_period(
                given.get("period_kind", objective.period_kind),
                given.get("start_date", objective.start_date),
                given.get("end_date", objective.end_date),
            )
        if {"level", "team", "project_id"} & given.keys():
            objective.level, objective.team, objective.project_id = _level(
                actor,
                given.get("level", objective.level),
                given.get("team", objective.team),
                given.get("project_id", objective.project_id),
            )
        if "owner_id" in given:
            objective.owner_id = check_member(objective.workspace_id, given["owner_id"], "owner_id")
        save_changed(objective, before, "updated_at")
    return objective


def do_delete_objective(*, actor: Membership, objective: Objective) -> None:
    check_changes(actor, objective.owner_id, objective.created_by_id)
    record_audit(
        actor=actor.user, action="objective.delete", workspace=actor.workspace,
        target=objective.title,
    )  # fmt: skip
    objective.delete()


# --- key results


def _check_target(
    direction: str,
    start: float | None,
    target: float | None,
    low: float | None,
    high: float | None,
) -> dict[str, Any]:
    if direction not in Direction.values:
        raise Invalid(
            _(
                "A key result increases or decreases to a target, stays at least or at most "
                "at a value, or stays within a band."
            ),
            field="direction",
        )
    if direction == Direction.BAND:
        lo = None if low is None else check_number(low, "band_low")
        hi = None if high is None else check_number(high, "band_high")
        if lo is None and hi is None:
            raise Invalid(_("A band needs a lowest or a highest value."), field="band_low")
        if lo is not None and hi is not None and hi < lo:
            raise Invalid(_("The highest value is below the lowest."), field="band_high")
        return {"direction": direction, "band_low": lo, "band_high": hi,
                "start_value": check_number(start or 0, "start_value"),
                "target_value": 0.0}  # fmt: skip
    return {
        "direction": direction,
        "start_value": check_number(0 if start is None else start, "start_value"),
        "target_value": check_number(target, "target_value"),
        "band_low": None,
        "band_high": None,
    }


def _weight(value: float | None) -> float:
    weight = check_number(value, "weight")
    if weight < 0 or weight > 1000:
        raise Invalid(_("A weight is between 0 and 1000."), field="weight")
    return weight


def _kpi(actor: Membership, objective: Objective, kpi_id: int | None) -> Kpi:
    """A KPI of the workspace that the actor sees (not one of a project hidden from them)."""
    kpi = (
        None
        if kpi_id is None
        else Kpi.objects.filter(workspace_id=objective.workspace_id, pk=kpi_id)
        .exclude(pk__in=queries.hidden_kpi_ids(actor))
        .first()
    )
    if kpi is None:
        raise Invalid(_("No such KPI in this workspace."), field="kpi_id")
    return kpi


def do_add_key_result(*, actor: Membership, objective: Objective, data: KeyResultIn) -> KeyResult:
    """A KPI to move from a start value to a target (or to keep within a band), weighed
    in the objective's progress."""
    check_changes(actor, objective.owner_id, objective.created_by_id)
    kpi = _kpi(actor, objective, data.kpi_id)
    target = _check_target(
        data.direction, data.start_value, data.target_value, data.band_low, data.band_high
    )
    last = (
        objective.key_results.order_by("-sort_order").values_list("sort_order", flat=True).first()
    )
    return KeyResult.objects.create(
        objective=objective,
        title=check_text(data.title, field="title", label=_("Title"), max_length=200),
        kpi=kpi,
        weight=_weight(data.weight),
        owner_id=check_member(objective.workspace_id, data.owner_id or actor.user_id, "owner_id"),
        sort_order=(last or 0) + 1,
        **target,
    )


def do_update_key_result(
    *, actor: Membership, key_result: KeyResult, data: KeyResultPatch
) -> KeyResult:
    """Change the fields `data` sets."""
    objective = key_result.objective
    check_changes(actor, objective.owner_id, objective.created_by_id, key_result.owner_id)
    given = data.model_dump(exclude_unset=True)
    with transaction.atomic():
        # A target given in part is completed from the key result as it is now.
        before = lock_current(key_result)
        if "title" in given:
            key_result.title = check_text(
                given["title"], field="title", label=_("Title"), max_length=200
            )
        if "kpi_id" in given:
            key_result.kpi = _kpi(actor, objective, given["kpi_id"])
        names = ("direction", "start_value", "target_value", "band_low", "band_high")
        if set(names) & given.keys():
            target = _check_target(*(given.get(n, getattr(key_result, n)) for n in names))
            for name, value in target.items():
                setattr(key_result, name, value)
        if "weight" in given:
            key_result.weight = _weight(given["weight"])
        if "owner_id" in given:
            key_result.owner_id = check_member(
                objective.workspace_id, given["owner_id"], "owner_id"
            )
        save_changed(key_result, before, "updated_at")
    return key_result


def do_delete_key_result(*, actor: Membership, key_result: KeyResult) -> None:
    objective = key_result.objective
    check_changes(actor, objective.owner_id, objective.created_by_id)
    key_result.delete()


def do_link_work(*, actor: Membership, key_result: KeyResult, data: LinksIn) -> KeyResult:
    """Set the projects and items meant to move a key result (those the actor sees); a
    list left out keeps what is linked."""
    objective = key_result.objective
    check_changes(actor, objective.owner_id, objective.created_by_id, key_result.owner_id)
    visible = work_queries.visible_projects(actor)
    with transaction.atomic():
        if data.project_ids is not None:
            ids = {sources._int(pk, "project_ids") for pk in data.project_ids}
            found = list(visible.filter(pk__in=ids))
            if len(found) != len(ids):
                raise Invalid(_("No such project in this workspace."), field="project_ids")
            key_result.projects.set(found)
        if data.item_refs is not None:
            items = []
            for ref in data.item_refs:
                key, number = work_queries.parse_ref(ref)
                item = Item.objects.filter(
                    project__in=visible, project__key=key, number=number
                ).first()
                if item is None:
                    raise Invalid(_("No such item: %(ref)s") % {"ref": ref}, field="item_refs")
                items.append(item)
            key_result.items.set(items)
    return key_result
