from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from opsloop.channels.actions import ensure_channels
from opsloop.channels.models import Channel
from opsloop.content.actions import do_create_piece
from opsloop.content.schemas import PieceIn
from opsloop.money.actions import do_create_line
from opsloop.money.schemas import BudgetLineIn
from opsloop.planning.actions import do_add_dependency, do_create_milestone
from opsloop.planning.schemas import MilestoneIn
from opsloop.work import actions as work
from opsloop.work.models import State
from opsloop.work.schemas import CustomFieldIn, ItemIn, LabelIn, OptionIn, ProjectIn, StateIn
from tests.conftest import membership_of


@pytest.fixture
def owner_ms(owner, workspace):
    return membership_of(owner, workspace)


@pytest.fixture
def member_ms(member, workspace):
    return membership_of(member, workspace)


def make_campaign(actor, key: str = "D26", *, visibility: str = "workspace") -> dict:
    """The known answer's project: started 2026-10-01, ending 2026-11-20, with two items
    due 2026-10-10 and 2026-10-20 (the first blocks the second), a sub-item, a milestone
    on 2026-11-11, labels, custom field values, a budget line on 抖音 and a content
    piece on 小红书 at 2026-10-15 20:00; an item under way and a cancelled one."""
    project = work.do_create_project(
        actor=actor,
        data=ProjectIn(
            name="双十一大促 2026", key=key, kind="campaign", goal="GMV 增长 30%",
            start_date=dt.date(2026, 10, 1), end_date=dt.date(2026, 11, 20),
            budget=Decimal("500000.00"), visibility=visibility,
        ),
    )  # fmt: skip
    review = work.do_create_state(
        actor=actor, project=project, data=StateIn(name="待验收", group="in_review")
    )
    design = work.do_create_label(actor=actor, data=LabelIn(name="设计", color="#ec4899"))
    channel_field = work.do_create_field(
        actor=actor,
        project=project,
        data=CustomFieldIn(
            name="投放渠道",
            type="select",
            options=[OptionIn(label="抖音"), OptionIn(label="小红书")],
        ),
    )
    launch_field = work.do_create_field(
        actor=actor, project=project, data=CustomFieldIn(name="上线日", type="date")
    )
    reach_field = work.do_create_field(
        actor=actor, project=None, data=CustomFieldIn(name="预计曝光", type="number")
    )
    douyin = channel_field.options[0]["id"]
    visual = work.do_create_item(
        actor=actor,
        project=project,
        data=ItemIn(
            title="主会场视觉设计", priority="high", label_ids=[design.pk],
            start_date=dt.date(2026, 10, 1), due_date=dt.date(2026, 10, 10),
            estimate_hours=Decimal("16"),
            custom_fields={str(channel_field.pk): douyin, str(reach_field.pk): 200000,
                           str(launch_field.pk): "2026-10-12"},
        ),
    )  # fmt: skip
    check = work.do_create_item(
        actor=actor,
        project=project,
        data=ItemIn(title="KV 终稿确认", parent_id=visual.pk, due_date=dt.date(2026, 10, 5)),
    )
    pages = work.do_create_item(
        actor=actor,
        project=project,
        data=ItemIn(
            title="会场页面开发", start_date=dt.date(2026, 10, 11),
            due_date=dt.date(2026, 10, 20), state_id=review.pk,
        ),
    )  # fmt: skip
    dropped = work.do_create_item(
        actor=actor,
        project=project,
        data=ItemIn(
            title="线下快闪店",
            state_id=State.objects.get(project=project, group="cancelled").pk,
        ),
    )
    do_add_dependency(actor=actor, source=visual, target=pages, kind="blocks")
    milestone = do_create_milestone(
        actor=actor,
        project=project,
        data=MilestoneIn(name="双十一当天", date=dt.date(2026, 11, 11), item_refs=[pages.ref]),
    )
    ensure_channels(actor.workspace)
    channels = {c.name: c for c in Channel.objects.filter(workspace=actor.workspace)}
    line = do_create_line(
        actor=actor,
        project=project,
        data=BudgetLineIn(
            name="抖音信息流", category="ads", channel_id=channels["抖音"].pk,
            planned=Decimal("30000.00"),
        ),
    )  # fmt: skip
    piece = do_create_piece(
        actor=actor,
        data=PieceIn(
            title="种草笔记", project_key=project.key, channel_id=channels["小红书"].pk,
            planned_at=dt.datetime(2026, 10, 15, 20, 0),  # noqa: DTZ001 - the workspace's time
            tags=["双十一"], item_ref=visual.ref,
        ),
    )  # fmt: skip
    return {
        "project": project, "visual": visual, "check": check, "pages": pages,
        "dropped": dropped, "milestone": milestone, "line": line, "piece": piece,
        "design": design, "channel_field": channel_field, "launch_field": launch_field,
        "reach_field": reach_field, "channels": channels,
    }  # fmt: skip


@pytest.fixture
def campaign(owner_ms) -> dict:
    return make_campaign(owner_ms)
