"""Who may use goals (see tests/test_api_permissions.py, which reads this module):
members and above, as they see the events KPIs come from; guests 403; outsiders 404.
Who made a KPI or set an objective (the owner here), its owner, and admins change it.
A campaign's impact and its cohorts: members and above who see the project (and may
edit it, for the cohorts). A KPI that counts a project's items, its alert rules and
firings, and the key results measured by it, are seen only by who sees the project:
each project's are tagged (tests/goals/test_work_kpi_permissions.py walks their routes
on the private project)."""

from __future__ import annotations

import itertools

TEAM = "200 200 200 403 404"
TEAM_CREATE = "201 201 201 403 404"
MAKER = "200 200 403 403 404"
MAKER_CREATE = "201 201 403 403 404"
MAKER_DELETE = "204 204 403 403 404"
KPIS = "/workspaces/{slug}/kpis"
OBJECTIVES = "/workspaces/{slug}/objectives"
KEY_RESULT = "/workspaces/{slug}/key-results/{key_result_id}"
PROJECT = "/workspaces/{slug}/projects/{key}"

API_ROUTES: dict = {
    ("GET", KPIS): (TEAM, None),
    ("POST", KPIS): (TEAM_CREATE, lambda c: {"name": "公众号粉丝", "source": "manual"}),
    ("GET", KPIS + "/{kpi_id}"): (TEAM, None),
    ("PATCH", KPIS + "/{kpi_id}"): (MAKER, lambda c: {"unit": "人"}),
    ("DELETE", KPIS + "/{kpi_id}"): (MAKER_DELETE, None),
    ("GET", KPIS + "/{kpi_id}/values"): (TEAM, None),
    ("POST", KPIS + "/{kpi_id}/values"): (
        TEAM,
        lambda c: {"values": [{"day": "2026-10-01", "value": 1200}]},
    ),
    ("POST", KPIS + "/{kpi_id}/compute"): (TEAM, None),
    ("GET", KPIS + "/{kpi_id}/alerts"): (TEAM, None),
    ("POST", KPIS + "/{kpi_id}/alerts"): (
        TEAM_CREATE,
        lambda c: {"kind": "below", "threshold": 1000},
    ),
    ("DELETE", KPIS + "/{kpi_id}/alerts/{alert_id}"): (MAKER_DELETE, None),
    ("GET", OBJECTIVES): (TEAM, None),
    ("POST", OBJECTIVES): (
        TEAM_CREATE,
        lambda c: {"title": "Q4 拉新", "period_kind": "quarter", "start_date": "2026-10-01"},
    ),
    ("GET", OBJECTIVES + "/{objective_id}"): (TEAM, None),
    ("PATCH", OBJECTIVES + "/{objective_id}"): (MAKER, lambda c: {"title": "Q4 拉新（改）"}),
    ("DELETE", OBJECTIVES + "/{objective_id}"): (MAKER_DELETE, None),
    ("POST", OBJECTIVES + "/{objective_id}/key-results"): (
        MAKER_CREATE,
        lambda c: {"title": "粉丝到 5000", "kpi_id": c["goal_kpi_id"], "target_value": 5000},
    ),
    ("PATCH", KEY_RESULT): (MAKER, lambda c: {"target_value": 6000}),
    ("PUT", KEY_RESULT + "/links"): (MAKER, lambda c: {"project_ids": []}),
    ("DELETE", KEY_RESULT): (MAKER_DELETE, None),
    ("GET", PROJECT + "/impact"): (TEAM, None),
    ("PUT", PROJECT + "/campaign-cohorts"): (
        TEAM,
        lambda c: {"target": c["control_cohort_id"], "control": c["target_cohort_id"]},
    ),
}
MEMBERS = dict(owner="ok", admin="ok", member="ok", guest=403, shared_guest=403, outsider=404)
PAGE_CASES: list = [
    ("GET", "goals", "/w/acme/goals/", MEMBERS),
    ("GET", "goals", "/w/acme/goals/?all=1", MEMBERS),
    ("GET", "goal", "/w/acme/goals/{objective_id}/", MEMBERS),
    ("GET", "kpis", "/w/acme/goals/kpis/", MEMBERS),
    ("POST", "goals", "/w/acme/goals/", MEMBERS),
    ("POST", "kpis", "/w/acme/goals/kpis/", MEMBERS),
    # A project's page: a guest it is not shared with does not see the project at all.
    ("GET", "project_impact", "/w/acme/p/D11/impact/", {**MEMBERS, "guest": 404}),
    ("POST", "project_impact", "/w/acme/p/D11/impact/", {**MEMBERS, "guest": 404}),
    (
        "GET",
        "project_impact",
        "/w/acme/p/SEC/impact/",
        dict(owner="ok", admin="ok", member=404, guest=404, shared_guest=404, outsider=404),
    ),
]
PAGE_POST_DATA: dict = {
    "goals": {"title": "Q4 拉新", "period_kind": "quarter", "start_date": "2026-10-01"},
    "kpis": {"op": "create", "name": "公众号粉丝", "source": "manual"},
    "project_impact": {"target": "", "control": ""},
}

_made = itertools.count(1)


def project_context(*, owner_ms, project, item, tag) -> dict:
    """The owner's KPIs and an objective of the workspace with a key result linked to
    this project, and an objective of the project itself (tagged: only who sees the
    project may see it, or the key result's link to it). The project becomes a campaign
    of the last two weeks, held to a target and a control cohort."""
    import datetime as dt

    from opsloop.goals import actions
    from opsloop.goals.schemas import (
        AlertIn,
        CampaignCohortsIn,
        KeyResultIn,
        KpiIn,
        LinksIn,
        ObjectiveIn,
    )
    from opsloop.insights import actions as insight_actions
    from opsloop.insights.queries import local_today
    from opsloop.work import actions as work_actions
    from opsloop.work.schemas import ProjectPatch

    n = next(_made)
    spare = actions.do_create_kpi(actor=owner_ms, data=KpiIn(name=f"备用指标 {n}", source="manual"))
    alert = actions.do_create_alert_rule(
        actor=owner_ms, kpi=spare, data=AlertIn(kind="below", threshold=10)
    )
    used = actions.do_create_kpi(actor=owner_ms, data=KpiIn(name=f"粉丝数 {n}", source="manual"))
    objective = actions.do_create_objective(
        actor=owner_ms, data=ObjectiveIn(title=f"季度目标 {n}", start_date="2026-10-01")
    )
    key_result = actions.do_add_key_result(
        actor=owner_ms,
        objective=objective,
        data=KeyResultIn(title=f"关键结果 {n}", kpi_id=used.pk, target_value=100),
    )
    actions.do_link_work(
        actor=owner_ms, key_result=key_result, data=LinksIn(project_ids=[project.pk])
    )
    # The project's own numbers: a KPI of its items done, with a rule that fired on it
    # (none done, under 10), and another measuring a key result of the workspace's
    # objective. Named with the tag, as they show the project.
    counted = {"measure": "items_done", "project_ids": [project.pk]}
    work_kpi = actions.do_create_kpi(
        actor=owner_ms, data=KpiIn(name=f"{tag} 完成数", source="work", definition=counted)
    )
    work_alert = actions.do_create_alert_rule(
        actor=owner_ms, kpi=work_kpi, data=AlertIn(kind="below", threshold=10)
    )
    actions.do_compute_kpi(kpi=work_kpi)
    measured = actions.do_create_kpi(
        actor=owner_ms, data=KpiIn(name=f"{tag} 完成数（目标）", source="work", definition=counted)
    )
    work_key_result = actions.do_add_key_result(
        actor=owner_ms,
        objective=objective,
        data=KeyResultIn(title=f"{tag} 关键结果", kpi_id=measured.pk, target_value=10),
    )
    actions.do_create_objective(
        actor=owner_ms,
        data=ObjectiveIn(
            title=f"{tag} 项目目标", start_date="2026-10-01", level="project", project_id=project.pk
        ),
    )
    today = local_today(project.workspace)
    work_actions.do_update_project(
        actor=owner_ms,
        project=project,
        data=ProjectPatch(
            kind="campaign",
            start_date=today - dt.timedelta(days=14),
            end_date=today - dt.timedelta(days=1),
        ),
    )
    target, control = (
        insight_actions.do_save_cohort(
            actor=owner_ms, name=f"{name} {n}", kind="dynamic", persons={"trait": [trait]}
        )
        for name, trait in (("上海用户", "city=上海"), ("北京用户", "city=北京"))
    )
    actions.do_set_campaign_cohorts(
        actor=owner_ms,
        project=project,
        data=CampaignCohortsIn(target=target.pk, control=control.pk),
    )
    return {
        "target_cohort_id": target.pk,
        "control_cohort_id": control.pk,
        "kpi_id": spare.pk,
        "alert_id": alert.pk,
        "goal_kpi_id": used.pk,
        "objective_id": objective.pk,
        "key_result_id": key_result.pk,
        "work_kpi_id": work_kpi.pk,
        "work_alert_id": work_alert.pk,
        "work_goal_kpi_id": measured.pk,
        "work_key_result_id": work_key_result.pk,
    }


def page_context(*, owner_ms, project, item) -> dict:
    from opsloop.goals import actions
    from opsloop.goals.schemas import ObjectiveIn

    objective = actions.do_create_objective(
        actor=owner_ms, data=ObjectiveIn(title="季度目标", start_date="2026-10-01")
    )
    return {"objective_id": objective.pk}
