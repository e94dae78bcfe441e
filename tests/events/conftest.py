"""Every events test gets a data dir of its own (inbox, flusher state, Parquet), so no
test reads another's events, and starts with no cached write keys or rate buckets."""

from __future__ import annotations

import pytest

from opsloop.events import keys, ratelimit


@pytest.fixture(autouse=True)
def store_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.EVENTS_BACKEND = "duckdb"
    keys.clear_cache()
    ratelimit.reset()
    yield tmp_path
    keys.clear_cache()
    ratelimit.reset()
