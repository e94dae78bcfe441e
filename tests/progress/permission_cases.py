"""Who may call this app's API routes and pages (see tests/test_api_permissions.py and
tests/test_page_permissions.py, which read this module)."""

from __future__ import annotations

# (method, path) -> (statuses of owner admin member guest outsider on a shared project, body)
API_ROUTES: dict = {}
PAGE_CASES: list = []
PAGE_POST_DATA: dict = {}


def project_context(*, owner_ms, project, item, tag) -> dict:
    """Ids the API routes above need, made in `project` (its names carry `tag`)."""
    return {}


def page_context(*, owner_ms, project, item) -> dict:
    """Ids the pages above need, made in D11."""
    return {}
