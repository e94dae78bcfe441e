"""Who may read campaign results and set the conversion they count (tests/money/
permission_cases.py joins these to money's cases, which tests/test_api_permissions.py and
tests/test_page_permissions.py read; no tests of its own here): members and above read them (guests do not see spend
or the users' events: 403, or 404 for a project not shared with them); owners and
admins set the conversion."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

from django.utils import timezone

P = "/workspaces/{slug}/projects/{key}/results"
W = "/workspaces/{slug}/results"
READ = "200 200 200 403 404"
ADMIN = "200 200 403 403 404"


def _conversion(c: dict) -> dict:
    return {"event": "order_paid", "revenue_property": "amount", "window_days": 30}


API_ROUTES: dict = {
    ("GET", P): (READ, None),
    ("GET", P + "/conversion"): (READ, None),
    ("PUT", P + "/conversion"): (ADMIN, _conversion),
    ("GET", W): (READ, None),
    ("GET", W + "/conversion"): (READ, None),
    ("PUT", W + "/conversion"): (ADMIN, _conversion),
}


def project_context(*, owner_ms, project, item, tag) -> dict:
    """A placement of the project with yesterday's spend, named for the project: the
    workspace's results list the campaign (by its name) only to who sees it."""
    from opsloop.money.models import Placement, PlacementDay

    zone = zoneinfo.ZoneInfo(owner_ms.workspace.time_zone)
    yesterday = timezone.now().astimezone(zone).date() - dt.timedelta(days=1)
    placement = Placement.objects.create(
        workspace_id=owner_ms.workspace_id,
        project=project,
        name=f"{tag} 投放",
        platform="ocean_engine",
        utm_campaign=f"{project.key.lower()}-results",
        utm_content="feed",
    )
    PlacementDay.objects.create(
        placement=placement, day=yesterday, spend=Decimal("120.00"), impressions=1000, clicks=10
    )
    return {}


MEMBERS = dict(owner="ok", admin="ok", member="ok", guest=403, shared_guest=403, outsider=404)
ADMINS = dict(owner="ok", admin="ok", member=403, guest=403, shared_guest=403, outsider=404)
IN_D11 = dict(owner="ok", admin="ok", member="ok", guest=404, shared_guest=403, outsider=404)
ADMINS_D11 = dict(owner="ok", admin="ok", member=403, guest=404, shared_guest=403, outsider=404)
PRIVATE = dict(owner="ok", admin="ok", member=404, guest=404, shared_guest=404, outsider=404)
PAGE_CASES: list = [
    ("GET", "results", "/w/acme/results/", MEMBERS),
    ("GET", "results", "/w/acme/results/?touch=last&sort=cac", MEMBERS),
    ("POST", "results", "/w/acme/results/", ADMINS),
    ("GET", "project_results", "/w/acme/p/D11/results/", IN_D11),
    ("GET", "project_results", "/w/acme/p/D11/results/?from=2026-03-01&to=2026-03-10", IN_D11),
    ("POST", "project_results", "/w/acme/p/D11/results/", ADMINS_D11),
    ("GET", "project_results", "/w/acme/p/SEC/results/", PRIVATE),
]
PAGE_POST_DATA: dict = {
    "results": {"op": "conversion", "event": "order_paid", "revenue_property": "amount",
                "window_days": "30"},
    "project_results": {"op": "conversion", "event": "first_order", "window_days": "14"},
}  # fmt: skip


def page_context(*, owner_ms, project, item) -> dict:
    return {}
