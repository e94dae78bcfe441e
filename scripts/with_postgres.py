"""Run a command against a throwaway PostgreSQL server, then remove the server.

    python scripts/with_postgres.py -- pytest -q

Starts the machine's own PostgreSQL (Debian's /usr/lib/postgresql/N/bin, 15 preferred)
in a temporary directory on a free port of 127.0.0.1, creates a database, runs the
command with DATABASE_URL pointing at it and exits with the command's exit code. The
server is stopped and its files deleted however the command ends, Ctrl-C included.

PostgreSQL refuses to run as root, so when root runs this the cluster belongs to the
`postgres` system user (Debian's postgresql package creates it) and its programs run as
that user. The server is this script's own child rather than a pg_ctl daemon, so it is
reaped here and leaves no zombie behind on machines whose init does not reap.
Durability is switched off: the data dies with the run, and fsync would only slow the
suite.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PREFERRED_MAJOR = "15"
DB_NAME = "opsloop"
START_TIMEOUT = 60.0  # seconds


def find_bin_dir() -> Path:
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: (p.parent.parent.name != PREFERRED_MAJOR, -int(p.parent.parent.name)),
    )
    if candidates:
        return candidates[0].parent
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    sys.exit(
        "with_postgres: no PostgreSQL server binaries (initdb) found; "
        "install Debian's postgresql package (scripts/ensure_system_deps.sh does)."
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """One PostgreSQL cluster in a temporary directory."""

    def __init__(self) -> None:
        self.bin = find_bin_dir()
        self.as_root = os.geteuid() == 0
        self.root = Path(tempfile.mkdtemp(prefix="opsloop-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.server: subprocess.Popen[bytes] | None = None

    def _as_owner(self) -> dict[str, Any]:
        return {"user": "postgres", "group": "postgres", "extra_groups": []} if self.as_root else {}

    def run(self, *args: str) -> None:
        result = subprocess.run(
            list(args), text=True, capture_output=True, cwd=self.root, **self._as_owner()
        )
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed:\n{result.stdout}{result.stderr}")

    def start(self) -> str:
        if self.as_root:
            shutil.chown(self.root, user="postgres", group="postgres")
        self.run(
            str(self.bin / "initdb"),
            "--pgdata",
            str(self.data),
            "--username",
            "postgres",
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--locale",
            "C.UTF-8",
            "--no-sync",
        )
        log = (self.root / "server.log").open("w")
        self.server = subprocess.Popen(
            [
                str(self.bin / "postgres"),
                "-D", str(self.data),
                "-p", str(self.port),
                "-k", str(self.root),
                "-c", "listen_addresses=127.0.0.1",
                "-c", "fsync=off",
                "-c", "synchronous_commit=off",
                "-c", "full_page_writes=off",
                "-c", "max_connections=100",
                "-c", "shared_buffers=128MB",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.root,
            **self._as_owner(),
        )  # fmt: skip
        deadline = time.monotonic() + START_TIMEOUT
        while not self.accepts_connections():
            if self.server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "PostgreSQL did not start:\n"
                    + (self.root / "server.log").read_text(errors="replace")
                )
            time.sleep(0.1)
        self.run(
            str(self.bin / "createdb"),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--username",
            "postgres",
            DB_NAME,
        )
        return f"postgres://postgres@127.0.0.1:{self.port}/{DB_NAME}"

    def accepts_connections(self) -> bool:
        result = subprocess.run(
            [str(self.bin / "pg_isready"), "--host", "127.0.0.1", "--port", str(self.port)],
            capture_output=True,
            check=False,
        )
        return result.returncode == 0

    def stop(self) -> None:
        if self.server is not None and self.server.poll() is None:
            # SIGINT is PostgreSQL's "fast" shutdown: end sessions, then exit cleanly.
            self.server.send_signal(signal.SIGINT)
            try:
                self.server.wait(30)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def main(argv: list[str]) -> int:
    if "--" in argv:
        argv = argv[argv.index("--") + 1 :]
    if not argv:
        print(__doc__)
        return 2
    server = Server()
    # Turn SIGTERM (CI's timeout, a killed make) into the same clean-up path as Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        started = time.monotonic()
        url = server.start()
        print(
            f"with_postgres: PostgreSQL ({server.bin}) at {url}, "
            f"ready in {time.monotonic() - started:.1f}s",
            flush=True,
        )
        env = {**os.environ, "DATABASE_URL": url}
        return subprocess.run(argv, env=env, check=False).returncode
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
