"""What the dashboards tests share: an event store of their own, the owner's membership,
and a dashboard with a tile of each kind over a KPI, an insight, an objective and D11."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.test import Client

from opsloop.dashboards import actions
from opsloop.dashboards.models import Dashboard, DashboardTile
from opsloop.goals import actions as goal_actions
from opsloop.goals.models import Kpi, Objective
from opsloop.goals.schemas import KeyResultIn, KpiIn, ObjectiveIn
from opsloop.insights import actions as insight_actions
from opsloop.insights.models import Insight
from opsloop.insights.queries import local_today
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ItemIn
from tests.conftest import membership_of


@pytest.fixture(autouse=True)
def _own_store(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.EVENTS_BACKEND = "duckdb"
    settings.INSIGHTS_PERSONS_TTL = 0


@pytest.fixture
def owner_ms(owner, workspace):
    return membership_of(owner, workspace)


@pytest.fixture
def client_owner(owner):
    client = Client()
    client.force_login(owner)
    return client


@dataclass
class Board:
    dashboard: Dashboard
    kpi: Kpi
    insight: Insight
    objective: Objective
    tiles: dict[str, DashboardTile]


def make_board(owner_ms, project, *, name: str = "双十一作战室") -> Board:
    """A workspace dashboard over the last 7 days: followers (1,000 rising 50 a day over
    five days, with a key result of 3,000 this quarter), a DAU insight, the objective,
    D11's burn-up and items at risk (one past due), and a note."""
    today = local_today(owner_ms.workspace)
    kpi = goal_actions.do_create_kpi(
        actor=owner_ms, data=KpiIn(name="公众号粉丝", source="manual", unit="人")
    )
    goal_actions.do_record_kpi_values(
        actor=owner_ms,
        kpi=kpi,
        values=[(today - dt.timedelta(days=4 - n), 1000.0 + 50 * n) for n in range(5)],
    )
    objective = goal_actions.do_create_objective(
        actor=owner_ms,
        data=ObjectiveIn(
            title="Q4 公众号涨粉", period_kind="custom",
            start_date=today - dt.timedelta(days=10), end_date=today + dt.timedelta(days=30),
        ),
    )  # fmt: skip
    goal_actions.do_add_key_result(
        actor=owner_ms, objective=objective,
        data=KeyResultIn(title="粉丝到 3000", kpi_id=kpi.pk, start_value=1000, target_value=3000),
    )  # fmt: skip
    insight = insight_actions.do_save_insight(
        actor=owner_ms,
        name="日活",
        query={
            "kind": "trends",
            "series": [{"event": "app_open", "math": "dau"}],
            "date_range": {"preset": "last_30_days"},
        },
    )
    work_actions.do_create_item(
        actor=owner_ms,
        project=project,
        data=ItemIn(title="预热海报", due_date=today - dt.timedelta(days=2)),
    )
    dashboard = actions.do_create_dashboard(
        actor=owner_ms, name=name, date_range={"preset": "last_7_days"}
    )
    subjects = {
        "kpi": {"kpi_id": kpi.pk},
        "insight": {"insight_id": insight.pk},
        "objective": {"objective_id": objective.pk},
        "burnup": {"project_id": project.pk},
        "at_risk": {"project_id": project.pk},
        "note": {"text": "**本周重点**：预热期拉新"},
    }
    tiles = {
        kind: actions.do_add_tile(
            actor=owner_ms, dashboard=dashboard, data={"kind": kind, **subject}
        )
        for kind, subject in subjects.items()
    }
    return Board(dashboard, kpi, insight, objective, tiles)


@pytest.fixture
def board(owner_ms, project) -> Board:
    return make_board(owner_ms, project)
