"""How fast opsloop takes events over HTTP, durable, beside what one process could do.

Starts `opsloop run --no-worker` (gunicorn, as installed) on a fresh data dir with a
migrated SQLite database and one source's write key, then drives POST /v1/batch from
concurrent clients (processes of threads, each a keep-alive connection) with batches of
realistic events for a while, and reports the events a second acknowledged (each 200
means fsync'd to the inbox) and the p50/p99 time to the acknowledgement. Beside it, the
in-process ceiling: the same bodies parsed, normalised and appended with fsync in a loop
by ingest.handle, no HTTP. Then the flusher over what the run left in the inbox, and the
Parquet it makes. Prints a Markdown section and writes it to docs/benchmarks.md.

    .venv/bin/python scripts/bench_events.py --seconds 20 --clients 2 --threads 8

`--flusher-only N` times the flusher alone: it fills a fresh inbox with N events of the
same batches through ingest.handle (no HTTP, no server), then times `opsloop events
flush` over it and prints one line; `--profile FILE` instead runs that flush in this
process under cProfile and writes the stats to FILE. Neither touches docs/benchmarks.md.

    .venv/bin/python scripts/bench_events.py --flusher-only 600000
"""

from __future__ import annotations

import argparse
import base64
import http.client
import multiprocessing
import os
import platform
import random
import secrets
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson
from benchreport import write_section

ROOT = Path(__file__).resolve().parent.parent
OPSLOOP = [sys.executable, "-m", "opsloop.cli"]
BEGIN = "<!-- bench-events:begin -->"
END = "<!-- bench-events:end -->"
TARGET_RATE = 50_000
MESSAGE_SLOT = b"@request@@@@"  # 12 bytes, replaced by each request's own number
TARGET_P99_MS = 100.0

PAGES = ["/", "/d11", "/p/1001", "/p/1002", "/cart", "/checkout", "/me"]
EVENTS = ["Product Viewed", "Product Added", "Checkout Started", "Order Completed", "Searched"]
SOURCES = [("wechat", "article"), ("douyin", "video"), ("weibo", "social"), ("", "")]


def realistic_batch(rng: random.Random, size: int) -> bytes:
    """A Segment batch as analytics clients send it: track and page calls with context."""
    now = datetime.now(tz=timezone.utc)
    events = []
    for _ in range(size):
        user = rng.randrange(50_000)
        path = rng.choice(PAGES)
        utm_source, utm_medium = rng.choice(SOURCES)
        context = {
            "library": {"name": "analytics.js", "version": "5.2.0"},
            "page": {
                "url": f"https://shop.example.com{path}?utm_source={utm_source}",
                "path": path,
                "referrer": "https://www.baidu.com/",
                "title": "双十一主会场",
            },
            "campaign": {"source": utm_source, "medium": utm_medium, "name": "d11"},
            "userAgent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148",
            "locale": "zh-CN",
            "device": {"type": "mobile"},
            "os": {"name": "iOS", "version": "17.0"},
        }
        event = {
            # Each request makes its messages its own (MESSAGE_SLOT), so that the flusher
            # stores every event sent rather than dropping the resent copies.
            "messageId": f"{uuid.UUID(int=rng.getrandbits(128))}-{MESSAGE_SLOT.decode()}",
            "anonymousId": f"anon-{user}",
            "timestamp": (now - timedelta(seconds=rng.random() * 5)).isoformat(),
            "context": context,
        }
        if rng.random() < 0.6:
            event["userId"] = f"user-{user}"
        if rng.random() < 0.3:
            event.update(type="page", name="Product", properties={"path": path})
        else:
            event.update(
                type="track",
                event=rng.choice(EVENTS),
                properties={
                    "sku": f"SKU-{rng.randrange(900)}",
                    "price": rng.randrange(10, 999),
                    "currency": "CNY",
                },
            )
        events.append(event)
    return orjson.dumps({"batch": events, "sentAt": now.isoformat()})


# --- the server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(data_dir: Path) -> str:
    """Migrate a fresh database in data_dir and make a workspace, a source and its key."""
    env = {**os.environ, "OPSLOOP_DATA_DIR": str(data_dir)}
    subprocess.run(
        [*OPSLOOP, "migrate", "--noinput"], env=env, check=True, capture_output=True, cwd=ROOT
    )
    raw = "olk_" + secrets.token_urlsafe(24)
    script = (
        "from opsloop.core import actions; from opsloop.core.queries import hash_token; "
        "from opsloop.events.models import Source, WriteKey; "
        "u = actions.do_signup(username='bench', email='bench@example.com', password='bench-pass-42x'); "
        "w = actions.do_create_workspace(actor=u, slug='bench', name='Bench'); "
        "s = Source.objects.create(workspace=w, name='Bench'); "
        f"WriteKey.objects.create(source=s, prefix={raw[:8]!r}, key_hash=hash_token({raw!r}))"
    )
    subprocess.run(
        [*OPSLOOP, "shell", "-c", script], env=env, check=True, capture_output=True, cwd=ROOT
    )
    return raw


def start_server(
    data_dir: Path, port: int, workers: int, threads: int, flusher: bool
) -> subprocess.Popen:
    env = {**os.environ, "OPSLOOP_DATA_DIR": str(data_dir)}
    command = [*OPSLOOP, "run", "--no-worker", "--port", str(port), "--threads", str(threads)]
    if not flusher:
        command.append("--no-flusher")  # measure ingestion alone, not the flusher beside it
    if workers:
        command += ["--workers", str(workers)]
    server = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("opsloop run did not start listening within 60 s")


# --- the clients


def client_process(
    port: int,
    key: str,
    bodies: list[bytes],
    threads: int,
    start: float,
    stop: float,
    out,
    tag: int,
) -> None:
    auth = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
    results: list[tuple[int, list[float], int]] = []
    lock = threading.Lock()

    def run(thread: int) -> None:
        offset = thread * 7
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        latencies: list[float] = []
        ok = failed = 0
        n = offset
        headers = {"Content-Type": "application/json", "Authorization": auth}
        while time.time() < start:
            time.sleep(0.001)
        while time.time() < stop:
            request = f"{tag:02x}{thread:02x}{n:08x}".encode()
            body = bodies[n % len(bodies)].replace(MESSAGE_SLOT, request)
            n += 1
            began = time.perf_counter()
            try:
                connection.request("POST", "/v1/batch", body, headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                failed += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            if response.status == 200:
                ok += 1
                latencies.append(time.perf_counter() - began)
            else:
                failed += 1
        with lock:
            results.append((ok, latencies, failed))

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    out.put(
        (
            sum(ok for ok, _l, _f in results),
            [lat for _ok, lats, _f in results for lat in lats],
            sum(failed for _ok, _l, failed in results),
        )
    )


def drive(
    server_pid: int,
    port: int,
    key: str,
    bodies: list[bytes],
    clients: int,
    threads: int,
    seconds: float,
    warmup: float,
):
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    start = time.time() + 1.0 + warmup
    stop = start + seconds
    # Warm-up: a short run first, not counted (key cache, imports, first inbox segment).
    procs = [
        context.Process(
            target=client_process,
            args=(port, key, bodies, threads, time.time() + 0.5, start - 0.2, queue, 0x80 + i),
        )
        for i in range(clients)
    ]
    for proc in procs:
        proc.start()
    for _ in procs:
        queue.get()
    for proc in procs:
        proc.join()
    procs = [
        context.Process(
            target=client_process, args=(port, key, bodies, threads, start, stop, queue, i)
        )
        for i in range(clients)
    ]
    for proc in procs:
        proc.start()
    while time.time() < start:
        time.sleep(0.005)
    cpu_before = cpu_seconds(server_pid)
    loads = []
    sampler_stop = threading.Event()

    def sample() -> None:
        while not sampler_stop.wait(1.0):
            loads.append(os.getloadavg()[0])

    threading.Thread(target=sample, daemon=True).start()
    ok = failed = 0
    latencies: list[float] = []
    for _ in procs:
        got_ok, got_latencies, got_failed = queue.get()
        ok += got_ok
        failed += got_failed
        latencies += got_latencies
    cpu = cpu_seconds(server_pid) - cpu_before
    children_before = os.times()
    for proc in procs:
        proc.join()
    sampler_stop.set()
    after = os.times()
    client_cpu = (after.children_user - children_before.children_user) + (
        after.children_system - children_before.children_system
    )
    return ok, failed, sorted(latencies), loads, cpu, client_cpu


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children still running."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, max(0, round(p / 100 * len(values) + 0.5) - 1))]


# --- the in-process ceiling


def ceiling(data_dir: Path, key: str, bodies: list[bytes], seconds: float, threads: int) -> float:
    """Events a second through ingest.handle and inbox.append (fsync), no HTTP: one process
    with `threads` threads, as one server process has, so fsyncs group-commit the same."""
    os.environ["OPSLOOP_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsloop.settings")
    import django

    django.setup()
    from opsloop.events.ingest import Incoming, handle

    auth = "Basic " + base64.b64encode(f"{key}:".encode()).decode()

    def one(body: bytes) -> int:
        reply = handle(
            Incoming(
                dialect="segment",
                call="batch",
                method="POST",
                read=lambda _n, body=body: body,
                content_length=len(body),
                authorization=auth,
                remote_addr="127.0.0.1",
            )
        )
        assert reply.status == 200, reply.body
        return int(dict(reply.headers)["X-Events-Accepted"])

    for body in bodies[:20]:
        one(body)
    counts = [0] * threads
    stop = time.perf_counter() + seconds

    def run(index: int) -> None:
        n = index * 11
        while time.perf_counter() < stop:
            counts[index] += one(bodies[n % len(bodies)])
            n += 1

    began = time.perf_counter()
    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(counts) / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="timed run (default 20)")
    parser.add_argument("--warmup", type=float, default=3.0, help="untimed run first (default 3)")
    parser.add_argument("--clients", type=int, default=2, help="client processes (default 2)")
    parser.add_argument(
        "--threads", type=int, default=8, help="connections per client process (default 8)"
    )
    parser.add_argument("--batch", type=int, default=100, help="events per request (default 100)")
    parser.add_argument(
        "--workers", type=int, default=0, help="server processes (default: opsloop run's)"
    )
    parser.add_argument(
        "--server-threads", type=int, default=8, help="threads per server process (default 8)"
    )
    parser.add_argument(
        "--flusher", action="store_true", help="let opsloop run start its events flusher too"
    )
    parser.add_argument("--no-report", action="store_true", help="leave docs/benchmarks.md alone")
    parser.add_argument(
        "--flusher-only",
        type=int,
        default=0,
        metavar="N",
        help="time the flusher alone over an inbox of N events made without HTTP",
    )
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="with --flusher-only: run the flush under cProfile and write its stats to FILE",
    )
    args = parser.parse_args()

    rng = random.Random(7)
    bodies = [realistic_batch(rng, args.batch) for _ in range(200)]
    if args.flusher_only:
        flusher_only(bodies, args.flusher_only, args.profile)
        return
    with tempfile.TemporaryDirectory(prefix="opsloop-bench-events-") as tmp:
        data_dir = Path(tmp)
        key = prepare(data_dir)
        port = free_port()
        server = start_server(data_dir, port, args.workers, args.server_threads, args.flusher)
        try:
            ok, failed, latencies, loads, cpu, client_cpu = drive(
                server.pid, port, key, bodies, args.clients, args.threads, args.seconds, args.warmup
            )
        finally:
            server.terminate()
            server.wait(30)
        http_rate = ok * args.batch / args.seconds
        inbox_bytes = sum(p.stat().st_size for p in (data_dir / "events" / "inbox").glob("*"))
        flushed = flush_and_measure(data_dir)
        processes = args.workers or 1
        ceiling_rate = ceilings(
            data_dir / "ceiling",
            key_for_ceiling(data_dir, key),
            bodies,
            min(args.seconds, 10),
            args.server_threads,
            processes,
        )

    concurrency = args.clients * args.threads
    body_kb = sum(len(b) for b in bodies) / len(bodies) / 1024
    flush_rate = flushed["rows"] / max(flushed["seconds"], 1e-9)
    command = (
        f".venv/bin/python scripts/bench_events.py --seconds {args.seconds:.0f} "
        f"--clients {args.clients} --threads {args.threads} --batch {args.batch}"
        f"{f' --workers {args.workers}' if args.workers else ''}"
        f" --server-threads {args.server_threads}{' --flusher' if args.flusher else ''}"
    )
    lines = [
        f"### Event ingestion, {datetime.now(tz=timezone.utc):%Y-%m-%d %H:%M} UTC",
        "",
        f"Reproduce: `{command}`.",
        "",
        f"- Machine: {os.cpu_count()} cores; Python {platform.python_version()}; "
        f"{platform.platform()}.",
        f"- `opsloop run --no-worker{'' if args.flusher else ' --no-flusher'}` "
        f"({args.workers or 'default'} process(es) x {args.server_threads} threads), "
        f"{concurrency} keep-alive clients ({args.clients} processes x {args.threads} threads) "
        f"on the same machine, `POST /v1/batch` of {args.batch} events ({body_kb:.0f} KB of "
        f"JSON each), {args.seconds:.0f} s after {args.warmup:.0f} s of warm-up.",
        f"- Load average (1 min) while timing: {min(loads, default=0):.1f} to "
        f"{max(loads, default=0):.1f}.",
        f"- Targets: at least {TARGET_RATE:,} events/s, p99 acknowledgement under "
        f"{TARGET_P99_MS:.0f} ms; the flusher keeps up with the rate.",
        "",
        "| measure | value |",
        "| --- | ---: |",
        f"| events/s acknowledged over HTTP (durable) | {http_rate:,.0f}{_missed(http_rate < TARGET_RATE)} |",
        f"| requests/s | {ok / args.seconds:,.0f} |",
        f"| ack latency p50 | {percentile(latencies, 50) * 1000:.1f} ms |",
        f"| ack latency p99 | {percentile(latencies, 99) * 1000:.1f} ms"
        f"{_missed(percentile(latencies, 99) * 1000 > TARGET_P99_MS)} |",
        f"| requests refused or failed | {failed} |",
        f"| server CPU per request | {cpu / max(ok, 1) * 1000:.2f} ms ({cpu / args.seconds:.2f} cores) |",
        f"| clients' CPU | {client_cpu / args.seconds:.2f} cores |",
        f"| in-process ceiling (parse, normalise, append + fsync; {processes} process(es) x "
        f"{args.server_threads} threads, as the server) | {ceiling_rate:,.0f} events/s |",
        f"| HTTP / ceiling | {http_rate / ceiling_rate:.2f} |",
        f"| inbox written | {inbox_bytes / 1e6:,.0f} MB |",
        f"| flusher: `opsloop events flush` of that inbox into Parquet | {flushed['rows']:,} "
        f"events in {flushed['seconds']:.1f} s: {flush_rate:,.0f} events/s"
        f"{_missed(flush_rate < http_rate)} |",
        f"| Parquet per million events, as flushed | {flushed['flushed_mb_per_million']:.0f} MB |",
        f"| Parquet per million events, after `events compact` ({flushed['compact_seconds']:.1f} s) "
        f"| {flushed['compacted_mb_per_million']:.0f} MB |",
    ]
    block = "\n".join(lines)
    print(block)
    if not args.no_report:
        write_section(block, BEGIN, END)


def _missed(missed: bool) -> str:
    return " **missed**" if missed else ""


def ceilings(
    data_dir: Path, key: str, bodies: list[bytes], seconds: float, threads: int, processes: int
) -> float:
    """The ceiling in as many processes as the server has, summed: each process sets
    Django up on its own (this one never does, so forking is safe)."""
    context = multiprocessing.get_context("fork")
    rates = context.Queue()

    def one(index: int) -> None:
        rates.put(ceiling(data_dir, key, bodies[index:] + bodies[:index], seconds, threads))

    children = [context.Process(target=one, args=(i * 17,)) for i in range(processes)]
    for child in children:
        child.start()
    total = sum(rates.get() for _ in children)
    for child in children:
        child.join()
    return total


def flush_and_measure(data_dir: Path) -> dict[str, float]:
    """`opsloop events flush` over everything the timed run left in the inbox, then
    `events compact`; the rate and the Parquet the store holds (its manifest's live files)."""
    env = {**os.environ, "OPSLOOP_DATA_DIR": str(data_dir)}
    began = time.perf_counter()
    cpu_before = os.times()
    subprocess.run(
        [*OPSLOOP, "events", "flush"], env=env, cwd=ROOT, check=True, capture_output=True
    )
    seconds = time.perf_counter() - began
    cpu_after = os.times()
    cpu = (cpu_after.children_user - cpu_before.children_user) + (
        cpu_after.children_system - cpu_before.children_system
    )
    manifest = data_dir / "events" / "parquet" / "manifest.sqlite3"

    def live() -> tuple[int, int]:
        with sqlite3.connect(manifest) as db:
            rows, size = db.execute("SELECT sum(rows), sum(bytes) FROM files").fetchone()
        return int(rows or 0), int(size or 0)

    rows, flushed_bytes = live()
    began = time.perf_counter()
    subprocess.run(
        [*OPSLOOP, "events", "compact"], env=env, cwd=ROOT, check=True, capture_output=True
    )
    compact_seconds = time.perf_counter() - began
    _rows, compacted_bytes = live()
    return {
        "rows": rows,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "flushed_mb_per_million": flushed_bytes / 1e6 / max(rows / 1e6, 1e-9),
        "compacted_mb_per_million": compacted_bytes / 1e6 / max(rows / 1e6, 1e-9),
        "compact_seconds": compact_seconds,
    }


def fill_inbox(data_dir: Path, key: str, bodies: list[bytes], events: int) -> int:
    """Append about `events` events to data_dir's inbox through ingest.handle, each
    request's message ids its own, in a child process (which sets Django up); the count."""
    context = multiprocessing.get_context("fork")
    done = context.Queue()

    def run() -> None:
        os.environ["OPSLOOP_DATA_DIR"] = str(data_dir)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsloop.settings")
        import django

        django.setup()
        from opsloop.events import inbox
        from opsloop.events.ingest import Incoming, handle

        auth = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
        accepted = n = 0
        while accepted < events:
            body = bodies[n % len(bodies)].replace(MESSAGE_SLOT, f"{0xF0:02x}00{n:08x}".encode())
            n += 1
            reply = handle(
                Incoming(
                    dialect="segment",
                    call="batch",
                    method="POST",
                    read=lambda _n, body=body: body,
                    content_length=len(body),
                    authorization=auth,
                    remote_addr="127.0.0.1",
                )
            )
            assert reply.status == 200, reply.body
            accepted += int(dict(reply.headers)["X-Events-Accepted"])
        inbox.get_inbox().close()
        done.put(accepted)

    child = context.Process(target=run)
    child.start()
    accepted = done.get()
    child.join()
    return accepted


def flusher_only(bodies: list[bytes], events: int, profile: str | None) -> None:
    with tempfile.TemporaryDirectory(prefix="opsloop-bench-flusher-") as tmp:
        data_dir = Path(tmp)
        key = prepare(data_dir)
        began = time.perf_counter()
        accepted = fill_inbox(data_dir, key, bodies, events)
        inbox_bytes = sum(p.stat().st_size for p in (data_dir / "events" / "inbox").glob("*"))
        print(
            f"inbox: {accepted:,} events, {inbox_bytes / 1e6:,.0f} MB "
            f"in {time.perf_counter() - began:.1f} s",
            flush=True,
        )
        if profile:
            profile_flush(data_dir, profile)
            return
        load = os.getloadavg()[0]
        flushed = flush_and_measure(data_dir)
        rate = flushed["rows"] / max(flushed["seconds"], 1e-9)
        # The flush's CPU time (user + system), less affected by other work than its
        # wall time on a shared machine: events per CPU second is what one core would do.
        cpu = flushed["cpu_seconds"]
        print(
            f"flusher: {flushed['rows']:,} events in {flushed['seconds']:.1f} s: "
            f"{rate:,.0f} events/s; {cpu:.1f} s of CPU: {flushed['rows'] / max(cpu, 1e-9):,.0f} "
            f"events per CPU second (load average before {load:.1f})"
        )


def profile_flush(data_dir: Path, path: str) -> None:
    """drain() under cProfile in a child process set up for data_dir; stats to `path`."""
    context = multiprocessing.get_context("fork")

    def run() -> None:
        import cProfile
        import pstats

        os.environ["OPSLOOP_DATA_DIR"] = str(data_dir)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsloop.settings")
        import django

        django.setup()
        from opsloop.events import flusher

        profiler = cProfile.Profile()
        began = time.perf_counter()
        stored = profiler.runcall(flusher.drain)
        seconds = time.perf_counter() - began
        profiler.dump_stats(path)
        print(f"flusher under cProfile: {stored:,} events in {seconds:.1f} s")
        pstats.Stats(path).sort_stats("cumulative").print_stats(40)

    child = context.Process(target=run)
    child.start()
    child.join()


def key_for_ceiling(data_dir: Path, key: str) -> str:
    """The ceiling runs in this process on its own data dir, with the same kind of key."""
    ceiling_dir = data_dir / "ceiling"
    ceiling_dir.mkdir()
    return prepare(ceiling_dir)


if __name__ == "__main__":
    main()
