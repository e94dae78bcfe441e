"""Alert rules on a KPI: setting and deleting them, and holding each new value to them;
a rule that fires tells the KPI's owner and may make them a work item with the chart.
(The rules' maths is opsloop/goals/alerts.py's.)"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from opsloop.core.errors import Forbidden, Invalid
from opsloop.core.models import Membership, Role, User
from opsloop.files import actions as file_actions
from opsloop.files.queries import Place
from opsloop.goals import alerts, queries, sources
from opsloop.goals.actions.common import check_changes, check_number
from opsloop.goals.chart import line_png
from opsloop.goals.models import AlertFiring, AlertKind, AlertRule, Kpi, KpiValue
from opsloop.goals.schemas import AlertIn
from opsloop.inbox.actions import do_notify
from opsloop.inbox.models import NotificationKind
from opsloop.work import actions as work_actions
from opsloop.work import queries as work_queries
from opsloop.work.models import Item
from opsloop.work.schemas import ItemIn

ALERT_HISTORY_DAYS = 120


def do_create_alert_rule(*, actor: Membership, kpi: Kpi, data: AlertIn) -> AlertRule:
    """A rule on a KPI (members and above); a work item goes to a project the actor may
    add items to."""
    if not actor.at_least(Role.MEMBER):
        raise Forbidden(_("Guests cannot set alerts."))
    if data.kind not in AlertKind.values:
        raise Invalid(
            _("An alert is one of: %(names)s.") % {"names": ", ".join(AlertKind.values)},
            field="kind",
        )
    rule = AlertRule(
        kpi=kpi, kind=data.kind, created_by_id=actor.user_id, create_item=data.create_item
    )
    if data.kind == AlertKind.BELOW:
        rule.threshold = check_number(data.threshold, "threshold")
    elif data.kind == AlertKind.CHANGE:
        rule.percent = check_number(data.percent, "percent")
        if rule.percent <= 0:
            raise Invalid(_("Give a percentage above 0."), field="percent")
    elif data.kind == AlertKind.WEEKDAY:
        rule.weeks = sources._int(data.weeks, "weeks")
        rule.z = check_number(data.z, "z")
        if not 3 <= rule.weeks <= 12 or rule.z <= 0:
            raise Invalid(
                _("Compare with 3 to 12 weeks, by more than 0 deviations."), field="weeks"
            )
    if rule.create_item:
        project = (
            None
            if data.project_id is None
            else work_queries.visible_projects(actor).filter(pk=data.project_id).first()
        )
        if project is None:
            raise Invalid(_("Say which project the work item goes to."), field="project_id")
        work_queries.check_project_permission(actor, project, work_queries.EDIT)
        if not _item_may_show(kpi, project.pk):
            raise Invalid(
                _("A KPI of the work makes its work items only in the one project it counts."),
                field="project_id",
            )
        rule.project = project
    rule.save()
    return rule


def _item_may_show(kpi: Kpi, project_id: int) -> bool:
    """Whether a work item in the project may carry the KPI's values: who sees the item
    sees the project, so the KPI may read no other project (docs/goals.md#alerts)."""
    reads = queries.kpi_reads(kpi.workspace_id).get(kpi.pk, set())
    return reads is not None and reads <= {project_id}


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
    who = _recipient(kpi, rule)
    if who is None:
        return
    membership = Membership.objects.filter(workspace_id=kpi.workspace_id, user=who).first()
    # Whoever may not see the KPI (it counts a project they do not see) is not told it.
    if membership is None or not queries.may_see_kpi(membership, kpi):
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
    if not _item_may_show(kpi, rule.project.pk):  # the KPI was redefined since
        return None
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
