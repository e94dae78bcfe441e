"""Dashboard writes: who may make and change one (personal: its owner; the workspace's:
its owner and admins), tiles checked and placed, the layout saved all or nothing, and
read-only links that open until they expire or are revoked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from opsloop.core.errors import Forbidden, Invalid, NotFound
from opsloop.core.models import Membership, Role
from opsloop.core.queries import hash_token
from opsloop.dashboards import actions, queries
from opsloop.dashboards.models import Dashboard, DashboardShare, DashboardTile
from opsloop.goals import actions as goal_actions
from opsloop.goals.schemas import KpiIn
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ProjectIn
from tests.conftest import add_member, membership_of


@pytest.fixture
def member_ms(member, workspace):
    return membership_of(member, workspace)


def note(dashboard, actor, **place):
    return actions.do_add_tile(
        actor=actor, dashboard=dashboard, data={"kind": "note", "text": "备注", **place}
    )


def test_a_personal_dashboard_is_its_owners_alone(owner_ms, member_ms, admin_user, workspace):
    mine = actions.do_create_dashboard(actor=member_ms, name="我的看板", personal=True)
    shared = actions.do_create_dashboard(actor=owner_ms, name="团队看板")
    assert [d.name for d in queries.list_dashboards(member_ms)] == ["我的看板", "团队看板"]
    assert [d.name for d in queries.list_dashboards(owner_ms)] == ["团队看板"]
    with pytest.raises((NotFound, Http404)):
        queries.get_dashboard(membership_of(admin_user, workspace), mine.pk)
    assert queries.may_change(member_ms, mine) and not queries.may_change(member_ms, shared)
    assert queries.may_change(membership_of(admin_user, workspace), shared)
    with pytest.raises(Forbidden):
        actions.do_update_dashboard(actor=member_ms, dashboard=shared, changes={"name": "改"})
    with pytest.raises(Forbidden):
        # An admin may change it, but not hide it from everyone else.
        actions.do_update_dashboard(
            actor=membership_of(admin_user, workspace), dashboard=shared,
            changes={"personal": True},
        )  # fmt: skip
    assert Dashboard.objects.get(pk=shared.pk).name == "团队看板"


def test_guests_make_no_dashboards(workspace):
    guest_ms = membership_of(add_member(workspace, "visitor", Role.GUEST), workspace)
    with pytest.raises(Forbidden):
        actions.do_create_dashboard(actor=guest_ms, name="访客看板")
    assert not Dashboard.objects.exists()


def test_settings_are_checked_and_nothing_is_half_written(owner_ms):
    board = actions.do_create_dashboard(actor=owner_ms, name="看板")
    bad = [
        {"name": ""},
        {"refresh_seconds": 5},
        {"date_range": {"preset": "custom", "date_from": "2026-12-01"}},
        {"filters": [{"key": "utm source", "value": "x"}]},
        {"filters": [{"key": "utm_source"}] * 21},
        {"personal": "yes"},
    ]
    for changes in bad:
        with pytest.raises(Invalid) as refused:
            actions.do_update_dashboard(
                actor=owner_ms, dashboard=board, changes={"description": "改", **changes}
            )
        assert refused.value.field == next(iter(changes)), changes
    board.refresh_from_db()
    assert board.description == "" and board.refresh_seconds == 300


def test_tiles_are_checked_and_placed_under_the_others(owner_ms, project, workspace):
    board = actions.do_create_dashboard(actor=owner_ms, name="看板")
    first = note(board, owner_ms)
    assert (first.x, first.y, first.w, first.h) == (0, 0, 3, 2)
    beside = note(board, owner_ms)
    assert (beside.x, beside.y) == (3, 0)  # the first place free, as the grid fills
    wide = note(board, owner_ms, w=12)
    assert (wide.x, wide.y, wide.w) == (0, 2, 12)
    column = note(board, owner_ms, x=3)
    assert (column.x, column.y) == (3, 4)
    refused = [
        ({"kind": "pie"}, "kind"),
        ({"kind": "kpi"}, "kpi_id"),
        ({"kind": "kpi", "kpi_id": 999999}, None),
        ({"kind": "burnup", "project_id": "x"}, "project_id"),
        ({"kind": "note", "text": ""}, "text"),
        ({"kind": "note", "text": "a", "x": 10, "w": 4}, "w"),
        ({"kind": "note", "text": "a", "h": 0}, "h"),
    ]
    for data, field in refused:
        with pytest.raises((Invalid, NotFound)) as error:
            actions.do_add_tile(actor=owner_ms, dashboard=board, data=data)
        if field:
            assert error.value.field == field, data
    other = work_actions.do_create_project(
        actor=owner_ms, data=ProjectIn(name="别人的", key="OTH", visibility="private")
    )
    member_ms = membership_of(add_member(workspace, "planner", Role.MEMBER), workspace)
    mine = actions.do_create_dashboard(actor=member_ms, name="我的")
    with pytest.raises(Invalid) as error:  # a project the member may not see
        actions.do_add_tile(
            actor=member_ms, dashboard=mine, data={"kind": "burnup", "project_id": other.pk}
        )
    assert error.value.field == "project_id"
    assert DashboardTile.objects.count() == 4


def test_a_dashboard_holds_at_most_fifty_tiles(owner_ms, monkeypatch):
    monkeypatch.setattr(actions, "MAX_TILES", 3)
    board = actions.do_create_dashboard(actor=owner_ms, name="看板")
    for _ in range(3):
        note(board, owner_ms)
    with pytest.raises(Invalid):
        note(board, owner_ms)
    assert board.tiles.count() == 3


def test_the_layout_is_saved_whole_or_not_at_all(owner_ms, member_ms):
    board = actions.do_create_dashboard(actor=owner_ms, name="看板")
    a, b = note(board, owner_ms), note(board, owner_ms)
    other = actions.do_create_dashboard(actor=owner_ms, name="另一个")
    stranger = note(other, owner_ms)
    layouts = [
        [{"id": a.pk, "x": 6, "y": 0, "w": 6, "h": 3}, {"id": stranger.pk, "x": 0, "y": 0}],
        [{"id": a.pk, "x": 6, "y": 0, "w": 6, "h": 3}, {"id": b.pk, "x": 9, "w": 6}],
        [{"id": a.pk, "x": 1}, {"id": a.pk, "x": 2}],
        [],
        "a, b",
    ]
    for layout in layouts:
        with pytest.raises(Invalid):
            actions.do_arrange_tiles(actor=owner_ms, dashboard=board, layout=layout)
    assert [(t.x, t.y, t.w) for t in queries.list_tiles(board)] == [(0, 0, 3), (3, 0, 3)]
    with pytest.raises(Forbidden):
        actions.do_arrange_tiles(
            actor=member_ms, dashboard=board, layout=[{"id": a.pk, "x": 6}]
        )  # fmt: skip
    tiles = actions.do_arrange_tiles(
        actor=owner_ms,
        dashboard=board,
        layout=[{"id": b.pk, "x": 0, "y": 0, "w": 6, "h": 4}, {"id": a.pk, "x": 6, "y": 0}],
    )
    assert [(t.pk, t.x, t.y, t.w, t.h) for t in tiles] == [
        (b.pk, 0, 0, 6, 4),
        (a.pk, 6, 0, 3, 2),
    ]


def test_a_share_link_opens_until_it_expires_or_is_revoked(owner_ms, workspace, admin_user):
    board = actions.do_create_dashboard(actor=owner_ms, name="看板")
    made = actions.do_create_share(actor=owner_ms, dashboard=board, expires_in_days=7)
    assert made.share.token_hash == hash_token(made.raw) and made.raw not in made.share.prefix * 2
    share, viewer = queries.share_by_token(made.raw)
    assert share == made.share and viewer == owner_ms
    for raw in ("", "x" * 43, made.raw + "x"):
        with pytest.raises(NotFound):
            queries.share_by_token(raw)
    DashboardShare.objects.filter(pk=share.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    with pytest.raises(NotFound):
        queries.share_by_token(made.raw)
    again = actions.do_create_share(actor=owner_ms, dashboard=board)
    actions.do_revoke_share(actor=owner_ms, dashboard=board, share=again.share)
    with pytest.raises(NotFound):
        queries.share_by_token(again.raw)
    # A link dies with its maker's membership.
    admin_ms = membership_of(admin_user, workspace)
    theirs = actions.do_create_share(actor=admin_ms, dashboard=board)
    assert queries.share_by_token(theirs.raw)[1] == admin_ms
    Membership.objects.filter(pk=admin_ms.pk).delete()
    with pytest.raises(NotFound):
        queries.share_by_token(theirs.raw)
    for days in (0, 366, "soon"):
        with pytest.raises(Invalid):
            actions.do_create_share(actor=owner_ms, dashboard=board, expires_in_days=days)


def test_tiles_go_with_what_they_show(owner_ms):
    kpi = goal_actions.do_create_kpi(actor=owner_ms, data=KpiIn(name="GMV", source="manual"))
    board = actions.do_create_dashboard(actor=owner_ms, name="看板")
    actions.do_add_tile(actor=owner_ms, dashboard=board, data={"kind": "kpi", "kpi_id": kpi.pk})
    note(board, owner_ms)
    goal_actions.do_delete_kpi(actor=owner_ms, kpi=kpi)
    assert [t.kind for t in queries.list_tiles(board)] == ["note"]
