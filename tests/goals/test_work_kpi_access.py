"""A KPI of the work counts a project's items day by day: only who sees every project it
reads sees it, its values, its alert rules and firings, and the key results it measures
(docs/security.md#kpis-of-the-work). Others get 404, as for the project."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from opsloop.core.models import Role
from opsloop.goals import actions, queries
from opsloop.goals.schemas import AlertIn, KeyResultIn, KpiIn, KpiPatch, ObjectiveIn
from opsloop.inbox.models import Notification
from opsloop.insights.queries import local_today
from opsloop.planning import actions as planning_actions
from opsloop.planning.schemas import MilestoneIn
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ProjectIn
from tests.conftest import ApiClient, add_member, membership_of

API = "/api/v1/workspaces/acme"


@pytest.fixture
def secret(owner_ms, workspace):
    """A private project with one member of the workspace in it."""
    project = work_actions.do_create_project(
        actor=owner_ms, data=ProjectIn(name="保密复盘", key="SEC", visibility="private")
    )
    insider = add_member(workspace, "insider", Role.MEMBER)
    work_actions.do_add_project_member(actor=owner_ms, project=project, user_id=insider.pk)
    return project


@pytest.fixture
def insider(secret):
    from opsloop.core.models import User

    return User.objects.get(username="insider")


def work_kpi(owner_ms, name: str, **definition):
    return actions.do_create_kpi(
        actor=owner_ms, data=KpiIn(name=name, source="work", definition=definition)
    )


@pytest.fixture
def sec_kpi(owner_ms, secret):
    """SEC's items done a day, with a rule that fired (none done: under 10)."""
    kpi = work_kpi(owner_ms, "保密完成数", measure="items_done", project_ids=[secret.pk])
    actions.do_create_alert_rule(actor=owner_ms, kpi=kpi, data=AlertIn(kind="below", threshold=10))
    actions.do_compute_kpi(kpi=kpi)
    return kpi


def test_a_member_outside_the_project_neither_lists_nor_reads_its_kpi(
    workspace, member, insider, admin_user, sec_kpi
):
    outside, inside, admin = ApiClient(member), ApiClient(insider), ApiClient(admin_user)
    assert [k["name"] for k in outside.get(f"{API}/kpis").json()] == []
    for path in ("", "/values", "/alerts"):
        hidden = outside.get(f"{API}/kpis/{sec_kpi.pk}{path}")
        assert hidden.status_code == 404, path
        assert hidden.json() == outside.get(f"{API}/kpis/999999{path}").json()
        assert "保密" not in hidden.content.decode()
    for client in (inside, admin):
        assert [k["name"] for k in client.get(f"{API}/kpis").json()] == ["保密完成数"]
        assert client.get(f"{API}/kpis/{sec_kpi.pk}").status_code == 200
        assert len(client.get(f"{API}/kpis/{sec_kpi.pk}/values").json()) == 90
        rules = client.get(f"{API}/kpis/{sec_kpi.pk}/alerts").json()
        assert rules[0]["recent"][0]["value"] == 0
    # Nor may the outsider to the project change it, compute it, or set rules on it.
    assert outside.post(f"{API}/kpis/{sec_kpi.pk}/compute").status_code == 404
    assert outside.patch(f"{API}/kpis/{sec_kpi.pk}", {"unit": "个"}).status_code == 404
    alert = {"kind": "below", "threshold": 1}
    assert outside.post(f"{API}/kpis/{sec_kpi.pk}/alerts", alert).status_code == 404


def test_the_kpis_page_leaves_it_out_for_a_member_outside_the_project(
    workspace, member, insider, sec_kpi
):
    def page(user) -> str:
        client = Client()
        client.force_login(user)
        response = client.get("/w/acme/goals/kpis/")
        assert response.status_code == 200
        return response.content.decode()

    assert "保密完成数" not in page(member)
    assert "保密完成数" in page(insider)
    posted = Client()
    posted.force_login(member)
    answer = posted.post(
        "/w/acme/goals/kpis/", {"op": "value", "kpi": sec_kpi.pk, "day": "2026-10-01", "value": 1}
    )
    assert answer.status_code == 404


def test_its_key_results_are_left_out_of_the_objectives_a_member_sees(
    owner_ms, workspace, member, insider, sec_kpi
):
    today = local_today(workspace)
    objective = actions.do_create_objective(
        actor=owner_ms,
        data=ObjectiveIn(
            title="Q4 交付", period_kind="custom",
            start_date=today - dt.timedelta(days=10), end_date=today + dt.timedelta(days=30),
        ),
    )  # fmt: skip
    fans = actions.do_create_kpi(actor=owner_ms, data=KpiIn(name="粉丝", source="manual"))
    actions.do_add_key_result(
        actor=owner_ms, objective=objective,
        data=KeyResultIn(title="粉丝到 100", kpi_id=fans.pk, target_value=100),
    )  # fmt: skip
    hidden = actions.do_add_key_result(
        actor=owner_ms, objective=objective,
        data=KeyResultIn(title="保密交付 10 项", kpi_id=sec_kpi.pk, target_value=10),
    )  # fmt: skip
    outside, inside = ApiClient(member), ApiClient(insider)
    seen = outside.get(f"{API}/objectives/{objective.pk}").json()
    assert [kr["title"] for kr in seen["key_results"]] == ["粉丝到 100"]
    assert "保密" not in outside.get(f"{API}/objectives").content.decode()
    assert outside.patch(f"{API}/key-results/{hidden.pk}", {"weight": 2}).status_code == 404
    got = inside.get(f"{API}/objectives/{objective.pk}").json()
    assert [kr["title"] for kr in got["key_results"]] == ["粉丝到 100", "保密交付 10 项"]
    client = Client()
    client.force_login(member)
    assert "保密" not in client.get(f"/w/acme/goals/{objective.pk}/").content.decode()
    assert "保密" not in client.get("/w/acme/goals/?all=1").content.decode()
    # Nor can a member who does not see the KPI measure a key result by it.
    own = actions.do_create_objective(
        actor=membership_of(member, workspace),
        data=ObjectiveIn(title="我的目标", start_date=today.isoformat()),
    )
    refused = outside.post(
        f"{API}/objectives/{own.pk}/key-results",
        {"title": "x", "kpi_id": sec_kpi.pk, "target_value": 1},
    )
    assert refused.status_code == 400 and refused.json()["field"] == "kpi_id"


def test_a_milestones_kpi_and_one_of_every_project_read_their_projects(
    owner_ms, workspace, project, member, insider, secret
):
    milestone = planning_actions.do_create_milestone(
        actor=owner_ms, project=secret, data=MilestoneIn(name="保密里程碑", date="2026-11-10")
    )
    of_milestone = work_kpi(
        owner_ms, "里程碑完成率", measure="milestone_done_percent", milestone_id=milestone.pk
    )
    of_everything = work_kpi(owner_ms, "全部完成数", measure="items_done")
    of_d11 = work_kpi(owner_ms, "大促完成数", measure="items_done", project_ids=[project.pk])
    visible = {
        user.username: {k.name for k in queries.list_kpis(membership_of(user, workspace))}
        for user in (member, insider)
    }
    assert visible["member"] == {"大促完成数"}
    assert visible["insider"] == {"大促完成数", "里程碑完成率", "全部完成数"}
    assert queries.kpi_reads(workspace.pk) == {
        of_milestone.pk: {secret.pk},
        of_everything.pk: None,
        of_d11.pk: {project.pk},
    }
    # Counting every project's items is for who sees them all.
    refused = ApiClient(member).post(
        f"{API}/kpis",
        {"name": "我的全部", "source": "work", "definition": {"measure": "items_done"}},
    )
    assert refused.status_code == 400, refused.content
    assert refused.json()["field"] == "definition.project_ids"


def test_a_kpi_redefined_away_from_the_project_keeps_its_values_so_stays_hidden(
    owner_ms, workspace, project, secret, member, sec_kpi
):
    actions.do_update_kpi(
        actor=owner_ms,
        kpi=sec_kpi,
        data=KpiPatch(definition={"measure": "items_done", "project_ids": [project.pk]}),
    )
    assert queries.kpi_reads(workspace.pk)[sec_kpi.pk] == {project.pk, secret.pk}
    assert ApiClient(member).get(f"{API}/kpis/{sec_kpi.pk}/values").status_code == 404


def test_its_alerts_tell_no_one_who_may_not_see_it_and_make_items_only_in_its_project(
    owner_ms, workspace, project, member, secret
):
    kpi = work_kpi(owner_ms, "保密完成数", measure="items_done", project_ids=[secret.pk])
    actions.do_update_kpi(actor=owner_ms, kpi=kpi, data=KpiPatch(owner_id=member.pk))
    actions.do_create_alert_rule(actor=owner_ms, kpi=kpi, data=AlertIn(kind="below", threshold=10))
    fired = actions.do_check_alerts(kpi=kpi)
    assert len(fired) == 1  # recorded, for who sees the KPI
    assert not Notification.objects.filter(recipient=member, kind="kpi_alert").exists()
    # A work item in D11 would show SEC's numbers to whoever sees D11.
    owner = ApiClient(owner_ms.user)
    refused = owner.post(
        f"{API}/kpis/{kpi.pk}/alerts",
        {"kind": "below", "threshold": 10, "create_item": True, "project_id": project.pk},
    )
    assert refused.status_code == 400 and refused.json()["field"] == "project_id"
    made = owner.post(
        f"{API}/kpis/{kpi.pk}/alerts",
        {"kind": "below", "threshold": 10, "create_item": True, "project_id": secret.pk},
    )
    assert made.status_code == 201, made.content


def test_a_campaigns_impact_leaves_it_out_for_who_may_not_see_it(
    owner_ms, workspace, project, member, insider, sec_kpi
):
    from opsloop.goals.campaign import linked_kpis
    from opsloop.goals.schemas import LinksIn

    objective = actions.do_create_objective(
        actor=owner_ms, data=ObjectiveIn(title="Q4 大促", start_date="2026-10-01")
    )
    key_result = actions.do_add_key_result(
        actor=owner_ms,
        objective=objective,
        data=KeyResultIn(title="交付", kpi_id=sec_kpi.pk, target_value=10),
    )
    actions.do_link_work(
        actor=owner_ms, key_result=key_result, data=LinksIn(project_ids=[project.pk])
    )
    assert linked_kpis(project, membership_of(insider, workspace)) == [sec_kpi]
    assert linked_kpis(project, membership_of(member, workspace)) == []
