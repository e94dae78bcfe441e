"""Who may read the portfolio (see tests/test_api_permissions.py and
tests/test_page_permissions.py, which read this module): every member of the workspace,
guests included (they see only the projects shared with them); outsiders 404."""

from __future__ import annotations

READ = "200 200 200 200 404"

API_ROUTES: dict = {
    ("GET", "/workspaces/{slug}/portfolio"): (READ, None),
}

EVERYONE = dict(owner="ok", admin="ok", member="ok", guest="ok", shared_guest="ok", outsider=404)
PAGE_CASES: list = [
    ("GET", "portfolio", "/w/acme/portfolio/", EVERYONE),
    ("GET", "portfolio", "/w/acme/portfolio/?group=kind&sort=-budget", EVERYONE),
    ("GET", "portfolio_csv", "/w/acme/portfolio/export.csv", EVERYONE),
]
PAGE_POST_DATA: dict = {}


def project_context(*, owner_ms, project, item, tag) -> dict:
    return {}


def page_context(*, owner_ms, project, item) -> dict:
    return {}
