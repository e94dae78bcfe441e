"""Campaign results as KPIs: a campaign's (or a channel's, or the workspace's) CAC, CPA,
ROAS, ROI, spend, new users, conversions or revenue over the N days ending each day, so
that a key result such as "CAC ≤ ¥30" is measured (docs/money.md#results-as-kpis).

Goals sits below money and cannot import it: money registers this source with goals when
Django starts (MoneyConfig.ready, goals.sources.register_source, docs/decisions/0024)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from opsloop.channels.models import Channel
from opsloop.core.errors import Invalid
from opsloop.core.models import Membership, Workspace
from opsloop.goals import sources
from opsloop.goals.models import KpiSource
from opsloop.money import results
from opsloop.work.models import Project
from opsloop.work.queries import visible_projects

METRICS = ("cac", "cpa", "roas", "roi", "spend", "new_users", "conversions", "revenue")
NEEDS_CONVERSION = ("cpa", "roas", "roi", "conversions", "revenue")
# Kept as percentages, as goals keeps rates (docs/goals.md#kpis).
PERCENT = ("roi",)
HISTORY_DAYS = 90


def _metric_labels() -> list[tuple[str, str]]:
    return [
        ("cac", _("CAC (spend / new users)")),
        ("cpa", _("CPA (spend / conversions)")),
        ("roas", _("ROAS (revenue / spend)")),
        ("roi", _("ROI, % ((revenue − spend) / spend)")),
        ("spend", _("Spend")),
        ("new_users", _("New users")),
        ("conversions", _("Conversions")),
        ("revenue", _("Revenue")),
    ]


def _int(value: Any, field: str) -> int:
    if isinstance(value, bool):
        raise Invalid(_("Expected a whole number."), field=field)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Invalid(_("Expected a whole number."), field=field) from None


def check_definition(actor: Membership, definition: Any) -> dict[str, Any]:
    """{"metric": "cac", "project_key": "D11" | "project_id": n | "channel_id": n | none
    (the workspace), "touch": "first", "days": 30}; the form's "scope" ("project:D11",
    "channel:3", "") says the same. Kept as metric, touch, days and project_id or
    channel_id. A KPI of a channel or of the workspace reads every project's spend: only
    who sees every project may make one."""
    if not isinstance(definition, dict):
        raise Invalid(_("Define the KPI as an object."), field="definition")
    metric = definition.get("metric", "cac")
    if metric not in METRICS:
        raise Invalid(
            _("A KPI of results is one of: %(names)s.") % {"names": ", ".join(METRICS)},
            field="definition.metric",
        )
    touch = definition.get("touch") or "first"
    if touch not in results.TOUCHES:
        raise Invalid(_("The touch is first or last."), field="definition.touch")
    days = _int(definition.get("days", 30), "definition.days")
    if not 1 <= days <= HISTORY_DAYS:
        raise Invalid(_("Over 1 to %(n)s days.") % {"n": HISTORY_DAYS}, field="definition.days")
    out: dict[str, Any] = {"metric": metric, "touch": touch, "days": days}
    scope = str(definition.get("scope") or "")
    key = definition.get("project_key") or (scope[8:] if scope.startswith("project:") else None)
    project_id = definition.get("project_id")
    channel_id = definition.get("channel_id") or (
        scope[8:] if scope.startswith("channel:") else None
    )
    if sum(x is not None and x != "" for x in (key, project_id, channel_id)) > 1:
        raise Invalid(_("Name one project or one channel, not both."), field="definition")
    visible = visible_projects(actor)
    if key or project_id is not None:
        found = (
            visible.filter(key=str(key).upper())
            if key
            else visible.filter(pk=_int(project_id, "definition.project_id"))
        ).first()
        if found is None:
            raise Invalid(
                _("No such project in this workspace."),
                field="definition.project_key" if key else "definition.project_id",
            )
        out["project_id"] = found.pk
        return out
    if channel_id is not None:
        channel = Channel.objects.filter(
            workspace_id=actor.workspace_id, pk=_int(channel_id, "definition.channel_id")
        ).first()
        if channel is None:
            raise Invalid(_("No such channel in this workspace."), field="definition.channel_id")
        if not channel.utm_source:
            raise Invalid(
                _("This channel has no utm_source to find its users by."),
                field="definition.channel_id",
            )
        out["channel_id"] = channel.pk
    everything = Project.objects.filter(workspace_id=actor.workspace_id)
    if everything.exclude(pk__in=visible.values("pk")).exists():
        raise Invalid(
            _("You do not see every project of the workspace: name a project."),
            field="definition.project_key",
        )
    return out


def values(
    workspace: Workspace, definition: dict[str, Any], today: dt.date
) -> dict[dt.date, float]:
    """The metric over the `days` days ending each of the last 90 days up to yesterday
    (today is not over): one read of the events and of the spend for them all."""
    days = int(definition.get("days", 30))
    last = today - dt.timedelta(days=1)
    first_value = today - dt.timedelta(days=HISTORY_DAYS)
    rng = results.Range(first_value - dt.timedelta(days=days - 1), last, definition["touch"])
    project = channel = None
    if definition.get("project_id") is not None:
        project = Project.objects.filter(workspace=workspace, pk=definition["project_id"]).first()
        if project is None:
            raise Invalid(_("Its project was deleted."))
        project.workspace = workspace
    elif definition.get("channel_id") is not None:
        channel = Channel.objects.filter(workspace=workspace, pk=definition["channel_id"]).first()
        if channel is None:
            raise Invalid(_("Its channel was deleted."))
    metric = definition["metric"]
    daily, counts = results.scope_days(workspace, rng, project=project, channel=channel)
    if metric in NEEDS_CONVERSION and not counts:
        raise Invalid(_("No conversion event is set for these results."))
    out: dict[dt.date, float] = {}
    for index in range(days - 1, len(daily)):
        window = results.Figures(
            conversions=0 if counts else None, revenue=Decimal(0) if counts else None
        )
        for day in daily[index - days + 1 : index + 1]:
            window.add(day.figures)
        value = window.metric(metric)
        if value is None:
            continue
        number = float(value) * (100 if metric in PERCENT else 1)
        out[daily[index].day] = round(number, 6)
    return out


def projects_read(definition: dict[str, Any]) -> set[int] | None:
    """A project's KPI reads that project; a channel's or the workspace's, every one."""
    if definition.get("project_id") is not None:
        return {int(definition["project_id"])}
    return None


def form_fields(membership: Membership) -> list[sources.FormField]:
    scopes = [("", _("All campaigns"))]
    scopes += [
        (f"project:{p.key}", f"{p.key} {p.name}")
        for p in visible_projects(membership).order_by("key")
    ]
    scopes += [
        (f"channel:{c.pk}", _("Channel: %(name)s") % {"name": c.name})
        for c in Channel.objects.filter(
            workspace_id=membership.workspace_id, archived=False
        ).exclude(utm_source="")
    ]
    return [
        sources.FormField("metric", _("Metric"), _metric_labels()),
        sources.FormField("scope", _("Of"), scopes),
        sources.FormField(
            "touch", _("Users by"), [("first", _("First touch")), ("last", _("Last touch"))]
        ),
        sources.FormField(
            "days",
            _("Over"),
            [(str(n), _("the last %(n)s days") % {"n": n}) for n in (30, 7, 14, 60, 90, 1)],
        ),
    ]


def register() -> None:
    sources.register_source(
        KpiSource.RESULTS,
        check=check_definition,
        values=values,
        projects_read=projects_read,
        form_fields=form_fields,
    )
