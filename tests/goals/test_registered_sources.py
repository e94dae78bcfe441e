"""Sources of KPI values that apps above goals register (goals.sources.register_source,
docs/decisions/0024): goals checks, computes, hides and offers them on the KPI form as
its own, without importing the app. A stand-in source here; money's real one is tested
in tests/money/test_results_kpis.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from opsloop.core.errors import Invalid
from opsloop.goals import actions, queries, sources
from opsloop.goals.models import Kpi, KpiValue
from opsloop.goals.schemas import KpiIn
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ProjectIn
from tests.conftest import add_member, membership_of

TODAY = dt.date(2026, 3, 11)


def _check(actor, definition):
    if definition.get("metric") not in ("cac", "roi"):
        raise Invalid("metric?", field="definition.metric")
    return {"metric": definition["metric"], "project_id": int(definition.get("project_id", 0))}


def _values(workspace, definition, today):
    return {today - dt.timedelta(days=1): 29.5, today - dt.timedelta(days=2): 31.0}


def _read(definition):
    return {definition["project_id"]} if definition.get("project_id") else None


def _fields(membership):
    return [sources.FormField("metric", "Metric", [("cac", "CAC"), ("roi", "ROI")])]


@pytest.fixture
def stand_in(monkeypatch):
    monkeypatch.setattr(sources, "_REGISTERED", {})
    sources.register_source(
        "results", check=_check, values=_values, projects_read=_read, form_fields=_fields
    )
    return sources.registered_source("results")


def test_a_registered_source_is_checked_and_computed(workspace, owner, project, stand_in):
    owner_ms = membership_of(owner, workspace)
    kpi = actions.do_create_kpi(
        actor=owner_ms,
        data=KpiIn(
            name="CAC", source="results", definition={"metric": "cac", "project_id": project.pk}
        ),
        today=TODAY,
    )
    assert kpi.definition == {"metric": "cac", "project_id": project.pk} and not kpi.error
    assert dict(KpiValue.objects.filter(kpi=kpi).values_list("day", "value")) == {
        dt.date(2026, 3, 10): 29.5,
        dt.date(2026, 3, 9): 31.0,
    }
    with pytest.raises(Invalid) as bad:
        actions.do_create_kpi(
            actor=owner_ms,
            data=KpiIn(name="x", source="results", definition={"metric": "likes"}),
        )
    assert bad.value.field == "definition.metric"


def test_it_is_hidden_from_who_does_not_see_the_projects_it_reads(workspace, owner, stand_in):
    owner_ms = membership_of(owner, workspace)
    secret = work_actions.do_create_project(
        actor=owner_ms, data=ProjectIn(name="保密", key="SEC", visibility="private")
    )
    kpi = actions.do_create_kpi(
        actor=owner_ms,
        data=KpiIn(
            name="SEC", source="results", definition={"metric": "cac", "project_id": secret.pk}
        ),
        today=TODAY,
    )
    member_ms = membership_of(add_member(workspace, "member", "member"), workspace)
    assert queries.kpi_reads(workspace.pk) == {kpi.pk: {secret.pk}}
    assert queries.hidden_kpi_ids(member_ms) == {kpi.pk}
    assert queries.hidden_kpi_ids(owner_ms) == set()


def test_the_kpi_form_offers_its_fields(workspace, owner, stand_in):
    client = Client()
    client.force_login(owner)
    page = client.get("/w/acme/goals/kpis/").content.decode()
    assert 'data-testid="kpi-source-results"' in page and 'name="results-metric"' in page
    made = client.post(
        "/w/acme/goals/kpis/",
        {"op": "create", "name": "ROI", "source": "results", "results-metric": "roi"},
    )
    assert made.status_code == 302
    assert Kpi.objects.get(name="ROI").definition == {"metric": "roi", "project_id": 0}


def test_without_the_app_the_source_is_refused_and_its_kpis_go_stale(
    workspace, owner, stand_in, monkeypatch
):
    owner_ms = membership_of(owner, workspace)
    kpi = actions.do_create_kpi(
        actor=owner_ms,
        data=KpiIn(name="CAC", source="results", definition={"metric": "cac"}),
        today=TODAY,
    )
    monkeypatch.setattr(sources, "_REGISTERED", {})
    with pytest.raises(Invalid) as bad:
        actions.do_create_kpi(
            actor=owner_ms, data=KpiIn(name="y", source="results", definition={"metric": "cac"})
        )
    assert bad.value.field == "source"
    assert actions.do_compute_kpi(kpi=kpi, today=TODAY) is False
    assert Kpi.objects.get(pk=kpi.pk).error


def test_goals_own_sources_cannot_be_taken():
    for name in ("insight", "manual", "work", "nonsense"):
        with pytest.raises(ValueError):
            sources.register_source(
                name, check=_check, values=_values, projects_read=_read, form_fields=_fields
            )
