"""The `opsloop` command an operator uses: workspace, token, check and run.

In-process through call_command where the database of the test run will do, and as the
real console script in a subprocess where what matters is the process: its exit code,
its last line, a server that answers and a worker that runs tasks and stops with it.
"""

from __future__ import annotations

import json
import os
import runpy
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.core.management import CommandError, call_command
from django_tasks import task

from opsloop.core.management.commands.opsloop_check import VENDOR_FILES
from opsloop.core.models import ApiToken, AuditLog, Membership, Role, Workspace
from opsloop.core.queries import user_for_token
from tests.conftest import make_user

ROOT = Path(__file__).resolve().parent.parent
OPSLOOP = [sys.executable, "-m", "opsloop.cli"]
STARTUP_TIMEOUT = 90.0  # seconds; two cores shared with a browser suite can be slow


@task()
def add(a: int, b: int) -> int:
    """A task for the worker that `opsloop run` starts (imported by its dotted path)."""
    return a + b


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def call(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


def call_failing(*args: str) -> tuple[str, CommandError]:
    out = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(*args, stdout=out, stderr=out)
    return out.getvalue(), raised.value


# --- workspace -------------------------------------------------------------------------


def test_workspace_create_makes_the_user_its_owner(db):
    bob = make_user("bob")

    output = call("workspace", "create", "growth", "--owner", "bob", "--name", "增长组")

    workspace = Workspace.objects.get(slug="growth")
    assert workspace.name == "增长组"
    assert Membership.objects.get(workspace=workspace, user=bob).role == Role.OWNER
    assert AuditLog.objects.filter(action="workspace.create", workspace=workspace).exists()
    assert "growth" in output


def test_workspace_name_defaults_to_its_slug(db):
    make_user("bob")

    call("workspace", "create", "content", "--owner", "bob")

    assert Workspace.objects.get(slug="content").name == "content"


def test_workspace_create_says_what_is_wrong(db):
    make_user("bob")
    call("workspace", "create", "growth", "--owner", "bob")

    _, unknown = call_failing("workspace", "create", "ops", "--owner", "nobody")
    _, taken = call_failing("workspace", "create", "growth", "--owner", "bob")
    _, bad_slug = call_failing("workspace", "create", "no spaces!", "--owner", "bob")

    assert "nobody" in str(unknown)
    assert "already exists" in str(taken)
    assert str(bad_slug)
    assert Workspace.objects.count() == 1


def test_workspace_needs_an_action_and_an_owner(db):
    _, no_action = call_failing("workspace")
    _, no_owner = call_failing("workspace", "create", "growth")

    assert "ACTION" in str(no_action)
    assert "--owner" in str(no_owner)


# --- token -----------------------------------------------------------------------------


def test_token_create_prints_a_working_token_alone_on_the_last_line(db):
    bob = make_user("bob")

    output = call("token", "create", "bob", "--name", "报表脚本")

    raw = output.rstrip("\n").splitlines()[-1]
    assert raw.startswith("opl_") and " " not in raw
    assert user_for_token(raw) == bob
    assert ApiToken.objects.get(user=bob).name == "报表脚本"
    # Only the hash is kept: the printed value is the one chance to copy it.
    assert not ApiToken.objects.filter(token_hash=raw).exists()


def test_token_list_shows_prefixes_and_revoke_stops_the_token(db):
    make_user("bob")
    raw = call("token", "create", "bob").splitlines()[-1]
    token = ApiToken.objects.get()

    listed = call("token", "list", "bob")
    revoked = call("token", "revoke", "bob", str(token.pk))

    assert token.prefix in listed and raw not in listed and "active" in listed
    assert "Revoked" in revoked
    assert user_for_token(raw) is None
    assert "revoked" in call("token", "list", "bob")
    _, again = call_failing("token", "revoke", "bob", str(token.pk))
    assert "No such token" in str(again)


def test_token_create_for_an_unknown_user_fails(db):
    _, error = call_failing("token", "create", "nobody")

    assert "nobody" in str(error)
    assert not ApiToken.objects.exists()


# --- check -----------------------------------------------------------------------------

PARTS = (
    "database",
    "migrations",
    "cache",
    "tasks",
    "worker",
    "email",
    "data dir",
    "static",
    "events",
    "flusher",
)


def report_line(output: str, part: str) -> str:
    """The report's line for a part, e.g. 'ok    email  console backend...'."""
    for line in output.splitlines():
        fields = line.split(None, 1)
        if len(fields) == 2 and fields[1].startswith(part + " "):
            return line
    raise AssertionError(f"no line for {part!r} in:\n{output}")


def test_check_reports_every_part_and_passes(db):
    output = call("opsloop_check")

    for part in PARTS:
        assert report_line(output, part).split()[0] in {"ok", "warn"}
    assert "answers" in report_line(output, "database")
    assert report_line(output, "migrations").startswith("ok")
    assert "answer" in output.splitlines()[-1]


def test_check_strict_counts_warnings_as_failures(db):
    # No `opsloop run` is running for the test database, so the worker line warns.
    output, error = call_failing("opsloop_check", "--strict")

    assert report_line(output, "worker").startswith("warn")
    assert "worker" in str(error)


def test_check_fails_when_the_smtp_server_does_not_answer(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()

    output, error = call_failing("opsloop_check")

    assert report_line(output, "email").startswith("FAIL")
    assert f"127.0.0.1:{settings.EMAIL_PORT}" in report_line(output, "email")
    assert "email" in str(error)


@pytest.fixture
def smtp_server() -> Iterator[Controller]:
    class Accept:
        async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
            return "250 OK"

    controller = Controller(Accept(), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


def test_check_talks_to_a_real_smtp_server(db, settings, smtp_server):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_server.hostname, smtp_server.port

    output = call("opsloop_check")

    assert report_line(output, "email").startswith("ok")
    assert "SMTP" in report_line(output, "email")


def test_check_fails_when_vendor_files_are_missing(db, settings, tmp_path):
    settings.STATICFILES_DIRS = [tmp_path]

    output, error = call_failing("opsloop_check")

    assert report_line(output, "static").startswith("FAIL")
    assert "htmx.min.js" in report_line(output, "static")
    assert "static" in str(error)


def test_check_fails_when_the_data_dir_is_not_writable(db, settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    settings.DATA_DIR = blocker / "data"

    output, error = call_failing("opsloop_check")

    assert report_line(output, "data dir").startswith("FAIL")
    assert "data dir" in str(error)


def test_check_fails_when_translations_are_not_compiled(db, settings, tmp_path):
    catalogue = tmp_path / "fr" / "LC_MESSAGES" / "django.po"
    catalogue.parent.mkdir(parents=True)
    catalogue.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n')
    settings.LOCALE_PATHS = [tmp_path]

    output, error = call_failing("opsloop_check")

    assert report_line(output, "translations").startswith("FAIL")
    assert "django.po" in report_line(output, "translations")
    assert "translations" in str(error)


def test_check_knows_the_files_the_vendor_script_installs():
    script = runpy.run_path(str(ROOT / "scripts" / "vendor_static.py"))

    installed = {target for files in script["FILES"].values() for _, target in files}

    assert installed == set(VENDOR_FILES)


# --- the console script, in real processes ------------------------------------------------


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of an install in data_dir: SQLite, console email, no Redis."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "OPSLOOP_EMAIL_HOST", "OPSLOOP_DEBUG"}
    }
    # The worker imports the test task by its dotted path, tests.test_cli.add.
    env.update(OPSLOOP_DATA_DIR=str(data_dir), PYTHONPATH=str(ROOT), **extra)
    return env


def run_cli(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*OPSLOOP, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="module")
def install(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A migrated install in its own data dir, shared by the tests that start processes."""
    env = cli_env(tmp_path_factory.mktemp("install"))
    migrated = run_cli("migrate", "--noinput", env=env)
    assert migrated.returncode == 0, migrated.stderr
    return env


def test_console_script_without_arguments_prints_its_commands():
    result = subprocess.run(
        [*OPSLOOP], capture_output=True, text=True, timeout=60, cwd=ROOT, check=False
    )

    assert result.returncode == 0
    for command in ("run", "check", "workspace create", "token create"):
        assert f"opsloop {command}" in result.stdout


def test_check_exits_1_when_the_database_does_not_answer(tmp_path):
    env = cli_env(tmp_path, DATABASE_URL=f"postgres://opsloop@127.0.0.1:{free_port()}/opsloop")

    result = run_cli("check", env=env)

    assert result.returncode == 1
    assert report_line(result.stdout, "database").startswith("FAIL")
    assert "database" in result.stderr


def test_check_exits_0_on_a_working_install(install):
    result = run_cli("check", env=install)

    assert result.returncode == 0, result.stdout + result.stderr
    assert report_line(result.stdout, "migrations").startswith("ok")


def wait_for_http(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"opsloop run exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (our own server)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"opsloop run did not answer {url} in {STARTUP_TIMEOUT} s:\n{log.read_text()}")


def task_status(database: Path, task_id: str) -> tuple[str, object]:
    with sqlite3.connect(database) as connection:
        row = connection.execute(
            "SELECT status, return_value FROM django_tasks_database_dbtaskresult WHERE id = ?",
            (task_id.replace("-", ""),),
        ).fetchone()
    return (row[0], json.loads(row[1]) if row[1] else None) if row else ("MISSING", None)


def test_run_serves_pages_static_files_and_api_and_runs_the_worker(install, tmp_path):
    data_dir = Path(install["OPSLOOP_DATA_DIR"])
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    with log.open("w") as log_file:
        server = subprocess.Popen(
            [*OPSLOOP, "run", "--host", "127.0.0.1", "--port", str(port)],
            env=install,
            cwd=ROOT,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_http(f"{base}/accounts/login/", server, log)

        with urllib.request.urlopen(f"{base}/static/vendor/htmx.min.js") as response:  # noqa: S310
            assert b"htmx" in response.read()

        # An API token from the console script works against the running server.
        made = run_cli(
            "createsuperuser", "--noinput", "--username", "ops", "--email", "ops@example.com",
            env={**install, "DJANGO_SUPERUSER_PASSWORD": "correct-horse-battery-42"},
        )  # fmt: skip
        assert made.returncode == 0, made.stderr
        created = run_cli("token", "create", "ops", env=install)
        assert created.returncode == 0, created.stderr
        raw = created.stdout.strip().splitlines()[-1]
        request = urllib.request.Request(  # noqa: S310 (our own server)
            f"{base}/api/v1/workspaces", headers={"Authorization": f"Bearer {raw}"}
        )
        with urllib.request.urlopen(request) as response:  # noqa: S310
            assert response.status == 200

        # The worker runs beside the server and `opsloop check` sees it.
        worker_pid = json.loads((data_dir / "worker.json").read_text())["pid"]
        assert b"db_worker" in Path(f"/proc/{worker_pid}/cmdline").read_bytes()
        checked = run_cli("check", env=install)
        assert report_line(checked.stdout, "worker").startswith("ok"), checked.stdout

        enqueued = run_cli(
            "shell", "-c", "from tests.test_cli import add; print(add.enqueue(2, 3).id)",
            env=install,
        )  # fmt: skip
        assert enqueued.returncode == 0, enqueued.stderr
        task_id = enqueued.stdout.strip().splitlines()[-1]
        deadline = time.monotonic() + 60
        while task_status(data_dir / "opsloop.sqlite3", task_id)[0] != "SUCCESSFUL":
            assert time.monotonic() < deadline, task_status(data_dir / "opsloop.sqlite3", task_id)
            time.sleep(0.3)
        assert task_status(data_dir / "opsloop.sqlite3", task_id)[1] == 5
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            returncode = server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
            raise

    # Stopping the server stops its worker, and the note about it goes with it.
    assert returncode == 0, log.read_text()
    assert not Path(f"/proc/{worker_pid}").exists()
    assert not (data_dir / "worker.json").exists()
    assert "Background worker stopped." in log.read_text()
    # The KPI schedule runs beside them, and stops with them.
    assert "Computing KPIs every 3600 s" in log.read_text()
    assert "KPI schedule stopped." in log.read_text()
