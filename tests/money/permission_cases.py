"""Who may use a project's money (see tests/test_api_permissions.py and
tests/test_page_permissions.py, which read this module): whoever sees the project reads
its budget, spend and placements, except guests (403 where the project is shared with
them); members record spend, placements and their days; who recorded an entry or a
placement, the project's owner (the owner here) and admins change or delete it; the
project's owner and admins change the budget lines and watch the budget.

The results of campaigns (opsloop/money/results*.py) list their cases in
tests/money/test_results_permission_cases.py when it exists; they join these."""

from __future__ import annotations

import datetime as dt
import importlib.util
from decimal import Decimal

P = "/workspaces/{slug}/projects/{key}"
READ = "200 200 200 403 404"
RECORD = "201 201 201 403 404"
RECORD_OK = "200 200 200 403 404"
RECORD_GONE = "204 204 204 403 404"
MANAGE = "201 201 403 403 404"
MANAGE_OK = "200 200 403 403 404"
MANAGE_GONE = "204 204 403 403 404"

API_ROUTES: dict = {
    ("GET", P + "/budget"): (READ, None),
    ("POST", P + "/budget/watch"): (MANAGE, lambda c: {"members_may_see": True}),
    # Not watched in this world: who may stop watching gets past the check to 409.
    ("DELETE", P + "/budget/watch"): ("409 409 403 403 404", None),
    ("GET", P + "/budget-lines"): (READ, None),
    ("POST", P + "/budget-lines"): (
        MANAGE,
        lambda c: {"name": "小红书 KOL", "category": "kol", "planned": "20000"},
    ),
    ("PATCH", P + "/budget-lines/{budget_line_id}"): (MANAGE_OK, lambda c: {"planned": "35000"}),
    ("DELETE", P + "/budget-lines/{budget_line_id}"): (MANAGE_GONE, None),
    ("GET", P + "/spend"): (READ, None),
    ("POST", P + "/spend"): (
        RECORD,
        lambda c: {"day": "2026-11-02", "amount": "1200.50", "line_id": c.get("money_line_id")},
    ),
    # Recorded by the owner: the member may not change it.
    ("PATCH", P + "/spend/{spend_id}"): (MANAGE_OK, lambda c: {"note": "发票已到"}),
    ("DELETE", P + "/spend/{spend_id}"): (MANAGE_GONE, None),
    ("GET", P + "/placements"): (READ, None),
    ("POST", P + "/placements"): (
        RECORD,
        lambda c: {"name": "双十一 巨量 信息流", "platform": "ocean_engine"},
    ),
    ("GET", P + "/placements/{placement_id}"): (READ, None),
    ("PATCH", P + "/placements/{placement_id}"): (
        RECORD_OK,
        lambda c: {"utm_campaign": "d11"},
    ),
    ("DELETE", P + "/placements/{placement_id}"): (MANAGE_GONE, None),
    ("GET", P + "/placements/{placement_id}/days"): (READ, None),
    ("PUT", P + "/placements/{placement_id}/days"): (
        RECORD_OK,
        lambda c: {
            "days": [{"day": "2026-11-02", "spend": "800", "impressions": 1000, "clicks": 20}]
        },  # fmt: skip
    ),
    ("DELETE", P + "/placements/{placement_id}/days/{day}"): (RECORD_GONE, None),
}


def _money(owner_ms, project, tag: str) -> dict:
    """A line, an entry on it, and a placement with a day, in `project`, made by its owner."""
    from opsloop.channels.models import Channel
    from opsloop.money import actions
    from opsloop.money.schemas import BudgetLineIn, PlacementDayIn, PlacementIn, SpendEntryIn

    channel, _ = Channel.objects.get_or_create(
        workspace_id=owner_ms.workspace_id, name="抖音", defaults={"platform": "douyin"}
    )
    project.workspace = owner_ms.workspace
    line = actions.do_create_line(
        actor=owner_ms,
        project=project,
        data=BudgetLineIn(
            name=f"{tag} 抖音投放", category="ads", channel_id=channel.pk, planned=Decimal(30000)
        ),
    )
    entry = actions.do_create_entry(
        actor=owner_ms,
        project=project,
        data=SpendEntryIn(
            day=dt.date(2026, 11, 1), amount=Decimal("500"), line_id=line.pk, note=f"{tag} 物料"
        ),
    )
    placement = actions.do_create_placement(
        actor=owner_ms,
        project=project,
        data=PlacementIn(name=f"{tag} 巨量计划", platform="ocean_engine", budget_line_id=line.pk),
    )
    actions.do_record_placement_days(
        actor=owner_ms,
        placement=placement,
        days=[PlacementDayIn(day=dt.date(2026, 11, 1), spend=Decimal("1000"), impressions=5000,
                             clicks=100)],
    )  # fmt: skip
    return {
        "money_line_id": line.pk,
        "money_entry_id": entry.pk,
        "money_placement_id": placement.pk,
        # The API's path parameters.
        "budget_line_id": line.pk,
        "spend_id": entry.pk,
        "placement_id": placement.pk,
        "day": "2026-11-01",
    }


def project_context(*, owner_ms, project, item, tag) -> dict:
    return _money(owner_ms, project, tag) | _results("project_context", owner_ms=owner_ms,
                                                     project=project, item=item, tag=tag)  # fmt: skip


B = "/w/acme/p/D11/budget/"
PL = "/w/acme/p/D11/placements/"
READERS = dict(owner="ok", admin="ok", member="ok", guest=404, shared_guest=403, outsider=404)
MANAGERS = dict(owner="ok", admin="ok", member=403, guest=404, shared_guest=403, outsider=404)
PAGE_CASES: list = [
    ("GET", "project_budget", B, READERS),
    ("POST", "project_budget", B, READERS),
    ("GET", "budget_lines", B + "lines/", MANAGERS),
    ("POST", "budget_lines", B + "lines/", MANAGERS),
    ("GET", "spend_entry", B + "spend/{money_entry_id}/", READERS),
    # Recorded by the owner: the member reads it and may not change it.
    ("POST", "spend_entry", B + "spend/{money_entry_id}/", MANAGERS),
    ("GET", "project_placements", PL, READERS),
    ("POST", "project_placements", PL, READERS),
    ("GET", "placement", PL + "{money_placement_id}/", READERS),
    ("POST", "placement", PL + "{money_placement_id}/", READERS),
    ("POST", "placement_delete", PL + "{money_placement_id}/delete/", MANAGERS),
]
PAGE_POST_DATA: dict = {
    "project_budget": {"op": "add_spend", "day": "2026-11-03", "amount": "300", "note": "海报"},
    "budget_lines": {"op": "add_line", "name": "奖品", "category": "prizes", "planned": "5000"},
    "spend_entry": {"day": "2026-11-01", "amount": "520.00", "note": "改"},
    "project_placements": {"name": "腾讯 朋友圈", "platform": "tencent_ads"},
    "placement": {
        "op": "day",
        "day": "2026-11-04",
        "spend": "650.5",
        "impressions": "3000",
        "clicks": "45",
    },  # fmt: skip
}


def page_context(*, owner_ms, project, item) -> dict:
    return _money(owner_ms, project, "大促") | _results(
        "page_context", owner_ms=owner_ms, project=project, item=item
    )


# --- the results' cases, when they are written

_RESULTS = "tests.money.test_results_permission_cases"


def _results_module():
    if importlib.util.find_spec(_RESULTS) is None:
        return None
    return importlib.import_module(_RESULTS)


def _results(name: str, **kwargs) -> dict:
    module = _results_module()
    return getattr(module, name)(**kwargs) if module and hasattr(module, name) else {}


_module = _results_module()
if _module is not None:
    API_ROUTES.update(getattr(_module, "API_ROUTES", {}))
    PAGE_CASES.extend(getattr(_module, "PAGE_CASES", []))
    PAGE_POST_DATA.update(getattr(_module, "PAGE_POST_DATA", {}))
