"""Saving a project as a template and making projects from it: the dates land shifted,
every part comes along through the apps' own actions, and a failure leaves nothing."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from opsloop.blueprints import actions, queries
from opsloop.blueprints.schemas import TemplatePatch
from opsloop.channels.models import Channel
from opsloop.content.models import ContentPiece
from opsloop.core.errors import Forbidden, Invalid, NotFound
from opsloop.core.models import Role
from opsloop.money.models import BudgetLine
from opsloop.planning.models import Dependency, Milestone
from opsloop.work import actions as work
from opsloop.work.models import Activity, Item, Label, Project, State
from opsloop.work.schemas import ItemIn, ItemPatch, ProjectIn
from tests.blueprints.conftest import make_campaign
from tests.conftest import add_member, membership_of

START = dt.date(2027, 5, 1)


def _save(actor, project, name="双十一模板", **extra):
    return actions.do_save_template(actor=actor, project=project, name=name, **extra)


def _use(actor, template, key="D27", start=START, **extra):
    return actions.do_create_project_from_template(
        actor=actor, template=template, name="双十一大促 2027", key=key, start_date=start, **extra
    )


def _items(project) -> dict[str, Item]:
    return {
        i.title: i for i in Item.objects.filter(project=project).select_related("state", "parent")
    }


def test_the_known_answer(owner_ms, campaign):
    template = _save(owner_ms, campaign["project"])
    made = _use(owner_ms, template)
    project = made.project
    assert (project.start_date, project.end_date) == (START, dt.date(2027, 6, 20))
    assert (project.kind, project.goal, project.budget) == ("campaign", "GMV 增长 30%", 500000)
    items = _items(project)
    # Due 2026-10-10 and 2026-10-20 from a 2026-10-01 start: days 9 and 19.
    assert items["主会场视觉设计"].due_date == dt.date(2027, 5, 10)
    assert items["会场页面开发"].due_date == dt.date(2027, 5, 20)
    assert items["会场页面开发"].start_date == dt.date(2027, 5, 11)
    assert items["KV 终稿确认"].parent == items["主会场视觉设计"]
    assert items["KV 终稿确认"].due_date == dt.date(2027, 5, 5)
    # The cancelled item is left out; the one under way starts afresh.
    assert "线下快闪店" not in items
    assert items["会场页面开发"].state.is_default
    assert items["主会场视觉设计"].estimate_hours == Decimal("16")
    assert items["主会场视觉设计"].priority_name == "high"
    # Milestone on 2026-11-11 = day 41: 2027-05-01 + 41 days.
    (milestone,) = Milestone.objects.filter(project=project)
    assert (milestone.name, milestone.date) == ("双十一当天", dt.date(2027, 6, 11))
    assert list(milestone.items.all()) == [items["会场页面开发"]]
    (link,) = Dependency.objects.filter(source__project=project)
    assert (link.source, link.target, link.kind) == (
        items["主会场视觉设计"], items["会场页面开发"], "blocks")  # fmt: skip
    # Labels are the workspace's: the same label, not a copy.
    assert list(items["主会场视觉设计"].labels.all()) == [campaign["design"]]
    assert Label.objects.filter(name="设计").count() == 1
    values = {row.field.name: row for row in items["主会场视觉设计"].field_values.all()}
    assert values["投放渠道"].field.project == project
    assert values["投放渠道"].field != campaign["channel_field"]
    assert values["投放渠道"].value == values["投放渠道"].field.options[0]["id"]
    assert values["投放渠道"].field.options[0]["label"] == "抖音"
    assert (
        values["预计曝光"].field == campaign["reach_field"] and values["预计曝光"].value == 200000
    )
    assert values["上线日"].date == dt.date(2027, 5, 12)
    # The workflow's own state came along.
    assert State.objects.filter(project=project, name="待验收", group="in_review").exists()
    (line,) = BudgetLine.objects.filter(project=project)
    assert (line.name, line.planned, line.currency, line.channel.name) == (
        "抖音信息流", Decimal("30000.00"), "CNY", "抖音")  # fmt: skip
    (piece,) = ContentPiece.objects.filter(project=project)
    zone = zoneinfo.ZoneInfo(project.workspace.time_zone)
    assert piece.planned_at == dt.datetime(2027, 5, 15, 20, 0, tzinfo=zone)
    assert (piece.status, piece.channel.name, piece.tags) == ("idea", "小红书", ["双十一"])
    assert piece.item == items["主会场视觉设计"] and piece.owner == owner_ms.user
    assert (made.items, made.milestones, made.dependencies) == (3, 1, 1)
    assert (made.budget_lines, made.content_pieces, made.notes) == (1, 1, [])


def test_a_made_project_has_the_history_a_hand_made_one_has(owner_ms, campaign):
    made = _use(owner_ms, _save(owner_ms, campaign["project"]))
    created = Activity.objects.filter(project=made.project, verb="created")
    assert created.filter(field="project").count() == 1
    assert created.filter(item__isnull=False).count() == 3
    assert set(created.values_list("actor", flat=True)) == {owner_ms.user_id}


def test_the_template_stays_as_saved_when_the_source_changes(owner_ms, campaign):
    template = _save(owner_ms, campaign["project"])
    kept = dict(template.body)
    work.do_update_item(actor=owner_ms, item=campaign["visual"], data=ItemPatch(title="改过的标题"))
    campaign["milestone"].delete()
    work.do_delete_item(actor=owner_ms, item=campaign["pages"])
    template.refresh_from_db()
    assert template.body == kept
    made = _use(owner_ms, template)
    assert {"主会场视觉设计", "会场页面开发"} <= set(_items(made.project))
    assert Milestone.objects.filter(project=made.project).count() == 1
    # Deleting the source keeps the template, without its source.
    work.do_delete_project(actor=owner_ms, project=campaign["project"])
    template.refresh_from_db()
    assert template.source_project is None and template.body == kept


def test_a_failure_half_way_leaves_no_project(owner_ms, campaign, monkeypatch):
    template = _save(owner_ms, campaign["project"])
    counts = (Project.objects.count(), Item.objects.count(), BudgetLine.objects.count(),
              ContentPiece.objects.count(), State.objects.count())  # fmt: skip

    def broken(**kwargs):
        raise Invalid("the milestone could not be made")

    monkeypatch.setattr(actions, "do_create_milestone", broken)
    with pytest.raises(Invalid):
        _use(owner_ms, template)
    assert not Project.objects.filter(key="D27").exists()
    assert counts == (Project.objects.count(), Item.objects.count(), BudgetLine.objects.count(),
                      ContentPiece.objects.count(), State.objects.count())  # fmt: skip


def test_a_taken_key_makes_nothing(owner_ms, campaign):
    template = _save(owner_ms, campaign["project"])
    before = Item.objects.count()
    with pytest.raises(Invalid) as caught:
        _use(owner_ms, template, key="D26")
    assert caught.value.field == "key"
    assert Item.objects.count() == before


def test_a_member_makes_a_project_and_hands_it_to_its_owner(owner_ms, member_ms, campaign, owner):
    template = _save(owner_ms, campaign["project"])
    made = _use(member_ms, template, owner_id=owner.pk)
    made.project.refresh_from_db()
    assert made.project.owner == owner
    # The budget lines and fields are the owner's to make: the member made them while
    # the project was theirs.
    assert BudgetLine.objects.filter(project=made.project).count() == 1
    assert made.project.members.filter(pk=member_ms.user_id).exists()


def test_an_unknown_owner_makes_nothing(owner_ms, campaign, outsider):
    template = _save(owner_ms, campaign["project"])
    with pytest.raises(Invalid):
        _use(owner_ms, template, owner_id=outsider.pk)
    assert not Project.objects.filter(key="D27").exists()


def test_a_channel_the_workspace_lacks_is_noted(owner_ms, campaign):
    template = _save(owner_ms, campaign["project"])
    Channel.objects.filter(name="小红书").update(name="小红书（旧）")
    Channel.objects.filter(name="抖音").update(name="抖音（旧）")
    made = _use(owner_ms, template)
    assert ContentPiece.objects.filter(project=made.project).count() == 0
    line = BudgetLine.objects.get(project=made.project)
    assert line.channel is None
    assert len(made.notes) == 2 and any("小红书" in note for note in made.notes)
    assert made.content_pieces == 0 and made.budget_lines == 1


def test_a_private_projects_template_is_private(owner_ms, member_ms, workspace):
    secret = make_campaign(owner_ms, "SEC", visibility="private")["project"]
    template = _save(owner_ms, secret, name="保密模板")
    assert template.visibility == "private"
    assert not queries.visible_templates(member_ms).filter(pk=template.pk).exists()
    admin = membership_of(add_member(workspace, "admin", Role.ADMIN), workspace)
    assert queries.visible_templates(admin).filter(pk=template.pk).exists()
    with pytest.raises(NotFound):
        _use(member_ms, template)
    # Its maker may share it with the workspace.
    actions.do_update_template(
        actor=owner_ms, template=template, data=TemplatePatch(visibility="workspace")
    )
    assert queries.visible_templates(member_ms).filter(pk=template.pk).exists()
    made = _use(member_ms, template)
    assert made.project.visibility == "private"
    assert made.project.members.filter(pk=member_ms.user_id).exists()


def test_who_may_do_what(owner_ms, member_ms, workspace, guest, campaign):
    guest_ms = membership_of(guest, workspace)
    with pytest.raises(Forbidden):
        _save(guest_ms, campaign["project"])
    theirs = _save(member_ms, campaign["project"], name="成员的模板")
    mine = _save(owner_ms, campaign["project"])
    with pytest.raises(Forbidden):
        actions.do_update_template(actor=member_ms, template=mine, data=TemplatePatch(name="x"))
    with pytest.raises(Forbidden):
        actions.do_delete_template(actor=member_ms, template=mine)
    with pytest.raises(Forbidden):
        _use(guest_ms, mine)
    renamed = actions.do_update_template(
        actor=member_ms, template=theirs, data=TemplatePatch(name="改名", description="说明")
    )
    assert (renamed.name, renamed.description) == ("改名", "说明")
    # Admins (and the owner) change anybody's.
    actions.do_delete_template(actor=owner_ms, template=theirs)
    assert not queries.visible_templates(owner_ms).filter(pk=theirs.pk).exists()


def test_names_are_unique_in_a_workspace(owner_ms, campaign):
    first = _save(owner_ms, campaign["project"])
    with pytest.raises(Invalid) as caught:
        _save(owner_ms, campaign["project"])
    assert caught.value.field == "name"
    other = _save(owner_ms, campaign["project"], name="另一个")
    with pytest.raises(Invalid):
        actions.do_update_template(
            actor=owner_ms, template=other, data=TemplatePatch(name=first.name)
        )


def test_a_project_without_a_start_counts_from_the_day_it_was_made(owner_ms):
    project = work.do_create_project(actor=owner_ms, data=ProjectIn(name="无日期", key="ND"))
    made_on = queries.local_day(project.workspace, project.created_at)
    work.do_create_item(
        actor=owner_ms,
        project=project,
        data=ItemIn(title="三天后", due_date=made_on + dt.timedelta(days=3)),
    )
    template = _save(owner_ms, project, name="无日期模板")
    assert template.body["items"][0]["due_offset"] == 3
    assert template.body["project"]["duration_days"] is None
    # The default workflow is not kept: a new project gets it in its maker's language.
    assert template.body["project"]["states"] == []
    made = _use(owner_ms, template, key="ND2")
    assert made.project.end_date is None
    assert Item.objects.get(project=made.project).due_date == START + dt.timedelta(days=3)
    assert State.objects.filter(project=made.project).count() == 6


def test_the_workflow_of_the_template_replaces_the_default_one(owner_ms):
    (double_11,) = [t for t in actions.seed_demo_templates(owner_ms) if t.name == "双十一大促"]
    made = _use(owner_ms, double_11, start=dt.date(2027, 10, 1))
    states = list(State.objects.filter(project=made.project).order_by("sequence"))
    assert [s.name for s in states] == ["待规划", "待开始", "进行中", "待验收", "已完成", "已取消"]
    assert [s.name for s in states if s.is_default] == ["待开始"]
    assert set(Item.objects.filter(project=made.project).values_list("state__name", flat=True)) == {
        "待开始"
    }


def test_the_demo_templates(owner_ms):
    made = actions.seed_demo_templates(owner_ms)
    assert [t.name for t in made] == ["双十一大促", "618", "新品上市", "月度内容计划"]
    assert actions.seed_demo_templates(owner_ms) == []
    for template in made:
        summary = queries.summarize(template)
        assert summary.items >= 10 and summary.milestones >= 3 and summary.content_slots >= 4
        assert summary.budget_total and summary.currency == "CNY"
    double_11 = made[0]
    assert queries.summarize(double_11).budget_total == Decimal("500000.00")
    result = _use(owner_ms, double_11, start=dt.date(2027, 10, 1))
    assert result.notes == []
    day = Milestone.objects.get(project=result.project, name="双十一当天")
    assert day.date == dt.date(2027, 11, 11)
    presale = Milestone.objects.get(project=result.project, name="预售开启")
    assert presale.date == dt.date(2027, 10, 20)
    month = _use(owner_ms, made[3], key="CM", start=dt.date(2027, 3, 1))
    assert month.content_pieces == 14 and month.project.kind == "content"
