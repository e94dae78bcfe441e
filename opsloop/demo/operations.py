"""The demo team's operations: its accounts and their followers, UTM naming rules and
tracked links, partners with their rate cards and cooperations, content pieces with their
results, the budget and ad placements of 双十一 and of the always-on ads, the conversion
that results count, and the project templates.

Plain records first, then `load_operations`, which makes them through the actions (as
opsloop/demo/loader.py does the rest). Dates are day offsets from the day of loading.

The ad placements' daily figures are drawn from a generator of their own (seeded), so the
rest of the demo stays what it was. Their spend is set against the demo's events: those
put Double 11 on the calendar's 11-11 (opsloop/events/generate.py), tag the first visits
of its 15 days with utm_campaign double11_presale, and the others with always_on. So the
D11 placements spend most in those 15 days, and D11's CAC is about ¥40-¥55 a new user
when the campaign's days hold them (loaded from November to mid-December); loaded in
another season, the campaign's days hold no presale visits and its CAC is unknown."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from opsloop.blueprints.actions import seed_demo_templates
from opsloop.channels import actions as channel_actions
from opsloop.channels.models import Account, Channel
from opsloop.channels.schemas import ChannelAccountIn, ChannelIn, LinkIn, UtmValueIn
from opsloop.content import actions as content_actions
from opsloop.content.models import ContentPiece
from opsloop.content.schemas import (
    CadenceTargetIn,
    PieceIn,
    PieceLinkIn,
    PieceResultIn,
    PieceReviewIn,
    PieceStatusIn,
)
from opsloop.core.models import Membership
from opsloop.events.generate import spike_in
from opsloop.money import actions as money_actions
from opsloop.money.models import BudgetLine
from opsloop.money.results_actions import do_set_conversion
from opsloop.money.results_schemas import ConversionIn
from opsloop.money.schemas import (
    BudgetLineIn,
    BudgetWatchIn,
    PlacementDayIn,
    PlacementIn,
    SpendEntryIn,
)
from opsloop.partners import actions as partner_actions
from opsloop.partners.models import Cooperation, Partner, RateItem
from opsloop.partners.schemas import (
    AccountIn,
    ContactIn,
    CooperationIn,
    InteractionIn,
    PartnerIn,
    PriceChangeIn,
    RateItemIn,
)
from opsloop.work.models import Item, Project

SEED = 20261111
SITE = "https://m.jingxuan.example"

# A channel the seeded ones lack: the events' utm_source baidu is bought on 百度.
EXTRA_CHANNELS = [("百度", "other", "baidu", "#2932e1")]

# The team's own accounts: name, channel, handle, owner, followers ~8 weeks ago and today
# (公众号 and 小红书 in line with the manual KPIs 公众号粉丝 and 小红书粉丝).
ACCOUNTS = [
    ("鲸选 公众号", "微信公众号", "jingxuan_daily", "amy", 45_300, 56_100),
    ("鲸选 小红书", "小红书", "jingxuan", "amy", 12_040, 14_140),
    ("鲸选 抖音", "抖音", "jingxuan_video", "mia", 86_300, 98_700),
    ("鲸选 视频号", "视频号", "jingxuan_channels", "mia", 8_200, 11_600),
    ("鲸选 B站", "B站", "jingxuan_bili", "mia", 20_900, 23_500),
]
FOLLOWER_WEEKS = 8  # weekly counts over the last 8 weeks, today's included

# The naming rules: the values links may use (the events' own among them).
UTM_VALUES = [
    ("utm_medium", "cpc", "竞价广告（信息流、搜索）"),
    ("utm_medium", "social", "社交媒体（自有账号）"),
    ("utm_medium", "kol", "达人合作"),
    ("utm_medium", "video", "短视频"),
    ("utm_medium", "push", "App 推送"),
    ("utm_medium", "sms", "短信"),
    ("utm_campaign", "double11_presale", "双11 预售"),
    ("utm_campaign", "double11_sale", "双11 正式开售"),
    ("utm_campaign", "always_on", "日常投放"),
]

# D11's tracked links: key, name, channel, medium, who made it.
LINKS = [
    ("xhs_kol", "双11 主会场 · 小红书达人笔记", "小红书", "kol", "kevin"),
    ("douyin_kol", "双11 主会场 · 抖音达人视频", "抖音", "kol", "kevin"),
    ("douyin_ads", "双11 主会场 · 巨量引擎信息流", "抖音", "cpc", "leo"),
    ("wechat_menu", "双11 预售 · 公众号菜单栏", "微信公众号", "social", "amy"),
]

# Partners. An account: channel, name, handle, followers ~8 weeks ago and today. A rate
# item: format, channel, unit, first price, its day, later changes (price, day, note). An
# interaction: day, kind, note, follow-up day. Cooperations are in COOPERATIONS.
PARTNERS = [
    {
        "name": "小美的美妆日记",
        "kind": "kol",
        "tags": ["美妆", "小红书", "腰部达人"],
        "rating": 5,
        "owner": "amy",
        "notes": "小红书美妆博主，粉丝以 18–28 岁女性为主。报价含一次修改，不含二次授权；"
        "需提前 10 天约档期。",
        "contacts": [("王蕾", "经纪人", "wanglei_mcn", "")],
        "accounts": [("小红书", "小美的美妆日记", "xiaomei_beauty", 301_000, 326_000)],
        "rates": [
            (
                "小红书图文",
                "小红书",
                "篇",
                "5000",
                -120,
                [("6500", -40, "粉丝破 30 万，11 月起图文涨价；已下单的按原价")],
            ),
            ("小红书视频", "小红书", "条", "8000", -120, []),
        ],
        "interactions": [
            (-52, "wechat", "询价：双11 预热笔记 1 篇，报价 5,000 元，档期 10 天后。", None),
            (-41, "call", "经纪人通知：11 月起图文涨到 6,500 元，已下单的按原价结算。", None),
            (-3, "wechat", "聊返场笔记档期，对方周二前答复。", 2),
        ],
    },
    {
        "name": "阿杰测评",
        "kind": "kol",
        "tags": ["数码", "测评", "抖音"],
        "rating": 4,
        "owner": "leo",
        "notes": "抖音数码测评达人，口播节奏快，带货转化稳定。定金 50%，发布后 7 天内结尾款。",
        "contacts": [("阿杰", "本人", "ajie_review", "")],
        "accounts": [("抖音", "阿杰测评", "ajie_review", 548_000, 571_000)],
        "rates": [
            ("抖音 60 s 视频", "抖音", "条", "8000", -150, []),
            ("抖音直播专场", "抖音", "场", "30000", -150, []),
        ],
        "interactions": [
            (-24, "meeting", "线上会：测评清单 8 款数码好物，60 s 口播，挂主会场链接。", None),
            (-9, "wechat", "视频已发布，三天后回收数据。", None),
        ],
    },
    {
        "name": "一只小鹿",
        "kind": "koc",
        "tags": ["家居", "生活方式"],
        "rating": 4,
        "owner": "amy",
        "notes": "家居收纳 KOC，评论区互动好，适合铺量。",
        "contacts": [("小鹿", "本人", "xiaolu_home", "")],
        "accounts": [("小红书", "一只小鹿", "xiaolu_home", 18_600, 21_400)],
        "rates": [("小红书图文", "小红书", "篇", "1200", -90, [])],
        "interactions": [(-7, "wechat", "约 3 篇家居收纳笔记，双11 开售前发布。", None)],
    },
    {
        "name": "新消费日报",
        "kind": "media",
        "tags": ["媒体", "公众号", "新消费"],
        "rating": 3,
        "owner": "lead",
        "notes": "新消费赛道公众号，读者以品牌从业者为主，适合做品牌专访。",
        "contacts": [("陈编辑", "商务合作", "", "bd@xinxiaofei.example")],
        "accounts": [("微信公众号", "新消费日报", "xinxiaofei_daily", 420_000, 428_000)],
        "rates": [
            ("公众号头条", "微信公众号", "篇", "18000", -200, []),
            ("公众号次条", "微信公众号", "篇", "8000", -200, []),
        ],
        "interactions": [(-15, "email", "发去双11 品牌专访提纲，约下周采访。", None)],
    },
    {
        "name": "星河传媒",
        "kind": "agency",
        "tags": ["代理商", "KOL 投放"],
        "rating": 4,
        "owner": "lead",
        "contract_ends": 75,
        "notes": "双11 的 KOL 投放执行代理，对接人何佳（已加入双十一大促项目）。",
        "contacts": [("何佳", "客户经理", "hejia_xinghe", "hejia@xinghe.example")],
        "accounts": [],
        "rates": [("KOL 投放执行服务", None, "月", "15000", -180, [])],
        "interactions": [
            (-40, "meeting", "双11 KOL 执行方案评审：30 篇笔记 + 3 场直播，按月结服务费。", None)
        ],
    },
]


@dataclass(frozen=True)
class Coop:
    """A cooperation for D11: booked (and going out) on day offsets, with its results."""

    partner: str
    title: str
    rate: str
    booked: int
    publish: int | None
    status: str
    paid: str = "0"
    quantity: int = 1
    pieces: tuple[str, ...] = ()
    results: tuple[int, int, int, int, str] | None = None  # reach, clicks, users, conv, revenue
    paid_on: int | None = None  # the spend entry of what was paid


COOPERATIONS = [
    # Booked before the price rise: it keeps 5,000.
    Coop("小美的美妆日记", "双11 预热种草笔记", "小红书图文", -50, -25, "paid", "5000",
         pieces=("小美的美妆日记｜双11 早鸟囤货清单",),
         results=(152_000, 3_800, 260, 41, "8600"), paid_on=-22),
    # Booked after it: 6,500.
    Coop("小美的美妆日记", "双11 预售攻略笔记", "小红书图文", -30, -12, "paid", "6500",
         pieces=("小美的美妆日记｜预售必买的 6 支口红",),
         results=(198_000, 5_100, 340, 63, "14200"), paid_on=-9),
    Coop("阿杰测评", "双11 数码好物测评视频", "抖音 60 s 视频", -22, -9, "delivered", "4000",
         pieces=("阿杰测评｜双11 数码好物 8 款实测",),
         results=(412_000, 6_900, 380, 52, "15800"), paid_on=-20),
    Coop("一只小鹿", "家居收纳好物笔记 ×3", "小红书图文", -6, 4, "booked", quantity=3),
    Coop("新消费日报", "双11 品牌专访（次条）", "公众号次条", -14, 5, "booked"),
    Coop("星河传媒", "双11 KOL 执行服务（10–11 月）", "KOL 投放执行服务", -40, None, "booked",
         quantity=2),
]  # fmt: skip


@dataclass(frozen=True)
class Piece:
    """A content piece: where, who, and how far along. `day`: when it went out
    (published), or its planned day (scheduled, in review)."""

    title: str
    project: str
    account: str  # an account's name: the team's own, or a partner's
    owner: str
    reviewers: str = ""
    status: str = "idea"
    day: int | None = None
    hour: int = 20
    format: str = "article"
    item: str = ""  # the work item that carries it, by title
    tags: tuple[str, ...] = ()
    link: str = ""  # a key of LINKS
    asked_changes: str = ""  # a review that sent it back to writing first


OA, XHS, DY, BILI, SPH = "鲸选 公众号", "鲸选 小红书", "鲸选 抖音", "鲸选 B站", "鲸选 视频号"
V = "short_video"
PIECES = [
    # 公众号: two a week.
    Piece("粉丝问答第 12 期", "CNT", OA, "amy", "lead", "published", -19,
          item="公众号｜粉丝问答第 12 期", tags=("粉丝互动",)),
    Piece("秋冬护肤三步法：先修护再保湿", "CNT", OA, "amy", "lead", "published", -16,
          tags=("护肤",)),
    Piece("11 月新品速递：这 8 件值得等", "CNT", OA, "amy", "lead", "published", -12,
          tags=("新品",)),
    Piece("一周好物｜办公室暖手神器", "CNT", OA, "amy", "lead", "published", -5, tags=("好物",)),
    Piece("品牌故事：一位云南咖啡农的十年", "CNT", OA, "amy", "lead", "in_review", 6,
          item="公众号｜品牌故事：一位云南咖啡农", tags=("品牌故事",)),
    Piece("「双十一怎么买最划算」攻略长文", "CNT", OA, "amy", "lead", "scheduled", 3, hour=21,
          item="公众号｜「双十一怎么买最划算」攻略长文", tags=("双11", "攻略")),
    Piece("年度好物榜单（上）", "CNT", OA, "amy", status="writing",
          item="公众号｜年度好物榜单（上）", tags=("年度榜单",)),
    Piece("冬季护肤避坑指南", "CNT", OA, "amy", item="公众号｜冬季护肤避坑指南", tags=("护肤",)),
    # 小红书: three a week.
    Piece("秋冬穿搭合集①：通勤篇", "CNT", XHS, "mia", "amy", "published", -26, hour=12,
          item="小红书｜秋冬穿搭合集 ×6", tags=("穿搭",)),
    Piece("秋冬穿搭合集②：周末篇", "CNT", XHS, "mia", "amy", "published", -23, hour=12,
          tags=("穿搭",)),
    Piece("秋冬穿搭合集③：约会篇", "CNT", XHS, "mia", "amy", "published", -20, hour=12,
          tags=("穿搭",)),
    Piece("打工人早餐①：5 分钟燕麦杯", "CNT", XHS, "mia", "amy", "published", -15, hour=8,
          item="小红书｜「打工人早餐」系列 5 篇", tags=("打工人早餐",)),
    Piece("打工人早餐②：三明治自由", "CNT", XHS, "mia", "amy", "published", -11, hour=8,
          tags=("打工人早餐",)),
    Piece("宿舍也能用的 10 件小家电", "CNT", XHS, "mia", "amy", "published", -8, hour=12,
          tags=("好物",)),
    Piece("打工人早餐③：电饭煲饭团", "CNT", XHS, "mia", "amy", "published", -4, hour=8,
          tags=("打工人早餐",)),
    Piece("平价好物测评：十款保温杯", "CNT", XHS, "mia", "amy", "in_review", 4, hour=12,
          item="小红书｜平价好物测评：十款保温杯", tags=("测评",)),
    Piece("打工人早餐④：周末 brunch", "CNT", XHS, "mia", "amy", "scheduled", 2, hour=8,
          tags=("打工人早餐",)),
    Piece("冬日围巾的 5 种系法", "CNT", XHS, "mia", "amy", "scheduled", 5, hour=12,
          tags=("穿搭",)),
    Piece("宿舍收纳改造 before / after", "CNT", XHS, "mia", tags=("收纳",)),
    # 抖音: three a week.
    Piece("开箱｜双11 预热好物 第 1 期", "CNT", DY, "mia", "amy", "published", -13, hour=18,
          format=V, item="抖音｜开箱短视频 ×10（大促预热）", tags=("开箱", "双11")),
    Piece("开箱｜双11 预热好物 第 2 期", "CNT", DY, "mia", "amy", "published", -10, hour=18,
          format=V, tags=("开箱", "双11")),
    Piece("开箱｜双11 预热好物 第 3 期", "CNT", DY, "mia", "amy", "published", -6, hour=18,
          format=V, tags=("开箱", "双11")),
    Piece("开箱｜双11 预热好物 第 4 期", "CNT", DY, "mia", "amy", "published", -3, hour=18,
          format=V, tags=("开箱", "双11")),
    Piece("剧情｜省钱的男朋友 第 1 集", "CNT", DY, "mia", "lead", "in_review", 7, hour=19,
          format=V, item="抖音｜剧情短视频脚本「省钱的男朋友」", tags=("剧情",),
          asked_changes="开头 3 秒再抓人一点，口播里的「全网最低」要改（广告法）。"),
    Piece("开箱｜双11 预热好物 第 5 期", "CNT", DY, "mia", "amy", "scheduled", 1, hour=18,
          format=V, tags=("开箱", "双11")),
    # B站 and 视频号.
    Piece("年度视频预告：一年用下来真值的东西", "CNT", BILI, "mia", "amy", "published", -17,
          hour=19, format=V, tags=("年度",)),
    Piece("一年用下来，这些东西真值（正片）", "CNT", BILI, "mia", status="writing", format=V,
          item="B站｜「一年用下来，这些东西真值」年度视频", tags=("年度",)),
    Piece("视频号试运营：第一条口播", "CNT", SPH, "mia", format=V, item="视频号试运营 4 周"),
    # 双十一: the team's own, and the partners' notes and videos.
    Piece("双11 预售开启：定金膨胀全攻略", "D11", OA, "kevin", "lead", "published", -9, hour=20,
          item="预售定金膨胀玩法说明文案", tags=("双11", "预售")),
    Piece("双11 主会场倒计时海报 ×3", "D11", OA, "kevin", "lead", "in_review", 8,
          format="poster", item="主会场 KV 与视觉规范", tags=("双11",)),
    Piece("双11 开售提醒：0 点抢券", "D11", OA, "kevin", "lead", "scheduled", 9, hour=20,
          tags=("双11",)),
    Piece("小美的美妆日记｜双11 早鸟囤货清单", "D11", "小美的美妆日记", "amy", "kevin",
          "published", -25, hour=19, item="小红书 KOL 种草：30 篇笔记", link="xhs_kol",
          tags=("双11", "KOL")),
    Piece("小美的美妆日记｜预售必买的 6 支口红", "D11", "小美的美妆日记", "amy", "kevin",
          "published", -12, hour=19, link="xhs_kol", tags=("双11", "KOL")),
    Piece("阿杰测评｜双11 数码好物 8 款实测", "D11", "阿杰测评", "leo", "kevin", "published",
          -9, hour=18, format=V, link="douyin_kol", tags=("双11", "KOL")),
]  # fmt: skip
# A piece that makes its own tracked link (utm_content piece-<id>) before it goes out.
LINKED_PIECE = ("双11 开售提醒：0 点抢券", "social", "double11_presale")

# Views of a piece on the platform (low, high), and the shares of them that like, comment,
# share, collect, follow and click, by the channel's name.
REACH = {
    "微信公众号": ((2_500, 9_000), (0.025, 0.004, 0.012, 0.010, 0.006, 0.015)),
    "小红书": ((4_000, 30_000), (0.050, 0.006, 0.004, 0.030, 0.008, 0.008)),
    "抖音": ((15_000, 120_000), (0.035, 0.003, 0.006, 0.010, 0.005, 0.004)),
    "B站": ((8_000, 50_000), (0.060, 0.008, 0.006, 0.040, 0.010, 0.003)),
    "视频号": ((3_000, 15_000), (0.030, 0.003, 0.015, 0.005, 0.004, 0.004)),
}
CADENCES = [(XHS, "", 3), (OA, "", 2), (DY, "short_video", 3)]

# Budget lines: name, category, channel, planned (D11's sum to its budget of 500,000).
D11_LINES = [
    ("巨量引擎信息流（抖音）", "ads", "抖音", "200000"),
    ("小红书聚光", "ads", "小红书", "80000"),
    ("KOL 达人合作", "kol", "小红书", "120000"),
    ("用户券补贴", "coupons", None, "60000"),
    ("物料与视频制作", "production", None, "40000"),
]
# Spend entries beside the KOL fees (from COOPERATIONS): line, day, amount, note.
D11_SPEND = [
    ("用户券补贴", -5, "2000", "预售定金膨胀券核销（首周）"),
    ("物料与视频制作", -18, "2500", "主会场 KV 拍摄与修图"),
]


@dataclass(frozen=True)
class Ad:
    """An ad placement: platform, channel, UTM values, its line and link, and its daily
    figures: spend a day (CNY), cost per thousand impressions, click rate, and the share
    of clicks the platform counts as conversions."""

    project: str
    name: str
    platform: str
    channel: str
    source: str
    campaign: str
    external_id: str
    daily: int
    cpm: int
    ctr: float
    cvr: float
    line: str | None = None
    link: str = ""


ADS = [
    Ad("D11", "双11 预售 · 巨量引擎信息流", "ocean_engine", "抖音", "douyin", "double11_presale",
       "1782345678901", 420, 42, 0.018, 0.045, line="巨量引擎信息流（抖音）", link="douyin_ads"),
    Ad("D11", "双11 预售 · 小红书聚光", "xhs_juguang", "小红书", "xiaohongshu",
       "double11_presale", "6523001", 300, 85, 0.032, 0.030, line="小红书聚光"),
    Ad("ADS", "日常拉新 · 巨量引擎", "ocean_engine", "抖音", "douyin", "always_on",
       "1779988776655", 300, 38, 0.016, 0.040),
    Ad("ADS", "日常拉新 · 百度搜索", "baidu", "百度", "baidu", "always_on", "88812345",
       150, 160, 0.052, 0.060),
]  # fmt: skip
# How much of its daily spend a D11 placement spends on a day, by where the day falls
# against the events' Double 11 (its presale: the 14 days before it).
PRESALE_DAYS = 14
WARM_UP, PRESALE, SALE_DAY, AFTER = 0.4, 1.0, 2.5, 0.15


def load_operations(
    *,
    today: date,
    members: dict[str, Membership],
    projects: dict[str, Project],
    items: dict[str, Item],
    event_days: int,
) -> None:
    """Make the records above in the demo workspace, in this order (each part uses the
    ones before it)."""
    _Operations(today, members, projects, items, event_days).load()


class _Operations:
    """One load of the records above, with what each part made kept for the next."""

    def __init__(
        self,
        today: date,
        members: dict[str, Membership],
        projects: dict[str, Project],
        items: dict[str, Item],
        event_days: int,
    ) -> None:
        self.today = today
        self.members = members
        self.projects = projects
        self.items = items
        self.rng = random.Random(SEED)  # noqa: S311 (repeatable demo data, not secrets)
        yesterday = today - timedelta(days=1)
        # The Double 11 of the demo's events (events end yesterday), if they hold one.
        self.spike = spike_in(yesterday - timedelta(days=event_days - 1), yesterday)
        self.lead = members["lead"]
        self.workspace = self.lead.workspace
        self.channels: dict[str, Channel] = {}
        self.accounts: dict[str, Account] = {}
        self.links: dict[str, int] = {}
        self.partners: dict[str, Partner] = {}
        self.rates: dict[tuple[str, str], RateItem] = {}
        self.pieces: dict[str, ContentPiece] = {}
        self.cooperations: dict[str, Cooperation] = {}
        self.lines: dict[str, BudgetLine] = {}

    def day(self, offset: int) -> date:
        return self.today + timedelta(days=offset)

    def load(self) -> None:
        self._channels()
        self._naming_rules()
        do_set_conversion(
            actor=self.lead,
            data=ConversionIn(event="order_paid", revenue_property="amount", window_days=30),
        )
        self._partners()
        self._pieces()
        self._cooperations()
        self._budget()
        self._placements()
        # The always-on ads' budget is watched: its KPI alerts on overspend.
        money_actions.do_watch_budget(
            actor=self.members["leo"],
            project=self.projects["ADS"],
            data=BudgetWatchIn(members_may_see=True),
        )
        seed_demo_templates(self.lead)

    # --- channels, accounts, naming rules, links

    def _channels(self) -> None:
        channel_actions.ensure_channels(self.workspace)
        for name, platform, source, color in EXTRA_CHANNELS:
            channel_actions.do_create_channel(
                actor=self.lead,
                data=ChannelIn(name=name, platform=platform, utm_source=source, color=color),
            )
        self.channels = {c.name: c for c in Channel.objects.filter(workspace=self.workspace)}
        for name, channel, handle, owner, first, last in ACCOUNTS:
            actor = self.members[owner]
            account = channel_actions.do_create_account(
                actor=actor,
                data=ChannelAccountIn(
                    channel_id=self.channels[channel].pk,
                    name=name,
                    handle=handle,
                    owner_id=actor.user_id,
                ),
            )
            self._followers(actor, account, first, last)
            self.accounts[name] = account

    def _followers(self, actor: Membership, account: Account, first: int, last: int) -> None:
        """A count a week, rising from first to last by uneven steps."""
        steps = [self.rng.uniform(0.6, 1.4) for _ in range(FOLLOWER_WEEKS - 1)]
        total = sum(steps)
        counts, reached = [], 0.0
        for week in range(FOLLOWER_WEEKS):
            if week:
                reached += steps[week - 1]
            day = self.day(-7 * (FOLLOWER_WEEKS - 1 - week))
            counts.append((day, round(first + (last - first) * reached / total)))
        channel_actions.do_record_followers(actor=actor, account=account, counts=counts)

    def _naming_rules(self) -> None:
        for field, value, label in UTM_VALUES:
            channel_actions.do_add_utm_value(
                actor=self.lead, data=UtmValueIn(field=field, value=value, label=label)
            )
        for key, name, channel, medium, who in LINKS:
            link = channel_actions.do_create_link(
                actor=self.members[who],
                data=LinkIn(
                    destination=f"{SITE}/d11",
                    name=name,
                    utm_medium=medium,
                    utm_campaign="double11_presale",
                    project_key="D11",
                    channel_id=self.channels[channel].pk,
                ),
            )
            self.links[key] = link.pk

    # --- partners

    def _partners(self) -> None:
        for spec in PARTNERS:
            owner = self.members[spec["owner"]]
            ends = spec.get("contract_ends")
            partner = partner_actions.do_create_partner(
                actor=owner,
                data=PartnerIn(
                    name=spec["name"],
                    kind=spec["kind"],
                    tags=spec["tags"],
                    rating=spec["rating"],
                    notes=spec["notes"],
                    owner_id=owner.user_id,
                    contract_ends_on=self.day(ends) if ends is not None else None,
                ),
            )
            self.partners[partner.name] = partner
            for name, role, wechat, email in spec["contacts"]:
                partner_actions.do_add_contact(
                    actor=owner,
                    partner=partner,
                    data=ContactIn(name=name, role=role, wechat=wechat, email=email),
                )
            for channel, name, handle, first, last in spec["accounts"]:
                account = partner_actions.do_link_account(
                    actor=owner,
                    partner=partner,
                    data=AccountIn(channel_id=self.channels[channel].pk, name=name, handle=handle),
                )
                self._followers(owner, account, first, last)
                self.accounts[name] = account
            for fmt, channel, unit, price, since, changes in spec["rates"]:
                item = partner_actions.do_create_rate_item(
                    actor=owner,
                    partner=partner,
                    data=RateItemIn(
                        format=fmt,
                        channel_id=self.channels[channel].pk if channel else None,
                        unit=unit,
                        price=Decimal(price),
                        effective_on=self.day(since),
                    ),
                )
                for new, on, note in changes:
                    partner_actions.do_change_price(
                        actor=owner,
                        item=item,
                        data=PriceChangeIn(new_price=Decimal(new), effective_on=self.day(on),
                                           note=note),
                    )  # fmt: skip
                self.rates[partner.name, fmt] = item
            for on, kind, note, follow_up in spec["interactions"]:
                partner_actions.do_add_interaction(
                    actor=owner,
                    partner=partner,
                    data=InteractionIn(
                        day=self.day(on),
                        kind=kind,
                        note=note,
                        follow_up_on=self.day(follow_up) if follow_up is not None else None,
                    ),
                )

    def _cooperations(self) -> None:
        for spec in COOPERATIONS:
            partner = self.partners[spec.partner]
            owner = self.members[partner.owner.username]
            reach, clicks, users, conversions, revenue = spec.results or (None,) * 5
            self.cooperations[spec.title] = partner_actions.do_create_cooperation(
                actor=owner,
                partner=partner,
                data=CooperationIn(
                    title=spec.title,
                    rate_item_id=self.rates[spec.partner, spec.rate].pk,
                    status=spec.status,
                    booked_on=self.day(spec.booked),
                    publish_on=self.day(spec.publish) if spec.publish is not None else None,
                    quantity=spec.quantity,
                    paid_amount=Decimal(spec.paid),
                    project_key="D11",
                    piece_ids=[self.pieces[title].pk for title in spec.pieces],
                    reach=reach,
                    clicks=clicks,
                    attributed_users=users,
                    conversions=conversions,
                    revenue=Decimal(revenue) if revenue is not None else None,
                ),
            )

    # --- content

    def _pieces(self) -> None:
        for spec in PIECES:
            self.pieces[spec.title] = self._piece(spec)
        title, medium, campaign = LINKED_PIECE
        piece = self.pieces[title]
        content_actions.do_make_link(
            actor=self.members[piece.owner.username],
            piece=piece,
            data=PieceLinkIn(destination=f"{SITE}/d11", utm_medium=medium, utm_campaign=campaign),
        )
        for account, fmt, per_week in CADENCES:
            content_actions.do_create_cadence(
                actor=self.members["amy"],
                data=CadenceTargetIn(
                    account_id=self.accounts[account].pk, format=fmt, per_week=per_week
                ),
            )

    def _piece(self, spec: Piece) -> ContentPiece:
        owner = self.members[spec.owner]
        reviewers = [self.members[u] for u in spec.reviewers.split()]
        when = (
            datetime.combine(self.day(spec.day), time(spec.hour)) if spec.day is not None else None
        )
        piece = content_actions.do_create_piece(
            actor=owner,
            data=PieceIn(
                title=spec.title,
                project_key=spec.project,
                account_id=self.accounts[spec.account].pk,
                format=spec.format,
                owner_id=owner.user_id,
                reviewer_ids=[r.user_id for r in reviewers],
                tags=list(spec.tags),
                planned_at=when,
                body=f"# {spec.title}\n\n（正文草稿）",
                link_id=self.links[spec.link] if spec.link else None,
                item_ref=self.items[spec.item].ref if spec.item else None,
            ),
        )
        if spec.status == "idea":
            return piece
        self._move(owner, piece, "writing")
        if spec.status == "writing":
            return piece
        if spec.asked_changes:
            self._move(owner, piece, "in_review")
            content_actions.do_review_piece(
                actor=reviewers[0],
                piece=piece,
                data=PieceReviewIn(decision="changes", note=spec.asked_changes),
            )
        self._move(owner, piece, "in_review")
        if spec.status == "in_review":
            return piece
        content_actions.do_review_piece(
            actor=reviewers[0], piece=piece, data=PieceReviewIn(decision="approve", note="可以发。")
        )
        if spec.status == "scheduled":
            self._move(owner, piece, "scheduled")
            return piece
        piece = content_actions.do_set_status(
            actor=owner, piece=piece, data=PieceStatusIn(status="published", published_at=when)
        )
        self._results(owner, piece, spec)
        return piece

    @staticmethod
    def _move(actor: Membership, piece: ContentPiece, status: str) -> None:
        content_actions.do_set_status(actor=actor, piece=piece, data=PieceStatusIn(status=status))

    def _results(self, actor: Membership, piece: ContentPiece, spec: Piece) -> None:
        """Two snapshots: the day after it went out, and a week on (or yesterday)."""
        (low, high), shares = REACH[piece.channel.name]
        views = self.rng.randint(low, high)
        published = self.day(spec.day or 0)
        days = sorted({published + timedelta(days=1), min(published + timedelta(days=7),
                                                          self.day(-1))})  # fmt: skip
        for i, on in enumerate(days):
            part = 0.55 if i < len(days) - 1 else 1.0
            seen = round(views * part)
            like, comment, share, collect, follow, click = (
                round(seen * rate * self.rng.uniform(0.7, 1.3)) for rate in shares
            )
            content_actions.do_record_result(
                actor=actor,
                piece=piece,
                data=PieceResultIn(
                    day=on,
                    views=seen,
                    likes=like,
                    comments=comment,
                    shares=share,
                    collects=collect,
                    followers_gained=follow,
                    clicks=click,
                    completion_rate=(
                        Decimal(self.rng.randint(1800, 4200)) / 100 if spec.format == V else None
                    ),
                ),
            )

    # --- money

    def _budget(self) -> None:
        d11 = self.projects["D11"]
        self.lines = {
            name: money_actions.do_create_line(
                actor=self.lead,
                project=d11,
                data=BudgetLineIn(
                    name=name,
                    category=category,
                    channel_id=self.channels[channel].pk if channel else None,
                    planned=Decimal(planned),
                ),
            )
            for name, category, channel, planned in D11_LINES
        }
        hao = self.members["hao"]  # the manager who settles the bills
        for spec in COOPERATIONS:
            if spec.paid_on is None:
                continue
            cooperation = self.cooperations[spec.title]
            money_actions.do_create_entry(
                actor=hao,
                project=d11,
                data=SpendEntryIn(
                    day=self.day(spec.paid_on),
                    amount=Decimal(spec.paid),
                    line_id=self.lines["KOL 达人合作"].pk,
                    cooperation_id=cooperation.pk,
                    note=f"{spec.partner}：{spec.title}",
                ),
            )
        for line, on, amount, note in D11_SPEND:
            money_actions.do_create_entry(
                actor=hao,
                project=d11,
                data=SpendEntryIn(
                    day=self.day(on), amount=Decimal(amount), line_id=self.lines[line].pk,
                    note=note,
                ),
            )  # fmt: skip

    def _placements(self) -> None:
        leo = self.members["leo"]
        for spec in ADS:
            project = self.projects[spec.project]
            start = project.start_date or self.day(-30)
            placement = money_actions.do_create_placement(
                actor=leo,
                project=project,
                data=PlacementIn(
                    name=spec.name,
                    platform=spec.platform,
                    channel_id=self.channels[spec.channel].pk,
                    external_id=spec.external_id,
                    starts_on=start,
                    ends_on=project.end_date,
                    budget_line_id=self.lines[spec.line].pk if spec.line else None,
                    link_id=self.links[spec.link] if spec.link else None,
                    utm_source=spec.source,
                    utm_campaign=spec.campaign,
                ),
            )
            days = [
                self._ad_day(spec, start + timedelta(days=n))
                for n in range((self.today - start).days)
            ]
            if days:
                money_actions.do_record_placement_days(actor=leo, placement=placement, days=days)

    def _ad_day(self, spec: Ad, on: date) -> PlacementDayIn:
        weight = 1.0
        if spec.campaign.startswith("double11") and self.spike is not None:
            if on == self.spike:
                weight = SALE_DAY
            elif on > self.spike:
                weight = AFTER
            elif on >= self.spike - timedelta(days=PRESALE_DAYS):
                weight = PRESALE
            else:
                weight = WARM_UP
        spend = Decimal(spec.daily * weight * self.rng.uniform(0.8, 1.2)).quantize(Decimal("0.01"))
        impressions = int(spend * 1000 / spec.cpm)
        clicks = round(impressions * spec.ctr * self.rng.uniform(0.85, 1.15))
        return PlacementDayIn(
            day=on,
            spend=spend,
            impressions=impressions,
            clicks=clicks,
            conversions=round(clicks * spec.cvr),
        )
