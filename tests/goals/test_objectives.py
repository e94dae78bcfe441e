"""Objectives and key results through the API: periods, progress, forecast and status
from a KPI's values, work linked to a key result, and what each member may see."""

from __future__ import annotations

import datetime as dt

import pytest

from opsloop.core.models import Role
from opsloop.goals import actions
from opsloop.goals.models import KpiValue
from opsloop.goals.schemas import KpiIn
from opsloop.insights.queries import local_today
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ProjectIn
from tests.conftest import ApiClient, add_member

API = "/api/v1/workspaces/acme"


@pytest.fixture
def fans(owner_ms, workspace):
    """A KPI kept by hand that grew by 10 a day for the last ten days: 100 .. 190."""
    kpi = actions.do_create_kpi(
        actor=owner_ms, data=KpiIn(name="公众号粉丝", source="manual", unit="人")
    )
    today = local_today(workspace)
    actions.do_record_kpi_values(
        actor=owner_ms,
        kpi=kpi,
        values=[(today - dt.timedelta(days=9 - n), 100.0 + 10 * n) for n in range(10)],
    )
    return kpi


def around_today(workspace, before: int, after: int) -> dict:
    today = local_today(workspace)
    return {
        "period_kind": "custom",
        "start_date": (today - dt.timedelta(days=before)).isoformat(),
        "end_date": (today + dt.timedelta(days=after)).isoformat(),
    }


def test_a_quarter_or_a_month_from_any_day_of_it(api, workspace):
    q = api.post(f"{API}/objectives", {"title": "Q4 拉新", "start_date": "2026-11-15"}).json()
    assert (q["start_date"], q["end_date"]) == ("2026-10-01", "2026-12-31")
    m = api.post(
        f"{API}/objectives",
        {"title": "二月", "period_kind": "month", "start_date": "2028-02-10"},
    ).json()
    assert (m["start_date"], m["end_date"]) == ("2028-02-01", "2028-02-29")
    no_end = api.post(
        f"{API}/objectives", {"title": "x", "period_kind": "custom", "start_date": "2026-10-01"}
    )
    assert no_end.status_code == 400 and no_end.json()["field"] == "end_date"
    team = api.post(
        f"{API}/objectives", {"title": "x", "start_date": "2026-10-01", "level": "team"}
    )
    assert team.status_code == 400 and team.json()["field"] == "team"


def test_progress_forecast_and_status_of_a_key_result(api, workspace, fans):
    body = {"title": "公众号涨粉", **around_today(workspace, 13, 16)}
    objective = api.post(f"{API}/objectives", body).json()
    answer = api.post(
        f"{API}/objectives/{objective['id']}/key-results",
        {"title": "粉丝到 300", "kpi_id": fans.pk, "start_value": 100, "target_value": 300},
    )
    assert answer.status_code == 201, answer.content
    kr = answer.json()["key_results"][0]
    # 190 now, from 100 toward 300: 45%. The line (10 a day, exact) reaches 350 on the
    # period's last day, 16 days on: on track, with no range (the points fit exactly).
    assert kr["current"] == 190 and kr["progress"] == pytest.approx(0.45)
    assert kr["forecast"]["value"] == pytest.approx(350)
    assert kr["forecast"]["low"] == pytest.approx(350) and kr["forecast"]["points"] == 10
    assert kr["status"] == "on_track"
    assert "10" in kr["method"]
    higher = api.patch(f"{API}/key-results/{kr['id']}", {"target_value": 400}).json()
    assert higher["key_results"][0]["status"] == "off_track"
    assert higher["status"] == "off_track" and higher["progress"] == pytest.approx(0.3)
    band = api.patch(
        f"{API}/key-results/{kr['id']}", {"direction": "band", "band_low": 150, "band_high": 200}
    ).json()
    assert band["key_results"][0]["progress"] == 1.0  # 190 is within
    assert band["key_results"][0]["status"] == "off_track"  # heading to 350


def test_without_three_values_status_follows_the_share_of_the_period_gone(api, owner_ms, workspace):
    kpi = actions.do_create_kpi(
        actor=owner_ms, data=KpiIn(name="GMV", source="manual", unit="万元")
    )
    today = local_today(workspace)
    actions.do_record_kpi_values(actor=owner_ms, kpi=kpi, values=[(today, 50.0)])
    body = {"title": "GMV", **around_today(workspace, 9, 10)}  # 10 of 20 days gone
    objective = api.post(f"{API}/objectives", body).json()
    kr = api.post(
        f"{API}/objectives/{objective['id']}/key-results",
        {"title": "GMV 到 100 万", "kpi_id": kpi.pk, "target_value": 100},
    ).json()["key_results"][0]
    assert kr["forecast"] is None
    assert kr["status"] == "on_track"  # 50% done, 50% of the time gone
    assert objective["elapsed"] == pytest.approx(0.5)


def test_objectives_weigh_their_key_results(api, owner_ms, workspace, fans):
    other = actions.do_create_kpi(actor=owner_ms, data=KpiIn(name="留存", source="manual"))
    today = local_today(workspace)
    actions.do_record_kpi_values(actor=owner_ms, kpi=other, values=[(today, 30.0)])
    objective = api.post(f"{API}/objectives", {"title": "增长", **around_today(workspace, 13, 16)})
    oid = objective.json()["id"]
    api.post(f"{API}/objectives/{oid}/key-results",
             {"title": "粉丝", "kpi_id": fans.pk, "start_value": 100, "target_value": 300,
              "weight": 3})  # fmt: skip
    answer = api.post(f"{API}/objectives/{oid}/key-results",
                      {"title": "留存", "kpi_id": other.pk, "target_value": 40})  # fmt: skip
    # (0.45 * 3 + 0.75 * 1) / 4
    assert answer.json()["progress"] == pytest.approx(0.525)


def test_a_kpi_that_key_results_use_cannot_be_deleted(api, workspace, fans):
    objective = api.post(f"{API}/objectives", {"title": "涨粉", "start_date": "2026-10-01"}).json()
    api.post(f"{API}/objectives/{objective['id']}/key-results",
             {"title": "粉丝", "kpi_id": fans.pk, "target_value": 300})  # fmt: skip
    assert api.delete(f"{API}/kpis/{fans.pk}").status_code == 409
    assert KpiValue.objects.filter(kpi=fans).count() == 10
    assert api.delete(f"{API}/objectives/{objective['id']}").status_code == 204
    assert api.delete(f"{API}/kpis/{fans.pk}").status_code == 204


def test_work_linked_to_a_key_result_shows_only_to_who_sees_it(
    api, owner_ms, workspace, project, item, fans
):
    secret = work_actions.do_create_project(
        actor=owner_ms, data=ProjectIn(name="保密项目", key="SEC", visibility="private")
    )
    objective = api.post(
        f"{API}/objectives", {"title": "双十一", "start_date": "2026-11-01"}
    ).json()
    kr = api.post(f"{API}/objectives/{objective['id']}/key-results",
                  {"title": "粉丝", "kpi_id": fans.pk, "target_value": 300}).json()  # fmt: skip
    kr_id = kr["key_results"][0]["id"]
    linked = api.put(
        f"{API}/key-results/{kr_id}/links",
        {"project_ids": [project.pk, secret.pk], "item_refs": [item.ref]},
    )
    assert linked.status_code == 200, linked.content
    assert {p["key"] for p in linked.json()["key_results"][0]["projects"]} == {"D11", "SEC"}
    assert list(item.key_results.values_list("pk", flat=True)) == [kr_id]
    member = add_member(workspace, "xiaoli", Role.MEMBER)
    seen = ApiClient(member).get(f"{API}/objectives/{objective['id']}").json()
    assert [p["key"] for p in seen["key_results"][0]["projects"]] == ["D11"]
    bad = api.put(f"{API}/key-results/{kr_id}/links", {"item_refs": ["D11-999"]})
    assert bad.status_code == 400 and bad.json()["field"] == "item_refs"
    # A project's objective is the project's: who cannot see the project cannot see it.
    hidden = api.post(
        f"{API}/objectives",
        {
            "title": "保密目标",
            "start_date": "2026-11-01",
            "level": "project",
            "project_id": secret.pk,
        },
    ).json()
    assert ApiClient(member).get(f"{API}/objectives/{hidden['id']}").status_code == 404
    titles = [o["title"] for o in ApiClient(member).get(f"{API}/objectives").json()]
    assert "保密目标" not in titles and "双十一" in titles
