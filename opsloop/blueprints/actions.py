"""Every write of project templates: saving a project as one, renaming, deleting, and
making a project from one (docs/blueprints.md).

A project made from a template is made through the same actions a person's clicks run
(work's projects, states, labels, fields and items, planning's dependencies and
milestones, money's budget lines, content's pieces), so it has the activity history,
notifications and checks a hand-made one has, all in one transaction: when any part
is refused, nothing of the project is left."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from opsloop.blueprints import queries
from opsloop.blueprints.demo import TEMPLATES
from opsloop.blueprints.models import BODY_VERSION, ProjectTemplate, TemplateVisibility
from opsloop.blueprints.queries import check_can_edit, check_sees_template, check_uses_templates
from opsloop.blueprints.schemas import (
    BodyValue,
    BudgetLineBody,
    ContentSlotBody,
    ItemBody,
    ProjectBody,
    TemplateBody,
    TemplatePatch,
)
from opsloop.channels.actions import ensure_channels
from opsloop.content.actions import do_create_piece
from opsloop.content.schemas import PieceIn
from opsloop.core.errors import Conflict, Invalid
from opsloop.core.inputs import parse_input
from opsloop.core.models import Membership
from opsloop.core.rows import lock_current, save_changed
from opsloop.money.actions import do_create_line
from opsloop.money.schemas import BudgetLineIn
from opsloop.planning.actions import do_add_dependency, do_create_milestone
from opsloop.planning.schemas import MilestoneIn
from opsloop.work.actions import (
    do_create_field,
    do_create_item,
    do_create_label,
    do_create_project,
    do_create_state,
    do_delete_state,
    do_reorder_states,
    do_update_project,
    do_update_state,
)
from opsloop.work.models import CustomField, FieldType, Item, Label, Project, State, StateGroup
from opsloop.work.queries import workspace_fields
from opsloop.work.schemas import (
    CustomFieldIn,
    FieldValue,
    ItemIn,
    LabelIn,
    OptionIn,
    ProjectIn,
    ProjectPatch,
    StateIn,
    StatePatch,
    VisibilityName,
)

GROUP_ORDER = list(StateGroup.values)


# --- templates


def _check_name(workspace_id: int, name: str, exclude: int | None = None) -> None:
    if queries.name_taken(workspace_id, name, exclude):
        raise Invalid(_("A template named %(name)s already exists.") % {"name": name}, field="name")


def do_create_template(
    *,
    actor: Membership,
    name: str,
    description: str = "",
    body: dict,
    visibility: str = TemplateVisibility.WORKSPACE,
    source_project: Project | None = None,
) -> ProjectTemplate:
    """A template from a body (schemas.TemplateBody): what saving a project and the demo
    templates both come to."""
    check_uses_templates(actor)
    checked = parse_input(TemplateBody, body)
    _check_name(actor.workspace_id, name)
    try:
        with transaction.atomic():
            return ProjectTemplate.objects.create(
                workspace=actor.workspace,
                name=name,
                description=description,
                kind=checked.project.kind,
                visibility=visibility,
                source_project=source_project,
                version=BODY_VERSION,
                body=checked.model_dump(mode="json", by_alias=True),
                created_by=actor.user,
            )
    except IntegrityError:
        raise Invalid(
            _("A template named %(name)s already exists.") % {"name": name}, field="name"
        ) from None


def do_save_template(
    *,
    actor: Membership,
    project: Project,
    name: str,
    description: str = "",
    visibility: str | None = None,
) -> ProjectTemplate:
    """Keep the project's plan as it is now as a template (queries.snapshot says what of
    it). Members and above who see the project; a private project's template is private
    unless said otherwise."""
    check_uses_templates(actor)
    if not queries.sees_project(actor, project):
        raise Invalid(_("No project with key %(key)s.") % {"key": project.key}, field="project_key")
    project.workspace = actor.workspace
    if visibility is None:
        visibility = (
            TemplateVisibility.PRIVATE
            if project.visibility == "private"
            else TemplateVisibility.WORKSPACE
        )
    return do_create_template(
        actor=actor,
        name=name,
        description=description,
        body=queries.snapshot(project),
        visibility=visibility,
        source_project=project,
    )


def do_update_template(
    *, actor: Membership, template: ProjectTemplate, data: TemplatePatch
) -> ProjectTemplate:
    """Its name, description and who sees it; what it keeps does not change (save the
    project again for a new plan)."""
    check_can_edit(actor, template)
    changes = data.model_dump(exclude_unset=True)
    for required in ("name", "visibility"):
        if required in changes and changes[required] is None:
            raise Invalid(_("%(field)s cannot be empty.") % {"field": required}, field=required)
    if changes.get("name"):
        _check_name(template.workspace_id, changes["name"], template.pk)
    try:
        with transaction.atomic():
            before = lock_current(template)
            for name in ("name", "description", "visibility"):
                if changes.get(name) is not None:
                    setattr(template, name, changes[name])
            save_changed(template, before, "updated_at")
    except IntegrityError:
        raise Invalid(
            _("A template named %(name)s already exists.") % {"name": template.name},
            field="name",
        ) from None
    return template


def do_delete_template(*, actor: Membership, template: ProjectTemplate) -> None:
    """Projects made from it stay as they are."""
    check_can_edit(actor, template)
    template.delete()


# --- a project from a template


@dataclass(frozen=True)
class Made:
    """The project made from a template, what it holds, and what could not be made as
    the template says."""

    project: Project
    items: int = 0
    milestones: int = 0
    dependencies: int = 0
    budget_lines: int = 0
    content_pieces: int = 0
    notes: list[str] = field(default_factory=list)


def do_create_project_from_template(
    *,
    actor: Membership,
    template: ProjectTemplate,
    name: str,
    key: str,
    start_date: dt.date,
    owner_id: int | None = None,
    visibility: VisibilityName | None = None,
) -> Made:
    """A new project with everything the template keeps, its dates counted from
    start_date. Members and above who see the template.

    The caller makes it and owns it while it is built, since a workflow, fields and
    budget lines are its owner's to make; the owner asked for takes it over at the end."""
    check_sees_template(actor, template)
    body = queries.read_body(template)
    plan = body.project
    end_date = queries.shifted(start_date, plan.duration_days)
    queries.day_at(start_date, queries.MAX_OFFSET)  # every offset lands on a real day
    queries.day_at(start_date, -queries.MAX_OFFSET)
    notes: list[str] = []
    with transaction.atomic():
        project = do_create_project(
            actor=actor,
            data=ProjectIn(
                name=name,
                key=key,
                kind=plan.kind,
                goal=plan.goal,
                scope=plan.scope,
                start_date=start_date,
                end_date=end_date,
                budget=plan.budget,
                visibility=visibility or plan.visibility,
            ),
        )
        project.workspace = actor.workspace
        states = _workflow(actor, project, plan)
        labels = _labels(actor, plan)
        fields = _fields(actor, project, plan, notes)
        items = _items(actor, project, body, start_date, states, labels, fields)
        for link in body.dependencies:
            do_add_dependency(
                actor=actor, source=items[link.from_], target=items[link.to], kind=link.kind
            )
        for milestone in body.milestones:
            do_create_milestone(
                actor=actor,
                project=project,
                data=MilestoneIn(
                    name=milestone.name,
                    date=queries.day_at(start_date, milestone.offset),
                    description=milestone.description,
                    item_refs=[items[i].ref for i in milestone.items],
                ),
            )
        channels = _channels(actor) if body.budget_lines or body.content_slots else {}
        lines = _budget_lines(actor, project, body.budget_lines, channels, notes)
        pieces = _content(actor, project, body.content_slots, start_date, items, channels, notes)
        if owner_id is not None and owner_id != actor.user_id:
            project = do_update_project(
                actor=actor, project=project, data=ProjectPatch(owner_id=owner_id)
            )
    return Made(
        project=project,
        items=len(items),
        milestones=len(body.milestones),
        dependencies=len(body.dependencies),
        budget_lines=lines,
        content_pieces=pieces,
        notes=notes,
    )


def _workflow(actor: Membership, project: Project, plan: ProjectBody) -> dict[str, State]:
    """The template's states, in its order, in place of the default ones; a default state
    stays where the template has no state of its group (each group keeps one)."""
    current = {s.name: s for s in State.objects.filter(project=project)}
    if not plan.states:
        return current
    wanted = [s.name for s in plan.states]
    for spec in plan.states:
        state = current.get(spec.name)
        if state is None:
            current[spec.name] = do_create_state(
                actor=actor,
                project=project,
                data=StateIn(name=spec.name, group=spec.group, color=spec.color),
            )
        elif state.group != spec.group:
            raise Conflict(
                _(
                    "The state %(name)s of the template is of another group than the new "
                    "project's state of that name."
                )
                % {"name": spec.name}
            )
        elif state.color != spec.color:
            current[spec.name] = do_update_state(
                actor=actor, state=state, data=StatePatch(color=spec.color)
            )
    groups_wanted = {s.group for s in plan.states}
    for state in list(current.values()):
        if state.name not in wanted and state.group in groups_wanted:
            state.project = project
            do_delete_state(actor=actor, state=state)
            del current[state.name]
    ordered = [current[name] for name in wanted]
    for left in [s for s in current.values() if s.name not in wanted]:
        rank = GROUP_ORDER.index(left.group)
        at = next(
            (i for i, s in enumerate(ordered) if GROUP_ORDER.index(s.group) > rank), len(ordered)
        )
        ordered.insert(at, left)
    do_reorder_states(actor=actor, project=project, state_ids=[s.pk for s in ordered])
    default = next((s.name for s in plan.states if s.is_default), None)
    if default is not None and not current[default].is_default:
        current[default] = do_update_state(
            actor=actor, state=current[default], data=StatePatch(is_default=True)
        )
    return current


def _labels(actor: Membership, plan: ProjectBody) -> dict[str, Label]:
    """Labels are the workspace's: those of the template's names, made where missing."""
    names = [label.name for label in plan.labels]
    found = {
        label.name: label
        for label in Label.objects.filter(workspace_id=actor.workspace_id, name__in=names)
    }
    for spec in plan.labels:
        if spec.name not in found:
            found[spec.name] = do_create_label(
                actor=actor, data=LabelIn(name=spec.name, color=spec.color)
            )
    return found


def _fields(
    actor: Membership, project: Project, plan: ProjectBody, notes: list[str]
) -> dict[str, CustomField]:
    """The project's own fields made anew; a workspace-wide field is the workspace's
    field of that name and type, made for the project when the workspace has none."""
    shared = {f.name: f for f in workspace_fields(actor.workspace_id)}
    made: dict[str, CustomField] = {}
    for spec in plan.custom_fields:
        existing = shared.get(spec.name)
        if existing is not None and existing.type == spec.type:
            made[spec.name] = existing
        elif existing is not None:
            notes.append(
                _(
                    "The field %(name)s was not made: the workspace has a field of that name "
                    "of another type."
                )
                % {"name": spec.name}
            )
        else:
            made[spec.name] = do_create_field(
                actor=actor,
                project=project,
                data=CustomFieldIn(
                    name=spec.name,
                    type=spec.type,
                    options=[OptionIn(id=None, label=o.label, color=o.color) for o in spec.options],
                ),
            )
    return made


def _value(field: CustomField, raw: BodyValue, start: dt.date) -> FieldValue:
    """A template's value as the item actions take it: option ids, ISO dates."""
    kind = field.type
    ids = {str(o.get("label")): str(o.get("id")) for o in field.options or []}
    if kind == FieldType.SELECT:
        return ids.get(str(raw))
    if kind == FieldType.MULTI_SELECT:
        labels = raw if isinstance(raw, list) else []
        chosen: list[int | str] = [ids[label] for label in labels if label in ids]
        return chosen or None
    if kind == FieldType.DATE:
        if isinstance(raw, bool) or not isinstance(raw, int):
            return None
        return queries.day_at(start, raw).isoformat()
    if kind == FieldType.USER or isinstance(raw, list):
        return None
    return raw


def _item_order(body: TemplateBody) -> list[ItemBody]:
    """The items with each parent before its sub-items, otherwise in the template's order."""
    by_id = {item.id: item for item in body.items}
    done: set[int] = set()
    ordered: list[ItemBody] = []

    def add(item: ItemBody) -> None:
        if item.id in done:
            return
        if item.parent is not None:
            add(by_id[item.parent])
        done.add(item.id)
        ordered.append(item)

    for item in body.items:
        add(item)
    return ordered


def _items(
    actor: Membership,
    project: Project,
    body: TemplateBody,
    start: dt.date,
    states: dict[str, State],
    labels: dict[str, Label],
    fields: dict[str, CustomField],
) -> dict[int, Item]:
    made: dict[int, Item] = {}
    firsts: dict[str, State | None] = {}
    for spec in _item_order(body):
        values: dict[str, FieldValue] = {}
        for name, raw in spec.fields.items():
            custom = fields.get(name)
            if custom is None:
                continue
            value = _value(custom, raw, start)
            if value is not None:
                values[str(custom.pk)] = value
        state = states.get(spec.state) if spec.state else None
        if state is None and spec.state_group:
            if spec.state_group not in firsts:
                firsts[spec.state_group] = (
                    State.objects.filter(project=project, group=spec.state_group)
                    .order_by("sequence", "id")
                    .first()
                )
            state = firsts[spec.state_group]
        item = do_create_item(
            actor=actor,
            project=project,
            data=ItemIn(
                title=spec.title,
                description=spec.description,
                state_id=state.pk if state else None,
                priority=spec.priority,
                label_ids=[labels[name].pk for name in spec.labels],
                start_date=queries.shifted(start, spec.start_offset),
                due_date=queries.shifted(start, spec.due_offset),
                estimate_hours=spec.estimate,
                parent_id=made[spec.parent].pk if spec.parent is not None else None,
                custom_fields=values,
            ),
        )
        item.project = project
        made[spec.id] = item
    return made


def _channels(actor: Membership) -> dict:
    """The workspace's channels by name (seeded first, as any first use of them does)."""
    ensure_channels(actor.workspace)
    return queries.channels_by_name(actor.workspace_id)


def _budget_lines(
    actor: Membership,
    project: Project,
    lines: list[BudgetLineBody],
    channels: dict,
    notes: list[str],
) -> int:
    for line in lines:
        channel = channels.get(line.channel) if line.channel else None
        if line.channel and channel is None:
            notes.append(
                _(
                    "The budget line %(name)s has no channel: the workspace has no channel "
                    "named %(channel)s."
                )
                % {"name": line.name, "channel": line.channel}
            )
        do_create_line(
            actor=actor,
            project=project,
            data=BudgetLineIn(
                name=line.name,
                category=line.category,
                channel_id=channel.pk if channel else None,
                planned=line.planned,
                currency=line.currency,
            ),
        )
    return len(lines)


def _content(
    actor: Membership,
    project: Project,
    slots: list[ContentSlotBody],
    start: dt.date,
    items: dict[int, Item],
    channels: dict,
    notes: list[str],
) -> int:
    """Content pieces as ideas (选题) at the template's times; a slot on a channel the
    workspace does not have is left out, with a note."""
    made = 0
    for slot in slots:
        channel = channels.get(slot.channel)
        if channel is None:
            notes.append(
                _(
                    "The content piece %(title)s was not made: the workspace has no channel "
                    "named %(channel)s."
                )
                % {"title": slot.title, "channel": slot.channel}
            )
            continue
        planned = queries.slot_time(actor.workspace, start, slot.offset_days, slot.time)
        do_create_piece(
            actor=actor,
            data=PieceIn.model_validate(
                {
                    "title": slot.title,
                    "project_key": project.key,
                    "channel_id": channel.pk,
                    "format": slot.format,
                    "tags": slot.tags,
                    "planned_at": planned,
                    "item_ref": items[slot.item].ref if slot.item is not None else None,
                }
            ),
        )
        made += 1
    return made


# --- the demo's templates


def seed_demo_templates(actor: Membership) -> list[ProjectTemplate]:
    """The demo workspace's templates (opsloop/blueprints/demo.py): 双十一大促, 618,
    新品上市 and 月度内容计划; a name the workspace has already is left as it is."""
    made = []
    for spec in TEMPLATES:
        if queries.name_taken(actor.workspace_id, spec.name):
            continue
        made.append(
            do_create_template(
                actor=actor, name=spec.name, description=spec.description, body=spec.body()
            )
        )
    return made
