"""The notifications, preferences and watchers API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from opsloop.inbox import actions
from opsloop.inbox.models import Notification
from opsloop.inbox.queries import is_watching
from tests.conftest import ApiClient

API = "/api/v1/workspaces/acme"


def notify(workspace, project, user, item=None, title="王总 提到了你"):
    [row] = actions.do_notify(
        workspace_id=workspace.pk,
        recipients=[user],
        actor=None,
        kind="mentioned",
        title=title,
        url="/w/acme/",
        project=project,
        item=item,
    )
    return row


@pytest.fixture
def member_api(member):
    return ApiClient(member)


def test_list_is_paginated_like_the_items_list(workspace, project, item, member, member_api):
    for i in range(3):
        notify(workspace, project, member, item=item, title=f"通知 {i}")
    body = member_api.get(f"{API}/notifications", {"per_page": 2}).json()
    assert body["count"] == 3 and body["pages"] == 2 and body["per_page"] == 2
    first = body["results"][0]
    assert first["title"] == "通知 2"
    assert first["item_ref"] == item.ref and first["project"] == {
        "key": "D11",
        "name": "双十一大促",
    }
    assert first["kind"] == "mentioned" and first["read_at"] is None
    assert (
        member_api.get(f"{API}/notifications", {"page": 2, "per_page": 2}).json()["results"][0][
            "title"
        ]
        == "通知 0"
    )


def test_bad_state_and_page_are_400(member_api, member, workspace):
    response = member_api.get(f"{API}/notifications", {"state": "spam"})
    assert response.status_code == 400 and response.json()["field"] == "state"
    response = member_api.get(f"{API}/notifications", {"per_page": 1000})
    assert response.status_code == 400 and response.json()["field"] == "per_page"


def test_read_unread_archive_snooze_and_counts(workspace, project, member, member_api):
    row = notify(workspace, project, member)
    url = f"{API}/notifications/{row.pk}"
    assert member_api.get(f"{API}/notifications/unread-count").json() == {"unread": 1}
    assert member_api.post(f"{url}/read").json()["read_at"] is not None
    assert member_api.get(f"{API}/notifications/unread-count").json() == {"unread": 0}
    assert member_api.post(f"{url}/unread").json()["read_at"] is None
    assert member_api.post(f"{url}/archive").json()["archived_at"] is not None
    assert member_api.get(f"{API}/notifications", {"state": "archived"}).json()["count"] == 1
    assert member_api.post(f"{url}/unarchive").json()["archived_at"] is None
    until = (timezone.now() + timedelta(days=1)).isoformat()
    assert member_api.post(f"{url}/snooze", {"until": until}).json()["snoozed_until"]
    assert member_api.get(f"{API}/notifications", {"state": "snoozed"}).json()["count"] == 1
    assert member_api.get(f"{API}/notifications").json()["count"] == 0


def test_snooze_in_the_past_is_400(workspace, project, member, member_api):
    row = notify(workspace, project, member)
    past = (timezone.now() - timedelta(hours=1)).isoformat()
    response = member_api.post(f"{API}/notifications/{row.pk}/snooze", {"until": past})
    assert response.status_code == 400 and response.json()["field"] == "until"
    assert Notification.objects.get(pk=row.pk).snoozed_until is None


def test_read_all(workspace, project, member, member_api):
    notify(workspace, project, member)
    notify(workspace, project, member)
    assert member_api.post(f"{API}/notifications/read-all").json() == {"marked": 2}
    assert member_api.get(f"{API}/notifications/unread-count").json() == {"unread": 0}


def test_someone_elses_notification_is_404(workspace, project, member, admin_user):
    row = notify(workspace, project, member)
    response = ApiClient(admin_user).post(f"{API}/notifications/{row.pk}/read")
    assert response.status_code == 404
    assert Notification.objects.get(pk=row.pk).read_at is None


def test_hidden_project_notifications_are_left_out(workspace, project, owner, member, member_api):
    notify(workspace, project, member)
    ApiClient(owner).patch(f"{API}/projects/D11", {"visibility": "private"})
    assert member_api.get(f"{API}/notifications").json()["count"] == 0
    assert member_api.get(f"{API}/notifications/unread-count").json() == {"unread": 0}


def test_preferences_get_and_put(member, member_api):
    prefs = member_api.get("/api/v1/me/notification-preferences").json()
    assert len(prefs) == 9 and all(p["in_app"] and p["email"] for p in prefs)
    response = member_api.put(
        "/api/v1/me/notification-preferences",
        {"preferences": [{"kind": "state_changed", "in_app": True, "email": False}]},
    )
    changed = {p["kind"]: p for p in response.json()}
    assert changed["state_changed"]["email"] is False and changed["assigned"]["email"] is True
    assert changed["state_changed"]["label"] == "State changes on what I watch"
    bad = member_api.put(
        "/api/v1/me/notification-preferences",
        {"preferences": [{"kind": "spam", "in_app": True, "email": False}]},
    )
    assert bad.status_code == 400 and bad.json()["field"].startswith("preferences.0")


def test_item_watchers(workspace, project, item, owner, member, member_api):
    url = f"{API}/items/{item.ref}/watchers"
    assert [w["user"]["username"] for w in member_api.get(url).json()] == ["owner"]
    watch = member_api.post(url).json()
    assert watch["user"]["username"] == "member" and watch["reason"] == "manual"
    assert member_api.post(url).status_code == 200
    assert [w["user"]["username"] for w in member_api.get(url).json()] == ["owner", "member"]
    assert member_api.delete(url).status_code == 204
    assert not is_watching(user=member, project=project, item=item)


def test_project_watchers(workspace, project, member, member_api):
    url = f"{API}/projects/D11/watchers"
    assert member_api.get(url).json() == []
    assert member_api.post(url).json()["user"]["username"] == "member"
    assert is_watching(user=member, project=project)
    assert member_api.delete(url).status_code == 204
    assert not is_watching(user=member, project=project)


def test_list_query_count_is_pinned(
    workspace, project, item, member, member_api, django_assert_max_num_queries
):
    for i in range(20):
        notify(workspace, project, member, item=item, title=f"通知 {i}")
    with django_assert_max_num_queries(5):
        body = member_api.get(f"{API}/notifications").json()
    assert body["count"] == 20
