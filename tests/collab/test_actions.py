"""Comments, replies, versions, reactions, mentions, notifications and discussions."""

from __future__ import annotations

import pytest

from opsloop.collab import actions
from opsloop.collab.models import Comment, CommentVersion, Discussion, Reaction
from opsloop.core.errors import Conflict, Forbidden, Invalid
from opsloop.core.models import Role
from opsloop.inbox.actions import do_watch
from opsloop.inbox.models import Notification, Watch
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ItemIn, ProjectIn, ProjectPatch
from tests.conftest import add_member, membership_of


def notes(user, kind=None):
    rows = Notification.objects.filter(recipient=user)
    return list(rows.filter(kind=kind) if kind else rows)


def test_a_reply_to_a_reply_joins_the_top_comment(owner_ms, member_ms, item):
    top = actions.do_add_comment(actor=owner_ms, item=item, body="海报初稿")
    reply = actions.do_add_comment(actor=member_ms, item=item, body="收到", parent_id=top.pk)
    deeper = actions.do_add_comment(actor=owner_ms, item=item, body="好", parent_id=reply.pk)
    assert reply.parent_id == top.pk
    assert deeper.parent_id == top.pk


def test_a_reply_must_be_to_a_comment_of_the_same_thread(owner_ms, item, project):
    elsewhere = actions.do_add_comment(actor=owner_ms, project=project, body="项目层面")
    with pytest.raises(Invalid) as exc:
        actions.do_add_comment(actor=owner_ms, item=item, body="x", parent_id=elsewhere.pk)
    assert exc.value.field == "parent_id"
    assert Comment.objects.count() == 1


def test_edits_keep_every_earlier_body(owner_ms, item):
    comment = actions.do_add_comment(actor=owner_ms, item=item, body="第一版")
    actions.do_edit_comment(actor=owner_ms, comment=comment, body="第二版")
    actions.do_edit_comment(actor=owner_ms, comment=comment, body="第三版")
    comment.refresh_from_db()
    assert comment.body == "第三版" and comment.edited_at is not None
    versions = list(CommentVersion.objects.filter(comment=comment))
    assert [v.body for v in versions] == ["第二版", "第一版"]
    assert versions[0].replaced_by == owner_ms.user
    # Saving the same text is not an edit.
    actions.do_edit_comment(actor=owner_ms, comment=comment, body="第三版")
    assert CommentVersion.objects.filter(comment=comment).count() == 2


def test_only_the_author_edits(owner_ms, member_ms, workspace, admin_user, item):
    comment = actions.do_add_comment(actor=member_ms, item=item, body="原文")
    for other in (owner_ms, membership_of(admin_user, workspace)):
        with pytest.raises(Forbidden):
            actions.do_edit_comment(actor=other, comment=comment, body="改写")
    assert Comment.objects.get(pk=comment.pk).body == "原文"


def test_deleting_a_comment_with_replies_keeps_the_thread(owner_ms, member_ms, item):
    top = actions.do_add_comment(actor=owner_ms, item=item, body="要删的原文")
    actions.do_edit_comment(actor=owner_ms, comment=top, body="要删的改文")
    actions.do_react(actor=member_ms, comment=top, emoji="👍")
    reply = actions.do_add_comment(actor=member_ms, item=item, body="回复", parent_id=top.pk)
    actions.do_delete_comment(actor=owner_ms, comment=top)
    top.refresh_from_db()
    assert top.is_deleted and top.body == "" and top.body_html == ""
    assert not CommentVersion.objects.filter(comment=top).exists()
    assert not Reaction.objects.filter(comment=top).exists()
    # The last reply gone, nothing holds the deleted comment any more.
    actions.do_delete_comment(actor=member_ms, comment=reply)
    assert not Comment.objects.exists()


def test_author_or_admin_deletes(workspace, owner_ms, member_ms, admin_user, item):
    other = membership_of(add_member(workspace, "member2", Role.MEMBER), workspace)
    comment = actions.do_add_comment(actor=member_ms, item=item, body="一")
    with pytest.raises(Forbidden):
        actions.do_delete_comment(actor=other, comment=comment)
    actions.do_delete_comment(actor=membership_of(admin_user, workspace), comment=comment)
    assert not Comment.objects.exists()


def test_reactions_toggle_once_per_person(owner_ms, member_ms, item):
    comment = actions.do_add_comment(actor=owner_ms, item=item, body="上线了")
    actions.do_react(actor=member_ms, comment=comment, emoji="🎉")
    actions.do_react(actor=member_ms, comment=comment, emoji="🎉")
    actions.do_react(actor=owner_ms, comment=comment, emoji="🎉")
    assert Reaction.objects.filter(comment=comment, emoji="🎉").count() == 2
    assert actions.do_toggle_reaction(actor=member_ms, comment=comment, emoji="🎉") is False
    assert actions.do_toggle_reaction(actor=member_ms, comment=comment, emoji="👀") is True
    assert set(Reaction.objects.values_list("emoji", flat=True)) == {"👀", "🎉"}
    with pytest.raises(Invalid) as exc:
        actions.do_react(actor=member_ms, comment=comment, emoji="💩")
    assert exc.value.field == "emoji"


# --- mentions and notifications


def test_a_mention_links_the_member_and_notifies_them(owner_ms, item, zhang):
    comment = actions.do_add_comment(actor=owner_ms, item=item, body="@zhangmin 请确认尺寸")
    assert 'class="mention"' in comment.body_html
    assert "@张敏" in comment.body_html
    assert f"?assignee={zhang.pk}" in comment.body_html
    [note] = notes(zhang)
    assert note.kind == "mentioned"
    assert "王总" in note.title and "D11-1" in note.title
    assert note.url.endswith(f"/w/acme/i/D11-1/#comment-{comment.pk}")
    assert Watch.objects.filter(user=zhang, item=item, reason="mentioned").exists()


def test_watchers_hear_of_comments_and_the_mentioned_only_once(
    owner_ms, member_ms, member, item, project, zhang
):
    do_watch(user=member, project=project, item=item)
    do_watch(user=zhang, project=project)
    actions.do_add_comment(actor=owner_ms, item=item, body="进度如何？@zhangmin")
    assert [n.kind for n in notes(member)] == ["commented"]
    assert [n.kind for n in notes(zhang)] == ["mentioned"]
    assert notes(owner_ms.user) == []
    # The commenter now watches the item and hears of the next comment.
    assert Watch.objects.filter(user=owner_ms.user, item=item).exists()
    actions.do_add_comment(actor=member_ms, item=item, body="明天交付")
    assert [n.kind for n in notes(owner_ms.user)] == ["commented"]
    assert notes(member) == notes(member, "commented")  # not told of their own comment


def test_mentions_of_people_who_cannot_see_notify_nobody_and_leak_nothing(
    workspace, owner_ms, member, stranger, guest
):
    owner = owner_ms.user
    secret = work_actions.do_create_project(
        actor=owner_ms, data=ProjectIn(name="保密", key="SEC", visibility="private")
    )
    item = work_actions.do_create_item(actor=owner_ms, project=secret, data=ItemIn(title="预算"))
    member.display_name = "小成员"
    member.save()
    guest.display_name = "代理商"
    guest.save()
    comment = actions.do_add_comment(
        actor=owner_ms, item=item, body="@stranger @member @guest @nobody 看一下"
    )
    for name in ("局外人", "小成员", "代理商"):
        assert name not in comment.body_html
    assert "mention" not in comment.body_html
    assert comment.body_html == "<p>@stranger @member @guest @nobody 看一下</p>\n"
    for user in (stranger, member, guest):
        assert notes(user) == []
    assert not Notification.objects.exclude(recipient=owner).filter(item=item).exists()
    assert all(
        "局外人" not in n.title + n.excerpt and "小成员" not in n.title + n.excerpt
        for n in Notification.objects.all()
    )
    assert not Watch.objects.filter(user__in=[stranger, member, guest]).exists()


def test_a_watcher_who_lost_sight_of_the_project_hears_nothing(owner_ms, member, project, item):
    do_watch(user=member, project=project, item=item)
    work_actions.do_update_project(
        actor=owner_ms, project=project, data=ProjectPatch(visibility="private")
    )
    actions.do_add_comment(actor=owner_ms, item=item, body="内部")
    assert notes(member) == []


def test_an_edit_tells_only_the_newly_mentioned(owner_ms, member, item, zhang):
    comment = actions.do_add_comment(actor=owner_ms, item=item, body="@zhangmin 看看")
    actions.do_edit_comment(actor=owner_ms, comment=comment, body="@zhangmin @member 看看")
    assert len(notes(zhang, "mentioned")) == 1
    assert len(notes(member, "mentioned")) == 1


def test_item_references_link_only_items_the_writer_can_see(workspace, owner_ms, member_ms, item):
    secret = work_actions.do_create_project(
        actor=owner_ms, data=ProjectIn(name="保密", key="SEC", visibility="private")
    )
    work_actions.do_create_item(actor=owner_ms, project=secret, data=ItemIn(title="机密预算"))
    comment = actions.do_add_comment(
        actor=member_ms, item=item, body="见 #D11-1、#D11-99 与 #SEC-1"
    )
    assert '<a href="/w/acme/i/D11-1/" class="ref"' in comment.body_html
    assert ">#D11-1</a>" in comment.body_html
    assert "#D11-99" in comment.body_html and "/i/D11-99/" not in comment.body_html
    assert "/i/SEC-1/" not in comment.body_html and "机密预算" not in comment.body_html
    # The owner sees SEC: the same text links it for them, by its reference only.
    mine = actions.do_add_comment(actor=owner_ms, item=item, body="#SEC-1")
    assert "/w/acme/i/SEC-1/" in mine.body_html and "机密预算" not in mine.body_html


# --- project comments and discussions


def test_project_comments_tell_project_watchers(owner_ms, member, project):
    do_watch(user=member, project=project)
    comment = actions.do_add_comment(actor=owner_ms, project=project, body="本周复盘提前到周四")
    assert comment.item_id is None and comment.discussion_id is None
    [note] = notes(member)
    assert note.kind == "commented" and note.url.endswith(f"/p/D11/activity/#comment-{comment.pk}")


def test_a_discussion_counts_its_posts_and_tells_participants(
    owner_ms, member_ms, member, workspace, project, zhang
):
    discussion = actions.do_start_discussion(
        actor=owner_ms, project=project, title="双十一复盘", body="大家先写各自的问题"
    )
    assert discussion.post_count == 1
    actions.do_add_comment(actor=member_ms, discussion=discussion, body="物流延迟最多")
    # The starter hears of the post; the poster is now a participant.
    assert [n.kind for n in notes(owner_ms.user)] == ["discussion"]
    actions.do_add_comment(
        actor=membership_of(zhang, workspace),
        discussion=discussion,
        body="同意 @member",
    )
    assert sorted(n.kind for n in notes(member)) == ["mentioned"]
    assert len(notes(owner_ms.user, "discussion")) == 2
    discussion.refresh_from_db()
    assert discussion.post_count == 3
    assert discussion.last_post_at >= discussion.created_at


def test_a_closed_discussion_takes_no_posts(owner_ms, member_ms, project):
    discussion = actions.do_start_discussion(
        actor=owner_ms, project=project, title="预算", body="预算讨论"
    )
    with pytest.raises(Forbidden):
        actions.do_update_discussion(actor=member_ms, discussion=discussion, closed=True)
    actions.do_update_discussion(actor=owner_ms, discussion=discussion, closed=True)
    with pytest.raises(Conflict):
        actions.do_add_comment(actor=member_ms, discussion=discussion, body="还有一点")
    assert Comment.objects.filter(discussion=discussion).count() == 1


def test_guests_post_in_discussions_of_shared_projects(
    workspace, owner_ms, member_ms, guest, project
):
    work_actions.do_add_project_member(actor=owner_ms, project=project, user_id=guest.pk)
    guest_ms = membership_of(guest, workspace)
    discussion = actions.do_start_discussion(
        actor=guest_ms, project=project, title="素材交付", body="素材已上传"
    )
    actions.do_add_comment(actor=owner_ms, discussion=discussion, body="收到")
    with pytest.raises(Forbidden):
        actions.do_delete_discussion(actor=member_ms, discussion=discussion)
    actions.do_delete_discussion(actor=guest_ms, discussion=discussion)
    assert not Discussion.objects.exists() and not Comment.objects.exists()


def test_discussion_titles_are_required_and_bounded(owner_ms, project):
    for title in ("", "x" * 201):
        with pytest.raises(Invalid) as exc:
            actions.do_start_discussion(actor=owner_ms, project=project, title=title, body="b")
        assert exc.value.field == "title"
    with pytest.raises(Invalid) as exc:
        actions.do_start_discussion(actor=owner_ms, project=project, title="t", body=" ")
    assert exc.value.field == "body"
    assert not Discussion.objects.exists()
