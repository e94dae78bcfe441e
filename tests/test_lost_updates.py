"""Every update action writes over the row as it is now, not as its caller read it.

An action gets the object its request read at the start; if it saved that copy whole,
a change another request made in between would be put back (a lost update;
opsloop/core/rows.py). Each case reads two copies of one object, changes one field
through the first, then another through the second, stale, copy: both changes stay, and
what the second action returns shows both. Three of the most used actions are also run as
two requests at once through the API (tests/interleave.py). The items' own cases are in
tests/work/test_lost_updates.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import models

from opsloop.capacity import actions as capacity_actions
from opsloop.capacity.schemas import SkillIn, SkillPatch, TimeEntryIn, TimeEntryPatch
from opsloop.collab import actions as collab_actions
from opsloop.core import actions as core_actions
from opsloop.core.errors import Conflict, Forbidden
from opsloop.core.models import AuditLog, Membership, Role, User, Workspace
from opsloop.dashboards import actions as dashboard_actions
from opsloop.events import actions as event_actions
from opsloop.events.schemas import SourceIn, SourcePatch
from opsloop.files import actions as file_actions
from opsloop.files.models import Folder
from opsloop.files.queries import Place
from opsloop.files.schemas import FilePatch, FolderIn, FolderPatch
from opsloop.goals import actions as goal_actions
from opsloop.goals.schemas import (
    KeyResultIn,
    KeyResultPatch,
    KpiIn,
    KpiPatch,
    ObjectiveIn,
    ObjectivePatch,
)
from opsloop.insights import actions as insight_actions
from opsloop.meetings import actions as meeting_actions
from opsloop.meetings.schemas import (
    ActionItemIn,
    ActionItemPatch,
    AgendaItemIn,
    AgendaItemPatch,
    MeetingIn,
    MeetingPatch,
)
from opsloop.planning import actions as planning_actions
from opsloop.planning.schemas import MilestoneIn, MilestonePatch
from opsloop.work import actions as work_actions
from opsloop.work.schemas import (
    CustomFieldIn,
    CustomFieldPatch,
    ItemIn,
    LabelIn,
    LabelPatch,
    OptionIn,
    ProjectPatch,
    SavedViewIn,
    SavedViewPatch,
    StateIn,
    StatePatch,
)
from tests.conftest import add_member, membership_of
from tests.files.conftest import PNG
from tests.interleave import two_patches_at_once

W = "/api/v1/workspaces/acme"
MONDAY = dt.datetime(2026, 11, 2, 10, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _own_stores(settings, tmp_path):
    """Files and events of these tests go to a directory of their own."""
    settings.DATA_DIR = tmp_path
    settings.EVENTS_BACKEND = "duckdb"
    settings.STORAGES = {
        **settings.STORAGES,
        "opsloop_files": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files")},
        },
    }


@dataclass
class World:
    actor: Membership  # the workspace's owner
    project: Any
    member: User


@dataclass(frozen=True)
class Case:
    make: Callable[[World], models.Model]
    first: Callable[[World, Any], Any]  # a change through the first copy
    second: Callable[[World, Any], Any]  # another through the stale second copy
    seen: Callable[[World, Any], Any]  # where both changes show, on an object of the model
    wanted: Any


def _item(w: World) -> Any:
    return work_actions.do_create_item(actor=w.actor, project=w.project, data=ItemIn(title="海报"))


def _meeting(w: World) -> Any:
    return meeting_actions.do_create_meeting(
        actor=w.actor,
        data=MeetingIn(title="周例会", starts_at=MONDAY, project_key="D11"),
    )


def _kpi(w: World) -> Any:
    return goal_actions.do_create_kpi(actor=w.actor, data=KpiIn(name="完成数", source="manual"))


def _objective(w: World) -> Any:
    return goal_actions.do_create_objective(
        actor=w.actor,
        data=ObjectiveIn(title="Q4 增长", start_date=dt.date(2026, 10, 1), period_kind="quarter"),
    )


def _dashboard(w: World) -> Any:
    return dashboard_actions.do_create_dashboard(actor=w.actor, name="作战室")


def _as_actor(w: World, workspace: Workspace) -> Membership:
    """The owner's membership carrying this copy of the workspace."""
    actor = membership_of(w.actor.user, w.actor.workspace)
    actor.workspace = workspace
    return actor


def _folder(w: World, name: str, also: str) -> Folder:
    """A folder of D11, beside another one named `also`."""
    file_actions.do_create_folder(actor=w.actor, project=w.project, data=FolderIn(name=also))
    return file_actions.do_create_folder(actor=w.actor, project=w.project, data=FolderIn(name=name))


def _file_and_folder(w: World) -> Any:
    file_actions.do_create_folder(actor=w.actor, project=w.project, data=FolderIn(name="终稿"))
    return file_actions.do_upload_file(
        actor=w.actor, place=Place(project=w.project), content=ContentFile(PNG), name="海报.png"
    )


def _folder_named(w: World, name: str) -> Folder:
    return Folder.objects.get(project=w.project, name=name)


CASES: dict[str, Case] = {
    "work.project": Case(
        make=lambda w: w.project,
        first=lambda w, p: work_actions.do_update_project(
            actor=w.actor, project=p, data=ProjectPatch(goal="GMV 增长 50%")
        ),
        second=lambda w, p: work_actions.do_update_project(
            actor=w.actor, project=p, data=ProjectPatch(scope="天猫旗舰店")
        ),
        seen=lambda w, p: (p.goal, p.scope),
        wanted=("GMV 增长 50%", "天猫旗舰店"),
    ),
    "work.state": Case(
        make=lambda w: work_actions.do_create_state(
            actor=w.actor, project=w.project, data=StateIn(name="待验收", group="in_review")
        ),
        first=lambda w, s: work_actions.do_update_state(
            actor=w.actor, state=s, data=StatePatch(is_default=True)
        ),
        second=lambda w, s: work_actions.do_update_state(
            actor=w.actor, state=s, data=StatePatch(name="验收中")
        ),
        seen=lambda w, s: (s.name, s.is_default),
        wanted=("验收中", True),
    ),
    "work.label": Case(
        make=lambda w: work_actions.do_create_label(actor=w.actor, data=LabelIn(name="大促")),
        first=lambda w, label: work_actions.do_update_label(
            actor=w.actor, label=label, data=LabelPatch(color="#ef4444")
        ),
        second=lambda w, label: work_actions.do_update_label(
            actor=w.actor, label=label, data=LabelPatch(name="双十一")
        ),
        seen=lambda w, label: (label.name, label.color),
        wanted=("双十一", "#ef4444"),
    ),
    "work.field": Case(
        make=lambda w: work_actions.do_create_field(
            actor=w.actor,
            project=w.project,
            data=CustomFieldIn(name="渠道", type="select", options=[OptionIn(label="小红书")]),
        ),
        first=lambda w, f: work_actions.do_update_field(
            actor=w.actor,
            field=f,
            data=CustomFieldPatch(
                options=[OptionIn(id=f.options[0]["id"], label="小红书"), OptionIn(label="抖音")]
            ),
        ),
        second=lambda w, f: work_actions.do_update_field(
            actor=w.actor, field=f, data=CustomFieldPatch(name="投放渠道")
        ),
        seen=lambda w, f: (f.name, [o["label"] for o in f.options]),
        wanted=("投放渠道", ["小红书", "抖音"]),
    ),
    "work.view": Case(
        make=lambda w: work_actions.do_create_view(
            actor=w.actor, project=w.project, data=SavedViewIn(name="我的")
        ),
        first=lambda w, v: work_actions.do_update_view(
            actor=w.actor, view=v, data=SavedViewPatch(layout="board")
        ),
        second=lambda w, v: work_actions.do_update_view(
            actor=w.actor, view=v, data=SavedViewPatch(name="看板")
        ),
        seen=lambda w, v: (v.name, v.layout),
        wanted=("看板", "board"),
    ),
    "collab.comment": Case(
        make=lambda w: collab_actions.do_add_comment(actor=w.actor, item=_item(w), body="初稿"),
        first=lambda w, c: collab_actions.do_edit_comment(actor=w.actor, comment=c, body="二稿"),
        second=lambda w, c: collab_actions.do_edit_comment(actor=w.actor, comment=c, body="三稿"),
        # The history keeps the second draft, which the stale copy never saw.
        seen=lambda w, c: (c.body, list(c.versions.order_by("pk").values_list("body", flat=True))),
        wanted=("三稿", ["初稿", "二稿"]),
    ),
    "collab.discussion": Case(
        make=lambda w: collab_actions.do_start_discussion(
            actor=w.actor, project=w.project, title="预热期复盘", body="大家说说"
        ),
        first=lambda w, d: collab_actions.do_update_discussion(
            actor=w.actor, discussion=d, closed=True
        ),
        second=lambda w, d: collab_actions.do_update_discussion(
            actor=w.actor, discussion=d, title="预热期复盘（已定）"
        ),
        seen=lambda w, d: (d.title, d.closed),
        wanted=("预热期复盘（已定）", True),
    ),
    "planning.milestone": Case(
        make=lambda w: planning_actions.do_create_milestone(
            actor=w.actor,
            project=w.project,
            data=MilestoneIn(name="预热", date=dt.date(2026, 11, 1)),
        ),
        first=lambda w, m: planning_actions.do_update_milestone(
            actor=w.actor, milestone=m, data=MilestonePatch(date=dt.date(2026, 11, 3))
        ),
        second=lambda w, m: planning_actions.do_update_milestone(
            actor=w.actor, milestone=m, data=MilestonePatch(name="预热期")
        ),
        seen=lambda w, m: (m.name, m.date),
        wanted=("预热期", dt.date(2026, 11, 3)),
    ),
    "goals.kpi": Case(
        make=_kpi,
        first=lambda w, k: goal_actions.do_update_kpi(
            actor=w.actor,
            kpi=k,
            data=KpiPatch(source="work", definition={"measure": "items_done"}),
        ),
        # Sent alone, the definition is of the source the KPI has now: the work.
        second=lambda w, k: goal_actions.do_update_kpi(
            actor=w.actor,
            kpi=k,
            data=KpiPatch(definition={"measure": "items_done", "project_ids": [w.project.pk]}),
        ),
        seen=lambda w, k: (
            k.source,
            k.definition == {"measure": "items_done", "project_ids": [w.project.pk]},
            k.version,
        ),
        wanted=("work", True, 3),
    ),
    "goals.objective": Case(
        make=_objective,
        first=lambda w, o: goal_actions.do_update_objective(
            actor=w.actor, objective=o, data=ObjectivePatch(description="公众号与小红书")
        ),
        second=lambda w, o: goal_actions.do_update_objective(
            actor=w.actor, objective=o, data=ObjectivePatch(title="Q4 涨粉")
        ),
        seen=lambda w, o: (o.title, o.description),
        wanted=("Q4 涨粉", "公众号与小红书"),
    ),
    "goals.key_result": Case(
        make=lambda w: goal_actions.do_add_key_result(
            actor=w.actor,
            objective=_objective(w),
            data=KeyResultIn(title="完成 50 项", kpi_id=_kpi(w).pk, target_value=50),
        ),
        first=lambda w, kr: goal_actions.do_update_key_result(
            actor=w.actor, key_result=kr, data=KeyResultPatch(weight=2)
        ),
        second=lambda w, kr: goal_actions.do_update_key_result(
            actor=w.actor, key_result=kr, data=KeyResultPatch(title="完成 60 项")
        ),
        seen=lambda w, kr: (kr.title, kr.weight),
        wanted=("完成 60 项", 2.0),
    ),
    "meetings.meeting": Case(
        make=_meeting,
        first=lambda w, m: meeting_actions.do_update_meeting(
            actor=w.actor, meeting=m, data=MeetingPatch(location="3 号会议室")
        ),
        second=lambda w, m: meeting_actions.do_update_meeting(
            actor=w.actor, meeting=m, data=MeetingPatch(title="大促周会")
        ),
        seen=lambda w, m: (m.title, m.location),
        wanted=("大促周会", "3 号会议室"),
    ),
    "meetings.agenda_item": Case(
        make=lambda w: meeting_actions.do_add_agenda_item(
            actor=w.actor, meeting=_meeting(w), data=AgendaItemIn(title="预算")
        ),
        first=lambda w, t: meeting_actions.do_update_agenda_item(
            actor=w.actor, topic=t, data=AgendaItemPatch(done=True)
        ),
        second=lambda w, t: meeting_actions.do_update_agenda_item(
            actor=w.actor, topic=t, data=AgendaItemPatch(notes="再压 10%")
        ),
        seen=lambda w, t: (t.notes, t.done),
        wanted=("再压 10%", True),
    ),
    "meetings.action_item": Case(
        make=lambda w: meeting_actions.do_add_action_item(
            actor=w.actor, meeting=_meeting(w), data=ActionItemIn(title="发海报")
        ),
        first=lambda w, a: meeting_actions.do_update_action_item(
            actor=w.actor, action=a, data=ActionItemPatch(due_date=dt.date(2026, 11, 5))
        ),
        second=lambda w, a: meeting_actions.do_update_action_item(
            actor=w.actor, action=a, data=ActionItemPatch(title="发预热海报")
        ),
        seen=lambda w, a: (a.title, a.due_date),
        wanted=("发预热海报", dt.date(2026, 11, 5)),
    ),
    "meetings.action_item_converted": Case(
        make=lambda w: meeting_actions.do_add_action_item(
            actor=w.actor, meeting=_meeting(w), data=ActionItemIn(title="发海报")
        ),
        first=lambda w, a: meeting_actions.do_convert_action_item(actor=w.actor, action=a),
        second=lambda w, a: meeting_actions.do_update_action_item(
            actor=w.actor, action=a, data=ActionItemPatch(title="发预热海报")
        ),
        seen=lambda w, a: (a.title, a.work_item.title if a.work_item else None),
        wanted=("发预热海报", "发海报"),
    ),
    "files.file": Case(
        make=_file_and_folder,
        first=lambda w, f: file_actions.do_update_file(
            actor=w.actor, file=f, data=FilePatch(name="海报-定稿.png")
        ),
        second=lambda w, f: file_actions.do_update_file(
            actor=w.actor, file=f, data=FilePatch(folder_id=_folder_named(w, "终稿").pk)
        ),
        seen=lambda w, f: (f.name, f.folder.name if f.folder else None),
        wanted=("海报-定稿.png", "终稿"),
    ),
    "files.folder": Case(
        make=lambda w: _folder(w, "素材", also="归档"),
        first=lambda w, f: file_actions.do_update_folder(
            actor=w.actor, folder=f, data=FolderPatch(name="设计素材")
        ),
        second=lambda w, f: file_actions.do_update_folder(
            actor=w.actor, folder=f, data=FolderPatch(parent_id=_folder_named(w, "归档").pk)
        ),
        seen=lambda w, f: (f.name, f.parent.name if f.parent else None),
        wanted=("设计素材", "归档"),
    ),
    "events.source": Case(
        make=lambda w: (
            event_actions.do_create_source(actor=w.actor, data=SourceIn(name="官网")).source
        ),
        first=lambda w, s: event_actions.do_update_source(
            actor=w.actor, source=s, data=SourcePatch(rate_limit=100)
        ),
        second=lambda w, s: event_actions.do_update_source(
            actor=w.actor, source=s, data=SourcePatch(name="官网商城")
        ),
        seen=lambda w, s: (s.name, s.rate_limit),
        wanted=("官网商城", 100),
    ),
    "dashboards.dashboard": Case(
        make=_dashboard,
        first=lambda w, d: dashboard_actions.do_update_dashboard(
            actor=w.actor, dashboard=d, changes={"refresh_seconds": 60}
        ),
        second=lambda w, d: dashboard_actions.do_update_dashboard(
            actor=w.actor, dashboard=d, changes={"name": "双十一作战室"}
        ),
        seen=lambda w, d: (d.name, d.refresh_seconds),
        wanted=("双十一作战室", 60),
    ),
    "dashboards.tile": Case(
        make=lambda w: dashboard_actions.do_add_tile(
            actor=w.actor, dashboard=_dashboard(w), data={"kind": "note", "text": "本周重点"}
        ),
        first=lambda w, t: dashboard_actions.do_update_tile(
            actor=w.actor, dashboard=t.dashboard, tile=t, changes={"x": 6}
        ),
        second=lambda w, t: dashboard_actions.do_update_tile(
            actor=w.actor, dashboard=t.dashboard, tile=t, changes={"title": "备注"}
        ),
        seen=lambda w, t: (t.title, t.x),
        wanted=("备注", 6),
    ),
    "capacity.skill": Case(
        make=lambda w: capacity_actions.do_create_skill(actor=w.actor, data=SkillIn(name="设计")),
        first=lambda w, s: capacity_actions.do_update_skill(
            actor=w.actor, skill=s, data=SkillPatch(color="#ef4444")
        ),
        second=lambda w, s: capacity_actions.do_update_skill(
            actor=w.actor, skill=s, data=SkillPatch(name="视觉设计")
        ),
        seen=lambda w, s: (s.name, s.color),
        wanted=("视觉设计", "#ef4444"),
    ),
    "capacity.time_entry": Case(
        make=lambda w: capacity_actions.do_log_time(
            actor=w.actor, item=_item(w), data=TimeEntryIn(minutes=30)
        ),
        first=lambda w, e: capacity_actions.do_update_time_entry(
            actor=w.actor, entry=e, data=TimeEntryPatch(minutes=45)
        ),
        second=lambda w, e: capacity_actions.do_update_time_entry(
            actor=w.actor, entry=e, data=TimeEntryPatch(note="改稿")
        ),
        seen=lambda w, e: (e.note, e.minutes),
        wanted=("改稿", 45),
    ),
    "core.profile": Case(
        make=lambda w: w.member,
        first=lambda w, u: core_actions.do_update_profile(user=u, language="en"),
        second=lambda w, u: core_actions.do_update_profile(user=u, display_name="小林"),
        seen=lambda w, u: (u.display_name, u.language),
        wanted=("小林", "en"),
    ),
    "core.workspace": Case(
        make=lambda w: w.actor.workspace,
        first=lambda w, ws: core_actions.do_update_workspace(
            actor=_as_actor(w, ws), name="Acme 增长"
        ),
        second=lambda w, ws: core_actions.do_update_workspace(
            actor=_as_actor(w, ws), time_zone="Asia/Tokyo"
        ),
        seen=lambda w, ws: (ws.name, ws.time_zone),
        wanted=("Acme 增长", "Asia/Tokyo"),
    ),
    "core.role": Case(
        make=lambda w: Membership.objects.get(user=w.member, workspace=w.actor.workspace),
        first=lambda w, m: core_actions.do_change_role(actor=w.actor, member=m, role=Role.ADMIN),
        second=lambda w, m: core_actions.do_change_role(actor=w.actor, member=m, role=Role.GUEST),
        # The audit log says what the role was when it changed.
        seen=lambda w, m: (
            m.role,
            [
                (data["old"], data["new"])
                for data in AuditLog.objects.filter(action="member.role")
                .order_by("pk")
                .values_list("data", flat=True)
            ],
        ),
        wanted=(Role.GUEST, [("member", "admin"), ("admin", "guest")]),
    ),
    "insights.insight": Case(
        make=lambda w: insight_actions.do_save_insight(
            actor=w.actor,
            name="日活",
            query={"kind": "trends", "series": [{"event": "app_open", "math": "dau"}]},
        ),
        first=lambda w, i: insight_actions.do_update_insight(
            actor=w.actor, insight=i, description="App 打开的人数"
        ),
        second=lambda w, i: insight_actions.do_update_insight(actor=w.actor, insight=i, name="DAU"),
        seen=lambda w, i: (i.name, i.description),
        wanted=("DAU", "App 打开的人数"),
    ),
}


def _copy(obj: models.Model) -> Any:
    return type(obj)._default_manager.get(pk=obj.pk)


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_stale_copy_does_not_put_back_what_changed_since(name, owner, workspace, project):
    case = CASES[name]
    w = World(
        actor=membership_of(owner, workspace),
        project=project,
        member=add_member(workspace, "lin", Role.MEMBER),
    )
    made = case.make(w)
    one, two = _copy(made), _copy(made)

    case.first(w, one)
    returned = case.second(w, two)

    assert case.seen(w, _copy(made)) == case.wanted
    # What the action returns is the row as it is now, with the first change too.
    assert case.seen(w, returned) == case.wanted


def test_a_stale_copy_cannot_demote_an_owner_it_took_for_a_member(owner, workspace):
    """An admin's request read lin as a member; lin has been made an owner since."""
    lin = add_member(workspace, "lin", Role.MEMBER)
    admin = membership_of(add_member(workspace, "admin", Role.ADMIN), workspace)
    stale = Membership.objects.get(user=lin, workspace=workspace)
    core_actions.do_change_role(
        actor=membership_of(owner, workspace),
        member=Membership.objects.get(pk=stale.pk),
        role=Role.OWNER,
    )

    with pytest.raises(Forbidden):
        core_actions.do_change_role(actor=admin, member=stale, role=Role.GUEST)
    assert Membership.objects.get(pk=stale.pk).role == Role.OWNER


def test_a_stale_copy_cannot_remove_the_last_owner_it_took_for_a_member(owner, workspace):
    """lin's request to leave read lin as a member; since then lin has been made an owner
    and the other owner has left, so lin is the last owner and may not go."""
    lin = add_member(workspace, "lin", Role.MEMBER)
    stale = Membership.objects.get(user=lin, workspace=workspace)
    first = membership_of(owner, workspace)
    core_actions.do_change_role(
        actor=first, member=Membership.objects.get(pk=stale.pk), role=Role.OWNER
    )
    core_actions.do_remove_member(actor=first, member=first)

    with pytest.raises(Conflict):
        core_actions.do_remove_member(actor=stale, member=stale)
    assert list(Membership.objects.filter(workspace=workspace).values_list("role", flat=True)) == [
        Role.OWNER
    ]


def test_a_stale_copy_cannot_remove_an_owner_it_took_for_a_member(owner, workspace):
    """An admin's request read lin as a member; lin has been made an owner since."""
    lin = add_member(workspace, "lin", Role.MEMBER)
    admin = membership_of(add_member(workspace, "admin", Role.ADMIN), workspace)
    stale = Membership.objects.get(user=lin, workspace=workspace)
    core_actions.do_change_role(
        actor=membership_of(owner, workspace),
        member=Membership.objects.get(pk=stale.pk),
        role=Role.OWNER,
    )

    with pytest.raises(Forbidden):
        core_actions.do_remove_member(actor=admin, member=stale)
    assert Membership.objects.filter(pk=stale.pk, role=Role.OWNER).exists()


# --- two requests at once, through the API, with real commits


@pytest.mark.django_db(transaction=True)
def test_two_changes_of_a_project_at_once_both_stay(monkeypatch, owner, project):
    answer, saved = two_patches_at_once(
        monkeypatch,
        owner,
        work_actions,
        "do_update_project",
        f"{W}/projects/D11",
        {"goal": "GMV 增长 50%"},
        {"scope": "天猫旗舰店", "stage": "executing"},
    )

    assert (saved["goal"], saved["scope"], saved["stage"]) == (
        "GMV 增长 50%",
        "天猫旗舰店",
        "executing",
    )
    assert (answer["scope"], answer["stage"]) == ("天猫旗舰店", "executing")


@pytest.mark.django_db(transaction=True)
def test_two_changes_of_a_meeting_at_once_both_stay(monkeypatch, owner, workspace, project):
    meeting = _meeting(World(actor=membership_of(owner, workspace), project=project, member=owner))
    answer, saved = two_patches_at_once(
        monkeypatch,
        owner,
        meeting_actions,
        "do_update_meeting",
        f"{W}/meetings/{meeting.pk}",
        {"title": "大促周会"},
        {"starts_at": "2026-11-03T14:00:00+08:00", "location": "3 号会议室"},
    )

    assert (saved["title"], saved["location"]) == ("大促周会", "3 号会议室")
    assert dt.datetime.fromisoformat(saved["starts_at"]) == dt.datetime.fromisoformat(
        "2026-11-03T14:00:00+08:00"
    )
    assert answer["location"] == "3 号会议室"


@pytest.mark.django_db(transaction=True)
def test_two_changes_of_a_kpi_at_once_both_stay(monkeypatch, owner, workspace, project):
    """Request one sends a definition of the source the KPI has once request two made it a
    KPI of the work; it is taken as such, and the version counts both changes."""
    kpi = _kpi(World(actor=membership_of(owner, workspace), project=project, member=owner))
    answer, saved = two_patches_at_once(
        monkeypatch,
        owner,
        goal_actions,
        "do_update_kpi",
        f"{W}/kpis/{kpi.pk}",
        {"definition": {"measure": "items_done", "project_ids": [project.pk]}},
        {"source": "work", "definition": {"measure": "items_done"}, "unit": "项"},
    )

    assert (saved["source"], saved["definition"], saved["unit"], saved["version"]) == (
        "work",
        {"measure": "items_done", "project_ids": [project.pk]},
        "项",
        3,
    )
    assert answer["version"] == 3
