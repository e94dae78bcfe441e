"""The "content.results" import through the workspace's import step: a platform's export
read into the pieces' results, matched by id, link or title; three bad rows refuse the
file and are each named; the same file twice writes once."""

from __future__ import annotations

import datetime as dt

import pytest

from opsloop.content.models import ContentResult
from opsloop.core.errors import Forbidden
from opsloop.core.tables import RowsInvalid, run_import
from tests.conftest import membership_of
from tests.content.conftest import make_piece, publish

KIND = "content.results"


@pytest.fixture
def out(owner_ms, accounts):
    """Two pieces that went out on 2026-11-05, one with its link; one not out yet."""
    note = make_piece(owner_ms, title="秋冬护肤清单", account_id=accounts["xhs"].pk)
    video = make_piece(owner_ms, title="开箱视频", account_id=accounts["douyin"].pk)
    publish(owner_ms, note, dt.datetime(2026, 11, 5, 20, tzinfo=dt.UTC),
            url="https://www.xiaohongshu.com/explore/65a1")  # fmt: skip
    publish(owner_ms, video, dt.datetime(2026, 11, 5, 12, tzinfo=dt.UTC))
    draft = make_piece(owner_ms, title="还没发", account_id=accounts["xhs"].pk)
    return {"note": note, "video": video, "draft": draft}


def csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


def test_an_export_is_read_into_the_results_and_twice_writes_once(owner_ms, out):
    file = csv(
        "作品标题,笔记链接,日期,阅读量,点赞,评论,收藏,分享,涨粉,完播率",
        '秋冬护肤清单,https://www.xiaohongshu.com/explore/65a1?xsec_token=abc,2026/11/6,"1.2万",320,41,150,12,-3,',
        "开箱视频,,2026年11月6日,8000,200,10,30,5,25,38.5%",
        ",,2026-11-07,9500,230,,,,,40%",
    )
    # The last row names its piece by nothing: it is refused.
    with pytest.raises(RowsInvalid) as caught:
        run_import(owner_ms, KIND, "", "小红书导出.csv", file)
    assert [(e["line"], e["field"]) for e in caught.value.data["errors"]] == [(4, "title")]
    # Named by its opsloop id, the row goes in.
    file = csv(
        "编号,作品标题,笔记链接,日期,阅读量,点赞,评论,收藏,分享,涨粉,完播率",
        ',秋冬护肤清单,https://www.xiaohongshu.com/explore/65a1?xsec_token=abc,2026/11/6,"1.2万",320,41,150,12,-3,',
        ",开箱视频,,2026年11月6日,8000,200,10,30,5,25,38.5%",
        f"{out['video'].pk},,,2026-11-07,9500,230,,,,,40%",
    )
    result = run_import(owner_ms, KIND, "", "小红书导出.csv", file)
    assert (result.written, result.total) == (3, 3)
    note = ContentResult.objects.get(piece=out["note"])
    assert (note.views, note.likes, note.collects, note.followers_gained, note.source) == (
        12000, 320, 150, -3, "import",
    )  # fmt: skip
    latest = ContentResult.objects.filter(piece=out["video"]).order_by("-day").first()
    assert (latest.day, latest.views, str(latest.completion_rate)) == (
        dt.date(2026, 11, 7), 9500, "40.00",
    )  # fmt: skip
    run_import(owner_ms, KIND, "", "小红书导出.csv", file)
    assert ContentResult.objects.count() == 3


def test_three_bad_rows_write_nothing_and_are_each_named(owner_ms, out):
    file = csv(
        "标题,日期,播放量",
        "开箱视频,2026-11-06,100",
        "没有这篇,2026-11-06,100",  # unknown piece
        "还没发,2026-11-06,100",  # not out yet
        "秋冬护肤清单,2026-11-01,100",  # before it went out
    )
    with pytest.raises(RowsInvalid) as caught:
        run_import(owner_ms, KIND, "", "export.csv", file)
    errors = caught.value.data["errors"]
    assert [(e["line"], e["field"]) for e in errors] == [(3, "title"), (4, "day"), (5, "day")]
    assert "lines 3, 4, 5" in caught.value.message
    assert ContentResult.objects.count() == 0
    preview = run_import(owner_ms, KIND, "", "export.csv", file, commit=False)
    assert [e.line for e in preview.errors] == [3, 4, 5] and preview.valid == 4


def test_a_title_two_pieces_share_needs_the_link_or_id(owner_ms, accounts, out):
    twin = make_piece(owner_ms, title="开箱视频", account_id=accounts["xhs"].pk)
    publish(owner_ms, twin, dt.datetime(2026, 11, 5, 12, tzinfo=dt.UTC))
    with pytest.raises(RowsInvalid) as caught:
        run_import(owner_ms, KIND, "", "e.csv", csv("标题,日期,播放量", "开箱视频,2026-11-06,1"))
    assert "2 pieces have this title" in caught.value.data["errors"][0]["message"]


def test_a_project_target_looks_only_in_the_project(owner_ms, accounts, project, out):
    inside = make_piece(
        owner_ms, title="大促预热", account_id=accounts["xhs"].pk, project_key="D11"
    )
    publish(owner_ms, inside, dt.datetime(2026, 11, 5, 12, tzinfo=dt.UTC))
    file = csv("标题,日期,播放量", "大促预热,2026-11-06,10", "开箱视频,2026-11-06,10")
    with pytest.raises(RowsInvalid) as caught:
        run_import(owner_ms, KIND, "D11", "e.csv", file)
    assert [e["line"] for e in caught.value.data["errors"]] == [3]


def test_guests_cannot_import(guest, workspace, out):
    with pytest.raises(Forbidden):
        run_import(
            membership_of(guest, workspace), KIND, "", "e.csv", csv("标题,日期", "a,2026-11-06")
        )
