"""`opsloop check`: what this install is configured to use, and whether each part answers.

Every part is probed for real (a query, a cache round trip, a connection to the mail
server, a file written in the data dir), so a green check means the install works, not
only that its settings parse. Exits 1 when a required part fails; warnings do not.
"""

from __future__ import annotations

import contextlib
import os
import smtplib
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from opsloop.core.management.commands.serve import read_worker_pidfile

# The files scripts/vendor_static.py puts in opsloop/static/vendor/ (a test keeps the two
# lists equal); pages cannot work without them.
VENDOR_FILES = (
    "htmx.min.js",
    "alpine.min.js",
    "Sortable.min.js",
    "echarts.min.js",
    "gridstack-all.js",
    "gridstack.min.css",
)
NETWORK_TIMEOUT = 5.0

OK, WARN, FAIL = "ok", "warn", "FAIL"


@dataclass(frozen=True)
class Finding:
    """One line of the report: a part, its state and what was found."""

    part: str
    state: str
    detail: str


def database_where(db: dict[str, Any]) -> str:
    """Where the database is, without its password."""
    if db["ENGINE"].endswith("sqlite3"):
        return str(db["NAME"])
    host = db.get("HOST") or "local socket"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    user = f"{db['USER']}@" if db.get("USER") else ""
    return f"{user}{host}{port}/{db['NAME']}"


def check_database() -> list[Finding]:
    connection = connections[DEFAULT_DB_ALIAS]
    described = f"{connection.vendor} at {database_where(connection.settings_dict)}"
    try:
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
            extra = ""
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA journal_mode")
                extra = f", journal {cursor.fetchone()[0]}"
        elapsed = (time.monotonic() - started) * 1000
    except Exception as exc:  # any driver error means the same thing: it does not answer
        return [Finding("database", FAIL, f"{described} does not answer: {exc}")]
    findings = [Finding("database", OK, f"{described} answers ({elapsed:.0f} ms{extra})")]
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        return [*findings, Finding("migrations", FAIL, f"cannot read them: {exc}")]
    if plan:
        findings.append(
            Finding("migrations", FAIL, f"{len(plan)} not applied; run `opsloop migrate`")
        )
    else:
        findings.append(Finding("migrations", OK, "all applied"))
    return findings


def check_cache() -> list[Finding]:
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    location = settings.CACHES["default"].get("LOCATION", "")
    described = backend + (f" at {location}" if location and "Redis" in backend else "")
    key, value = f"opsloop-check-{uuid.uuid4().hex}", uuid.uuid4().hex
    try:
        cache.set(key, value, 30)
        answered = cache.get(key) == value
        cache.delete(key)
    except Exception as exc:
        return [Finding("cache", FAIL, f"{described} does not answer: {exc}")]
    if not answered:
        return [Finding("cache", FAIL, f"{described} did not return what was stored")]
    note = " (per process)" if backend == "LocMemCache" else ""
    return [Finding("cache", OK, f"{described}{note} answers")]


def check_tasks() -> list[Finding]:
    backend_path = settings.TASKS["default"]["BACKEND"]
    if backend_path != "django_tasks_db.DatabaseBackend":
        return [Finding("tasks", OK, f"{backend_path}; its workers are not visible from here")]
    from django_tasks_db.models import DBTaskResult

    try:
        ready = DBTaskResult.objects.ready()
        waiting = ready.count()
        oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    except Exception as exc:
        return [Finding("tasks", FAIL, f"database backend: its table does not answer: {exc}")]
    queue = f"{waiting} task(s) waiting"
    if oldest is not None:
        age = time.time() - oldest.timestamp()
        queue += f", oldest for {age:.0f} s"
    findings = [Finding("tasks", OK, f"database backend answers; {queue}")]
    worker = read_worker_pidfile()
    if worker:
        findings.append(Finding("worker", OK, f"running (pid {worker['pid']}, from opsloop run)"))
    else:
        findings.append(
            Finding(
                "worker",
                WARN,
                "none started by `opsloop run` on this machine; tasks wait until one runs "
                "(`opsloop run`, or `opsloop db_worker` elsewhere)",
            )
        )
    return findings


def check_email() -> list[Finding]:
    backend = settings.EMAIL_BACKEND.rsplit(".", 2)[-2]
    if backend != "smtp":
        return [Finding("email", OK, f"{backend} backend: mail is printed by the server, not sent")]
    where = f"{settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
    smtp_class = smtplib.SMTP_SSL if settings.EMAIL_USE_SSL else smtplib.SMTP
    try:
        with smtp_class(settings.EMAIL_HOST, settings.EMAIL_PORT, timeout=NETWORK_TIMEOUT) as smtp:
            code, _banner = smtp.noop()
    except (OSError, smtplib.SMTPException) as exc:
        return [Finding("email", FAIL, f"SMTP at {where} does not answer: {exc}")]
    if code != 250:
        return [Finding("email", FAIL, f"SMTP at {where} answered NOOP with {code}")]
    return [Finding("email", OK, f"SMTP at {where} answers")]


def check_data_dir() -> list[Finding]:
    data_dir = Path(settings.DATA_DIR)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=data_dir, prefix=".check-") as probe:
            probe.write(b"ok")
            probe.flush()
            os.fsync(probe.fileno())
    except OSError as exc:
        return [Finding("data dir", FAIL, f"{data_dir} is not writable: {exc}")]
    return [Finding("data dir", OK, f"{data_dir} is writable")]


def check_static() -> list[Finding]:
    missing = [name for name in VENDOR_FILES if not finders.find(f"vendor/{name}")]
    if missing:
        return [
            Finding(
                "static",
                FAIL,
                f"missing vendor/{', vendor/'.join(missing)}; run `make setup` "
                "(npm ci, then scripts/vendor_static.py)",
            )
        ]
    return [Finding("static", OK, f"{len(VENDOR_FILES)} front-end libraries in static/vendor/")]


def locale_dirs() -> list[Path]:
    dirs = [Path(p) for p in settings.LOCALE_PATHS]
    dirs += sorted(Path(settings.BASE_DIR).glob("*/locale"))
    return [d for d in dict.fromkeys(dirs) if d.is_dir()]


def check_translations() -> list[Finding]:
    sources = [po for d in locale_dirs() for po in d.glob("*/LC_MESSAGES/*.po")]
    if not sources:
        return [Finding("translations", WARN, "no .po catalogues yet; pages show English only")]
    stale = [
        po
        for po in sources
        if not po.with_suffix(".mo").exists()
        or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if stale:
        names = ", ".join(str(p.relative_to(settings.BASE_DIR)) for p in stale)
        return [
            Finding(
                "translations",
                FAIL,
                f"not compiled (or older than their .po): {names}; run `make setup`",
            )
        ]
    languages = sorted({po.parent.parent.name for po in sources})
    return [
        Finding("translations", OK, f"{len(sources)} catalogue(s) compiled: {', '.join(languages)}")
    ]


def check_settings() -> list[Finding]:
    findings = [
        Finding("site", OK, f"{settings.SITE_URL}; hosts {', '.join(settings.ALLOWED_HOSTS)}")
    ]
    if settings.DEBUG:
        findings.append(Finding("debug", WARN, "OPSLOOP_DEBUG is on: never on a public install"))
    return findings


CHECKS: tuple[Callable[[], list[Finding]], ...] = (
    check_settings,
    check_database,
    check_cache,
    check_tasks,
    check_email,
    check_data_dir,
    check_static,
    check_translations,
)


class Command(BaseCommand):
    help = "Show what opsloop is configured to use and whether each part answers."
    # Our own probes cover what Django's system checks would; a broken database must
    # reach the report, not stop the command before it.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--strict", action="store_true", help="exit 1 on warnings too, not only failures"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        findings: list[Finding] = []
        # Apps above core add their own parts (AppConfig.opsloop_checks), so core needs
        # to know none of them.
        app_checks = [
            config.opsloop_checks
            for config in apps.get_app_configs()
            if hasattr(config, "opsloop_checks")
        ]
        for check in (*CHECKS, *app_checks):
            try:
                findings += check()
            except Exception as exc:  # one broken probe must not hide the others
                name = getattr(check, "__name__", "check").removeprefix("check_")
                findings.append(Finding(name, FAIL, str(exc)))
        styles = {OK: self.style.SUCCESS, WARN: self.style.WARNING, FAIL: self.style.ERROR}
        width = max(len(f.part) for f in findings)
        for finding in findings:
            state = styles[finding.state](f"{finding.state:<4}")
            self.stdout.write(f"{state}  {finding.part:<{width}}  {finding.detail}")
        failed = [f for f in findings if f.state == FAIL]
        warned = [f for f in findings if f.state == WARN]
        with contextlib.suppress(Exception):
            connections.close_all()
        if failed or (options["strict"] and warned):
            bad = failed + (warned if options["strict"] else [])
            raise CommandError(
                f"{len(bad)} part(s) not working: {', '.join(f.part for f in bad)}.",
                returncode=1,
            )
        self.stdout.write(
            f"All required parts answer ({len(warned)} warning(s))."
            if warned
            else "All parts answer."
        )
