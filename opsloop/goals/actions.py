"""Every write of goals: KPIs (their definition, entered and imported values, computing
them), objectives and their key results, and the work linked to a key result."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import math
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import RestrictedError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from opsloop.core.actions import check_description, check_text, record_audit
from opsloop.core.background import enqueue_with_transaction
from opsloop.core.errors import Conflict, Forbidden, Invalid, NotFound
from opsloop.core.models import Membership, Role, User, Workspace
from opsloop.core.rows import lock_current, save_changed
from opsloop.goals import alerts, sources
from opsloop.goals.models import (
    AlertFiring,
    AlertKind,
    AlertRule,
    CampaignCohorts,
    Direction,
    KeyResult,
    Kpi,
    KpiChange,
    KpiSource,
    KpiValue,
    Level,
    Objective,
    PeriodKind,
)
from opsloop.insights.models import Cohort, Insight
from opsloop.insights.queries import local_today
from opsloop.work import queries as work_queries
from opsloop.work.models import Item, Project, ProjectKind

logger = logging.getLogger(__name__)

# A new computed KPI looks back this far for its history (where the source has one).
HISTORY_DAYS = 90
MAX_IMPORT_ROWS = 10_000
MAX_IMPORT_BYTES = 2 * 1024 * 1024


def check_changes(actor: Membership, *owners: int | None) -> None:
    """Who made it or owns it, and admins, change and delete a KPI or an objective."""
    if actor.at_least(Role.ADMIN) or actor.user_id in owners:
        return
    raise Forbidden(_("Only its owner, who made it, and admins can change it."))


def _member(workspace: Workspace, user_id: Any, field: str) -> int | None:
    if user_id in (None, ""):
        return None
    if not Membership.objects.filter(workspace=workspace, user_id=user_id).exists():
        raise Invalid(_("The owner must be a member of the workspace."), field=field)
    return int(user_id)


# --- KPIs


@dataclass(frozen=True)
class KpiDefinition:
    source: str
    definition: dict[str, Any]
    insight: Insight | None


def check_kpi_definition(
    actor: Membership, source: str, definition: Any, insight_id: Any
) -> KpiDefinition:
    if source not in KpiSource.values:
        raise Invalid(
            _("A KPI's values come from an insight, by hand, or from the work."), field="source"
        )
    if source == KpiSource.INSIGHT:
        insight = Insight.objects.filter(workspace_id=actor.workspace_id, pk=insight_id).first()
        if insight_id in (None, "") or insight is None:
            raise Invalid(_("No such insight in this workspace."), field="insight_id")
        return KpiDefinition(source, sources.check_insight_pick(insight, definition or {}), insight)
    if source == KpiSource.WORK:
        visible = set(work_queries.visible_projects(actor).values_list("pk", flat=True))
        return KpiDefinition(
            source, sources.check_work(actor.workspace_id, definition, visible), None
        )
    return KpiDefinition(source, {}, None)


def do_create_kpi(
    *,
    actor: Membership,
    today: dt.date | None = None,
    name: str,
    source: str,
    definition: Any = None,
    insight_id: Any = None,
    unit: str = "",
    description: str = "",
    owner_id: Any = None,
) -> Kpi:
    """A KPI; a computed one gets its values (and what history its source has) now."""
    checked = check_kpi_definition(actor, source, definition, insight_id)
    try:
        with transaction.atomic():
            kpi = Kpi.objects.create(
                workspace_id=actor.workspace_id,
                name=check_text(name, field="name", label=_("Name"), max_length=200),
                description=check_description(description),
                unit=check_text(unit, field="unit", label=_("Unit"), max_length=20, required=False),
                source=checked.source,
                definition=checked.definition,
                insight=checked.insight,
                owner_id=_member(actor.workspace, owner_id or actor.user_id, "owner_id"),
                created_by_id=actor.user_id,
            )
    except IntegrityError:
        raise Conflict(_("A KPI with that name already exists."), field="name") from None
    if kpi.source != KpiSource.MANUAL:
        do_compute_kpi(kpi=kpi, today=today)
    return kpi


def do_update_kpi(*, actor: Membership, kpi: Kpi, changes: dict[str, Any]) -> Kpi:
    """Change a KPI. A change of where its values come from is recorded (KpiChange) and
    raises its version: the values recorded so far keep theirs."""
    check_changes(actor, kpi.owner_id, kpi.created_by_id)
    values: dict[str, Any] = {}
    if "name" in changes:
        values["name"] = check_text(changes["name"], field="name", label=_("Name"), max_length=200)
    if "description" in changes:
        values["description"] = check_description(changes["description"])
    if "unit" in changes:
        values["unit"] = check_text(
            changes["unit"], field="unit", label=_("Unit"), max_length=20, required=False
        )
    if "owner_id" in changes:
        values["owner_id"] = _member(kpi.workspace, changes["owner_id"], "owner_id")
    redefined = any(key in changes for key in ("source", "definition", "insight_id"))
    with transaction.atomic():
        # The definition and version changed from are the KPI's as they are now.
        before_row = lock_current(kpi)
        for name, value in values.items():
            setattr(kpi, name, value)
        if redefined:
            checked = check_kpi_definition(
                actor,
                changes.get("source", kpi.source),
                changes.get("definition", kpi.definition),
                changes.get("insight_id", kpi.insight_id),
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


def check_values(rows: Any) -> list[tuple[dt.date, float]]:
    """[(day, value)] from [{"day": "2026-10-01", "value": 12.5}, ...]."""
    if not isinstance(rows, list) or not rows:
        raise Invalid(_("Send at least one value."), field="values")
    if len(rows) > MAX_IMPORT_ROWS:
        raise Invalid(
            _("At most %(max)d values at once.") % {"max": MAX_IMPORT_ROWS}, field="values"
        )
    out = {}
    for i, row in enumerate(rows):
        where = f"values.{i}"
        if not isinstance(row, dict):
            raise Invalid(_("Each value is an object with a day and a value."), field=where)
        out[_day(row.get("day"), f"{where}.day")] = _number(row.get("value"), f"{where}.value")
    return sorted(out.items())


def do_record_kpi_values(
    *, actor: Membership, kpi: Kpi, values: list[tuple[dt.date, float]]
) -> int:
    """Enter or import values of a KPI kept by hand (a day given again is replaced)."""
    check_records(actor, kpi)
    if kpi.source != KpiSource.MANUAL:
        raise Invalid(_("This KPI is computed; its values cannot be entered."), field="values")
    _store(kpi, dict(values), replace=True)
    do_check_alerts(kpi=kpi)
    return len(values)


def check_records(actor: Membership, kpi: Kpi) -> None:
    """Members and above enter values of any KPI kept by hand (the team keeps them)."""
    if not actor.at_least(Role.MEMBER):
        raise Forbidden(_("Guests cannot enter values."))


def parse_value_file(name: str, content: bytes) -> list[tuple[dt.date, float]]:
    """Rows of day and value from a CSV (UTF-8, with or without a header) or an Excel
    workbook's first sheet: the first column the day, the second the value."""
    if len(content) > MAX_IMPORT_BYTES:
        raise Invalid(_("The file is larger than 2 MB."), field="file")
    lowered = name.lower()
    if lowered.endswith(".xlsx"):
        rows = _xlsx_rows(content)
    elif lowered.endswith((".csv", ".txt")):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise Invalid(_("Save the CSV file as UTF-8."), field="file") from None
        rows = [row for row in csv.reader(io.StringIO(text)) if any(c.strip() for c in row)]
    else:
        raise Invalid(_("Import a .csv or an .xlsx file."), field="file")
    out = []
    for n, row in enumerate(rows, start=1):
        if len(row) < 2:
            raise Invalid(_("Row %(n)d needs a day and a value.") % {"n": n}, field="file")
        try:
            day = _day(row[0], "file")
        except Invalid:
            if n == 1:
                continue  # a header
            raise Invalid(_("Row %(n)d: the day is not a date.") % {"n": n}, field="file") from None
        try:
            value = _number(row[1], "file")
        except Invalid:
            raise Invalid(
                _("Row %(n)d: the value is not a number.") % {"n": n}, field="file"
            ) from None
        out.append({"day": day.isoformat(), "value": value})
    return check_values(out)


def _xlsx_rows(content: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 (any unreadable workbook is the same 400)
        raise Invalid(_("The Excel file could not be read."), field="file") from None
    sheet = book.worksheets[0]
    rows = []
    for row in sheet.iter_rows(values_only=True, max_row=MAX_IMPORT_ROWS + 1):
        cells = list(row[:2])
        if any(cell not in (None, "") for cell in cells):
            rows.append(cells)
    book.close()
    return rows


def _day(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip().replace("/", "-"))
    except ValueError:
        raise Invalid(_("Expected a date (YYYY-MM-DD)."), field=field) from None


def _number(value: Any, field: str) -> float:
    if isinstance(value, bool) or value in (None, ""):
        raise Invalid(_("Expected a number."), field=field)
    try:
        number = float(str(value).strip().replace(",", ""))
    except ValueError:
        raise Invalid(_("Expected a number."), field=field) from None
    if not math.isfinite(number):
        raise Invalid(_("Expected a number."), field=field)
    return number


def _store(kpi: Kpi, values: dict[dt.date, float], *, replace: bool) -> None:
    """Write values by day. `replace` overwrites days already recorded; otherwise only
    new days, today and yesterday (which may have been recorded before it was over) are
    written, so history keeps the definition it was made under."""
    if not values:
        return
    existing = dict(KpiValue.objects.filter(kpi=kpi, day__in=list(values)).values_list("day", "pk"))
    today = local_today(kpi.workspace)
    now = timezone.now()
    new = [
        KpiValue(kpi=kpi, day=day, value=value, version=kpi.version)
        for day, value in values.items()
        if day not in existing
    ]
    changed = [
        KpiValue(
            pk=existing[day], kpi=kpi, day=day, value=value, version=kpi.version, recorded_at=now
        )
        for day, value in values.items()
        if day in existing and (replace or day >= today - dt.timedelta(days=1))
    ]
    with transaction.atomic():
        KpiValue.objects.bulk_create(new, batch_size=1000)
        KpiValue.objects.bulk_update(changed, ["value", "version", "recorded_at"], batch_size=1000)


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
        else:
            since = today - dt.timedelta(days=HISTORY_DAYS - 1)
            zone = zoneinfo.ZoneInfo(workspace.time_zone)
            values = sources.values_from_work(workspace.pk, kpi.definition, today, since, zone)
        _store(kpi, values, replace=False)
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


# --- objectives and key results


def check_period(kind: str, start: Any, end: Any) -> tuple[str, dt.date, dt.date]:
    """A period: a quarter or a month from its first day (the end follows), or custom."""
    if kind not in PeriodKind.values:
        raise Invalid(_("A period is a quarter, a month or custom."), field="period_kind")
    first = _day(start, "start_date")
    if kind == PeriodKind.QUARTER:
        first = first.replace(month=(first.month - 1) // 3 * 3 + 1, day=1)
        last = _month_end(first, 3)
    elif kind == PeriodKind.MONTH:
        first = first.replace(day=1)
        last = _month_end(first, 1)
    else:
        last = _day(end, "end_date")
    if last < first:
        raise Invalid(_("The period ends before it starts."), field="end_date")
    if (last - first).days > 3 * 366:
        raise Invalid(_("A period is at most three years."), field="end_date")
    return kind, first, last


def _month_end(first: dt.date, months: int) -> dt.date:
    month = first.month - 1 + months
    return dt.date(first.year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def _level(
    actor: Membership, level: str, team: str, project_id: Any
) -> tuple[str, str, int | None]:
    if level not in Level.values:
        raise Invalid(_("An objective is the workspace's, a team's or a project's."), field="level")
    team = check_text(
        team, field="team", label=_("Team"), max_length=80, required=level == Level.TEAM
    )
    project = None
    if level == Level.PROJECT:
        project = work_queries.visible_projects(actor).filter(pk=project_id).first()
        if project_id in (None, "") or project is None:
            raise Invalid(_("No such project in this workspace."), field="project_id")
    return level, team if level == Level.TEAM else "", project.pk if project else None


def do_create_objective(
    *,
    actor: Membership,
    title: str,
    start_date: Any,
    period_kind: str = PeriodKind.QUARTER,
    end_date: Any = None,
    level: str = Level.WORKSPACE,
    team: str = "",
    project_id: Any = None,
    description: str = "",
    owner_id: Any = None,
) -> Objective:
    if not actor.at_least(Role.MEMBER):
        raise Forbidden(_("Guests cannot set objectives."))
    kind, first, last = check_period(period_kind, start_date, end_date)
    level, team, project = _level(actor, level, team, project_id)
    return Objective.objects.create(
        workspace_id=actor.workspace_id,
        title=check_text(title, field="title", label=_("Title"), max_length=200),
        description=check_description(description),
        level=level,
        team=team,
        project_id=project,
        period_kind=kind,
        start_date=first,
        end_date=last,
        owner_id=_member(actor.workspace, owner_id or actor.user_id, "owner_id"),
        created_by_id=actor.user_id,
    )


def do_update_objective(
    *, actor: Membership, objective: Objective, changes: dict[str, Any]
) -> Objective:
    check_changes(actor, objective.owner_id, objective.created_by_id)
    with transaction.atomic():
        # A period or level given in part is completed from the objective as it is now.
        before = lock_current(objective)
        if "title" in changes:
            objective.title = check_text(
                changes["title"], field="title", label=_("Title"), max_length=200
            )
        if "description" in changes:
            objective.description = check_description(changes["description"])
        if {"period_kind", "start_date", "end_date"} & changes.keys():
            objective.period_kind, objective.start_date, objective.end_date = check_period(
                changes.get("period_kind", objective.period_kind),
                changes.get("start_date", objective.start_date),
                changes.get("end_date", objective.end_date),
            )
        if {"level", "team", "project_id"} & changes.keys():
            objective.level, objective.team, objective.project_id = _level(
                actor,
                changes.get("level", objective.level),
                changes.get("team", objective.team),
                changes.get("project_id", objective.project_id),
            )
        if "owner_id" in changes:
            objective.owner_id = _member(objective.workspace, changes["owner_id"], "owner_id")
        save_changed(objective, before, "updated_at")
    return objective


def do_delete_objective(*, actor: Membership, objective: Objective) -> None:
    check_changes(actor, objective.owner_id, objective.created_by_id)
    record_audit(
        actor=actor.user, action="objective.delete", workspace=actor.workspace,
        target=objective.title,
    )  # fmt: skip
    objective.delete()


def _check_target(direction: str, start: Any, target: Any, low: Any, high: Any) -> dict[str, Any]:
    if direction not in Direction.values:
        raise Invalid(
            _("A key result increases, decreases or stays within a band."), field="direction"
        )
    if direction == Direction.BAND:
        lo = None if low in (None, "") else _number(low, "band_low")
        hi = None if high in (None, "") else _number(high, "band_high")
        if lo is None and hi is None:
            raise Invalid(_("A band needs a lowest or a highest value."), field="band_low")
        if lo is not None and hi is not None and hi < lo:
            raise Invalid(_("The highest value is below the lowest."), field="band_high")
        return {"direction": direction, "band_low": lo, "band_high": hi,
                "start_value": _number(start or 0, "start_value"), "target_value": 0.0}  # fmt: skip
    return {
        "direction": direction,
        "start_value": _number(start if start not in (None, "") else 0, "start_value"),
        "target_value": _number(target, "target_value"),
        "band_low": None,
        "band_high": None,
    }


def do_add_key_result(
    *,
    actor: Membership,
    objective: Objective,
    title: str,
    kpi_id: Any,
    target_value: Any = None,
    start_value: Any = None,
    direction: str = Direction.INCREASE,
    band_low: Any = None,
    band_high: Any = None,
    weight: Any = 1,
    owner_id: Any = None,
) -> KeyResult:
    check_changes(actor, objective.owner_id, objective.created_by_id)
    kpi = Kpi.objects.filter(workspace_id=objective.workspace_id, pk=kpi_id).first()
    if kpi_id in (None, "") or kpi is None:
        raise Invalid(_("No such KPI in this workspace."), field="kpi_id")
    target = _check_target(direction, start_value, target_value, band_low, band_high)
    last = (
        objective.key_results.order_by("-sort_order").values_list("sort_order", flat=True).first()
    )
    return KeyResult.objects.create(
        objective=objective,
        title=check_text(title, field="title", label=_("Title"), max_length=200),
        kpi=kpi,
        weight=_weight(weight),
        owner_id=_member(objective.workspace, owner_id or actor.user_id, "owner_id"),
        sort_order=(last or 0) + 1,
        **target,
    )


def _weight(value: Any) -> float:
    weight = _number(value, "weight")
    if weight < 0 or weight > 1000:
        raise Invalid(_("A weight is between 0 and 1000."), field="weight")
    return weight


def do_update_key_result(
    *, actor: Membership, key_result: KeyResult, changes: dict[str, Any]
) -> KeyResult:
    objective = key_result.objective
    check_changes(actor, objective.owner_id, objective.created_by_id, key_result.owner_id)
    with transaction.atomic():
        # A target given in part is completed from the key result as it is now.
        before = lock_current(key_result)
        if "title" in changes:
            key_result.title = check_text(
                changes["title"], field="title", label=_("Title"), max_length=200
            )
        if "kpi_id" in changes:
            kpi = Kpi.objects.filter(
                workspace_id=objective.workspace_id, pk=changes["kpi_id"]
            ).first()
            if kpi is None:
                raise Invalid(_("No such KPI in this workspace."), field="kpi_id")
            key_result.kpi = kpi
        names = ("direction", "start_value", "target_value", "band_low", "band_high")
        if set(names) & changes.keys():
            target = _check_target(*(changes.get(n, getattr(key_result, n)) for n in names))
            for name, value in target.items():
                setattr(key_result, name, value)
        if "weight" in changes:
            key_result.weight = _weight(changes["weight"])
        if "owner_id" in changes:
            key_result.owner_id = _member(objective.workspace, changes["owner_id"], "owner_id")
        save_changed(key_result, before, "updated_at")
    return key_result


def do_delete_key_result(*, actor: Membership, key_result: KeyResult) -> None:
    objective = key_result.objective
    check_changes(actor, objective.owner_id, objective.created_by_id)
    key_result.delete()


def do_link_work(
    *,
    actor: Membership,
    key_result: KeyResult,
    project_ids: list[Any] | None = None,
    item_refs: list[str] | None = None,
) -> KeyResult:
    """Set the projects and items meant to move a key result (those the actor sees)."""
    objective = key_result.objective
    check_changes(actor, objective.owner_id, objective.created_by_id, key_result.owner_id)
    visible = work_queries.visible_projects(actor)
    with transaction.atomic():
        if project_ids is not None:
            ids = {sources._int(pk, "project_ids") for pk in project_ids}
            found = list(visible.filter(pk__in=ids))
            if len(found) != len(ids):
                raise Invalid(_("No such project in this workspace."), field="project_ids")
            key_result.projects.set(found)
        if item_refs is not None:
            items = []
            for ref in item_refs:
                key, number = work_queries.parse_ref(str(ref))
                item = Item.objects.filter(
                    project__in=visible, project__key=key, number=number
                ).first()
                if item is None:
                    raise Invalid(_("No such item: %(ref)s") % {"ref": ref}, field="item_refs")
                items.append(item)
            key_result.items.set(items)
    return key_result


# --- alerts


def do_create_alert_rule(
    *,
    actor: Membership,
    kpi: Kpi,
    kind: str,
    threshold: Any = None,
    percent: Any = None,
    weeks: Any = 4,
    z: Any = 3,
    create_item: bool = False,
    project_id: Any = None,
) -> AlertRule:
    """A rule on a KPI (members and above); a work item goes to a project the actor may
    add items to."""
    if not actor.at_least(Role.MEMBER):
        raise Forbidden(_("Guests cannot set alerts."))
    if kind not in AlertKind.values:
        raise Invalid(
            _("An alert is one of: %(names)s.") % {"names": ", ".join(AlertKind.values)},
            field="kind",
        )
    rule = AlertRule(kpi=kpi, kind=kind, created_by_id=actor.user_id, create_item=bool(create_item))
    if kind == AlertKind.BELOW:
        rule.threshold = _number(threshold, "threshold")
    elif kind == AlertKind.CHANGE:
        rule.percent = _number(percent, "percent")
        if rule.percent <= 0:
            raise Invalid(_("Give a percentage above 0."), field="percent")
    elif kind == AlertKind.WEEKDAY:
        rule.weeks = sources._int(weeks, "weeks")
        rule.z = _number(z, "z")
        if not 3 <= rule.weeks <= 12 or rule.z <= 0:
            raise Invalid(
                _("Compare with 3 to 12 weeks, by more than 0 deviations."), field="weeks"
            )
    if rule.create_item:
        project = work_queries.visible_projects(actor).filter(pk=project_id).first()
        if project_id in (None, "") or project is None:
            raise Invalid(_("Say which project the work item goes to."), field="project_id")
        work_queries.check_project_permission(actor, project, work_queries.EDIT)
        rule.project = project
    rule.save()
    return rule


def do_delete_alert_rule(*, actor: Membership, rule: AlertRule) -> None:
    check_changes(actor, rule.created_by_id, rule.kpi.owner_id)
    rule.delete()


def do_check_alerts(*, kpi: Kpi) -> list[AlertFiring]:
    """Hold the KPI's latest value to each of its rules; a rule fires once a day. Who is
    told: the KPI's owner (else who made it), in the inbox and by email; a rule that asks
    for it also makes them a work item with the chart attached."""
    rules = list(kpi.alerts.filter(enabled=True).select_related("project", "created_by"))
    if not rules:
        return []
    rows = KpiValue.objects.filter(kpi=kpi).order_by("-day")[:ALERT_HISTORY_DAYS]
    points = sorted((v.day, v.value) for v in rows)
    fired = []
    for rule in rules:
        firing = alerts.check(
            rule.kind, points, threshold=rule.threshold, percent=rule.percent,
            weeks=rule.weeks, z=rule.z,
        )  # fmt: skip
        if firing is None or (rule.last_fired_on and firing.day <= rule.last_fired_on):
            continue
        with transaction.atomic():
            made = AlertFiring.objects.create(
                rule=rule, day=firing.day, value=firing.value, numbers=firing.numbers
            )
            AlertRule.objects.filter(pk=rule.pk).update(last_fired_on=firing.day)
            rule.last_fired_on = firing.day
            made.item = _alert_item(kpi, rule, made, [v for _d, v in points])
            if made.item is not None:
                made.save(update_fields=["item"])
            _tell(kpi, rule, made)
        fired.append(made)
    return fired


ALERT_HISTORY_DAYS = 120


def alert_text(kpi: Kpi, rule: AlertRule, firing: AlertFiring) -> str:
    """What happened, in words and numbers (the reader's language)."""
    n = firing.numbers
    value = f"{firing.value:g}{kpi.unit}"
    if rule.kind == AlertKind.BELOW:
        why = _("below %(threshold)s") % {"threshold": f"{n.get('threshold'):g}"}
    elif rule.kind == AlertKind.CHANGE:
        why = _("%(percent)s%% from the day before (%(before)s)") % {
            "percent": f"{n.get('percent', 0):+g}" if "percent" in n else "∞",
            "before": f"{n.get('before'):g}",
        }
    elif rule.kind == AlertKind.FORECAST:
        why = _("outside its forecast's range %(low)s – %(high)s") % {
            "low": f"{n['low']:.2f}", "high": f"{n['high']:.2f}",
        }  # fmt: skip
    else:
        why = _("against %(mean)s ± %(sd)s on the same weekday of %(weeks)s weeks") % {
            "mean": f"{n['mean']:.2f}", "sd": f"{n['sd']:.2f}", "weeks": n["weeks"],
        }  # fmt: skip
    return _("%(kpi)s was %(value)s on %(day)s: %(why)s.") % {
        "kpi": kpi.name, "value": value, "day": firing.day.isoformat(), "why": why,
    }  # fmt: skip


def _recipient(kpi: Kpi, rule: AlertRule) -> User | None:
    return kpi.owner or kpi.created_by or rule.created_by


def _tell(kpi: Kpi, rule: AlertRule, firing: AlertFiring) -> None:
    from django.urls import reverse

    from opsloop.inbox.actions import do_notify
    from opsloop.inbox.models import NotificationKind

    who = _recipient(kpi, rule)
    if who is None:
        return
    do_notify(
        workspace_id=kpi.workspace_id,
        recipients=[who],
        actor=None,
        kind=NotificationKind.KPI_ALERT,
        title=lambda: alert_text(kpi, rule, firing),
        url=reverse("kpis", args=[kpi.workspace.slug]) + f"#kpi-{kpi.pk}",
        item=firing.item,
    )


def _alert_item(kpi: Kpi, rule: AlertRule, firing: AlertFiring, values: list[float]) -> Item | None:
    """The work item a rule asks for, assigned to the KPI's owner when they may be, with
    the KPI's chart attached; made as the rule's maker (none when they have left)."""
    if not rule.create_item or rule.project is None or rule.created_by_id is None:
        return None
    from django.core.files.base import ContentFile

    from opsloop.files import actions as file_actions
    from opsloop.files.queries import Place
    from opsloop.goals.chart import line_png
    from opsloop.work import actions as work_actions
    from opsloop.work.schemas import ItemIn

    maker = (
        Membership.objects.select_related("workspace", "user")
        .filter(workspace_id=kpi.workspace_id, user_id=rule.created_by_id)
        .first()
    )
    if maker is None:
        return None
    owner = _recipient(kpi, rule)
    assignable = set(work_queries.assignable_users(rule.project).values_list("pk", flat=True))
    # Written in the language of whom it is for, as their inbox is.
    with translation.override((owner or maker.user).message_language):
        title = (_("Look into %(kpi)s") % {"kpi": kpi.name})[:200]
        text = alert_text(kpi, rule, firing)
    item = work_actions.do_create_item(
        actor=maker,
        project=rule.project,
        data=ItemIn(
            title=title,
            description=text,
            priority="high",
            assignee_ids=[owner.pk] if owner is not None and owner.pk in assignable else [],
        ),
    )
    chart = line_png(values[-60:], target=rule.threshold if rule.kind == AlertKind.BELOW else None)
    file_actions.do_upload_file(
        actor=maker,
        place=Place(project=rule.project, item=item),
        content=ContentFile(chart),
        name=f"{kpi.name}-{firing.day.isoformat()}.png",
    )
    return item


# --- campaign impact


def _cohort(actor: Membership, value: Any, field: str) -> Cohort | None:
    if value in (None, ""):
        return None
    from opsloop.insights.queries import get_cohort

    return get_cohort(actor.workspace, sources._int(value, field), field=field)


def do_set_campaign_cohorts(
    *, actor: Membership, project: Project, target: Any = None, control: Any = None
) -> CampaignCohorts:
    """The cohort a campaign targeted and the control cohort it is held against
    (opsloop/goals/campaign.py); None clears one. Who may edit the project sets them;
    both of its workspace, and not the same one. Audit-logged."""
    from opsloop.events.queries import check_sees_events

    if project.workspace_id != actor.workspace_id:
        raise NotFound(_("Project not found."))
    check_sees_events(actor)
    work_queries.check_project_permission(actor, project, work_queries.EDIT)
    if project.kind != ProjectKind.CAMPAIGN:
        raise Invalid(_("Only a campaign project has a target and a control cohort."))
    chosen, held = _cohort(actor, target, "target"), _cohort(actor, control, "control")
    if chosen is not None and held is not None and chosen.pk == held.pk:
        raise Invalid(_("The control cohort must differ from the target cohort."), field="control")
    with transaction.atomic():
        cohorts, _made = CampaignCohorts.objects.update_or_create(
            project=project, defaults={"target": chosen, "control": held}
        )
        record_audit(
            actor=actor.user,
            action="project.campaign_cohorts",
            workspace=actor.workspace,
            target=project.key,
            target_id=chosen.pk if chosen else None,
            control_id=held.pk if held else None,
        )
    return cohorts
