"""Who may call this app's API routes and pages (see tests/test_api_permissions.py and
tests/test_page_permissions.py, which read this module)."""

from __future__ import annotations

PROGRESS = "/workspaces/{slug}/projects/{key}/progress"
READ = "200 200 200 200 404"
# Sending goes to every member: the project owner (here the workspace owner) and admins.
SEND = "202 202 403 403 404"

# (method, path) -> (statuses of owner admin member guest outsider on a shared project, body)
API_ROUTES: dict = {
    ("GET", PROGRESS): (READ, None),
    ("GET", PROGRESS + "/burn-up"): (READ, None),
    ("GET", PROGRESS + "/weekly-summary"): (READ, None),
    ("POST", PROGRESS + "/weekly-summary/send"): (SEND, lambda c: {"week": "2026-W45"}),
}

IN_D11 = dict(owner="ok", admin="ok", member="ok", guest=404, shared_guest="ok", outsider=404)
PAGE_CASES: list = [
    ("GET", "project_progress", "/w/acme/p/D11/progress/", IN_D11),
    ("GET", "project_progress", "/w/acme/p/SEC/progress/", dict(IN_D11, member=404, shared_guest=404)),
    ("POST", "project_progress", "/w/acme/p/D11/progress/", dict(IN_D11, member=403, shared_guest=403)),
]  # fmt: skip
PAGE_POST_DATA: dict = {"project_progress": {"week": "2026-W45"}}


def project_context(*, owner_ms, project, item, tag) -> dict:
    """Ids the API routes above need, made in `project` (its names carry `tag`)."""
    return {}


def page_context(*, owner_ms, project, item) -> dict:
    """Ids the pages above need, made in D11."""
    return {}
