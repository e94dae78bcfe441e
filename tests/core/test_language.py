"""What reaches people while they are away is written in their language: the one they
chose, else the one they last signed in with."""

from __future__ import annotations

from django.test import Client
from django.utils.translation import gettext as _

from opsloop.core.models import User
from opsloop.inbox.actions import do_notify
from opsloop.inbox.models import Notification
from tests.conftest import PASSWORD


def _sign_in(user, accept_language: str) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE=accept_language)
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


def _notify(workspace, recipient, actor) -> Notification:
    (row,) = do_notify(
        workspace_id=workspace.pk,
        recipients=[recipient],
        actor=actor,
        kind="assigned",
        title=lambda: _("Inbox"),
        url="/w/acme/",
    )
    return row


def test_signing_in_remembers_the_language_for_later_messages(workspace, owner, member):
    assert member.language == ""
    assert _notify(workspace, member, owner).title == "Inbox"  # nothing known: the default
    _sign_in(member, "zh-CN,zh;q=0.9")
    member.refresh_from_db()
    assert member.last_language == "zh-hans" and member.message_language == "zh-hans"
    assert _notify(workspace, member, owner).title == "收件箱"
    _sign_in(member, "en-US,en;q=0.9")
    assert User.objects.get(pk=member.pk).message_language == "en"


def test_a_chosen_language_wins_and_is_kept(workspace, owner, member):
    member.language = "zh-hans"
    member.save()
    _sign_in(member, "en-US,en;q=0.9")
    member.refresh_from_db()
    assert member.last_language == ""
    assert _notify(workspace, member, owner).title == "收件箱"
