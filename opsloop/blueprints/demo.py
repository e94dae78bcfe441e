"""The demo workspace's project templates: 双十一大促, 618, 新品上市 and 月度内容计划.

Each is written as its plan would be kept (schemas.TemplateBody): days are counted from
the project's start (day 0), items are named by a short key here and numbered when the
body is made. Channel names are those every workspace starts with (channels.actions
SEED_CHANNELS)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class I:  # noqa: E742 - one letter keeps the tables below readable
    """An item: key, title, first and last day, priority, labels, parent key, hours."""

    key: str
    title: str
    start: int | None
    due: int | None
    priority: str = "medium"
    labels: tuple[str, ...] = ()
    parent: str | None = None
    hours: int | None = None
    team: str | None = None
    description: str = ""


@dataclass(frozen=True)
class DemoTemplate:
    name: str
    description: str
    kind: str
    goal: str
    scope: str
    duration_days: int
    budget: str | None
    items: tuple[I, ...]
    # (from key, to key): the first blocks the second.
    dependencies: tuple[tuple[str, str], ...] = ()
    # (name, day, item keys)
    milestones: tuple[tuple[str, int, tuple[str, ...]], ...] = ()
    # (name, category, channel or None, planned)
    budget_lines: tuple[tuple[str, str, str | None, str], ...] = ()
    # (title, channel, format, day, "HH:MM", item key or None, tags)
    content_slots: tuple[tuple[str, str, str, int, str, str | None, tuple[str, ...]], ...] = ()
    states: tuple[tuple[str, str, str], ...] = ()
    default_state: str | None = None
    teams: tuple[str, ...] = field(default=())

    def body(self) -> dict:
        ids = {item.key: n for n, item in enumerate(self.items, 1)}
        labels = sorted({label for item in self.items for label in item.labels})
        fields = (
            [
                {
                    "name": "负责组",
                    "type": "select",
                    "options": [
                        {"label": team, "color": TEAM_COLORS[n % len(TEAM_COLORS)]}
                        for n, team in enumerate(self.teams)
                    ],
                    "scope": "project",
                }
            ]
            if self.teams
            else []
        )
        return {
            "project": {
                "kind": self.kind,
                "goal": self.goal,
                "scope": self.scope,
                "visibility": "workspace",
                "duration_days": self.duration_days,
                "budget": self.budget,
                "states": [
                    {
                        "name": name,
                        "group": group,
                        "color": color,
                        "is_default": name == self.default_state,
                    }
                    for name, group, color in self.states
                ],  # fmt: skip
                "labels": [{"name": n, "color": LABEL_COLORS.get(n, "#6366f1")} for n in labels],
                "custom_fields": fields,
            },
            "items": [
                {
                    "id": ids[item.key],
                    "title": item.title,
                    "description": item.description,
                    "state": None,
                    "state_group": None,
                    "priority": item.priority,
                    "labels": sorted(item.labels),
                    "estimate": str(item.hours) if item.hours is not None else None,
                    "start_offset": item.start,
                    "due_offset": item.due,
                    "parent": ids[item.parent] if item.parent else None,
                    "fields": {"负责组": item.team} if item.team else {},
                }
                for item in self.items
            ],
            "dependencies": [
                {"from": ids[a], "to": ids[b], "kind": "blocks"} for a, b in self.dependencies
            ],
            "milestones": [
                {"name": name, "offset": day, "description": "", "items": [ids[k] for k in keys]}
                for name, day, keys in self.milestones
            ],
            "budget_lines": [
                {
                    "name": name,
                    "category": category,
                    "channel": channel,
                    "planned": planned,
                    "currency": "CNY",
                }
                for name, category, channel, planned in self.budget_lines
            ],  # fmt: skip
            "content_slots": [
                {
                    "title": title,
                    "channel": channel,
                    "format": fmt,
                    "offset_days": day,
                    "time": clock,
                    "tags": list(tags),
                    "item": ids[key] if key else None,
                }
                for title, channel, fmt, day, clock, key, tags in self.content_slots
            ],  # fmt: skip
        }


LABEL_COLORS = {
    "策划": "#6366f1",
    "招商": "#0ea5e9",
    "设计": "#ec4899",
    "技术": "#64748b",
    "文案": "#f59e0b",
    "投放": "#ef4444",
    "直播": "#f97316",
    "私域": "#10b981",
    "客服": "#14b8a6",
    "数据": "#8b5cf6",
    "内容": "#eab308",
    "公关": "#a855f7",
}
TEAM_COLORS = ["#6366f1", "#f59e0b", "#10b981", "#ef4444", "#0ea5e9"]
CAMPAIGN_TEAMS = ("活动组", "内容组", "渠道组", "用户组")
# A campaign's workflow, as the team names its steps.
CAMPAIGN_STATES = (
    ("待规划", "backlog", "#a3a3a3"),
    ("待开始", "todo", "#64748b"),
    ("进行中", "in_progress", "#f59e0b"),
    ("待验收", "in_review", "#8b5cf6"),
    ("已完成", "done", "#16a34a"),
    ("已取消", "cancelled", "#ef4444"),
)


# Day 0 is 10月1日: 预售 opens on day 19 (10月20日), 开门红 on day 31 (11月1日), and the
# day itself is day 41 (11月11日).
DOUBLE_11 = DemoTemplate(
    name="双十一大促",
    description="双十一全周期作战模板：策划、招商选品、预售、主会场、种草与投放、直播、当天值守到复盘。"
    "以 10 月 1 日为第 0 天，预售 10 月 20 日开启，11 月 11 日为第 41 天。",
    kind="campaign",
    goal="大促期间 GMV 同比增长 30%，新客占比不低于 35%，整体 ROI ≥ 3。",
    scope="天猫/抖音双平台主会场、预售、直播与私域联动；不含线下门店活动。",
    duration_days=50,
    budget="500000.00",
    states=CAMPAIGN_STATES,
    default_state="待开始",
    teams=CAMPAIGN_TEAMS,
    items=(
        I("plan", "活动策划与目标拆解", 0, 5, "urgent", ("策划",), hours=16, team="活动组"),
        I("gmv", "GMV 目标拆解到品类与渠道", 0, 2, "high", ("策划", "数据"), "plan", 6, "活动组"),
        I(
            "play",
            "玩法方案：预售定金膨胀、跨店满减、红包雨",
            1,
            5,
            "high",
            ("策划",),
            "plan",
            10,
            "活动组",
        ),
        I("merch", "商家招商与选品", 3, 18, "high", ("招商",), hours=40, team="活动组"),
        I("signup", "招商报名开启与商家沟通", 3, 10, "medium", ("招商",), "merch", 16, "活动组"),
        I(
            "review",
            "选品审核与历史价格核验",
            10,
            18,
            "high",
            ("招商", "数据"),
            "merch",
            20,
            "活动组",
        ),
        I("presale", "预售期准备", 15, 19, "high", ("策划",), hours=12, team="活动组"),
        I(
            "listing",
            "预售商品上架与定金规则配置",
            15,
            19,
            "high",
            ("技术",),
            "presale",
            12,
            "活动组",
        ),
        I("venue", "主会场搭建", 10, 30, "high", ("设计", "技术"), hours=60, team="内容组"),
        I("visual", "主会场视觉与 KV 设计", 10, 20, "high", ("设计",), "venue", 24, "内容组"),
        I("pages", "会场页面开发、压测与验收", 18, 30, "urgent", ("技术",), "venue", 36, "内容组"),
        I("seed", "内容种草与预热", 12, 40, "medium", ("内容",), hours=48, team="内容组"),
        I(
            "xhs",
            "小红书 KOL 种草笔记（20 篇）",
            12,
            35,
            "medium",
            ("内容", "投放"),
            "seed",
            20,
            "渠道组",
        ),
        I("dy", "抖音预热短视频（5 条）", 20, 40, "medium", ("内容",), "seed", 20, "内容组"),
        I("oa", "公众号预热推文与攻略长图", 33, 39, "medium", ("文案",), "seed", 8, "内容组"),
        I("ads", "巨量引擎信息流投放", 25, 41, "high", ("投放",), hours=30, team="渠道组"),
        I("crm", "私域社群预热与开抢提醒", 35, 41, "medium", ("私域",), hours=12, team="用户组"),
        I("live", "直播排期与主播脚本", 30, 41, "high", ("直播",), hours=20, team="渠道组"),
        I("cs", "客服预案与售后话术", 32, 40, "medium", ("客服",), hours=8, team="用户组"),
        I(
            "warroom",
            "11.11 当天作战室值守",
            41,
            41,
            "urgent",
            ("数据", "技术"),
            hours=24,
            team="活动组",
        ),
        I("retro", "活动复盘与数据报告", 43, 50, "high", ("数据",), hours=12, team="活动组"),
    ),
    dependencies=(
        ("play", "visual"),
        ("review", "listing"),
        ("visual", "pages"),
        ("pages", "warroom"),
        ("warroom", "retro"),
    ),
    milestones=(
        ("方案定稿", 5, ("gmv", "play")),
        ("招商截止", 18, ("signup", "review")),
        ("预售开启", 19, ("listing",)),
        ("主会场上线", 30, ("visual", "pages")),
        ("双十一当天", 41, ("warroom",)),
        ("复盘完成", 50, ("retro",)),
    ),
    budget_lines=(
        ("抖音信息流投放", "ads", "抖音", "200000.00"),
        ("小红书 KOL 种草", "kol", "小红书", "120000.00"),
        ("平台优惠券与满减补贴", "coupons", None, "100000.00"),
        ("直播间福袋与奖品", "prizes", "抖音", "30000.00"),
        ("主会场设计与物料制作", "production", None, "50000.00"),
    ),
    content_slots=(
        ("双十一种草笔记·第一波", "小红书", "article", 14, "19:30", "xhs", ("双十一", "种草")),
        ("双十一种草笔记·第二波", "小红书", "article", 24, "19:30", "xhs", ("双十一", "种草")),
        ("预售开启短视频", "抖音", "short_video", 19, "18:00", "dy", ("预售",)),
        ("开门红倒计时短视频", "抖音", "short_video", 30, "18:00", "dy", ("开门红",)),
        ("双十一省钱攻略", "微信公众号", "article", 38, "20:00", "oa", ("攻略",)),
        ("11.1 开门红提醒", "App 推送", "push", 31, "10:00", "crm", ()),
        ("双十一主会场直播", "抖音", "live", 41, "20:00", "live", ("直播",)),
        ("双十一话题互动", "微博", "article", 40, "12:00", None, ("双十一",)),
    ),
)


# Day 0 is 5月20日: 预售 on day 11 (5月31日), the day itself is day 29 (6月18日).
MID_YEAR = DemoTemplate(
    name="618",
    description="618 年中大促模板：以 5 月 20 日为第 0 天，5 月 31 日开启预售，6 月 18 日为第 29 天。"
    "比双十一节奏更快，重在爆品与直播。",
    kind="campaign",
    goal="618 期间 GMV 同比增长 20%，爆品售罄率 ≥ 80%。",
    scope="主推 10 个爆品；抖音直播与小红书种草为主，私域负责复购。",
    duration_days=35,
    budget="300000.00",
    teams=CAMPAIGN_TEAMS,
    items=(
        I("plan", "618 玩法与目标确认", 0, 3, "urgent", ("策划",), hours=8, team="活动组"),
        I("hero", "爆品选择与备货确认", 1, 8, "high", ("招商", "数据"), hours=16, team="活动组"),
        I("price", "价格力核验与优惠叠加测算", 5, 9, "high", ("数据",), "hero", 6, "活动组"),
        I("presale", "预售页上线", 8, 11, "high", ("技术", "设计"), hours=16, team="内容组"),
        I("kv", "618 主视觉与详情页改版", 3, 10, "medium", ("设计",), hours=20, team="内容组"),
        I(
            "seed",
            "小红书种草（10 篇）",
            5,
            25,
            "medium",
            ("内容", "投放"),
            hours=16,
            team="渠道组",
        ),
        I("live", "直播专场排期（5 场）", 15, 29, "high", ("直播",), hours=24, team="渠道组"),
        I("script", "直播脚本与福利机制", 15, 20, "medium", ("直播", "文案"), "live", 8, "渠道组"),
        I("ads", "千川投放与素材迭代", 11, 29, "high", ("投放",), hours=24, team="渠道组"),
        I("crm", "会员日与社群复购提醒", 20, 29, "medium", ("私域",), hours=8, team="用户组"),
        I("day", "6.18 当天值守", 29, 29, "urgent", ("数据",), hours=12, team="活动组"),
        I("retro", "618 复盘", 31, 35, "high", ("数据",), hours=8, team="活动组"),
    ),
    dependencies=(("hero", "presale"), ("kv", "presale"), ("script", "day"), ("day", "retro")),
    milestones=(
        ("爆品确定", 8, ("hero",)),
        ("预售开启", 11, ("presale",)),
        ("618 当天", 29, ("day",)),
        ("复盘完成", 35, ("retro",)),
    ),
    budget_lines=(
        ("千川直播投放", "ads", "抖音", "150000.00"),
        ("小红书达人种草", "kol", "小红书", "80000.00"),
        ("满减与会员券", "coupons", None, "50000.00"),
        ("直播间福利", "prizes", "抖音", "20000.00"),
    ),
    content_slots=(
        ("618 必买清单", "小红书", "article", 10, "19:30", "seed", ("618",)),
        ("预售开启短视频", "抖音", "short_video", 11, "18:00", None, ("618", "预售")),
        ("618 直播专场", "抖音", "live", 29, "20:00", "live", ("直播",)),
        ("618 狂欢攻略", "微信公众号", "article", 27, "20:00", None, ("攻略",)),
    ),
)


NEW_PRODUCT = DemoTemplate(
    name="新品上市",
    description="新品上市模板：从定位与卖点、定价、视觉、KOL 试用到发布会与首发直播，"
    "第 30 天首发，第 45 天完成上市复盘。",
    kind="campaign",
    goal="首发 30 天销量 2 万件，新品搜索指数进入类目前 10。",
    scope="线上首发（天猫旗舰店 + 抖音），配合一场线上发布会与 20 位 KOL 试用。",
    duration_days=45,
    budget="200000.00",
    items=(
        I("research", "目标人群与竞品调研", 0, 7, "high", ("数据",), hours=16),
        I("position", "产品定位与核心卖点提炼", 5, 10, "urgent", ("策划",), hours=8),
        I("price", "定价策略与首发价格", 8, 12, "high", ("策划", "数据"), hours=6),
        I("visual", "包装、主视觉与详情页", 10, 22, "high", ("设计",), hours=40),
        I("kol", "KOL 试用招募与寄样", 12, 24, "medium", ("投放",), hours=12),
        I("kolposts", "试用笔记与测评视频回收", 20, 32, "medium", ("内容",), "kol", 8),
        I("press", "媒体通稿与发布会邀约", 18, 27, "medium", ("公关", "文案"), hours=10),
        I("launch", "线上发布会", 28, 28, "urgent", ("直播", "公关"), hours=16),
        I("live", "首发直播", 30, 30, "urgent", ("直播",), hours=8),
        I("ads", "首发期信息流投放", 28, 40, "high", ("投放",), hours=16),
        I("feedback", "上市后用户反馈收集", 31, 42, "medium", ("客服", "数据"), hours=8),
        I("retro", "上市复盘", 43, 45, "high", ("数据",), hours=6),
    ),
    dependencies=(
        ("position", "visual"),
        ("price", "launch"),
        ("visual", "launch"),
        ("launch", "live"),
        ("feedback", "retro"),
    ),
    milestones=(
        ("定位确认", 10, ("position",)),
        ("物料齐备", 24, ("visual", "kol")),
        ("发布会", 28, ("launch", "press")),
        ("首发日", 30, ("live",)),
        ("上市复盘", 45, ("retro",)),
    ),
    budget_lines=(
        ("KOL 试用与测评", "kol", "小红书", "60000.00"),
        ("首发信息流投放", "ads", "抖音", "90000.00"),
        ("包装与视觉制作", "production", None, "35000.00"),
        ("首发福利", "coupons", None, "15000.00"),
    ),
    content_slots=(
        ("新品预告海报", "微博", "poster", 21, "12:00", "visual", ("新品",)),
        ("新品测评笔记", "小红书", "article", 26, "19:30", "kolposts", ("新品", "测评")),
        ("发布会直播", "视频号", "live", 28, "19:00", "launch", ("发布会",)),
        ("首发直播", "抖音", "live", 30, "20:00", "live", ("首发",)),
        ("新品故事长文", "微信公众号", "long_form", 29, "20:00", "press", ("品牌",)),
    ),
)


CONTENT_MONTH = DemoTemplate(
    name="月度内容计划",
    description="一个月的内容排期：月初选题会，各渠道按周更新（公众号每周一篇、小红书每周三篇、"
    "抖音每周两条、B站两期），每周数据复盘，月底总结。",
    kind="content",
    goal="全渠道月增粉 5000，内容平均互动率 ≥ 3%。",
    scope="公众号、小红书、抖音、B站的自有账号内容；不含付费投放。",
    duration_days=30,
    budget="20000.00",
    items=(
        I("meeting", "月度选题会", 0, 0, "high", ("内容", "策划"), hours=2),
        I("calendar", "选题排期与分工", 1, 2, "high", ("内容",), hours=4),
        I("oa", "公众号：4 篇推文撰写与排版", 2, 27, "medium", ("文案",), hours=24),
        I("xhs", "小红书：12 篇笔记", 2, 29, "medium", ("内容",), hours=24),
        I("dy", "抖音：8 条短视频拍摄剪辑", 3, 29, "medium", ("内容",), hours=32),
        I("bili", "B站：2 期中视频", 5, 26, "low", ("内容",), hours=20),
        I("w1", "第 1 周数据复盘", 7, 7, "medium", ("数据",), hours=1),
        I("w2", "第 2 周数据复盘", 14, 14, "medium", ("数据",), hours=1),
        I("w3", "第 3 周数据复盘", 21, 21, "medium", ("数据",), hours=1),
        I("monthly", "月度内容总结与下月方向", 28, 30, "high", ("数据", "内容"), hours=4),
    ),
    dependencies=(("meeting", "calendar"), ("calendar", "oa"), ("w3", "monthly")),
    milestones=(
        ("选题确认", 2, ("meeting", "calendar")),
        ("月中检查", 15, ("w2",)),
        ("月度复盘", 30, ("monthly",)),
    ),
    budget_lines=(
        ("拍摄与剪辑外包", "production", None, "12000.00"),
        ("素材与字体版权", "production", None, "3000.00"),
        ("粉丝互动奖品", "prizes", "小红书", "5000.00"),
    ),
    content_slots=(
        *(
            (f"公众号推文·第 {w + 1} 周", "微信公众号", "article", 1 + 7 * w, "20:00", "oa", ())
            for w in range(4)
        ),
        *(
            (f"小红书笔记·第 {w + 1} 周", "小红书", "article", 2 + 7 * w, "19:30", "xhs", ())
            for w in range(4)
        ),
        *(
            (f"抖音短视频·第 {w + 1} 周", "抖音", "short_video", 4 + 7 * w, "18:00", "dy", ())
            for w in range(4)
        ),
        ("B站中视频·上期", "B站", "short_video", 12, "18:00", "bili", ()),
        ("B站中视频·下期", "B站", "short_video", 26, "18:00", "bili", ()),
    ),
)


TEMPLATES = (DOUBLE_11, MID_YEAR, NEW_PRODUCT, CONTENT_MONTH)
