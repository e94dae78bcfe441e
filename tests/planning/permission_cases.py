"""Who may call this app's API routes and pages (see tests/test_api_permissions.py and
tests/test_page_permissions.py, which read this module)."""

from __future__ import annotations

from datetime import date

from opsloop.planning import actions
from opsloop.planning.schemas import MilestoneIn
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ItemIn

ITEM = "/workspaces/{slug}/items/{ref}"
PROJECT = "/workspaces/{slug}/projects/{key}"
MILESTONE = PROJECT + "/milestones/{milestone_id}"
READ = "200 200 200 200 404"
EDIT = "200 200 200 403 404"
MADE = "201 201 201 403 404"
GONE = "204 204 204 403 404"

# (method, path) -> (statuses of owner admin member guest outsider on a shared project, body)
API_ROUTES: dict = {
    ("GET", ITEM + "/dependencies"): (READ, None),
    ("POST", ITEM + "/dependencies"): (
        MADE,
        lambda c: {"ref": c.get("other_ref", "SHR-3"), "kind": "relates"},
    ),
    ("DELETE", ITEM + "/dependencies/{dependency_id}"): (GONE, None),
    ("POST", ITEM + "/reschedule"): (
        EDIT,
        lambda c: {"start_date": "2026-11-02", "due_date": "2026-11-20", "shift_dependents": True},
    ),
    ("GET", PROJECT + "/timeline"): (READ, None),
    ("GET", "/workspaces/{slug}/timeline"): (READ, None),
    ("GET", PROJECT + "/milestones"): (READ, None),
    ("POST", PROJECT + "/milestones"): (
        MADE,
        lambda c: {"name": "新里程碑", "date": "2026-11-11", "item_refs": [c.get("ref", "SHR-1")]},
    ),
    ("GET", MILESTONE): (READ, None),
    ("PATCH", MILESTONE): (EDIT, lambda c: {"name": "改名"}),
    ("DELETE", MILESTONE): (GONE, None),
}


def project_context(*, owner_ms, project, item, tag) -> dict:
    """Ids the API routes above need, made in `project` (its names carry `tag`)."""
    blocked = work_actions.do_create_item(
        actor=owner_ms,
        project=project,
        data=ItemIn(title=f"{tag} 后续", start_date=date(2026, 11, 3), due_date=date(2026, 11, 4)),
    )
    other = work_actions.do_create_item(
        actor=owner_ms, project=project, data=ItemIn(title=f"{tag} 相关")
    )
    dependency = actions.do_add_dependency(actor=owner_ms, source=item, target=blocked)
    milestone = actions.do_create_milestone(
        actor=owner_ms,
        project=project,
        data=MilestoneIn(name=f"{tag} 里程碑", date=date(2026, 11, 11), item_refs=[item.ref]),
    )
    return {
        "other_ref": other.ref,
        "dependency_id": dependency.pk,
        "milestone_id": milestone.pk,
    }


EVERYONE = dict(owner="ok", admin="ok", member="ok", guest="ok", shared_guest="ok", outsider=404)
IN_D11 = dict(owner="ok", admin="ok", member="ok", guest=404, shared_guest="ok", outsider=404)
EDIT_D11 = dict(owner="ok", admin="ok", member="ok", guest=404, shared_guest=403, outsider=404)
IN_SEC = dict(EVERYONE, member=404, guest=404, shared_guest=404)
PAGE_CASES: list = [
    ("GET", "timeline", "/w/acme/timeline/", EVERYONE),
    ("GET", "project_timeline", "/w/acme/p/D11/timeline/", IN_D11),
    ("GET", "project_timeline", "/w/acme/p/SEC/timeline/", IN_SEC),
    ("GET", "project_calendar", "/w/acme/p/D11/calendar/", IN_D11),
    ("GET", "project_calendar", "/w/acme/p/SEC/calendar/", IN_SEC),
    ("GET", "project_milestones", "/w/acme/p/D11/milestones/", IN_D11),
    ("GET", "project_milestones", "/w/acme/p/SEC/milestones/", IN_SEC),
    ("POST", "project_milestones", "/w/acme/p/D11/milestones/", EDIT_D11),
    ("POST", "item_dependencies", "/w/acme/i/D11-1/dependencies/", EDIT_D11),
]  # fmt: skip
PAGE_POST_DATA: dict = {
    "project_milestones": {
        "op": "create",
        "name": "上线",
        "date": "2026-11-11",
        "item_refs": "D11-1",
    },
    "item_dependencies": lambda c: {"op": "add", "kind": "relates", "ref": c["page_other_ref"]},
}


def page_context(*, owner_ms, project, item) -> dict:
    """Ids the pages above need, made in D11."""
    other = work_actions.do_create_item(actor=owner_ms, project=project, data=ItemIn(title="相关"))
    return {"page_other_ref": other.ref}
