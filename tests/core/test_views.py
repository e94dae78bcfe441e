"""Account and workspace pages: sign-up, login, password reset, invitations, language, tokens."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from opsloop.core.models import ApiToken, AuditLog, Invitation, Membership, Role, User
from opsloop.core.queries import hash_token
from tests.conftest import PASSWORD, make_user, membership_of


@pytest.fixture
def client_of():
    def make(user):
        client = Client()
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return make


def test_sign_up_logs_in_and_leads_to_creating_a_workspace(db):
    client = Client()
    response = client.post(
        "/accounts/signup/",
        {
            "username": "mei",
            "email": "mei@example.com",
            "password": PASSWORD,
            "display_name": "美美",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="mei")
    assert user.check_password(PASSWORD) and user.display_name == "美美"
    assert client.get("/").status_code == 200  # no workspace yet: the chooser page
    response = client.post("/workspaces/new/", {"name": "美美的团队", "slug": "mei-team"})
    assert response.status_code == 302 and response["Location"] == "/w/mei-team/"
    assert Membership.objects.get(user=user).role == Role.OWNER


def test_sign_up_rejects_weak_password_and_taken_names_with_a_message(owner):
    client = Client()
    response = client.post(
        "/accounts/signup/", {"username": "x1", "email": "x1@example.com", "password": "123"}
    )
    assert response.status_code == 400
    assert "password" in response.content.decode().lower() or "密码" in response.content.decode()
    response = client.post(
        "/accounts/signup/", {"username": "owner", "email": "o2@example.com", "password": PASSWORD}
    )
    assert response.status_code == 400 and "taken" in response.content.decode()
    assert User.objects.count() == 1


def test_workspace_slug_must_be_valid_and_unique(owner, workspace, client_of):
    client = client_of(owner)
    assert client.post("/workspaces/new/", {"name": "B", "slug": "Bad Slug!"}).status_code == 400
    response = client.post("/workspaces/new/", {"name": "Again", "slug": "acme"})
    assert response.status_code == 400 and "already exists" in response.content.decode()


def test_login_logout_and_rate_limit(owner, settings):
    client = Client()
    response = client.post("/accounts/login/", {"username": "owner", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/account/").status_code == 302
    from django.core.cache import cache

    cache.clear()
    # Per hour: the limiter's windows are fixed, and a test that ran across the end of a
    # one-minute window on a busy machine found its count started again.
    settings.LOGIN_RATE = "3/h"
    attacker = Client(REMOTE_ADDR="10.0.0.9")
    codes = [
        attacker.post("/accounts/login/", {"username": "owner", "password": "wrong"}).status_code
        for _ in range(5)
    ]
    assert codes[:3] == [200, 200, 200] and codes[-1] == 429
    cache.clear()


def guesses(client: Client, path: str, data: dict, n: int) -> list[int]:
    return [client.post(path, data).status_code for _ in range(n)]


def test_every_form_that_checks_a_password_is_rate_limited_per_address(owner, settings):
    """The admin's login, changing one's password and the login form count together."""
    settings.LOGIN_RATE = "4/h"
    attacker = Client(REMOTE_ADDR="10.0.0.7")
    wrong = {"username": "owner", "password": "wrong"}
    assert guesses(attacker, "/admin/login/", wrong, 2) == [200, 200]
    assert guesses(attacker, "/accounts/login/", wrong, 2) == [200, 200]
    # The fifth guess at either, and the right password too, is refused.
    assert guesses(attacker, "/admin/login/", wrong, 1) == [429]
    right = {"username": "owner", "password": PASSWORD}
    assert guesses(attacker, "/admin/login/", right, 1) == [429]
    assert guesses(attacker, "/accounts/login/", right, 1) == [429]
    assert attacker.post("/admin/login/", wrong)["Retry-After"] == "60"


def test_one_accounts_guesses_are_limited_across_addresses(owner, settings):
    settings.LOGIN_RATE = "3/h"
    codes = [
        Client(REMOTE_ADDR=f"10.0.1.{i}")
        .post("/accounts/login/", {"username": "OWNER", "password": f"guess-{i}"})
        .status_code
        for i in range(5)
    ]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    # Another account from those addresses is not refused for it.
    other = Client(REMOTE_ADDR="10.0.1.9")
    assert (
        other.post("/accounts/login/", {"username": "someone", "password": "x"}).status_code == 200
    )


def test_changing_ones_password_is_rate_limited_per_account(owner, settings):
    settings.LOGIN_RATE = "2/h"
    client = Client()
    client.force_login(owner)
    data = {
        "old_password": "wrong",
        "new_password1": "n3w-Pass-word!",
        "new_password2": "n3w-Pass-word!",
    }
    codes = guesses(client, "/accounts/password/change/", data, 3)
    assert codes == [200, 200, 429]


def test_password_reset_email_and_change(owner):
    client = Client()
    client.post("/accounts/password/reset/", {"email": "owner@example.com"})
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/accounts/password/reset/\S+/", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[-1]
    response = client.get(path, follow=True)
    form_path = response.redirect_chain[-1][0] if response.redirect_chain else path
    response = client.post(
        form_path, {"new_password1": "another-Strong-pw-9", "new_password2": "another-Strong-pw-9"}
    )
    assert response.status_code == 302
    assert User.objects.get(pk=owner.pk).check_password("another-Strong-pw-9")


def test_change_password(owner, client_of):
    client = client_of(owner)
    response = client.post(
        "/accounts/password/change/",
        {
            "old_password": PASSWORD,
            "new_password1": "brand-New-pass-77",
            "new_password2": "brand-New-pass-77",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(pk=owner.pk).check_password("brand-New-pass-77")


def test_invitation_by_email_link_joins_with_the_role(owner, workspace, client_of):
    client = client_of(owner)
    response = client.post(
        "/w/acme/members/", {"op": "invite", "email": "new@example.com", "role": "guest"}
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new@example.com"]
    link = re.search(r"https?://\S+/invite/\S+/", mail.outbox[0].body).group(0)
    path = "/invite/" + link.split("/invite/", 1)[1]
    invitation = Invitation.objects.get()
    assert (
        invitation.token_hash == hash_token(path.split("/")[2])
        and path.split("/")[2] not in invitation.token_hash
    )
    newcomer = Client()
    assert newcomer.get(path).status_code == 200
    newcomer.post(
        "/accounts/signup/?next=" + path,
        {"username": "newbie", "email": "new@example.com", "password": PASSWORD, "next": path},
    )
    assert newcomer.post(path).status_code == 302
    assert Membership.objects.get(user__username="newbie", workspace=workspace).role == Role.GUEST
    assert newcomer.get(path).status_code == 404  # used once
    assert AuditLog.objects.filter(action="member.join").exists()


def test_member_cannot_invite_and_admin_cannot_make_owners(
    workspace, member, admin_user, client_of
):
    assert (
        client_of(member)
        .post("/w/acme/members/", {"op": "invite", "email": "a@b.cn", "role": "member"})
        .status_code
        == 403
    )
    response = client_of(admin_user).post(
        "/w/acme/members/", {"op": "role", "user_id": member.pk, "role": "owner"}
    )
    assert response.status_code == 403
    assert membership_of(member, workspace).role == Role.MEMBER


def test_last_owner_cannot_leave(owner, workspace, client_of):
    response = client_of(owner).post("/w/acme/members/", {"op": "remove", "user_id": owner.pk})
    assert response.status_code == 409
    assert membership_of(owner, workspace).role == Role.OWNER


def test_language_follows_browser_then_the_users_choice(owner, workspace, client_of):
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert 'lang="zh-hans"' in anonymous.get("/accounts/login/").content.decode()
    client = client_of(owner)
    response = client.post("/language/", {"language": "zh-hans", "next": "/w/acme/"})
    assert response.status_code == 302 and response["Location"] == "/w/acme/"
    assert User.objects.get(pk=owner.pk).language == "zh-hans"
    assert 'lang="zh-hans"' in client.get("/w/acme/").content.decode()
    client.post("/language/", {"language": "en", "next": "https://evil.example/"})
    assert 'lang="en"' in client.get("/w/acme/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()


def test_tokens_are_shown_once_stored_hashed_and_revocable(owner, client_of):
    client = client_of(owner)
    response = client.post("/account/", {"op": "token", "name": "BI 同步"})
    raw = re.search(r"opl_[A-Za-z0-9_-]+", response.content.decode()).group(0)
    token = ApiToken.objects.get(user=owner)
    assert token.token_hash == hash_token(raw) and raw not in token.token_hash
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/me").status_code == 200
    client.post("/account/", {"op": "revoke", "token_id": token.pk})
    assert api.get("/api/v1/me").status_code == 401
    assert raw not in client.get("/account/").content.decode()


def test_a_member_can_leave_from_the_members_page(workspace, member, client_of):
    client = client_of(member)
    response = client.post("/w/acme/members/", {"op": "remove", "user_id": member.pk})
    assert response.status_code == 302 and response["Location"] == "/"
    assert not Membership.objects.filter(workspace=workspace, user=member).exists()
    assert client.get("/w/acme/").status_code == 404


def test_account_page_links_to_notification_settings(owner, workspace, client_of):
    body = client_of(owner).get("/account/").content.decode()
    assert '/w/acme/inbox/preferences/"' in body
    loner = make_user("loner")
    # Someone in no workspace has no inbox to set up.
    assert "inbox/preferences" not in client_of(loner).get("/account/").content.decode()
