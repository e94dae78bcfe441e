"""Bulk edit: one activity per changed field per item, all or nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from opsloop.core.errors import Conflict, Forbidden, Invalid
from opsloop.work import actions
from opsloop.work.models import Activity, Item, State
from opsloop.work.schemas import BulkChanges, CustomFieldIn, ItemIn, ItemPatch, LabelIn, ProjectIn
from tests.conftest import PASSWORD, ApiClient, membership_of


@pytest.fixture
def actor(owner, workspace):
    return membership_of(owner, workspace)


@pytest.fixture
def three(actor, project):
    return [
        actions.do_create_item(
            actor=actor, project=project, data=ItemIn(title=f"任务{i}", due_date="2026-11-0" + str(i + 1))
        )
        for i in range(3)
    ]  # fmt: skip


def test_bulk_changes_each_item_with_its_own_activity(actor, project, three, member, workspace):
    label = actions.do_create_label(actor=actor, data=LabelIn(name="大促"))
    field = actions.do_create_field(
        actor=actor, project=project, data=CustomFieldIn(name="预算", type="number")
    )
    doing = State.objects.get(project=project, group="in_progress")
    changed = actions.do_bulk_update_items(
        actor=actor,
        project=project,
        refs=[i.ref for i in three],
        changes=BulkChanges(
            state_id=doing.pk,
            add_assignee_ids=[member.pk],
            add_label_ids=[label.pk],
            shift_days=7,
            custom_fields={str(field.pk): 100},
        ),
    )  # fmt: skip
    assert len(changed) == 3
    for item in Item.objects.filter(pk__in=[i.pk for i in three]):
        assert item.state == doing and item.version == 2
        assert list(item.assignees.values_list("username", flat=True)) == ["member"]
        fields = sorted(
            Activity.objects.filter(item=item, verb="updated").values_list("field", flat=True)
        )
        assert fields == ["assignees", "cf:预算", "due_date", "labels", "state"]
    assert Item.objects.get(pk=three[0].pk).due_date.isoformat() == "2026-11-08"


def test_bulk_is_all_or_nothing(actor, project, three, workspace, guest, owner):
    other = actions.do_create_project(actor=actor, data=ProjectIn(name="别的", key="OTH"))
    foreign = actions.do_create_item(actor=actor, project=other, data=ItemIn(title="外"))
    with pytest.raises(Invalid) as exc:
        actions.do_bulk_update_items(
            actor=actor, project=project, refs=[three[0].ref, foreign.ref], changes=BulkChanges(priority="high")
        )  # fmt: skip
    assert exc.value.field == "refs"
    # The last item's dates refuse the change: the first two stay as they were.
    actions.do_update_item(actor=actor, item=three[2], data=ItemPatch(start_date="2026-11-03"))
    with pytest.raises(Invalid) as exc:
        actions.do_bulk_update_items(
            actor=actor, project=project, refs=[i.ref for i in three], changes=BulkChanges(priority="high", due_date="2026-11-02")
        )  # fmt: skip
    assert three[2].ref in exc.value.message
    assert not Item.objects.filter(priority=3).exists()
    actions.do_add_project_member(actor=actor, project=project, user_id=guest.pk)
    with pytest.raises(Forbidden):
        actions.do_bulk_update_items(
            actor=membership_of(guest, workspace), project=project, refs=[three[0].ref], changes=BulkChanges(priority="high")
        )  # fmt: skip
    with pytest.raises(Invalid):
        actions.do_bulk_update_items(
            actor=actor, project=project, refs=[three[0].ref], changes=BulkChanges()
        )


def test_stale_versions_refuse_the_whole_batch(actor, project, three, owner):
    actions.do_update_item(actor=actor, item=three[1], data=ItemPatch(title="别人改了"))
    versions = {i.ref: 1 for i in three}
    with pytest.raises(Conflict) as exc:
        actions.do_bulk_update_items(
            actor=actor, project=project, refs=list(versions), changes=BulkChanges(priority="low"), versions=versions
        )  # fmt: skip
    assert exc.value.data == {"current_versions": {three[1].ref: 2}}
    assert not Item.objects.filter(priority=1).exists()
    response = ApiClient(owner).post(
        "/api/v1/workspaces/acme/projects/D11/items/bulk",
        {"refs": list(versions), "changes": {"priority": "low"}, "versions": versions},
    )
    assert response.status_code == 409 and response.json()["current_versions"] == {three[1].ref: 2}
    ok = ApiClient(owner).post(
        "/api/v1/workspaces/acme/projects/D11/items/bulk",
        {"refs": [three[0].ref], "changes": {"priority": "low"}},
    )
    assert ok.status_code == 200 and ok.json()[0]["priority"] == "low"


def test_bulk_bar_on_the_list_page(project, three, owner, member):
    client = Client()
    assert client.login(username=owner.username, password=PASSWORD)
    page = client.get("/w/acme/p/D11/").content.decode()
    assert 'id="bulk-form"' in page and 'data-testid="pick-all"' in page
    done = State.objects.get(project=project, group="done")
    response = client.post(
        "/w/acme/p/D11/items/bulk/",
        {"refs": [i.ref for i in three], "state_id": done.pk, "assignee_mode": "replace", "assignee_id": member.pk, "query": "sort=title"},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"].endswith("?sort=title")
    assert Item.objects.filter(state=done).count() == 3
    assert set(Item.objects.values_list("assignees__username", flat=True)) == {"member"}
