"""Campaign results as KPIs (source "results", registered by money with goals): a
campaign's CAC over the days ending each day, measurable by a key result "CAC ≤ ¥30";
who may make one, and who sees it."""

from __future__ import annotations

import datetime as dt

import pytest

from opsloop.core.errors import Invalid
from opsloop.goals import actions as goal_actions
from opsloop.goals import queries as goal_queries
from opsloop.goals import sources
from opsloop.goals.models import KpiValue
from opsloop.goals.schemas import KpiIn
from opsloop.money import results_kpis
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ProjectIn
from tests.conftest import add_member, membership_of
from tests.money.test_results import build_campaign, duckdb_store  # noqa: F401 (a fixture)

TODAY = dt.date(2026, 3, 11)


def _values(kpi) -> dict[dt.date, float]:
    return dict(KpiValue.objects.filter(kpi=kpi).values_list("day", "value"))


def test_money_registers_its_results_with_goals():
    registered = sources.registered_source("results")
    assert registered is not None and registered.values is results_kpis.values


def test_a_campaigns_cac_day_by_day(workspace, owner, project, duckdb_store):  # noqa: F811
    build_campaign(workspace, owner, project, duckdb_store)
    owner_ms = membership_of(owner, workspace)
    kpi = goal_actions.do_create_kpi(
        actor=owner_ms,
        data=KpiIn(
            name="D11 获客成本", source="results", unit="元",
            definition={"metric": "cac", "project_key": "d11", "days": 10},
        ),
        today=TODAY,
    )  # fmt: skip
    assert not kpi.error, kpi.error
    assert kpi.definition == {
        "metric": "cac",
        "touch": "first",
        "days": 10,
        "project_id": project.pk,
    }
    values = _values(kpi)
    # The 10 days to 03-10 are the page's range: 1,100 over 4 users.
    assert values[dt.date(2026, 3, 10)] == 275.0
    # 02-24 to 03-05: 1,100 spent, u1 and u2 brought.
    assert values[dt.date(2026, 3, 5)] == 550.0
    # u5 came on 02-20, before any spend: nothing spent, so no cost per user (not 0).
    assert dt.date(2026, 2, 28) not in values
    # Before any user: no CAC (nothing over nothing).
    assert dt.date(2026, 2, 19) not in values
    # Today is not over.
    assert TODAY not in values


def test_roi_is_kept_as_a_percentage(workspace, owner, project, duckdb_store):  # noqa: F811
    build_campaign(workspace, owner, project, duckdb_store)
    kpi = goal_actions.do_create_kpi(
        actor=membership_of(owner, workspace),
        data=KpiIn(
            name="D11 ROI", source="results", unit="%",
            definition={"metric": "roi", "project_key": "D11", "days": 10, "touch": "last"},
        ),
        today=TODAY,
    )  # fmt: skip
    assert _values(kpi)[dt.date(2026, 3, 10)] == 63.64


def test_a_channels_kpi_from_the_form_fields(workspace, owner, project, duckdb_store):  # noqa: F811
    world = build_campaign(workspace, owner, project, duckdb_store)
    owner_ms = membership_of(owner, workspace)
    fields = {f.name: f for f in results_kpis.form_fields(owner_ms)}
    scope = f"channel:{world['douyin'].pk}"
    assert scope in dict(fields["scope"].options) and "project:D11" in dict(fields["scope"].options)
    kpi = goal_actions.do_create_kpi(
        actor=owner_ms,
        data=KpiIn(
            name="抖音新用户", source="results",
            definition={"metric": "new_users", "scope": scope, "days": "10"},
        ),
        today=TODAY,
    )  # fmt: skip
    # Every user whose first touch was douyin: u1, u3, u6, u7.
    assert _values(kpi)[dt.date(2026, 3, 10)] == 4.0


def test_bad_definitions_name_their_field(workspace, owner, project):
    owner_ms = membership_of(owner, workspace)
    for definition, field in (
        ({"metric": "likes"}, "definition.metric"),
        ({"metric": "cac", "touch": "middle"}, "definition.touch"),
        ({"metric": "cac", "days": 0}, "definition.days"),
        ({"metric": "cac", "project_key": "NOPE"}, "definition.project_key"),
        ({"metric": "cac", "channel_id": 999}, "definition.channel_id"),
        ({"metric": "cac", "project_key": "D11", "channel_id": 1}, "definition"),
    ):
        with pytest.raises(Invalid) as bad:
            results_kpis.check_definition(owner_ms, definition)
        assert bad.value.field == field, definition


def test_a_private_campaigns_kpi_is_hidden_from_who_does_not_see_it(workspace, owner):
    owner_ms = membership_of(owner, workspace)
    member = add_member(workspace, "member", "member")
    secret = work_actions.do_create_project(
        actor=owner_ms,
        data=ProjectIn(name="保密", key="SEC", visibility="private", kind="campaign"),
    )
    kpi = goal_actions.do_create_kpi(
        actor=owner_ms,
        data=KpiIn(
            name="SEC CAC", source="results", definition={"metric": "cac", "project_key": "SEC"}
        ),
        today=TODAY,
    )
    member_ms = membership_of(member, workspace)
    assert goal_queries.kpi_reads(workspace.pk)[kpi.pk] == {secret.pk}
    assert kpi.pk in goal_queries.hidden_kpi_ids(member_ms)
    # Nor may the member name it, or ask for every campaign (which reads it too).
    with pytest.raises(Invalid):
        results_kpis.check_definition(member_ms, {"metric": "cac", "project_key": "SEC"})
    with pytest.raises(Invalid) as bad:
        results_kpis.check_definition(member_ms, {"metric": "cac"})
    assert bad.value.field == "definition.project_key"


def test_conversions_need_a_conversion_event(workspace, owner, project, duckdb_store):  # noqa: F811
    kpi = goal_actions.do_create_kpi(
        actor=membership_of(owner, workspace),
        data=KpiIn(
            name="D11 ROAS", source="results", definition={"metric": "roas", "project_key": "D11"}
        ),
        today=TODAY,
    )
    assert kpi.stale and "conversion" in kpi.error
