"""`opsloop run`: serve pages and API with gunicorn, with the background worker and the
events flusher beside it.

One command is a whole install: gunicorn's master process starts a `db_worker` (the
django-tasks database worker) and `events flush --follow` (inbox to event store) as
children once it is listening, and stops them when it stops, whatever stopped it (Ctrl-C,
SIGTERM, a fatal error). docs/decisions/0001-server.md
says why gunicorn.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from gunicorn.app.base import BaseApplication

WORKER_STOP_TIMEOUT = 15.0  # seconds a running task gets to finish on shutdown


def worker_pidfile() -> Path:
    """Where `opsloop run` notes its worker, so `opsloop check` can tell whether one runs."""
    return Path(settings.DATA_DIR) / "worker.json"


def read_worker_pidfile() -> dict[str, Any] | None:
    """The worker `opsloop run` started on this machine, if that process still runs."""
    try:
        info = json.loads(worker_pidfile().read_text())
        pid = int(info["pid"])
        # The pid alone could belong to another process by now; its command line says.
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return info if b"db_worker" in cmdline else None


class Child:
    """A process `opsloop run` starts beside the web server and stops with it."""

    def __init__(
        self,
        *,
        name: str,
        args: list[str],
        stdout: Callable[[str], None],
        pidfile: Path | None = None,
        stop_timeout: float = WORKER_STOP_TIMEOUT,
    ) -> None:
        self.name = name  # "Background worker": what the log lines call it
        self.args = args  # an opsloop command line, run by this interpreter
        self.pidfile = pidfile
        self.stop_timeout = stop_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self.say = stdout
        # gunicorn forks its web workers from the master after the child has started;
        # when one of them exits, it unwinds through the same code and must not stop
        # (or forget) a child that belongs to the master.
        self.owner_pid = os.getpid()

    def start(self) -> None:
        command = [sys.executable, "-m", "opsloop.cli", *self.args]
        self.owner_pid = os.getpid()
        self.process = subprocess.Popen(command)  # noqa: S603 (our own interpreter and command)
        if self.pidfile is not None:
            with contextlib.suppress(OSError):
                self.pidfile.write_text(
                    json.dumps({"pid": self.process.pid, "started": time.time()})
                )
        self.say(f"{self.name} started (pid {self.process.pid}).")

    def stop(self) -> None:
        if os.getpid() != self.owner_pid:
            return
        process, self.process = self.process, None
        if process is None:
            return
        if self.pidfile is not None:
            with contextlib.suppress(OSError):
                self.pidfile.unlink()
        # gunicorn's master reaps every child it sees exit, so poll() may report 0 for a
        # child that died earlier; terminate() then signals nothing, which is right.
        if process.poll() is None:
            process.terminate()  # each finishes what it has in hand, then exits
            try:
                process.wait(self.stop_timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.say(f"{self.name} stopped.")


def task_worker(*, stdout: Callable[[str], None]) -> Child:
    """The django-tasks database worker."""
    return Child(
        name="Background worker",
        # The reloader would restart tasks half-done; the server is not reloading either.
        args=["db_worker", "--queue-name", "*", "--no-reload"],
        stdout=stdout,
        pidfile=worker_pidfile(),
    )


def event_flusher(*, stdout: Callable[[str], None]) -> Child:
    """The events flusher (opsloop/events/flusher.py): inbox to event store. Killing it at
    any point loses and doubles nothing, so it gets a short grace on shutdown."""
    return Child(
        name="Event flusher",
        args=["events", "flush", "--follow"],
        stdout=stdout,
        stop_timeout=5.0,
    )


def kpi_schedule(*, stdout: Callable[[str], None]) -> Child:
    """The goals schedule (opsloop/goals/management/commands/goals.py): a task per
    workspace to compute its KPIs, every OPSLOOP_KPI_INTERVAL seconds."""
    return Child(name="KPI schedule", args=["goals", "schedule"], stdout=stdout, stop_timeout=5.0)


def report_schedule(*, stdout: Callable[[str], None]) -> Child:
    """The reports schedule (opsloop/reports/management/commands/reports.py): queues
    each scheduled report's draft when its time comes."""
    return Child(
        name="Report schedule", args=["reports", "schedule"], stdout=stdout, stop_timeout=5.0
    )


class Server(BaseApplication):
    """gunicorn configured in code, serving opsloop's WSGI application."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        # The application settings.WSGI_APPLICATION names (opsloop.wsgi), found by its
        # dotted path as Django's runserver does: core sits below the project's top.
        from django.core.servers.basehttp import get_internal_wsgi_application

        return get_internal_wsgi_application()


class Command(BaseCommand):
    help = (
        "Serve opsloop's pages and API, and run its background worker and events flusher "
        "(`opsloop run`)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on")
        parser.add_argument(
            "--workers",
            type=int,
            default=0,
            help="web processes (default: 1 with the in-memory cache, else one per CPU)",
        )
        parser.add_argument("--threads", type=int, default=8, help="threads per web process")
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not start the background worker nor the KPI schedule (they run "
            "elsewhere: opsloop db_worker, opsloop goals schedule)",
        )
        parser.add_argument(
            "--no-flusher",
            action="store_true",
            help="do not start the events flusher (it runs elsewhere: opsloop events flush "
            "--follow)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host: str = options["host"]
        port: int = options["port"]
        if not 0 < port < 65536:
            raise CommandError(f"--port must be between 1 and 65535, not {port}.")
        workers = options["workers"] or self.default_workers()
        self.warn_unapplied_migrations()
        # whitenoise serves static files through the finders (WHITENOISE_USE_FINDERS), so
        # nothing needs collecting; an existing STATIC_ROOT only stops its warning.
        with contextlib.suppress(OSError):
            Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        # Connections opened by the checks above must not be shared with forked workers.
        connections.close_all()

        children = []
        if not options["no_worker"]:
            children.append(task_worker(stdout=self.stdout.write))
        if not options["no_flusher"]:
            children.append(event_flusher(stdout=self.stdout.write))
        if not options["no_worker"]:
            # Its tasks need the worker.
            children.append(kpi_schedule(stdout=self.stdout.write))
            children.append(report_schedule(stdout=self.stdout.write))
        bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        shown = f"[{host}]" if ":" in host else host

        def when_ready(_arbiter: Any) -> None:
            self.stdout.write(f"opsloop is serving on http://{shown}:{port}/ (Ctrl-C stops it)")
            for child in children:
                child.start()

        def on_exit(_arbiter: Any) -> None:
            for child in children:
                child.stop()

        server = Server(
            {
                "bind": [bind],
                "workers": workers,
                "worker_class": "gthread",
                "threads": options["threads"],
                "timeout": 60,
                "graceful_timeout": 20,
                "keepalive": 5,
                "accesslog": "-",
                "errorlog": "-",
                "proc_name": "opsloop",
                # gunicorn's control socket sits at one path per user: a second install
                # on the machine (or a test server) would take it over. Nothing uses it.
                "control_socket_disable": True,
                "when_ready": when_ready,
                "on_exit": on_exit,
            }
        )
        try:
            server.run()
        finally:
            # on_exit covers gunicorn's own exits; this covers an exception escaping it.
            for child in children:
                child.stop()

    @staticmethod
    def default_workers() -> int:
        # The in-memory cache is per process: with two processes, the login rate limit
        # and anything else kept in the cache would be split and quietly doubled.
        backend = settings.CACHES["default"]["BACKEND"]
        if backend.endswith("LocMemCache"):
            return 1
        return max(1, os.cpu_count() or 1)

    def warn_unapplied_migrations(self) -> None:
        try:
            executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except Exception as exc:  # a server that cannot reach its database still starts
            self.stderr.write(f"Cannot read the database's migrations: {exc}")
            return
        if plan:
            self.stderr.write(
                self.style.WARNING(
                    f"{len(plan)} migration(s) not applied yet; run `opsloop migrate` first."
                )
            )
