"""Two requests at once, in a fixed order: the first reads its object, the second runs
to the end and commits, then the first writes. The order that loses an update when an
action saves the copy it read (opsloop/core/rows.py), made certain rather than left to
the scheduler. Each request runs in a thread of its own, with its own database
connection, so the tests that use it need real commits (transactional_db)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any

from django.db import connections

WAIT = 30  # seconds; a request that takes longer has hung


def first_reads_second_writes(
    monkeypatch,
    module: ModuleType,
    action: str,
    first: Callable[[], Any],
    second: Callable[[], Any],
) -> tuple[Any, Any]:
    """Run first() in a thread until it calls module.<action> (its object read, nothing
    written yet), run second() in another thread to the end, then let first() go on.
    Returns both results; re-raises what either raised."""
    real = getattr(module, action)
    first_read = threading.Event()
    second_done = threading.Event()
    first_thread: list[threading.Thread] = []

    def paused(*args: Any, **kwargs: Any) -> Any:
        if threading.current_thread() is first_thread[0]:
            first_read.set()
            assert second_done.wait(WAIT), "the second request did not finish"
        return real(*args, **kwargs)

    monkeypatch.setattr(module, action, paused)
    results: dict[str, Any] = {}

    def run(name: str, call: Callable[[], Any], after: threading.Event | None) -> None:
        try:
            results[name] = call()
        except BaseException as error:  # noqa: BLE001 (re-raised in the test's thread)
            results[name] = error
        finally:
            connections.close_all()
            if after is not None:
                after.set()

    one = threading.Thread(target=run, args=("first", first, None))
    first_thread.append(one)
    one.start()
    assert first_read.wait(WAIT), "the first request never reached the action"
    two = threading.Thread(target=run, args=("second", second, second_done))
    two.start()
    two.join(WAIT)
    one.join(WAIT)
    for name in ("first", "second"):
        if isinstance(results.get(name), BaseException):
            raise results[name]
    return results["first"], results["second"]


def two_patches_at_once(
    monkeypatch, user, module: ModuleType, action: str, url: str, first: dict, second: dict
) -> tuple[dict, dict]:
    """PATCH `url` twice as `user`, in the order above (first_reads_second_writes), both
    through the API; both must answer 200. Returns the first answer's body and the object
    as the API reads it afterwards."""
    from tests.conftest import ApiClient

    one_client, two_client = ApiClient(user), ApiClient(user)
    one, two = first_reads_second_writes(
        monkeypatch,
        module,
        action,
        lambda: one_client.patch(url, first),
        lambda: two_client.patch(url, second),
    )
    assert (one.status_code, two.status_code) == (200, 200), (one.json(), two.json())
    return one.json(), one_client.get(url).json()
