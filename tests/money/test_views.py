"""Pages of a project's money: the Budget tab with its known figures and overspend, the
spend form, the lines' editor, the placements and a placement's day form."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.test import Client

from opsloop.money.models import BudgetLine, Placement, PlacementDay, SpendEntry
from tests.conftest import PASSWORD


def login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _cells(body: str, testid: str) -> list[str]:
    return re.findall(rf'data-testid="{testid}"[^>]*>([^<]*)<', body)


def test_the_budget_tab_shows_the_known_figures(owner, known, django_assert_max_num_queries):
    client = login(owner)
    with django_assert_max_num_queries(20):
        page = client.get("/w/acme/p/D11/budget/")
    body = page.content.decode()
    assert page.status_code == 200
    assert _cells(body, "budget-planned") == ["50,000"]
    assert _cells(body, "budget-actual") == ["37,000.50"]
    assert _cells(body, "budget-left") == ["12,999.50"]
    assert _cells(body, "line-actual") == ["12,500.50", "23,000", "1,500"]
    assert _cells(body, "channel-actual") == ["12,500.50", "23,000", "1,500"]
    assert _cells(body, "week-actual") == ["14,000", "23,000.50"]
    # The KOL line is overspent and says so; the project as a whole is not.
    assert body.count('data-testid="line-overspent"') == 1
    assert 'data-testid="overspent-lines"' in body and 'data-testid="overspent"' not in body
    assert body.count('data-testid="spend-row"') == 4
    assert 'data-testid="weeks-chart"' in body and 'id="budget-data"' in body
    assert 'data-testid="tab-budget"' in body and 'data-testid="tab-placements"' in body


def test_overspent_in_total_is_highlighted(owner, known):
    SpendEntry.objects.filter(note="达人B").update(amount=Decimal("40000"))
    body = login(owner).get("/w/acme/p/D11/budget/").content.decode()
    assert 'data-testid="overspent"' in body and "Overspent" in body


def test_recording_spend_on_the_page(member, known):
    client = login(member)
    made = client.post("/w/acme/p/D11/budget/", {
        "op": "add_spend", "day": "2026-11-11", "amount": "1,234.5".replace(",", ""),
        "line_id": str(known["ads"].pk), "note": "加投",
    })  # fmt: skip
    assert made.status_code == 302
    entry = SpendEntry.objects.get(note="加投")
    assert (entry.amount, entry.day, entry.line_id) == (
        Decimal("1234.50"), dt.date(2026, 11, 11), known["ads"].pk,
    )  # fmt: skip
    refused = client.post("/w/acme/p/D11/budget/", {"op": "add_spend", "day": "2026-11-11",
                                                    "amount": "abc"})  # fmt: skip
    assert refused.status_code == 400
    assert 'data-testid="error"' in refused.content.decode()
    assert SpendEntry.objects.filter(project=known["ads"].project).count() == 5
    # The member did not record the owner's entries: they open read-only.
    theirs = known["entries"][0]
    page = client.get(f"/w/acme/p/D11/budget/spend/{theirs.pk}/").content.decode()
    assert 'data-testid="spend-entry-form"' not in page and "达人A 首款" in page
    assert client.post(f"/w/acme/p/D11/budget/spend/{theirs.pk}/",
                       {"op": "delete"}).status_code == 403  # fmt: skip
    mine = client.post(f"/w/acme/p/D11/budget/spend/{entry.pk}/", {
        "day": "2026-11-12", "amount": "99.9", "line_id": "", "note": "改过",
    })  # fmt: skip
    assert mine.status_code == 302
    entry.refresh_from_db()
    assert (entry.amount, entry.line_id, entry.note) == (Decimal("99.90"), None, "改过")


def test_the_lines_editor(owner, member, d11):
    client = login(owner)
    assert login(member).get("/w/acme/p/D11/budget/lines/").status_code == 403
    assert client.post("/w/acme/p/D11/budget/lines/", {
        "op": "add_line", "name": "奖品", "category": "prizes", "planned": "5000",
    }).status_code == 302  # fmt: skip
    line = BudgetLine.objects.get(project=d11)
    assert (line.planned, line.currency) == (Decimal("5000.00"), "CNY")
    assert client.post("/w/acme/p/D11/budget/lines/", {
        "op": "update_line", "line_id": str(line.pk), "name": "奖品池", "category": "prizes",
        "channel_id": "", "planned": "6000.5",
    }).status_code == 302  # fmt: skip
    line.refresh_from_db()
    assert (line.name, line.planned) == ("奖品池", Decimal("6000.50"))
    refused = client.post("/w/acme/p/D11/budget/lines/", {
        "op": "add_line", "name": "坏", "category": "ads", "planned": "-3",
    })  # fmt: skip
    assert refused.status_code == 400 and BudgetLine.objects.filter(project=d11).count() == 1
    assert client.post("/w/acme/p/D11/budget/lines/",
                       {"op": "delete_line", "line_id": str(line.pk)}).status_code == 302  # fmt: skip
    assert not BudgetLine.objects.filter(project=d11).exists()


def test_watching_the_budget_from_the_page(owner, member, known):
    assert login(member).post("/w/acme/p/D11/budget/", {"op": "watch"}).status_code == 403
    client = login(owner)
    assert client.post("/w/acme/p/D11/budget/", {"op": "watch"}).status_code == 302
    body = client.get("/w/acme/p/D11/budget/").content.decode()
    assert "D11 budget left" in body and 'data-testid="unwatch"' in body


def test_placements_and_a_placements_days(member, known, django_assert_max_num_queries):
    client = login(member)
    with django_assert_max_num_queries(15):
        listing = client.get("/w/acme/p/D11/placements/")
    body = listing.content.decode()
    assert _cells(body, "placement-spend") == ["12,500.50", "500"]
    links = re.findall(r'href="([^"]+)" data-testid="import-link"', body)
    assert len(links) == 4
    assert links[0].startswith("/w/acme/import/money.ocean_engine/?target=D11&amp;next=")
    made = client.post("/w/acme/p/D11/placements/", {"name": "腾讯 朋友圈", "platform":
                                                     "tencent_ads", "external_id": "88001"})  # fmt: skip
    placement = Placement.objects.get(name="腾讯 朋友圈")
    assert made.status_code == 302 and made["Location"].endswith(f"/placements/{placement.pk}/")
    url = f"/w/acme/p/D11/placements/{placement.pk}/"
    assert client.post(url, {"op": "day", "day": "2026-11-04", "spend": "650.5",
                             "impressions": "3000", "clicks": "45"}).status_code == 302  # fmt: skip
    assert client.post(url, {"op": "day", "day": "2026-11-04", "spend": "700",
                             "impressions": "", "clicks": ""}).status_code == 302  # fmt: skip
    day = PlacementDay.objects.get(placement=placement)
    assert (day.spend, day.impressions, day.clicks) == (Decimal("700.00"), 0, 0)
    with django_assert_max_num_queries(18):
        page = client.get(url)
    body = page.content.decode()
    assert _cells(body, "day-row-spend") == ["700"]
    assert _cells(body, "figure-spend") == ["700"]
    assert re.findall(r'href="([^"]+)" data-testid="import-link"', body)[0].startswith(
        "/w/acme/import/money.tencent_ads/?target=D11"
    )
    assert client.post(url, {"op": "day", "day": "2026-11-05", "spend": "-1"}).status_code == 400
    assert client.post(url, {"op": "delete_day", "day": "2026-11-04"}).status_code == 302
    assert not PlacementDay.objects.filter(placement=placement).exists()
    assert client.post(f"{url}delete/").status_code == 302  # the member made it
    assert not Placement.objects.filter(pk=placement.pk).exists()


def test_guests_do_not_see_money(guest, d11, owner_ms):
    from opsloop.work import actions as work_actions

    work_actions.do_add_project_member(actor=owner_ms, project=d11, user_id=guest.pk)
    client = login(guest)
    assert client.get("/w/acme/p/D11/budget/").status_code == 403
    assert client.get("/w/acme/p/D11/placements/").status_code == 403
    # Their project tabs leave the money out.
    body = client.get("/w/acme/p/D11/").content.decode()
    assert 'data-testid="tab-budget"' not in body
