"""Display names (docs/insights.md#display-names): what a workspace calls its events,
property keys and property values, set on a page or through the API, and shown in every
result (series, breakdowns, funnel steps, paths, channels, the CSV, the builder's
suggestions) while queries keep the raw identifiers."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from opsloop.core.errors import Invalid
from opsloop.insights import actions, display, queries
from opsloop.insights.models import DisplayName
from tests.conftest import ApiClient, membership_of
from tests.events.test_actions import make_person
from tests.insights.test_api import send, today_at

API = "/api/v1/workspaces/acme/insights/display-names"


@pytest.fixture(autouse=True)
def _own_store(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.EVENTS_BACKEND = "duckdb"
    settings.INSIGHTS_PERSONS_TTL = 0


@pytest.fixture
def actor(owner, workspace):
    return membership_of(owner, workspace)


@pytest.fixture
def shop(workspace):
    """1 comes from xiaohongshu, opens, signs up and orders; 2 comes from douyin, opens."""
    one = make_person(workspace, "u1", channel="xiaohongshu")
    two = make_person(workspace, "u2", channel="douyin")
    send(workspace, one, "app_open", today_at(workspace, 9, days=2), utm_source="xiaohongshu")
    send(workspace, one, "first_order", today_at(workspace, 9, 5, days=2), utm_source="xiaohongshu")
    send(workspace, two, "app_open", today_at(workspace, 10, days=2), utm_source="douyin")
    return one, two


@pytest.fixture
def named(actor):
    """The shop's events and channels, named in Chinese."""
    for kind, key, value, name in (
        ("event", "app_open", "", "打开 App"),
        ("event", "first_order", "", "首单"),
        ("property", "utm_source", "", "来源渠道"),
        ("value", "utm_source", "xiaohongshu", "小红书"),
        ("value", "utm_source", "douyin", "抖音"),
        ("value", "person.channel", "xiaohongshu", "小红书（首次）"),
    ):
        actions.do_set_display_name(actor=actor, kind=kind, key=key, value=value, name=name)


def run(workspace, data):
    return queries.run_insight(
        workspace=workspace,
        query=queries.check_query({"date_range": {"preset": "last_7_days"}, **data}),
    )


# --- actions


def test_set_renames_and_delete_forgets_one_name_per_workspace_kind_key_and_value(actor, workspace):
    made = actions.do_set_display_name(
        actor=actor, kind="value", key="utm_source", value="xiaohongshu", name="  小红书  "
    )
    again = actions.do_set_display_name(
        actor=actor, kind="value", key="utm_source", value="xiaohongshu", name="小红书 App"
    )
    assert again.pk == made.pk and again.name == "小红书 App"
    # The same value of another key, and the event of that name, are other names.
    actions.do_set_display_name(
        actor=actor, kind="value", key="person.channel", value="xiaohongshu", name="小红书"
    )
    actions.do_set_display_name(actor=actor, kind="event", key="xiaohongshu", name="事件")
    assert DisplayName.objects.filter(workspace=workspace).count() == 3
    assert queries.get_display_names(workspace).value("utm_source", "xiaohongshu") == "小红书 App"
    actions.do_delete_display_name(actor=actor, display_name=again)
    names = queries.get_display_names(workspace)
    assert names.value("utm_source", "xiaohongshu") == "xiaohongshu"
    assert names.value("person.channel", "xiaohongshu") == "小红书"


def test_a_name_is_one_line_without_bidi_controls(actor):
    made = actions.do_set_display_name(
        actor=actor, kind="event", key="signup", name="注\u202e册\n新用户"
    )
    assert made.name == "注册 新用户"


@pytest.mark.parametrize(
    ("kind", "key", "value", "name", "field"),
    [
        ("metric", "signup", "", "注册", "kind"),
        ("event", "", "", "注册", "key"),
        ("event", "e" * 201, "", "注册", "key"),
        ("event", "signup", "x", "注册", "value"),
        ("property", "utm source", "", "渠道", "key"),
        ("property", "person.", "", "渠道", "key"),
        ("value", "utm_source", "", "小红书", "value"),
        ("value", "utm_source", "v" * 501, "小红书", "value"),
        ("event", "signup", "", "", "name"),
        ("event", "signup", "", "名" * 101, "name"),
    ],
)
def test_bad_input_is_refused_naming_the_field(actor, kind, key, value, name, field):
    with pytest.raises(Invalid) as refused:
        actions.do_set_display_name(actor=actor, kind=kind, key=key, value=value, name=name)
    assert refused.value.field == field


def test_names_are_read_once_and_cached_until_one_changes(
    actor, workspace, django_assert_num_queries
):
    actions.do_set_display_name(actor=actor, kind="event", key="signup", name="注册")
    with django_assert_num_queries(1):
        queries.get_display_names(workspace)
    with django_assert_num_queries(0):
        assert queries.get_display_names(workspace).event("signup") == "注册"
    actions.do_set_display_name(actor=actor, kind="event", key="signup", name="新用户注册")
    assert queries.get_display_names(workspace).event("signup") == "新用户注册"


# --- results


def test_a_trend_broken_down_shows_the_names_and_keeps_the_raw_values(workspace, shop, named):
    result = run(
        workspace,
        {
            "kind": "trends",
            "series": [{"event": "app_open", "math": "total"}],
            "breakdown": {"key": "utm_source"},
        },
    )
    lines = {line["breakdown"]: line for line in result["series"]}
    assert set(lines) == {"xiaohongshu", "douyin"}
    assert lines["xiaohongshu"]["event"] == "app_open"
    assert lines["xiaohongshu"]["display_label"] == "打开 App"
    assert lines["xiaohongshu"]["breakdown_label"] == "小红书"
    shown = display.tables(result)
    labels = [row["label"] for row in shown["rows"]]
    assert all(label.startswith("打开 App · ") for label in labels)
    assert {label.rsplit(" · ", 1)[1] for label in labels} == {"小红书", "抖音"}
    assert [s["name"] for s in shown["chart"]["series"]] == labels


def test_a_series_label_given_in_the_query_wins_over_the_events_name(workspace, shop, named):
    result = run(
        workspace,
        {"kind": "trends", "series": [{"event": "app_open", "label": "打开"}, {"event": None}]},
    )
    assert [s["display_label"] for s in result["series"]] == ["打开", ""]


def test_a_sum_names_its_property(workspace, actor, shop, named):
    actions.do_set_display_name(actor=actor, kind="property", key="amount", name="金额")
    result = run(
        workspace,
        {
            "kind": "trends",
            "series": [{"event": "first_order", "math": "sum", "math_property": "amount"}],
        },
    )
    assert result["series"][0]["math_property_label"] == "金额"
    assert display.tables(result)["rows"][0]["label"].endswith(" 金额")


def test_a_funnel_names_its_steps_and_breakdown_values_by_person_property(workspace, shop, named):
    result = run(
        workspace,
        {
            "kind": "funnel",
            "steps": [{"event": "app_open"}, {"event": "first_order"}],
            "breakdown": {"type": "person", "key": "channel"},
        },
    )
    assert [s["display_label"] for s in result["steps"]] == ["打开 App", "首单"]
    groups = {g["value"]: g["value_label"] for g in result["breakdown"]}
    # person.channel's own names: utm_source's are of another key.
    assert groups == {"xiaohongshu": "小红书（首次）", "douyin": "douyin"}
    shown = display.tables(result)
    assert shown["head"] == ["打开 App", "首单"] and shown["chart"]["x"] == ["打开 App", "首单"]
    assert {row["label"] for row in shown["rows"][1:]} == {"小红书（首次）", "douyin"}


def test_paths_and_channels_show_the_names(workspace, shop, named):
    paths = run(workspace, {"kind": "paths", "event": "app_open"})
    assert paths["event_label"] == "打开 App"
    assert {n["event_label"] for n in paths["nodes"]} == {"打开 App", "首单"}
    assert paths["links"][0]["source_label"] == "打开 App"
    assert paths["links"][0]["target_label"] == "首单"
    chart = display.tables(paths)["chart"]
    assert set(chart["labels"].values()) == {"0. 打开 App", "1. 首单"}
    # Nodes keep their raw names: two events of one display name stay two nodes.
    assert {n["name"] for n in chart["nodes"]} == {"0. app_open", "1. first_order"}
    channels = run(workspace, {"kind": "attribution", "conversion": {"event": "first_order"}})
    assert channels["channel_label"] == "来源渠道"
    rows = {c["channel"]: c["channel_label"] for c in channels["channels"]}
    assert rows == {"xiaohongshu": "小红书", "douyin": "抖音"}


def test_a_rename_shows_at_once_in_a_cached_result(workspace, actor, shop, named):
    query = {"kind": "trends", "series": [{"event": "first_order"}]}
    assert run(workspace, query)["series"][0]["display_label"] == "首单"
    actions.do_set_display_name(actor=actor, kind="event", key="first_order", name="第一单")
    assert run(workspace, query)["series"][0]["display_label"] == "第一单"


def test_labelling_a_result_reads_the_names_once(workspace, shop, named):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    data = {
        "kind": "trends",
        "series": [{"event": "app_open"}, {"event": "first_order"}],
        "breakdown": {"key": "utm_source"},
    }
    run(workspace, data)
    cache.delete(queries.display_names_cache_key(workspace.pk))
    with CaptureQueriesContext(connection) as seen:
        result = run(workspace, data)
    read = [q["sql"] for q in seen.captured_queries if "insights_displayname" in q["sql"]]
    assert len(read) == 1 and len(result["series"]) == 3
    with CaptureQueriesContext(connection) as seen:
        run(workspace, data)
    assert not [q for q in seen.captured_queries if "insights_displayname" in q["sql"]]


# --- pages


@pytest.fixture
def client_owner(owner):
    client = Client()
    client.force_login(owner)
    return client


def names_page(client, language="en", **params):
    return client.get(
        reverse("insight_names", args=["acme"]), params, HTTP_ACCEPT_LANGUAGE=language
    )


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["Display names", "Values of a property", "not seen lately"]),
        ("zh-hans", ["事件显示名", "列出取值", "近期未出现"]),
    ],
)
def test_the_page_lists_what_exists_with_counts_and_names(
    client_owner, actor, shop, named, language, words
):
    # A name of an event not sent lately is listed too, to rename or forget.
    actions.do_set_display_name(actor=actor, kind="event", key="old_event", name="旧事件")
    answer = names_page(client_owner, language, key="utm_source")
    assert answer.status_code == 200
    body = answer.content.decode()
    for word in words:
        assert word in body
    events = re.search(r'data-testid="names-event".*?</section>', body, re.S).group(0)
    assert "<code>app_open</code>" in events and 'value="打开 App"' in events
    assert "<code>old_event</code>" in events and 'value="旧事件"' in events
    values = re.search(r'data-testid="names-value".*?</section>', body, re.S).group(0)
    assert "<code>xiaohongshu</code>" in values and 'value="小红书"' in values
    assert "<code>douyin</code>" in values and 'value="抖音"' in values


def test_the_page_saves_a_sections_names_and_forgets_an_emptied_one(
    client_owner, workspace, shop, named
):
    url = reverse("insight_names", args=["acme"])
    answer = client_owner.post(
        url,
        {
            "op": "value",
            "key": "utm_source",
            "target": ["xiaohongshu", "douyin"],
            "name": ["小红书 RED", ""],
            "new_target": "wechat",
            "new_name": "微信",
        },
    )
    assert answer.status_code == 302 and "key=utm_source" in answer["Location"]
    names = queries.get_display_names(workspace)
    assert names.values["utm_source"] == {"xiaohongshu": "小红书 RED", "wechat": "微信"}


def test_a_refused_name_comes_back_as_typed(client_owner, workspace, shop, named):
    answer = client_owner.post(
        reverse("insight_names", args=["acme"]),
        {"op": "event", "target": ["app_open", "first_order"], "name": ["打开", "名" * 101]},
    )
    assert answer.status_code == 400
    body = answer.content.decode()
    assert 'value="打开"' in body
    assert queries.get_display_names(workspace).event("app_open") == "打开 App"


def test_the_insights_page_links_to_the_names_and_its_suggestions_show_them(
    client_owner, shop, named
):
    body = client_owner.get(reverse("insights", args=["acme"]), {"kind": "funnel"}).content
    body = body.decode()
    assert reverse("insight_names", args=["acme"]) in body
    names = re.search(r'<datalist id="event-names".*?</datalist>', body).group(0)
    assert '<option value="first_order" label="首单 · 1 event">' in names
    keys = re.search(r'<datalist id="property-keys".*?</datalist>', body).group(0)
    assert '<option value="utm_source" label="来源渠道 · 3 events">' in keys


def test_the_csv_shows_the_names(client_owner, shop, named):
    answer = client_owner.get(
        reverse("insights", args=["acme"]),
        {
            "kind": "funnel",
            "step": ["app_open", "first_order"],
            "breakdown": "utm_source",
            "range": "last_7_days",
            "format": "csv",
        },
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    lines = answer.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("拆分维度,1. 打开 App,2. 首单,"), lines[0]
    assert {line.split(",")[0] for line in lines[2:]} == {"小红书", "抖音"}


def test_the_chart_of_a_trend_is_labelled_with_the_names(client_owner, shop, named):
    body = client_owner.get(
        reverse("insights", args=["acme"]),
        {"kind": "trends", "event": "first_order", "range": "last_7_days"},
    ).content.decode()
    data = json.loads(
        re.search(r'id="insight-data" type="application/json">(.*?)</script>', body).group(1)
    )
    assert data["series"][0]["name"].startswith("首单 · ")


# --- API


def test_the_api_lists_sets_and_deletes_names(owner, workspace, shop):
    api = ApiClient(owner)
    made = api.put(
        API, {"kind": "value", "key": "utm_source", "value": "xiaohongshu", "name": "小红书"}
    )
    assert made.status_code == 200, made.json()
    body = made.json()
    assert body["name"] == "小红书" and body["value"] == "xiaohongshu"
    again = api.put(
        API, {"kind": "value", "key": "utm_source", "value": "xiaohongshu", "name": "RED"}
    )
    assert again.json()["id"] == body["id"]
    api.put(API, {"kind": "event", "key": "app_open", "name": "打开 App"})
    listed = api.get(API).json()
    assert [(n["kind"], n["key"], n["value"], n["name"]) for n in listed] == [
        ("event", "app_open", "", "打开 App"),
        ("value", "utm_source", "xiaohongshu", "RED"),
    ]
    assert [n["name"] for n in api.get(API, {"kind": "event"}).json()] == ["打开 App"]
    found = api.get("/api/v1/workspaces/acme/insights/suggestions", {"key": "utm_source"}).json()
    assert {v["name"]: v["label"] for v in found["values"]} == {
        "xiaohongshu": "RED",
        "douyin": None,
    }
    assert found["events"][0] == {"name": "app_open", "count": 2, "label": "打开 App"}
    result = api.post(
        "/api/v1/workspaces/acme/insights/query",
        {
            "kind": "trends",
            "series": [{"event": "app_open"}],
            "date_range": {"preset": "last_7_days"},
        },
    ).json()
    assert result["series"][0]["event"] == "app_open"
    assert result["series"][0]["display_label"] == "打开 App"
    assert api.delete(f"{API}/{body['id']}").status_code == 204
    assert api.delete(f"{API}/{body['id']}").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "metric", "key": "x", "name": "名"}, "kind"),
        ({"kind": "event", "key": "x", "name": ""}, "name"),
        ({"kind": "event", "key": "x", "name": "名" * 101}, "name"),
        ({"kind": "event", "key": "x", "name": 3}, "name"),
        ({"kind": "event", "key": 3, "name": "名"}, "key"),
        ({"kind": "value", "key": "utm_source", "name": "名"}, "value"),
        ({"kind": "property", "key": "a b", "name": "名"}, "key"),
        ({"kind": "event", "key": "x", "name": "名", "extra": 1}, "extra"),
    ],
)
def test_bad_bodies_get_a_400_naming_the_field(owner, workspace, body, field):
    answer = ApiClient(owner).put(API, body)
    assert answer.status_code == 400, answer.json()
    assert field in json.dumps(answer.json())
    assert not DisplayName.objects.filter(workspace=workspace).exists()


def test_another_workspaces_name_is_not_found(owner, workspace, actor):
    from opsloop.core import actions as core_actions

    other = core_actions.do_create_workspace(actor=owner, slug="other", name="Other")
    theirs = actions.do_set_display_name(
        actor=membership_of(owner, other), kind="event", key="signup", name="注册"
    )
    assert ApiClient(owner).delete(f"{API}/{theirs.pk}").status_code == 404
    assert ApiClient(owner).get(API).json() == []
