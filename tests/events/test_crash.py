"""Every acknowledged event is stored exactly once, however often the server dies.

A real `opsloop run` (gunicorn, its web process and its events flusher) takes batches from
the official Segment client in sync mode: a call returns only after the HTTP answer, so
a call that returned is an acknowledged batch. The whole process group is SIGKILLed
several times mid-stream and started again; the client resends what failed, as real
clients do. Then one last flush, and every acknowledged message id must be in the store
once, and no id twice.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from segment.analytics import Client
from segment.analytics.request import post

from opsloop.events.store.parquet import ParquetStore
from tests.test_cli import OPSLOOP, ROOT, cli_env, free_port, run_cli, wait_for_http

KILLS = 3
BATCHES = 400
BATCH_SIZE = 20


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    with log.open("a") as log_file:
        return subprocess.Popen(
            [*OPSLOOP, "run", "--host", "127.0.0.1", "--port", str(port), "--no-worker"],
            env=env,
            cwd=ROOT,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            # Its own process group: a SIGKILL of the group takes the flusher too.
            start_new_session=True,
        )


def kill_group(server: subprocess.Popen, signum: int = signal.SIGKILL) -> None:
    try:
        os.killpg(server.pid, signum)
    except ProcessLookupError:
        return
    server.wait(60)


def test_acknowledged_events_are_stored_exactly_once_across_kills(tmp_path):
    data_dir = tmp_path / "data"
    env = cli_env(data_dir)
    for command in (
        ["migrate", "--noinput"],
        ["createsuperuser", "--noinput", "--username", "ops", "--email", "ops@example.com"],
        ["workspace", "create", "acme", "--owner", "ops"],
    ):
        done = run_cli(*command, env={**env, "DJANGO_SUPERUSER_PASSWORD": "x-Y-z-12345678"})
        assert done.returncode == 0, done.stderr
    made = run_cli("source", "create", "--workspace", "acme", "App", env=env)
    assert made.returncode == 0, made.stderr
    write_key = made.stdout.strip().splitlines()[-1]

    port = free_port()
    host = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    server = start_server(env, port, log)
    wait_for_http(f"{host}/accounts/login/", server, log)

    # Messages as the client makes them (send=False returns them), sent as batches.
    builder = Client(write_key, host=host, send=False)
    acknowledged: set[str] = set()
    failures = 0
    sent_all = threading.Event()
    kills_done = threading.Event()
    state = {"server": server}

    progress = {"acknowledged_batches": 0}

    def killer() -> None:
        rng = random.Random(7)  # noqa: S311
        for kill in range(KILLS):
            # Kill while batches are flowing: after some more were acknowledged, at a
            # moment chosen at random within the next requests.
            threshold = (kill + 1) * BATCHES // (KILLS + 2)
            while progress["acknowledged_batches"] < threshold and not sent_all.is_set():
                time.sleep(0.005)
            time.sleep(rng.uniform(0, 0.05))
            kill_group(state["server"])
            state["server"] = start_server(env, port, log)
            wait_for_http(f"{host}/accounts/login/", state["server"], log)
        kills_done.set()

    killing = threading.Thread(target=killer, daemon=True)
    killing.start()
    deadline = time.monotonic() + 600
    try:
        for number in range(BATCHES):
            batch = [
                builder.track(
                    user_id=f"user-{(number * BATCH_SIZE + n) % 37}",
                    event="order_paid",
                    properties={"n": n},
                    message_id=f"b{number}-{n}",
                )[1]
                for n in range(BATCH_SIZE)
            ]
            while True:
                assert time.monotonic() < deadline, "the server did not come back"
                try:
                    post(write_key, host, timeout=10, batch=batch)
                except Exception:  # noqa: BLE001 (refused, reset, 5xx: not acknowledged)
                    failures += 1
                    time.sleep(0.1)
                    continue
                acknowledged.update(message["messageId"] for message in batch)
                progress["acknowledged_batches"] += 1
                break
        sent_all.set()
        killing.join(300)
    finally:
        kill_group(state["server"], signal.SIGTERM)

    # What the killed flushers left pending is redone, the rest of the inbox flushed.
    flushed = run_cli("events", "flush", env=env, timeout=300)
    assert flushed.returncode == 0, flushed.stderr
    flushed = run_cli("events", "flush", env=env, timeout=300)
    assert flushed.returncode == 0, flushed.stderr

    store = ParquetStore(data_dir / "events")
    counts = dict(store.sql(1, "SELECT message_id, count(*) FROM events GROUP BY 1"))
    assert len(acknowledged) == BATCHES * BATCH_SIZE
    assert failures > 0, "no batch failed: the kills missed the stream"
    assert log.read_text().count("Event flusher started") == KILLS + 1
    missing = acknowledged - set(counts)
    doubled = {message_id: n for message_id, n in counts.items() if n != 1}
    assert not missing, f"{len(missing)} acknowledged events lost, e.g. {sorted(missing)[:5]}"
    assert not doubled, f"stored more than once: {sorted(doubled.items())[:5]}"


pytestmark = pytest.mark.skipif(
    os.environ.get("OPSLOOP_SKIP_SLOW") == "1", reason="OPSLOOP_SKIP_SLOW=1"
)
