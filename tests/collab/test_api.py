"""API of comments on work items."""

from __future__ import annotations

import pytest

from opsloop.collab.models import Comment
from opsloop.work import actions
from opsloop.work.schemas import ItemIn, ProjectIn
from tests.conftest import ApiClient, add_member, membership_of

W = "/api/v1/workspaces/acme"
C = f"{W}/items/D11-1/comments"


@pytest.fixture
def shared_with_guest(workspace, owner, project, guest):
    actions.do_add_project_member(
        actor=membership_of(owner, workspace), project=project, user_id=guest.pk
    )
    return project


def test_comment_list_add_edit_delete(api, item):
    response = api.post(C, {"body": "海报**第二版**已上传"})
    assert response.status_code == 201
    comment = response.json()
    assert comment["author"]["username"] == "owner"
    assert comment["body_html"] == "<p>海报<strong>第二版</strong>已上传</p>\n"

    assert [c["id"] for c in api.get(C).json()] == [comment["id"]]

    response = api.patch(f"{C}/{comment['id']}", {"body": "改为第三版"})
    assert response.status_code == 200
    assert response.json()["body"] == "改为第三版"
    assert Comment.objects.get(pk=comment["id"]).body_html == "<p>改为第三版</p>\n"

    assert api.delete(f"{C}/{comment['id']}").status_code == 204
    assert api.get(C).json() == []
    assert api.delete(f"{C}/{comment['id']}").status_code == 404


def test_comment_html_is_sanitized(api, item):
    body = '<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror="alert(1)">'
    html = api.post(C, {"body": body}).json()["body_html"]
    # Raw HTML stays text and the javascript: link stays unlinked.
    assert "<script" not in html
    assert "<img" not in html
    assert "href" not in html


@pytest.mark.parametrize("body", ["", "   ", "x" * 20_001])
def test_comment_body_is_required_and_bounded(api, item, body):
    response = api.post(C, {"body": body})
    assert response.status_code == 400
    assert response.json()["field"] == "body"
    assert not Comment.objects.exists()


def test_comments_are_listed_oldest_first(api, item, member):
    api.post(C, {"body": "一"})
    ApiClient(member).post(C, {"body": "二"})
    api.post(C, {"body": "三"})
    listed = api.get(C).json()
    assert [c["body"] for c in listed] == ["一", "二", "三"]
    assert [c["author"]["username"] for c in listed] == ["owner", "member", "owner"]


def test_only_the_author_edits(api, item, admin_user, member):
    comment = ApiClient(member).post(C, {"body": "原文"}).json()
    for other in (api, ApiClient(admin_user)):
        response = other.patch(f"{C}/{comment['id']}", {"body": "改写"})
        assert response.status_code == 403
    assert Comment.objects.get(pk=comment["id"]).body == "原文"


def test_author_or_admin_deletes(item, admin_user, member, workspace):
    other = ApiClient(add_member(workspace, "member2", "member"))
    first = ApiClient(member).post(C, {"body": "一"}).json()
    second = ApiClient(member).post(C, {"body": "二"}).json()
    assert other.delete(f"{C}/{first['id']}").status_code == 403
    assert ApiClient(member).delete(f"{C}/{first['id']}").status_code == 204
    assert ApiClient(admin_user).delete(f"{C}/{second['id']}").status_code == 204
    assert not Comment.objects.exists()


def test_guest_comments_on_a_shared_project(item, guest, shared_with_guest):
    client = ApiClient(guest)
    response = client.post(C, {"body": "代理商：素材已确认"})
    assert response.status_code == 201
    assert [c["body"] for c in client.get(C).json()] == ["代理商：素材已确认"]


def test_guest_cannot_reach_comments_of_an_unshared_project(api, item, guest):
    api.post(C, {"body": "内部讨论"})
    client = ApiClient(guest)
    for response in (client.get(C), client.post(C, {"body": "hi"})):
        assert response.status_code == 404
        assert "内部讨论" not in response.content.decode()
    assert Comment.objects.count() == 1


def test_comment_of_another_item_is_404(api, workspace, owner, project, item):
    other = actions.do_create_project(
        actor=membership_of(owner, workspace), data=ProjectIn(name="其他", key="OTH")
    )
    actions.do_create_item(
        actor=membership_of(owner, workspace), project=other, data=ItemIn(title="别处")
    )
    foreign = api.post(f"{W}/items/OTH-1/comments", {"body": "别处的评论"}).json()
    assert api.patch(f"{C}/{foreign['id']}", {"body": "x"}).status_code == 404
    assert api.delete(f"{C}/{foreign['id']}").status_code == 404
    assert Comment.objects.get(pk=foreign["id"]).body == "别处的评论"


def test_comments_go_with_their_item(api, item):
    api.post(C, {"body": "一"})
    api.delete(f"{W}/items/D11-1")
    assert not Comment.objects.exists()
