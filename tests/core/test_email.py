"""Email leaves through SMTP when configured: a real local SMTP server receives it."""

from __future__ import annotations

import socket
import time
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from django.test import Client

from opsloop.core import actions
from tests.conftest import membership_of


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield inbox
    controller.stop()


def _wait(inbox: Inbox, n: int) -> None:
    deadline = time.monotonic() + 5
    while len(inbox.messages) < n and time.monotonic() < deadline:
        time.sleep(0.02)


def _text(message) -> str:
    part = message.get_payload(0) if message.is_multipart() else message
    return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")


def test_password_reset_mail_reaches_the_smtp_server(owner, smtp):
    Client().post("/accounts/password/reset/", {"email": "owner@example.com"})
    _wait(smtp, 1)
    recipients, message = smtp.messages[0]
    assert recipients == ["owner@example.com"]
    assert "/accounts/password/reset/" in _text(message)


def test_invitation_mail_reaches_the_smtp_server_in_the_inviters_language(owner, workspace, smtp):
    owner.language = "zh-hans"
    owner.save()
    sent = actions.do_invite_member(
        actor=membership_of(owner, workspace), email="kol@example.com", role="guest"
    )
    _wait(smtp, 1)
    recipients, message = smtp.messages[0]
    assert recipients == ["kol@example.com"]
    assert sent.url in _text(message)
    assert "Acme 运营" in str(make_header(decode_header(message["Subject"])))
