"""What the channels tests share: an event store of their own (the short link's clicks
go through the inbox and the flusher into it), and members in each role."""

from __future__ import annotations

import pytest
from django.test import Client

from opsloop.channels import actions
from opsloop.channels.schemas import LinkIn
from opsloop.events import flusher, ingest_views, keys, ratelimit
from tests.conftest import PASSWORD, membership_of


@pytest.fixture(autouse=True)
def _own_store(settings, tmp_path, monkeypatch):
    settings.DATA_DIR = tmp_path
    settings.EVENTS_BACKEND = "duckdb"
    settings.INSIGHTS_PERSONS_TTL = 0
    # The flusher drops stale connections between passes, as Django does between
    # requests; inside a test's transaction that would close the test's own.
    monkeypatch.setattr(flusher, "close_old_connections", lambda: None)
    monkeypatch.setattr(ingest_views, "close_old_connections", lambda: None)
    keys.clear_cache()
    ratelimit.reset()
    yield
    keys.clear_cache()


@pytest.fixture
def owner_ms(owner, workspace):
    return membership_of(owner, workspace)


@pytest.fixture
def member_ms(member, workspace):
    return membership_of(member, workspace)


@pytest.fixture
def guest_ms(guest, workspace):
    return membership_of(guest, workspace)


@pytest.fixture
def admin_ms(admin_user, workspace):
    return membership_of(admin_user, workspace)


def client_of(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def make_link(actor, **values):
    data = {
        "destination": "https://shop.example.com/d11?from=app",
        "utm_source": "xiaohongshu",
        "utm_medium": "social",
        "utm_campaign": "d11",
        **values,
    }
    return actions.do_create_link(actor=actor, data=LinkIn(**data))


def flush() -> int:
    """Store what waits in the inbox, as the running flusher would."""
    return flusher.drain()
