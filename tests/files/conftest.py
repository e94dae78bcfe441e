"""Files land in a fresh directory per test; small limits make the size tests fast."""

from __future__ import annotations

import base64

import pytest
from django.core.files.base import ContentFile

from opsloop.files import actions
from opsloop.files.queries import Place
from tests.conftest import membership_of

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def file_storage_dir(settings, tmp_path):
    root = tmp_path / "files"
    settings.STORAGES = {
        **settings.STORAGES,
        "opsloop_files": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    settings.OPSLOOP_MAX_UPLOAD_MB = 1
    settings.OPSLOOP_WORKSPACE_STORAGE_MB = 3
    return root


def stored_blobs(root) -> list:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def owner_ms(owner, workspace):
    return membership_of(owner, workspace)


@pytest.fixture
def upload(owner_ms, project):
    """upload(name, bytes, **place) -> File, made by the owner in D11 unless told."""

    def make(name="海报.png", data=PNG, actor=None, **place):
        return actions.do_upload_file(
            actor=actor or owner_ms,
            place=Place(**({"project": project} | place)),
            content=ContentFile(data),
            name=name,
        )

    return make
