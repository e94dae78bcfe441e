"""Who may use content pieces (read by tests/test_api_permissions.py and
tests/test_page_permissions.py): whoever sees a piece's project reads it, guests included
where the project is shared with them (a piece of the whole workspace: members and
above); members and above change pieces and cadence targets; the people asked to review
(the owner and, where they see it, the member) review; the piece's owner (the owner here)
and admins delete it."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone

from opsloop.core.models import User

R = "/workspaces/{slug}/content"
PIECES = R + "/pieces"
ONE = PIECES + "/{piece_id}"
READ = "200 200 200 200 404"
EDIT = "200 200 200 403 404"
MADE = "201 201 201 403 404"
GONE = "204 204 204 403 404"
MEMBERS = "200 200 200 403 404"

API_ROUTES: dict = {
    ("GET", PIECES): (READ, None),
    ("POST", PIECES): (
        MADE,
        lambda c: {
            "title": "新品种草",
            "project_key": c.get("key"),
            "account_id": c.get("account_id", 1),
        },
    ),
    ("GET", ONE): (READ, None),
    ("PATCH", ONE): (EDIT, lambda c: {"title": "改名", "tags": ["大促"]}),
    # The piece is the owner's: its owner and admins delete it.
    ("DELETE", ONE): ("204 204 403 403 404", None),
    # In review: an editor may send it back to writing.
    ("POST", ONE + "/status"): (EDIT, lambda c: {"status": "writing"}),
    # The owner and the member are asked to review; the admin is not.
    ("POST", ONE + "/review"): ("200 403 200 403 404", lambda c: {"decision": "approve"}),
    ("POST", ONE + "/reschedule"): (EDIT, lambda c: {"day": "2026-12-01"}),
    ("POST", ONE + "/link"): (
        EDIT,
        lambda c: {
            "destination": "https://shop.example.com/d11",
            "utm_medium": "social",
            "utm_campaign": "d11",
        },
    ),  # fmt: skip
    ("POST", ONE + "/assets"): (EDIT, lambda c: {"file_id": c.get("library_file_id", 1)}),
    ("DELETE", ONE + "/assets/{asset_id}"): (GONE, None),
    ("GET", ONE + "/results"): (READ, None),
    # The piece in review has not gone out: whoever may record gets past the permission
    # check to 409 (tests/content/test_api.py records results of a published one).
    ("POST", ONE + "/results"): ("409 409 409 403 404", lambda c: {"day": "2026-11-12"}),
    ("DELETE", R + "/results/{result_id}"): (GONE, None),
    ("GET", R + "/results"): (READ, None),
    ("GET", R + "/rankings"): (READ, None),
    ("GET", R + "/heatmap"): (READ, None),
    ("GET", R + "/calendar"): (READ, None),
    ("GET", R + "/cadence"): (MEMBERS, None),
    ("POST", R + "/cadence"): (
        MADE,
        lambda c: {"account_id": c.get("account_id", 1), "format": "short_video", "per_week": 2},
    ),
    ("PATCH", R + "/cadence/{cadence_id}"): (EDIT, lambda c: {"per_week": 5}),
    ("DELETE", R + "/cadence/{cadence_id}"): (GONE, None),
}


def _member() -> User | None:
    return User.objects.filter(username="member").first()


def _channel(workspace, name: str = "小红书"):
    from opsloop.channels.actions import ensure_channels
    from opsloop.channels.models import Channel

    ensure_channels(workspace)
    return Channel.objects.get(workspace=workspace, name=name)


def _pieces(owner_ms, project, title: str, reviewers: list[int]) -> dict:
    """An account of its own, a piece in review planned within the hour, a piece that
    went out yesterday with a day's results, a cadence target, a file of the library."""
    from opsloop.channels.models import Account
    from opsloop.content import actions
    from opsloop.content.queries import local_today
    from opsloop.content.schemas import (
        CadenceTargetIn,
        PieceIn,
        PieceResultIn,
        PieceReviewIn,
        PieceStatusIn,
    )
    from opsloop.files import actions as file_actions
    from opsloop.files.queries import Place

    workspace = owner_ms.workspace
    key = project.key if project is not None else "WS"
    account = Account.objects.create(
        workspace=workspace, channel=_channel(workspace), name=f"官方号 {key}"
    )
    now = timezone.now()
    piece = actions.do_create_piece(
        actor=owner_ms,
        data=PieceIn(
            title=f"{title} 笔记",
            project_key=project.key if project is not None else None,
            account_id=account.pk,
            reviewer_ids=reviewers,
            body=f"{title} 正文",
            planned_at=now + dt.timedelta(hours=1),
            tags=["大促"],
        ),
    )
    actions.do_set_status(actor=owner_ms, piece=piece, data=PieceStatusIn(status="writing"))
    actions.do_set_status(actor=owner_ms, piece=piece, data=PieceStatusIn(status="in_review"))
    out = actions.do_create_piece(
        actor=owner_ms,
        data=PieceIn(
            title=f"{title} 已发",
            project_key=project.key if project is not None else None,
            account_id=account.pk,
            reviewer_ids=[owner_ms.user_id],
            format="short_video",
        ),
    )
    actions.do_set_status(actor=owner_ms, piece=out, data=PieceStatusIn(status="writing"))
    actions.do_set_status(actor=owner_ms, piece=out, data=PieceStatusIn(status="in_review"))
    actions.do_review_piece(actor=owner_ms, piece=out, data=PieceReviewIn(decision="approve"))
    actions.do_set_status(
        actor=owner_ms,
        piece=out,
        data=PieceStatusIn(status="published", published_at=now - dt.timedelta(days=1)),
    )
    result = actions.do_record_result(
        actor=owner_ms,
        piece=out,
        data=PieceResultIn(day=local_today(workspace), views=1000, likes=50),
    )
    cadence = actions.do_create_cadence(
        actor=owner_ms, data=CadenceTargetIn(account_id=account.pk, per_week=3)
    )
    context = {
        "piece_id": piece.pk,
        "published_piece_id": out.pk,
        "result_id": result.pk,
        "account_id": account.pk,
        "cadence_id": cadence.pk,
    }
    if project is not None:
        file = file_actions.do_upload_file(
            actor=owner_ms,
            place=Place(project=project),
            content=ContentFile(b"cover"),
            name=f"{title} 封面.png",
        )
        # An asset of the piece: taken off (DELETE), or attached again (POST: no change).
        actions.do_attach_asset(actor=owner_ms, piece=piece, file=file)
        context |= {"library_file_id": file.pk, "asset_id": file.pk}
    return context


def project_context(*, owner_ms, project, item, tag) -> dict:
    member = _member()
    reviewers = [owner_ms.user_id]
    if member is not None and project.visibility == "workspace":
        reviewers.append(member.pk)
    return _pieces(owner_ms, project, tag, reviewers)


P = "/w/acme/content/{content_piece_id}/"
EVERYONE = dict(owner="ok", admin="ok", member="ok", guest="ok", shared_guest="ok", outsider=404)
MEMBER_PAGES = dict(owner="ok", admin="ok", member="ok", guest=403, shared_guest=403, outsider=404)
IN_D11 = dict(owner="ok", admin="ok", member="ok", guest=404, shared_guest="ok", outsider=404)
EDITORS = dict(owner="ok", admin="ok", member="ok", guest=404, shared_guest=403, outsider=404)
PAGE_CASES: list = [
    ("GET", "content_calendar", "/w/acme/content/", EVERYONE),
    ("GET", "content_calendar", "/w/acme/content/?mode=week&group=account&status=in_review&project=D11", EVERYONE),
    ("GET", "content_new", "/w/acme/content/new/", MEMBER_PAGES),
    ("POST", "content_new", "/w/acme/content/new/", MEMBER_PAGES),
    ("POST", "content_preview", "/w/acme/content/preview/",
     dict(owner=200, admin=200, member=200, guest=403, shared_guest=403, outsider=404)),
    ("GET", "content_results", "/w/acme/content/results/", EVERYONE),
    ("GET", "content_results", "/w/acme/content/results/?metric=engagement&project=D11", EVERYONE),
    ("GET", "content_cadence", "/w/acme/content/cadence/", MEMBER_PAGES),
    ("POST", "content_cadence", "/w/acme/content/cadence/", MEMBER_PAGES),
    ("GET", "content_piece", P, IN_D11),
    ("POST", "content_piece", P, EDITORS),
    ("GET", "content_edit", P + "edit/", EDITORS),
    ("POST", "content_edit", P + "edit/", EDITORS),
    # A piece of the whole workspace: members, not guests.
    ("GET", "content_piece", "/w/acme/content/{content_workspace_piece_id}/",
     dict(EVERYONE, guest=404, shared_guest=404)),
    # Its owner (the owner) and admins delete it; last, as it is gone after.
    ("POST", "content_delete", P + "delete/",
     dict(owner="ok", admin="ok", member=403, guest=404, shared_guest=403, outsider=404)),
]  # fmt: skip
PAGE_POST_DATA: dict = {
    "content_new": lambda c: {
        "title": "新品种草",
        "project_key": "D11",
        "channel_id": str(c["content_channel_id"]),
        "format": "article",
        "owner_id": str(c["content_owner_id"]),
    },
    "content_preview": {"body": "**加粗** 正文"},
    "content_cadence": lambda c: {
        "op": "add",
        "account_id": str(c["content_account_id"]),
        "format": "short_video",
        "per_week": "2",
    },
    # In review: an editor sends it back to writing (again, it stays there).
    "content_piece": {"op": "status", "status": "writing"},
    "content_edit": lambda c: {
        "title": "双十一种草笔记（改）",
        "project_key": "D11",
        "channel_id": str(c["content_channel_id"]),
        "account_id": str(c["content_account_id"]),
        "format": "article",
        "owner_id": str(c["content_owner_id"]),
        "tags": "大促, 种草",
        "body": "正文",
    },
}


def page_context(*, owner_ms, project, item) -> dict:
    """A piece of D11 in review, one that went out, and a piece of the workspace."""
    made = _pieces(owner_ms, project, "双十一种草", [owner_ms.user_id])
    whole = _pieces(owner_ms, None, "团队周报", [owner_ms.user_id])
    from opsloop.channels.models import Account

    return {
        "content_piece_id": made["piece_id"],
        "content_workspace_piece_id": whole["piece_id"],
        "content_channel_id": Account.objects.get(pk=made["account_id"]).channel_id,
        "content_account_id": made["account_id"],
        "content_owner_id": owner_ms.user_id,
    }
