"""Watches, notifications and the recipient's handling of them; scheduling of email."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from opsloop.core.errors import Invalid
from opsloop.inbox import actions
from opsloop.inbox.models import EmailSchedule, Notification, NotificationPreference, Watch
from opsloop.inbox.queries import is_watching, list_preferences, watchers_of
from opsloop.inbox.schemas import PreferencesIn
from tests.conftest import make_user, membership_of


def notify(workspace, project, recipients, *, actor=None, kind="mentioned", title="有人提到了你"):
    return actions.do_notify(
        workspace_id=workspace.pk,
        recipients=recipients,
        actor=actor,
        kind=kind,
        title=title,
        url="/w/acme/",
        project=project,
    )


def prefer(user, kind: str, *, in_app: bool, email: bool) -> None:
    actions.do_set_preferences(
        user=user,
        data=PreferencesIn(preferences=[{"kind": kind, "in_app": in_app, "email": email}]),
    )


def test_watch_is_idempotent_and_unwatch_removes_it(project, item, member):
    actions.do_watch(user=member, project=project, item=item)
    actions.do_watch(user=member, project=project, item=item)
    assert Watch.objects.filter(user=member, item=item).count() == 1
    assert member in watchers_of(project=project, item=item)
    actions.do_unwatch(user=member, project=project, item=item)
    assert not is_watching(user=member, project=project, item=item)


def test_project_watch_covers_its_items(project, item, member):
    actions.do_watch(user=member, project=project)
    assert member in watchers_of(project=project, item=item)
    assert not is_watching(user=member, project=project, item=item)


def test_notify_skips_the_actor_and_non_members(workspace, project, owner, member, outsider):
    rows = notify(workspace, project, [owner, member, outsider], actor=owner)
    assert [r.recipient for r in rows] == [member]


def test_callable_title_renders_in_each_recipients_language(workspace, project, member):
    from django.utils.translation import gettext as _

    member.language = "zh-hans"
    member.save()
    [row] = notify(workspace, project, [member], title=lambda: _("Projects"))
    assert row.title == "项目"


def test_preference_in_app_off_keeps_it_out_of_the_inbox_but_emails_it(workspace, project, member):
    prefer(member, "mentioned", in_app=False, email=True)
    [row] = notify(workspace, project, [member])
    assert row.in_app is False and row.email_due is True


def test_preference_both_off_makes_no_row(workspace, project, member):
    prefer(member, "mentioned", in_app=False, email=False)
    assert notify(workspace, project, [member]) == []
    # Another kind is still on.
    assert len(notify(workspace, project, [member], kind="assigned")) == 1


def test_preferences_list_every_kind_with_defaults(member):
    prefer(member, "commented", in_app=True, email=False)
    prefs = {p.kind: p for p in list_preferences(member)}
    assert set(prefs) == {
        "assigned", "mentioned", "commented", "state_changed", "discussion", "meeting",
        "kpi_alert", "report", "decision",
    }  # fmt: skip
    assert prefs["commented"].email is False and prefs["commented"].in_app is True
    assert prefs["assigned"].email is True
    prefer(member, "commented", in_app=False, email=True)
    assert NotificationPreference.objects.filter(user=member).count() == 1


def _sends_since(earlier: set) -> QuerySet:
    """The notification sends queued since `earlier` (the task rows then): only this
    test's, whatever rows an earlier test of the process left."""
    return DBTaskResult.objects.filter(
        task_path="opsloop.inbox.tasks.send_notification_email"
    ).exclude(pk__in=earlier)


def test_first_email_notification_schedules_one_send_later_ones_join(
    workspace, project, member, admin_user, settings
):
    earlier = set(DBTaskResult.objects.values_list("pk", flat=True))
    settings.NOTIFICATION_EMAIL_DELAY = 300
    before = timezone.now()
    notify(workspace, project, [member, admin_user])
    schedule = EmailSchedule.objects.get(user=member)
    assert (
        before + timedelta(seconds=299)
        < schedule.send_after
        < timezone.now() + timedelta(seconds=301)
    )
    tasks = _sends_since(earlier)
    assert tasks.count() == 2
    assert {t.args_kwargs["args"][0] for t in tasks} == {member.pk, admin_user.pk}
    assert tasks.first().run_after is not None
    notify(workspace, project, [member], kind="assigned")
    notify(workspace, project, [member], kind="commented")
    assert tasks.count() == 2
    assert EmailSchedule.objects.get(user=member).send_after == schedule.send_after


def test_email_off_schedules_nothing(workspace, project, member):
    prefer(member, "mentioned", in_app=True, email=False)
    [row] = notify(workspace, project, [member])
    assert row.email_due is False
    assert not EmailSchedule.objects.exists()


def test_a_lost_send_is_enqueued_again_by_the_next_notification(workspace, project, member):
    earlier = set(DBTaskResult.objects.values_list("pk", flat=True))
    notify(workspace, project, [member])
    EmailSchedule.objects.filter(user=member).update(send_after=timezone.now() - timedelta(hours=1))
    notify(workspace, project, [member], kind="assigned")
    tasks = _sends_since(earlier)
    assert tasks.count() == 2
    assert EmailSchedule.objects.get(user=member).send_after > timezone.now() - timedelta(minutes=1)


def test_read_unread_archive_unarchive(workspace, project, member):
    [row] = notify(workspace, project, [member])
    actions.do_mark_read(notification=row)
    assert row.read_at is not None
    actions.do_mark_unread(notification=row)
    assert Notification.objects.get(pk=row.pk).read_at is None
    actions.do_archive(notification=row)
    row.refresh_from_db()
    assert row.archived_at is not None and row.read_at is not None
    actions.do_unarchive(notification=row)
    row.refresh_from_db()
    assert row.archived_at is None


def test_snooze_needs_a_future_time_and_brings_it_back_unread(workspace, project, member):
    [row] = notify(workspace, project, [member])
    actions.do_mark_read(notification=row)
    with pytest.raises(Invalid) as raised:
        actions.do_snooze(notification=row, until=timezone.now() - timedelta(minutes=1))
    assert raised.value.field == "until"
    with pytest.raises(Invalid):
        actions.do_snooze(notification=row, until=timezone.now() + timedelta(days=400))
    until = timezone.now() + timedelta(days=1)
    actions.do_snooze(notification=row, until=until)
    row.refresh_from_db()
    assert row.snoozed_until == until and row.read_at is None


def test_mark_all_read_marks_only_the_members_inbox_in_this_workspace(
    workspace, project, member, admin_user, owner
):
    from opsloop.core import actions as core_actions

    notify(workspace, project, [member, admin_user])
    notify(workspace, project, [member], kind="assigned")
    other = core_actions.do_create_workspace(actor=member, slug="other", name="别处")
    actions.do_notify(
        workspace_id=other.pk, recipients=[member], actor=None, kind="mentioned", title="x", url="/"
    )
    assert actions.do_mark_all_read(membership=membership_of(member, workspace)) == 2
    assert Notification.objects.filter(recipient=member, read_at__isnull=True).count() == 1
    assert Notification.objects.filter(recipient=admin_user, read_at__isnull=True).count() == 1


def test_people_without_email_get_no_email_due(workspace, project):
    from opsloop.core.models import Membership

    user = make_user("noemail")
    user.email = ""
    user.save()
    Membership.objects.create(workspace=workspace, user=user, role="member")
    [row] = notify(workspace, project, [user])
    assert row.email_due is False
