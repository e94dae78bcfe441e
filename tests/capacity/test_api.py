"""The capacity API: skills, profiles, time entries, the time report, workload, suggestions."""

from __future__ import annotations

import pytest

from opsloop.core.models import Role
from tests.conftest import ApiClient, add_member

API = "/api/v1/workspaces/acme"


@pytest.fixture
def designer(workspace):
    return add_member(workspace, "designer", Role.MEMBER)


def test_skills_and_profiles(api, designer):
    skill = api.post(f"{API}/skills", {"name": "设计", "color": "#ec4899"})
    assert skill.status_code == 201
    assert api.post(f"{API}/skills", {"name": "设计"}).json()["code"] == "conflict"
    sid = skill.json()["id"]
    response = api.patch(
        f"{API}/members/{designer.pk}/profile", {"weekly_capacity": "20", "skill_ids": [sid]}
    )
    assert response.status_code == 200
    assert response.json()["weekly_capacity"] == "20.0"
    assert [s["name"] for s in response.json()["skills"]] == ["设计"]
    team = {p["user"]["username"]: p for p in api.get(f"{API}/team").json()}
    assert team["owner"]["weekly_capacity"] == "40"
    assert team["designer"]["skills"][0]["id"] == sid
    # A member changes their own profile, not another's.
    own = ApiClient(designer)
    assert (
        own.patch(f"{API}/members/{designer.pk}/profile", {"weekly_capacity": 16}).status_code
        == 200
    )
    owner_id = team["owner"]["user"]["id"]
    assert own.patch(f"{API}/members/{owner_id}/profile", {"weekly_capacity": 1}).status_code == 403
    assert api.delete(f"{API}/skills/{sid}").status_code == 204
    assert api.get(f"{API}/members/{designer.pk}/profile").json()["skills"] == []


def test_time_entries_round_trip(api, item, designer):
    url = f"{API}/items/{item.ref}/time"
    api.patch(f"{API}/items/{item.ref}", {"estimate_hours": "4"})
    made = api.post(url, {"duration": "1.5h", "spent_on": "2026-01-05", "note": "初稿"})
    assert made.status_code == 201, made.content
    assert (made.json()["minutes"], made.json()["hours"]) == (90, 1.5)
    assert api.post(url, {"minutes": 30}).status_code == 201
    bad = api.post(url, {"duration": "30h"})
    assert (bad.status_code, bad.json()["field"]) == (400, "duration")
    listed = api.get(url).json()
    assert (listed["estimate_hours"], listed["logged_minutes"], listed["logged_hours"]) == (
        "4.00",
        120,
        2.0,
    )
    entry_id = made.json()["id"]
    changed = api.patch(f"{url}/{entry_id}", {"minutes": 60, "note": "改"})
    assert (changed.json()["minutes"], changed.json()["note"]) == (60, "改")
    other = ApiClient(designer)
    assert other.delete(f"{url}/{entry_id}").status_code == 403
    assert api.delete(f"{url}/{entry_id}").status_code == 204
    assert api.get(url).json()["logged_minutes"] == 30


def test_time_report(api, item):
    api.patch(f"{API}/items/{item.ref}", {"estimate_hours": "10"})
    api.post(f"{API}/items/{item.ref}/time", {"duration": "2h", "spent_on": "2026-01-05"})
    report = api.get(f"{API}/time-report", {"from": "2026-01-01", "to": "2026-01-31"}).json()
    assert report["from"] == "2026-01-01"
    assert report["people"] == [
        {
            "id": report["people"][0]["id"],
            "name": "王总",
            "logged_hours": 2.0,
            "estimate_hours": 10.0,
        }
    ]
    assert (report["total_logged_hours"], report["total_estimate_hours"]) == (2.0, 10.0)
    bad = api.get(f"{API}/time-report", {"from": "soon"})
    assert (bad.status_code, bad.json()["field"]) == (400, "from")


def test_workload_and_suggestions(api, item, designer, django_assert_max_num_queries):
    api.post(f"{API}/skills", {"name": "设计"})
    label = api.post(f"{API}/labels", {"name": "设计"}).json()
    sid = api.get(f"{API}/skills").json()[0]["id"]
    api.patch(f"{API}/members/{designer.pk}/profile", {"weekly_capacity": 10, "skill_ids": [sid]})
    api.patch(
        f"{API}/items/{item.ref}",
        {
            "estimate_hours": "12",
            "due_date": "2026-11-18",
            "assignee_ids": [designer.pk],
            "label_ids": [label["id"]],
        },
    )
    with django_assert_max_num_queries(12):
        found = api.get(f"{API}/workload", {"from": "2026-11-16", "weeks": 2}).json()
    assert [w["week"] for w in found["weeks"]] == ["2026-W47", "2026-W48"]
    row = next(p for p in found["people"] if p["user"]["username"] == "designer")
    assert row["cells"][0] == {
        "week": "2026-W47",
        "hours": 12.0,
        "capacity": 10.0,
        "percent": 120,
        "level": "over",
    }
    assert row["skills"] == ["设计"]
    assert api.get(f"{API}/workload", {"weeks": 99}).json()["field"] == "weeks"
    ranked = api.get(f"{API}/items/{item.ref}/suggestions").json()
    assert ranked[0]["user"]["username"] == "designer"
    assert ranked[0]["matching_skills"] == ["设计"]
    assert ranked[0]["reason"] == "设计 · 10 h free in w47"
