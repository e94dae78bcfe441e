"""The insights API over the workspace's own store: the persons snapshot made from the
workspace database (merges, traits), the cache, the workspace's time zone, the persons
behind a number, and the 400s a bad query gets."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo

import pytest

from opsloop.core import actions as core_actions
from opsloop.core.models import Membership
from opsloop.events.models import Person
from opsloop.events.store import QueryTimeout, get_store
from opsloop.events.store.clickhouse import ChdbExecutor, ClickHouseStore
from opsloop.events.store.parquet import ParquetStore
from opsloop.insights.examples import EXAMPLES
from opsloop.insights.queries import local_today
from tests.events._pipeline import row
from tests.events.test_actions import make_person

API = "/api/v1/workspaces/acme/insights"


@pytest.fixture(autouse=True)
def _own_store(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.EVENTS_BACKEND = "duckdb"
    settings.INSIGHTS_PERSONS_TTL = 0


def send(workspace, person, event, moment, **values):
    get_store().write(
        [
            row(
                workspace_id=workspace.pk,
                person_id=person.pk,
                event=event,
                timestamp=moment,
                **values,
            )
        ]
    )


def today_at(workspace, hour: int, minute: int = 0, days: int = 0) -> dt.datetime:
    day = local_today(workspace) - dt.timedelta(days=days)
    zone = zoneinfo.ZoneInfo(workspace.time_zone)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone).astimezone(dt.UTC)


def funnel():
    return {
        "kind": "funnel",
        "steps": [{"event": "open"}, {"event": "signup"}],
        "date_range": {"preset": "last_7_days"},
    }


def test_a_funnel_over_persons_merged_in_the_workspace_database(api, workspace):
    anonymous = make_person(workspace, "", "anon-1")
    known = make_person(workspace, "u1", city="上海")
    send(workspace, anonymous, "open", today_at(workspace, 9, days=1))
    send(workspace, known, "signup", today_at(workspace, 9, 30, days=1))
    other = make_person(workspace, "u2", city="北京")
    send(workspace, other, "open", today_at(workspace, 10, days=1))
    # identify merged the anonymous person into the known one, after their events.
    Person.objects.filter(pk=anonymous.pk).update(merged_into=known)
    answer = api.post(f"{API}/query", funnel())
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert [s["count"] for s in body["steps"]] == [2, 1]
    assert body["time_zone"] == "Asia/Shanghai"
    persons = api.post(f"{API}/persons", {"query": funnel(), "selection": {"step": 1}}).json()
    assert persons["count"] == 1
    assert [p["id"] for p in persons["results"]] == [known.pk]
    assert persons["results"][0]["traits"] == {"city": "上海"}
    dropped = api.post(
        f"{API}/persons", {"query": funnel(), "selection": {"step": 1, "dropped": True}}
    ).json()
    assert [p["user_id"] for p in dropped["results"]] == ["u2"]
    # Person traits from the snapshot filter the funnel.
    by_city = {**funnel(), "filters": [{"type": "person", "key": "city", "value": "北京"}]}
    assert [s["count"] for s in api.post(f"{API}/query", by_city).json()["steps"]] == [1, 0]


def test_results_are_cached_until_new_events_arrive(api, workspace):
    person = make_person(workspace, "u1")
    send(workspace, person, "open", today_at(workspace, 9, days=1))
    query = {
        "kind": "trends",
        "series": [{"event": "open"}],
        "date_range": {"preset": "last_7_days"},
    }
    first = api.post(f"{API}/query", query).json()
    assert first["series"][0]["total"] == 1
    assert api.post(f"{API}/query", query).json() == first
    send(workspace, person, "open", today_at(workspace, 10, days=1))
    assert api.post(f"{API}/query", query).json()["series"][0]["total"] == 2


def test_days_are_counted_in_the_workspaces_time_zone(api, owner, workspace):
    owner_ms = Membership.objects.get(workspace=workspace, user=owner)
    person = make_person(workspace, "u1")
    # 00:30 yesterday in Beijing is the day before yesterday in UTC.
    send(workspace, person, "open", today_at(workspace, 0, 30, days=1))
    query = {
        "kind": "trends",
        "series": [{"event": "open"}],
        "date_range": {"preset": "last_7_days"},
    }
    beijing = api.post(f"{API}/query", query).json()["series"][0]["data"]
    assert beijing[-2:] == [1, 0]
    core_actions.do_update_workspace(actor=owner_ms, time_zone="UTC")
    utc = api.post(f"{API}/query", query).json()
    assert utc["time_zone"] == "UTC" and utc["series"][0]["data"][-3:] in ([1, 0, 0], [0, 1, 0])


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_every_documented_example_runs(api, workspace, kind):
    answer = api.post(f"{API}/query", EXAMPLES[kind]["value"])
    assert answer.status_code == 200, answer.content
    assert answer.json()["kind"] == kind


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"kind": "trends", "series": []}, "series"),
        ({"kind": "trends", "series": [{"event": "x", "math": "sum"}]}, "series.0"),
        ({"kind": "funnel", "steps": [{"event": "a"}]}, "steps"),
        ({"kind": "what"}, "kind"),
        ({"series": [{}]}, "kind"),
        (
            {"kind": "trends", "series": [{"filters": [{"key": "a'); DROP", "value": 1}]}]},
            "series.0.filters.0.key",
        ),
    ],
)
def test_a_bad_query_gets_a_400_naming_what_is_wrong(api, workspace, body, where):
    answer = api.post(f"{API}/query", body)
    assert answer.status_code == 400, answer.content
    assert answer.json()["code"] == "invalid"
    assert answer.json()["field"].startswith(where), answer.json()
    assert where in answer.json()["message"]


@pytest.mark.parametrize(
    ("kind", "first", "last"),
    [
        ("trends", "0001-01-01", "0001-01-03"),  # Beijing's midnight of it is in the year 0
        ("trends", "9999-12-29", "9999-12-31"),  # its end is 10000-01-01
        ("retention", "9999-12-01", "9999-12-10"),  # its weeks and periods reach past 9999
        ("lifecycle", "0001-01-08", "0001-01-14"),  # the week before it starts in the year 0
        ("funnel", "1899-12-31", "1900-01-02"),
        ("stickiness", "2299-12-31", "2300-01-01"),
    ],
)
def test_a_custom_range_outside_the_calendar_is_a_400_not_a_500(api, workspace, kind, first, last):
    query = {
        **EXAMPLES[kind]["value"],
        "date_range": {"preset": "custom", "date_from": first, "date_to": last},
    }
    if kind in ("lifecycle", "retention"):
        query[{"lifecycle": "interval", "retention": "period"}[kind]] = "week"
    answer = api.post(f"{API}/query", query)
    assert answer.status_code == 400, answer.content
    body = answer.json()
    assert (body["code"], body["field"]) == ("invalid", "date_range"), body
    assert "date_range" in body["message"], body
    assert "1900-01-01" in body["message"] and "2299-12-31" in body["message"], body
    persons = api.post(f"{API}/persons", {"query": query, "selection": {}})
    assert persons.status_code == 400, persons.content
    assert persons.json()["field"] == "query.date_range"


def test_a_custom_range_on_the_calendars_first_and_last_days_runs(api, workspace):
    for first, last in (("1900-01-01", "1900-01-07"), ("2299-12-25", "2299-12-31")):
        query = {
            **EXAMPLES["retention"]["value"],
            "date_range": {"preset": "custom", "date_from": first, "date_to": last},
        }
        answer = api.post(f"{API}/query", query)
        assert answer.status_code == 200, answer.content
        assert answer.json()["first_day"] == first


def test_a_selection_the_result_has_no_number_for_is_a_400(api, workspace):
    answer = api.post(f"{API}/persons", {"query": funnel(), "selection": {"step": 9}})
    assert answer.status_code == 400 and answer.json()["field"] == "selection"


def test_an_unknown_time_zone_is_refused(api, workspace):
    answer = api.patch("/api/v1/workspaces/acme", {"time_zone": "Mars/Olympus"})
    assert answer.status_code == 400 and answer.json()["field"] == "time_zone"
    assert (
        api.patch("/api/v1/workspaces/acme", {"time_zone": "Asia/Tokyo"}).json()["time_zone"]
        == "Asia/Tokyo"
    )


@pytest.mark.parametrize("backend", ["duckdb", "clickhouse"])
def test_a_statement_past_its_time_limit_is_stopped(tmp_path, backend):
    if backend == "duckdb":
        store = ParquetStore(tmp_path / "events")
        slow = "SELECT count(*) FROM range(100000000000)"
    else:
        store = ClickHouseStore(ChdbExecutor(str(tmp_path / "chdb")))
        slow = "SELECT count() FROM numbers(100000000000)"
    with pytest.raises(QueryTimeout):
        store.sql(1, slow, timeout=0.5)


# --- saved insights, comments and cohorts

W = "/api/v1/workspaces/acme"


def test_save_change_comment_and_delete_an_insight(api, workspace, member):
    from opsloop.core.models import AuditLog
    from tests.conftest import ApiClient

    saved = api.post(f"{W}/insights", {"name": "注册转化", "query": funnel()})
    assert saved.status_code == 201, saved.content
    body = saved.json()
    assert body["kind"] == "funnel" and body["query"]["steps"][1] == {"event": "signup"}
    assert [i["name"] for i in api.get(f"{W}/insights").json()] == ["注册转化"]
    bad = api.post(f"{W}/insights", {"name": "坏的", "query": {"kind": "funnel", "steps": []}})
    assert bad.status_code == 400 and bad.json()["field"] == "query.steps"
    other = ApiClient(member)
    url = f"{W}/insights/{body['id']}"
    assert other.patch(url, {"name": "改"}).status_code == 403
    assert api.patch(url, {"name": "注册→下单"}).json()["name"] == "注册→下单"
    said = other.post(f"{url}/comments", {"body": "周末掉得厉害 <script>x</script> **看看**"})
    assert said.status_code == 201
    assert (
        "<script>" not in said.json()["body_html"]
        and "<strong>看看</strong>" in said.json()["body_html"]
    )
    assert [c["author"]["username"] for c in api.get(f"{url}/comments").json()] == ["member"]
    assert api.delete(url).status_code == 204
    assert AuditLog.objects.filter(action="insight.delete", target="注册→下单").exists()
    assert api.get(url).status_code == 404


def test_a_static_cohort_from_a_funnel_step_filters_other_insights(api, workspace):
    one, two = make_person(workspace, "u1"), make_person(workspace, "u2")
    send(workspace, one, "open", today_at(workspace, 9, days=1))
    send(workspace, one, "signup", today_at(workspace, 9, 10, days=1))
    send(workspace, two, "open", today_at(workspace, 10, days=1))
    made = api.post(
        f"{W}/cohorts",
        {"name": "已注册", "query": funnel(), "selection": {"step": 1}},
    )
    assert made.status_code == 201, made.content
    cohort = made.json()
    assert (cohort["kind"], cohort["size"]) == ("static", 1)
    again = api.post(
        f"{W}/cohorts", {"name": "已注册", "query": funnel(), "selection": {"step": 1}}
    )
    assert again.status_code == 409
    persons = api.get(f"{W}/cohorts/{cohort['id']}/persons").json()
    assert [p["user_id"] for p in persons["results"]] == ["u1"]
    opens = {
        "kind": "trends",
        "series": [{"event": "open"}],
        "date_range": {"preset": "last_7_days"},
    }
    assert api.post(f"{API}/query", opens).json()["series"][0]["total"] == 2
    only = api.post(f"{API}/query", {**opens, "cohort": cohort["id"]}).json()
    assert only["series"][0]["total"] == 1
    # Static: a new signup does not join it until it is refreshed.
    send(workspace, two, "signup", today_at(workspace, 10, 30, days=1))
    assert (
        api.post(f"{API}/query", {**opens, "cohort": cohort["id"]}).json()["series"][0]["total"]
        == 1
    )
    refreshed = api.post(f"{W}/cohorts/{cohort['id']}/refresh").json()
    assert refreshed["size"] == 2
    assert (
        api.post(f"{API}/query", {**opens, "cohort": cohort["id"]}).json()["series"][0]["total"]
        == 2
    )


# Persons who signed up, by day over the last 7 days: bucket 5 is yesterday.
SIGNUPS_BY_DAY = {
    "kind": "trends",
    "series": [{"event": "signup", "math": "persons"}],
    "date_range": {"preset": "last_7_days"},
}


def test_a_dynamic_cohort_follows_the_events(api, workspace):
    one, two = make_person(workspace, "u1"), make_person(workspace, "u2")
    send(workspace, one, "signup", today_at(workspace, 9, days=1))
    send(workspace, one, "open", today_at(workspace, 9, 5, days=1))
    send(workspace, two, "open", today_at(workspace, 10, days=1))
    signups = SIGNUPS_BY_DAY
    made = api.post(
        f"{W}/cohorts",
        {
            "name": "本周注册",
            "kind": "dynamic",
            "query": signups,
            "selection": {"series": 0, "bucket": 5},  # yesterday
        },
    ).json()
    opens = {
        "kind": "trends",
        "series": [{"event": "open"}],
        "date_range": {"preset": "last_7_days"},
        "cohort": made["id"],
    }
    week = api.post(f"{API}/query", opens).json()
    assert week["series"][0]["total"] == 1
    send(workspace, two, "signup", today_at(workspace, 10, 30, days=1))
    assert api.post(f"{API}/query", opens).json()["series"][0]["total"] == 2


def test_a_cohort_of_another_workspace_is_refused(api, workspace, owner):
    other = core_actions.do_create_workspace(actor=owner, slug="other", name="别的")
    ms = Membership.objects.get(workspace=other, user=owner)
    from opsloop.insights import actions

    theirs = actions.do_save_cohort(actor=ms, name="别人的", query=funnel(), selection={"step": 0})
    query = {**funnel(), "cohort": theirs.pk}
    answer = api.post(f"{API}/query", query)
    assert answer.status_code == 400 and answer.json()["field"] == "cohort"
    assert api.get(f"{W}/cohorts/{theirs.pk}").status_code == 404


def test_a_cached_result_does_not_evaluate_its_cohort_again(api, workspace, monkeypatch):
    from opsloop.insights import queries

    person = make_person(workspace, "u1")
    send(workspace, person, "signup", today_at(workspace, 9, days=1))
    signups = SIGNUPS_BY_DAY
    made = api.post(
        f"{W}/cohorts",
        {"name": "昨天注册", "kind": "dynamic", "query": signups, "selection": {"bucket": 5}},
    ).json()
    query = {**signups, "cohort": made["id"]}
    first = api.post(f"{API}/query", query).json()
    assert first["series"][0]["total"] is None and first["series"][0]["data"][5] == 1

    def evaluated(*args, **kwargs):
        raise AssertionError("the cohort was evaluated for a cached result")

    monkeypatch.setattr(queries, "cohort_person_ids", evaluated)
    assert api.post(f"{API}/query", query).json() == first


def test_a_cohort_of_trait_filters_through_the_api(api, workspace):
    shanghai = make_person(workspace, "u1", city="上海", plan="pro")
    free = make_person(workspace, "u2", city="上海")
    beijing = make_person(workspace, "u3", city="北京", plan="pro")
    for person in (shanghai, free, beijing):
        send(workspace, person, "open", today_at(workspace, 9, days=1))
    made = api.post(
        f"{W}/cohorts",
        {"name": "上海付费", "kind": "dynamic", "persons": {"trait": ["city=上海", "plan"]}},
    )
    assert made.status_code == 201, made.content
    cohort = made.json()
    assert cohort["definition"] == {"persons": {"q": "", "trait": ["city=上海", "plan"]}}
    assert (cohort["kind"], cohort["size"]) == ("dynamic", 1)
    persons = api.get(f"{W}/cohorts/{cohort['id']}/persons").json()
    assert [p["user_id"] for p in persons["results"]] == ["u1"]
    opens = {
        "kind": "trends",
        "series": [{"event": "open"}],
        "date_range": {"preset": "last_7_days"},
        "cohort": cohort["id"],
    }
    assert api.post(f"{API}/query", opens).json()["series"][0]["total"] == 1
    Person.objects.filter(pk=free.pk).update(traits={"city": "上海", "plan": "basic"})
    assert api.post(f"{W}/cohorts/{cohort['id']}/refresh").json()["size"] == 2
    # New events make the cached result stale; the dynamic cohort now has both.
    send(workspace, beijing, "open", today_at(workspace, 10, days=1))
    assert api.post(f"{API}/query", opens).json()["series"][0]["total"] == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {
                "name": "两样",
                "query": funnel(),
                "selection": {"step": 0},
                "persons": {"trait": ["city"]},
            },
            "persons",
        ),
        ({"name": "都没有"}, "query"),
        ({"name": "空的", "persons": {}}, "persons.trait"),
        ({"name": "坏键", "persons": {"trait": ["ci!ty=上海"]}}, "persons.trait"),
        ({"name": "多余", "persons": {"trait": ["city"], "city": "上海"}}, "persons.city"),
    ],
)
def test_a_cohort_needs_a_query_and_selection_or_person_filters(api, workspace, body, field):
    answer = api.post(f"{W}/cohorts", body)
    assert answer.status_code == 400, answer.content
    assert answer.json()["field"] == field, answer.json()
    assert api.get(f"{W}/cohorts").json() == []


def test_the_openapi_document_describes_both_ways_to_define_a_cohort():
    from opsloop.api import api as ninja_api

    schemas = ninja_api.get_openapi_schema(path_prefix="")["components"]["schemas"]
    fields = schemas["CohortIn"]["properties"]
    assert "persons" in fields and "persons" in fields["query"]["description"]
    assert "both or neither" in fields["persons"]["description"]
    assert "city=上海" in schemas["PersonFiltersIn"]["properties"]["trait"]["description"]
    assert "required" not in schemas["CohortIn"] or "query" not in schemas["CohortIn"]["required"]


def test_suggestions_list_names_and_keys_with_counts_and_a_keys_values(api, workspace):
    one = make_person(workspace, "u1", channel="douyin")
    two = make_person(workspace, "u2", channel="wechat", city="上海")
    send(workspace, one, "app_open", today_at(workspace, 9, days=1), utm_source="douyin")
    send(workspace, one, "app_open", today_at(workspace, 10, days=1))
    send(workspace, two, "order_paid", today_at(workspace, 9, days=1), properties={"amount": 5})
    answer = api.get(f"{API}/suggestions")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["events"] == [
        {"name": "app_open", "count": 2, "label": None},
        {"name": "order_paid", "count": 1, "label": None},
    ]
    assert {"name": "utm_source", "count": 1, "label": None} in body["properties"]
    assert {"name": "amount", "count": 1, "label": None} in body["properties"]
    assert body["person_properties"] == [
        {"name": "person.channel", "count": 2, "label": None},
        {"name": "person.city", "count": 1, "label": None},
    ]
    assert body["values"] == []
    values = api.get(f"{API}/suggestions?key=person.channel").json()["values"]
    assert values == [
        {"name": "douyin", "count": 1, "label": None},
        {"name": "wechat", "count": 1, "label": None},
    ]
    assert api.get(f"{API}/suggestions?key=utm_source").json()["values"] == [
        {"name": "douyin", "count": 1, "label": None}
    ]
    assert api.get(f"{API}/suggestions?key=a%20b").status_code == 400


def test_new_events_reach_the_suggestions_of_a_quiet_workspace(api, workspace):
    assert api.get(f"{API}/suggestions").json()["events"] == []
    send(workspace, make_person(workspace, "u1"), "app_open", today_at(workspace, 9, days=1))
    assert api.get(f"{API}/suggestions").json()["events"] == [
        {"name": "app_open", "count": 1, "label": None}
    ]


def test_a_retention_filtered_on_a_first_visits_utm_carries_a_hint(api, workspace):
    for user, channel in (("u1", "douyin"), ("u2", "wechat")):
        person = make_person(workspace, user, channel=channel)
        send(workspace, person, "app_open", today_at(workspace, 9, days=20), utm_source=channel)
        send(workspace, person, "app_open", today_at(workspace, 9, days=6))
    query = {
        "kind": "retention",
        "start": {"event": "app_open"},
        "returning": {"event": "app_open"},
        "period": "week",
        "date_range": {"preset": "last_30_days"},
        "filters": [{"key": "utm_source", "value": "douyin"}],
    }
    body = api.post(f"{API}/query", query).json()
    (hint,) = body["hints"]
    assert hint["code"] == "filter_on_returns" and hint["suggest"] == "person.channel"
    assert "the returns too" in hint["message"] and "person.channel" in hint["message"]
    # Asked again (from the cache) in Chinese, the message is in Chinese.
    again = api.client.post(
        f"{API}/query",
        json.dumps(query),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
        **api._headers(),
    ).json()
    assert again["hints"][0]["code"] == "filter_on_returns"
    assert "回访" in again["hints"][0]["message"]
    assert "person.channel" in again["hints"][0]["message"]
    fixed = dict(query, filters=[{"type": "person", "key": "channel", "value": "douyin"}])
    assert api.post(f"{API}/query", fixed).json()["hints"] == []


def test_an_event_named_by_its_display_name_carries_a_hint_that_points_at_it(api, workspace, owner):
    from opsloop.insights import actions
    from tests.conftest import membership_of

    person = make_person(workspace, "u1")
    send(workspace, person, "app_open", today_at(workspace, 9, days=2))
    send(workspace, person, "first_order", today_at(workspace, 9, 5, days=2))
    query = {
        "kind": "funnel",
        "steps": [{"event": "app_open"}, {"event": "首单"}],
        "date_range": {"preset": "last_7_days"},
    }
    (hint,) = api.post(f"{API}/query", query).json()["hints"]
    # No event is called 首单, nor like it: the range's events, no event to swap in.
    assert (hint["code"], hint["key"], hint["places"]) == (
        "event_not_received",
        "首单",
        ["steps.1"],
    )
    assert hint["suggest"] is None and hint["received"] == [["app_open", 1], ["first_order", 1]]
    assert "No 首单 event was received in this range, nor at any other time." in hint["message"]
    # Once the workspace calls first_order 首单, the same query (cached before) points at it.
    actions.do_set_display_name(
        actor=membership_of(owner, workspace), kind="event", key="first_order", name="首单"
    )
    (hint,) = api.post(f"{API}/query", query).json()["hints"]
    assert (hint["named"], hint["suggest"]) == ([["first_order", 1]], "first_order")
    assert "首单 is the display name of first_order (首单, 1)" in hint["message"]
    again = api.client.post(
        f"{API}/query",
        json.dumps(query),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
        **api._headers(),
    ).json()
    assert "首单 是 first_order (首单, 1) 的显示名" in again["hints"][0]["message"]
    fixed = dict(query, steps=[{"event": "app_open"}, {"event": "first_order"}])
    body = api.post(f"{API}/query", fixed).json()
    assert body["hints"] == [] and [s["count"] for s in body["steps"]] == [1, 1]
