"""Reads of project templates that pages and the API share, with the access checks, the
snapshot of a project that a template keeps, and the dates a start date gives
(docs/blueprints.md).

Who sees a template: members, admins and the owner of the workspace, never guests (a
template is a plan for the team's own projects). A private template (what a private
project's template is at first) is seen by its maker and admins only. Its maker and
admins change and delete it; whoever sees it makes projects from it."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from pydantic import ValidationError

from opsloop.blueprints.models import ProjectTemplate, TemplateVisibility
from opsloop.blueprints.schemas import MAX_OFFSET, TemplateBody
from opsloop.channels.models import Channel
from opsloop.content.models import ContentPiece
from opsloop.core.errors import Conflict, Forbidden, Invalid, NotFound
from opsloop.core.models import Membership, Role, User, Workspace
from opsloop.core.queries import access_workspace
from opsloop.money.models import BudgetLine
from opsloop.planning.models import Dependency, Milestone
from opsloop.work.actions import DEFAULT_WORKFLOW
from opsloop.work.fields import option_label
from opsloop.work.models import (
    PRIORITY_NAMES,
    PRIORITY_VALUES,
    CustomField,
    CustomFieldValue,
    FieldType,
    Item,
    Priority,
    Project,
    State,
    StateGroup,
)
from opsloop.work.queries import visible_projects

VIEW, EDIT = "view", "edit"
# States whose items a new project starts in as they are: the others (under way, in
# review, done) are where the source project got to, not where new work starts.
STARTING_GROUPS = (StateGroup.BACKLOG, StateGroup.TODO)


def template_url(template: ProjectTemplate) -> str:
    return f"/w/{template.workspace.slug}/templates/{template.pk}/"


def local_day(workspace: Workspace, moment: dt.datetime) -> dt.date:
    return moment.astimezone(zoneinfo.ZoneInfo(workspace.time_zone)).date()


# --- who sees what


def check_uses_templates(membership: Membership) -> None:
    if not membership.at_least(Role.MEMBER):
        raise Forbidden(_("Guests do not use project templates."))


def visible_templates(membership: Membership) -> QuerySet[ProjectTemplate]:
    """Templates the member may see (the module docstring says who)."""
    templates = ProjectTemplate.objects.filter(workspace_id=membership.workspace_id)
    if not membership.at_least(Role.MEMBER):
        return templates.none()
    if membership.at_least(Role.ADMIN):
        return templates
    return templates.filter(
        Q(visibility=TemplateVisibility.WORKSPACE) | Q(created_by_id=membership.user_id)
    )


def can_edit_template(membership: Membership, template: ProjectTemplate) -> bool:
    """Its maker and admins; never a guest."""
    if not membership.at_least(Role.MEMBER):
        return False
    return template.created_by_id == membership.user_id or membership.at_least(Role.ADMIN)


def check_can_edit(membership: Membership, template: ProjectTemplate) -> None:
    if not can_edit_template(membership, template):
        raise Forbidden(_("Only the template's maker or a workspace admin can change it."))


def check_sees_template(membership: Membership, template: ProjectTemplate) -> None:
    check_uses_templates(membership)
    if not visible_templates(membership).filter(pk=template.pk).exists():
        raise NotFound(_("Template not found."))


@dataclass(frozen=True)
class TemplateAccess:
    membership: Membership
    template: ProjectTemplate
    can_edit: bool


def access_template(user: User, slug: str, template_id: int, need: str = VIEW) -> TemplateAccess:
    """A template the user can see: 404 when hidden, 403 for a guest or when the user may
    not do `need`."""
    membership = access_workspace(user, slug)
    return access_template_of(membership, template_id, need)


def access_template_of(
    membership: Membership, template_id: int, need: str = VIEW
) -> TemplateAccess:
    check_uses_templates(membership)
    template = (
        visible_templates(membership)
        .select_related("created_by", "source_project")
        .filter(pk=template_id)
        .first()
    )
    if template is None:
        raise NotFound(_("Template not found."))
    template.workspace = membership.workspace
    access = TemplateAccess(membership, template, can_edit_template(membership, template))
    if need == EDIT and not access.can_edit:
        raise Forbidden(_("Only the template's maker or a workspace admin can change it."))
    return access


def list_templates(membership: Membership) -> list[ProjectTemplate]:
    check_uses_templates(membership)
    templates = list(visible_templates(membership).select_related("created_by", "source_project"))
    for template in templates:
        template.workspace = membership.workspace
    return templates


def seen_sources(membership: Membership, templates: Iterable[ProjectTemplate]) -> set[int]:
    """The ids of the templates' source projects that the member sees."""
    ids = {t.source_project_id for t in templates if t.source_project_id}
    if not ids:
        return set()
    return set(visible_projects(membership).filter(pk__in=ids).values_list("pk", flat=True))


def sees_project(membership: Membership, project: Project) -> bool:
    return visible_projects(membership).filter(pk=project.pk).exists()


def get_source_project(membership: Membership, key: str) -> Project:
    """The project to save, among those the member sees; Invalid otherwise."""
    project = (
        visible_projects(membership).filter(key=(key or "").strip().upper()).first()
        if key
        else None
    )
    if project is None:
        raise Invalid(_("No project with key %(key)s.") % {"key": key}, field="project_key")
    project.workspace = membership.workspace
    return project


def name_taken(workspace_id: int, name: str, exclude: int | None = None) -> bool:
    taken = ProjectTemplate.objects.filter(workspace_id=workspace_id, name=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    return taken.exists()


def channels_by_name(workspace_id: int) -> dict[str, Channel]:
    return {c.name: c for c in Channel.objects.filter(workspace_id=workspace_id)}


def project_key_taken(workspace_id: int, key: str) -> bool:
    return Project.objects.filter(workspace_id=workspace_id, key=key).exists()


# --- the body


def read_body(template: ProjectTemplate) -> TemplateBody:
    """The template's body, checked; a body that no longer reads is a conflict to report,
    not something to make a half project from."""
    try:
        return TemplateBody.model_validate(template.body)
    except ValidationError as exc:
        raise Conflict(
            _("This template's contents cannot be read (%(error)s).")
            % {"error": exc.errors()[0]["msg"]}
        ) from None


@dataclass(frozen=True)
class Summary:
    items: int
    milestones: int
    dependencies: int
    budget_lines: int
    budget_total: Decimal | None
    currency: str | None
    content_slots: int
    duration_days: int | None


def summarize(template: ProjectTemplate) -> Summary:
    body = template.body or {}
    lines = body.get("budget_lines") or []
    currencies = {line.get("currency", "CNY") for line in lines}
    total = sum((Decimal(str(line.get("planned", "0"))) for line in lines), Decimal(0))
    return Summary(
        items=len(body.get("items") or []),
        milestones=len(body.get("milestones") or []),
        dependencies=len(body.get("dependencies") or []),
        budget_lines=len(lines),
        # Lines in two currencies have no one total (opsloop keeps no exchange rates).
        budget_total=total if lines and len(currencies) == 1 else None,
        currency=currencies.pop() if len(currencies) == 1 else None,
        content_slots=len(body.get("content_slots") or []),
        duration_days=(body.get("project") or {}).get("duration_days"),
    )


# --- what a start date gives


def day_at(start: dt.date, offset: int) -> dt.date:
    """The day `offset` days from `start`."""
    try:
        return start + dt.timedelta(days=offset)
    except OverflowError:
        raise Invalid(_("The start date is too far off."), field="start_date") from None


def shifted(start: dt.date | None, offset: int | None) -> dt.date | None:
    if start is None or offset is None:
        return None
    return day_at(start, offset)


@dataclass(frozen=True)
class PlanRow:
    """An item of the template, placed: its days from the start and, given a start, its dates."""

    id: int
    title: str
    depth: int
    state: str | None
    priority: str
    priority_label: str
    labels: list[str]
    estimate: Decimal | None
    start_offset: int | None
    due_offset: int | None
    start_date: dt.date | None
    due_date: dt.date | None


@dataclass(frozen=True)
class PlanMilestone:
    name: str
    offset: int
    date: dt.date | None
    items: list[str]


@dataclass(frozen=True)
class PlanSlot:
    title: str
    channel: str
    format: str
    offset_days: int | None
    time: str | None
    planned_at: dt.datetime | None


@dataclass(frozen=True)
class Plan:
    start: dt.date | None
    end: dt.date | None
    items: list[PlanRow]
    milestones: list[PlanMilestone]
    slots: list[PlanSlot]
    dependencies: list[tuple[str, str, str]] = field(default_factory=list)


def _tree_order(body: TemplateBody) -> list[tuple[int, int]]:
    """(index in body.items, depth): each item under its parent, else in the body's order."""
    children: dict[int | None, list[int]] = {}
    for index, item in enumerate(body.items):
        children.setdefault(item.parent, []).append(index)
    ordered: list[tuple[int, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for index in children.get(parent, []):
            ordered.append((index, depth))
            walk(body.items[index].id, depth + 1)

    walk(None, 0)
    return ordered


def plan_of(template: ProjectTemplate, start: dt.date | None = None) -> Plan:
    """The template's items, milestones and content slots, with the dates `start` gives."""
    body = read_body(template)
    workspace = template.workspace
    titles = {item.id: item.title for item in body.items}
    rows = []
    for index, depth in _tree_order(body):
        item = body.items[index]
        rows.append(
            PlanRow(
                id=item.id,
                title=item.title,
                depth=depth,
                state=item.state,
                priority=item.priority,
                priority_label=str(Priority(PRIORITY_VALUES[item.priority]).label),
                labels=item.labels,
                estimate=item.estimate,
                start_offset=item.start_offset,
                due_offset=item.due_offset,
                start_date=shifted(start, item.start_offset),
                due_date=shifted(start, item.due_offset),
            )
        )
    milestones = [
        PlanMilestone(
            name=m.name,
            offset=m.offset,
            date=shifted(start, m.offset),
            items=[titles[i] for i in m.items],
        )
        for m in sorted(body.milestones, key=lambda m: m.offset)
    ]
    slots = [
        PlanSlot(
            title=s.title,
            channel=s.channel,
            format=s.format,
            offset_days=s.offset_days,
            time=s.time,
            planned_at=slot_time(workspace, start, s.offset_days, s.time),
        )
        for s in sorted(
            body.content_slots,
            key=lambda s: (s.offset_days is None, s.offset_days or 0, s.time or ""),
        )
    ]
    duration = body.project.duration_days
    return Plan(
        start=start,
        end=shifted(start, duration),
        items=rows,
        milestones=milestones,
        slots=slots,
        dependencies=[(titles[d.from_], d.kind, titles[d.to]) for d in body.dependencies],
    )


# The hour a content slot without a time of its own is planned at (content's default).
SLOT_HOUR = 10


def slot_time(
    workspace: Workspace, start: dt.date | None, offset: int | None, clock: str | None
) -> dt.datetime | None:
    """The planned publish time of a slot, in the workspace's time zone."""
    day = shifted(start, offset)
    if day is None:
        return None
    hour, minute = (int(part) for part in clock.split(":")) if clock else (SLOT_HOUR, 0)
    return dt.datetime.combine(day, dt.time(hour, minute), zoneinfo.ZoneInfo(workspace.time_zone))


# --- the snapshot a template keeps of a project


def _offset_of(base: dt.date, day: dt.date | None, what: str) -> int | None:
    if day is None:
        return None
    days = (day - base).days
    if abs(days) > MAX_OFFSET:
        raise Invalid(
            _(
                "%(what)s is more than ten years from the project's start: a template keeps "
                "dates within ten years of it."
            )
            % {"what": what}
        )
    return days


def _field_value(field: CustomField, row: CustomFieldValue, offset) -> object:
    """A value as a template keeps it: by option label, a date as days from the start."""
    kind = field.type
    if kind == FieldType.SELECT:
        return option_label(field, row.text)
    if kind == FieldType.MULTI_SELECT:
        return [option_label(field, i) for i in row.text.split(",") if i]
    if kind == FieldType.DATE:
        return offset(row.date)
    if kind == FieldType.USER:
        return None  # people are chosen anew in each project
    return row.value


def _default_workflow(states: list[State]) -> bool:
    """Whether the states are the workflow every new project starts with, in any of
    opsloop's languages: a template leaves those out, so a project made from it gets them
    in its maker's language rather than in the language of whoever made the source."""
    shape = [(s.group, s.color, s.is_default) for s in states]
    if shape != [(group, color, group == StateGroup.TODO) for group, color in DEFAULT_WORKFLOW]:
        return False
    names = [s.name for s in states]
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            if names == [str(StateGroup(group).label) for group, _c in DEFAULT_WORKFLOW]:
                return True
    return False


def snapshot(project: Project) -> dict:
    """What a template keeps of the project now (schemas.TemplateBody), as JSON.

    Cancelled items are left out (with their sub-items, which move up a level). Dates
    become days from the project's start date, or from the day it was made when it has
    none. People (assignees, owners) are not kept: each new project chooses its own."""
    workspace = project.workspace
    base = base_day(project)
    states = list(State.objects.filter(project=project).order_by("sequence", "id"))
    if _default_workflow(states):
        states = []
    items = list(
        Item.objects.filter(project=project)
        .exclude(state__group=StateGroup.CANCELLED)
        .select_related("state")
        .prefetch_related(
            "labels",
            Prefetch(
                "field_values",
                queryset=CustomFieldValue.objects.select_related("field"),
                to_attr="template_values",
            ),
        )
        .order_by("sort_order", "id")
    )
    local = {item.pk: n for n, item in enumerate(items, 1)}
    labels: dict[str, str] = {}
    fields: dict[int, CustomField] = {
        f.pk: f for f in CustomField.objects.filter(project=project).order_by("sequence", "id")
    }
    item_bodies = []
    for item in items:
        values = {}
        for row in item.template_values:
            value = _field_value(
                row.field,
                row,
                lambda day, title=item.title: _offset_of(base, day, title),
            )
            if value is None or value == []:
                continue
            fields.setdefault(row.field_id, row.field)
            values[row.field.name] = value
        for label in item.labels.all():
            labels[label.name] = label.color
        starting = item.state.group in STARTING_GROUPS
        item_bodies.append(
            {
                "id": local[item.pk],
                "title": item.title,
                "description": item.description,
                "state": item.state.name if states and starting else None,
                "state_group": item.state.group if starting else None,
                "priority": PRIORITY_NAMES[item.priority],
                "labels": sorted(label.name for label in item.labels.all()),
                "estimate": item.estimate_hours,
                "start_offset": _offset_of(base, item.start_date, item.title),
                "due_offset": _offset_of(base, item.due_date, item.title),
                "parent": local.get(item.parent_id) if item.parent_id else None,
                "fields": values,
            }
        )
    dependencies = [
        {"from": local[d.source_id], "to": local[d.target_id], "kind": d.kind}
        for d in Dependency.objects.filter(
            source__project=project, target__project=project
        ).order_by("pk")
        if d.source_id in local and d.target_id in local
    ]
    milestones = [
        {
            "name": m.name,
            "offset": _offset_of(base, m.date, m.name),
            "description": m.description,
            "items": [local[i.pk] for i in m.items.all() if i.pk in local],
        }
        for m in Milestone.objects.filter(project=project).prefetch_related("items")
    ]
    budget_lines = [
        {
            "name": line.name,
            "category": line.category,
            "channel": line.channel.name if line.channel else None,
            "planned": line.planned,
            "currency": line.currency,
        }
        for line in BudgetLine.objects.filter(project=project).select_related("channel")
    ]
    slots = []
    zone = zoneinfo.ZoneInfo(workspace.time_zone)
    for piece in ContentPiece.objects.filter(project=project).select_related("channel"):
        moment = piece.planned_at or piece.published_at
        local_moment = moment.astimezone(zone) if moment else None
        slots.append(
            {
                "title": piece.title,
                "channel": piece.channel.name,
                "format": piece.format,
                "offset_days": _offset_of(base, local_moment.date(), piece.title)
                if local_moment
                else None,
                "time": local_moment.strftime("%H:%M") if local_moment else None,
                "tags": [str(t)[:30] for t in (piece.tags or [])][:10],
                "item": local.get(piece.item_id) if piece.item_id else None,
            }
        )
    duration = (
        (project.end_date - base).days if project.end_date and project.end_date >= base else None
    )
    body = {
        "project": {
            "kind": project.kind,
            "goal": project.goal,
            "scope": project.scope,
            "visibility": project.visibility,
            "duration_days": duration if duration is None or duration <= MAX_OFFSET else None,
            "budget": project.budget,
            "states": [
                {"name": s.name, "group": s.group, "color": s.color, "is_default": s.is_default}
                for s in states
            ],
            "labels": [{"name": name, "color": color} for name, color in sorted(labels.items())],
            "custom_fields": [
                {
                    "name": f.name,
                    "type": f.type,
                    "options": [
                        {"label": str(o.get("label", "")), "color": o.get("color", "#94a3b8")}
                        for o in f.options or []
                    ],
                    "scope": "project" if f.project_id else "workspace",
                }
                for f in fields.values()
            ],
        },
        "items": item_bodies,
        "dependencies": dependencies,
        "milestones": milestones,
        "budget_lines": budget_lines,
        "content_slots": slots,
    }
    try:
        checked = TemplateBody.model_validate(body)
    except ValidationError as exc:
        error = exc.errors()[0]
        raise Invalid(
            _("This project cannot be kept as a template: %(where)s: %(error)s")
            % {"where": ".".join(str(p) for p in error["loc"]), "error": error["msg"]}
        ) from None
    return checked.model_dump(mode="json", by_alias=True)


def base_day(project: Project) -> dt.date:
    """The day a project's template counts its offsets from."""
    return project.start_date or local_day(project.workspace, project.created_at)
