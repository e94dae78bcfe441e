"""The inbox pages: tabs, opening, row actions with and without htmx, preferences, watching."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from opsloop.inbox import actions
from opsloop.inbox.models import Notification, NotificationPreference
from opsloop.inbox.queries import is_watching
from tests.conftest import PASSWORD, membership_of


def login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def notify(workspace, project, user, title="王总 提到了你", url="/w/acme/p/D11/", actor=None):
    [row] = actions.do_notify(
        workspace_id=workspace.pk,
        recipients=[user],
        actor=actor,
        kind="mentioned",
        title=title,
        excerpt="看看这个海报",
        url=url,
        project=project,
    )
    return row


@pytest.fixture
def note(workspace, project, member, owner):
    return notify(workspace, project, member, actor=owner)


def test_inbox_shows_the_row_and_the_badge(workspace, project, member, note):
    body = login(member).get("/w/acme/inbox/").content.decode()
    assert "王总 提到了你" in body and "看看这个海报" in body
    assert "双十一大促" in body
    assert 'data-testid="inbox-badge" data-count="1"' in body
    assert f"/w/acme/inbox/{note.pk}/open/" in body
    assert "/w/acme/inbox/preferences/" in body


def test_badge_shows_on_other_pages_and_has_its_own_url(workspace, project, member, note):
    client = login(member)
    assert 'data-count="1"' in client.get("/w/acme/my/").content.decode()
    badge = client.get("/w/acme/inbox/count/").content.decode()
    assert 'id="inbox-badge"' in badge and ">1<" in badge


def test_tabs_filter(workspace, project, member, note):
    client = login(member)
    actions.do_archive(notification=note)
    assert "王总 提到了你" not in client.get("/w/acme/inbox/").content.decode()
    assert "王总 提到了你" in client.get("/w/acme/inbox/?tab=archived").content.decode()
    # An unknown tab is the unread one.
    assert client.get("/w/acme/inbox/?tab=nope&page=x").status_code == 200


def test_open_marks_read_and_goes_to_the_local_url(workspace, project, member, note):
    response = login(member).get(f"/w/acme/inbox/{note.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/w/acme/p/D11/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_open_never_leaves_the_site(workspace, project, member):
    row = notify(workspace, project, member, url="https://evil.example/phish")
    response = login(member).get(f"/w/acme/inbox/{row.pk}/open/")
    assert response["Location"] == "/w/acme/inbox/"


def test_someone_elses_notification_is_404(workspace, project, admin_user, note):
    client = login(admin_user)
    assert client.get(f"/w/acme/inbox/{note.pk}/open/").status_code == 404
    assert client.post(f"/w/acme/inbox/{note.pk}/", {"op": "read"}).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


@pytest.mark.parametrize(
    ("op", "field"), [("read", "read_at"), ("archive", "archived_at")], ids=["read", "archive"]
)
def test_row_actions_without_javascript_redirect_back(workspace, project, member, note, op, field):
    response = login(member).post(f"/w/acme/inbox/{note.pk}/", {"op": op, "tab": "all"})
    assert response.status_code == 302 and response["Location"] == "/w/acme/inbox/?tab=all"
    note.refresh_from_db()
    assert getattr(note, field) is not None


def test_row_action_with_htmx_answers_the_row_and_the_badge(workspace, project, member, note):
    client = login(member)
    response = client.post(
        f"/w/acme/inbox/{note.pk}/", {"op": "read", "tab": "unread"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert f'id="notification-{note.pk}"' in body and 'value="unread"' in body
    assert 'hx-swap-oob="true"' in body and 'data-count="0"' in body
    # Archiving moves it out of the tab: only the badge comes back.
    response = client.post(
        f"/w/acme/inbox/{note.pk}/", {"op": "archive", "tab": "unread"}, HTTP_HX_REQUEST="true"
    )
    assert f'id="notification-{note.pk}"' not in response.content.decode()


def test_snooze_presets_and_a_picked_date(workspace, project, member, note):
    client = login(member)
    until = (timezone.now() + timedelta(days=1)).isoformat()
    client.post(f"/w/acme/inbox/{note.pk}/", {"op": "snooze", "until": until})
    note.refresh_from_db()
    assert note.snoozed_until is not None
    day = (timezone.localdate() + timedelta(days=3)).isoformat()
    client.post(f"/w/acme/inbox/{note.pk}/", {"op": "snooze", "until": "", "date": day})
    note.refresh_from_db()
    local = timezone.localtime(note.snoozed_until)
    assert local.date().isoformat() == day and local.hour == 9
    assert "王总 提到了你" in client.get("/w/acme/inbox/?tab=snoozed").content.decode()


def test_snooze_in_the_past_says_why(workspace, project, member, note):
    client = login(member)
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(
        f"/w/acme/inbox/{note.pk}/",
        {"op": "snooze", "date": past, "tab": "unread"},
        HTTP_HX_REQUEST="true",
    )
    assert "Choose a time in the future." in response.content.decode()
    response = client.post(f"/w/acme/inbox/{note.pk}/", {"op": "snooze", "date": past}, follow=True)
    assert "Choose a time in the future." in response.content.decode()
    note.refresh_from_db()
    assert note.snoozed_until is None


def test_mark_all_read(workspace, project, member, note):
    notify(workspace, project, member)
    response = login(member).post("/w/acme/inbox/read-all/")
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=member, read_at__isnull=True).exists()


def test_preferences_page_saves_each_kind(workspace, member):
    client = login(member)
    assert "Comments on what I watch" in client.get("/w/acme/inbox/preferences/").content.decode()
    client.post("/w/acme/inbox/preferences/", {"in_app_commented": "on", "email_assigned": "on"})
    prefs = {p.kind: p for p in NotificationPreference.objects.filter(user=member)}
    assert prefs["commented"].in_app and not prefs["commented"].email
    assert not prefs["assigned"].in_app and prefs["assigned"].email
    assert not prefs["meeting"].in_app and not prefs["meeting"].email


def test_watch_and_unwatch_an_item(workspace, project, item, member):
    client = login(member)
    response = client.post(f"/w/acme/i/{item.ref}/watch/", {"watch": "1"})
    assert response["Location"] == f"/w/acme/i/{item.ref}/"
    assert is_watching(user=member, project=project, item=item)
    response = client.post(f"/w/acme/i/{item.ref}/watch/", {"watch": "0"}, HTTP_HX_REQUEST="true")
    assert 'aria-pressed="false"' in response.content.decode()
    assert not is_watching(user=member, project=project, item=item)


def test_watch_project_button_on_the_project_page(workspace, project, member):
    client = login(member)
    body = client.get("/w/acme/p/D11/").content.decode()
    assert "/w/acme/p/D11/watch/" in body and "Watch project" in body
    response = client.post("/w/acme/p/D11/watch/", {"watch": "1"}, HTTP_HX_REQUEST="true")
    assert 'aria-pressed="true"' in response.content.decode()
    assert is_watching(user=member, project=project)
    assert 'aria-pressed="true"' in client.get("/w/acme/p/D11/").content.decode()


def test_inbox_page_query_count_is_pinned(
    workspace, project, owner, member, django_assert_max_num_queries
):
    client = login(member)
    for i in range(25):
        notify(workspace, project, member, title=f"通知 {i}", actor=owner)
    with django_assert_max_num_queries(7):
        response = client.get("/w/acme/inbox/?tab=all")
    assert response.content.decode().count('data-testid="notification"') == 25


def test_members_inbox_counts_only_their_workspace(workspace, project, member, owner, note):
    body = login(owner).get("/w/acme/inbox/").content.decode()
    assert "王总 提到了你" not in body
    assert membership_of(owner, workspace)
