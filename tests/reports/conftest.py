"""What the reports tests share: a clock held at chosen moments, and a world of one
week of known numbers (the week of Monday 2 March 2026) with a weekly template over it.

The numbers, by hand:
- KPI 公众号粉丝 (kept by hand): 1,000 on Sunday 1 March (the end of the week before),
  1,100 on 4 March, 1,250 on Sunday 8 March. This week 1,250, the week before 1,000,
  change +250 (+25%).
- KPI 成交额 GMV: 80,000 on 1 March, 60,000 on 8 March: change -20,000 (-25%).
- D11: 主会场海报 due 3 March, done 5 March (done this week); KOL 名单 due 4 March,
  still open (slipped 5 days, counted on Monday 9 March); 直播脚本 due 10 March, not
  started (at risk: due in 1 day); 旧任务 done on 20 February (not this week).
- A meeting on 4 March decided 「主会场预算追加 2 万」; one on 10 March (next week)
  decided something that is not this week's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from opsloop.core.models import Role
from opsloop.goals import actions as goal_actions
from opsloop.goals.models import Kpi
from opsloop.goals.schemas import KpiIn
from opsloop.meetings import actions as meeting_actions
from opsloop.meetings.schemas import DecisionIn, MeetingIn
from opsloop.reports import actions
from opsloop.reports.models import ReportTemplate
from opsloop.reports.schemas import ReportTemplateIn
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ItemIn, ItemPatch
from tests.conftest import add_member, membership_of

WEEK = dt.date(2026, 3, 2)  # a Monday
ZONE = "Asia/Shanghai"


def moment(day: dt.date, hour: int = 10) -> dt.datetime:
    import zoneinfo

    return dt.datetime.combine(day, dt.time(hour), tzinfo=zoneinfo.ZoneInfo(ZONE))


@contextmanager
def at(day: dt.date, hour: int = 10) -> Iterator[None]:
    with mock.patch("django.utils.timezone.now", return_value=moment(day, hour)):
        yield


@pytest.fixture(autouse=True)
def _english_by_default(settings, tmp_path):
    from django.utils import translation

    settings.DATA_DIR = tmp_path
    settings.EVENTS_BACKEND = "duckdb"
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def owner_ms(owner, workspace):
    workspace.time_zone = ZONE
    workspace.save(update_fields=["time_zone"])
    return membership_of(owner, workspace)


@dataclass
class World:
    owner_ms: object
    project: object
    fans: Kpi
    gmv: Kpi
    template: ReportTemplate
    reviewer: object
    member: object
    items: dict


def _move(actor, item, group: str, on: dt.date) -> None:
    with at(on):
        work_actions.do_update_item(
            actor=actor,
            item=item,
            data=ItemPatch(state_id=item.project.states.filter(group=group).first().pk),
        )


def build_world(owner_ms, project) -> World:
    reviewer = add_member(owner_ms.workspace, "reviewer", Role.MEMBER)
    reviewer.email = "reviewer@example.com"
    reviewer.save(update_fields=["email"])
    member = add_member(owner_ms.workspace, "reader", Role.MEMBER)
    member.email = "reader@example.com"
    member.save(update_fields=["email"])
    fans = goal_actions.do_create_kpi(
        actor=owner_ms, data=KpiIn(name="公众号粉丝", source="manual", unit="人")
    )
    goal_actions.do_record_kpi_values(
        actor=owner_ms,
        kpi=fans,
        values=[
            (dt.date(2026, 2, 22), 900.0),
            (dt.date(2026, 3, 1), 1000.0),
            (dt.date(2026, 3, 4), 1100.0),
            (dt.date(2026, 3, 8), 1250.0),
            (dt.date(2026, 3, 10), 5000.0),  # after the week: not in it
        ],
    )
    gmv = goal_actions.do_create_kpi(
        actor=owner_ms, data=KpiIn(name="成交额 GMV", source="manual", unit="元")
    )
    goal_actions.do_record_kpi_values(
        actor=owner_ms,
        kpi=gmv,
        values=[(dt.date(2026, 3, 1), 80000.0), (dt.date(2026, 3, 8), 60000.0)],
    )
    items = {}
    with at(dt.date(2026, 2, 16)):
        items["old"] = work_actions.do_create_item(
            actor=owner_ms, project=project, data=ItemIn(title="旧任务")
        )
        items["poster"] = work_actions.do_create_item(
            actor=owner_ms,
            project=project,
            data=ItemIn(title="主会场海报", due_date=dt.date(2026, 3, 3)),
        )
        items["kol"] = work_actions.do_create_item(
            actor=owner_ms,
            project=project,
            data=ItemIn(title="KOL 名单", due_date=dt.date(2026, 3, 4)),
        )
        items["script"] = work_actions.do_create_item(
            actor=owner_ms,
            project=project,
            data=ItemIn(title="直播脚本", due_date=dt.date(2026, 3, 10)),
        )
    _move(owner_ms, items["old"], "done", dt.date(2026, 2, 20))
    _move(owner_ms, items["poster"], "done", dt.date(2026, 3, 5))
    for day, text in (
        (dt.date(2026, 3, 4), "主会场预算追加 2 万"),
        (dt.date(2026, 3, 10), "下周的事"),
    ):
        with at(day):
            meeting = meeting_actions.do_create_meeting(
                actor=owner_ms,
                data=MeetingIn(title=f"周会 {day.isoformat()}", starts_at=moment(day, 15)),
            )
            meeting_actions.do_add_decision(
                actor=owner_ms, meeting=meeting, data=DecisionIn(text=text)
            )
    template = actions.do_create_template(
        actor=owner_ms,
        data=ReportTemplateIn(
            name="运营周报",
            schedule="weekly",
            weekday=0,
            hour=9,
            blocks=[
                {"kind": "heading", "text": "{team} 周报 {period}"},
                {"kind": "text", "markdown": "本周（{start} 至 {end}）要点：……"},
                {"kind": "kpi", "kpi_id": fans.pk},
                {"kind": "numbers", "rows": [{"kpi_id": fans.pk}, {"kpi_id": gmv.pk}]},
                {"kind": "project_progress", "project_id": project.pk},
                {"kind": "decisions"},
            ],
            reviewer_ids=[reviewer.pk],
            subscriber_ids=[member.pk],
            outside_emails=["boss@partner.example"],
        ),
    )
    return World(owner_ms, project, fans, gmv, template, reviewer, member, items)


@pytest.fixture
def world(owner_ms, project) -> World:
    return build_world(owner_ms, project)


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def now_after_week() -> dt.datetime:
    """Monday 9 March 2026, 09:30 in Beijing: the weekly schedule has just fired."""
    return moment(dt.date(2026, 3, 9), 9) + dt.timedelta(minutes=30)


def timezone_now() -> dt.datetime:
    return timezone.now()
