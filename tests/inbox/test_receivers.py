"""The work actions' signal makes watches and notifications: who hears what, in which language."""

from __future__ import annotations

from opsloop.core.models import Role
from opsloop.inbox.models import Notification, Watch
from opsloop.inbox.queries import is_watching
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ItemIn, ProjectIn
from tests.conftest import add_member, membership_of
from tests.inbox.conftest import state_of, update


def notes(user, kind=None):
    rows = Notification.objects.filter(recipient=user)
    return list(rows.filter(kind=kind) if kind else rows)


def test_creator_and_assignees_watch_a_new_item(workspace, project, zhang, li):
    item = work_actions.do_create_item(
        actor=membership_of(zhang, workspace),
        project=project,
        data=ItemIn(title="双11预热海报", assignee_ids=[li.pk]),
    )
    assert Watch.objects.get(user=zhang, item=item).reason == "created"
    assert Watch.objects.get(user=li, item=item).reason == "assigned"
    [note] = notes(li, "assigned")
    assert note.title == f"张敏 assigned you {item.ref} 双11预热海报"
    assert note.url == f"/w/acme/i/{item.ref}/"
    assert note.item == item and note.project == project and note.actor == zhang
    assert notes(zhang) == []


def test_assigning_tells_the_new_assignee_in_their_language(workspace, project, item, zhang, li):
    li.language = "zh-hans"
    li.save()
    update(zhang, workspace, item, assignee_ids=[li.pk])
    [note] = notes(li, "assigned")
    assert note.title == f"张敏 把 {item.ref} 准备主会场海报 分配给了你"
    assert is_watching(user=li, project=project, item=item)
    # Assigning again, with someone else added, tells only the newcomer.
    update(zhang, workspace, item, assignee_ids=[li.pk, zhang.pk])
    assert len(notes(li, "assigned")) == 1
    assert notes(zhang) == []


def test_state_change_tells_item_and_project_watchers_but_not_the_actor(
    workspace, project, item, owner, zhang, li
):
    from opsloop.inbox.actions import do_watch

    do_watch(user=li, project=project)  # the whole project
    update(zhang, workspace, item, state_id=state_of(project, "in_progress"))
    # The owner created the item and so watches it; li watches the project.
    [to_owner] = notes(owner, "state_changed")
    [to_li] = notes(li, "state_changed")
    todo, doing = (project.states.get(group=g).name for g in ("todo", "in_progress"))
    assert to_li.title == f"张敏 moved {item.ref} to {doing}"
    assert f"{todo} → {doing}" in to_li.excerpt
    assert to_owner.url == f"/w/acme/i/{item.ref}/"
    assert notes(zhang) == []


def test_the_actor_is_not_told_of_their_own_change(workspace, project, item, owner):
    update(owner, workspace, item, state_id=state_of(project, "done"))
    assert notes(owner) == []


def test_other_changes_notify_nobody(workspace, project, item, owner, zhang):
    update(zhang, workspace, item, title="新标题", priority="high")
    assert Notification.objects.count() == 0


def test_assignee_is_not_told_twice_of_one_change(workspace, project, item, zhang, li):
    update(zhang, workspace, item, assignee_ids=[li.pk], state_id=state_of(project, "in_review"))
    assert [n.kind for n in notes(li)] == ["assigned"]


def test_private_project_outsiders_are_never_told(workspace, owner, zhang):
    secret = work_actions.do_create_project(
        actor=membership_of(owner, workspace),
        data=ProjectIn(name="保密复盘", key="SEC", visibility="private"),
    )
    item = work_actions.do_create_item(
        actor=membership_of(owner, workspace), project=secret, data=ItemIn(title="机密预算")
    )
    # zhang once watched the project, then it turned private without them.
    from opsloop.inbox.actions import do_watch

    do_watch(user=zhang, project=secret)
    do_watch(user=zhang, project=secret, item=item)
    admin = add_member(workspace, "boss", Role.ADMIN)
    update(admin, workspace, item, state_id=state_of(secret, "done"))
    assert notes(zhang) == []
    # The owner, who can see it, is told.
    assert [n.kind for n in notes(owner)] == ["state_changed"]


def test_guest_not_shared_is_not_told(workspace, project, item, owner, guest):
    from opsloop.inbox.actions import do_watch

    do_watch(user=guest, project=project, item=item)
    update(owner, workspace, item, state_id=state_of(project, "done"))
    assert notes(guest) == []


def test_board_move_notifies_like_an_edit(workspace, project, item, zhang, owner):
    from opsloop.work.schemas import ItemMoveIn

    work_actions.do_move_item(
        actor=membership_of(zhang, workspace),
        item=item,
        data=ItemMoveIn(state_id=state_of(project, "in_progress")),
    )
    assert [n.kind for n in notes(owner)] == ["state_changed"]


def test_a_failed_update_leaves_no_notification(workspace, project, item, zhang, li):
    import pytest

    from opsloop.core.errors import Invalid

    with pytest.raises(Invalid):
        update(zhang, workspace, item, assignee_ids=[li.pk], label_ids=[987654])
    assert Notification.objects.count() == 0
    assert not Watch.objects.filter(user=li).exists()


def test_assignment_excerpt_is_plain_text(workspace, project, zhang, li):
    work_actions.do_create_item(
        actor=membership_of(zhang, workspace),
        project=project,
        data=ItemIn(
            title="排期",
            description="**尺寸** 1080×1920 & <b>周三</b>交付\n\n- 一\n- 二",
            assignee_ids=[li.pk],
        ),
    )
    [note] = notes(li, "assigned")
    # Raw HTML stays text (shown escaped), Markdown loses its marks.
    assert note.excerpt == "尺寸 1080×1920 & <b>周三</b>交付 一 二"
