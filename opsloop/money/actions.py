"""Every write of a project's money: budget lines, spend entries, placements and their
daily figures (entered, posted or imported), and the budget watch that holds the spend
to the budget through a KPI alert (docs/money.md).

Each write checks who may make it (opsloop/money/queries.py says who), that everything
it points at belongs to the project's workspace (and, for a line or a placement, to the
project), and that the project's money stays in one currency; it runs in one
transaction, so a refused write leaves nothing behind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Protocol

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from opsloop.core.actions import record_audit
from opsloop.core.errors import Conflict, Invalid
from opsloop.core.inputs import parse_input
from opsloop.core.models import Membership
from opsloop.core.rows import lock_current, save_changed
from opsloop.core.tables import RowError, RowsInvalid
from opsloop.goals import actions as goal_actions
from opsloop.goals.schemas import AlertIn, KpiIn
from opsloop.insights.queries import local_today
from opsloop.money import queries
from opsloop.money.models import (
    BudgetLine,
    BudgetWatch,
    Placement,
    PlacementDay,
    SpendEntry,
)
from opsloop.money.queries import EDIT, MANAGE, money_access
from opsloop.money.schemas import (
    BudgetLineIn,
    BudgetLinePatch,
    BudgetWatchIn,
    PlacementDayIn,
    PlacementIn,
    PlacementPatch,
    SpendEntryIn,
    SpendEntryPatch,
)
from opsloop.work.models import Project, Visibility

# How many days one request or one import may write.
MAX_DAYS = 1000


def _check_currency(project: Project, currency: str, field: str, *, but: object = None) -> None:
    other = queries.other_currency(project, currency, but=but)
    if other is not None:
        raise Invalid(
            _(
                "This project's money is in %(currency)s: opsloop keeps no exchange rates, "
                "so enter %(given)s amounts converted to %(currency)s."
            )
            % {"currency": other, "given": currency},
            field=field,
        )


# --- budget lines


def do_create_line(*, actor: Membership, project: Project, data: BudgetLineIn) -> BudgetLine:
    money_access(actor, project, MANAGE)
    channel = queries.channel_of(project.workspace_id, data.channel_id, "channel_id")
    with transaction.atomic():
        _check_currency(project, data.currency, "currency")
        last = BudgetLine.objects.filter(project=project).aggregate(m=Max("position"))["m"]
        line = BudgetLine.objects.create(
            workspace_id=project.workspace_id,
            project=project,
            name=data.name,
            category=data.category,
            channel=channel,
            planned=queries.money(data.planned),
            currency=data.currency,
            position=0 if last is None else last + 1,
        )
        record_budget_value(actor=actor, project=project)
    return line


def do_update_line(*, actor: Membership, line: BudgetLine, data: BudgetLinePatch) -> BudgetLine:
    project = line.project
    money_access(actor, project, MANAGE)
    changes = data.model_dump(exclude_unset=True)
    for name in ("name", "category", "planned", "currency", "position"):
        if name in changes and changes[name] is None:
            raise Invalid(_("%(field)s cannot be empty.") % {"field": name}, field=name)
    channel = (
        queries.channel_of(project.workspace_id, changes["channel_id"], "channel_id")
        if "channel_id" in changes
        else None
    )
    with transaction.atomic():
        before = lock_current(line)
        if "currency" in changes:
            _check_currency(project, changes["currency"], "currency", but=line)
        for name in ("name", "category", "planned", "currency", "position"):
            if name in changes:
                setattr(line, name, changes[name])
        line.planned = queries.money(line.planned)
        if "channel_id" in changes:
            line.channel = channel
        save_changed(line, before)
        record_budget_value(actor=actor, project=project)
    return line


def do_delete_line(*, actor: Membership, line: BudgetLine) -> None:
    """Its entries and placements stay, on no line."""
    project = line.project
    money_access(actor, project, MANAGE)
    with transaction.atomic():
        record_audit(
            actor=actor.user, action="money.line.delete", workspace=actor.workspace,
            target=f"{project.key} {line.name}", planned=str(line.planned),
        )  # fmt: skip
        line.delete()
        record_budget_value(actor=actor, project=project)


# --- spend entries


def _entry_links(actor: Membership, project: Project, values: dict) -> dict:
    """The rows an entry points at, checked: a line and a placement of the project, a
    partner and a cooperation of the workspace (the cooperation of this project or of
    none, and of the partner named), an invoice the actor sees."""
    ws = project.workspace_id
    out: dict = {}
    if "line_id" in values:
        out["line"] = queries.line_of(project, values["line_id"], "line_id")
    if "placement_id" in values:
        out["placement"] = queries.placement_of(project, values["placement_id"], "placement_id")
    if "partner_id" in values:
        out["partner"] = queries.partner_of(ws, values["partner_id"], "partner_id")
    if "cooperation_id" in values:
        out["cooperation"] = queries.cooperation_of(
            project, values["cooperation_id"], "cooperation_id"
        )
    if "invoice_id" in values:
        out["invoice"] = queries.invoice_of(actor, values["invoice_id"], "invoice_id")
    return out


def _check_partner(entry: SpendEntry) -> None:
    cooperation = entry.cooperation
    if cooperation is None:
        return
    if entry.partner_id is None:
        entry.partner_id = cooperation.partner_id
    elif entry.partner_id != cooperation.partner_id:
        raise Invalid(
            _("The cooperation is with another partner than the one named."),
            field="cooperation_id",
        )


def do_create_entry(*, actor: Membership, project: Project, data: SpendEntryIn) -> SpendEntry:
    money_access(actor, project, EDIT)
    links = _entry_links(actor, project, data.model_dump())
    entry = SpendEntry(
        workspace_id=project.workspace_id,
        project=project,
        day=data.day,
        amount=queries.money(data.amount),
        currency=data.currency,
        note=data.note,
        created_by=actor.user,
        **links,
    )
    _check_partner(entry)
    with transaction.atomic():
        _check_currency(project, data.currency, "currency")
        entry.save()
        record_budget_value(actor=actor, project=project)
    return entry


def do_update_entry(*, actor: Membership, entry: SpendEntry, data: SpendEntryPatch) -> SpendEntry:
    project = entry.project
    money_access(actor, project, EDIT)
    queries.check_change_record(actor, project, entry.created_by_id)
    changes = data.model_dump(exclude_unset=True)
    for name in ("day", "amount", "currency"):
        if name in changes and changes[name] is None:
            raise Invalid(_("%(field)s cannot be empty.") % {"field": name}, field=name)
    links = _entry_links(actor, project, changes)
    with transaction.atomic():
        before = lock_current(entry)
        for name in ("day", "amount", "currency", "note"):
            if name in changes and changes[name] is not None:
                setattr(entry, name, changes[name])
        entry.amount = queries.money(entry.amount)
        for name, value in links.items():
            setattr(entry, name, value)
        if "cooperation" in links and "partner" not in links and entry.cooperation is not None:
            entry.partner_id = None  # the cooperation's partner, below
        _check_partner(entry)
        _check_currency(project, entry.currency, "currency", but=entry)
        save_changed(entry, before)
        record_budget_value(actor=actor, project=project)
    return entry


def do_delete_entry(*, actor: Membership, entry: SpendEntry) -> None:
    project = entry.project
    money_access(actor, project, EDIT)
    queries.check_change_record(actor, project, entry.created_by_id)
    with transaction.atomic():
        record_audit(
            actor=actor.user, action="money.spend.delete", workspace=actor.workspace,
            target=project.key, day=entry.day.isoformat(), amount=str(entry.amount),
            currency=entry.currency, note=entry.note,
        )  # fmt: skip
        entry.delete()
        record_budget_value(actor=actor, project=project)


# --- placements


def _check_period(starts_on: dt.date | None, ends_on: dt.date | None) -> None:
    if starts_on and ends_on and ends_on < starts_on:
        raise Invalid(_("A placement cannot end before it starts."), field="ends_on")


def _check_external_id(placement: Placement) -> None:
    if not placement.external_id:
        return
    taken = (
        Placement.objects.filter(
            workspace_id=placement.workspace_id,
            platform=placement.platform,
            external_id=placement.external_id,
        )
        .exclude(pk=placement.pk)
        .select_related("project")
        .first()
    )
    if taken is not None:
        raise Conflict(
            _("Another placement on this platform has the ID %(id)s.")
            % {"id": placement.external_id},
            field="external_id",
        )


def _placement_links(project: Project, values: dict) -> dict:
    ws = project.workspace_id
    out: dict = {}
    if "channel_id" in values:
        out["channel"] = queries.channel_of(ws, values["channel_id"], "channel_id")
    if "account_id" in values:
        out["account"] = queries.account_of(ws, values["account_id"], "account_id")
    if "budget_line_id" in values:
        out["budget_line"] = queries.line_of(project, values["budget_line_id"], "budget_line_id")
    if "link_id" in values:
        out["link"] = queries.link_of(ws, values["link_id"], "link_id")
    return out


def _fit_links(placement: Placement, given: dict) -> None:
    """An account's channel is the placement's (named or taken from it); a tracked link
    gives the UTM values left empty."""
    account = placement.account
    if account is not None:
        if placement.channel_id is None:
            placement.channel_id = account.channel_id
        elif placement.channel_id != account.channel_id:
            raise Invalid(_("The account is on another channel."), field="account_id")
    link = placement.link
    if link is not None:
        for name in ("utm_source", "utm_campaign", "utm_content"):
            if not getattr(placement, name) and name not in given:
                setattr(placement, name, getattr(link, name))


def do_create_placement(*, actor: Membership, project: Project, data: PlacementIn) -> Placement:
    money_access(actor, project, EDIT)
    _check_period(data.starts_on, data.ends_on)
    values = data.model_dump()
    links = _placement_links(project, values)
    given = {n for n in ("utm_source", "utm_campaign", "utm_content") if values[n]}
    placement = Placement(
        workspace_id=project.workspace_id,
        project=project,
        name=data.name,
        platform=data.platform,
        external_id=data.external_id,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        utm_source=data.utm_source,
        utm_campaign=data.utm_campaign,
        utm_content=data.utm_content,
        created_by=actor.user,
        **links,
    )
    _fit_links(placement, {n: True for n in given})
    with transaction.atomic():
        _check_external_id(placement)
        try:
            with transaction.atomic():
                placement.save()
        except IntegrityError:
            raise Conflict(
                _("Another placement on this platform has the ID %(id)s.")
                % {"id": placement.external_id},
                field="external_id",
            ) from None
    return placement


def do_update_placement(
    *, actor: Membership, placement: Placement, data: PlacementPatch
) -> Placement:
    project = placement.project
    money_access(actor, project, EDIT)
    changes = data.model_dump(exclude_unset=True)
    for name in ("name", "platform"):
        if name in changes and changes[name] is None:
            raise Invalid(_("%(field)s cannot be empty.") % {"field": name}, field=name)
    links = _placement_links(project, changes)
    plain = ("name", "platform", "external_id", "starts_on", "ends_on",
             "utm_source", "utm_campaign", "utm_content")  # fmt: skip
    with transaction.atomic():
        before = lock_current(placement)
        for name in plain:
            if name in changes:
                value = changes[name]
                if value is None and name not in ("starts_on", "ends_on"):
                    value = ""
                setattr(placement, name, value)
        for name, value in links.items():
            setattr(placement, name, value)
        _check_period(placement.starts_on, placement.ends_on)
        _fit_links(placement, changes)
        _check_external_id(placement)
        save_changed(placement, before)
        if "budget_line_id" in changes or "channel_id" in changes:
            record_budget_value(actor=actor, project=project)
    return placement


def do_delete_placement(*, actor: Membership, placement: Placement) -> None:
    """With its daily figures. Refused while spend entries name it: deleting it would turn
    them into spend counted on their own (docs/money.md#what-counts-as-spent)."""
    project = placement.project
    money_access(actor, project, EDIT)
    queries.check_change_record(actor, project, placement.created_by_id)
    with transaction.atomic():
        named = SpendEntry.objects.filter(placement=placement).count()
        if named:
            raise Conflict(
                _("%(n)d spend entries name this placement: change or delete them first.")
                % {"n": named}
            )
        record_audit(
            actor=actor.user, action="money.placement.delete", workspace=actor.workspace,
            target=f"{project.key} {placement.name}", platform=placement.platform,
            external_id=placement.external_id,
        )  # fmt: skip
        placement.delete()
        record_budget_value(actor=actor, project=project)


# --- a placement's days


def write_days(placement: Placement, days: Sequence[PlacementDayIn]) -> int:
    """Insert or replace the placement's figures of each day given (a day given twice keeps
    its last); how many days were written. The caller checks access and holds the
    transaction."""
    by_day = {d.day: d for d in days}
    existing = {d.day: d for d in PlacementDay.objects.filter(placement=placement, day__in=by_day)}
    new: list[PlacementDay] = []
    changed: list[PlacementDay] = []
    for day, given in by_day.items():
        row = existing.get(day) or PlacementDay(placement=placement, day=day)
        row.spend, row.currency = queries.money(given.spend), given.currency
        row.impressions, row.clicks = given.impressions, given.clicks
        row.conversions = given.conversions
        (changed if row.pk else new).append(row)
    PlacementDay.objects.bulk_create(new, batch_size=500)
    PlacementDay.objects.bulk_update(
        changed, ["spend", "currency", "impressions", "clicks", "conversions"], batch_size=500
    )
    return len(by_day)


def check_days_currency(project: Project, days: Sequence[PlacementDayIn]) -> None:
    currencies = {d.currency for d in days}
    if len(currencies) > 1:
        raise Invalid(_("All the days must be in one currency."), field="days")
    if currencies:
        _check_currency(project, currencies.pop(), "days")


def do_record_placement_days(
    *, actor: Membership, placement: Placement, days: Sequence[PlacementDayIn]
) -> int:
    """Enter or post a placement's daily figures: all of them or, on any error, none."""
    project = placement.project
    money_access(actor, project, EDIT)
    if not days:
        raise Invalid(_("Send at least one day."), field="days")
    if len(days) > MAX_DAYS:
        raise Invalid(_("At most %(n)d days at once.") % {"n": MAX_DAYS}, field="days")
    with transaction.atomic():
        check_days_currency(project, days)
        written = write_days(placement, days)
        record_budget_value(actor=actor, project=project)
    return written


def do_delete_placement_day(*, actor: Membership, placement: Placement, day: dt.date) -> None:
    project = placement.project
    money_access(actor, project, EDIT)
    with transaction.atomic():
        deleted, _rows = PlacementDay.objects.filter(placement=placement, day=day).delete()
        if not deleted:
            raise Invalid(_("No figures on %(day)s.") % {"day": day.isoformat()}, field="day")
        record_budget_value(actor=actor, project=project)


# --- a placement report imported


class ReportRow(Protocol):
    """A row of an ad platform's daily report (opsloop/money/importers.py), parsed."""

    day: dt.date | None  # None: a total row, left out
    placement: str
    external_id: str
    spend: Decimal
    impressions: int
    clicks: int
    conversions: int | None


def _match(
    row: ReportRow, by_id: dict[str, Placement], by_name: dict[str, list[Placement]]
) -> Placement | str:
    """The placement a row is for: by the platform's ID, else by name; or why none."""
    if row.external_id and row.external_id in by_id:
        return by_id[row.external_id]
    named = by_name.get(row.placement.strip(), []) if row.placement.strip() else []
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        return _("%(n)d placements have this name: give them their platform's ID.") % {
            "n": len(named)
        }
    if not row.placement.strip() and not row.external_id:
        return _("No placement named: the row has neither a name nor an ID.")
    return _("No placement of this project has this ID or name: add it first.")


def do_import_placement_days(
    *, actor: Membership, project: Project, rows: Sequence[tuple[int, ReportRow]]
) -> int:
    """Write an ad platform's daily report: each row goes to the placement of the project
    with its ID (计划ID), else its name. Rows of one placement and day (an export broken
    down by ad or creative) are added up, and each day replaces what was recorded for it,
    so importing the same file again changes nothing. A row for no placement is refused
    with its line (RowsInvalid), and then nothing is written. How many rows were written
    (total rows left out). Runs inside the import's transaction."""
    money_access(actor, project, EDIT)
    by_id, by_name = queries.placements_by_key(project)
    errors: list[RowError] = []
    sums: dict[tuple[int, dt.date], dict] = {}
    placements: dict[int, Placement] = {}
    used = 0
    for line, row in rows:
        if row.day is None:
            continue
        found = _match(row, by_id, by_name)
        if isinstance(found, str):
            errors.append(RowError(line=line, field="placement", message=found))
            continue
        used += 1
        placements[found.pk] = found
        total = sums.setdefault(
            (found.pk, row.day),
            {"spend": Decimal(0), "impressions": 0, "clicks": 0, "conversions": None},
        )
        total["spend"] += row.spend
        total["impressions"] += row.impressions
        total["clicks"] += row.clicks
        if row.conversions is not None:
            total["conversions"] = (total["conversions"] or 0) + row.conversions
    if errors:
        raise RowsInvalid(errors)
    if not sums:
        raise Invalid(_("The file has no day of any placement."), field="file")
    currency = queries.project_currency(project)
    by_placement: dict[int, list[PlacementDayIn]] = {}
    for (placement_id, on), figures in sums.items():
        by_placement.setdefault(placement_id, []).append(
            parse_input(PlacementDayIn, {"day": on, "currency": currency, **figures})
        )
    with transaction.atomic():
        for placement_id, days in by_placement.items():
            write_days(placements[placement_id], days)
        record_budget_value(actor=actor, project=project)
    return used


# --- the budget watch


def budget_kpi_name(project: Project) -> str:
    return (_("%(key)s budget left") % {"key": project.key})[:200]


def do_watch_budget(*, actor: Membership, project: Project, data: BudgetWatchIn) -> BudgetWatch:
    """Watch the project's budget: a KPI kept by money, "<KEY> budget left" (%), with an
    alert below 0 that tells the KPI's owner (the project's owner) on overspend, and its
    value of today. A private project's KPI would show its budget use to every member,
    so it is watched only when `members_may_see` says so."""
    money_access(actor, project, MANAGE)
    if project.visibility == Visibility.PRIVATE and not data.members_may_see:
        raise Invalid(
            _(
                "Every member of the workspace sees the KPIs: watching this private "
                "project's budget shows its budget use to members who do not see the "
                "project. Confirm that they may see it."
            ),
            field="members_may_see",
        )
    if queries.get_watch(project) is not None:
        raise Conflict(_("This project's budget is watched already."))
    budget = queries.budget_of(project)
    if budget.planned is None or budget.planned <= 0:
        raise Invalid(_("Plan a budget first: there is nothing to watch."))
    owner_id = project.owner_id or actor.user_id
    with transaction.atomic():
        kpi = goal_actions.do_create_kpi(
            actor=actor,
            data=KpiIn(
                name=budget_kpi_name(project),
                source="manual",
                unit="%",
                insight_id=None,
                description=_(
                    "The share of %(project)s's budget not spent yet, recorded by the "
                    "project's Budget page whenever its money changes; below 0 once "
                    "overspent."
                )
                % {"project": f"{project.key} {project.name}"},
                owner_id=owner_id,
            ),
        )
        kpi.workspace = actor.workspace
        goal_actions.do_create_alert_rule(
            actor=actor,
            kpi=kpi,
            data=AlertIn(
                kind="below",
                threshold=0,
                percent=None,
                weeks=4,
                z=3,
                create_item=False,
                project_id=None,
            ),  # fmt: skip
        )
        watch = BudgetWatch.objects.create(project=project, kpi=kpi, created_by=actor.user)
        record_budget_value(actor=actor, project=project, budget=budget)
    return watch


def do_unwatch_budget(*, actor: Membership, project: Project) -> None:
    """Stop watching: the KPI goes, with its values and its alert."""
    money_access(actor, project, MANAGE)
    watch = queries.get_watch(project)
    if watch is None:
        raise Conflict(_("This project's budget is not watched."))
    watch.kpi.workspace = actor.workspace
    goal_actions.do_delete_kpi(actor=actor, kpi=watch.kpi)


def record_budget_value(
    *, actor: Membership, project: Project, budget: queries.Budget | None = None
) -> float | None:
    """When the project's budget is watched, record today's share of it left as the KPI's
    value (which holds it to the alert). Called by every write of the project's money,
    inside its transaction. The value recorded, or None."""
    watch = queries.get_watch(project)
    if watch is None:
        return None
    value = queries.budget_left_percent(budget or queries.budget_of(project))
    if value is None:
        return None
    kpi = watch.kpi
    kpi.workspace = actor.workspace
    goal_actions.do_record_kpi_values(
        actor=actor, kpi=kpi, values=[(local_today(actor.workspace), value)]
    )
    return value
