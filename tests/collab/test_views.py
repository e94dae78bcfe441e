"""Pages: the item's comments, project activity, discussions, and one-comment actions."""

from __future__ import annotations

import pytest
from django.test import Client

from opsloop.collab import actions
from opsloop.collab.models import Comment, Discussion, Reaction
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ItemPatch, ProjectPatch
from tests.conftest import PASSWORD


def client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def owner_client(owner):
    return client_for(owner)


def test_item_page_shows_comments_replies_reactions_and_changes_in_order(
    owner_client, owner_ms, member_ms, item
):
    first = actions.do_add_comment(actor=owner_ms, item=item, body="**初稿**已上传")
    work_actions.do_update_item(actor=owner_ms, item=item, data=ItemPatch(priority="high"))
    actions.do_add_comment(actor=member_ms, item=item, body="回复一下", parent_id=first.pk)
    actions.do_react(actor=member_ms, comment=first, emoji="👍")
    actions.do_edit_comment(actor=owner_ms, comment=first, body="**二稿**已上传")
    body = owner_client.get("/w/acme/i/D11-1/").content.decode()
    assert "<strong>二稿</strong>" in body
    assert "<strong>初稿</strong>" in body  # in the edit history
    assert body.index("二稿") < body.index("回复一下") < body.index('→ <span class="new">')
    assert 'title="member"' in body and '👍 <span class="n">1</span>' in body
    assert 'id="comment-' in body and "collab.js" in body
    assert "{% attachments" not in body


def test_posting_a_comment_and_a_reply_from_the_item_page(owner_client, owner, item):
    response = owner_client.post("/w/acme/i/D11-1/comments/", {"body": "第一条"})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/w/acme/i/D11-1/#comment-{comment.pk}"
    owner_client.post("/w/acme/i/D11-1/comments/", {"body": "回复", "parent_id": comment.pk})
    assert Comment.objects.get(body="回复").parent_id == comment.pk


def test_an_empty_comment_is_refused_with_a_message(owner_client, item):
    response = owner_client.post("/w/acme/i/D11-1/comments/", {"body": "  "}, follow=True)
    assert not Comment.objects.exists()
    assert "Comment is required." in response.content.decode()


def test_edit_react_and_delete_from_the_page(owner_client, owner_ms, item):
    comment = actions.do_add_comment(actor=owner_ms, item=item, body="原文")
    url = f"/w/acme/comments/{comment.pk}/"
    owner_client.post(url, {"op": "edit", "body": "改过"})
    owner_client.post(url, {"op": "react", "emoji": "🚀"})
    comment.refresh_from_db()
    assert comment.body == "改过" and Reaction.objects.get().emoji == "🚀"
    owner_client.post(url, {"op": "react", "emoji": "🚀"})
    assert not Reaction.objects.exists()
    response = owner_client.post(url, {"op": "delete"})
    assert response["Location"] == "/w/acme/i/D11-1/#comments"
    assert not Comment.objects.exists()


def test_someone_elses_comment_cannot_be_edited_from_the_page(member, owner_ms, item):
    comment = actions.do_add_comment(actor=owner_ms, item=item, body="原文")
    response = client_for(member).post(
        f"/w/acme/comments/{comment.pk}/", {"op": "edit", "body": "改"}
    )
    assert response.status_code == 403
    assert Comment.objects.get().body == "原文"


def test_project_activity_interleaves_comments_and_changes_newest_first(
    owner_client, owner_ms, project, item
):
    actions.do_add_comment(actor=owner_ms, project=project, body="项目评论一")
    work_actions.do_update_item(actor=owner_ms, item=item, data=ItemPatch(title="新标题"))
    work_actions.do_update_project(actor=owner_ms, project=project, data=ProjectPatch(name="大促"))
    owner_client.post("/w/acme/p/D11/activity/", {"body": "项目评论二"})
    body = owner_client.get("/w/acme/p/D11/activity/").content.decode()
    assert 'data-testid="tab-activity"' in body
    markers = (
        "项目评论二",
        '<span class="new">大促',
        '<span class="new">新标题',
        "项目评论一",
    )
    positions = [body.index(s) for s in markers]
    assert positions == sorted(positions)
    assert 'href="/w/acme/i/D11-1/"' in body


def test_project_activity_pages(owner_client, owner_ms, project):
    for n in range(3):
        actions.do_add_comment(actor=owner_ms, project=project, body=f"评论{n}")
    assert owner_client.get("/w/acme/p/D11/activity/?page=0").status_code == 400
    body = owner_client.get("/w/acme/p/D11/activity/?page=1").content.decode()
    assert "评论2" in body


def test_discussions_list_new_and_thread(owner_client, member, project):
    response = owner_client.post(
        "/w/acme/p/D11/discussions/", {"title": "复盘会", "body": "请 @member 先说"}
    )
    discussion = Discussion.objects.get()
    assert response["Location"] == f"/w/acme/p/D11/discussions/{discussion.pk}/"
    listing = owner_client.get("/w/acme/p/D11/discussions/").content.decode()
    assert "复盘会" in listing and 'data-testid="tab-discussions"' in listing
    member_client = client_for(member)
    member_client.post(f"/w/acme/p/D11/discussions/{discussion.pk}/", {"body": "我先说"})
    page = member_client.get(f"/w/acme/p/D11/discussions/{discussion.pk}/").content.decode()
    assert "我先说" in page and 'class="mention"' in page
    owner_client.post(f"/w/acme/p/D11/discussions/{discussion.pk}/", {"op": "close"})
    assert "复盘会" not in owner_client.get("/w/acme/p/D11/discussions/").content.decode()
    closed = owner_client.get("/w/acme/p/D11/discussions/?state=closed").content.decode()
    assert "复盘会" in closed
    owner_client.post(f"/w/acme/p/D11/discussions/{discussion.pk}/", {"op": "delete"})
    assert not Discussion.objects.exists()


def test_a_bad_new_discussion_keeps_what_was_typed(owner_client, project):
    response = owner_client.post("/w/acme/p/D11/discussions/", {"title": "", "body": "正文保留"})
    assert response.status_code == 400
    assert "正文保留" in response.content.decode()
    assert not Discussion.objects.exists()


def test_a_member_cannot_close_someone_elses_discussion(member, owner_ms, project):
    discussion = actions.do_start_discussion(
        actor=owner_ms, project=project, title="预算", body="预算"
    )
    response = client_for(member).post(
        f"/w/acme/p/D11/discussions/{discussion.pk}/", {"op": "close"}
    )
    assert response.status_code == 403
    discussion.refresh_from_db()
    assert not discussion.closed
