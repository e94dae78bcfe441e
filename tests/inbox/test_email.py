"""Batched notification email through a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

from datetime import timedelta

from django.core.management import CommandError, call_command
from django.utils import timezone

from opsloop.inbox import actions
from opsloop.inbox.models import EmailSchedule, Notification
from opsloop.inbox.schemas import PreferencesIn
from opsloop.inbox.tasks import send_notification_email
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ItemIn
from tests.conftest import membership_of
from tests.inbox.conftest import parts, state_of, subject, update


def make_due(user) -> None:
    """The batch window has passed."""
    EmailSchedule.objects.filter(user=user).update(send_after=timezone.now() - timedelta(seconds=1))


def three_events(workspace, project, item, zhang, li):
    """li is assigned an item, a new one, and sees the first change state: three notifications."""
    update(zhang, workspace, item, assignee_ids=[li.pk])
    work_actions.do_create_item(
        actor=membership_of(zhang, workspace),
        project=project,
        data=ItemIn(title="KOL 投放排期", assignee_ids=[li.pk]),
    )
    update(zhang, workspace, item, state_id=state_of(project, "in_progress"))
    assert Notification.objects.filter(recipient=li).count() == 3


def test_three_events_make_one_email_with_all_three(smtp, workspace, project, item, zhang, li):
    workspace.name = "鲸选运营团队"
    workspace.save()
    three_events(workspace, project, item, zhang, li)
    # The task that ran before the window closed sends nothing.
    assert send_notification_email.call(li.pk) == 0
    assert smtp.messages == []
    make_due(li)
    assert send_notification_email.call(li.pk) == 3
    smtp.wait(1)
    assert len(smtp.messages) == 1
    recipients, message = smtp.messages[0]
    assert recipients == ["lilei@example.com"]
    assert subject(message) == "[opsloop] 3 new notifications in 鲸选运营团队"
    bodies = parts(message)
    text, html = bodies["text/plain"], bodies["text/html"]
    for body in (text, html):
        assert f"张敏 assigned you {item.ref} 准备主会场海报" in body
        assert "KOL 投放排期" in body
        assert f"张敏 moved {item.ref} to {project.states.get(group='in_progress').name}" in body
    first = Notification.objects.filter(recipient=li).order_by("pk").first()
    assert f"http://testserver/w/acme/inbox/{first.pk}/open/" in text or (
        f"/w/acme/inbox/{first.pk}/open/" in text
    )
    assert not Notification.objects.filter(recipient=li, emailed_at__isnull=True).exists()
    assert not EmailSchedule.objects.filter(user=li).exists()
    # Nothing left: a second run sends nothing.
    assert send_notification_email.call(li.pk) == 0
    assert len(smtp.messages) == 1


def test_links_are_absolute_on_the_site_url(smtp, settings, workspace, project, item, zhang, li):
    settings.SITE_URL = "https://ops.example.com"
    update(zhang, workspace, item, assignee_ids=[li.pk])
    make_due(li)
    send_notification_email.call(li.pk)
    smtp.wait(1)
    note = Notification.objects.get(recipient=li)
    text = parts(smtp.messages[0][1])["text/plain"]
    assert f"https://ops.example.com/w/acme/inbox/{note.pk}/open/" in text
    assert "https://ops.example.com/w/acme/inbox/preferences/" in text


def test_email_is_in_the_recipients_language(smtp, workspace, project, item, zhang, li):
    li.language = "zh-hans"
    li.save()
    update(zhang, workspace, item, assignee_ids=[li.pk])
    make_due(li)
    send_notification_email.call(li.pk)
    smtp.wait(1)
    message = smtp.messages[0][1]
    assert subject(message) == "[opsloop] Acme 运营 有 1 条新通知"
    assert "分配给了你" in parts(message)["text/plain"]


def test_smtp_down_keeps_rows_pending_and_a_later_run_delivers(
    smtp_down, settings, workspace, project, item, zhang, li
):
    three_events(workspace, project, item, zhang, li)
    make_due(li)
    assert send_notification_email.call(li.pk) == 0
    assert Notification.objects.filter(recipient=li, emailed_at__isnull=True).count() == 3
    schedule = EmailSchedule.objects.get(user=li)
    assert schedule.attempts == 1 and schedule.last_error
    assert schedule.send_after > timezone.now()  # backed off
    # A second failure backs off further.
    make_due(li)
    send_notification_email.call(li.pk)
    second = EmailSchedule.objects.get(user=li)
    assert second.attempts == 2
    assert second.send_after - timezone.now() > timedelta(minutes=1, seconds=30)
    # The server comes back; the next run sends everything in one email.
    from aiosmtpd.controller import Controller

    from tests.inbox.conftest import Mailbox

    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=settings.EMAIL_PORT)
    controller.start()
    try:
        make_due(li)
        assert send_notification_email.call(li.pk) == 3
        mailbox.wait(1)
    finally:
        controller.stop()
    assert len(mailbox.messages) == 1
    assert not Notification.objects.filter(recipient=li, emailed_at__isnull=True).exists()


def test_a_failing_smtp_server_never_breaks_the_request(
    smtp_down, client, workspace, project, item, zhang, li
):
    from tests.conftest import PASSWORD

    client.login(username="zhangmin", password=PASSWORD)
    response = client.post(
        f"/w/acme/i/{item.ref}/",
        {"op": "update", "title": item.title, "priority": "none", "assignee_ids": [li.pk],
         "state_id": state_of(project, "todo"), "progress": "0"},
    )  # fmt: skip
    assert response.status_code == 302
    assert Notification.objects.filter(recipient=li, kind="assigned").exists()


def test_email_off_sends_nothing_in_app_off_is_emailed_but_not_in_the_inbox(
    smtp, workspace, project, item, zhang, li
):
    from opsloop.inbox.queries import list_notifications

    actions.do_set_preferences(
        user=li,
        data=PreferencesIn(
            preferences=[
                {"kind": "assigned", "in_app": True, "email": False},
                {"kind": "state_changed", "in_app": False, "email": True},
            ]
        ),
    )
    update(zhang, workspace, item, assignee_ids=[li.pk])
    assert not EmailSchedule.objects.filter(user=li).exists()
    update(zhang, workspace, item, state_id=state_of(project, "done"))
    inbox = list_notifications(membership_of(li, workspace), tab="all").notifications
    assert [n.kind for n in inbox] == ["assigned"]
    make_due(li)
    assert send_notification_email.call(li.pk) == 1
    smtp.wait(1)
    text = parts(smtp.messages[0][1])["text/plain"]
    assert "moved" in text and "assigned you" not in text


def test_what_was_read_in_the_inbox_is_not_emailed(smtp, workspace, project, item, zhang, li):
    update(zhang, workspace, item, assignee_ids=[li.pk])
    actions.do_mark_read(notification=Notification.objects.get(recipient=li))
    make_due(li)
    assert send_notification_email.call(li.pk) == 0
    assert smtp.messages == []
    assert not EmailSchedule.objects.filter(user=li).exists()


def test_what_the_recipient_can_no_longer_see_is_not_emailed(
    smtp, workspace, project, item, zhang, li, owner
):
    update(zhang, workspace, item, assignee_ids=[li.pk])
    from opsloop.work.schemas import ProjectPatch

    work_actions.do_update_project(
        actor=membership_of(owner, workspace),
        project=project,
        data=ProjectPatch(visibility="private"),
    )
    make_due(li)
    assert send_notification_email.call(li.pk) == 0
    assert smtp.messages == []


def test_send_notifications_command_sends_everything_pending_now(
    smtp, workspace, project, item, zhang, li, owner
):
    update(zhang, workspace, item, assignee_ids=[li.pk], state_id=state_of(project, "done"))
    # Not due yet (the window is five minutes), but the command does not wait.
    call_command("send_notifications")
    smtp.wait(2)
    assert sorted(r for rs, _m in smtp.messages for r in rs) == [
        "lilei@example.com",
        "owner@example.com",
    ]
    assert not Notification.objects.filter(emailed_at__isnull=True, email_due=True).exists()


def test_send_notifications_command_fails_loudly_when_smtp_is_down(
    smtp_down, workspace, project, item, zhang, li
):
    import pytest

    update(zhang, workspace, item, assignee_ids=[li.pk])
    with pytest.raises(CommandError):
        call_command("send_notifications")
    assert Notification.objects.filter(recipient=li, emailed_at__isnull=True).count() == 1
