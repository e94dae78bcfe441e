"""Inbox reads: tabs, the read-time visibility filter, counts, and pinned query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from opsloop.core.errors import Invalid, NotFound
from opsloop.inbox import actions, queries
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ItemIn, ProjectPatch
from tests.conftest import membership_of


def notify(workspace, project, user, n=1, item=None, actor=None):
    rows = []
    for i in range(n):
        rows += actions.do_notify(
            workspace_id=workspace.pk,
            recipients=[user],
            actor=actor,
            kind="mentioned",
            title=f"通知 {i}",
            url="/w/acme/",
            project=project,
            item=item,
        )
    return rows


def tab(membership, name):
    return [n.title for n in queries.list_notifications(membership, tab=name).notifications]


def test_tabs(workspace, project, member):
    read, snoozed, archived, fresh = notify(workspace, project, member, 4)
    actions.do_mark_read(notification=read)
    actions.do_snooze(notification=snoozed, until=timezone.now() + timedelta(hours=2))
    actions.do_archive(notification=archived)
    ms = membership_of(member, workspace)
    assert tab(ms, "unread") == [fresh.title]
    assert tab(ms, "all") == [fresh.title, read.title]
    assert tab(ms, "snoozed") == [snoozed.title]
    assert tab(ms, "archived") == [archived.title]
    assert queries.inbox_counts(ms) == {"unread": 1, "snoozed": 1}
    assert queries.unread_count(ms) == 1
    with pytest.raises(Invalid):
        queries.list_notifications(ms, tab="spam")


def test_a_snooze_that_ended_comes_back_first_and_unread(workspace, project, member):
    old, new = notify(workspace, project, member, 2)
    actions.do_snooze(notification=old, until=timezone.now() + timedelta(minutes=5))
    from opsloop.inbox.models import Notification

    Notification.objects.filter(pk=old.pk).update(snoozed_until=timezone.now())
    ms = membership_of(member, workspace)
    assert tab(ms, "unread") == [old.title, new.title]


def test_notifications_of_projects_no_longer_visible_are_hidden(workspace, project, owner, member):
    notify(workspace, project, member, 2)
    notify(workspace, None, member, 1)
    ms = membership_of(member, workspace)
    assert queries.unread_count(ms) == 3
    work_actions.do_update_project(
        actor=membership_of(owner, workspace),
        project=project,
        data=ProjectPatch(visibility="private"),
    )
    assert queries.unread_count(ms) == 1
    hidden = queries.list_notifications(ms, tab="all").notifications
    assert [n.project for n in hidden] == [None]


def test_get_notification_is_the_recipients_alone(workspace, project, member, admin_user):
    [row] = notify(workspace, project, member)
    assert queries.get_notification(membership_of(member, workspace), row.pk) == row
    with pytest.raises(NotFound):
        queries.get_notification(membership_of(admin_user, workspace), row.pk)


def test_pages(workspace, project, member):
    notify(workspace, project, member, 5)
    page = queries.list_notifications(membership_of(member, workspace), page=2, per_page=2)
    assert page.total == 5 and page.pages == 3 and len(page.notifications) == 2
    assert page.has_next and page.has_previous
    with pytest.raises(Invalid):
        queries.list_notifications(membership_of(member, workspace), per_page=500)


def test_inbox_page_query_count_does_not_grow(
    workspace, project, owner, member, django_assert_max_num_queries
):
    for i in range(3):
        item = work_actions.do_create_item(
            actor=membership_of(owner, workspace), project=project, data=ItemIn(title=f"任务 {i}")
        )
        notify(workspace, project, member, 10, item=item, actor=owner)
    ms = membership_of(member, workspace)
    with django_assert_max_num_queries(2):
        page = queries.list_notifications(ms, tab="all")
        titles = [(n.actor.label, n.project.name, n.item.ref) for n in page.notifications]
    assert len(titles) == 30


def test_watchers_list_leaves_out_people_who_cannot_see(workspace, project, item, owner, guest):
    actions.do_watch(user=guest, project=project, item=item)
    assert [w.user for w in queries.list_watchers(project=project, item=item)] == [owner]


def test_snooze_presets_are_at_nine_in_the_future():
    presets = queries.snooze_presets()
    now = timezone.now()
    for when in presets.values():
        assert when > now
        assert timezone.localtime(when).hour == 9
    assert timezone.localtime(presets["monday"]).weekday() == 0


def test_only_local_urls_are_followed():
    assert queries.is_local_url("/w/acme/i/D11-1/")
    for url in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"):
        assert not queries.is_local_url(url)
