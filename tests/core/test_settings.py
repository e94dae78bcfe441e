"""The embedded default: a SQLite file in the data dir, in WAL mode, set up by the environment."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="checks the SQLite default")
def test_default_database_is_sqlite_in_wal_mode_inside_the_data_dir(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["OPSLOOP_DATA_DIR"] = str(tmp_path)
    subprocess.run(
        [sys.executable, "-m", "opsloop.cli", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    database = tmp_path / "opsloop.sqlite3"
    assert database.exists()
    # WAL is a property of the file, so a fresh connection reads it back.
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    secret = tmp_path / "secret_key"
    assert secret.exists() and oct(secret.stat().st_mode)[-3:] == "600"


def test_database_url_selects_postgresql(monkeypatch, tmp_path):
    code = (
        "import json, opsloop.settings as s;"
        "print(json.dumps([s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], s.EMAIL_BACKEND]))"
    )
    env = dict(
        os.environ,
        OPSLOOP_DATA_DIR=str(tmp_path),
        DATABASE_URL="postgres://u:p@db.example:5432/ops",
        OPSLOOP_EMAIL_HOST="smtp.example",
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    assert (
        out.stdout.strip()
        == '["django.db.backends.postgresql", "ops", "django.core.mail.backends.smtp.EmailBackend"]'
    )
