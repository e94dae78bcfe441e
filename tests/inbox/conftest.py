"""Fixtures of the inbox tests: a real local SMTP server, people, and helpers to change items."""

from __future__ import annotations

import socket
import time
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller

from opsloop.core.models import Role
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ItemPatch
from tests.conftest import add_member, membership_of


class Mailbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"

    def wait(self, n: int, timeout: float = 5) -> None:
        deadline = time.monotonic() + timeout
        while len(self.messages) < n and time.monotonic() < deadline:
            time.sleep(0.02)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _use_smtp(settings, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False


@pytest.fixture
def smtp(settings):
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    _use_smtp(settings, controller.port)
    yield mailbox
    controller.stop()


@pytest.fixture
def smtp_down(settings):
    """Email settings pointing at a port where nothing listens."""
    _use_smtp(settings, free_port())


def subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def parts(message) -> dict[str, str]:
    """The decoded text and HTML bodies of a message, by content type."""
    out = {}
    for part in message.walk():
        if part.get_content_maintype() == "text":
            payload = part.get_payload(decode=True)
            out[part.get_content_type()] = payload.decode(part.get_content_charset() or "utf-8")
    return out


@pytest.fixture
def zhang(workspace):
    """The member who does things (张敏, Chinese UI)."""
    user = add_member(workspace, "zhangmin", Role.MEMBER)
    user.display_name = "张敏"
    user.language = "zh-hans"
    user.save()
    return user


@pytest.fixture
def li(workspace):
    """The member things happen to (李雷, English UI)."""
    user = add_member(workspace, "lilei", Role.MEMBER)
    user.display_name = "李雷"
    user.language = "en"
    user.save()
    return user


def update(user, workspace, item, **fields):
    return work_actions.do_update_item(
        actor=membership_of(user, workspace), item=item, data=ItemPatch(**fields)
    )


def state_of(project, group: str) -> int:
    return project.states.get(group=group).pk


@pytest.fixture(autouse=True)
def _english_by_default():
    # A request by a Chinese-speaking user leaves Chinese active in the thread; names made
    # outside a request (a new project's states) would follow it.
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()
