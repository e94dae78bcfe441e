"""What the goals tests share: the owner's membership, and an event store of their own."""

from __future__ import annotations

import pytest

from tests.conftest import membership_of


@pytest.fixture(autouse=True)
def _own_store(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.EVENTS_BACKEND = "duckdb"
    settings.INSIGHTS_PERSONS_TTL = 0


@pytest.fixture
def owner_ms(owner, workspace):
    return membership_of(owner, workspace)
