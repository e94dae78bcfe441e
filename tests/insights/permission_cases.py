"""Who may run insights (see tests/test_api_permissions.py, which reads this module):
members and above, as they see events; guests 403; outsiders 404."""

from __future__ import annotations

TEAM = "200 200 200 403 404"
QUERY = {"kind": "trends", "series": [{"event": "app_open", "math": "dau"}]}

API_ROUTES: dict = {
    ("POST", "/workspaces/{slug}/insights/query"): (TEAM, lambda c: QUERY),
    ("POST", "/workspaces/{slug}/insights/persons"): (
        TEAM,
        lambda c: {"query": QUERY, "selection": {"series": 0, "bucket": 0}},
    ),
}
MEMBERS = dict(owner="ok", admin="ok", member="ok", guest=403, shared_guest=403, outsider=404)
PAGE_CASES: list = [
    ("GET", "insights", "/w/acme/insights/", MEMBERS),
    ("GET", "insights", "/w/acme/insights/?kind=funnel&step=app_open&step=signup", MEMBERS),
    (
        "GET",
        "insight_persons",
        "/w/acme/insights/persons/?kind=funnel&step=app_open&step=signup&sel=%7B%22step%22%3A0%7D",
        MEMBERS,
    ),
]
PAGE_POST_DATA: dict = {}


def project_context(*, owner_ms, project, item, tag) -> dict:
    return {}


def page_context(*, owner_ms, project, item) -> dict:
    return {}
