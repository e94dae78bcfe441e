"""Projects: create, change (the stage one step at a time), delete, and their members."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from opsloop.core.actions import record_audit
from opsloop.core.errors import Conflict, Forbidden, Invalid, NotFound
from opsloop.core.models import Membership, Role
from opsloop.core.rows import lock_current, save_changed
from opsloop.work.actions.common import _check_dates, _member_user, _record
from opsloop.work.models import Activity, Project, ProjectMember, Stage, State, StateGroup
from opsloop.work.queries import MANAGE, check_project_permission
from opsloop.work.schemas import ProjectIn, ProjectPatch
from opsloop.work.signals import project_stage_changed

# A new project's workflow: one state per group, named after the group in the creator's language.
DEFAULT_WORKFLOW = [
    ("backlog", "#a3a3a3"),
    ("todo", "#64748b"),
    ("in_progress", "#f59e0b"),
    ("in_review", "#8b5cf6"),
    ("done", "#16a34a"),
    ("cancelled", "#ef4444"),
]


# Stage changes allowed: one step forward or back, close from anywhere, reopen into monitoring.
STAGE_ORDER = [Stage.PLANNING, Stage.EXECUTING, Stage.MONITORING, Stage.CLOSED]


def check_stage_change(old: str, new: str) -> None:
    if old == new or new == Stage.CLOSED:
        return
    i, j = STAGE_ORDER.index(Stage(old)), STAGE_ORDER.index(Stage(new))
    if abs(i - j) == 1:
        return
    raise Conflict(
        _("A project cannot go from %(old)s to %(new)s; move one stage at a time.")
        % {"old": Stage(old).label, "new": Stage(new).label}
    )


def do_create_project(*, actor: Membership, data: ProjectIn) -> Project:
    if not actor.at_least(Role.MEMBER):
        raise Forbidden(_("Guests cannot create projects."))
    _check_dates(data.start_date, data.end_date, "start_date", "end_date")
    workspace = actor.workspace
    owner = _member_user(workspace.pk, data.owner_id, "owner_id") if data.owner_id else actor.user
    members = {owner.pk: owner, actor.user.pk: actor.user}
    for user_id in data.member_ids:
        members[user_id] = _member_user(workspace.pk, user_id, "member_ids")
    try:
        with transaction.atomic():
            project = Project.objects.create(
                workspace=workspace,
                key=data.key,
                name=data.name,
                kind=data.kind,
                goal=data.goal,
                scope=data.scope,
                start_date=data.start_date,
                end_date=data.end_date,
                budget=data.budget,
                owner=owner,
                stage=data.stage,
                visibility=data.visibility,
                created_by=actor.user,
            )
            ProjectMember.objects.bulk_create(
                [ProjectMember(project=project, user=u) for u in members.values()]
            )
            State.objects.bulk_create(
                [
                    State(
                        project=project,
                        name=str(StateGroup(group).label),
                        group=group,
                        color=color,
                        sequence=i,
                        is_default=group == StateGroup.TODO,
                    )
                    for i, (group, color) in enumerate(DEFAULT_WORKFLOW)
                ]
            )
            Activity.objects.create(
                workspace_id=workspace.pk,
                project=project,
                actor=actor.user,
                verb="created",
                field="project",
            )
    except IntegrityError:
        raise Invalid(
            _("A project with key %(key)s already exists.") % {"key": data.key}, field="key"
        ) from None
    return project


def do_update_project(*, actor: Membership, project: Project, data: ProjectPatch) -> Project:
    check_project_permission(actor, project, MANAGE)
    changes = data.model_dump(exclude_unset=True)
    if "stage" in changes and changes["stage"] is None:
        raise Invalid(_("stage cannot be empty."), field="stage")
    for required in ("name", "kind", "visibility"):
        if required in changes and changes[required] is None:
            raise Invalid(_("%(field)s cannot be empty.") % {"field": required}, field=required)
    # Text columns are not nullable: null clears them.
    for text in ("goal", "scope"):
        if text in changes and changes[text] is None:
            changes[text] = ""
    activities = []
    with transaction.atomic():
        # Check against, record from and write over the row as it is now.
        before = lock_current(project)
        old_stage = project.stage
        if "stage" in changes:
            check_stage_change(project.stage, changes["stage"])
        if "owner_id" in changes and changes["owner_id"] is not None:
            _member_user(project.workspace_id, changes["owner_id"], "owner_id")
        _check_dates(
            changes.get("start_date", project.start_date),
            changes.get("end_date", project.end_date),
            "start_date",
            "end_date",
        )
        for name, value in changes.items():
            old = getattr(project, name)
            if old != value:
                activities.append(
                    _record(
                        actor=actor.user,
                        project=project,
                        item=None,
                        verb="updated",
                        field=name,
                        old=old,
                        new=value,
                    )
                )
                setattr(project, name, value)
        save_changed(project, before, "updated_at")
        if "owner_id" in changes and changes["owner_id"]:
            ProjectMember.objects.get_or_create(project=project, user_id=changes["owner_id"])
        Activity.objects.bulk_create(activities)
        if project.stage != old_stage:
            project_stage_changed.send(
                sender=Project, actor=actor, project=project, old=old_stage, new=project.stage
            )
    return project


def do_delete_project(*, actor: Membership, project: Project) -> None:
    if not actor.at_least(Role.ADMIN):
        raise Forbidden(_("Only workspace admins can delete projects."))
    key = project.key
    # Item.state is RESTRICT: a state with items cannot go alone, but the project's cascade
    # takes states and items together.
    project.delete()
    record_audit(actor=actor.user, action="project.delete", workspace=actor.workspace, target=key)


def do_add_project_member(*, actor: Membership, project: Project, user_id: int) -> ProjectMember:
    check_project_permission(actor, project, MANAGE)
    user = _member_user(project.workspace_id, user_id, "user_id")
    member, _created = ProjectMember.objects.get_or_create(project=project, user=user)
    return member


def do_remove_project_member(*, actor: Membership, project: Project, user_id: int) -> None:
    check_project_permission(actor, project, MANAGE)
    if project.owner_id == user_id:
        raise Conflict(_("The project owner stays a member; change the owner first."))
    deleted, _rows = ProjectMember.objects.filter(project=project, user_id=user_id).delete()
    if not deleted:
        raise NotFound(_("No such project member."))
