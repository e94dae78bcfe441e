"""Ad platforms' daily reports imported into a project's placements: a 巨量引擎 CSV as
Chinese Excel saves it (GB18030), a 腾讯广告 workbook, every platform's headers guessed,
all or nothing with the bad rows named, and the same file imported twice changing
nothing."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest

from opsloop.core.errors import Forbidden, NotFound
from opsloop.core.tables import RowsInvalid, get_importer, guess_mapping, run_import
from opsloop.money.models import PlacementDay
from opsloop.work import actions as work_actions

D = Decimal
OCEAN = "money.ocean_engine"
HEADER = "时间,计划名称,计划ID,消耗,展示数,点击数,点击率,平均点击单价,转化数,转化成本"


def csv_bytes(*lines: str) -> bytes:
    return ("\r\n".join([HEADER, *lines]) + "\r\n").encode("gb18030")


GOOD = csv_bytes(
    '2026-11-02,双十一-信息流-拉新,1790001,"5,000.00","100,000","2,000",2.00%,2.50,40,125.00',
    '2026-11-03,双十一-信息流-拉新,1790001,"4,200.40","80,000","1,500",1.88%,2.80,30,140.01',
    # No ID: matched by name.
    "2026-11-03,双十一-搜索,,300.5,1.2万,240,2.00%,1.25,-,-",
    "合计,-,-,9500.90,192000,3740,1.95%,2.54,70,135.73",
)


def days_of(placement) -> list[tuple]:
    return list(
        PlacementDay.objects.filter(placement=placement)
        .order_by("day")
        .values_list("day", "spend", "impressions", "clicks", "conversions")
    )


def test_a_gb18030_csv_of_ocean_engine(known, owner_ms):
    feed, search = known["feed"], known["search"]
    result = run_import(owner_ms, OCEAN, "d11", "巨量引擎-计划报表-20261103.csv", GOOD)
    assert result.committed and result.written == 3
    assert result.mapping == {
        "day": "时间", "placement": "计划名称", "external_id": "计划ID", "spend": "消耗",
        "impressions": "展示数", "clicks": "点击数", "conversions": "转化数",
    }  # fmt: skip
    assert days_of(feed) == [
        (dt.date(2026, 11, 2), D("5000.00"), 100_000, 2_000, 40),  # replaced: the same
        (dt.date(2026, 11, 3), D("4200.40"), 80_000, 1_500, 30),
        (dt.date(2026, 11, 9), D("7500.50"), 150_000, 2_500, 35),  # not in the file: kept
    ]
    assert days_of(search) == [
        (dt.date(2026, 11, 3), D("300.50"), 12_000, 240, None),
        (dt.date(2026, 11, 12), D("500.00"), 0, 0, None),
    ]


def test_importing_the_same_file_again_updates_and_never_duplicates(known, owner_ms):
    run_import(owner_ms, OCEAN, "D11", "report.csv", GOOD)
    run_import(owner_ms, OCEAN, "D11", "report.csv", GOOD)
    assert PlacementDay.objects.filter(placement__project=known["feed"].project).count() == 5
    corrected = GOOD.replace("4,200.40".encode("gb18030"), "4,300.00".encode("gb18030"))
    run_import(owner_ms, OCEAN, "D11", "report.csv", corrected)
    assert PlacementDay.objects.get(placement=known["feed"], day="2026-11-03").spend == D("4300")
    assert PlacementDay.objects.filter(placement__project=known["feed"].project).count() == 5


def test_three_bad_rows_write_nothing_and_are_named(known, owner_ms):
    before = days_of(known["feed"])
    bad = csv_bytes(
        "2026-11-04,双十一-信息流-拉新,1790001,100,1000,10,,,,",  # line 2: good
        "11月5号,双十一-信息流-拉新,1790001,100,1000,10,,,,",  # line 3: no date
        "2026-11-06,双十一-信息流-拉新,1790001,,1000,10,,,,",  # line 4: no spend
        "2026-11-07,双十一-信息流-拉新,1790001,100,1000,10.5,,,,",  # line 5: half a click
        "2026-11-08,双十一-信息流-拉新,1790001,100,1000,10,,,,",  # line 6: good
    )
    with pytest.raises(RowsInvalid) as refused:
        run_import(owner_ms, OCEAN, "D11", "bad.csv", bad)
    errors = refused.value.data["errors"]
    assert [(e["line"], e["field"]) for e in errors] == [(3, "day"), (4, "spend"), (5, "clicks")]
    assert "3, 4, 5" in refused.value.message and "nothing was written" in refused.value.message
    assert days_of(known["feed"]) == before
    assert not PlacementDay.objects.filter(day__in=["2026-11-04", "2026-11-08"]).exists()


def test_rows_for_no_placement_are_refused_by_line(known, owner_ms):
    unknown = csv_bytes(
        "2026-11-04,双十一-信息流-拉新,1790001,100,1000,10,,,,",
        "2026-11-04,没有这个计划,999,100,1000,10,,,,",
        "2026-11-05,,,100,1000,10,,,,",
    )
    preview = run_import(owner_ms, OCEAN, "D11", "r.csv", unknown, commit=False)
    assert [(e.line, e.field) for e in preview.errors] == [(3, "placement"), (4, "")]
    assert not PlacementDay.objects.filter(day="2026-11-04").exists()
    with pytest.raises(RowsInvalid) as refused:
        run_import(owner_ms, OCEAN, "D11", "r.csv", csv_bytes(
            "2026-11-04,双十一-信息流-拉新,1790001,100,1000,10,,,,",
            "2026-11-04,没有这个计划,999,100,1000,10,,,,",
        ))  # fmt: skip
    assert [e["line"] for e in refused.value.data["errors"]] == [3]
    assert not PlacementDay.objects.filter(day="2026-11-04").exists()


def test_rows_of_one_campaign_and_day_add_up(known, owner_ms):
    """An export broken down by ad: two rows of the same campaign and day are one day."""
    by_ad = csv_bytes(
        "2026-11-04,双十一-信息流-拉新,1790001,100.10,1000,10,,,1,",
        "2026-11-04,双十一-信息流-拉新,1790001,200.20,2000,20,,,,",
    )
    assert run_import(owner_ms, OCEAN, "D11", "r.csv", by_ad).written == 2
    day = PlacementDay.objects.get(placement=known["feed"], day="2026-11-04")
    assert (day.spend, day.impressions, day.clicks, day.conversions) == (D("300.30"), 3000, 30, 1)
    run_import(owner_ms, OCEAN, "D11", "r.csv", by_ad)
    day.refresh_from_db()
    assert day.spend == D("300.30")


def test_an_xlsx_of_tencent_ads(known, owner_ms):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["日期", "推广计划", "推广计划ID", "花费(元)", "曝光次数", "点击次数", "点击率"])
    sheet.append([dt.date(2026, 11, 4), "双十一-信息流-拉新", 1790001, 1234.5, 20000, 300,
                  0.015])  # fmt: skip
    sheet.append(["2026/11/5", "双十一-搜索", None, "¥88", "1,000", "12", "1.2%"])
    out = io.BytesIO()
    book.save(out)
    result = run_import(owner_ms, "money.tencent_ads", "D11", "腾讯广告.xlsx", out.getvalue())
    assert result.written == 2
    assert result.mapping["spend"] == "花费(元)" and result.mapping["external_id"] == "推广计划ID"
    assert PlacementDay.objects.get(placement=known["feed"], day="2026-11-04").spend == D("1234.50")
    assert PlacementDay.objects.get(placement=known["search"], day="2026-11-05").clicks == 12


@pytest.mark.parametrize(
    ("kind", "headers", "expected"),
    [
        (
            "money.ocean_engine",
            ["日期", "广告计划", "广告计划ID", "消耗(元)", "展示数", "点击数", "转化数"],
            {"day": "日期", "placement": "广告计划", "external_id": "广告计划ID",
             "spend": "消耗(元)", "impressions": "展示数", "clicks": "点击数",
             "conversions": "转化数"},
        ),
        (
            "money.tencent_ads",
            ["日期", "广告名称", "花费", "曝光次数", "点击次数", "目标转化量"],
            {"day": "日期", "placement": "广告名称", "spend": "花费", "impressions": "曝光次数",
             "clicks": "点击次数", "conversions": "目标转化量"},
        ),
        (
            "money.xhs_juguang",
            ["时间", "计划名称", "计划ID", "消费", "展现量", "点击量", "点击率", "平均点击成本"],
            {"day": "时间", "placement": "计划名称", "external_id": "计划ID", "spend": "消费",
             "impressions": "展现量", "clicks": "点击量"},
        ),
        (
            "money.baidu",
            ["日期", "账户", "推广计划", "推广计划ID", "展现", "点击", "消费", "点击率",
             "平均点击价格", "转化"],
            {"day": "日期", "placement": "推广计划", "external_id": "推广计划ID", "spend": "消费",
             "impressions": "展现", "clicks": "点击", "conversions": "转化"},
        ),
    ],
)  # fmt: skip
def test_each_platforms_headers_are_guessed(kind, headers, expected):
    assert guess_mapping(get_importer(kind), headers) == expected


def test_who_may_import(known, member_ms, guest_ms, owner_ms, workspace):
    assert run_import(member_ms, OCEAN, "D11", "r.csv", GOOD).written == 3
    with pytest.raises(Forbidden):
        run_import(guest_ms, OCEAN, "D11", "r.csv", GOOD)
    with pytest.raises(NotFound):
        run_import(owner_ms, OCEAN, "NOPE", "r.csv", GOOD)
    from opsloop.work.schemas import ProjectIn

    work_actions.do_create_project(
        actor=owner_ms, data=ProjectIn(name="保密", key="SEC", visibility="private")
    )
    with pytest.raises(NotFound):
        run_import(member_ms, OCEAN, "SEC", "r.csv", GOOD)


def test_an_import_takes_the_same_queries_for_ten_rows_or_two_hundred(
    known, owner_ms, django_assert_max_num_queries
):
    """Days are read and written per placement in bulk, never a query per row."""

    def report(days: int) -> bytes:
        start = dt.date(2026, 10, 1)
        lines = []
        for n in range(days):
            day = (start + dt.timedelta(days=n)).isoformat()
            lines.append(f"{day},双十一-信息流-拉新,1790001,100.5,1000,10,,,,")
            lines.append(f"{day},双十一-搜索,,20,300,3,,,,")
        return csv_bytes(*lines)

    with django_assert_max_num_queries(25):
        assert run_import(owner_ms, OCEAN, "D11", "r.csv", report(5)).written == 10
    with django_assert_max_num_queries(25):
        assert run_import(owner_ms, OCEAN, "D11", "r.csv", report(100)).written == 200
    # 2026-10-01 to 2027-01-08: the two days recorded before (11-02, 11-09) were replaced.
    assert PlacementDay.objects.filter(placement=known["feed"]).count() == 100
