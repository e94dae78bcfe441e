"""What the content tests share: an event store of their own, memberships, channels and
accounts, and helpers that make a piece and walk it through its pipeline with actions."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from opsloop.channels.actions import ensure_channels
from opsloop.channels.models import Account, Channel
from opsloop.content import actions
from opsloop.content.schemas import PieceIn, PieceResultIn, PieceReviewIn, PieceStatusIn
from tests.conftest import membership_of

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _own_store(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.EVENTS_BACKEND = "duckdb"
    settings.INSIGHTS_PERSONS_TTL = 0


@pytest.fixture
def owner_ms(owner, workspace):
    workspace.time_zone = "Asia/Shanghai"
    workspace.save(update_fields=["time_zone"])
    return membership_of(owner, workspace)


@pytest.fixture
def member_ms(member, workspace, owner_ms):
    return membership_of(member, workspace)


@pytest.fixture
def channels(owner_ms) -> dict[str, Channel]:
    ensure_channels(owner_ms.workspace)
    return {c.name: c for c in Channel.objects.filter(workspace=owner_ms.workspace)}


@pytest.fixture
def accounts(owner_ms, channels) -> dict:
    def account(channel: str, name: str):
        # opsloop.channels owns accounts; their creation has no side effect to skip.
        return Account.objects.create(
            workspace=owner_ms.workspace, channel=channels[channel], name=name
        )

    return {
        "xhs": account("小红书", "官方小红书"),
        "oa": account("微信公众号", "品牌服务号"),
        "douyin": account("抖音", "官方抖音"),
    }


def at(text: str) -> dt.datetime:
    """'2026-11-05 10:00' in Beijing time."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def make_piece(actor, *, title: str = "双十一种草笔记", **fields):
    return actions.do_create_piece(actor=actor, data=PieceIn(title=title, **fields))


def approve(actor, piece, reviewer_ms):
    """Writing, in review, approved by `reviewer_ms` (who must be a reviewer)."""
    actions.do_set_status(actor=actor, piece=piece, data=PieceStatusIn(status="writing"))
    actions.do_set_status(actor=actor, piece=piece, data=PieceStatusIn(status="in_review"))
    actions.do_review_piece(actor=reviewer_ms, piece=piece, data=PieceReviewIn(decision="approve"))
    return piece


def publish(actor, piece, when: dt.datetime, *, url: str | None = None):
    """Through review (the actor reviews) to published at `when`."""
    if not piece.reviewers.filter(pk=actor.user_id).exists():
        piece.reviewers.add(actor.user)
    approve(actor, piece, actor)
    actions.do_set_status(
        actor=actor,
        piece=piece,
        data=PieceStatusIn(status="published", published_at=when, published_url=url),
    )
    return piece


def record(actor, piece, day: str, **values):
    return actions.do_record_result(
        actor=actor, piece=piece, data=PieceResultIn(day=dt.date.fromisoformat(day), **values)
    )
