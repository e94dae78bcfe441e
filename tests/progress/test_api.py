"""The progress API: the same numbers as the queries, as JSON, with the caller's words."""

from __future__ import annotations

import pytest

from opsloop.progress.models import SummarySend
from opsloop.progress.queries import week_name
from tests.conftest import ApiClient
from tests.progress.conftest import at, day

BASE = "/api/v1/workspaces/acme/projects/D11/progress"


@pytest.fixture
def history(project, make):
    late = make.create("Late poster", day(1), due_date=day(3), state_id=make.state("in_progress"))
    a = make.create("Copy", day(1), due_date=day(4))
    make.move(a, "done", day(2))
    make.create("Banner", day(3), due_date=day(7))
    return late


def test_progress(api, history, django_assert_max_num_queries):
    with at(day(5)), django_assert_max_num_queries(12):
        response = api.get(BASE)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["today"] == str(day(5))
    pva = body["planned_vs_actual"]
    assert (pva["planned"], pva["planned_done"], pva["done"], pva["percent"]) == (2, 1, 1, 50)
    assert pva["lines"][0] == "1 of 2 items due by November 6 are done (50%)."
    risks = body["at_risk"]
    assert [r["item"]["ref"] for r in risks] == [history.ref, "D11-3"]
    assert risks[0]["reasons"] == [
        {"kind": "past_due", "days": 2, "blocker": "", "text": "2 days past due"}
    ]
    assert risks[0]["item"]["url"].endswith(f"/w/acme/i/{history.ref}/")
    assert body["milestones"] == []


def test_progress_in_chinese(owner, history):
    api = ApiClient(owner)
    with at(day(5)):
        response = api.client.get(
            BASE, HTTP_AUTHORIZATION=f"Bearer {api.token}", HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
    assert response.json()["at_risk"][0]["text"] == "已逾期 2 天"


def test_burn_up(api, history):
    with at(day(5)):
        response = api.get(BASE + "/burn-up", {"from": str(day(1)), "to": str(day(4))})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["from"], body["to"]) == (str(day(1)), str(day(4)))
    assert [(d["scope"], d["done"]) for d in body["days"]] == [(2, 0), (2, 1), (3, 1), (3, 1)]
    # The planned line: 0 on the first item's day, all 3 items on the latest due date.
    assert body["target"] == str(day(7))
    assert [d["ideal"] for d in body["days"]] == [0.0, 0.5, 1.0, 1.5]


def test_burn_up_defaults_to_the_first_item_until_today(api, history):
    with at(day(6)):
        body = api.get(BASE + "/burn-up").json()
    assert (body["from"], body["to"]) == (str(day(1)), str(day(6)))
    assert len(body["days"]) == 6


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-11-10", "to": "2026-11-01"}, "to"),
        ({"from": "2020-01-01", "to": "2026-11-01"}, "to"),
        ({"from": "yesterday"}, "from"),
    ],
)
def test_burn_up_bad_ranges(api, history, query, field):
    response = api.get(BASE + "/burn-up", query)
    assert response.status_code == 400
    assert response.json()["field"] == field


def test_weekly_summary(api, history):
    with at(day(5)):
        response = api.get(BASE + "/weekly-summary", {"week": "2026-W45"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["week"], body["start"], body["end"]) == ("2026-W45", str(day(1)), str(day(7)))
    assert [d["item"]["title"] for d in body["done"]] == ["Copy"]
    assert [(s["item"]["title"], s["days_late"]) for s in body["slipped"]] == [("Late poster", 2)]
    assert body["markdown"].startswith("## D11 双十一大促: weekly progress 2026-W45")
    assert "- D11-2 Copy — done November 3" in body["text"]


def test_weekly_summary_bad_week(api, project):
    response = api.get(BASE + "/weekly-summary", {"week": "2026-W99"})
    assert response.status_code == 400
    assert response.json()["field"] == "week"


def test_send_records_the_send(api, history, owner, member):
    with at(day(5)):
        response = api.post(BASE + "/weekly-summary/send", {"week": "2026-W45"})
    assert response.status_code == 202, response.content
    body = response.json()
    send = SummarySend.objects.get()
    assert body["id"] == send.pk and body["week"] == "2026-W45"
    assert body["sent_by"]["username"] == "owner"
    assert week_name(send.week) == "2026-W45"
    # The project's members only (the owner), not every workspace member who may see it.
    assert set(send.recipient_ids) == {owner.pk}
    assert member.pk not in send.recipient_ids
    assert body["recipients"] == 1


def test_send_twice_in_a_row_is_a_conflict(api, history):
    assert api.post(BASE + "/weekly-summary/send", {}).status_code == 202
    again = api.post(BASE + "/weekly-summary/send", {})
    assert again.status_code == 409
    assert SummarySend.objects.count() == 1


def test_members_may_not_send(history, member):
    response = ApiClient(member).post(BASE + "/weekly-summary/send", {"week": "2026-W45"})
    assert response.status_code == 403
    assert not SummarySend.objects.exists()
