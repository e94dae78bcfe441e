"""Reads of content: who sees which pieces, the calendar's cadence, gaps and clashes,
rankings and the best-time heatmap worked out by hand, clicks counted from real events."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from opsloop.content import actions, queries
from opsloop.content.queries import Clash, PieceFilters
from opsloop.content.queries.calendar import _Row
from opsloop.content.schemas import CadenceTargetIn, PieceLinkIn
from opsloop.core.errors import NotFound
from opsloop.core.models import Role
from opsloop.events.store import get_store
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ProjectIn
from tests.conftest import add_member, membership_of
from tests.content.conftest import SHANGHAI, make_piece, publish, record
from tests.events._pipeline import row


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), SHANGHAI)


@pytest.fixture
def monday(owner_ms) -> dt.date:
    today = queries.local_today(owner_ms.workspace)
    return today - dt.timedelta(days=today.weekday())


# --- who sees what


def test_guests_see_only_shared_projects_and_members_not_private_ones(
    owner_ms, member_ms, guest, workspace, project, accounts
):
    secret = work_actions.do_create_project(
        actor=owner_ms, data=ProjectIn(name="保密新品", key="SEC", visibility="private")
    )
    work_actions.do_add_project_member(actor=owner_ms, project=project, user_id=guest.pk)
    shared = make_piece(owner_ms, account_id=accounts["xhs"].pk, project_key="D11", title="大促")
    hidden = make_piece(owner_ms, account_id=accounts["xhs"].pk, project_key="SEC", title="新品")
    whole = make_piece(owner_ms, account_id=accounts["xhs"].pk, title="周报")
    guest_ms = membership_of(guest, workspace)

    def seen(ms):
        return {p.pk for p in queries.list_pieces(ms, PieceFilters())}

    assert seen(owner_ms) == {shared.pk, hidden.pk, whole.pk}
    assert seen(member_ms) == {shared.pk, whole.pk}
    assert seen(guest_ms) == {shared.pk}
    assert secret.pk  # the private project exists; its piece stays out of sight
    with pytest.raises(NotFound):
        queries.access_piece_of(member_ms, hidden.pk)
    access = queries.access_piece_of(guest_ms, shared.pk)
    assert (access.can_edit, access.can_delete) == (False, False)


# --- the calendar


def test_a_past_week_with_cadence_three_and_two_out_is_missed(owner_ms, accounts, monday):
    xhs = accounts["xhs"]
    actions.do_create_cadence(actor=owner_ms, data=CadenceTargetIn(account_id=xhs.pk, per_week=3))
    week = monday - dt.timedelta(days=14)
    for i, day in enumerate((week, week + dt.timedelta(days=2))):
        piece = make_piece(owner_ms, account_id=xhs.pk, title=f"笔记{i}")
        publish(owner_ms, piece, local(day, 10))
    # Still planned when the week ended: a week that is over counts what went out.
    make_piece(
        owner_ms,
        account_id=xhs.pk,
        title="没发出",
        planned_at=local(week + dt.timedelta(days=4), 10),
    )
    calendar = queries.content_calendar(owner_ms, mode="week", anchor=week, group="account")
    (lane,) = [lane for lane in calendar.weeks[0].lanes if lane.key == f"a{xhs.pk}"]
    (cadence,) = lane.cadence
    assert (cadence.published, cadence.planned, cadence.past, cadence.met) == (2, 1, True, False)
    assert [len(c.pieces) for c in lane.cells] == [1, 0, 1, 0, 1, 0, 0]


def test_a_coming_week_is_met_by_plans_and_shows_gaps_and_clashes(owner_ms, accounts, monday):
    xhs, oa = accounts["xhs"], accounts["oa"]
    actions.do_create_cadence(actor=owner_ms, data=CadenceTargetIn(account_id=xhs.pk, per_week=3))
    week = monday + dt.timedelta(days=7)
    a = make_piece(owner_ms, account_id=xhs.pk, title="A", planned_at=local(week, 10))
    b = make_piece(owner_ms, account_id=xhs.pk, title="B", planned_at=local(week, 10, 30))
    c = make_piece(
        owner_ms, account_id=xhs.pk, title="C", planned_at=local(week + dt.timedelta(days=3), 10)
    )
    d = make_piece(
        owner_ms, account_id=oa.pk, title="D", planned_at=local(week + dt.timedelta(days=1), 9)
    )
    e = make_piece(
        owner_ms, account_id=oa.pk, title="E", planned_at=local(week + dt.timedelta(days=1), 18)
    )
    calendar = queries.content_calendar(owner_ms, mode="week", anchor=week, group="account")
    lanes = {lane.key: lane for lane in calendar.weeks[0].lanes}
    (cadence,) = lanes[f"a{xhs.pk}"].cadence
    assert (cadence.published, cadence.planned, cadence.past, cadence.met) == (0, 3, False, True)
    # 3 a week: three empty days in a row or more are a gap (Tue-Wed are two, Fri-Sun and on).
    assert [cell.gap for cell in lanes[f"a{xhs.pk}"].cells] == [
        False,
        False,
        False,
        False,
        True,
        True,
        True,
    ]
    # The 公众号 has no cadence: no gaps.
    assert not any(cell.gap for cell in lanes[f"a{oa.pk}"].cells)
    assert calendar.clashes == [
        Clash("hour", xhs.pk, week, (a.pk, b.pk)),
        Clash("day", oa.pk, week + dt.timedelta(days=1), (d.pk, e.pk)),
    ]
    kinds = {
        p.piece.pk: p.clash for lane in lanes.values() for cell in lane.cells for p in cell.pieces
    }
    assert kinds == {a.pk: "hour", b.pk: "hour", c.pk: "", d.pk: "day", e.pk: "day"}


def test_lanes_by_channel_show_a_piece_on_every_channel_it_goes_out_on(owner_ms, channels, monday):
    piece = make_piece(
        owner_ms,
        channel_id=channels["抖音"].pk,
        also_on_ids=[channels["视频号"].pk],
        planned_at=local(monday, 12),
    )
    make_piece(owner_ms, channel_id=channels["抖音"].pk, title="未排期")
    calendar = queries.content_calendar(owner_ms, mode="month", anchor=monday)
    week = next(w for w in calendar.weeks if w.start == monday)
    on = {
        lane.key
        for lane in week.lanes
        if any(p.piece.pk == piece.pk for c in lane.cells for p in c.pieces)
    }
    assert on == {f"c{channels['抖音'].pk}", f"c{channels['视频号'].pk}"}
    assert [p.title for p in calendar.unscheduled] == ["未排期"]
    assert calendar.first_day.weekday() == 0 and calendar.last_day.weekday() == 6


def test_guests_get_no_cadence_and_only_lanes_with_their_pieces(
    owner_ms, guest, workspace, project, accounts, monday
):
    work_actions.do_add_project_member(actor=owner_ms, project=project, user_id=guest.pk)
    actions.do_create_cadence(
        actor=owner_ms, data=CadenceTargetIn(account_id=accounts["xhs"].pk, per_week=3)
    )
    make_piece(
        owner_ms, account_id=accounts["xhs"].pk, project_key="D11", planned_at=local(monday, 9)
    )
    make_piece(owner_ms, account_id=accounts["oa"].pk, title="内部", planned_at=local(monday, 9))
    calendar = queries.content_calendar(
        membership_of(guest, workspace), mode="week", anchor=monday, group="account"
    )
    (lane,) = calendar.weeks[0].lanes
    assert lane.key == f"a{accounts['xhs'].pk}" and lane.cadence == []
    assert not calendar.shows_cadence


def test_gap_days_by_hand():
    first = dt.date(2026, 11, 2)
    last = dt.date(2026, 11, 15)
    used = {dt.date(2026, 11, 2), dt.date(2026, 11, 4), dt.date(2026, 11, 6), dt.date(2026, 11, 13)}
    # 3 a week: runs of three or more: 7-12 (six days) and 14-15 (two: not a gap).
    assert queries.gap_days(used, first, last, 3) == {dt.date(2026, 11, d) for d in range(7, 13)}
    # Once a week: only a run of seven or more; 7-12 is six days.
    assert queries.gap_days(used, first, last, 1) == set()
    # Every day: each empty day is a gap.
    assert len(queries.gap_days(used, first, last, 7)) == 14 - 4


def test_clashes_by_hand():
    def r(pk, account, when, published=False):
        return _Row(
            pk, f"#{pk}", account, "article", when, when.astimezone(SHANGHAI).date(), published
        )

    day = dt.date(2026, 11, 5)
    rows = [
        r(1, 7, local(day, 9)),
        r(2, 7, local(day, 9, 59)),  # 59 minutes after 1: the same hour
        r(3, 7, local(day, 11)),  # later that day
        r(4, 8, local(day, 23, 40)),
        r(5, 8, local(day + dt.timedelta(days=1), 0, 20)),  # 40 minutes later, the next day
        r(6, None, local(day, 9)),  # no account: never clashes
    ]
    clashes, kinds = queries.find_clashes(rows)
    assert clashes == [
        Clash("hour", 7, day, (1, 2)),
        Clash("day", 7, day, (1, 2, 3)),
        Clash("hour", 8, day, (4, 5)),
    ]
    assert kinds == {1: "hour", 2: "hour", 3: "day", 4: "hour", 5: "hour"}


# --- results


@pytest.fixture
def published(owner_ms, member_ms, accounts, channels, monday):
    """Four pieces out two weeks ago: A and B on 小红书 on Tuesday at 20:00 and 20:30, C on
    抖音 on Friday at 12:00, D on the 公众号 on Saturday, without results."""
    tuesday = monday - dt.timedelta(days=13)
    friday = tuesday + dt.timedelta(days=3)
    owner_id, member_id = owner_ms.user_id, member_ms.user_id
    a = make_piece(owner_ms, title="A", account_id=accounts["xhs"].pk, tags=["护肤", "双十一"])
    b = make_piece(owner_ms, title="B", account_id=accounts["xhs"].pk, tags=["护肤"],
                   format="short_video", owner_id=member_id)  # fmt: skip
    c = make_piece(owner_ms, title="C", account_id=accounts["douyin"].pk, format="short_video",
                   owner_id=member_id)  # fmt: skip
    d = make_piece(owner_ms, title="D", account_id=accounts["oa"].pk, tags=["双十一"],
                   owner_id=owner_id)  # fmt: skip
    publish(owner_ms, a, local(tuesday, 20))
    publish(owner_ms, b, local(tuesday, 20, 30))
    publish(owner_ms, c, local(friday, 12))
    publish(owner_ms, d, local(friday + dt.timedelta(days=1), 8))
    day = (tuesday + dt.timedelta(days=1)).isoformat()
    later = (tuesday + dt.timedelta(days=5)).isoformat()
    record(owner_ms, a, day, views=400, likes=10)
    record(owner_ms, a, later, views=1000, likes=50, comments=10, shares=5, collects=35)
    record(owner_ms, b, later, views=3000, likes=120, comments=30, shares=30, collects=120)
    record(owner_ms, c, later, views=10000, likes=400, comments=50, shares=30, collects=20,
           followers_gained=25, clicks=70)  # fmt: skip
    return {"A": a, "B": b, "C": c, "D": d, "tuesday": tuesday, "friday": friday}


def test_rankings_worked_out_by_hand(owner_ms, published):
    period = queries.parse_period(owner_ms, {})
    found = queries.all_rankings(owner_ms, period)

    def table(by):
        return [(r.label, r.pieces, r.views, r.engagement_rate) for r in found[by]]

    assert table("channel") == [("抖音", 1, 10000, 0.05), ("小红书", 2, 4000, 0.1),
                                ("微信公众号", 1, 0, None)]  # fmt: skip
    assert table("format") == [("Short video", 2, 13000, 800 / 13000),
                               ("Image and text", 2, 1000, 0.1)]  # fmt: skip
    assert table("topic") == [("No topic", 1, 10000, 0.05), ("护肤", 2, 4000, 0.1),
                              ("双十一", 2, 1000, 0.1)]  # fmt: skip
    assert table("author") == [("member", 2, 13000, 800 / 13000), ("王总", 2, 1000, 0.1)]
    douyin = found["channel"][0]
    assert (douyin.followers_gained, douyin.clicks) == (25, 70)


def test_a_period_leaves_out_what_went_out_before_it(owner_ms, published):
    period = queries.parse_period(owner_ms, {"from": published["friday"].isoformat()})
    rows = queries.rankings(owner_ms, period, "channel").rows
    assert [(r.label, r.pieces) for r in rows] == [("抖音", 1), ("微信公众号", 1)]


def test_the_heatmap_by_hand(owner_ms, published):
    period = queries.parse_period(owner_ms, {})
    views = queries.heatmap(owner_ms, period, "views")
    tuesday_8pm = views.cells[(1, 20)]
    assert (tuesday_8pm.pieces, tuesday_8pm.value) == (2, 2000.0)
    assert (views.best.weekday, views.best.hour, views.best.value) == (4, 12, 10000.0)
    assert (5, 8) not in views.cells  # D has no results
    engagement = queries.heatmap(owner_ms, period, "engagement")
    assert engagement.cells[(1, 20)].value == pytest.approx(0.1)
    assert (engagement.best.weekday, engagement.best.hour) == (1, 20)
    grid = dict(views.grid())
    assert grid[4][12][2] == 1 and grid[1][20][2] == 0.2


def test_clicks_are_counted_from_the_link_events(owner_ms, workspace, guest, accounts):
    piece = make_piece(owner_ms, account_id=accounts["xhs"].pk)
    publish(owner_ms, piece, timezone.now() - dt.timedelta(hours=2))
    link = actions.do_make_link(
        actor=owner_ms,
        piece=piece,
        data=PieceLinkIn(destination="https://shop.example.com", utm_medium="social",
                        utm_campaign="d11"),
    )  # fmt: skip
    piece.refresh_from_db()
    now = timezone.now()
    mine = {"workspace_id": workspace.pk, "timestamp": now, "utm_content": link.utm_content}
    get_store().write(
        [
            row(event=queries.LINK_CLICK_EVENT, **mine),
            row(event=queries.LINK_CLICK_EVENT, **mine),
            row(event=queries.LINK_CLICK_EVENT, **mine),
            row(event="$pageview", **mine),  # the landing page: not a click
            row(
                event=queries.LINK_CLICK_EVENT,
                workspace_id=workspace.pk,
                timestamp=now,
                utm_content="piece-other",
            ),  # fmt: skip
        ]
    )
    assert queries.event_clicks(owner_ms, [piece]) == {piece.pk: 3}
    guest_ms = membership_of(guest, workspace)
    assert queries.event_clicks(guest_ms, [piece]) == {}
    # Counted clicks win over typed ones.
    record(owner_ms, piece, queries.local_today(workspace).isoformat(), views=10, clicks=1)
    metrics = queries.metrics_of(owner_ms, [piece])[piece.pk]
    assert (metrics.event_clicks, metrics.clicks) == (3, 3)


def test_an_admin_sees_every_piece_in_the_rankings(owner_ms, workspace, published):
    admin_ms = membership_of(add_member(workspace, "admin", Role.ADMIN), workspace)
    period = queries.parse_period(admin_ms, {})
    assert sum(r.pieces for r in queries.rankings(admin_ms, period, "channel").rows) == 4


def test_lanes_by_channel_are_the_channels_worked_on(owner_ms, channels, monday):
    """A new team sees every channel; then the lanes are the channels with pieces in the
    period or with the team's accounts, not the 14 seeded ones."""
    from opsloop.channels.models import Account

    def lanes():
        calendar = queries.content_calendar(owner_ms, mode="week", anchor=monday)
        return [lane.label for lane in calendar.weeks[0].lanes]

    assert len(lanes()) == len([c for c in channels.values() if not c.archived])
    Account.objects.create(workspace=owner_ms.workspace, channel=channels["小红书"], name="官方")
    Account.objects.create(
        workspace=owner_ms.workspace, channel=channels["知乎"], name="达人", external=True
    )
    make_piece(owner_ms, channel_id=channels["B站"].pk, planned_at=local(monday, 12))
    # In channel order; a partner's account (知乎) makes no lane.
    assert lanes() == ["小红书", "B站"]
