"""Pages of content: the calendar (pinned in queries), the new and edit forms with the
preview, a piece's review, results and assets, the results page, cadence targets."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from opsloop.content import actions, queries
from opsloop.content.models import CadenceTarget, ContentPiece
from opsloop.content.schemas import CadenceTargetIn, PieceStatusIn
from tests.conftest import PASSWORD
from tests.content.conftest import SHANGHAI, at, make_piece, publish, record


def login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_calendar_shows_pieces_by_lane_with_cadence(
    owner, owner_ms, accounts, django_assert_max_num_queries
):
    xhs = accounts["xhs"]
    actions.do_create_cadence(actor=owner_ms, data=CadenceTargetIn(account_id=xhs.pk, per_week=3))
    monday = queries.local_today(owner_ms.workspace)
    monday -= dt.timedelta(days=monday.weekday())
    pieces = [
        make_piece(owner_ms, account_id=xhs.pk, title=f"笔记{i}",
                   planned_at=dt.datetime.combine(monday + dt.timedelta(days=i), dt.time(20), SHANGHAI))
        for i in range(12)
    ]  # fmt: skip
    twin = make_piece(owner_ms, account_id=xhs.pk, title="同时发的",
                      planned_at=dt.datetime.combine(monday, dt.time(20, 30), SHANGHAI))  # fmt: skip
    client = login(owner)
    with django_assert_max_num_queries(16):
        page = client.get(f"/w/acme/content/?mode=month&date={monday}&group=account")
    body = page.content.decode()
    assert page.status_code == 200
    assert f'data-testid="cc-piece-{pieces[0].pk}"' in body and "笔记11" in body
    assert f'data-testid="cc-cell-a{xhs.pk}-{monday}"' in body
    assert 'class="cc-target met"' in body  # seven a week planned against three
    assert f'data-testid="cc-piece-{twin.pk}"' in body
    assert f'class="cc-piece status-idea clash-hour" href="/w/acme/content/{twin.pk}/"' in body
    assert "within an hour on one account: <a" in body and ">同时发的</a>" in body
    week = client.get(f"/w/acme/content/?mode=week&date={monday}")
    assert week.status_code == 200 and "笔记6" in week.content.decode()
    assert "笔记7" not in week.content.decode()
    assert client.get("/w/acme/content/?date=not-a-day").status_code == 400


def test_guests_read_the_calendar_without_dragging(guest, owner_ms, project, accounts):
    from opsloop.work import actions as work_actions

    work_actions.do_add_project_member(actor=owner_ms, project=project, user_id=guest.pk)
    make_piece(owner_ms, account_id=accounts["xhs"].pk, project_key="D11",
               planned_at=dt.datetime.now(dt.UTC))  # fmt: skip
    body = login(guest).get("/w/acme/content/").content.decode()
    assert "data-readonly" in body and "双十一种草笔记" in body
    assert 'data-testid="tab-cadence"' not in body and 'draggable="true"' not in body


def test_new_and_edit_forms(owner, member, owner_ms, accounts, channels, project):
    client = login(owner)
    assert client.get("/w/acme/content/new/?day=2026-11-05").status_code == 200
    made = client.post(
        "/w/acme/content/new/",
        {
            "title": "双十一护肤清单",
            "project_key": "D11",
            "channel_id": str(channels["小红书"].pk),
            "account_id": str(accounts["xhs"].pk),
            "format": "article",
            "owner_id": str(owner.pk),
            "reviewer_ids": [str(member.pk)],
            "also_on_ids": [str(channels["微博"].pk)],
            "tags": "护肤，双十一 #大促",
            "planned_at": "2026-11-05T20:00",
            "body": "正文",
        },
    )
    assert made.status_code == 302
    piece = ContentPiece.objects.get(title="双十一护肤清单")
    assert piece.tags == ["护肤", "双十一", "大促"]
    assert piece.planned_at == at("2026-11-05 20:00")
    assert [u.pk for u in piece.reviewers.all()] == [member.pk]
    assert [c.name for c in piece.also_on.all()] == ["微博"]
    bad = client.post("/w/acme/content/new/", {"title": "", "channel_id": ""})
    assert bad.status_code == 400 and 'data-testid="error"' in bad.content.decode()
    edited = client.post(
        f"/w/acme/content/{piece.pk}/edit/",
        {"title": "护肤清单（终版）", "channel_id": str(channels["小红书"].pk),
         "account_id": str(accounts["xhs"].pk), "format": "short_video", "owner_id": str(owner.pk),
         "project_key": "D11", "planned_at": "2026-11-06T09:30", "tags": "护肤", "body": "# 标题"},
    )  # fmt: skip
    assert edited.status_code == 302
    piece.refresh_from_db()
    assert (piece.title, piece.format, piece.tags) == ("护肤清单（终版）", "short_video", ["护肤"])
    assert piece.planned_at == at("2026-11-06 09:30") and "<h1>标题</h1>" in piece.body_html
    # The reviewers' list was left empty in the form: nobody reviews it now.
    assert not piece.reviewers.exists()


def test_the_preview_is_sanitized_markdown(owner, owner_ms):
    answer = login(owner).post(
        "/w/acme/content/preview/", {"body": "**好物** <script>alert(1)</script>"}
    )
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "<strong>好物</strong>" in html and "<script>" not in html


def test_a_piece_page_reviews_records_results_and_takes_assets(
    owner, member, owner_ms, member_ms, accounts, project
):
    piece = make_piece(owner_ms, account_id=accounts["xhs"].pk, project_key="D11",
                       reviewer_ids=[member.pk])  # fmt: skip
    url = f"/w/acme/content/{piece.pk}/"
    owner_client, reviewer = login(owner), login(member)
    assert owner_client.post(url, {"op": "status", "status": "writing"}).status_code == 302
    assert owner_client.post(url, {"op": "status", "status": "in_review"}).status_code == 302
    page = reviewer.get(url).content.decode()
    assert 'data-testid="review-form"' in page
    # The owner is no reviewer: the review is refused.
    assert owner_client.post(url, {"op": "review", "decision": "approve"}).status_code == 403
    done = reviewer.post(url, {"op": "review", "decision": "approve", "note": "好"})
    assert done.status_code == 302
    piece.refresh_from_db()
    assert piece.status == "approved"
    assert owner_client.post(url, {"op": "status", "status": "published",
                                   "published_url": "https://x.example.com/p/1"}).status_code == 302  # fmt: skip
    today = queries.local_today(owner_ms.workspace)
    recorded = owner_client.post(
        url, {"op": "result", "day": today.isoformat(), "views": "1,200", "likes": "30"}
    )
    assert recorded.status_code == 302
    assert queries.latest_results([piece.pk])[piece.pk].views == 1200
    uploaded = owner_client.post(
        url, {"op": "upload", "file": SimpleUploadedFile("封面.png", b"\x89PNG")}
    )
    assert uploaded.status_code == 302
    assert [f.name for f in piece.assets.all()] == ["封面.png"]
    page = owner_client.get(url).content.decode()
    assert "封面.png" in page and 'data-testid="result-row"' in page
    bad = owner_client.post(url, {"op": "result", "day": "2099-01-01", "views": "1"})
    assert bad.status_code == 400


def test_the_results_page_ranks_and_finds_the_best_time(
    owner, owner_ms, accounts, django_assert_max_num_queries
):
    monday = queries.local_today(owner_ms.workspace)
    monday -= dt.timedelta(days=monday.weekday() + 7)
    for i, hour in enumerate((9, 20, 20)):
        piece = make_piece(owner_ms, account_id=accounts["xhs" if i else "douyin"].pk,
                           title=f"作品{i}", tags=["护肤"])  # fmt: skip
        publish(owner_ms, piece, dt.datetime.combine(monday, dt.time(hour), SHANGHAI))
        record(owner_ms, piece, monday.isoformat(), views=100 * (i + 1), likes=10)
    client = login(owner)
    with django_assert_max_num_queries(12):
        page = client.get("/w/acme/content/results/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Best: Monday 20:00" in body
    assert 'data-testid="ranking-topic"' in body and "作品2" in body


def test_cadence_page(owner, owner_ms, accounts, guest):
    client = login(owner)
    added = client.post("/w/acme/content/cadence/",
                        {"op": "add", "account_id": accounts["oa"].pk, "format": "", "per_week": "2"})  # fmt: skip
    assert added.status_code == 302
    target = CadenceTarget.objects.get(account=accounts["oa"])
    client.post(
        "/w/acme/content/cadence/", {"op": "update", "cadence_id": target.pk, "per_week": "5"}
    )
    assert CadenceTarget.objects.get(pk=target.pk).per_week == 5
    again = client.post("/w/acme/content/cadence/",
                        {"op": "add", "account_id": accounts["oa"].pk, "format": "", "per_week": "1"})  # fmt: skip
    assert again.status_code == 409
    client.post("/w/acme/content/cadence/", {"op": "delete", "cadence_id": target.pk})
    assert not CadenceTarget.objects.exists()
    assert login(guest).get("/w/acme/content/cadence/").status_code == 403


def test_deleting_a_piece_returns_to_the_calendar(owner, owner_ms, accounts):
    piece = make_piece(owner_ms, account_id=accounts["xhs"].pk)
    actions.do_set_status(actor=owner_ms, piece=piece, data=PieceStatusIn(status="writing"))
    answer = login(owner).post(f"/w/acme/content/{piece.pk}/delete/")
    assert answer.status_code == 302 and answer["Location"] == "/w/acme/content/"
    assert not ContentPiece.objects.filter(pk=piece.pk).exists()
