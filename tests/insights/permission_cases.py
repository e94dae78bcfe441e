"""Who may run insights (see tests/test_api_permissions.py, which reads this module):
members and above, as they see events; guests 403; outsiders 404."""

from __future__ import annotations

import itertools

TEAM = "200 200 200 403 404"
TEAM_CREATE = "201 201 201 403 404"
# Who saved it (the owner here) and admins change and delete; members 403.
MAKER = "200 200 403 403 404"
MAKER_DELETE = "204 204 403 403 404"
QUERY = {"kind": "trends", "series": [{"event": "app_open", "math": "dau"}]}
INSIGHTS = "/workspaces/{slug}/insights"
COHORTS = "/workspaces/{slug}/cohorts"

API_ROUTES: dict = {
    ("POST", "/workspaces/{slug}/insights/query"): (TEAM, lambda c: QUERY),
    ("POST", "/workspaces/{slug}/insights/persons"): (
        TEAM,
        lambda c: {"query": QUERY, "selection": {"series": 0, "bucket": 0}},
    ),
    ("GET", INSIGHTS + "/suggestions"): (TEAM, None),
    # Who may save insights names events and values: members and above.
    ("GET", INSIGHTS + "/display-names"): (TEAM, None),
    ("PUT", INSIGHTS + "/display-names"): (
        TEAM,
        lambda c: {"kind": "value", "key": "utm_source", "value": "xiaohongshu", "name": "小红书"},
    ),
    ("DELETE", INSIGHTS + "/display-names/{display_name_id}"): ("204 204 204 403 404", None),
    ("GET", INSIGHTS): (TEAM, None),
    ("POST", INSIGHTS): (TEAM_CREATE, lambda c: {"name": "日活", "query": QUERY}),
    ("GET", INSIGHTS + "/{insight_id}"): (TEAM, None),
    ("PATCH", INSIGHTS + "/{insight_id}"): (MAKER, lambda c: {"name": "日活（改）"}),
    ("DELETE", INSIGHTS + "/{insight_id}"): ("204 204 403 403 404", None),
    ("GET", INSIGHTS + "/{insight_id}/comments"): (TEAM, None),
    ("POST", INSIGHTS + "/{insight_id}/comments"): (
        TEAM_CREATE,
        lambda c: {"body": "看看 **周末**"},
    ),
    ("GET", COHORTS): (TEAM, None),
    (
        "POST",
        COHORTS,
    ): (
        TEAM_CREATE,
        lambda c: {"name": "活跃用户", "query": QUERY, "selection": {"bucket": 0}},
    ),
    ("GET", COHORTS + "/{cohort_id}"): (TEAM, None),
    ("POST", COHORTS + "/{cohort_id}/refresh"): (MAKER, None),
    ("DELETE", COHORTS + "/{cohort_id}"): (MAKER_DELETE, None),
    ("GET", COHORTS + "/{cohort_id}/persons"): (TEAM, None),
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
    ("GET", "insight_cohorts", "/w/acme/insights/cohorts/", MEMBERS),
    ("POST", "insight_cohorts", "/w/acme/insights/cohorts/", MEMBERS),
    ("GET", "insight_names", "/w/acme/insights/names/?key=utm_source", MEMBERS),
    ("POST", "insight_names", "/w/acme/insights/names/", MEMBERS),
]
PAGE_POST_DATA: dict = {
    "insight_cohorts": {
        "op": "create",
        "name": "上海用户",
        "kind": "dynamic",
        "trait": "city=上海",
    },
    "insight_names": {"op": "event", "target": "signup", "name": "注册"},
}


_made = itertools.count(1)


def project_context(*, owner_ms, project, item, tag) -> dict:
    """A saved insight and a cohort of the owner's. Insights belong to the workspace, not
    to a project, so their names carry none of the project's secret words."""
    from opsloop.insights import actions

    n = next(_made)
    insight = actions.do_save_insight(actor=owner_ms, name=f"日活 {n}", query=QUERY)
    cohort = actions.do_save_cohort(
        actor=owner_ms, name=f"人群 {n}", query=QUERY, selection={"bucket": 0}
    )
    display_name = actions.do_set_display_name(
        actor=owner_ms, kind="event", key=f"event_{n}", name=f"事件 {n}"
    )
    return {
        "insight_id": insight.pk,
        "cohort_id": cohort.pk,
        "display_name_id": display_name.pk,
        "n": n,
    }


def page_context(*, owner_ms, project, item) -> dict:
    return {}
