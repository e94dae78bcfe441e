"""Adding and removing dependencies, rescheduling with dependents, milestones."""

from __future__ import annotations

from datetime import date

import pytest

from opsloop.core.errors import Conflict, Forbidden, Invalid
from opsloop.planning import actions
from opsloop.planning.models import Dependency
from opsloop.planning.schemas import MilestoneIn, MilestonePatch
from opsloop.work import actions as work_actions
from opsloop.work.models import Activity, Item
from opsloop.work.schemas import ItemIn, ItemPatch, ProjectIn
from tests.conftest import membership_of


@pytest.fixture
def ms(owner, workspace):
    return membership_of(owner, workspace)


def make(ms, project, title, start=None, due=None):
    return work_actions.do_create_item(
        actor=ms, project=project, data=ItemIn(title=title, start_date=start, due_date=due)
    )


def test_cycle_is_refused_with_its_path(ms, project):
    a, b, c = (make(ms, project, t) for t in "ABC")
    actions.do_add_dependency(actor=ms, source=a, target=b)
    actions.do_add_dependency(actor=ms, source=b, target=c)
    with pytest.raises(Conflict) as err:
        actions.do_add_dependency(actor=ms, source=c, target=a)
    assert "D11-3 → D11-1 → D11-2 → D11-3" in err.value.message
    with pytest.raises(Conflict) as err:
        actions.do_add_dependency(actor=ms, source=b, target=a)
    assert "D11-2 → D11-1 → D11-2" in err.value.message
    # Other kinds may go round in circles.
    actions.do_add_dependency(actor=ms, source=c, target=a, kind="relates")
    assert Dependency.objects.count() == 3


def test_self_links_repeats_and_hidden_items_are_refused(ms, project, workspace, member):
    a, b = make(ms, project, "A"), make(ms, project, "B")
    with pytest.raises(Invalid):
        actions.do_add_dependency(actor=ms, source=a, target=a)
    actions.do_add_dependency(actor=ms, source=a, target=b, kind="relates")
    with pytest.raises(Invalid):
        actions.do_add_dependency(actor=ms, source=b, target=a, kind="relates")
    secret = work_actions.do_create_project(
        actor=ms, data=ProjectIn(name="保密", key="SEC", visibility="private")
    )
    hidden = make(ms, secret, "机密")
    member_ms = membership_of(member, workspace)
    with pytest.raises(Invalid):
        actions.do_add_dependency(actor=member_ms, source=a, target=hidden)
    with pytest.raises(Invalid):
        actions.do_add_link(actor=member_ms, item=a, ref="SEC-1", kind="blocks")
    link = actions.do_add_link(actor=member_ms, item=a, ref="2", kind="blocked_by")
    assert (link.source_id, link.target_id, link.kind) == (b.pk, a.pk, "blocks")


def test_cross_workspace_links_are_refused(ms, project, owner):
    from opsloop.core import actions as core_actions

    other_ws = core_actions.do_create_workspace(actor=owner, slug="other", name="Other")
    other_ms = membership_of(owner, other_ws)
    other_project = work_actions.do_create_project(
        actor=other_ms, data=ProjectIn(name="别处", key="OTH")
    )
    far = make(other_ms, other_project, "远")
    with pytest.raises(Invalid):
        actions.do_add_dependency(actor=ms, source=make(ms, project, "A"), target=far)


def test_guests_cannot_link(ms, project, workspace, guest):
    work_actions.do_add_project_member(actor=ms, project=project, user_id=guest.pk)
    a, b = make(ms, project, "A"), make(ms, project, "B")
    with pytest.raises(Forbidden):
        actions.do_add_dependency(actor=membership_of(guest, workspace), source=a, target=b)


def test_reschedule_shifts_dependents_with_one_activity_each(ms, project):
    a = make(ms, project, "A", date(2026, 11, 1), date(2026, 11, 3))
    b = make(ms, project, "B", date(2026, 11, 4), date(2026, 11, 6))
    c = make(ms, project, "C", None, date(2026, 11, 7))
    d = make(ms, project, "D")  # no dates: stays
    actions.do_add_dependency(actor=ms, source=a, target=b)
    actions.do_add_dependency(actor=ms, source=b, target=c)
    actions.do_add_dependency(actor=ms, source=a, target=d)
    changed = actions.do_reschedule(
        actor=ms,
        item=a,
        start=date(2026, 11, 5),
        due=date(2026, 11, 8),
        version=a.version,
        shift_dependents=True,
    )
    assert [i.ref for i in changed] == ["D11-1", "D11-2", "D11-3"]
    b.refresh_from_db()
    c.refresh_from_db()
    d.refresh_from_db()
    assert (b.start_date, b.due_date) == (date(2026, 11, 9), date(2026, 11, 11))
    assert (c.start_date, c.due_date) == (None, date(2026, 11, 12))
    assert (d.start_date, d.due_date) == (None, None)
    assert Activity.objects.filter(item=b, field="start_date").count() == 1
    assert Activity.objects.filter(item=c, field="due_date").count() == 1


def test_reschedule_without_shift_and_with_stale_version(ms, project):
    a = make(ms, project, "A", date(2026, 11, 1), date(2026, 11, 3))
    b = make(ms, project, "B", date(2026, 11, 4), date(2026, 11, 6))
    actions.do_add_dependency(actor=ms, source=a, target=b)
    stale = a.version
    work_actions.do_update_item(actor=ms, item=a, data=ItemPatch(title="A2"))
    with pytest.raises(Conflict):
        actions.do_reschedule(
            actor=ms, item=a, start=date(2026, 11, 2), due=date(2026, 11, 9), version=stale
        )
    a.refresh_from_db()
    changed = actions.do_reschedule(
        actor=ms, item=a, start=date(2026, 11, 2), due=date(2026, 11, 9), version=a.version
    )
    assert [i.ref for i in changed] == ["D11-1"]
    assert Item.objects.get(pk=b.pk).start_date == date(2026, 11, 4)


def test_milestones_create_update_items_delete(ms, project, workspace, guest):
    a, b = make(ms, project, "A"), make(ms, project, "B")
    milestone = actions.do_create_milestone(
        actor=ms, project=project, data=MilestoneIn(name="预热", date=date(2026, 11, 1))
    )
    actions.do_set_milestone_items(actor=ms, milestone=milestone, refs=["D11-1", "2"])
    assert sorted(milestone.items.values_list("number", flat=True)) == [1, 2]
    actions.do_update_milestone(
        actor=ms, milestone=milestone, data=MilestonePatch(name="正式", item_refs=[b.ref])
    )
    milestone.refresh_from_db()
    assert milestone.name == "正式"
    assert list(milestone.items.all()) == [b]
    with pytest.raises(Invalid):
        actions.do_set_milestone_items(actor=ms, milestone=milestone, refs=["D11-99"])
    work_actions.do_add_project_member(actor=ms, project=project, user_id=guest.pk)
    with pytest.raises(Forbidden):
        actions.do_delete_milestone(actor=membership_of(guest, workspace), milestone=milestone)
    actions.do_delete_milestone(actor=ms, milestone=milestone)
    assert not project.milestones.exists()
    assert a.pk
