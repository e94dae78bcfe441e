"""Write keys to sources, for ingestion: `source_for_key(raw)`.

A write key is stored only as its SHA-256 (WriteKey.key_hash), so a lookup hashes the key
it is given and finds the unrevoked key with that hash. Ingestion asks on every request,
so answers (found or not) are kept in this process for CACHE_SECONDS: a key revoked, or a
source's rate limit changed, takes effect within that time, in every process, without any
signal between them. A key created after a failed attempt with it also works within that
time. Keys are created and revoked by opsloop/events/actions.py.
"""

from __future__ import annotations

import threading
import time

from opsloop.core.queries import hash_token
from opsloop.events.models import Source, WriteKey

CACHE_SECONDS = 5.0
# More distinct keys than this (someone trying keys) empty the cache rather than grow it.
CACHE_SIZE = 10_000
# Longer than any key opsloop makes; a longer "key" is not looked up at all.
MAX_KEY_LENGTH = 200

_cache: dict[str, tuple[float, Source | None]] = {}
_lock = threading.Lock()


def source_for_key(raw: str) -> Source | None:
    """The source of this write key, or None for an unknown or revoked key.

    The source returned may be shared between threads: read it, never change it."""
    if not raw or len(raw) > MAX_KEY_LENGTH:
        return None
    digest = hash_token(raw)  # SHA-256, as actions.py stores it
    now = time.monotonic()
    hit = _cache.get(digest)
    if hit is not None and hit[0] > now:
        return hit[1]
    key = (
        WriteKey.objects.select_related("source")
        .filter(key_hash=digest, revoked_at__isnull=True)
        .first()
    )
    source = key.source if key is not None else None
    with _lock:
        if len(_cache) >= CACHE_SIZE:
            _cache.clear()
        _cache[digest] = (now + CACHE_SECONDS, source)
    return source


def clear_cache() -> None:
    """Forget every cached answer (tests; a revocation that must act at once here)."""
    with _lock:
        _cache.clear()
