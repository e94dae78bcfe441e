"""Who may call this app's API routes and pages (see tests/test_api_permissions.py and
tests/test_page_permissions.py, which read this module)."""

from __future__ import annotations

from opsloop.capacity import actions
from opsloop.capacity.models import Skill
from opsloop.capacity.schemas import SkillIn, TimeEntryIn

READ = "200 200 200 200 404"
TEAM = "200 200 200 403 404"  # members and above see the team, its time and workload
ADMIN = "200 200 403 403 404"
SKILLS = "/workspaces/{slug}/skills"
TIME = "/workspaces/{slug}/items/{ref}/time"

# (method, path) -> (statuses of owner admin member guest outsider on a shared project, body)
API_ROUTES: dict = {
    ("GET", SKILLS): (READ, None),
    ("POST", SKILLS): ("201 201 403 403 404", lambda c: {"name": "新技能", "color": "#123456"}),
    ("PATCH", SKILLS + "/{skill_id}"): (ADMIN, lambda c: {"name": "改名", "color": "#654321"}),
    ("DELETE", SKILLS + "/{skill_id}"): ("204 204 403 403 404", None),
    ("GET", "/workspaces/{slug}/team"): (TEAM, None),
    ("GET", "/workspaces/{slug}/members/{user_id}/profile"): (TEAM, None),
    # The profile is the target member's: only admins change someone else's.
    ("PATCH", "/workspaces/{slug}/members/{user_id}/profile"): (
        ADMIN,
        lambda c: {"weekly_capacity": "30", "skill_ids": [c.get("skill_id", 1)]},
    ),
    ("GET", TIME): (READ, None),
    ("POST", TIME): (
        "201 201 201 403 404",
        lambda c: {"duration": "1h30m", "spent_on": "2026-01-05", "note": "写文案"},
    ),
    # The entry is the owner's: an admin may change it, another member may not.
    ("PATCH", TIME + "/{entry_id}"): (ADMIN, lambda c: {"duration": "2h", "note": "改"}),
    ("DELETE", TIME + "/{entry_id}"): ("204 204 403 403 404", None),
    ("GET", "/workspaces/{slug}/time-report"): (TEAM, None),
    ("GET", "/workspaces/{slug}/workload"): (TEAM, None),
    ("GET", "/workspaces/{slug}/items/{ref}/suggestions"): (TEAM, None),
}

ENTRY = "/w/acme/i/D11-1/time/{entry_id}/"
MEMBERS = dict(owner="ok", admin="ok", member="ok", guest=403, shared_guest=403, outsider=404)
ADMINS = dict(owner="ok", admin="ok", member=403, guest=403, shared_guest=403, outsider=404)
EDIT_D11 = dict(owner="ok", admin="ok", member="ok", guest=404, shared_guest=403, outsider=404)
ENTRY_D11 = dict(owner="ok", admin="ok", member=403, guest=404, shared_guest=403, outsider=404)
PAGE_CASES: list = [
    ("GET", "team", "/w/acme/team/", MEMBERS),
    # Without user_id, the poster's own profile.
    ("POST", "team", "/w/acme/team/", MEMBERS),
    ("POST", "team_skills", "/w/acme/team/skills/", ADMINS),
    ("GET", "time_report", "/w/acme/time/", MEMBERS),
    ("GET", "workload", "/w/acme/workload/", MEMBERS),
    ("GET", "workload_cell", "/w/acme/workload/cell/?user={owner_id}&week=2026-01-05", MEMBERS),
    ("GET", "item_time", "/w/acme/i/D11-1/time/", EDIT_D11),
    ("POST", "item_time", "/w/acme/i/D11-1/time/", EDIT_D11),
    ("GET", "item_time", "/w/acme/i/SEC-1/time/", dict(ADMINS, member=404, guest=404, shared_guest=404)),
    ("GET", "item_time_entry", ENTRY, ENTRY_D11),
    ("POST", "item_time_entry", ENTRY, ENTRY_D11),
]  # fmt: skip
PAGE_POST_DATA: dict = {
    "team": {"weekly_capacity": "32", "skill_ids": []},
    "team_skills": {"op": "create", "name": "社群", "color": "#22c55e"},
    "item_time": {"spent_on": "2026-01-05", "duration": "45m", "note": "改稿"},
    "item_time_entry": {"op": "update", "spent_on": "2026-01-05", "duration": "2h", "note": "改"},
}


def project_context(*, owner_ms, project, item, tag) -> dict:
    """Ids the API routes above need, made in `project` (its names carry `tag`)."""
    skill = Skill.objects.filter(workspace_id=owner_ms.workspace_id, name="设计").first()
    if skill is None:
        skill = actions.do_create_skill(actor=owner_ms, data=SkillIn(name="设计"))
    entry = actions.do_log_time(
        actor=owner_ms,
        item=item,
        data=TimeEntryIn(duration="1h", spent_on="2026-01-05", note=f"{tag} 备注"),
    )
    return {"skill_id": skill.pk, "entry_id": entry.pk}


def page_context(*, owner_ms, project, item) -> dict:
    """Ids the pages above need, made in D11."""
    entry = actions.do_log_time(
        actor=owner_ms, item=item, data=TimeEntryIn(duration="1h", spent_on="2026-01-05")
    )
    return {"entry_id": entry.pk, "owner_id": owner_ms.user_id}
