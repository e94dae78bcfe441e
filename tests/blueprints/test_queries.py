"""Reads of templates: who sees which, the summary, and the dates a start date gives."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from opsloop.blueprints import actions, queries
from opsloop.core.errors import Conflict, Forbidden, Invalid
from opsloop.core.models import Role
from tests.blueprints.conftest import make_campaign
from tests.conftest import add_member, membership_of


def test_the_summary_counts_what_the_template_keeps(owner_ms, campaign):
    template = actions.do_save_template(actor=owner_ms, project=campaign["project"], name="模板")
    summary = queries.summarize(template)
    assert (summary.items, summary.milestones, summary.dependencies) == (3, 1, 1)
    assert (summary.budget_lines, summary.budget_total, summary.currency) == (
        1, Decimal("30000.00"), "CNY")  # fmt: skip
    assert (summary.content_slots, summary.duration_days) == (1, 50)


def test_the_plan_gives_the_dates_of_a_start(owner_ms, campaign):
    template = actions.do_save_template(actor=owner_ms, project=campaign["project"], name="模板")
    plan = queries.plan_of(template, dt.date(2027, 5, 1))
    assert plan.end == dt.date(2027, 6, 20)
    rows = {r.title: r for r in plan.items}
    assert [r.title for r in plan.items] == ["主会场视觉设计", "KV 终稿确认", "会场页面开发"]
    assert rows["KV 终稿确认"].depth == 1
    assert (rows["主会场视觉设计"].due_offset, rows["主会场视觉设计"].due_date) == (
        9, dt.date(2027, 5, 10))  # fmt: skip
    assert rows["会场页面开发"].due_date == dt.date(2027, 5, 20)
    assert [(m.name, m.offset, m.date) for m in plan.milestones] == [
        ("双十一当天", 41, dt.date(2027, 6, 11))
    ]
    zone = zoneinfo.ZoneInfo(template.workspace.time_zone)
    assert plan.slots[0].planned_at == dt.datetime(2027, 5, 15, 20, 0, tzinfo=zone)
    assert plan.dependencies == [("主会场视觉设计", "blocks", "会场页面开发")]
    # Without a start: the days, no dates.
    bare = queries.plan_of(template)
    assert bare.end is None and bare.items[0].due_date is None and bare.items[0].due_offset == 9
    with pytest.raises(Invalid):
        queries.plan_of(template, dt.date(9999, 12, 1))


def test_who_sees_which_template(owner_ms, member_ms, workspace, guest, campaign):
    shared = actions.do_save_template(actor=owner_ms, project=campaign["project"], name="共享")
    private = actions.do_save_template(
        actor=owner_ms, project=campaign["project"], name="私人", visibility="private"
    )
    own = actions.do_save_template(
        actor=member_ms, project=campaign["project"], name="成员私人", visibility="private"
    )
    assert {t.name for t in queries.list_templates(member_ms)} == {"共享", "成员私人"}
    assert len(queries.list_templates(owner_ms)) == 3
    assert queries.access_template_of(member_ms, own.pk).can_edit
    assert not queries.access_template_of(member_ms, shared.pk).can_edit
    with pytest.raises(Forbidden):
        queries.access_template_of(member_ms, shared.pk, queries.EDIT)
    with pytest.raises(Forbidden):
        queries.list_templates(membership_of(guest, workspace))
    admin = membership_of(add_member(workspace, "admin", Role.ADMIN), workspace)
    assert queries.access_template_of(admin, private.pk).can_edit


def test_a_hidden_source_is_not_named(owner_ms, member_ms):
    secret = make_campaign(owner_ms, "SEC", visibility="private")["project"]
    template = actions.do_save_template(
        actor=owner_ms, project=secret, name="公开", visibility="workspace"
    )
    assert queries.seen_sources(member_ms, [template]) == set()
    assert queries.seen_sources(owner_ms, [template]) == {secret.pk}


def test_a_damaged_body_is_a_conflict_not_a_half_project(owner_ms, campaign):
    template = actions.do_save_template(actor=owner_ms, project=campaign["project"], name="模板")
    template.body["items"][1]["parent"] = 99
    template.save()
    with pytest.raises(Conflict):
        queries.read_body(template)
