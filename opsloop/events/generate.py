"""Made-up but lifelike events of a Chinese consumer app, for benchmarks and the demo.

`generate(workspace=..., events=N, persons=M, days=D, seed=S)` makes exactly N events of
exactly M persons over the D days ending `end` (default yesterday), the same for the same
arguments, vectorised with numpy and pyarrow so that ten million events take minutes:

- Acquisition by channel, with UTM: 抖音 douyin, 小红书 xiaohongshu, 微信 wechat, 百度 baidu
  and organic (no UTM). New users arrive more often as the period goes on, and most of
  all around Double 11 (11-11, when it falls in the period).
- A funnel: first open (app_open, or $pageview on the web) -> signup -> activate ->
  first_order -> repeat order_paid, each step a share of the one before it, later in time.
  Every order is an order_paid with an amount in CNY; the first is also first_order.
- Identify: at signup an $identify links the person's anonymous id to their user id; from
  then on their events carry the user id.
- Retention that decays: a person's later visits (app_open, $pageview, product_view,
  add_to_cart, search) fall off exponentially from their first day.
- A spike on 11-11: a share of visits moves to that day, and its orders are bigger.

Persons and their ids are bulk-created as the flusher would have left them (first and
last seen, traits of the identified); the events go to get_store().write() in chunks.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from opsloop.core.errors import Invalid
from opsloop.core.models import Workspace
from opsloop.events.models import Person, PersonId, Source, SourceKind
from opsloop.events.store import get_store

CHANNELS = ("douyin", "xiaohongshu", "wechat", "baidu", "organic")
CHANNEL_NAMES = {
    "douyin": "抖音",
    "xiaohongshu": "小红书",
    "wechat": "微信",
    "baidu": "百度",
    "organic": "自然流量",
}
CHANNEL_SHARE = np.array([0.30, 0.20, 0.22, 0.10, 0.18])
UTM_MEDIUM = ("video", "social", "social", "cpc", "")
REFERRERS = (
    "https://www.douyin.com/",
    "https://www.xiaohongshu.com/",
    "https://mp.weixin.qq.com/",
    "https://www.baidu.com/",
    "",
)
# Share of each channel's new users who sign up; then of those, who go on a step.
SIGNUP = np.array([0.38, 0.48, 0.55, 0.42, 0.50])
ACTIVATE, FIRST_ORDER, REPEAT = 0.65, 0.50, 0.45
CITIES = ("上海", "北京", "广州", "深圳", "杭州", "成都", "武汉", "南京", "重庆", "西安")
CITY_SHARE = np.array([0.16, 0.15, 0.11, 0.11, 0.10, 0.09, 0.08, 0.07, 0.07, 0.06])
# Minutes, hours or days between the funnel's steps (means of exponential waits).
SIGNUP_WAIT_S = 20 * 60
ACTIVATE_WAIT_S = 20 * 3600
FIRST_ORDER_WAIT_S = 3 * 86400
REPEAT_WAIT_S = 12 * 86400
# Mean days between a person's first day and a later visit: retention decays.
RETENTION_DAYS = 9.0
# Visits of a day by hour, evenings busiest (Beijing time, UTC+8).
HOURS = np.array(
    [2, 1, 1, 1, 1, 1, 2, 4, 6, 6, 6, 6, 7, 6, 5, 5, 5, 6, 7, 8, 9, 10, 8, 5], dtype=float
)
LOCAL_OFFSET_S = 8 * 3600
CHUNK = 250_000
SPIKE_MONTH_DAY = (11, 11)

# Event kinds; OPEN is app_open, or $pageview for a web source; ACQUIRE is a person's
# first OPEN, the one with the channel's UTM.
OPEN, SIGNUP_K, IDENTIFY, ACTIVATE_K, FIRST_ORDER_K, ORDER, VIEW, CART, SEARCH, PAGE = range(10)
ACQUIRE = 10
NAMES = [
    "app_open",
    "signup",
    "$identify",
    "activate",
    "first_order",
    "order_paid",
    "product_view",
    "add_to_cart",
    "search",
    "$pageview",
    "app_open",
]
TYPES = ["track", "track", "identify", *["track"] * 6, "page", "track"]
# Visits after the first day, by kind.
VISIT_KINDS = np.array([OPEN, PAGE, VIEW, CART, SEARCH])
VISIT_SHARE = np.array([0.30, 0.28, 0.27, 0.10, 0.05])
PAGES = ("首页", "商品详情", "双11主会场", "购物车", "我的")
PATHS = ("/", "/item", "/d11", "/cart", "/me")
CATEGORIES = ("美妆", "食品", "服饰", "数码", "家居")
KEYWORDS = ("口红", "零食", "羽绒服", "耳机", "收纳")


@dataclass(frozen=True)
class Generated:
    """What a run made: its counts and the funnel's persons per step."""

    events: int
    persons: int
    first_day: dt.date
    last_day: dt.date
    spike_day: dt.date | None
    funnel: dict[str, int]
    channels: dict[str, int]
    seconds: float
    by_kind: dict[str, int] = field(default_factory=dict)


def spike_in(first: dt.date, last: dt.date) -> dt.date | None:
    """The latest 11-11 between the two days, if any."""
    for year in range(last.year, first.year - 1, -1):
        day = dt.date(year, *SPIKE_MONTH_DAY)
        if first <= day <= last:
            return day
    return None


def check_arguments(events: int, persons: int, days: int) -> None:
    if persons < 1:
        raise Invalid("--persons must be at least 1.", field="persons")
    if events < persons:
        raise Invalid(
            "--events must be at least --persons: every person sends an event.", field="events"
        )
    if not 1 <= days <= 3650:
        raise Invalid("--days must be between 1 and 3650.", field="days")


def generate(
    *,
    workspace: Workspace,
    events: int,
    persons: int,
    days: int,
    seed: int,
    end: dt.date | None = None,
    sources: Sequence[Source] | None = None,
    progress: Callable[[str], None] | None = None,
    chunk: int = CHUNK,
) -> Generated:
    """Make the events and persons (see the module's docstring); Invalid on bad arguments
    or when this workspace already holds this seed's persons."""
    started = time.monotonic()
    check_arguments(events, persons, days)
    # Yesterday by default: a day still under way would get events later than now.
    last_day = end or timezone.localdate() - dt.timedelta(days=1)
    first_day = last_day - dt.timedelta(days=days - 1)
    spike_day = spike_in(first_day, last_day)
    say = progress or (lambda _text: None)
    sources = list(sources) if sources is not None else _sources(workspace)
    if PersonId.objects.filter(workspace=workspace, distinct_id=_anon(seed, 0)).exists():
        raise Invalid(
            f"This workspace already holds the persons of seed {seed}; use another --seed.",
            field="seed",
        )
    plan = _Plan(events, persons, days, seed, first_day, spike_day, sources)
    say(f"planned {events:,} events of {persons:,} persons in {time.monotonic() - started:.1f}s")
    person_pks = _save_persons(workspace, plan)
    say(f"saved {persons:,} persons in {time.monotonic() - started:.1f}s")
    store = get_store()
    written = 0
    try:
        for start in range(0, events, chunk):
            rows = plan.rows(workspace.pk, person_pks, start, min(events, start + chunk))
            store.write(rows)
            written += len(rows)
            say(f"wrote {written:,} events in {time.monotonic() - started:.1f}s")
    except BaseException:
        # No half-made data: the events written so far and the persons go together.
        from opsloop.events.flusher import persons_changing

        with persons_changing():
            get_store().delete_persons(workspace.pk, [int(pk) for pk in person_pks])
            Person.objects.filter(pk__in=[int(pk) for pk in person_pks]).delete()
        raise
    return Generated(
        events=written,
        persons=persons,
        first_day=first_day,
        last_day=last_day,
        spike_day=spike_day,
        funnel=plan.funnel(),
        channels={
            name: int(n)
            for name, n in zip(CHANNELS, np.bincount(plan.channel, minlength=5), strict=True)
        },
        seconds=time.monotonic() - started,
        by_kind=plan.by_kind(),
    )


def _sources(workspace: Workspace) -> list[Source]:
    found = list(Source.objects.filter(workspace=workspace).order_by("pk"))
    if found:
        return found
    # Generated events need a source to come from; no key, nothing can send with it.
    return [Source.objects.create(workspace=workspace, name="generated", kind=SourceKind.WEB)]


def _anon(seed: int, index: int) -> str:
    return f"anon-{seed}-{index:08d}"


def _user(seed: int, index: int) -> str:
    return f"u{seed % 1000:03d}{index:08d}"


class _Plan:
    """Every event of a run as numpy arrays, sorted by time; rows are made chunk by chunk."""

    def __init__(
        self,
        events: int,
        persons: int,
        days: int,
        seed: int,
        first_day: dt.date,
        spike_day: dt.date | None,
        sources: Sequence[Source],
    ) -> None:
        rng = np.random.default_rng(seed)
        self.seed = seed
        self.persons = persons
        start = dt.datetime.combine(first_day, dt.time(), tzinfo=dt.UTC)
        self.start_s = int(start.timestamp()) - LOCAL_OFFSET_S  # local midnight, in UTC
        self.end_s = self.start_s + days * 86400 - 1
        spike = (spike_day - first_day).days if spike_day else None
        self.spike = spike
        self._persons(rng, persons, days, spike, sources)
        self._funnel(rng, events)
        self._visits(rng, events - self.structural, days, spike)
        self._finish(rng)

    # --- persons: channel, source, device, city, first visit

    def _persons(
        self,
        rng: np.random.Generator,
        m: int,
        days: int,
        spike: int | None,
        sources: Sequence[Source],
    ) -> None:
        self.channel = rng.choice(5, size=m, p=CHANNEL_SHARE)
        weights = 1.0 + np.arange(days) / max(1, days)  # growing
        if spike is not None:
            weights[max(0, spike - 3) : spike] *= 1.8  # presale
            weights[spike] *= 4.0
        self.arrival_day = rng.choice(days, size=m, p=weights / weights.sum())
        self.first_s = self._moment(rng, self.arrival_day)
        self.city = rng.choice(len(CITIES), size=m, p=CITY_SHARE)
        self.source_ids = np.array([s.pk for s in sources], dtype=np.int64)
        web = [i for i, s in enumerate(sources) if s.kind == SourceKind.WEB]
        mini = [i for i, s in enumerate(sources) if s.kind == SourceKind.MINIPROGRAM]
        pick = rng.integers(0, len(sources), size=m)
        if web and mini:
            # WeChat users mostly arrive in the mini-program; the others mostly on the web.
            to_mini = rng.random(m) < np.where(self.channel == 2, 0.85, 0.25)
            pick = np.where(to_mini, mini[0], web[0])
        self.source = pick
        self.source_web = np.array([s.kind == SourceKind.WEB for s in sources])[pick]
        self.ios = rng.random(m) < 0.45
        self.desktop = self.source_web & (rng.random(m) < 0.3)

    def _moment(self, rng: np.random.Generator, day: np.ndarray) -> np.ndarray:
        """A time on each of these days, by the hours people are awake, in seconds."""
        hour = rng.choice(24, size=len(day), p=HOURS / HOURS.sum())
        return self.start_s + day * 86400 + hour * 3600 + rng.integers(0, 3600, size=len(day))

    # --- the funnel

    def _funnel(self, rng: np.random.Generator, events: int) -> None:
        m = self.persons
        scale = 1.0
        while True:
            # Fewer events than the funnel needs: every step gets rarer until it fits.
            draw = rng.random((5, m))
            signup = draw[0] < SIGNUP[self.channel] * scale
            t_signup = self.first_s + rng.exponential(SIGNUP_WAIT_S, m).astype(np.int64) + 1
            signup &= t_signup <= self.end_s - 1
            activate = signup & (draw[1] < ACTIVATE * scale)
            t_activate = t_signup + 1 + rng.exponential(ACTIVATE_WAIT_S, m).astype(np.int64)
            activate &= t_activate <= self.end_s
            first = activate & (draw[2] < FIRST_ORDER * scale)
            t_first = t_activate + 1 + rng.exponential(FIRST_ORDER_WAIT_S, m).astype(np.int64)
            first &= t_first <= self.end_s
            repeat = first & (draw[3] < REPEAT * scale)
            extra = np.where(repeat, np.minimum(1 + rng.geometric(0.55, m), 12), 0)
            structural = m + 3 * int(signup.sum()) + int(activate.sum()) + 2 * int(first.sum())
            if structural + int(extra.sum()) <= events:
                break
            scale *= 0.8
        # Repeat orders: waits after the first order; those past the end are not made.
        owners = np.repeat(np.arange(m), extra)
        waits = rng.exponential(REPEAT_WAIT_S, len(owners)).astype(np.int64) + 1
        if len(owners):
            # Each owner's waits add up: the second repeat comes after the first.
            firsts = np.repeat(np.cumsum(extra) - extra, extra)
            total = np.cumsum(waits)
            waits = total - total[firsts] + waits[firsts]
        t_repeat = t_first[owners] + waits
        keep = t_repeat <= self.end_s
        owners, t_repeat = owners[keep], t_repeat[keep]
        repeat = np.zeros(m, dtype=bool)
        repeat[owners] = True
        self.signup, self.activate, self.first, self.repeat = signup, activate, first, repeat
        self.t_identify = np.where(signup, t_signup + 1, np.iinfo(np.int64).max)
        everyone = np.arange(m)
        parts = [
            (everyone, self.first_s, ACQUIRE),
            (everyone[signup], t_signup[signup], SIGNUP_K),
            (everyone[signup], t_signup[signup] + 1, IDENTIFY),
            (everyone[activate], t_activate[activate], ACTIVATE_K),
            (everyone[first], t_first[first], FIRST_ORDER_K),
            (everyone[first], t_first[first] + 1, ORDER),
            (owners, t_repeat, ORDER),
        ]
        self._parts = [
            (p.astype(np.int64), t.astype(np.int64), np.full(len(p), k, np.int8))
            for p, t, k in parts
        ]
        self.structural = sum(len(p) for p, _t, _k in self._parts)

    # --- visits after the first, decaying

    def _visits(self, rng: np.random.Generator, n: int, days: int, spike: int | None) -> None:
        if n <= 0:
            return
        engaged = (
            1.0 + 2 * self.signup + 3 * self.activate + 4 * self.first + 6 * self.repeat
        ) * rng.lognormal(0.0, 0.8, self.persons)
        who = rng.choice(self.persons, size=n, p=engaged / engaged.sum())
        room = (days - 1 - self.arrival_day[who]).astype(float)
        # A truncated exponential: later days rarer, never past the last day.
        u = rng.random(n)
        later = -RETENTION_DAYS * np.log1p(-u * (1 - np.exp(-(room + 1) / RETENTION_DAYS)))
        day = self.arrival_day[who] + np.minimum(np.floor(later), room).astype(np.int64)
        if spike is not None:
            # Double 11: a share of visits of those who had arrived by then move to it.
            moved = (rng.random(n) < 3.0 / max(days, 4)) & (self.arrival_day[who] <= spike)
            day = np.where(moved, spike, day)
        moment = self._moment(rng, day)
        # Never before the person's first visit, never after the period.
        moment = np.maximum(moment, self.first_s[who] + 1 + rng.integers(0, 600, n))
        moment = np.minimum(moment, self.end_s)
        kind = VISIT_KINDS[rng.choice(len(VISIT_KINDS), size=n, p=VISIT_SHARE)].astype(np.int8)
        self._parts.append((who.astype(np.int64), moment.astype(np.int64), kind))

    # --- all together, by time

    def _finish(self, rng: np.random.Generator) -> None:
        person = np.concatenate([p for p, _t, _k in self._parts])
        moment = np.concatenate([t for _p, t, _k in self._parts])
        kind = np.concatenate([k for _p, _t, k in self._parts])
        del self._parts
        order = np.lexsort((kind, moment))
        self.person, self.moment, self.kind = person[order], moment[order], kind[order]
        n = len(self.person)
        self.micros = self.moment * 1_000_000 + rng.integers(0, 1_000_000, n)
        self.delay = rng.integers(50_000, 2_000_000, n, dtype=np.int32)
        self.amount = np.round(rng.lognormal(4.6, 0.6, n), 1)  # about ¥100, a long tail
        if self.spike is not None:
            on_spike = (self.moment - self.start_s) // 86400 == self.spike
            self.amount = np.where(on_spike, np.round(self.amount * 1.6, 1), self.amount)
        self.detail = rng.integers(0, 5, n, dtype=np.int8)
        self.product = rng.integers(1000, 99999, n, dtype=np.int32)
        # Each person's first and last event.
        self.seen_first = np.full(self.persons, np.iinfo(np.int64).max)
        self.seen_last = np.zeros(self.persons, dtype=np.int64)
        np.minimum.at(self.seen_first, self.person, self.micros)
        np.maximum.at(self.seen_last, self.person, self.micros)

    def by_kind(self) -> dict[str, int]:
        """Events by kind's name (app_open holding first opens too; web ones are $pageview)."""
        out: dict[str, int] = {}
        for k, n in enumerate(np.bincount(self.kind, minlength=len(NAMES))):
            if n:
                out[NAMES[k]] = out.get(NAMES[k], 0) + int(n)
        return out

    def funnel(self) -> dict[str, int]:
        return {
            "first_open": self.persons,
            "signup": int(self.signup.sum()),
            "activate": int(self.activate.sum()),
            "first_order": int(self.first.sum()),
            "repeat_order": int(self.repeat.sum()),
        }

    # --- rows

    def rows(
        self, workspace_id: int, person_pks: np.ndarray, start: int, stop: int
    ) -> list[dict[str, Any]]:
        """Events start..stop (in time order) as the store's rows."""
        return self.table(workspace_id, person_pks, start, stop).to_pylist()

    def table(self, workspace_id: int, person_pks: np.ndarray, start: int, stop: int) -> pa.Table:
        seed = self.seed
        n = stop - start
        p = self.person[start:stop]
        kind = self.kind[start:stop].astype(np.int64)
        web = self.source_web[p]
        # OPEN is a $pageview on the web.
        acquired = kind == ACQUIRE
        named = np.where(acquired, OPEN, kind)
        named = np.where((named == OPEN) & web, PAGE, named)
        identified = self.micros[start:stop] >= self.t_identify[p] * 1_000_000
        identified |= kind == IDENTIFY
        anon = _strings(f"anon-{seed}-", p, 8)
        user = _strings(f"u{seed % 1000:03d}", p, 8)
        empty = pa.array([""] * n, pa.string())
        user_id = pc.if_else(pa.array(identified), user, empty)
        distinct = pc.if_else(pa.array(identified), user, anon)
        detail = self.detail[start:stop]
        is_page = named == PAGE
        channel = self.channel[p]
        utm_source = np.where(acquired & (channel != 4), channel, 5)
        medium = np.where(acquired, channel, 4)
        near_spike = np.zeros(n, dtype=bool)
        if self.spike is not None:
            day = self.arrival_day[p]
            near_spike = (day >= self.spike - 14) & (day <= self.spike)
        campaign = np.where(acquired & (channel != 4), np.where(near_spike, 0, 1), 2)
        micros = self.micros[start:stop]
        ts = pa.array(micros, pa.timestamp("us", tz="UTC"))
        received = pa.array(micros + self.delay[start:stop], pa.timestamp("us", tz="UTC"))
        paths = _pick(list(PATHS), np.where(acquired, 0, detail), is_page)
        site = settings.SITE_URL.rstrip("/")
        return pa.table(
            {
                "workspace_id": pa.array(np.full(n, workspace_id, np.int64)),
                "source_id": pa.array(self.source_ids[self.source[p]]),
                "message_id": _strings(f"gen-{seed}-", np.arange(start, stop), 10),
                "type": _pick(TYPES, named),
                "event": _pick(NAMES, named),
                "name": _pick(list(PAGES), np.where(acquired, 0, detail), is_page),
                "anonymous_id": anon,
                "user_id": user_id,
                "distinct_id": distinct,
                "person_id": pa.array(person_pks[p].astype(np.int64)),
                "timestamp": ts,
                "received_at": received,
                "url": pc.if_else(
                    pa.array(is_page), pc.binary_join_element_wise(site, paths, ""), empty
                ),
                "path": paths,
                "referrer": _pick(list(REFERRERS), np.where(acquired, channel, 4)),
                "title": _pick(list(PAGES), np.where(acquired, 0, detail), is_page),
                "utm_source": _pick([*CHANNELS[:4], "", ""], utm_source),
                "utm_medium": _pick(list(UTM_MEDIUM), medium),
                "utm_campaign": _pick(["double11_presale", "always_on", ""], campaign),
                "utm_term": empty,
                "utm_content": empty,
                "device_type": _pick(["mobile", "desktop"], self.desktop[p].astype(np.int64)),
                "os": _pick(
                    ["Android", "iOS", "Windows", "macOS"],
                    np.where(self.desktop[p], 2 + self.ios[p], self.ios[p]).astype(np.int64),
                ),
                "app_version": _pick(["", "3.8.2"], (~web).astype(np.int64)),
                "locale": pa.array(["zh-CN"] * n, pa.string()),
                "ip": empty,
                "user_agent": empty,
                "properties": self._properties(start, stop, named, channel),
                "traits": self._traits(p, kind, channel),
            }
        )

    def _properties(
        self, start: int, stop: int, named: np.ndarray, channel: np.ndarray
    ) -> pa.Array:
        n = stop - start
        amount = pc.cast(pa.array(self.amount[start:stop]), pa.string())
        product = pc.cast(pa.array(self.product[start:stop]), pa.string())
        detail = self.detail[start:stop]
        order = pc.binary_join_element_wise(
            '{"amount": ', amount, ', "currency": "CNY", "product_id": "', product, '"}', ""
        )
        view = pc.binary_join_element_wise(
            '{"product_id": "',
            product,
            '", "category": "',
            _pick(list(CATEGORIES), detail),
            '"}',
            "",
        )
        search = pc.binary_join_element_wise(
            '{"keyword": "', _pick(list(KEYWORDS), detail), '"}', ""
        )
        signup = _pick(
            ['{"method": "phone"}', '{"method": "wechat"}'], (channel == 2).astype(np.int64)
        )
        out = pa.array(["{}"] * n, pa.string())
        for kinds, values in (
            ((ORDER, FIRST_ORDER_K), order),
            ((VIEW, CART), view),
            ((SEARCH,), search),
            ((SIGNUP_K,), signup),
        ):
            out = pc.if_else(pa.array(np.isin(named, kinds)), values, out)
        return out

    def _traits(self, p: np.ndarray, kind: np.ndarray, channel: np.ndarray) -> pa.Array:
        n = len(p)
        traits = pc.binary_join_element_wise(
            '{"name": "用户',
            _strings("", p, 6),
            '", "city": "',
            _pick(list(CITIES), self.city[p]),
            '", "channel": "',
            _pick(list(CHANNELS), channel),
            '"}',
            "",
        )
        return pc.if_else(pa.array(kind == IDENTIFY), traits, pa.array(["{}"] * n, pa.string()))


def _strings(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """prefix + each number zero-padded to width, as an Arrow string array."""
    text = pc.utf8_lpad(pc.cast(pa.array(np.asarray(numbers, np.int64)), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, text, "") if prefix else text


def _pick(options: Sequence[str], index: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """options[index] for each row (empty text where mask is False), as Arrow strings."""
    chosen = pa.array(list(options), pa.string()).take(pa.array(np.asarray(index, np.int64)))
    if mask is None:
        return chosen
    return pc.if_else(pa.array(mask), chosen, pa.array([""] * len(index), pa.string()))


def _save_persons(workspace: Workspace, plan: _Plan) -> np.ndarray:
    """Persons and their ids as the flusher would have left them; their pks by index.

    The ids go in by executemany: Django's bulk_create built a model instance and a
    statement per few hundred rows, most of the time of a million persons."""
    first = plan.seen_first
    last = plan.seen_last
    pks = np.zeros(plan.persons, dtype=np.int64)
    batch = 5000
    table = connection.ops.quote_name(PersonId._meta.db_table)
    insert = f"INSERT INTO {table} (workspace_id, distinct_id, person_id) VALUES (%s, %s, %s)"  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, plan.persons, batch):
            stop = min(plan.persons, start + batch)
            made = Person.objects.bulk_create(
                [
                    Person(
                        workspace_id=workspace.pk,
                        user_id=_user(plan.seed, i) if plan.signup[i] else "",
                        traits=(
                            {
                                "name": f"用户{i:06d}",
                                "city": CITIES[plan.city[i]],
                                "channel": CHANNELS[plan.channel[i]],
                            }
                            if plan.signup[i]
                            else {}
                        ),
                        first_seen=_aware(first[i]),
                        last_seen=_aware(last[i]),
                    )
                    for i in range(start, stop)
                ],
                batch_size=1000,
            )
            pks[start:stop] = [person.pk for person in made]
            ids = [(workspace.pk, _anon(plan.seed, i), int(pks[i])) for i in range(start, stop)]
            ids += [
                (workspace.pk, _user(plan.seed, i), int(pks[i]))
                for i in range(start, stop)
                if plan.signup[i]
            ]
            cursor.executemany(insert, ids)
    return pks


def _aware(micros: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(micros) / 1_000_000, tz=dt.UTC)
