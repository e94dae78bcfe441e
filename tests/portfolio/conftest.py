"""What the portfolio tests share: a workspace with a campaign (D11: items done, one
past due, a late milestone, a key result), a content project owned by a member (CNT),
a private growth project the member is not in (SEC), all on a fixed clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from opsloop.core.models import Role
from opsloop.goals import actions as goal_actions
from opsloop.goals.models import KeyResult
from opsloop.goals.schemas import KeyResultIn, KpiIn, LinksIn, ObjectiveIn
from opsloop.planning import actions as planning_actions
from opsloop.planning.schemas import MilestoneIn
from opsloop.work import actions as work_actions
from opsloop.work.models import Project
from opsloop.work.schemas import ProjectIn
from tests.conftest import add_member, membership_of
from tests.progress.conftest import Maker, at

# Tuesday 10 November 2026: "today" of every case.
TODAY = date(2026, 11, 10)
D1 = date(2026, 11, 2)


@pytest.fixture(autouse=True)
def _english_by_default():
    translation.activate("en")
    yield
    translation.deactivate()


@dataclass
class World:
    owner_ms: object
    member_ms: object
    guest_ms: object
    d11: Project
    cnt: Project
    sec: Project
    key_result: KeyResult
    hidden_key_result: KeyResult


def make_project(owner_ms, key: str, name: str, **fields) -> Project:
    with at(D1):
        return work_actions.do_create_project(
            actor=owner_ms, data=ProjectIn(key=key, name=name, **fields)
        )


def build_world(owner, workspace) -> World:
    owner_ms = membership_of(owner, workspace)
    member = add_member(workspace, "member", Role.MEMBER)
    member.display_name = "李运营"
    member.save(update_fields=["display_name"])
    guest = add_member(workspace, "guest", Role.GUEST)
    d11 = make_project(
        owner_ms, "D11", "双十一大促", kind="campaign", stage="executing",
        start_date=date(2026, 10, 20), end_date=date(2026, 11, 15), budget=Decimal("50000"),
        owner_id=owner.pk, member_ids=[guest.pk],
    )  # fmt: skip
    cnt = make_project(
        owner_ms, "CNT", "小红书内容矩阵", kind="content", stage="planning",
        start_date=date(2027, 1, 5), end_date=date(2027, 3, 31), budget=Decimal("8000.50"),
        owner_id=member.pk,
    )  # fmt: skip
    sec = make_project(
        owner_ms, "SEC", "机密并购", kind="growth", stage="executing",
        start_date=date(2026, 11, 1), budget=Decimal("99999"), visibility="private",
    )  # fmt: skip
    make = Maker(d11, owner, workspace)
    done = [make.create(f"完成{n}", D1, due_date=D1 + timedelta(days=2)) for n in range(2)]
    for item in done:
        make.move(item, "done", D1 + timedelta(days=1))
    late = make.create("主会场海报", D1, due_date=date(2026, 11, 6))  # past due today
    make.create("直播脚本", D1, due_date=date(2026, 11, 20))
    with at(D1):
        planning_actions.do_create_milestone(
            actor=owner_ms, project=d11,
            data=MilestoneIn(name="预热上线", date=date(2026, 11, 8), item_refs=[late.ref]),
        )  # fmt: skip
        planning_actions.do_create_milestone(
            actor=owner_ms, project=d11,
            data=MilestoneIn(name="已完成", date=date(2026, 11, 5), item_refs=[done[0].ref]),
        )  # fmt: skip
    Maker(sec, owner, workspace).create("机密任务", D1, due_date=date(2026, 11, 3))
    # A key result of a KPI kept by hand, linked to D11; another of a KPI that counts
    # SEC's items, hidden from whoever does not see SEC (docs/decisions/0022).
    kpi = goal_actions.do_create_kpi(
        actor=owner_ms, data=KpiIn(name="GMV", source="manual", unit="万元")
    )
    goal_actions.do_record_kpi_values(
        actor=owner_ms, kpi=kpi, values=[(D1 + timedelta(days=n), 100.0 + 10 * n) for n in range(5)]
    )
    secret_kpi = goal_actions.do_create_kpi(
        actor=owner_ms,
        data=KpiIn(
            name="机密完成数", source="work",
            definition={"measure": "items_done", "project_ids": [sec.pk]},
        ),
    )  # fmt: skip
    objective = goal_actions.do_create_objective(
        actor=owner_ms,
        data=ObjectiveIn(
            title="Q4 大促目标", period_kind="custom",
            start_date=date(2026, 10, 1), end_date=date(2026, 12, 31),
        ),
    )  # fmt: skip
    key_result = goal_actions.do_add_key_result(
        actor=owner_ms, objective=objective,
        data=KeyResultIn(title="GMV 到 500 万", kpi_id=kpi.pk, start_value=100, target_value=500),
    )  # fmt: skip
    goal_actions.do_link_work(
        actor=owner_ms, key_result=key_result, data=LinksIn(project_ids=[d11.pk])
    )
    hidden = goal_actions.do_add_key_result(
        actor=owner_ms, objective=objective,
        data=KeyResultIn(title="机密KR", kpi_id=secret_kpi.pk, start_value=0, target_value=10),
    )  # fmt: skip
    goal_actions.do_link_work(actor=owner_ms, key_result=hidden, data=LinksIn(project_ids=[d11.pk]))
    return World(
        owner_ms, membership_of(member, workspace), membership_of(guest, workspace),
        d11, cnt, sec, key_result, hidden,
    )  # fmt: skip


@pytest.fixture
def world(owner, workspace) -> World:
    return build_world(owner, workspace)
