"""The results pages: a campaign's (totals, chart data, tables by channel, placement,
partner and piece, the touch switch) and the workspace's (campaigns and channels ranked),
and the conversion form, for admins only."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal as D

import pytest
from django.test import Client

from opsloop.channels.models import Link
from opsloop.content.models import ContentPiece
from opsloop.money.models import Conversion, Placement, PlacementDay
from opsloop.partners.models import Cooperation, Partner
from tests.money.test_results import build_campaign, duckdb_store  # noqa: F401 (a fixture)

RANGE = {"from": "2026-03-01", "to": "2026-03-10"}
PAGE = "/w/acme/p/D11/results/"


@pytest.fixture
def campaign(workspace, owner, project, duckdb_store):  # noqa: F811
    return build_campaign(workspace, owner, project, duckdb_store)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _metric(body: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}"><b data-metric="\w+">([^<]*)</b>', body)
    assert found, testid
    return found.group(1)


def _more(workspace, project, world, n: int = 3) -> None:
    """More placements, partners and pieces: the page's queries must not grow with them."""
    for i in range(n):
        placement = Placement.objects.create(
            workspace=workspace, project=project, name=f"投放{i}", platform="tencent_ads",
            channel=world["douyin"], utm_campaign="d11", utm_content=f"more-{i}",
        )  # fmt: skip
        PlacementDay.objects.create(placement=placement, day=dt.date(2026, 3, 2), spend=D("1"))
        partner = Partner.objects.create(workspace=workspace, name=f"达人{i}", kind="koc")
        link = Link.objects.create(
            workspace=workspace, code=f"more{i}", destination="https://shop.example.com/",
            utm_campaign="d11", utm_content=f"koc-{i}",
        )  # fmt: skip
        piece = ContentPiece.objects.create(
            workspace=workspace, project=project, title=f"笔记{i}", channel=world["xhs"],
            format="article", link=link,
        )  # fmt: skip
        cooperation = Cooperation.objects.create(
            workspace=workspace, partner=partner, project=project, title=f"合作{i}",
            booked_on=dt.date(2026, 3, 1), agreed_price=D("10"),
        )  # fmt: skip
        cooperation.pieces.add(piece)


def test_a_campaigns_page_shows_its_cac_roas_and_roi(
    workspace, project, campaign, owner, django_assert_max_num_queries
):
    client = _client(owner)
    with django_assert_max_num_queries(25):
        client.get(PAGE, RANGE)
    _more(workspace, project, campaign)
    with django_assert_max_num_queries(25):
        client.get(PAGE, {**RANGE, "touch": "last"})
    Placement.objects.filter(name__startswith="投放").delete()
    Cooperation.objects.filter(title__startswith="合作").delete()
    ContentPiece.objects.filter(title__startswith="笔记").delete()
    with django_assert_max_num_queries(25):
        answer = client.get(PAGE, RANGE)
    assert answer.status_code == 200
    body = answer.content.decode()
    assert _metric(body, "total-spend") == "1,100.00"
    assert _metric(body, "total-new-users") == "4"
    assert _metric(body, "total-cac") == "275.00"
    assert _metric(body, "total-roas") == "0.73×"
    assert _metric(body, "total-roi") == "-27.27%"
    assert 'data-testid="other-currencies"' in body and "50.00 USD" in body
    for table in ("channels", "placements", "partners", "pieces"):
        assert f'data-testid="results-{table}"' in body
    assert "抖音信息流" in body and "小红书达人A" in body and "达人A种草笔记" in body
    chart = json.loads(
        re.search(r'id="results-data" type="application/json">(.*?)</script>', body).group(1)
    )
    assert chart["days"][0] == "2026-03-01" and len(chart["days"]) == 10
    assert sum(chart["users"]) == 4 and chart["spend"][1] == "300.00"


def test_the_touch_switch_counts_the_last_touch(campaign, member):
    body = _client(member).get(PAGE, {**RANGE, "touch": "last"}).content.decode()
    assert _metric(body, "total-cac") == "220.00" and _metric(body, "total-new-users") == "5"
    assert 'value="last" checked' in body
    # Members read results but do not set the conversion.
    assert 'data-testid="conversion-form"' not in body


def test_the_workspace_ranks_its_campaigns(campaign, owner, django_assert_max_num_queries):
    client = _client(owner)
    with django_assert_max_num_queries(22):
        answer = client.get("/w/acme/results/", {**RANGE, "sort": "cac"})
    assert answer.status_code == 200
    body = answer.content.decode()
    assert 'data-testid="results-campaigns"' in body and "双十一大促" in body
    assert 'href="/w/acme/p/D11/results/?from=2026-03-01&amp;to=2026-03-10' in body
    channels = body[body.index('data-testid="results-channels"') :]
    # Ranked by CAC, lowest first; 小红书 spent nothing: no CAC, last.
    assert channels.index("抖音") < channels.index("小红书")
    assert 'data-testid="direct-users"' in body


def test_a_bad_range_is_a_400_page(campaign, owner):
    answer = _client(owner).get(PAGE, {"from": "2026-03-10", "to": "2026-03-01"})
    assert answer.status_code == 400


def test_an_admin_sets_the_conversion_on_the_page(workspace, project, admin_user, member):
    client = _client(admin_user)
    page = client.get(PAGE).content.decode()
    assert 'data-testid="conversion-none"' in page and 'data-testid="conversion-form"' in page
    saved = client.post(
        PAGE,
        {
            "op": "conversion",
            "event": "order_paid",
            "revenue_property": "amount",
            "window_days": "7",
        },
    )
    assert saved.status_code == 302
    own = Conversion.objects.get(workspace=workspace)
    assert (own.project_id, own.event, own.window_days) == (project.pk, "order_paid", 7)
    refused = _client(member).post(PAGE, {"op": "conversion", "event": "signup"})
    assert refused.status_code == 403
    bad = client.post(
        "/w/acme/results/", {"op": "conversion", "event": "x", "revenue_property": "a b"}
    )
    assert bad.status_code == 400 and 'aria-invalid="true"' in bad.content.decode()
    assert not Conversion.objects.filter(workspace=workspace, project__isnull=True).exists()


def test_guests_are_refused(workspace, project, guest):
    client = _client(guest)
    assert client.get("/w/acme/results/").status_code == 403
    assert client.get(PAGE).status_code == 404
