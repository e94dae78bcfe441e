"""Every events test gets a data dir of its own (inbox, flusher state, Parquet), so no
test reads another's events, and starts with no cached write keys or rate buckets."""

from __future__ import annotations

import pytest

from opsloop.events import flusher, ingest_views, keys, ratelimit


@pytest.fixture(autouse=True)
def _keep_the_tests_connection(monkeypatch):
    # The ingestion fast path and the flusher's loop drop stale database connections, as
    # Django does around a request. Inside a test's transaction that would close the
    # test's own connection (PostgreSQL's; SQLite's in-memory one survives), so they
    # leave it alone here, as Django's test client stops its request signals doing.
    monkeypatch.setattr(ingest_views, "close_old_connections", lambda: None)
    monkeypatch.setattr(flusher, "close_old_connections", lambda: None)


@pytest.fixture(autouse=True)
def store_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.EVENTS_BACKEND = "duckdb"
    keys.clear_cache()
    ratelimit.reset()
    yield tmp_path
    keys.clear_cache()
    ratelimit.reset()
