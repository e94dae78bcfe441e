"""Writes of content pieces: making one, who may own and review it, the pipeline and its
review record, rescheduling, the publish reminder, assets, results, cadence targets."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django_tasks_db.models import DBTaskResult

from opsloop.channels.models import Account
from opsloop.content import actions, queries
from opsloop.content.models import CadenceTarget, ContentResult, ContentReview
from opsloop.content.schemas import (
    CadenceTargetIn,
    CadenceTargetPatch,
    PieceLinkIn,
    PiecePatch,
    PieceRescheduleIn,
    PieceReviewIn,
    PieceStatusIn,
)
from opsloop.core.errors import Conflict, Forbidden, Invalid, NotFound
from opsloop.core.models import Role
from opsloop.files import actions as file_actions
from opsloop.files.models import File
from opsloop.files.queries import Place
from opsloop.inbox.models import Notification
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ProjectIn
from tests.conftest import add_member, membership_of
from tests.content.conftest import approve, at, make_piece, publish, record

REMIND = "opsloop.content.tasks.remind_publishing"


def test_a_new_piece_takes_its_channel_from_its_account_and_tells_its_owner(
    owner_ms, member_ms, accounts, project
):
    piece = make_piece(
        owner_ms,
        account_id=accounts["xhs"].pk,
        project_key="d11",
        owner_id=member_ms.user_id,
        tags=["双十一", "#双十一", "护肤"],
        body="**主推** 精华",
        planned_at=dt.datetime.fromisoformat("2026-11-05T20:00"),
    )
    assert piece.channel.name == "小红书" and piece.project == project
    assert (piece.status, piece.tags) == ("idea", ["双十一", "护肤"])
    assert "<strong>主推</strong>" in piece.body_html
    # A time without a zone is the workspace's (Beijing).
    assert piece.planned_at == at("2026-11-05 20:00")
    told = Notification.objects.get(recipient=member_ms.user)
    assert told.kind == "assigned" and "双十一种草笔记" in told.title
    assert told.url == f"/w/acme/content/{piece.pk}/"


def test_the_account_must_be_on_the_channel(owner_ms, accounts, channels):
    with pytest.raises(Invalid) as caught:
        make_piece(owner_ms, channel_id=channels["抖音"].pk, account_id=accounts["xhs"].pk)
    assert caught.value.field == "account_id"
    with pytest.raises(Invalid) as caught:
        make_piece(owner_ms)
    assert caught.value.field == "channel_id"


def test_guests_neither_make_nor_own_pieces(owner_ms, guest, channels, workspace):
    guest_ms = membership_of(guest, workspace)
    with pytest.raises(Forbidden):
        make_piece(guest_ms, channel_id=channels["抖音"].pk)
    with pytest.raises(Invalid) as caught:
        make_piece(owner_ms, channel_id=channels["抖音"].pk, owner_id=guest.pk)
    assert caught.value.field == "owner_id"


def test_reviewers_must_see_the_project(owner_ms, member_ms, channels):
    secret = work_actions.do_create_project(
        actor=owner_ms, data=ProjectIn(name="保密新品", key="SEC", visibility="private")
    )
    with pytest.raises(Invalid) as caught:
        make_piece(
            owner_ms,
            channel_id=channels["抖音"].pk,
            project_key=secret.key,
            reviewer_ids=[member_ms.user_id],
        )
    assert caught.value.field == "reviewer_ids"


def test_the_pipeline_and_its_review_record(owner_ms, member_ms, accounts):
    piece = make_piece(owner_ms, account_id=accounts["xhs"].pk)
    with pytest.raises(Conflict):  # 选题 does not skip 创作中
        actions.do_set_status(actor=owner_ms, piece=piece, data=PieceStatusIn(status="in_review"))
    actions.do_set_status(actor=owner_ms, piece=piece, data=PieceStatusIn(status="writing"))
    with pytest.raises(Invalid, match="reviewer"):
        actions.do_set_status(actor=owner_ms, piece=piece, data=PieceStatusIn(status="in_review"))
    actions.do_update_piece(
        actor=owner_ms, piece=piece, data=PiecePatch(reviewer_ids=[member_ms.user_id])
    )
    actions.do_set_status(actor=owner_ms, piece=piece, data=PieceStatusIn(status="in_review"))
    asked = Notification.objects.get(recipient=member_ms.user)
    assert "asks you to review" in asked.title
    # Only a reviewer approves, and only while in review.
    with pytest.raises(Forbidden):
        actions.do_review_piece(actor=owner_ms, piece=piece, data=PieceReviewIn(decision="approve"))
    actions.do_review_piece(
        actor=member_ms, piece=piece, data=PieceReviewIn(decision="changes", note="标题再短一点")
    )
    assert piece.status == "writing"
    actions.do_set_status(actor=owner_ms, piece=piece, data=PieceStatusIn(status="in_review"))
    actions.do_review_piece(actor=member_ms, piece=piece, data=PieceReviewIn(decision="approve"))
    assert piece.status == "approved"
    with pytest.raises(Conflict):
        actions.do_review_piece(
            actor=member_ms, piece=piece, data=PieceReviewIn(decision="approve")
        )
    reviews = list(ContentReview.objects.filter(piece=piece).order_by("pk"))
    assert [(r.reviewer_id, r.decision, r.note) for r in reviews] == [
        (member_ms.user_id, "changes", "标题再短一点"),
        (member_ms.user_id, "approve", ""),
    ]
    assert all(r.created_at is not None for r in reviews)
    verdicts = Notification.objects.filter(recipient=owner_ms.user, kind="state_changed")
    assert [n.excerpt for n in verdicts.order_by("pk")] == ["标题再短一点", ""]


def test_scheduling_needs_a_time_and_publishing_records_when(owner_ms, accounts):
    piece = make_piece(owner_ms, account_id=accounts["xhs"].pk, reviewer_ids=[owner_ms.user_id])
    approve(owner_ms, piece, owner_ms)
    with pytest.raises(Invalid, match="planned"):
        actions.do_set_status(actor=owner_ms, piece=piece, data=PieceStatusIn(status="scheduled"))
    actions.do_reschedule_piece(
        actor=owner_ms, piece=piece, data=PieceRescheduleIn(planned_at=at("2026-11-05 20:00"))
    )
    actions.do_set_status(actor=owner_ms, piece=piece, data=PieceStatusIn(status="scheduled"))
    with pytest.raises(Invalid):
        actions.do_set_status(
            actor=owner_ms,
            piece=piece,
            data=PieceStatusIn(status="published", published_at=at("2099-01-01 00:00")),
        )
    actions.do_set_status(
        actor=owner_ms,
        piece=piece,
        data=PieceStatusIn(
            status="published",
            published_at=dt.datetime.fromisoformat("2026-11-05T20:03"),
            published_url="https://www.xiaohongshu.com/explore/abc",
        ),
    )
    assert piece.published_at == at("2026-11-05 20:03")
    assert piece.published_url == "https://www.xiaohongshu.com/explore/abc"
    with pytest.raises(Conflict, match="went out"):
        actions.do_reschedule_piece(
            actor=owner_ms, piece=piece, data=PieceRescheduleIn(day=dt.date(2026, 11, 9))
        )
    # Archived and back: it went out, so it comes back as published.
    actions.do_set_status(actor=owner_ms, piece=piece, data=PieceStatusIn(status="archived"))
    assert queries.next_statuses(piece) == ["published"]
    actions.do_set_status(actor=owner_ms, piece=piece, data=PieceStatusIn(status="published"))
    assert piece.published_at == at("2026-11-05 20:03")


def test_publishing_now_by_default(owner_ms, accounts):
    piece = make_piece(owner_ms, account_id=accounts["oa"].pk, reviewer_ids=[owner_ms.user_id])
    approve(owner_ms, piece, owner_ms)
    before = dt.datetime.now(dt.UTC)
    actions.do_set_status(actor=owner_ms, piece=piece, data=PieceStatusIn(status="published"))
    assert before <= piece.published_at <= dt.datetime.now(dt.UTC)


def test_rescheduling_to_a_day_keeps_the_time_of_day(owner_ms, accounts):
    piece = make_piece(owner_ms, account_id=accounts["xhs"].pk, planned_at=at("2026-11-05 20:30"))
    actions.do_reschedule_piece(
        actor=owner_ms, piece=piece, data=PieceRescheduleIn(day=dt.date(2026, 11, 8))
    )
    assert piece.planned_at == at("2026-11-08 20:30")
    bare = make_piece(owner_ms, account_id=accounts["xhs"].pk, title="未排期")
    actions.do_reschedule_piece(
        actor=owner_ms, piece=bare, data=PieceRescheduleIn(day=dt.date(2026, 11, 9))
    )
    assert bare.planned_at == at("2026-11-09 10:00")
    with pytest.raises(Invalid):
        actions.do_reschedule_piece(actor=owner_ms, piece=bare, data=PieceRescheduleIn())


def test_a_planned_time_queues_the_reminder_and_a_new_time_is_reminded_again(owner_ms, accounts):
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    piece = make_piece(owner_ms, account_id=accounts["xhs"].pk, planned_at=soon)
    queued = DBTaskResult.objects.filter(task_path=REMIND)
    assert queued.count() == 1
    assert actions.do_remind_publishing(now=soon + dt.timedelta(minutes=1)) == 1
    piece.refresh_from_db()
    assert piece.reminded_at is not None
    actions.do_reschedule_piece(
        actor=owner_ms, piece=piece, data=PieceRescheduleIn(planned_at=soon + dt.timedelta(days=1))
    )
    assert piece.reminded_at is None and queued.count() == 2


def test_the_reminder_tells_the_owner_once_with_the_checklist(owner_ms, member_ms, accounts):
    planned = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    piece = make_piece(
        owner_ms,
        account_id=accounts["xhs"].pk,
        owner_id=member_ms.user_id,
        planned_at=planned,
        body="正文",
    )
    assert actions.do_remind_publishing(now=planned - dt.timedelta(minutes=1)) == 0
    # Two workers read the due pieces at the same moment, then each reminds.
    first = queries.due_reminders(planned, within=actions.REMINDER_WINDOW)
    second = queries.due_reminders(planned, within=actions.REMINDER_WINDOW)
    assert [p.pk for p in first] == [piece.pk]
    assert actions.do_remind_publish(piece=first[0], now=planned) is True
    assert actions.do_remind_publish(piece=second[0], now=planned) is False
    reminders = Notification.objects.filter(recipient=member_ms.user, title__startswith="Time")
    assert reminders.count() == 1
    excerpt = reminders.get().excerpt
    assert "✓ Title" in excerpt and "✓ Body" in excerpt
    assert "✗ Assets" in excerpt and "✗ UTM link" in excerpt


def test_old_plans_and_pieces_out_are_not_reminded(owner_ms, accounts):
    now = dt.datetime.now(dt.UTC)
    make_piece(owner_ms, account_id=accounts["xhs"].pk, planned_at=now - dt.timedelta(days=3))
    out = make_piece(owner_ms, account_id=accounts["oa"].pk, planned_at=now - dt.timedelta(hours=1))
    publish(owner_ms, out, now - dt.timedelta(hours=1))
    assert actions.do_remind_publishing(now=now) == 0


def test_results_are_snapshots_of_a_piece_that_went_out(owner_ms, accounts):
    piece = make_piece(owner_ms, account_id=accounts["xhs"].pk)
    with pytest.raises(Conflict):
        record(owner_ms, piece, "2026-11-06", views=10)
    publish(owner_ms, piece, at("2026-11-05 20:00"))
    with pytest.raises(Invalid):
        record(owner_ms, piece, "2026-11-04", views=10)
    with pytest.raises(Invalid):
        record(owner_ms, piece, "2099-01-01", views=10)
    record(owner_ms, piece, "2026-11-06", views=1200, likes=80)
    # The same day again: what is sent replaces, what is left out stays.
    again = record(owner_ms, piece, "2026-11-06", likes=95, comments=12)
    assert (again.views, again.likes, again.comments) == (1200, 95, 12)
    assert ContentResult.objects.filter(piece=piece).count() == 1
    record(owner_ms, piece, "2026-11-08", views=3000)
    assert queries.latest_results([piece.pk])[piece.pk].views == 3000
    actions.do_delete_result(actor=owner_ms, result=again)
    assert list(ContentResult.objects.filter(piece=piece).values_list("day", flat=True)) == [
        dt.date(2026, 11, 8)
    ]


def test_assets_live_in_the_projects_library(owner_ms, accounts, project):
    piece = make_piece(owner_ms, account_id=accounts["xhs"].pk, project_key="D11")
    file = actions.do_upload_asset(
        actor=owner_ms, piece=piece, content=ContentFile(b"png"), name="主图.png"
    )
    assert file.project == project and list(piece.assets.all()) == [file]
    spare = file_actions.do_upload_file(
        actor=owner_ms, place=Place(project=project), content=ContentFile(b"x"), name="备选.png"
    )
    assert queries.library_choices(owner_ms, piece) == [spare]
    actions.do_attach_asset(
        actor=owner_ms, piece=piece, file=queries.get_library_file(owner_ms, piece, spare.pk)
    )
    actions.do_detach_asset(actor=owner_ms, piece=piece, file_id=file.pk)
    assert list(piece.assets.all()) == [spare] and File.objects.filter(pk=file.pk).exists()
    with pytest.raises(NotFound):
        actions.do_detach_asset(actor=owner_ms, piece=piece, file_id=file.pk)
    whole = make_piece(owner_ms, account_id=accounts["xhs"].pk, title="全员周报")
    with pytest.raises(Invalid, match="project"):
        actions.do_upload_asset(actor=owner_ms, piece=whole, content=ContentFile(b"x"), name="a")
    with pytest.raises(Invalid):
        queries.get_library_file(owner_ms, whole, spare.pk)


def test_a_piece_makes_its_link_with_its_utm_content(owner_ms, accounts, project):
    piece = make_piece(owner_ms, account_id=accounts["xhs"].pk, project_key="D11")
    link = actions.do_make_link(
        actor=owner_ms,
        piece=piece,
        data=PieceLinkIn(
            destination="https://shop.example.com/d11", utm_medium="social", utm_campaign="d11"
        ),
    )
    piece.refresh_from_db()
    assert piece.link == link
    assert (link.utm_source, link.utm_content, link.account) == (
        "xiaohongshu",
        f"piece-{piece.pk}",
        accounts["xhs"],
    )
    assert queries.checklist(piece, []).link is True


def test_cadence_targets(owner_ms, accounts, workspace, channels):
    target = actions.do_create_cadence(
        actor=owner_ms, data=CadenceTargetIn(account_id=accounts["xhs"].pk, per_week=3)
    )
    with pytest.raises(Conflict):
        actions.do_create_cadence(
            actor=owner_ms, data=CadenceTargetIn(account_id=accounts["xhs"].pk, per_week=2)
        )
    actions.do_create_cadence(
        actor=owner_ms,
        data=CadenceTargetIn(account_id=accounts["xhs"].pk, format="short_video", per_week=1),
    )
    actions.do_update_cadence(actor=owner_ms, target=target, data=CadenceTargetPatch(per_week=4))
    assert CadenceTarget.objects.get(pk=target.pk).per_week == 4
    kol = Account.objects.create(
        workspace=workspace, channel=channels["小红书"], name="美妆博主", external=True
    )
    with pytest.raises(Invalid):
        actions.do_create_cadence(
            actor=owner_ms, data=CadenceTargetIn(account_id=kol.pk, per_week=1)
        )
    actions.do_delete_cadence(actor=owner_ms, target=target)
    assert [t.format for t in queries.list_cadence(workspace)] == ["short_video"]


def test_only_the_owner_or_an_admin_deletes(owner_ms, member_ms, accounts, workspace):
    piece = make_piece(owner_ms, account_id=accounts["xhs"].pk)
    with pytest.raises(Forbidden):
        actions.do_delete_piece(actor=member_ms, piece=piece)
    admin_ms = membership_of(add_member(workspace, "admin", Role.ADMIN), workspace)
    actions.do_delete_piece(actor=admin_ms, piece=piece)
    mine = make_piece(member_ms, account_id=accounts["xhs"].pk)
    actions.do_delete_piece(actor=member_ms, piece=mine)
