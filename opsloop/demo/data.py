"""What the demo workspace holds: 鲸选, an e-commerce and content app, and its operations team.

Plain records only; opsloop/demo/loader.py turns them into rows through the actions.
Dates are day offsets from the day the demo is loaded, so it always looks live: the
Double 11 sale day is SALE days ahead. An item's state is a state name of its project's
workflow or a group name (meaning the first state of that group).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from opsloop.work.schemas import Priority

SEED = 20261111
# The day of the Double 11 sale, in days from today.
SALE = 10


@dataclass(frozen=True)
class ItemSpec:
    """One work item: who, when, how big; the loader walks it to `state` through the workflow."""

    title: str
    state: str
    priority: Priority = "none"
    who: str = ""  # usernames, space-separated
    labels: str = ""  # label names, space-separated
    start: int | None = None
    due: int | None = None
    hours: float | None = None
    progress: int | None = None  # None: the loader picks one that fits the state
    desc: str = ""
    comments: tuple[tuple[str, str], ...] = ()
    children: tuple[ItemSpec, ...] = field(default=())
    by: str = ""  # who created it; the project owner when empty


WORKSPACE = {"slug": "demo", "name": "鲸选运营团队"}

# username, display name, workspace role (job in the comment)
PEOPLE = [
    ("lead", "林晓", "owner"),  # 运营负责人
    ("hao", "孙浩", "admin"),  # 运营经理，管预算与结算
    ("amy", "张敏", "member"),  # 内容运营
    ("kevin", "陈凯", "member"),  # 活动运营
    ("grace", "刘思雨", "member"),  # 用户运营
    ("leo", "王磊", "member"),  # 渠道与投放
    ("data", "赵琳", "member"),  # 数据分析
    ("design", "周婷", "member"),  # 设计
    ("mia", "郑雪", "member"),  # 新媒体与短视频
    ("xinghe", "何佳（星河传媒）", "guest"),  # 代理商，只参与双十一
]
OWNER = "lead"
EMAIL_DOMAIN = "jingxuan.example"

LABELS = [
    ("文案", "#0ea5e9"),
    ("设计", "#ec4899"),
    ("投放", "#f97316"),
    ("数据", "#6366f1"),
    ("社群", "#14b8a6"),
    ("会员", "#eab308"),
    ("活动页", "#8b5cf6"),
    ("直播", "#a855f7"),
    ("KOL", "#d946ef"),
    ("小红书", "#ef4444"),
    ("抖音", "#1f2937"),
    ("微信公众号", "#16a34a"),
    ("B站", "#00a1d6"),
    ("微博", "#f59e0b"),
    ("技术对接", "#0f766e"),
    ("紧急上线", "#dc2626"),
    ("复盘", "#64748b"),
]

# Every project renames the default states to Chinese; some rename more or add states.
STATE_NAMES = {
    "backlog": "需求池",
    "todo": "待办",
    "in_progress": "进行中",
    "in_review": "待审核",
    "done": "已完成",
    "cancelled": "已取消",
}

# --- 双十一大促

D11_ITEMS = [
    ItemSpec(
        "双十一整体策划方案 v3 定稿",
        "done",
        "urgent",
        "lead",
        "文案",
        -35,
        -25,
        24,
        desc="""
        ## 节奏
        | 阶段 | 时长 | 重点 |
        | --- | --- | --- |
        | 预热期 | 9 天 | 种草、加购、领券、社群蓄水 |
        | 预售期 | 7 天 | 付定金、定金膨胀、直播 |
        | 正式开售 | 3 天 | 0 点抢购、满减叠加跨店券 |
        | 返场 | 3 天 | 清尾货、未付尾款召回 |

        ## 目标
        - GMV **3,000 万元**（同比 +30%）
        - 新客下单 **8 万人**
        - 活动期 DAU 峰值 **120 万**

        v3 相比 v2：删掉抽奖 H5，预算并入用户券补贴。
        """,
        comments=(
            ("kevin", "v3 已同步给商家运营，分会场负责人周一前确认坑位。"),
            ("data", "GMV 目标按去年同期 × 1.3 拆的，品类拆解见 D11-18。"),
        ),
    ),
    ItemSpec(
        "预算拆分与审批（¥500,000）",
        "done",
        "high",
        "lead data",
        "数据",
        -30,
        -24,
        6,
        desc="""
        | 科目 | 金额（元） | 负责人 |
        | --- | ---: | --- |
        | 信息流与应用商店投放 | 220,000 | 王磊 |
        | KOL / 达人合作 | 120,000 | 王磊、星河传媒 |
        | 用户券补贴 | 100,000 | 陈凯 |
        | 设计与物料 | 30,000 | 周婷 |
        | 直播 | 20,000 | 张敏 |
        | 备用金 | 10,000 | 林晓 |
        | **合计** | **500,000** | |
        """,
        comments=(("hao", "财务已审批通过，备用金动用需提前报备。"),),
    ),
    ItemSpec(
        "主会场 KV 与视觉规范",
        "done",
        "high",
        "design",
        "设计",
        -28,
        -18,
        32,
        desc="""
        - [x] 主 KV 三版提案
        - [x] 色板：鲸选蓝 #1E6FFF + 大促红 #FF3B30
        - [x] 字体与角标规范
        - [x] 输出分会场延展模板
        """,
    ),
    ItemSpec(
        "主会场活动页上线（H5 + 小程序）",
        "in_review",
        "urgent",
        "kevin design",
        "活动页 技术对接 紧急上线",
        -14,
        1,
        40,
        progress=90,
        by="kevin",
        desc="""
        **上线前检查**
        - [x] 楼层与商品配置
        - [x] 倒计时组件（预售 / 开售两套）
        - [ ] 埋点验收（见子任务）
        - [ ] 弱网与低端机测试
        - [ ] 法务确认活动规则页

        预发环境：`https://pre.jingxuan.example/d11`
        """,
        comments=(
            ("design", "首屏 KV 已替换为最终版，iOS 上角标有 2px 偏移，已提给前端。"),
            ("lead", "@kevin 明天上午前必须过完审核，下午开始预热流量导入。"),
            ("kevin", "收到，今晚和前端一起把埋点验收做完。"),
        ),
        children=(
            ItemSpec(
                "主会场楼层配置与商品排序",
                "in_progress",
                "high",
                "kevin",
                "活动页",
                -6,
                1,
                8,
                progress=60,
            ),
            ItemSpec(
                "活动页埋点方案与验收",
                "in_progress",
                "high",
                "data",
                "数据 技术对接",
                -5,
                0,
                6,
                progress=50,
                desc="""
                | 事件 | 触发 | 属性 |
                | --- | --- | --- |
                | `d11_page_view` | 进入会场 | `floor`, `utm_source` |
                | `coupon_claim` | 领券 | `coupon_id`, `amount` |
                | `add_to_cart` | 加购 | `sku_id`, `floor` |
                """,
            ),
            ItemSpec(
                "会场页面性能压测配合",
                "todo",
                "medium",
                "kevin",
                "技术对接",
                3,
                6,
                4,
            ),
        ),
    ),
    ItemSpec(
        "6 个分会场选品与坑位排期",
        "in_progress",
        "high",
        "kevin",
        "活动页",
        -10,
        2,
        24,
        progress=55,
        by="kevin",
        desc="""
        | 分会场 | 商家数 | 坑位 | 状态 |
        | --- | ---: | ---: | --- |
        | 美妆个护 | 42 | 60 | 已确认 |
        | 数码家电 | 35 | 48 | 已确认 |
        | 家居日用 | 51 | 72 | 确认中 |
        | 食品生鲜 | 38 | 54 | 确认中 |
        | 母婴 | 22 | 30 | 待提报 |
        | 服饰鞋包 | 47 | 66 | 待提报 |
        """,
    ),
    ItemSpec(
        "满减与跨店券规则配置",
        "in_review",
        "urgent",
        "kevin",
        "会员 活动页",
        -8,
        -1,
        8,
        progress=85,
        by="kevin",
        desc="""
        - 跨店满减：每满 300 减 50，上不封顶
        - 品类券：美妆满 199 减 30，数码满 999 减 100
        - PLUS 会员额外 95 折，与满减叠加

        > 注意：券与满减叠加后到手价不得低于商家报的最低价。
        """,
        comments=(
            ("data", "按去年核销率 38% 估算，券补贴约 9.6 万，在预算内。"),
            ("lead", "规则页文案让法务再看一眼，别出现「全网最低」。"),
        ),
    ),
    ItemSpec(
        "预售定金膨胀玩法说明文案",
        "done",
        "medium",
        "amy",
        "文案",
        -12,
        -6,
        4,
    ),
    ItemSpec(
        "PLUS 会员专享价与权益对接",
        "todo",
        "medium",
        "grace",
        "会员",
        1,
        SALE - 3,
        6,
    ),
    ItemSpec(
        "大促短信与 Push 触达计划",
        "in_progress",
        "high",
        "grace",
        "社群 数据",
        -4,
        3,
        10,
        progress=40,
        desc="""
        | 批次 | 人群 | 渠道 | 文案要点 |
        | --- | --- | --- | --- |
        | 1 | 近 90 天下单用户 | Push | 预售开启，定金翻倍 |
        | 2 | 加购未付款 | 短信 + Push | 你加购的商品可以付定金了 |
        | 3 | 沉默 180 天用户 | 短信 | 专属回归券 20 元 |
        | 4 | 全量 | Push | 0 点开抢，跨店满减 |

        频控：每人每天最多 2 条，22:00 后不发短信。
        """,
    ),
    ItemSpec(
        "社群预热：100 个福利群每日秒杀",
        "in_progress",
        "medium",
        "grace",
        "社群",
        -5,
        SALE,
        20,
        progress=35,
        comments=(("grace", "前三天群内秒杀平均 12 分钟抢光，明天起每场加 50 份库存。"),),
    ),
    ItemSpec(
        "小红书 KOL 种草：30 篇笔记",
        "in_progress",
        "high",
        "xinghe leo",
        "小红书 KOL 投放",
        -15,
        4,
        30,
        progress=45,
        by="leo",
        desc="""
        | 层级 | 人数 | 单价（元） | 小计（元） |
        | --- | ---: | ---: | ---: |
        | 头部（50 万粉+） | 2 | 18,000 | 36,000 |
        | 腰部（5-50 万粉） | 10 | 4,500 | 45,000 |
        | 素人（1-5 万粉） | 18 | 800 | 14,400 |
        | **合计** | **30** | | **95,400** |
        """,
        comments=(
            (
                "xinghe",
                "第一批 12 篇脚本已上传，请 @amy 帮忙审核，周四前反馈可以赶上预售首日发布。",
            ),
            ("leo", "头部两位的档期确认了吗？"),
            ("xinghe", "确认了，一位预售首日，一位开售前一天。"),
        ),
        children=(
            ItemSpec(
                "KOL 名单确认与报价",
                "done",
                "high",
                "xinghe",
                "KOL",
                -15,
                -10,
                8,
                by="leo",
            ),
            ItemSpec(
                "笔记脚本审核（第一批 12 篇）",
                "in_review",
                "high",
                "amy",
                "文案 小红书",
                -6,
                -2,
                6,
                by="leo",
                comments=(("amy", "7 篇通过；5 篇有「最便宜」「第一」等违禁词，已批注退回。"),),
            ),
            ItemSpec(
                "笔记发布与数据回收",
                "todo",
                "medium",
                "xinghe",
                "小红书 数据",
                0,
                SALE + 3,
                10,
                by="leo",
            ),
        ),
    ),
    ItemSpec(
        "抖音达人直播专场（3 场）",
        "已排期",
        "high",
        "leo xinghe",
        "抖音 直播 KOL",
        2,
        SALE,
        16,
        by="leo",
        desc="""
        - 场次：预售首日、开售前夜、开售当天晚 8 点
        - 佣金 20% + 坑位费，坑位费不超过 ¥15,000/场
        - 每场要求带 utm_source=douyin_live 的专属链接
        """,
    ),
    ItemSpec(
        "品牌自播间双十一直播脚本",
        "in_progress",
        "high",
        "amy",
        "直播 文案",
        -3,
        5,
        12,
        progress=30,
    ),
    ItemSpec(
        "微信公众号预热推文（3 篇）",
        "in_progress",
        "medium",
        "amy",
        "微信公众号 文案",
        -6,
        1,
        9,
        progress=65,
    ),
    ItemSpec(
        "信息流广告素材（9 套）",
        "in_review",
        "high",
        "design leo",
        "设计 投放",
        -9,
        -1,
        20,
        progress=90,
        comments=(("leo", "第 3、7 套点击率预估偏低，建议换成利益点前置的版本。"),),
    ),
    ItemSpec(
        "巨量引擎与腾讯广告投放计划",
        "in_progress",
        "high",
        "leo",
        "投放",
        -7,
        2,
        12,
        progress=50,
        by="leo",
        desc="""
        | 渠道 | 预算（元） | 目标 CPA | 出价方式 |
        | --- | ---: | ---: | --- |
        | 巨量引擎 | 110,000 | 35 | oCPM |
        | 腾讯广告 | 80,000 | 32 | oCPC |
        | 应用商店 | 30,000 | 25 | CPD |
        """,
    ),
    ItemSpec(
        "大促实时数据看板搭建",
        "in_progress",
        "urgent",
        "data",
        "数据",
        -6,
        3,
        16,
        progress=60,
        desc="""
        看板指标：GMV、订单数、客单价、新客占比、券核销率、分渠道 UV 与转化。
        - [x] 数据源接入
        - [x] 分钟级刷新
        - [ ] 异常告警（GMV 环比跌 30% 推送到飞书群）
        """,
        comments=(
            (
                "data",
                """
                看板预览已发群里，口径说明：
                - **GMV**：含未付尾款的定金订单，**不含**退款
                - **新客**：首次在鲸选下单的用户（按手机号去重）
                - 分渠道按 `utm_source` 末次触点归因
                """,
            ),
            ("lead", "口径没问题。告警阈值开售当天改成环比跌 20%。"),
        ),
    ),
    ItemSpec(
        "GMV 目标拆解到品类与渠道",
        "done",
        "high",
        "data lead",
        "数据",
        -20,
        -14,
        8,
    ),
    ItemSpec(
        "客服话术与 FAQ 更新",
        "todo",
        "medium",
        "grace",
        "文案",
        2,
        SALE - 2,
        6,
    ),
    ItemSpec(
        "风控：薅羊毛账号识别规则",
        "todo",
        "high",
        "data",
        "数据 技术对接",
        0,
        SALE - 4,
        8,
    ),
    ItemSpec(
        "开售当晚作战室值守排班",
        "todo",
        "high",
        "lead",
        "",
        SALE - 1,
        SALE,
        4,
        desc="""
        | 时段 | 值守 | 盯什么 |
        | --- | --- | --- |
        | 20:00-24:00 | 林晓、陈凯 | 会场、库存 |
        | 00:00-02:00 | 全员 | 0 点峰值、支付、券 |
        | 02:00-09:00 | 赵琳、刘思雨 | 数据看板、客诉 |
        """,
    ),
    ItemSpec(
        "应急预案：超卖、页面故障、券被刷",
        "in_progress",
        "urgent",
        "lead kevin",
        "紧急上线",
        -3,
        0,
        6,
        progress=70,
        comments=(("kevin", "券被刷的熔断阈值先按每分钟核销 500 张设置，开售前再看压测结果。"),),
    ),
    ItemSpec(
        "开屏广告与 Banner（12 个尺寸）",
        "in_progress",
        "medium",
        "design",
        "设计",
        -4,
        2,
        16,
        progress=50,
    ),
    ItemSpec(
        "主播口播稿与商品卖点卡",
        "todo",
        "medium",
        "amy",
        "直播 文案",
        3,
        SALE - 2,
        8,
    ),
    ItemSpec("品牌联名款上线沟通", "backlog", "low", "kevin", "", None, None, None),
    ItemSpec("返场活动玩法草案", "backlog", "medium", "kevin", "", None, SALE + 3, 6),
    ItemSpec("大促复盘报告模板", "backlog", "low", "data", "复盘 数据", None, SALE + 12, 4),
    ItemSpec(
        "抽奖互动 H5",
        "cancelled",
        "low",
        "kevin",
        "活动页",
        -20,
        -5,
        None,
        desc="方案 v3 删除此玩法，预算并入用户券补贴。",
    ),
    ItemSpec("微博话题 #鲸选双十一# 运营", "todo", "low", "amy", "微博", 1, SALE, 6),
    ItemSpec(
        "B站 UP 主开箱视频合作（5 位）",
        "in_progress",
        "medium",
        "xinghe",
        "B站 KOL",
        -8,
        4,
        12,
        progress=40,
        by="leo",
    ),
    ItemSpec("预售首日数据日报", "todo", "high", "data", "数据", 2, 3, 3),
    ItemSpec(
        "活动规则法务合规审核",
        "in_review",
        "urgent",
        "lead",
        "文案",
        -5,
        -2,
        3,
        progress=80,
        comments=(("lead", "法务反馈两处：定金不退的说明要加粗；「限时」要写明起止时间。"),),
    ),
    ItemSpec("确认主会场坑位费与商家对账", "todo", "medium", "lead hao", "数据", -1, 1, 4),
    ItemSpec(
        "大促进度周报（第 4 周）",
        "in_progress",
        "medium",
        "lead",
        "复盘",
        -2,
        0,
        3,
        progress=40,
    ),
]

# --- Q4 内容计划

CNT_ITEMS = [
    ItemSpec(
        "Q4 选题库整理（100+ 选题）",
        "done",
        "high",
        "amy",
        "文案",
        -50,
        -40,
        12,
    ),
    ItemSpec(
        "11 月内容日历",
        "done",
        "high",
        "amy",
        "",
        -40,
        -30,
        6,
        desc="""
        | 渠道 | 频率 | 负责人 |
        | --- | --- | --- |
        | 微信公众号 | 每周 3 篇（周二、四、六） | 张敏 |
        | 小红书 | 每天 1-2 篇 | 郑雪 |
        | 抖音 | 每周 5 条 | 郑雪 |
        | B站 | 每两周 1 条 | 郑雪 |
        """,
    ),
    ItemSpec(
        "12 月内容日历",
        "in_progress",
        "high",
        "amy",
        "",
        -5,
        3,
        6,
        progress=40,
        children=(
            ItemSpec("公众号 12 月排期", "in_progress", "medium", "amy", "微信公众号", -5, 2, 3),
            ItemSpec("短视频 12 月排期", "todo", "medium", "mia", "抖音 B站", -2, 3, 3),
        ),
    ),
    ItemSpec(
        "公众号｜「双十一怎么买最划算」攻略长文",
        "已排期",
        "high",
        "amy",
        "微信公众号 文案",
        -8,
        2,
        8,
        desc="""
        结构：
        1. 三分钟看懂预售、定金膨胀和跨店满减
        2. 凑单计算器（附表）
        3. 各分会场必买清单
        4. 常见问题
        """,
        comments=(("lead", "凑单表格很实用，建议做成长图同步小红书。"),),
    ),
    ItemSpec(
        "公众号｜年度好物榜单（上）",
        "in_progress",
        "medium",
        "amy",
        "微信公众号",
        -3,
        6,
        10,
        progress=30,
    ),
    ItemSpec(
        "公众号｜品牌故事：一位云南咖啡农",
        "in_review",
        "medium",
        "amy mia",
        "微信公众号 文案",
        -10,
        -1,
        10,
        comments=(("lead", "故事很好，开头 300 字可以再紧凑一些，今天改完就排期。"),),
    ),
    ItemSpec(
        "公众号｜粉丝问答第 12 期",
        "done",
        "low",
        "amy",
        "微信公众号",
        -14,
        -9,
        4,
        comments=(
            ("amy", "阅读 3.1 万，留言区最多的问题是 **预售定金能不能退**，已转给客服加进 FAQ。"),
        ),
    ),
    ItemSpec("公众号｜冬季护肤避坑指南", "backlog", "low", "", "微信公众号 文案", None, None, 6),
    ItemSpec("小红书｜秋冬穿搭合集 ×6", "done", "medium", "mia", "小红书", -20, -12, 12),
    ItemSpec(
        "小红书｜平价好物测评：十款保温杯",
        "in_review",
        "high",
        "mia",
        "小红书",
        -6,
        0,
        8,
    ),
    ItemSpec(
        "小红书｜「打工人早餐」系列 5 篇",
        "in_progress",
        "medium",
        "mia",
        "小红书 文案",
        -4,
        4,
        10,
        progress=40,
    ),
    ItemSpec(
        "小红书｜评论区互动与置顶运营",
        "in_progress",
        "low",
        "mia",
        "小红书 社群",
        -30,
        30,
        20,
        progress=50,
    ),
    ItemSpec(
        "抖音｜开箱短视频 ×10（大促预热）",
        "in_progress",
        "high",
        "mia design",
        "抖音",
        -7,
        3,
        24,
        progress=60,
        comments=(("mia", "已拍完 7 条，剩下 3 条等样品到货，预计后天补拍。"),),
    ),
    ItemSpec(
        "抖音｜剧情短视频脚本「省钱的男朋友」",
        "in_review",
        "medium",
        "amy",
        "抖音 文案",
        -5,
        -1,
        6,
    ),
    ItemSpec("抖音｜账号主页与橱窗装修", "done", "medium", "mia design", "抖音 设计", -25, -18, 6),
    ItemSpec(
        "B站｜「一年用下来，这些东西真值」年度视频",
        "in_progress",
        "medium",
        "mia",
        "B站",
        -10,
        12,
        30,
        progress=25,
    ),
    ItemSpec("B站｜动态与评论区运营", "todo", "low", "mia", "B站 社群", 0, 14, 8),
    ItemSpec("微博｜热点借势文案库", "backlog", "low", "amy", "微博 文案", None, None, 8),
    ItemSpec(
        "内容审核规范 v2（广告法禁用词）",
        "done",
        "high",
        "amy lead",
        "文案",
        -45,
        -38,
        6,
        desc="""
        **禁用词（节选）**：最、第一、国家级、顶级、100%、万能、史上、绝对。

        **审核流程**
        - [x] 作者自查
        - [x] 内容运营交叉审
        - [x] 涉及价格与活动规则的，由活动运营确认
        - [x] 敏感选题由运营负责人终审
        """,
    ),
    ItemSpec(
        "封面模板：公众号头图与小红书封面",
        "done",
        "medium",
        "design",
        "设计 微信公众号 小红书",
        -35,
        -28,
        12,
    ),
    ItemSpec(
        "视频剪辑外包供应商比价",
        "cancelled",
        "low",
        "mia",
        "",
        -30,
        -20,
        4,
        desc="决定先自己剪，外包放到明年 Q1 再议。",
    ),
    ItemSpec("内容数据周报自动化", "in_progress", "medium", "data", "数据", -8, 5, 12, progress=45),
    ItemSpec(
        "10 月爆款内容复盘 Top 10",
        "done",
        "medium",
        "data amy",
        "复盘 数据",
        -22,
        -15,
        6,
        desc="""
        | 平台 | 标题 | 阅读 / 播放 | 互动率 |
        | --- | --- | ---: | ---: |
        | 小红书 | 租房党必入的 8 件小东西 | 26.4 万 | 9.8% |
        | 抖音 | 30 秒看懂预售定金 | 118 万 | 6.1% |
        | 公众号 | 国庆出游清单 | 4.2 万 | 3.5% |
        | B站 | 百元内数码好物 | 32 万 | 7.4% |

        结论：**清单体 + 具体场景** 的内容表现最好，下月选题向这个方向倾斜。
        """,
    ),
    ItemSpec(
        "审批 12 月内容排期",
        "in_review",
        "high",
        "lead",
        "",
        -1,
        1,
        2,
        by="amy",
        comments=(("amy", "@lead 排期表已更新，重点看一下 12.12 那一周的安排。"),),
    ),
    ItemSpec("公众号菜单栏与自动回复更新", "todo", "low", "amy", "微信公众号", 2, 9, 3),
    ItemSpec("社群早报模板", "todo", "medium", "grace", "社群 文案", 1, 7, 4),
    ItemSpec("小红书企业号认证续费", "todo", "low", "amy", "小红书", 3, 5, 1),
    ItemSpec("抖音｜达人共创视频（3 位）", "todo", "medium", "leo mia", "抖音 KOL", 4, 18, 10),
    ItemSpec("视频号试运营 4 周", "backlog", "medium", "mia", "", None, None, 16),
    ItemSpec("年终盘点 H5 文案", "backlog", "medium", "amy", "文案 活动页", None, 30, 8),
    ItemSpec(
        "UGC 征集「我的鲸选年度好物」",
        "todo",
        "medium",
        "grace amy",
        "社群 文案",
        5,
        25,
        12,
    ),
    ItemSpec("公众号｜12 月会员日推文", "todo", "low", "grace", "会员 微信公众号", 8, 16, 4),
]

# --- 用户增长：新客拉新

GRW_ITEMS = [
    ItemSpec(
        "新客漏斗诊断：注册到首单",
        "done",
        "high",
        "data",
        "数据",
        -25,
        -18,
        12,
        desc="""
        | 步骤 | 人数 | 步骤转化 |
        | --- | ---: | ---: |
        | 下载安装 | 412,000 | — |
        | 完成注册 | 268,000 | 65.0% |
        | 浏览商品 | 201,000 | 75.0% |
        | 加购 | 92,500 | 46.0% |
        | 首单支付 | 48,200 | 52.1% |

        最大流失在 **浏览 → 加购**，新客看不到适合自己的低门槛商品。
        """,
        comments=(("grace", "结论很清楚，新人礼包改版（GRW-2）就按这个方向做。"),),
    ),
    ItemSpec(
        "新人礼包改版：3 张券改为 1 元购",
        "实验中",
        "urgent",
        "grace kevin",
        "会员 活动页",
        -14,
        4,
        20,
        progress=60,
        desc="""
        **假设**：1 元购比满减券门槛更低，首单转化率提升 5 个百分点。

        | 组 | 流量 | 礼包 |
        | --- | ---: | --- |
        | A（对照） | 50% | 3 张满减券 |
        | B（实验） | 50% | 1 元购 10 选 1 |

        主要指标：首单转化率；护栏指标：新客 7 日留存、补贴成本。
        实验周期 14 天，第 7 天看一次中期数据。
        """,
        comments=(
            ("data", "中期数据：B 组首单转化率 23.4%，A 组 18.6%，差异显著（p < 0.01）。"),
            ("grace", "补贴成本 B 组每单高 ¥2.1，但首单率提升覆盖得住，继续跑满 14 天。"),
            (
                "data",
                """
                第 10 天数据：

                | 组 | 新客数 | 首单转化率 | 7 日留存 | 单均补贴 |
                | --- | ---: | ---: | ---: | ---: |
                | A | 21,430 | 18.9% | 31.2% | ¥6.4 |
                | B | 21,388 | 24.1% | 33.0% | ¥8.5 |
                """,
            ),
        ),
    ),
    ItemSpec(
        "邀请有礼 2.0：老带新双向奖励",
        "in_progress",
        "high",
        "grace",
        "社群 活动页",
        -10,
        8,
        24,
        progress=45,
        desc="""
        - 邀请人：好友首单后得 ¥15 无门槛券，每月上限 10 次
        - 被邀请人：注册即得 ¥20 新人券
        - 风控：同设备、同收货地址不计奖励
        """,
        children=(
            ItemSpec(
                "邀请规则与风控阈值",
                "done",
                "high",
                "data",
                "数据 技术对接",
                -10,
                -5,
                6,
                by="grace",
            ),
            ItemSpec("邀请页面设计", "in_review", "high", "design", "设计", -6, 0, 12, by="grace"),
            ItemSpec("邀请奖励发放对账", "todo", "medium", "data", "数据", 3, 10, 4, by="grace"),
        ),
    ),
    ItemSpec(
        "注册页：本机号码一键登录",
        "实验中",
        "high",
        "kevin",
        "技术对接",
        -12,
        2,
        16,
        progress=70,
    ),
    ItemSpec(
        "新客 7 日 Push 旅程",
        "in_progress",
        "high",
        "grace",
        "数据",
        -6,
        5,
        10,
        progress=40,
        desc="""
        | 天 | 触发条件 | 内容 |
        | --- | --- | --- |
        | D0 | 注册未下单 | 新人 1 元购入口 |
        | D1 | 浏览未加购 | 同类热销榜 |
        | D3 | 加购未付款 | 购物车降价提醒 |
        | D7 | 仍未下单 | 限时 ¥10 券 |
        """,
    ),
    ItemSpec("新客首单 48 小时客服回访", "todo", "medium", "grace", "社群", 2, 12, 8),
    ItemSpec(
        "新客 30 日留存分析（按渠道）",
        "in_progress",
        "high",
        "data",
        "数据",
        -5,
        1,
        8,
        progress=55,
    ),
    ItemSpec("应用商店 ASO 关键词优化", "in_progress", "medium", "leo", "投放", -8, 6, 8),
    ItemSpec(
        "拉新渠道 CAC 对比表",
        "in_review",
        "high",
        "data leo",
        "数据 投放",
        -7,
        -1,
        6,
        comments=(("leo", "应用商店的 CAC 要扣掉返点再算，不然偏高 12% 左右。"),),
    ),
    ItemSpec("企业微信新客欢迎语与分层标签", "done", "medium", "grace", "社群", -20, -12, 6),
    ItemSpec("校园大使计划（10 所高校）", "backlog", "low", "grace", "社群", None, None, 24),
    ItemSpec("新客专享价商品池（50 个 SKU）", "todo", "medium", "kevin", "活动页", 1, 8, 6),
    ItemSpec("裂变海报模板 ×5", "done", "medium", "design", "设计", -18, -11, 10),
    ItemSpec(
        "增长周会（第 4 周）",
        "in_progress",
        "medium",
        "lead",
        "复盘",
        -1,
        0,
        2,
        progress=50,
        desc="""
        议程：
        1. 新人礼包 A/B 中期数据（赵琳）
        2. 邀请有礼 2.0 进度（刘思雨）
        3. 渠道 CAC 对比与预算调整（王磊）
        4. 下周重点
        """,
    ),
    ItemSpec(
        "审批：新人礼包补贴预算追加 ¥30,000",
        "in_review",
        "urgent",
        "lead",
        "",
        -4,
        -1,
        1,
        by="grace",
        comments=(("grace", "@lead 实验组补贴超出原预算，申请追加 3 万元，测算见附表。"),),
    ),
    ItemSpec("沉默新客召回短信实验", "todo", "medium", "grace", "数据", 3, 14, 8),
    ItemSpec("小程序分享卡片优化", "todo", "low", "kevin design", "设计", 4, 11, 6),
    ItemSpec("新客 NPS 调研问卷", "backlog", "low", "grace", "数据", None, None, 6),
    ItemSpec(
        "拉新作弊设备识别", "in_progress", "high", "data", "数据 技术对接", -6, 3, 12, progress=35
    ),
    ItemSpec(
        "老用户推荐排行榜活动",
        "cancelled",
        "low",
        "kevin",
        "活动页",
        -15,
        -8,
        None,
        desc="与邀请有礼 2.0 重复，合并到 GRW-3。",
    ),
    ItemSpec("增长实验看板（登记与结果）", "done", "medium", "data", "数据", -22, -15, 10),
    ItemSpec("新客首页千人千面楼层", "backlog", "medium", "kevin", "技术对接", None, None, 32),
    ItemSpec(
        "下载落地页 A/B：视频与静态图",
        "实验中",
        "medium",
        "leo design",
        "投放 设计",
        -9,
        5,
        10,
        progress=50,
    ),
    ItemSpec("新客权益说明页文案", "done", "low", "amy", "文案", -16, -12, 3),
    ItemSpec("地推合作：社区团长试点", "backlog", "low", "hao", "社群", None, 40, 16),
    ItemSpec("Q4 拉新目标月度拆解", "done", "high", "lead data", "数据", -25, -20, 4),
]

# --- 渠道投放复盘 (private)

ADS_ITEMS = [
    ItemSpec(
        "Q3 投放数据拉取",
        "done",
        "high",
        "data",
        "数据",
        -60,
        -52,
        8,
        desc="数据源：巨量引擎、腾讯广告、百度营销、小红书聚光、应用商店后台。",
    ),
    ItemSpec(
        "渠道归因口径统一（UTM 规范）",
        "done",
        "high",
        "data leo",
        "数据",
        -58,
        -50,
        6,
        desc="""
        | utm_source | 渠道 | 示例 utm_campaign |
        | --- | --- | --- |
        | `oceanengine` | 巨量引擎 | `q3_newuser_feed` |
        | `tencent_ads` | 腾讯广告 | `q3_moments` |
        | `xhs_juguang` | 小红书聚光 | `q3_seeding` |
        | `appstore_huawei` | 华为应用市场 | `q3_cpd` |
        """,
    ),
    ItemSpec(
        "巨量引擎复盘：CAC 与 7 日 ROI",
        "in_review",
        "high",
        "leo",
        "投放 数据",
        -20,
        -3,
        10,
        comments=(
            ("data", "7 日 ROI 1.8，比腾讯广告低；但新客 30 日复购更高，建议看 30 日 ROI。"),
            ("lead", "同意，复盘报告里两个口径都写上。"),
        ),
    ),
    ItemSpec(
        "腾讯广告（朋友圈 + 公众号流量主）复盘",
        "in_progress",
        "high",
        "leo",
        "投放 微信公众号",
        -12,
        2,
        10,
        progress=60,
    ),
    ItemSpec(
        "小红书聚光投放复盘", "in_progress", "medium", "leo", "投放 小红书", -10, 4, 8, progress=40
    ),
    ItemSpec(
        "百度信息流：是否继续投放",
        "todo",
        "medium",
        "leo",
        "投放 数据",
        1,
        6,
        4,
        desc="""
        **选项**
        1. 停投，预算转给应用商店
        2. 只保留品牌词
        3. 维持现状

        Q3 CAC ¥46，高于目标 ¥30；ROI 0.9。
        """,
    ),
    ItemSpec("B站花火合作效果评估", "todo", "medium", "leo data", "B站 KOL", 2, 9, 6),
    ItemSpec(
        "应用商店（华为、小米、OPPO、vivo）买量复盘",
        "in_progress",
        "medium",
        "leo",
        "投放",
        -9,
        3,
        8,
        progress=50,
    ),
    ItemSpec(
        "素材维度分析：Top 20 素材特征",
        "in_progress",
        "medium",
        "data",
        "设计 数据",
        -7,
        5,
        10,
        progress=30,
    ),
    ItemSpec(
        "异常流量排查：某联盟渠道",
        "done",
        "urgent",
        "data",
        "技术对接 数据",
        -40,
        -36,
        6,
        comments=(("data", "确认约 18% 的激活来自同一批设备指纹，已停投并申请退款。"),),
    ),
    ItemSpec("渠道结算对账（9 月）", "done", "medium", "hao leo", "数据", -35, -25, 6),
    ItemSpec(
        "渠道结算对账（10 月）", "in_progress", "high", "hao", "数据", -10, -3, 6, progress=70
    ),
    ItemSpec(
        "Q4 预算分配建议",
        "todo",
        "high",
        "lead leo",
        "投放 数据",
        0,
        5,
        6,
        desc="""
        | 渠道 | Q3 花费（元） | Q3 ROI | Q4 建议 |
        | --- | ---: | ---: | --- |
        | 巨量引擎 | 420,000 | 1.8 | 维持 |
        | 腾讯广告 | 310,000 | 2.6 | +20% |
        | 小红书聚光 | 160,000 | 2.9 | +30% |
        | 百度信息流 | 90,000 | 0.9 | 停投 |
        | 应用商店 | 140,000 | 3.4 | +15% |
        """,
    ),
    ItemSpec("投放复盘报告（给管理层）", "todo", "high", "lead", "复盘", 2, 7, 8),
    ItemSpec("代理商返点政策梳理", "backlog", "low", "leo", "投放", None, None, 4),
    ItemSpec("oCPX 出价策略调整实验", "in_progress", "medium", "leo", "投放", -5, 9, 8),
    ItemSpec("渠道黑名单更新", "done", "medium", "data", "数据", -30, -27, 2),
    ItemSpec("竞品投放素材监测", "backlog", "low", "leo", "投放 设计", None, None, 8),
    ItemSpec("投放周报模板", "done", "low", "data", "复盘", -45, -40, 3),
    ItemSpec(
        "分渠道 LTV 预测模型",
        "in_progress",
        "high",
        "data",
        "数据",
        -14,
        10,
        24,
        progress=35,
        comments=(
            ("leo", "模型出来后能不能按渠道给一个 CAC 上限？投放出价要用。"),
            ("data", "可以，输出 `LTV90 / 目标 ROI` 作为每个渠道的 CAC 上限，下周给第一版。"),
        ),
    ),
    ItemSpec(
        "与财务核对投放花费口径",
        "in_review",
        "medium",
        "lead hao",
        "数据",
        -6,
        -2,
        3,
        comments=(("hao", "财务口径含税，投放后台不含税，报告统一用不含税金额。"),),
    ),
    ItemSpec("停投 ROI < 1 的计划", "done", "high", "leo", "投放", -28, -24, 3),
    ItemSpec(
        "抖音本地推试投",
        "cancelled",
        "low",
        "leo",
        "抖音 投放",
        -26,
        -20,
        4,
        desc="不适合全国电商业务，取消。",
    ),
    ItemSpec("投放账户权限整理", "todo", "low", "hao", "", 3, 10, 2),
    ItemSpec("归因窗口期评估（1 天与 7 天）", "todo", "medium", "data", "数据", 4, 12, 6),
]

PROJECTS = [
    {
        "name": "双十一大促",
        "key": "D11",
        "kind": "campaign",
        "stage": "executing",
        "visibility": "workspace",
        "owner": "lead",
        "members": "kevin amy grace leo data design xinghe",
        "start": -35,
        "end": SALE + 14,
        "budget": "500000",
        "goal": "双十一 GMV 达到 3,000 万元（同比 +30%），新客下单 8 万人，活动期 DAU 峰值 120 万。",
        "scope": (
            "- 预热、预售、正式开售、返场四个阶段\n"
            "- 主会场 + 6 个分会场，站内会场、短信与 Push、社群\n"
            "- 站外：信息流广告、小红书 / 抖音 / B站 KOL、品牌自播\n"
            "- 不含：仓储物流与客服排班（由供应链和客服中心负责）"
        ),
        "states": {"done": "已上线"},
        "extra_states": [("已排期", "todo", "#0ea5e9")],
        "items": D11_ITEMS,
    },
    {
        "name": "Q4 内容计划",
        "key": "CNT",
        "kind": "content",
        "stage": "executing",
        "visibility": "workspace",
        "owner": "amy",
        "members": "mia design data lead leo grace",
        "start": -50,
        "end": 40,
        "budget": "80000",
        "goal": "Q4 公众号 36 篇、小红书 60 篇、抖音 40 条、B站 12 条；内容带来新增关注 15 万，内容引导 GMV 300 万元。",
        "scope": "微信公众号、小红书、抖音、B站、微博的原创内容与评论区运营；不含付费投放素材。",
        "states": {
            "backlog": "选题池",
            "todo": "待创作",
            "in_progress": "创作中",
            "done": "已发布",
            "cancelled": "已放弃",
        },
        "extra_states": [("已排期", "in_review", "#0ea5e9")],
        "items": CNT_ITEMS,
    },
    {
        "name": "用户增长：新客拉新",
        "key": "GRW",
        "kind": "growth",
        "stage": "executing",
        "visibility": "workspace",
        "owner": "grace",
        "members": "data leo kevin design lead",
        "start": -25,
        "end": 65,
        "budget": "200000",
        "goal": "Q4 新增注册 50 万，新客首单转化率从 18% 提升到 25%，新客 30 日留存不低于 35%，CAC 不高于 ¥28。",
        "scope": "新人礼包、邀请有礼、注册与首单路径、新客触达；渠道投放的预算在「渠道投放复盘」里管理。",
        "states": {"in_review": "待评审"},
        "extra_states": [("实验中", "in_progress", "#06b6d4")],
        "items": GRW_ITEMS,
    },
    {
        "name": "渠道投放复盘",
        "key": "ADS",
        "kind": "channel",
        "stage": "monitoring",
        "visibility": "private",
        "owner": "leo",
        "members": "data lead",
        "start": -60,
        "end": 10,
        "budget": "30000",
        "goal": "复盘 Q3 各投放渠道的花费、获客与 ROI，给出 Q4 预算分配建议：整体 ROI 不低于 2.5，CAC 不高于 ¥30。",
        "scope": "巨量引擎、腾讯广告、百度、小红书聚光、B站花火、应用商店；含结算对账与作弊流量排查。",
        "states": {},
        "extra_states": [],
        "items": ADS_ITEMS,
    },
]

# --- conversation: replies and reactions on the item comments above, project comments,
# discussions. Items are named by title; comments by their place in the item's list.

REPLIES = [
    # item title, index of the comment answered, who, text
    (
        "主会场活动页上线（H5 + 小程序）",
        0,
        "kevin",
        "角标偏移是绝对定位导致的，已让前端改成 flex 布局，今晚随埋点一起发版。",
    ),
    (
        "笔记脚本审核（第一批 12 篇）",
        0,
        "xinghe",
        "收到，违禁词已全部替换，修改版明早 10 点前重新提交。",
    ),
    (
        "新人礼包改版：3 张券改为 1 元购",
        1,
        "lead",
        "同意继续跑满 14 天。@data 第 14 天把 30 日留存的预测一起给出来。",
    ),
]

REACTIONS = [
    # item title, index of the comment, who, emoji
    ("双十一整体策划方案 v3 定稿", 0, "lead", "👍"),
    ("双十一整体策划方案 v3 定稿", 0, "amy", "👍"),
    ("双十一整体策划方案 v3 定稿", 1, "grace", "👀"),
    ("社群预热：100 个福利群每日秒杀", 0, "lead", "🎉"),
    ("社群预热：100 个福利群每日秒杀", 0, "kevin", "🚀"),
    ("新人礼包改版：3 张券改为 1 元购", 0, "grace", "🎉"),
    ("异常流量排查：某联盟渠道", 0, "lead", "👏"),
    ("公众号｜粉丝问答第 12 期", 0, "mia", "❤️"),
]

PROJECT_COMMENTS = [
    # project key, who, text
    (
        "D11",
        "lead",
        "本周五 15:00 大促作战会，各模块负责人带上进度和风险。@kevin @amy @leo @data",
    ),
    ("D11", "kevin", "活动页、券规则、应急预案三块我来讲，预计 20 分钟。"),
    ("CNT", "amy", "12 月排期初稿已放在文件库「排期」文件夹，欢迎直接批注。"),
]

DISCUSSIONS = [
    {
        "project": "D11",
        "title": "预售期要不要加一场品牌直播？",
        "author": "kevin",
        "posts": [
            (
                "kevin",
                "竞品今年预售期都在做店播。我们要不要在预售第二天加一场品牌直播？"
                "需要 @mia 评估一下人手和排期。",
            ),
            ("mia", "人手可以，但主播和选品要提前一周定，预算大概 2 万。"),
            (
                "lead",
                "可以试，控制在 2 万以内。@data 准备一个直播间转化看板，挂到 #D11-9 下面。",
            ),
        ],
    },
    {
        "project": "CNT",
        "title": "小红书账号定位：测评还是攻略？",
        "author": "amy",
        "posts": [
            (
                "amy",
                "近 30 天攻略类笔记平均收藏 1,240，测评类 610，但测评的进店率高一倍。"
                "下季度内容配比怎么定？",
            ),
            ("mia", "建议 6:4，攻略拉新、测评转化，两类分开看指标。"),
            ("data", "同意分开看。我把两类笔记的 UTM 拆开，下周给出转化对比。"),
        ],
    },
]

# --- files: the project file library, with versions and attachments

FOLDERS = [
    # project key, folder name
    ("D11", "设计稿"),
    ("D11", "合同与报价"),
    ("CNT", "排期"),
]

FILES = [
    # project key, folder (or ""), file name, kind, who; versions: notes of later versions
    {
        "project": "D11",
        "folder": "设计稿",
        "name": "主会场KV.png",
        "kind": "banner",
        "colours": ((239, 68, 68), (124, 58, 237)),
        "by": "design",
        "versions": ["按法务意见去掉「全网最低」字样", "角标位置下移 2px"],
        "item": "主会场活动页上线（H5 + 小程序）",
    },
    {
        "project": "D11",
        "folder": "合同与报价",
        "name": "Double11-brief.pdf",
        "kind": "pdf",
        "lines": [
            "Double 11 campaign brief (v3)",
            "GMV target: 30,000,000 CNY (+30% YoY)",
            "New buyers: 80,000",
            "Budget: 500,000 CNY",
            "Pre-sale 10.20 - 10.31, sale 11.11",
        ],
        "by": "lead",
        "versions": [],
        "item": "双十一整体策划方案 v3 定稿",
    },
    {
        "project": "CNT",
        "folder": "排期",
        "name": "12月内容排期封面.png",
        "kind": "banner",
        "colours": ((14, 165, 233), (16, 185, 129)),
        "by": "amy",
        "versions": [],
        "item": "",
    },
]

# --- meetings: a weekly ops sync (its last occurrence, and the next one made from it)
# and a one-to-one. day: days from next Monday; time: local time of day.

MEETINGS = [
    {
        "title": "运营周例会",
        "kind": "meeting",
        "project": "D11",
        "organizer": "lead",
        "attendees": "kevin amy grace leo data design",
        "day": -7,
        "time": (10, 0),
        "minutes_long": 60,
        "location": "3F 大会议室 / 飞书会议",
        "recurrence": "weekly",
        "agenda": [
            ("上周大盘数据复盘", "data", True),
            ("双十一预热节奏与排期", "kevin", True),
            ("小红书 KOL 合作进度", "amy", False),
        ],
        "minutes": """
        ## 数据
        - 上周 DAU 86 万（环比 +4%），新客首单率 19.2%
        - 预约人数 12.6 万，距目标 20 万还差 37%

        ## 讨论
        - 预热期提前到 10 月 20 日，与主会场同步上线
        - KOL 第二批脚本本周五前交付，违禁词由 @amy 统一把关
        """,
        "decisions": [
            "预热期提前到 10 月 20 日，主会场与预约页同步上线。",
            "KOL 合作预算上限 15 万元，超出需运营负责人审批。",
        ],
        "actions": [
            # title, owner, due in days, made a work item
            ("整理 KOL 报名名单并核对档期", "amy", 3, True),
            ("活动页弱网与低端机测试报告", "kevin", 2, True),
            ("预约人数日报加上渠道拆分", "data", 1, False),
        ],
        "next": True,
    },
    {
        "title": "1:1 林晓 × 张敏",
        "kind": "one_on_one",
        "project": "",
        "organizer": "lead",
        "attendees": "amy",
        "day": -4,
        "time": (16, 0),
        "minutes_long": 30,
        "location": "小会议室 B",
        "recurrence": "biweekly",
        "agenda": [("Q4 内容目标与个人成长", "amy", True)],
        "minutes": """
        - 公众号阅读量达标，小红书收藏率偏低，下月试两组选题
        - 想学习数据分析：每周跟 @data 过一次内容数据
        """,
        "decisions": [],
        "actions": [("整理小红书两组选题方案", "amy", 7, False)],
        "next": False,
    },
]

# --- planning: "blocks" links (finish-to-start) and milestones, by item title

DEPENDENCIES = [
    # blocker, blocked
    ("主会场 KV 与视觉规范", "主会场活动页上线（H5 + 小程序）"),
    ("满减与跨店券规则配置", "主会场活动页上线（H5 + 小程序）"),
    ("活动规则法务合规审核", "主会场活动页上线（H5 + 小程序）"),
    ("信息流广告素材（9 套）", "巨量引擎与腾讯广告投放计划"),
    ("品牌自播间双十一直播脚本", "主播口播稿与商品卖点卡"),
    ("主会场活动页上线（H5 + 小程序）", "开售当晚作战室值守排班"),
]

MILESTONES = [
    # project key, name, day, item titles
    (
        "D11",
        "预售开启",
        1,
        [
            "主会场活动页上线（H5 + 小程序）",
            "满减与跨店券规则配置",
            "活动规则法务合规审核",
            "微信公众号预热推文（3 篇）",
        ],
    ),
    (
        "D11",
        "正式开售",
        10,
        [
            "抖音达人直播专场（3 场）",
            "开售当晚作战室值守排班",
            "客服话术与 FAQ 更新",
            "风控：薅羊毛账号识别规则",
        ],
    ),
]

# --- custom fields (渠道 for D11, 预算 for the workspace) on D11's first items, and a
# shared saved view that groups the list by channel

CHANNELS = [("抖音", "#111827"), ("小红书", "#ef4444"), ("微信", "#16a34a")]
FIELD_ITEMS = 12  # the first items of D11 get a channel and a budget

# --- skills (named like the discipline labels, so items ask for them) and capacity

SKILLS = [
    ("文案", "#0ea5e9"),
    ("设计", "#ec4899"),
    ("投放", "#f97316"),
    ("数据", "#6366f1"),
    ("社群", "#14b8a6"),
]
PROFILES = {
    # username: skills, hours a week
    "lead": (["数据", "投放"], 20),
    "hao": (["数据"], 24),
    "amy": (["文案", "社群"], 40),
    "kevin": (["文案", "投放"], 40),
    "grace": (["社群", "数据"], 40),
    "leo": (["投放", "数据"], 40),
    "data": (["数据"], 40),
    "design": (["设计"], 36),
    "mia": (["文案", "设计"], 40),
    "xinghe": (["文案"], 16),
}
TIME_LOGS = [
    # item title, who, days ago, duration, note
    ("主会场 KV 与视觉规范", "design", 20, "6h", "主视觉三稿"),
    ("主会场 KV 与视觉规范", "design", 19, "4h30m", "按反馈修改并出规范"),
    ("主会场活动页上线（H5 + 小程序）", "kevin", 3, "3h", "联调与埋点验收"),
    ("满减与跨店券规则配置", "data", 6, "2h", "核销率测算"),
    ("小红书 KOL 种草：30 篇笔记", "amy", 2, "1h30m", "脚本审核"),
]

# Users' events: the app's sources, and 90 days of made-up events of several thousand
# users (opsloop/events/generate.py), the same every load.
EVENT_SOURCES = [("鲸选 H5 商城", "web"), ("鲸选小程序", "miniprogram")]
EVENTS = {"events": 60_000, "persons": 4_000, "days": 90}


# Saved insights over the demo's events, as the team would have left them.
INSIGHTS = [
    {
        "name": "日活与下单用户",
        "description": "每天打开 App 的用户，和其中下单的人。",
        "query": {
            "kind": "trends",
            "series": [
                {"event": "app_open", "math": "dau"},
                {"event": "order_paid", "math": "dau"},
            ],
            "formula": "B / A * 100",
            "date_range": {"preset": "last_30_days"},
        },
    },
    {
        "name": "注册到首单（按渠道）",
        "description": "双11 前后各渠道的转化，14 天窗口。",
        "query": {
            "kind": "funnel",
            "steps": [
                {"event": "app_open"},
                {"event": "signup"},
                {"event": "activate"},
                {"event": "first_order"},
            ],
            "breakdown": {"key": "utm_source"},
            "date_range": {"preset": "last_90_days"},
        },
    },
    {
        "name": "新注册用户周留存",
        "description": "",
        "query": {
            "kind": "retention",
            "start": {"event": "signup"},
            "returning": {"event": "app_open"},
            "period": "week",
            "periods": 8,
            "date_range": {"preset": "last_90_days"},
        },
    },
    {
        "name": "首单渠道归因（首次触点）",
        "description": "",
        "query": {
            "kind": "attribution",
            "conversion": {"event": "first_order"},
            "date_range": {"preset": "last_90_days"},
        },
    },
]

# KPIs and the quarter's objectives (opsloop/goals). A KPI from an insight names the
# insight above by name; a manual one gets `values` (a start and a daily gain over the
# last `days` days, with a little noise); a KR's target is its KPI's latest value times
# `lift` (its start the KPI's first value in the period), so the demo shows a spread of
# statuses whatever day it is loaded on.
KPIS = [
    {"name": "日活跃用户", "unit": "人", "source": "insight", "insight": "日活与下单用户",
     "definition": {"series": 0}},
    {"name": "首单转化率", "unit": "%", "source": "insight", "insight": "注册到首单（按渠道）",
     "definition": {"measure": "conversion"}},
    {"name": "新用户次周留存", "unit": "%", "source": "insight", "insight": "新注册用户周留存",
     "definition": {"period": 1}},
    {"name": "公众号粉丝", "unit": "人", "source": "manual",
     "values": {"start": 48200, "gain": 180, "days": 45}},
    {"name": "小红书粉丝", "unit": "人", "source": "manual",
     "values": {"start": 12600, "gain": 35, "days": 45}},
    {"name": "双11 任务完成数", "unit": "个", "source": "work",
     "definition": {"measure": "items_done", "projects": ["D11"]}},
]  # fmt: skip
OBJECTIVES = [
    {
        "title": "Q4 用户增长：双11 带来更多活跃用户",
        "owner": "lead",
        "key_results": [
            {"title": "日活跃用户提升 20%", "kpi": "日活跃用户", "lift": 1.2, "weight": 2,
             "projects": ["D11", "GRW"]},
            {"title": "首单转化率提升到 1.3 倍", "kpi": "首单转化率", "lift": 1.3},
            {"title": "新用户次周留存不低于现在", "kpi": "新用户次周留存", "lift": 1.0},
        ],
    },
    {
        "title": "内容运营：公众号和小红书涨粉",
        "team": "内容运营组",
        "owner": "lead",
        "key_results": [
            {"title": "公众号粉丝再涨 15%", "kpi": "公众号粉丝", "lift": 1.15, "projects": ["CNT"]},
            {"title": "小红书粉丝再涨 5%", "kpi": "小红书粉丝", "lift": 1.05},
        ],
    },
]  # fmt: skip


# Decision records (opsloop/decisions): options, criteria with weights, each person's
# scores (a row per option, a score per criterion, 0 for none), and for some the decision.
DECISIONS = [
    {
        "title": "双十一主会场是否加码抖音投放",
        "project": "D11",
        "owner": "lead",
        "problem": "预售首周抖音渠道的首单转化率高于信息流，但抖音投放预算已用掉 70%。",
        "context": "- 预售首周：抖音带来新客 1.2 万，信息流 0.9 万\n- 剩余可调预算 12 万元\n- 达人档期需提前 5 天锁定",
        "scorers": "lead hao leo data",
        "kpis": ["首单转化率", "日活跃用户"],
        "options": [
            "加码抖音 8 万（达人直播 + 信息流）",
            "维持原预算，余量给小红书",
            "加码信息流 8 万",
        ],
        "criteria": [("预计 ROI", 3), ("新客获取", 2), ("执行风险（分高风险低）", 1)],
        "scores": {
            "lead": [[5, 5, 3], [3, 3, 4], [3, 4, 4]],
            "hao": [[4, 4, 2], [4, 3, 5], [3, 3, 4]],
            "leo": [[5, 5, 3], [2, 3, 4], [4, 4, 3]],
            "data": [[4, 5, 3], [3, 2, 4], [3, 3, 4]],
        },
        "work": ["抖音达人直播专场（3 场）"],
        "decided": {
            "option": 0,
            "why": "ROI 与新客两项都领先，分歧小（σ ≤ 0.5）；风险在达人档期，由王磊本周锁定。",
            "review": 10,
            "ago": -12,
        },
    },
    {
        "title": "小红书种草内容外包还是自产",
        "project": "CNT",
        "owner": "amy",
        "problem": "小红书粉丝增长放缓，月更 12 篇人手不够。",
        "context": "代理商报价 800 元 / 篇；自产需再招一名兼职编辑。",
        "scorers": "amy mia lead",
        "kpis": ["小红书粉丝"],
        "options": ["全部外包给代理商", "自产为主，热点外包", "全部自产"],
        "criteria": [("内容质量", 2), ("成本", 2), ("出稿速度", 1)],
        "scores": {
            "amy": [[3, 2, 5], [4, 4, 4], [5, 3, 2]],
            "mia": [[2, 3, 5], [4, 4, 3], [0, 0, 0]],
        },
    },
    {
        "title": "会员日短信改为企业微信触达",
        "project": "GRW",
        "owner": "grace",
        "problem": "会员日短信点击率降到 0.8%，成本每月 1.6 万元。",
        "context": "企业微信已沉淀 4.2 万会员好友。",
        "scorers": "grace data lead",
        "kpis": ["新用户次周留存"],
        "options": ["全部改为企业微信", "短信 + 企业微信并行一个月"],
        "criteria": [("触达率", 2), ("成本", 1)],
        "scores": {
            "grace": [[4, 5], [4, 3]],
            "data": [[3, 5], [4, 3]],
            "lead": [[4, 5], [5, 2]],
        },
        "decided": {"option": 1, "why": "先并行一个月，对比留存再定。", "review": -3, "ago": -40},
        "review": (
            "partly",
            "企业微信点击率 6.5%，但覆盖只有短信的 60%；保留短信给未加好友的会员。",
        ),
    },
]
