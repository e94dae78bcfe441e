"""Uploads: the size limit counted while the body streams, the quota, safe names, sniffing."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import LimitedStream
from django.test import RequestFactory

from opsloop.files import views
from opsloop.files.models import File
from opsloop.files.uploads import MB, clean_name, sniff_type
from tests.files.conftest import PDF, PNG, stored_blobs


class CountingReader(io.BytesIO):
    """A request body that remembers how many bytes the server read from it."""

    bytes_read = 0

    def read(self, size=-1):
        data = super().read(size)
        self.bytes_read += len(data)
        return data

    def readline(self, size=-1):
        data = super().readline(size)
        self.bytes_read += len(data)
        return data


def _upload_request(owner, size: int):
    request = RequestFactory().post(
        "/w/acme/files/upload/",
        {"project": "D11", "file": SimpleUploadedFile("大文件.bin", b"x" * size)},
    )
    body = request.read()
    reader = CountingReader(body)
    request = RequestFactory().generic(
        "POST", "/w/acme/files/upload/", body, content_type=request.META["CONTENT_TYPE"]
    )
    request._stream = LimitedStream(reader, len(body))
    request._read_started = False
    request.user = owner
    request._dont_enforce_csrf_checks = True
    return request, reader, len(body)


def test_a_file_over_the_limit_is_refused_while_streaming(owner, project, file_storage_dir):
    # 1.9 MB passes the Content-Length check (1 MB + 1 MB for the form) but not the count.
    request, reader, total = _upload_request(owner, int(1.9 * MB))
    response = views.files_upload(request, slug="acme")
    assert response.status_code == 413
    assert reader.bytes_read < 1.2 * MB < total
    assert File.objects.count() == 0
    assert stored_blobs(file_storage_dir) == []


def test_a_body_declared_too_large_is_not_read_at_all(owner, project, file_storage_dir):
    request, reader, total = _upload_request(owner, 3 * MB)
    response = views.files_upload(request, slug="acme")
    assert response.status_code == 413
    assert reader.bytes_read == 0
    assert File.objects.count() == 0


def test_a_file_under_the_limit_is_stored(owner, project, file_storage_dir):
    request, reader, total = _upload_request(owner, MB - 1000)
    request.session = {}
    from django.contrib.messages.storage.fallback import FallbackStorage

    request._messages = FallbackStorage(request)
    response = views.files_upload(request, slug="acme")
    assert response.status_code == 302
    assert reader.bytes_read == total
    assert File.objects.get().current_version.size == MB - 1000
    assert len(stored_blobs(file_storage_dir)) == 1


def test_api_upload_over_the_limit_is_413_and_stores_nothing(api, project, file_storage_dir):
    response = api.client.post(
        "/api/v1/workspaces/acme/files",
        {"project": "D11", "file": SimpleUploadedFile("big.bin", b"x" * int(1.5 * MB))},
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert File.objects.count() == 0
    assert stored_blobs(file_storage_dir) == []


def test_quota_counts_every_version_of_every_file(api, upload, project, file_storage_dir):
    # Quota 3 MB: three files of 0.9 MB fit, with a version each the fourth upload does not.
    for n in range(3):
        upload(name=f"{n}.bin", data=b"y" * int(0.9 * MB))
    response = api.client.post(
        "/api/v1/workspaces/acme/files",
        {
            "project": "D11",
            "file": SimpleUploadedFile("more.bin", b"z" * int(0.5 * MB)),
        },
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    )
    assert response.status_code == 413
    assert "storage is full" in response.json()["message"]
    assert File.objects.count() == 3
    assert len(stored_blobs(file_storage_dir)) == 3


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\x.png", "x.png"),
        ("/etc/shadow", "shadow"),
        ("C:\\Windows\\system32\\cmd.exe", "cmd.exe"),
        ("evil\x00.png", "evil.png"),
        ("..", "file"),
        ("", "file"),
        ("a/..", "file"),
        ("report\u202egnp.exe", "reportgnp.exe"),
        ("双11海报.png", "双11海报.png"),
        ('a<b>:"c|d?*.txt', "a_b___c_d__.txt"),
        ("line\nbreak.txt", "linebreak.txt"),
    ],
)
def test_names_lose_directories_and_control_characters(raw, clean):
    assert clean_name(raw) == clean


def test_long_names_keep_their_extension():
    name = clean_name("长" * 400 + ".pdf")
    assert len(name) == 255 and name.endswith(".pdf")


def test_a_traversal_name_is_stored_under_a_generated_name(upload, file_storage_dir):
    file = upload(name="../../etc/passwd", data=b"root:x:0:0")
    version = file.current_version
    assert file.name == version.original_name == "passwd"
    assert version.blob.startswith(f"{file.workspace_id}/") and "passwd" not in version.blob
    (blob,) = stored_blobs(file_storage_dir)
    assert file_storage_dir in blob.parents


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (PNG, "notes.txt", "image/png"),
        (PDF, "x.bin", "application/pdf"),
        (
            b"<html><script>alert(1)</script></html>",
            "x.png",
            "application/octet-stream",
        ),
        (
            b"<html><script>alert(1)</script></html>",
            "x.html",
            "application/octet-stream",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>',
            "x.svg",
            "application/octet-stream",
        ),
        (b"<?xml version='1.0'?><a/>", "x.xml", "application/octet-stream"),
        ("第一行\n".encode(), "说明.txt", "text/plain"),
        (b'{"a": 1}', "data.json", "application/json"),
        (b"\xff\xfe\x00bin", "x.txt", "application/octet-stream"),
    ],
)
def test_content_type_is_sniffed_not_trusted(data, name, expected):
    assert sniff_type(data, name) == expected
