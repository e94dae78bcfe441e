"""Reads: query counts that do not grow with comments, replies and reactions."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from opsloop.collab import actions, queries
from opsloop.core.models import Role
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ItemPatch
from tests.conftest import PASSWORD, ApiClient, add_member, membership_of


def grow(workspace, owner_ms, item, project, n: int) -> None:
    """n comments on the item and on the project, each with a reply, two reactions, an
    edit, and a change to the item between them."""
    people = [
        membership_of(add_member(workspace, f"p{n}_{i}", Role.MEMBER), workspace) for i in range(2)
    ]
    for i in range(n):
        for target in ({"item": item}, {"project": project}):
            top = actions.do_add_comment(actor=owner_ms, body=f"评论 {i} @p{n}_0 #D11-1", **target)
            actions.do_add_comment(actor=people[0], body="回复", parent_id=top.pk, **target)
            for person in people:
                actions.do_react(actor=person, comment=top, emoji="👍")
            actions.do_edit_comment(actor=owner_ms, comment=top, body=f"改 {i}")
        work_actions.do_update_item(actor=owner_ms, item=item, data=ItemPatch(progress=i + 1))


def count(fn) -> int:
    """Queries fn makes, leaving out those of the files app's attachments tag under each
    comment: that tag is the files app's, which pins its own queries."""
    with CaptureQueriesContext(connection) as captured:
        fn()
    return sum(1 for q in captured.captured_queries if '"files_' not in q["sql"])


@pytest.fixture
def owner_client(owner):
    client = Client()
    client.login(username="owner", password=PASSWORD)
    return client


def test_item_page_query_count_does_not_grow(workspace, owner_ms, item, project, owner_client):
    grow(workspace, owner_ms, item, project, 2)
    small = count(lambda: owner_client.get("/w/acme/i/D11-1/"))
    grow(workspace, owner_ms, item, project, 6)
    responses = []
    assert count(lambda: responses.append(owner_client.get("/w/acme/i/D11-1/"))) <= small
    assert responses[0].content.decode().count('data-testid="comment"') == 16


def test_project_activity_query_count_does_not_grow(
    workspace, owner_ms, item, project, owner_client
):
    grow(workspace, owner_ms, item, project, 2)
    small = count(lambda: owner_client.get("/w/acme/p/D11/activity/"))
    grow(workspace, owner_ms, item, project, 8)
    responses = []
    assert count(lambda: responses.append(owner_client.get("/w/acme/p/D11/activity/"))) <= small
    assert responses[0].content.decode().count('data-testid="comment"') == 20


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/workspaces/acme/items/D11-1/timeline",
        "/api/v1/workspaces/acme/projects/D11/activity",
        "/api/v1/workspaces/acme/items/D11-1/comments",
        "/api/v1/workspaces/acme/projects/D11/comments",
    ],
)
def test_api_lists_query_count_does_not_grow(
    workspace, owner, owner_ms, item, project, path, django_assert_max_num_queries
):
    api = ApiClient(owner)
    grow(workspace, owner_ms, item, project, 2)
    small = count(lambda: api.get(path))
    grow(workspace, owner_ms, item, project, 6)
    with django_assert_max_num_queries(small):
        assert api.get(path).status_code == 200


def test_timeline_loads_in_a_fixed_number_of_queries(
    workspace, owner_ms, item, project, django_assert_num_queries
):
    grow(workspace, owner_ms, item, project, 3)
    thread = queries.Thread(owner_ms, project, item=item)
    # keys (union), count, comments, replies, reactions, versions, changes
    with django_assert_num_queries(7):
        page = queries.item_timeline(thread, per_page=100)
    assert [e.kind for e in page.entries].count("comment") == 3
    first = next(e.comment for e in page.entries if e.comment is not None)
    assert len(first.reply_list) == 1 and first.reaction_list[0].count == 2
    assert [v.body for v in first.version_list] == ["评论 0 @p3_0 #D11-1"]


def test_search_mentionable_matches_prefixes_only_among_members_who_see(
    workspace, project, zhang, stranger
):
    assert [u.username for u in queries.search_mentionable(project, "张")] == ["zhangmin"]
    assert [u.username for u in queries.search_mentionable(project, "敏")] == []
    assert queries.search_mentionable(project, "stran") == []
    assert len(queries.search_mentionable(project, "")) == 2  # owner and 张敏
