"""Ad platforms' daily reports, imported through opsloop's table import (mapping step,
preview, per-row errors, all or nothing: opsloop/core/tables.py).

One importer per platform (money.ocean_engine, money.tencent_ads, money.xhs_juguang,
money.baidu). They share the row and the write (opsloop/money/actions.py
do_import_placement_days) and differ in the headers their exports use, which the mapping
step guesses from. The target is the project's key; each row goes to the project's
placement with its platform ID (计划ID), else its name. The headers are listed in
docs/money.md#importing-a-platforms-report."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import BaseModel, BeforeValidator, ConfigDict, field_validator, model_validator

from opsloop.core.errors import NotFound
from opsloop.core.models import Membership
from opsloop.core.tables import Column, Count, Day, Importer, Money, Text
from opsloop.money import actions
from opsloop.money.queries import check_sees_money
from opsloop.work.models import Project
from opsloop.work.queries import visible_projects

# What the exports write in the day column of their total row.
TOTAL_WORDS = {"合计", "总计", "汇总", "全部", "total", "sum", "summary"}


def _total_is_none(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() in TOTAL_WORDS:
        return None
    return value


class PlacementDayRow(BaseModel):
    """One row of a platform's daily report: a placement's figures on a day. A total row
    (合计 in the day column) parses with no day and is left out."""

    model_config = ConfigDict(extra="forbid")

    day: Annotated[Day | None, BeforeValidator(_total_is_none)]
    placement: Text = ""
    external_id: Text = ""
    spend: Money
    impressions: Count = 0
    clicks: Count = 0
    conversions: Count | None = None

    @field_validator("spend")
    @classmethod
    def _not_negative(cls, value: Decimal) -> Decimal:
        if value < 0:
            raise ValueError(_("spend below 0"))
        return value

    @model_validator(mode="after")
    def _named(self) -> PlacementDayRow:
        if self.day is not None and not self.placement and not self.external_id:
            raise ValueError(_("neither the placement's name nor its ID"))
        return self


def _project(membership: Membership, target: str) -> Project:
    check_sees_money(membership)
    key = (target or "").strip().upper()
    project = visible_projects(membership).filter(key=key).first() if key else None
    if project is None:
        raise NotFound(_("Project not found."))
    project.workspace = membership.workspace
    return project


def check(membership: Membership, target: str) -> None:
    """Members who see the project (its key is the target)."""
    _project(membership, target)


def write(membership: Membership, target: str, rows: list[tuple[int, Any]]) -> int:
    project = _project(membership, target)
    return actions.do_import_placement_days(actor=membership, project=project, rows=rows)


DAY = ("date", "day", "stat_date", "stat_datetime")
NAME = ("campaign", "campaign_name", "placement")
ID = ("campaign_id",)
SPEND = ("cost", "spend", "stat_cost")
IMPRESSIONS = ("impressions", "show", "show_cnt", "view_count")
CLICKS = ("clicks", "click", "click_cnt", "valid_click_count")
CONVERSIONS = ("conversions", "convert", "convert_cnt", "conversions_count")


def _columns(
    *, day: tuple, name: tuple, external_id: tuple, spend: tuple, impressions: tuple,
    clicks: tuple, conversions: tuple,
) -> tuple[Column, ...]:  # fmt: skip
    return (
        Column("day", gettext_lazy("Day"), (*day, *DAY), required=True),
        Column("placement", gettext_lazy("Placement (campaign) name"), (*name, *NAME)),
        Column("external_id", gettext_lazy("Placement's platform ID"), (*external_id, *ID)),
        Column("spend", gettext_lazy("Spend"), (*spend, *SPEND), required=True),
        Column("impressions", gettext_lazy("Impressions"), (*impressions, *IMPRESSIONS)),
        Column("clicks", gettext_lazy("Clicks"), (*clicks, *CLICKS)),
        Column("conversions", gettext_lazy("Conversions"), (*conversions, *CONVERSIONS)),
    )


def _importer(kind: str, label: Any, help_text: Any, columns: tuple[Column, ...]) -> Importer:
    return Importer(
        kind=f"money.{kind}", label=label, columns=columns, row=PlacementDayRow,
        check=check, write=write, help=help_text,
    )  # fmt: skip


OCEAN_ENGINE = _importer(
    "ocean_engine",
    gettext_lazy("Ocean Engine (巨量引擎) daily report"),
    gettext_lazy(
        "巨量引擎 → 报表 → 广告报表 (by day, at campaign or project level) → 下载 (CSV or Excel)."
    ),
    _columns(
        day=("日期", "时间", "统计日期"),
        name=("计划名称", "广告计划", "广告计划名称", "项目名称", "广告名称"),
        external_id=("计划ID", "广告计划ID", "项目ID", "广告ID"),
        spend=("消耗", "消耗(元)", "总消耗", "花费"),
        impressions=("展示数", "展示量", "展现数"),
        clicks=("点击数", "点击量"),
        conversions=("转化数", "转化量"),
    ),
)
TENCENT_ADS = _importer(
    "tencent_ads",
    gettext_lazy("Tencent Ads (腾讯广告) daily report"),
    gettext_lazy("腾讯广告 → 数据报表 → 推广计划 or 广告 (by day) → 下载报表."),
    _columns(
        day=("日期", "时间"),
        name=("推广计划", "推广计划名称", "计划名称", "广告名称", "广告组名称"),
        external_id=("推广计划ID", "计划ID", "广告ID", "广告组ID"),
        spend=("花费", "花费(元)", "消耗", "消耗(元)"),
        impressions=("曝光次数", "曝光量", "曝光"),
        clicks=("点击次数", "点击量", "点击"),
        conversions=("目标转化量", "转化量", "转化次数", "转化数"),
    ),
)
XHS_JUGUANG = _importer(
    "xhs_juguang",
    gettext_lazy("Xiaohongshu Juguang (小红书聚光) daily report"),
    gettext_lazy("聚光 → 数据报表 → 计划 (分天) → 下载."),
    _columns(
        day=("时间", "日期"),
        name=("计划名称", "计划", "单元名称"),
        external_id=("计划ID", "单元ID"),
        spend=("消费", "消费(元)", "花费", "消耗"),
        impressions=("展现量", "曝光量", "展现"),
        clicks=("点击量", "点击数", "点击"),
        conversions=("转化数", "转化量"),
    ),
)
BAIDU = _importer(
    "baidu",
    gettext_lazy("Baidu (百度营销) daily report"),
    gettext_lazy("百度营销 → 数据报告 → 推广计划报告 (分日) → 下载."),
    _columns(
        day=("日期", "时间"),
        name=("推广计划", "推广计划名称", "计划名称"),
        external_id=("推广计划ID", "计划ID"),
        spend=("消费", "消费(元)", "花费"),
        impressions=("展现", "展现量"),
        clicks=("点击", "点击量"),
        conversions=("转化", "转化(网页)", "网页转化", "转化数"),
    ),
)
IMPORTERS = (OCEAN_ENGINE, TENCENT_ADS, XHS_JUGUANG, BAIDU)
