"""A link's clicks read the same on both event stores: DuckDB over Parquet and
ClickHouse (chdb). Hand-made events with known persons, a merged person among them; the
numbers worked out by hand (Beijing days)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from opsloop.channels import queries
from opsloop.channels.models import Link
from opsloop.core.models import Workspace
from tests.insights.conftest import TZ, Events, local
from tests.insights.conftest import store as store  # noqa: F401, PLC0414 (the fixture)

CODE, OTHER = "AbC12345", "Zz998877"
UTM = {"utm_source": "xiaohongshu", "utm_medium": "social", "utm_campaign": "d11"}


@pytest.fixture
def link(store, monkeypatch, db):
    monkeypatch.setattr(queries, "get_store", lambda: store)
    monkeypatch.setattr(queries, "ensure_snapshot", lambda store, workspace_id: None)
    workspace = Workspace(pk=1, slug="acme", name="Acme", time_zone=TZ)
    return Link(workspace=workspace, code=CODE, created_at=local("2026-03-01 09:00"), **UTM)


def test_clicks_by_day_clickers_and_utm_users_on_both_engines(store, link):
    events = Events(store)

    def clicked(person, when, code=CODE):
        events.add(person, "$link_click", when, properties={"link_code": code}, **UTM)

    clicked(1, "2026-03-02 10:00")
    clicked(1, "2026-03-02 23:30")  # still the 2nd in Beijing
    clicked(2, "2026-03-02 11:00")
    clicked(2, "2026-03-05 09:00")
    clicked(4, "2026-03-05 10:00")  # 4 was merged into 2: the same user
    clicked(3, "2026-03-02 12:00", code=OTHER)
    events.add(5, "order_paid", "2026-03-03 20:00", **UTM)
    events.add(6, "order_paid", "2026-03-03 20:00", **{**UTM, "utm_campaign": "618"})
    events.merge(4, 2)
    events.save()

    clicks = queries.link_clicks(link, today=dt.date(2026, 3, 6))
    assert clicks.days == [
        (dt.date(2026, 3, 1), 0, 0),
        (dt.date(2026, 3, 2), 3, 2),
        (dt.date(2026, 3, 3), 0, 0),
        (dt.date(2026, 3, 4), 0, 0),
        (dt.date(2026, 3, 5), 2, 1),
        (dt.date(2026, 3, 6), 0, 0),
    ]
    assert (clicks.clicks, clicks.users) == (5, 2)
    assert [(u.person_id, u.events) for u in clicks.clickers] == [(2, 3), (1, 2)]
    assert clicks.clickers[0].last_at == local("2026-03-05 10:00")
    assert clicks.clickers[1].first_at == local("2026-03-02 10:00")
    assert [(u.person_id, u.events) for u in clicks.utm_users] == [(5, 1)]

    other = Link(workspace=link.workspace, code=OTHER, created_at=link.created_at)
    member = SimpleNamespace(workspace=link.workspace, at_least=lambda role: True)
    assert queries.click_totals(member, [link, other]) == {CODE: 5, OTHER: 1}
