"""Where blobs go: local disk under the data dir by default, S3 by settings (no network)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CODE = (
    "import json, django; django.setup();"
    "from django.core.files.storage import storages; import opsloop.settings as s;"
    "b = storages['opsloop_files'];"
    "print(json.dumps([s.STORAGES['opsloop_files'], type(b).__module__ + '.' + type(b).__name__,"
    " getattr(b, 'bucket_name', None), getattr(b, 'location', None), s.OPSLOOP_MAX_UPLOAD_MB], default=str))"
)


def _settings(tmp_path, **env) -> list:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("OPSLOOP_", "AWS_"))}
    environ.update(OPSLOOP_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="opsloop.settings", **env)
    out = subprocess.run(
        [sys.executable, "-c", CODE],
        cwd=ROOT,
        env=environ,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def test_local_storage_is_under_the_data_dir(tmp_path):
    config, backend, _bucket, location, limit = _settings(tmp_path)
    assert backend == "django.core.files.storage.filesystem.FileSystemStorage"
    assert location == str(tmp_path / "files") and limit == 50


def test_s3_settings_configure_the_s3_backend(tmp_path):
    config, backend, bucket, location, limit = _settings(
        tmp_path,
        OPSLOOP_FILE_STORAGE="s3",
        OPSLOOP_S3_BUCKET="ops-files",
        OPSLOOP_S3_ENDPOINT_URL="https://oss.example.com",
        OPSLOOP_S3_REGION="cn-hangzhou",
        OPSLOOP_MAX_UPLOAD_MB="200",
        AWS_ACCESS_KEY_ID="key",
        AWS_SECRET_ACCESS_KEY="secret",
    )
    assert backend == "storages.backends.s3.S3Storage"
    assert bucket == "ops-files" and location == "files" and limit == 200
    assert config["OPTIONS"]["endpoint_url"] == "https://oss.example.com"
    assert config["OPTIONS"]["region_name"] == "cn-hangzhou"
    assert config["OPTIONS"]["default_acl"] == "private"


def test_an_unknown_storage_is_refused_at_startup(tmp_path):
    environ = dict(os.environ, OPSLOOP_DATA_DIR=str(tmp_path), OPSLOOP_FILE_STORAGE="ftp")
    out = subprocess.run(
        [sys.executable, "-c", "import opsloop.settings"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
    )
    assert out.returncode != 0 and "OPSLOOP_FILE_STORAGE" in out.stderr
