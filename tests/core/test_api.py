"""API of the caller, tokens, workspaces, members and invitations."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from opsloop.core.models import ApiToken, AuditLog, Invitation, Membership, Role, Workspace
from opsloop.core.queries import hash_token
from tests.conftest import PASSWORD, ApiClient, add_member

W = "/api/v1/workspaces"


# --- the caller and tokens


def test_me_is_the_token_owner(api, owner):
    response = api.get("/api/v1/me")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == owner.pk
    assert body["username"] == "owner"
    assert body["label"] == "王总"
    assert body["email"] == "owner@example.com"


def test_anonymous_gets_401_with_a_message(db):
    response = ApiClient().get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert response.json()["message"]


def test_unknown_token_gets_401(db):
    response = ApiClient(token="opl_not-a-real-token").get("/api/v1/me")
    assert response.status_code == 401


def test_create_list_and_revoke_a_token(api, owner):
    response = api.post("/api/v1/me/tokens", {"name": "报表脚本"})
    assert response.status_code == 201
    created = response.json()
    raw = created["token"]
    assert raw.startswith("opl_") and created["prefix"] == raw[:10]
    assert created["name"] == "报表脚本"

    # The new token works, and the list never shows token values.
    assert ApiClient(token=raw).get("/api/v1/me").json()["id"] == owner.pk
    listed = api.get("/api/v1/me/tokens").json()
    assert {t["name"] for t in listed} == {"tests", "报表脚本"}
    assert all("token" not in t for t in listed)

    assert api.delete(f"/api/v1/me/tokens/{created['id']}").status_code == 204
    assert ApiClient(token=raw).get("/api/v1/me").status_code == 401
    assert {t["name"] for t in api.get("/api/v1/me/tokens").json()} == {"tests"}
    assert AuditLog.objects.filter(action="token.revoke", actor=owner).exists()


def test_token_is_stored_hashed_never_raw(api):
    raw = api.post("/api/v1/me/tokens", {"name": "ci"}).json()["token"]
    token = ApiToken.objects.get(name="ci")
    assert token.token_hash == hash_token(raw)
    for row in ApiToken.objects.values():
        assert raw not in {str(v) for v in row.values()}
    for row in AuditLog.objects.values("data", "target"):
        assert raw not in str(row)


def test_revoked_token_gets_401(owner):
    client = ApiClient(owner)
    assert client.get("/api/v1/me").status_code == 200
    token = ApiToken.objects.get(token_hash=hash_token(client.token))
    ApiClient(owner).delete(f"/api/v1/me/tokens/{token.pk}")
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_token_of_a_deactivated_user_gets_401(owner):
    client = ApiClient(owner)
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    assert client.get("/api/v1/me").status_code == 401


def test_cannot_revoke_someone_elses_token(api, member):
    theirs = ApiClient(member)
    token = ApiToken.objects.get(token_hash=hash_token(theirs.token))
    assert api.delete(f"/api/v1/me/tokens/{token.pk}").status_code == 404
    assert theirs.get("/api/v1/me").status_code == 200


def test_token_name_is_required_and_bounded(api):
    assert api.post("/api/v1/me/tokens", {"name": ""}).status_code == 400
    response = api.post("/api/v1/me/tokens", {"name": "x" * 81})
    assert response.status_code == 400
    assert response.json()["field"] == "name"
    assert ApiToken.objects.count() == 1


def test_token_use_is_recorded(owner):
    client = ApiClient(owner)
    client.get("/api/v1/me")
    assert ApiToken.objects.get(token_hash=hash_token(client.token)).last_used_at is not None


# --- session authentication


def test_session_reads_work_and_writes_need_csrf(owner):
    browser = Client(enforce_csrf_checks=True)
    assert browser.login(username="owner", password=PASSWORD)
    assert browser.get("/api/v1/me").json()["username"] == "owner"

    response = browser.post(
        "/api/v1/workspaces", {"slug": "x-y-z", "name": "X"}, "application/json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert not Workspace.objects.filter(slug="x-y-z").exists()

    # A CSRF secret in the cookie and the same value in the header, as the pages send it.
    csrf_value = "a" * 32
    browser.cookies[settings.CSRF_COOKIE_NAME] = csrf_value
    response = browser.post(
        "/api/v1/workspaces",
        {"slug": "x-y-z", "name": "X"},
        "application/json",
        HTTP_X_CSRFTOKEN=csrf_value,
    )
    assert response.status_code == 201


# --- workspaces


def test_list_my_workspaces_with_my_role(api, workspace, member, outsider):
    core = ApiClient(outsider)
    assert core.get(W).json() == []
    body = ApiClient(member).get(W).json()
    assert [(w["slug"], w["role"]) for w in body] == [("acme", "member")]
    assert api.get(W).json()[0]["role"] == "owner"


def test_create_workspace_makes_me_owner(api, owner):
    response = api.post(W, {"slug": "growth-team", "name": "增长组"})
    assert response.status_code == 201
    assert response.json() == {
        "id": response.json()["id"],
        "slug": "growth-team",
        "name": "增长组",
        "time_zone": "Asia/Shanghai",  # the install's OPSLOOP_TIME_ZONE
        "created_at": response.json()["created_at"],
        "role": "owner",
    }
    assert Membership.objects.get(workspace__slug="growth-team").user == owner


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"slug": "A B", "name": "x"}, "slug"),
        ({"slug": "-ab", "name": "x"}, "slug"),
        ({"slug": "abc", "name": ""}, "name"),
        ({"slug": "abc", "name": "x" * 101}, "name"),
        ({"slug": "acme", "name": "dup"}, "slug"),
        ({"name": "no slug"}, "slug"),
    ],
)
def test_create_workspace_rejects_bad_input(api, workspace, payload, field):
    before = Workspace.objects.count()
    response = api.post(W, payload)
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert Workspace.objects.count() == before


def test_get_workspace(api, workspace):
    body = api.get(f"{W}/acme").json()
    assert (body["slug"], body["name"], body["role"]) == ("acme", "Acme 运营", "owner")


def test_rename_workspace_admin_only(api, workspace, member):
    assert api.patch(f"{W}/acme", {"name": "新名字"}).json()["name"] == "新名字"
    response = ApiClient(member).patch(f"{W}/acme", {"name": "mine"})
    assert response.status_code == 403
    assert Workspace.objects.get(slug="acme").name == "新名字"


def test_workspace_of_others_is_404_like_a_missing_one(workspace, outsider):
    client = ApiClient(outsider)
    existing = client.get(f"{W}/acme")
    missing = client.get(f"{W}/no-such-place")
    assert existing.status_code == missing.status_code == 404
    assert existing.json() == missing.json()


# --- members


def test_list_members(api, workspace, member, guest):
    body = api.get(f"{W}/acme/members").json()
    assert {(m["user"]["username"], m["role"]) for m in body} == {
        ("owner", "owner"),
        ("member", "member"),
        ("guest", "guest"),
    }
    assert {m["email"] for m in body} >= {"member@example.com"}


def test_guests_cannot_list_members(workspace, guest):
    assert ApiClient(guest).get(f"{W}/acme/members").status_code == 403


def test_change_role(api, workspace, member):
    response = api.patch(f"{W}/acme/members/{member.pk}", {"role": "admin"})
    assert response.status_code == 200
    assert response.json()["role"] == "admin"
    assert Membership.objects.get(user=member).role == Role.ADMIN
    assert AuditLog.objects.filter(action="member.role", target="member").exists()


def test_change_role_rejects_unknown_role(api, workspace, member):
    response = api.patch(f"{W}/acme/members/{member.pk}", {"role": "king"})
    assert response.status_code == 400
    assert response.json()["field"] == "role"
    assert Membership.objects.get(user=member).role == Role.MEMBER


def test_admin_cannot_make_an_owner_or_touch_one(workspace, admin_user, member, owner):
    client = ApiClient(admin_user)
    assert client.patch(f"{W}/acme/members/{member.pk}", {"role": "owner"}).status_code == 403
    assert client.patch(f"{W}/acme/members/{owner.pk}", {"role": "member"}).status_code == 403
    assert Membership.objects.get(user=owner).role == Role.OWNER


def test_last_owner_cannot_step_down_or_leave(api, workspace, owner):
    response = api.patch(f"{W}/acme/members/{owner.pk}", {"role": "admin"})
    assert response.status_code == 409
    assert "owner" in response.json()["message"]
    assert api.delete(f"{W}/acme/members/{owner.pk}").status_code == 409
    assert Membership.objects.get(user=owner).role == Role.OWNER


def test_unknown_member_is_404(api, workspace, outsider):
    assert api.patch(f"{W}/acme/members/{outsider.pk}", {"role": "admin"}).status_code == 404
    assert api.delete(f"{W}/acme/members/999999").status_code == 404


def test_remove_member_and_leave(api, workspace, member, guest):
    assert api.delete(f"{W}/acme/members/{member.pk}").status_code == 204
    assert not Membership.objects.filter(user=member).exists()
    # Anyone may leave on their own.
    assert ApiClient(guest).delete(f"{W}/acme/members/{guest.pk}").status_code == 204
    assert not Membership.objects.filter(user=guest).exists()


def test_member_cannot_remove_others(workspace, member, guest):
    assert ApiClient(member).delete(f"{W}/acme/members/{guest.pk}").status_code == 403
    assert Membership.objects.filter(user=guest).exists()


# --- invitations


def test_invite_list_and_revoke(api, workspace):
    response = api.post(f"{W}/acme/invitations", {"email": "New@Example.com", "role": "guest"})
    assert response.status_code == 201
    body = response.json()
    assert (body["email"], body["role"]) == ("new@example.com", "guest")
    assert body["invited_by"]["username"] == "owner"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new@example.com"]
    # The link's token is only in the email: the answer and the database hold no raw token.
    assert "token" not in body
    assert [i["id"] for i in api.get(f"{W}/acme/invitations").json()] == [body["id"]]

    assert api.delete(f"{W}/acme/invitations/{body['id']}").status_code == 204
    assert api.get(f"{W}/acme/invitations").json() == []
    assert Invitation.objects.get(pk=body["id"]).revoked_at is not None
    assert api.delete(f"{W}/acme/invitations/{body['id']}").status_code == 404


def test_invite_rejects_bad_email_and_existing_member(api, workspace, member):
    response = api.post(f"{W}/acme/invitations", {"email": "not-an-email"})
    assert (response.status_code, response.json()["field"]) == (400, "email")
    response = api.post(f"{W}/acme/invitations", {"email": "member@example.com"})
    assert (response.status_code, response.json()["field"]) == (400, "email")
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_members_cannot_invite_or_see_invitations(workspace, member):
    client = ApiClient(member)
    assert client.post(f"{W}/acme/invitations", {"email": "a@example.com"}).status_code == 403
    assert client.get(f"{W}/acme/invitations").status_code == 403
    assert not Invitation.objects.exists()


def test_admin_cannot_invite_an_owner(workspace, admin_user):
    response = ApiClient(admin_user).post(
        f"{W}/acme/invitations", {"email": "boss@example.com", "role": "owner"}
    )
    assert response.status_code == 403


def test_invitation_of_another_workspace_is_404(api, workspace, owner):
    other = ApiClient(add_member(workspace, "other-admin", Role.ADMIN))
    other.post(W, {"slug": "other", "name": "Other"})
    invitation = other.post(f"{W}/other/invitations", {"email": "x@example.com"}).json()
    assert api.delete(f"{W}/acme/invitations/{invitation['id']}").status_code == 404
    assert Invitation.objects.get(pk=invitation["id"]).revoked_at is None
