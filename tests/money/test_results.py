"""Campaign results known by hand: a campaign with known spend (placement days, spend
entries, a cooperation) and known events (some users first touched by its UTM, some not),
on DuckDB and on chdb (embedded ClickHouse) alike: CAC, CPA, ROAS and ROI, by channel,
placement, partner and piece, first touch and last touch.

The world (Beijing time, the range 2026-03-01 to 03-10, conversion order_paid with its
revenue in `amount`, 30 days):

spend in the range: placement 抖音信息流 (douyin/d11/feed) 300 on 03-02 (10,000
impressions, 200 clicks) and 200 on 03-03 (5,000, 100); a spend entry of 100 on 03-04 on
a budget line of the douyin channel; 500 paid on 03-03 for a cooperation with the KOL
小红书达人A, which produced a piece linked xiaohongshu/d11/kol-a (reach 20,000, 300
clicks). Not counted: 999 entered against the placement (its days are its spend), 1,000
on 03-20 (after the range), 50 USD on 03-05 (another currency). Spend 1,100.

users:
- u1 first seen 03-02 from douyin/d11/feed; orders 199 then 101: 2 conversions, 300.
- u2 first seen 03-03 with no UTM, then from xiaohongshu/d11/kol-a; orders 500.
- u3 first seen 03-04 from douyin/spring (another campaign), then douyin/d11/feed on 03-05;
  orders 1,000 on 03-06: the campaign's under last touch only.
- u4 first seen 03-05 with no UTM; orders 50: direct.
- u5 first seen 02-20 from douyin/d11/feed, orders 80 on 03-03: not new in the range.
- u6 first seen 03-06 from douyin/d11/feed; no order.
- u7 first seen 03-08 from douyin/d11/feed; orders on 04-20, past the 30-day window.

First touch, the campaign: u1, u2, u6, u7: 4 new users, 3 conversions, revenue 800.
CAC 1100/4 = 275.00, CPA 1100/3 = 366.67, ROAS 800/1100 = 0.7273, ROI -300/1100 = -0.2727.
Last touch adds u3: 5 users, 4 conversions, 1,800: CAC 220.00, CPA 275.00, ROAS 1.6364,
ROI 0.6364.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from opsloop.channels.models import Channel, Link
from opsloop.content.models import ContentPiece, ContentResult
from opsloop.core.errors import Forbidden, Invalid
from opsloop.events.models import Person
from opsloop.events.store import get_store
from opsloop.money import results
from opsloop.money.models import (
    BudgetLine,
    Conversion,
    Placement,
    PlacementDay,
    SpendEntry,
)
from opsloop.money.results_events import Group
from opsloop.partners.models import Cooperation, Partner
from tests.conftest import membership_of
from tests.events._pipeline import open_store, row

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
FIRST, LAST = dt.date(2026, 3, 1), dt.date(2026, 3, 10)


def local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI).astimezone(dt.UTC)


@pytest.fixture(params=["duckdb", "clickhouse"])
def store(request, settings, tmp_path, monkeypatch):
    """The event store results read: DuckDB over Parquet, or chdb, the embedded
    ClickHouse (through the same ClickHouseStore a ClickHouse server gets)."""
    settings.DATA_DIR = tmp_path
    settings.EVENTS_BACKEND = "duckdb"
    settings.INSIGHTS_PERSONS_TTL = 0
    if request.param == "duckdb":
        yield get_store()
        return
    with open_store("clickhouse", tmp_path) as opened:
        monkeypatch.setattr(results, "get_store", lambda: opened)
        yield opened


@pytest.fixture
def duckdb_store(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.EVENTS_BACKEND = "duckdb"
    settings.INSIGHTS_PERSONS_TTL = 0
    return get_store()


class Users:
    """Persons (in the workspace database, with when they were first seen) and their
    events (in the store)."""

    def __init__(self, workspace, store):
        self.workspace, self.store = workspace, store
        self.rows: list[dict] = []
        self.persons: dict[str, Person] = {}

    def event(self, who: str, event: str, when: str, **values) -> Users:
        moment = local(when)
        person = self.persons.get(who)
        if person is None:
            person = Person.objects.create(
                workspace=self.workspace, user_id=who, first_seen=moment, last_seen=moment
            )
            self.persons[who] = person
        elif moment < person.first_seen:
            person.first_seen = moment
            person.save(update_fields=["first_seen"])
        self.rows.append(
            row(
                workspace_id=self.workspace.pk,
                person_id=person.pk,
                user_id=who,
                event=event,
                timestamp=moment,
                received_at=moment,
                **values,
            )
        )
        return self

    def visit(self, who: str, when: str, utm: str = "") -> Users:
        source, campaign, content = ([*utm.split("/"), "", ""])[:3] if utm else ("", "", "")
        return self.event(
            who, "$pageview", when, utm_source=source, utm_campaign=campaign, utm_content=content
        )

    def order(self, who: str, when: str, amount) -> Users:
        return self.event(who, "order_paid", when, properties={"amount": amount})

    def save(self) -> None:
        self.store.write(self.rows)


def build_campaign(workspace, owner, project, store) -> dict:
    """The world of the module docstring; its objects by name."""
    ws = workspace.pk
    douyin = Channel.objects.create(
        workspace=workspace, name="抖音", platform="douyin", utm_source="douyin"
    )
    xhs = Channel.objects.create(
        workspace=workspace, name="小红书", platform="xiaohongshu", utm_source="xiaohongshu"
    )
    Link.objects.create(
        workspace=workspace, code="d11dy", destination="https://shop.example.com/d11",
        utm_source="douyin", utm_campaign="d11", project=project, channel=douyin,
    )  # fmt: skip
    placement = Placement.objects.create(
        workspace=workspace, project=project, name="抖音信息流", platform="ocean_engine",
        channel=douyin, utm_source="douyin", utm_campaign="d11", utm_content="feed",
    )  # fmt: skip
    PlacementDay.objects.create(
        placement=placement,
        day=dt.date(2026, 3, 2),
        spend=D("300.00"),
        impressions=10000,
        clicks=200,
    )
    PlacementDay.objects.create(
        placement=placement,
        day=dt.date(2026, 3, 3),
        spend=D("200.00"),
        impressions=5000,
        clicks=100,
    )
    PlacementDay.objects.create(  # after the range
        placement=placement, day=dt.date(2026, 3, 20), spend=D("1000.00"), impressions=1, clicks=1
    )
    line = BudgetLine.objects.create(
        workspace=workspace, project=project, name="素材制作", category="production",
        channel=douyin, planned=D("5000.00"),
    )  # fmt: skip
    SpendEntry.objects.create(
        workspace=workspace, project=project, line=line, day=dt.date(2026, 3, 4), amount=D("100.00")
    )
    SpendEntry.objects.create(  # the placement's days are its spend
        workspace=workspace, project=project, placement=placement, day=dt.date(2026, 3, 4),
        amount=D("999.00"),
    )  # fmt: skip
    SpendEntry.objects.create(  # another currency: left out, and said so
        workspace=workspace, project=project, day=dt.date(2026, 3, 5), amount=D("50.00"),
        currency="USD",
    )  # fmt: skip
    kol = Partner.objects.create(workspace=workspace, name="小红书达人A", kind="kol")
    kol_link = Link.objects.create(
        workspace=workspace, code="kola", destination="https://shop.example.com/d11",
        utm_source="xiaohongshu", utm_campaign="d11", utm_content="kol-a", channel=xhs,
    )  # fmt: skip
    piece = ContentPiece.objects.create(
        workspace=workspace, project=project, title="达人A种草笔记", channel=xhs,
        format="article", link=kol_link,
    )  # fmt: skip
    ContentResult.objects.create(piece=piece, day=dt.date(2026, 3, 9), views=18000, clicks=250)
    ContentResult.objects.create(piece=piece, day=dt.date(2026, 3, 30), views=99999, clicks=9999)
    cooperation = Cooperation.objects.create(
        workspace=workspace, partner=kol, project=project, title="种草笔记一篇",
        booked_on=dt.date(2026, 2, 25), publish_on=dt.date(2026, 3, 3),
        agreed_price=D("500.00"), paid_amount=D("500.00"), reach=20000, clicks=300,
    )  # fmt: skip
    cooperation.pieces.add(piece)
    SpendEntry.objects.create(
        workspace=workspace, project=project, day=dt.date(2026, 3, 3), amount=D("500.00"),
        partner=kol, cooperation=cooperation,
    )  # fmt: skip
    Conversion.objects.create(
        workspace_id=ws, event="order_paid", revenue_property="amount", window_days=30
    )
    users = Users(workspace, store)
    users.visit("u1", "2026-03-02 10:00", "douyin/d11/feed")
    users.order("u1", "2026-03-02 11:00", 199).order("u1", "2026-03-05 12:00", "101.00")
    users.visit("u2", "2026-03-03 09:00").visit("u2", "2026-03-03 09:05", "xiaohongshu/d11/kol-a")
    users.order("u2", "2026-03-04 20:00", 500)
    users.visit("u3", "2026-03-04 10:00", "douyin/spring").visit(
        "u3", "2026-03-05 10:00", "douyin/d11/feed"
    )
    users.order("u3", "2026-03-06 10:00", 1000)
    users.visit("u4", "2026-03-05 10:00").order("u4", "2026-03-05 10:30", 50)
    users.visit("u5", "2026-02-20 10:00", "douyin/d11/feed").order("u5", "2026-03-03 10:00", 80)
    users.visit("u6", "2026-03-06 10:00", "douyin/d11/feed")
    users.visit("u7", "2026-03-08 10:00", "douyin/d11/feed").order("u7", "2026-04-20 10:00", 70)
    users.save()
    return {
        "douyin": douyin, "xhs": xhs, "placement": placement, "kol": kol, "piece": piece,
        "cooperation": cooperation,
    }  # fmt: skip


def _row(rows, pk):
    return next(r for r in rows if r.id == pk)


def test_a_campaigns_cac_roas_and_roi_by_hand(workspace, owner, project, store):
    world = build_campaign(workspace, owner, project, store)
    found = results.project_results(project, results.Range(FIRST, LAST, "first"))
    t = found.totals
    assert (t.spend, t.new_users, t.conversions, t.revenue) == (D("1100.00"), 4, 3, D("800"))
    assert (t.cac, t.cpa, t.roas, t.roi) == (D("275.00"), D("366.67"), D("0.7273"), D("-0.2727"))
    # Impressions and clicks: the placement's days and the cooperation's reach and clicks.
    assert (t.impressions, t.clicks, t.ctr) == (35000, 600, D("0.0171"))
    assert found.currency == "CNY" and found.other_currencies == {"USD": D("50.00")}

    feed = _row(found.placements, world["placement"].pk)
    f = feed.figures
    assert (f.spend, f.impressions, f.clicks, f.new_users, f.conversions, f.revenue) == (
        D("500.00"), 15000, 300, 3, 2, D("300"),
    )  # fmt: skip
    assert (f.ctr, f.cpc, f.cpm, f.cac, f.cpa, f.roas, f.roi) == (
        D("0.0200"), D("1.67"), D("33.33"), D("166.67"), D("250.00"), D("0.6000"), D("-0.4000"),
    )  # fmt: skip

    douyin = _row(found.channels, world["douyin"].pk).figures
    assert (douyin.spend, douyin.new_users, douyin.cac) == (D("600.00"), 3, D("200.00"))
    xhs = _row(found.channels, world["xhs"].pk).figures
    assert (xhs.spend, xhs.new_users, xhs.conversions, xhs.revenue) == (D("0"), 1, 1, D("500"))

    kol = _row(found.partners, world["kol"].pk).figures
    assert (kol.spend, kol.impressions, kol.clicks, kol.new_users) == (D("500.00"), 20000, 300, 1)
    assert (kol.cac, kol.roas, kol.roi) == (D("500.00"), D("1.0000"), D("0.0000"))

    piece = _row(found.pieces, world["piece"].pk).figures
    # Its latest result on or before the range's last day.
    assert (piece.spend, piece.impressions, piece.clicks, piece.new_users) == (
        D("500.00"), 18000, 250, 1,
    )  # fmt: skip

    # The days add up to the totals.
    assert sum(d.figures.spend for d in found.days) == t.spend
    assert sum(d.figures.new_users for d in found.days) == t.new_users
    assert sum(d.figures.revenue for d in found.days) == t.revenue
    by_day = {d.day: d.figures for d in found.days}
    assert (by_day[dt.date(2026, 3, 2)].spend, by_day[dt.date(2026, 3, 2)].new_users) == (
        D("300.00"), 1,
    )  # fmt: skip
    assert by_day[dt.date(2026, 3, 2)].revenue == D("300")


def test_last_touch_counts_the_touch_before_the_first_order(workspace, owner, project, store):
    build_campaign(workspace, owner, project, store)
    t = results.project_results(project, results.Range(FIRST, LAST, "last")).totals
    assert (t.new_users, t.conversions, t.revenue) == (5, 4, D("1800"))
    assert (t.cac, t.cpa, t.roas, t.roi) == (D("220.00"), D("275.00"), D("1.6364"), D("0.6364"))


def test_the_workspace_ranks_campaigns_and_channels(workspace, owner, project, store):
    world = build_campaign(workspace, owner, project, store)
    member_ms = membership_of(owner, workspace)
    found = results.workspace_results(member_ms, results.Range(FIRST, LAST, "first"), "cac")
    campaign = _row(found.campaigns, project.pk).figures
    assert (campaign.spend, campaign.new_users, campaign.cac) == (D("1100.00"), 4, D("275.00"))
    # Every new user of the workspace by the channel of their first touch: u3 came from
    # douyin (another campaign) too; u4 had no UTM at all.
    douyin = _row(found.channels, world["douyin"].pk).figures
    assert (douyin.new_users, douyin.spend) == (4, D("600.00"))
    assert found.totals.new_users == 6 and found.direct_users == 1
    assert found.totals.conversions == 5 and found.totals.revenue == D("1850")
    # Ranked by CAC, lowest first: xiaohongshu spent nothing on its user, so it has no
    # cost per user ("—", not 0.00 as if it were free) and comes last.
    assert _row(found.channels, world["xhs"].pk).figures.cac is None
    assert [r.label for r in found.channels] == ["抖音", "小红书"]


def test_a_window_of_one_day_drops_later_orders(workspace, owner, project, store):
    build_campaign(workspace, owner, project, store)
    Conversion.objects.filter(workspace=workspace).update(window_days=1)
    t = results.project_results(project, results.Range(FIRST, LAST, "first")).totals
    # u1's second order came three days after the touch, u2's a day and 11 hours after.
    assert (t.new_users, t.conversions, t.revenue) == (4, 1, D("199"))


def test_a_range_is_the_sum_of_its_days(workspace, owner, project, store):
    build_campaign(workspace, owner, project, store)
    whole = results.project_results(project, results.Range(FIRST, LAST, "last")).totals
    early = results.project_results(project, results.Range(FIRST, dt.date(2026, 3, 4), "last"))
    late = results.project_results(project, results.Range(dt.date(2026, 3, 5), LAST, "last"))
    assert early.totals.new_users + late.totals.new_users == whole.new_users
    assert early.totals.revenue + late.totals.revenue == whole.revenue
    assert early.totals.spend + late.totals.spend == whole.spend


def test_without_a_conversion_event_only_users_and_cac(workspace, owner, project, duckdb_store):
    build_campaign(workspace, owner, project, duckdb_store)
    Conversion.objects.filter(workspace=workspace).delete()
    found = results.project_results(project, results.Range(FIRST, LAST, "first"))
    t = found.totals
    assert found.conversion is None
    assert (t.new_users, t.cac, t.conversions, t.revenue, t.cpa, t.roas, t.roi) == (
        4, D("275.00"), None, None, None, None, None,
    )  # fmt: skip


def test_a_projects_own_conversion_wins(workspace, owner, project, duckdb_store):
    build_campaign(workspace, owner, project, duckdb_store)
    Conversion.objects.create(workspace=workspace, project=project, event="order_paid")
    found = results.project_results(project, results.Range(FIRST, LAST, "first"))
    assert found.conversion.project_id == project.pk
    # The project's own counts the same orders, with no revenue property.
    assert found.totals.conversions == 3
    assert found.totals.revenue == D("0") and found.totals.roi == D("-1.0000")


def test_a_placement_without_a_campaign_or_content_finds_no_users(
    workspace, owner, project, duckdb_store
):
    build_campaign(workspace, owner, project, duckdb_store)
    broad = Placement.objects.create(
        workspace=workspace, project=project, name="只有来源", platform="other", utm_source="douyin"
    )
    found = results.project_results(project, results.Range(FIRST, LAST, "first"))
    row = _row(found.placements, broad.pk)
    assert not row.matched and row.figures.new_users == 0 and row.figures.conversions is None


def test_ratios_over_nothing_are_none():
    nothing = results.Figures()
    assert (nothing.ctr, nothing.cpc, nothing.cpm, nothing.cac) == (None, None, None, None)
    assert (nothing.cpa, nothing.roas, nothing.roi) == (None, None, None)
    # Users with no spend recorded cost nothing known: "—", not 0.00.
    free = results.Figures(spend=D("0"), new_users=3, clicks=9, impressions=90, conversions=1,
                           revenue=D("10"))  # fmt: skip
    assert (free.cac, free.cpa, free.cpc, free.cpm) == (None, None, None, None)
    assert free.roas is None and free.roi is None
    paid = results.Figures(spend=D("90"), new_users=3, conversions=1)
    assert (paid.cac, paid.cpa) == (D("30.00"), D("90.00"))


def test_the_range_is_checked(workspace):
    with pytest.raises(Invalid) as bad:
        results.check_range(workspace, LAST, FIRST)
    assert bad.value.field == "date_from"
    with pytest.raises(Invalid):
        results.check_range(workspace, dt.date(2020, 1, 1), dt.date(2024, 1, 1))
    with pytest.raises(Invalid) as bad:
        results.check_range(workspace, FIRST, LAST, "middle")
    assert bad.value.field == "touch"
    default = results.check_range(workspace, None, None)
    assert (default.last - default.first).days == 29 and default.touch == "first"


def test_guests_see_no_results(workspace, project, guest):
    with pytest.raises(Forbidden):
        results.access_results(guest, workspace.slug)


def test_a_placement_takes_its_links_values_where_its_own_are_empty(workspace, project):
    link = Link(utm_source="douyin", utm_campaign="d11", utm_content="from-link")
    placement = Placement(utm_content="own", link=link)
    assert results.placement_utm(placement) == results.Utm("douyin", "d11", "own")
    assert results.placement_utm(Placement(utm_source="douyin")) is None


def test_a_placement_without_a_channel_spends_on_its_lines(workspace, owner, project, duckdb_store):
    world = build_campaign(workspace, owner, project, duckdb_store)
    line = BudgetLine.objects.create(
        workspace=workspace, project=project, name="小红书聚光", category="ads",
        channel=world["xhs"], planned=D("1000.00"),
    )  # fmt: skip
    placement = Placement.objects.create(
        workspace=workspace, project=project, name="聚光", platform="xhs_juguang",
        budget_line=line, utm_campaign="d11", utm_content="juguang",
    )  # fmt: skip
    PlacementDay.objects.create(placement=placement, day=dt.date(2026, 3, 6), spend=D("70.00"))
    found = results.project_results(project, results.Range(FIRST, LAST, "first"))
    assert _row(found.channels, world["xhs"].pk).figures.spend == D("70.00")
    assert found.totals.spend == D("1170.00")


@hypothesis_settings(max_examples=200)
@given(
    patterns=st.lists(
        st.builds(results.Utm, st.sampled_from(["", "douyin", "wechat"]),
                  st.sampled_from(["", "d11", "spring"]), st.sampled_from(["", "feed", "kol"])),
        max_size=6,
    ),
    touch=st.tuples(st.sampled_from(["", "douyin", "wechat"]), st.sampled_from(["", "d11"]),
                    st.sampled_from(["", "feed", "kol"])),
)  # fmt: skip
def test_the_fast_matcher_agrees_with_the_patterns(patterns, touch):
    group = Group(*touch, day=FIRST, users=1, conversions=0, revenue=D(0))
    match = results._matcher(patterns)
    kept = [p for p in patterns if p is not None]
    assert (match is None) == (not kept)
    if match is not None:
        assert match(group) == any(p.matches(group) for p in kept)


def test_a_campaign_with_its_own_conversion_counts_it_on_the_workspaces_page(
    workspace, owner, project, duckdb_store
):
    build_campaign(workspace, owner, project, duckdb_store)
    Conversion.objects.create(
        workspace=workspace, project=project, event="order_paid", revenue_property="amount",
        window_days=1,
    )  # fmt: skip
    rng = results.Range(FIRST, LAST, "first")
    found = results.workspace_results(membership_of(owner, workspace), rng)
    row = _row(found.campaigns, project.pk).figures
    page = results.project_results(project, rng).totals
    # u1's first order, an hour after the touch; the others came later than a day.
    assert (row.conversions, row.revenue) == (page.conversions, page.revenue) == (1, D("199"))
    # The workspace's totals count the workspace's conversion.
    assert found.totals.conversions == 5
    Conversion.objects.filter(workspace=workspace, project__isnull=True).delete()
    found = results.workspace_results(membership_of(owner, workspace), rng)
    assert found.counts_conversions and found.totals.conversions is None
    assert _row(found.campaigns, project.pk).figures.conversions == 1
