"""Who may use the channels API (read by tests/test_api_permissions.py)."""

from __future__ import annotations

API_ROUTES: dict = {}


def project_context(*, owner_ms, project, item, tag) -> dict:
    return {}


PAGE_CASES: list = []
PAGE_POST_DATA: dict = {}


def page_context(*, owner_ms, project, item) -> dict:
    return {}
