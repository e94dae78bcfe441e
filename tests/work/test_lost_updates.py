"""Two people change different fields of one item at the same moment: both changes stay.

An action reads its item when the request starts; if it saved that copy whole, the
other request's change made in between would be put back (a lost update). Run on SQLite
and on PostgreSQL, with real commits and a connection per request."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from django.db import transaction

from opsloop.core.errors import Conflict
from opsloop.core.models import Role
from opsloop.work import actions
from opsloop.work.actions import bulk
from opsloop.work.models import Activity, Item
from opsloop.work.schemas import ItemPatch, LabelIn
from tests.conftest import ApiClient, add_member, membership_of
from tests.interleave import first_reads_second_writes, two_patches_at_once

W = "/api/v1/workspaces/acme"


def test_a_stale_copy_does_not_put_back_what_changed_since(item, owner, workspace):
    actor = membership_of(owner, workspace)
    stale = Item.objects.select_related("project", "state").get(pk=item.pk)
    fresh = Item.objects.select_related("project", "state").get(pk=item.pk)
    actions.do_update_item(actor=actor, item=fresh, data=ItemPatch(priority="urgent"))

    actions.do_update_item(actor=actor, item=stale, data=ItemPatch(title="海报定稿"))

    saved = Item.objects.get(pk=item.pk)
    assert (saved.title, saved.priority_name, saved.version) == (
        "海报定稿",
        "urgent",
        3,
    )
    # What the second change records is measured against the row as it was then.
    fields = list(
        Activity.objects.filter(item=item, verb="updated").values_list("field", flat=True)
    )
    assert sorted(fields) == ["priority", "title"]


def test_a_stale_copy_sees_the_current_version(item, owner, workspace):
    actor = membership_of(owner, workspace)
    stale = Item.objects.select_related("project", "state").get(pk=item.pk)
    actions.do_update_item(
        actor=actor, item=Item.objects.get(pk=item.pk), data=ItemPatch(title="第二版")
    )
    with pytest.raises(Conflict):
        actions.do_update_item(actor=actor, item=stale, data=ItemPatch(title="旧", version=1))
    assert Item.objects.get(pk=item.pk).title == "第二版"


@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_keep_both_changes(monkeypatch, item, owner):
    """Request one has read the item when request two changes its priority and commits;
    request one then changes the title. Both stay, and the version counts both."""
    answer, saved = two_patches_at_once(
        monkeypatch,
        owner,
        actions,
        "do_update_item",
        f"{W}/items/{item.ref}",
        {"title": "海报定稿"},
        {"priority": "urgent", "due_date": "2026-11-10"},
    )

    assert (saved["title"], saved["priority"], saved["due_date"]) == (
        "海报定稿",
        "urgent",
        "2026-11-10",
    )
    assert saved["version"] == 3
    # The answer to request one shows the item as it is, with request two's change.
    assert (answer["priority"], answer["version"]) == ("urgent", 3)


@pytest.mark.django_db(transaction=True)
def test_a_bulk_edit_works_from_the_items_as_they_are_when_it_writes(
    monkeypatch, item, owner, workspace
):
    """Request one, a bulk edit, has done all it does before its transaction begins when
    request two sets the item's due date, labels and assignees and commits. Request one's
    shift moves the new due date, and what it adds joins what request two set: the dates,
    labels and people it writes come from the item as it is then, not as request one first
    read it."""
    actor = membership_of(owner, workspace)
    lin = add_member(workspace, "lin", Role.MEMBER)
    wang = add_member(workspace, "wang", Role.MEMBER)
    sale, urgent, launch = (
        actions.do_create_label(actor=actor, data=LabelIn(name=name))
        for name in ("大促", "加急", "新品")
    )
    actions.do_update_item(
        actor=actor,
        item=item,
        data=ItemPatch(
            start_date=date(2026, 11, 2),
            due_date=date(2026, 11, 5),
            label_ids=[sale.pk],
            assignee_ids=[owner.pk],
        ),
    )
    # Request one stops where the bulk edit opens its transaction.
    opening = SimpleNamespace(atomic=transaction.atomic)
    monkeypatch.setattr(bulk, "transaction", opening)
    first, second = ApiClient(owner), ApiClient(owner)
    url = f"{W}/items/{item.ref}"

    shifted, changed = first_reads_second_writes(
        monkeypatch,
        opening,
        "atomic",
        lambda: first.post(
            f"{W}/projects/D11/items/bulk",
            {
                "refs": [item.ref],
                "changes": {
                    "shift_days": 2,
                    "add_label_ids": [urgent.pk],
                    "add_assignee_ids": [lin.pk],
                },
            },
        ),
        lambda: second.patch(
            url,
            {
                "due_date": "2026-11-10",
                "label_ids": [sale.pk, launch.pk],
                "assignee_ids": [owner.pk, wang.pk],
            },
        ),
    )

    assert (shifted.status_code, changed.status_code) == (200, 200), (
        shifted.json(),
        changed.json(),
    )
    for saved in (first.get(url).json(), shifted.json()[0]):
        assert (saved["start_date"], saved["due_date"]) == ("2026-11-04", "2026-11-12")
        assert sorted(label["name"] for label in saved["labels"]) == sorted(
            ["大促", "新品", "加急"]
        )
        assert sorted(person["username"] for person in saved["assignees"]) == sorted(
            ["owner", "wang", "lin"]
        )
        assert saved["version"] == 4
