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


# --- replies, versions, reactions


def test_replies_are_nested_under_their_top_comment(api, item, member):
    top = api.post(C, {"body": "顶楼"}).json()
    reply = ApiClient(member).post(C, {"body": "二楼", "parent_id": top["id"]}).json()
    deeper = api.post(C, {"body": "三楼", "parent_id": reply["id"]}).json()
    assert reply["parent_id"] == deeper["parent_id"] == top["id"]
    [listed] = api.get(C).json()
    assert [r["body"] for r in listed["replies"]] == ["二楼", "三楼"]
    response = api.post(C, {"body": "x", "parent_id": 987654})
    assert response.status_code == 400 and response.json()["field"] == "parent_id"


def test_versions_and_reactions_of_a_comment(api, item, member):
    comment = api.post(C, {"body": "一稿"}).json()
    api.patch(f"{C}/{comment['id']}", {"body": "二稿"})
    versions = api.get(f"{C}/{comment['id']}/versions").json()
    assert [v["body"] for v in versions] == ["一稿"]
    assert versions[0]["replaced_by"]["username"] == "owner"
    assert api.get(C).json()[0]["edited_at"] is not None

    reactions = ApiClient(member).post(f"{C}/{comment['id']}/reactions", {"emoji": "👍"}).json()
    assert [(r["emoji"], r["count"]) for r in reactions] == [("👍", 1)]
    assert reactions[0]["users"][0]["username"] == "member"
    api.post(f"{C}/{comment['id']}/reactions", {"emoji": "👍"})
    listed = api.get(C).json()[0]["reactions"]
    assert listed[0]["count"] == 2
    assert api.delete(f"{C}/{comment['id']}/reactions/👍").status_code == 204
    assert api.get(C).json()[0]["reactions"][0]["count"] == 1
    bad = api.post(f"{C}/{comment['id']}/reactions", {"emoji": "<b>"})
    assert bad.status_code == 400 and bad.json()["field"] == "emoji"


def test_a_deleted_comment_with_replies_stays_as_deleted(api, item, member):
    top = api.post(C, {"body": "会被删除的内容"}).json()
    ApiClient(member).post(C, {"body": "回复", "parent_id": top["id"]})
    assert api.delete(f"{C}/{top['id']}").status_code == 204
    [listed] = api.get(C).json()
    assert listed["deleted"] is True and listed["body"] == "" and listed["author"] is None
    assert "会被删除的内容" not in api.get(f"{W}/items/D11-1/timeline").content.decode()
    assert api.patch(f"{C}/{top['id']}", {"body": "复活"}).status_code == 404


# --- project comments, timelines, mentionable


P = f"{W}/projects/D11"


def test_project_comments_and_any_comment_of_the_project_by_id(api, item):
    project_comment = api.post(f"{P}/comments", {"body": "项目周报"}).json()
    item_comment = api.post(C, {"body": "任务评论"}).json()
    assert [c["body"] for c in api.get(f"{P}/comments").json()] == ["项目周报"]
    # Edited and reacted to through the project, whatever it is on.
    for comment in (project_comment, item_comment):
        url = f"{P}/comments/{comment['id']}"
        assert api.patch(url, {"body": "改"}).status_code == 200
        assert api.post(url + "/reactions", {"emoji": "✅"}).status_code == 200
    # An item's routes do not reach a project comment.
    assert api.patch(f"{C}/{project_comment['id']}", {"body": "x"}).status_code == 404


def test_item_timeline_interleaves_comments_and_changes(api, item):
    api.post(C, {"body": "先评论"})
    api.patch(f"{W}/items/D11-1", {"priority": "high"})
    api.post(C, {"body": "后评论"})
    timeline = api.get(f"{W}/items/D11-1/timeline").json()
    kinds = [
        (e["type"], e["comment"]["body"] if e["comment"] else e["change"]["verb"])
        for e in timeline["results"]
    ]
    assert kinds == [
        ("change", "created"),
        ("comment", "先评论"),
        ("change", "updated"),
        ("comment", "后评论"),
    ]
    second = api.get(f"{W}/items/D11-1/timeline", {"page": 2, "per_page": 3}).json()
    assert second["count"] == 4 and second["pages"] == 2
    assert [e["type"] for e in second["results"]] == ["comment"]
    bad = api.get(f"{W}/items/D11-1/timeline", {"per_page": 500})
    assert bad.status_code == 400 and bad.json()["field"] == "per_page"


def test_project_activity_is_newest_first_with_item_refs(api, item):
    api.post(f"{P}/comments", {"body": "项目评论"})
    api.patch(f"{W}/items/D11-1", {"title": "改标题"})
    activity = api.get(f"{P}/activity").json()
    first, second = activity["results"][:2]
    assert first["type"] == "change" and first["change"]["item_ref"] == "D11-1"
    assert first["change"]["new_value"] == "改标题"
    assert second["comment"]["body"] == "项目评论"
    assert activity["results"][-1]["change"]["item_ref"] is None  # the project's creation


def test_mentionable_finds_members_by_username_or_chinese_name(api, workspace, project):
    from opsloop.core.models import Membership
    from tests.conftest import make_user

    zhang = make_user("zhangmin", display_name="张敏")
    Membership.objects.create(workspace=workspace, user=zhang, role="member")
    make_user("zhangwei", display_name="张伟")  # not a member
    assert [u["username"] for u in api.get(f"{P}/mentionable", {"q": "张"}).json()] == ["zhangmin"]
    assert [u["label"] for u in api.get(f"{P}/mentionable", {"q": "zhang"}).json()] == ["张敏"]
    assert api.get(f"{P}/mentionable", {"q": "@zh"}).json()[0]["username"] == "zhangmin"


def test_mentionable_leaves_out_who_cannot_see_a_private_project(api, workspace, owner, member):
    api.post(f"{W}/projects", {"name": "保密", "key": "SEC", "visibility": "private"})
    names = [u["username"] for u in api.get(f"{W}/projects/SEC/mentionable").json()]
    assert names == ["owner"]


# --- discussions


D = f"{P}/discussions"


def test_discussion_lifecycle(api, project, member):
    created = api.post(D, {"title": "双十一复盘", "body": "先列问题"})
    assert created.status_code == 201
    discussion = created.json()
    assert discussion["post_count"] == 1 and discussion["closed"] is False
    one = f"{D}/{discussion['id']}"
    ApiClient(member).post(f"{one}/posts", {"body": "物流"})
    posts = api.get(f"{one}/posts").json()
    assert [p["body"] for p in posts] == ["先列问题", "物流"]
    assert api.get(one).json()["post_count"] == 2
    assert api.patch(one, {"closed": True}).json()["closed"] is True
    refused = ApiClient(member).post(f"{one}/posts", {"body": "晚了"})
    assert refused.status_code == 409
    listing = api.get(D, {"closed": "false"}).json()
    assert listing["count"] == 0
    assert api.get(D).json()["results"][0]["title"] == "双十一复盘"
    assert api.delete(one).status_code == 204
    assert api.get(one).status_code == 404
    assert api.get(f"{D}/987654/posts").status_code == 404
