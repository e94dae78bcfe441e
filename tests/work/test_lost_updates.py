"""Two people change different fields of one item at the same moment: both changes stay.

An action reads its item when the request starts; if it saved that copy whole, the
other request's change made in between would be put back (a lost update). Run on SQLite
and on PostgreSQL, with real commits and a connection per request."""

from __future__ import annotations

import pytest

from opsloop.core.errors import Conflict
from opsloop.work import actions
from opsloop.work.models import Activity, Item
from opsloop.work.schemas import ItemPatch
from tests.conftest import ApiClient, membership_of
from tests.interleave import first_reads_second_writes

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
    first, second = ApiClient(owner), ApiClient(owner)
    url = f"{W}/items/{item.ref}"

    title, priority = first_reads_second_writes(
        monkeypatch,
        actions,
        "do_update_item",
        lambda: first.patch(url, {"title": "海报定稿"}),
        lambda: second.patch(url, {"priority": "urgent", "due_date": "2026-11-10"}),
    )

    assert (title.status_code, priority.status_code) == (200, 200), (title.json(), priority.json())
    saved = first.get(url).json()
    assert (saved["title"], saved["priority"], saved["due_date"]) == (
        "海报定稿",
        "urgent",
        "2026-11-10",
    )
    assert saved["version"] == 3
    # The answer to request one shows the item as it is, with request two's change.
    assert (title.json()["priority"], title.json()["version"]) == ("urgent", 3)
