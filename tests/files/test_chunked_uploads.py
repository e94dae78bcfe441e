"""Bodies sent with Transfer-Encoding: chunked (no Content-Length) to a real `opsloop run`.

They used to reach Django empty: an upload without its file, JSON as "not valid JSON".
Now they are read within the limits (opsloop/core/chunked.py), and one past the limit is a
413 like a body whose Content-Length is too large."""

from __future__ import annotations

import contextlib
import http.client
import json
import subprocess
import uuid
from collections.abc import Iterator

import pytest

from tests.test_cli import OPSLOOP, ROOT, cli_env, free_port, run_cli, wait_for_http

LIMIT_MB = 1


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[dict]:
    data_dir = tmp_path_factory.mktemp("chunked")
    env = cli_env(data_dir, OPSLOOP_MAX_UPLOAD_MB=str(LIMIT_MB))
    for command in (
        ["migrate", "--noinput"],
        ["createsuperuser", "--noinput", "--username", "ops", "--email", "ops@example.com"],
        ["workspace", "create", "acme", "--owner", "ops"],
    ):
        done = run_cli(*command, env={**env, "DJANGO_SUPERUSER_PASSWORD": "x-Y-z-12345678"})
        assert done.returncode == 0, done.stderr
    made = run_cli("token", "create", "ops", env=env)
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip().splitlines()[-1].split()[-1]
    port = free_port()
    log = data_dir / "server.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [*OPSLOOP, "run", "--host", "127.0.0.1", "--port", str(port), "--no-worker"],
            env=env,
            cwd=ROOT,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/accounts/login/", process, log)
        yield {"port": port, "token": token}
    finally:
        process.terminate()
        process.wait(30)


def pieces(data: bytes, size: int = 7000) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def send_chunked(server: dict, path: str, body: bytes, content_type: str) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", server["port"], timeout=60)
    try:
        # Past the limit the server answers before the body ends and stops reading;
        # its answer is still there to read.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            connection.request(
                "POST",
                path,
                body=pieces(body),
                headers={
                    "Authorization": f"Bearer {server['token']}",
                    "Content-Type": content_type,
                    "Transfer-Encoding": "chunked",
                },
                encode_chunked=True,
            )
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


def multipart(fields: dict[str, str], name: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    return b"".join(
        parts
    ) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def test_chunked_bodies_are_read_within_the_limits(server):
    body = json.dumps({"name": "分块项目", "key": "CHK"}).encode()
    status, answer = send_chunked(
        server, "/api/v1/workspaces/acme/projects", body, "application/json"
    )
    assert status == 201, answer
    assert answer["key"] == "CHK"

    content = bytes(range(256)) * 2000  # 512,000 bytes, under the 1 MB limit
    body, content_type = multipart({"project": "CHK", "note": "分块上传"}, "数据.bin", content)
    status, answer = send_chunked(server, "/api/v1/workspaces/acme/files", body, content_type)
    assert status == 201, answer
    assert answer["name"] == "数据.bin"
    assert answer["size"] == len(content)


def test_a_chunked_upload_over_the_limit_is_413(server):
    content = b"x" * (LIMIT_MB * 1024 * 1024 + 1)
    body, content_type = multipart({"project": "CHK"}, "大.bin", content)
    status, answer = send_chunked(server, "/api/v1/workspaces/acme/files", body, content_type)
    assert status == 413, answer
    assert answer["code"] == "too_large"


def test_a_chunked_json_body_over_the_limit_is_413(server):
    body = json.dumps({"name": "大", "key": "BIG", "goal": "长" * 1_000_000}).encode()
    assert len(body) > 2 * 1024 * 1024 + 1
    status, answer = send_chunked(
        server, "/api/v1/workspaces/acme/projects", body, "application/json"
    )
    assert status == 413, answer
    assert answer["code"] == "too_large"
