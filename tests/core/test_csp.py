"""Every page is sent with the Content-Security-Policy, and no template needs more.

The browser tests check that pages work under the policy (tests/browser/conftest.py
fails a test on any refusal); these check the header on every page, faster and without
a browser, and that no template brings back inline script.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from tests.conftest import PASSWORD
from tests.test_page_permissions import CASES, world  # noqa: F401  (world is a fixture)

ROOT = Path(__file__).resolve().parents[2] / "opsloop"
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'; object-src 'none'"
)
PUBLIC_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password-reset/",
    "/admin/login/",
    "/api/v1/docs",
    "/no-such-page/",
]


def directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in parts}


def test_policy_allows_only_our_own_scripts_and_styles(client: Client):
    response = client.get("/accounts/login/")
    policy = directives(response["Content-Security-Policy"])

    assert policy == directives(POLICY)
    # No inline script and no eval, whatever else changes.
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_carry_the_policy(client: Client, path: str):
    response = client.get(path)

    assert directives(response["Content-Security-Policy"]) == directives(POLICY), path


def test_every_workspace_page_carries_the_policy(world):  # noqa: F811
    client = Client()
    assert client.login(username=world["owner"].username, password=PASSWORD)
    files = {name for _m, name, _p, _e in CASES if name in ("file_download", "file_preview")}
    pages = {
        raw.format(**world["context"])
        for method, name, raw, _e in CASES
        if method == "GET" and name not in files
    }
    assert len(pages) > 50 and len(files) == 2
    for path in sorted(pages):
        response = client.get(path)
        assert directives(response.get("Content-Security-Policy", "")) == directives(POLICY), (
            f"{path}: {response.status_code}"
        )


def test_uploaded_files_keep_their_own_sandbox_policy(world):  # noqa: F811
    client = Client()
    assert client.login(username=world["owner"].username, password=PASSWORD)
    for name in ("file_download", "file_preview"):
        raw = next(raw for _m, n, raw, _e in CASES if n == name)

        response = client.get(raw.format(**world["context"]))

        # The middleware leaves a policy a view set alone: a file opened from opsloop
        # runs sandboxed, away from opsloop's origin (opsloop/files/serving.py).
        assert response.status_code == 200, name
        assert response["Content-Security-Policy"] == "sandbox", name


# What the policy refuses in a template: a <script> with code in it (JSON data from
# json_script is fine), an on...= handler, a javascript: URL, a <style> element, and an
# Alpine object literal (the CSP build wants a component registered with Alpine.data).
INLINE_CODE = [
    re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
    re.compile(r"\son[a-z]+\s*=", re.I),
    re.compile(r"javascript:", re.I),
    re.compile(r"<style[\s>]", re.I),
    re.compile(r"x-data=\"\s*\{"),
]


def test_templates_hold_no_inline_script():
    templates = [
        path
        for path in ROOT.rglob("*.html")
        if "templates" in path.parts and "email" not in path.parts
    ]
    assert len(templates) > 100
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in templates
        for pattern in INLINE_CODE
        for match in pattern.finditer(path.read_text())
    ]
    assert found == []
