"""Each source's events-per-second limit (Source.rate_limit), as a token bucket.

A source may send `rate` events a second on average, and bursts of up to BURST_SECONDS'
worth at once. A request of n events is let in when the bucket holds at least n tokens
(or is full, for a batch larger than the bucket, so that a big batch is never refused
for ever) and takes n tokens, which may leave the bucket in debt; refused, it is told how
long to wait (Retry-After) until the tokens it needs are there.

The buckets live in the web process's memory, not in the Django cache: taking tokens is a
lock and some arithmetic, where the cache would be a round trip (to Redis) on every
ingestion request, at the throughput ingestion is built for. The cost is that each web
process keeps its own buckets, so with N processes (`opsloop run --workers N`) a source
can send up to N times its limit. `opsloop run` starts one process unless a shared cache
is configured; docs/events-ingestion.md says so.
"""

from __future__ import annotations

import math
import threading
import time

BURST_SECONDS = 2.0


class TokenBucket:
    """`rate` tokens a second, up to `capacity`; not thread-safe by itself."""

    __slots__ = ("rate", "capacity", "tokens", "updated")

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.updated = now

    def take(self, n: int, now: float) -> float:
        """Take n tokens and answer 0, or take none and answer the seconds to wait."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        needed = min(float(n), self.capacity)
        if self.tokens >= needed:
            self.tokens -= n
            return 0.0
        return (needed - self.tokens) / self.rate


_buckets: dict[int, TokenBucket] = {}
_lock = threading.Lock()


def admit(source_id: int, rate: int | None, n: int) -> int:
    """Let n events of a source in (0), or the whole seconds to wait before trying again."""
    if not rate or rate <= 0 or n <= 0:
        return 0
    now = time.monotonic()
    capacity = max(rate * BURST_SECONDS, 1.0)
    with _lock:
        bucket = _buckets.get(source_id)
        if bucket is None or bucket.rate != rate:
            bucket = _buckets[source_id] = TokenBucket(float(rate), capacity, now)
        wait = bucket.take(n, now)
    return max(1, math.ceil(wait)) if wait > 0 else 0


def reset() -> None:
    """Forget every bucket (tests)."""
    with _lock:
        _buckets.clear()
