"""The insights page: each kind built from the form's parameters, run over the
workspace's events and shown as a table whose numbers link to the persons behind them;
the table as CSV; the persons page and its htmx partial; bad input answered in the page."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.events.test_actions import make_person
from tests.insights.test_api import send, today_at


@pytest.fixture(autouse=True)
def _own_store(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.EVENTS_BACKEND = "duckdb"
    settings.INSIGHTS_PERSONS_TTL = 0


@pytest.fixture
def client_owner(owner):
    client = Client()
    client.force_login(owner)
    return client


@pytest.fixture
def shop(workspace):
    """Two persons: 1 opens from douyin and orders; 2 opens from wechat."""
    one = make_person(workspace, "u1", city="上海")
    two = make_person(workspace, "u2", city="北京")
    send(workspace, one, "app_open", today_at(workspace, 9, days=2), utm_source="douyin")
    send(workspace, one, "signup", today_at(workspace, 9, 5, days=2))
    send(workspace, one, "app_open", today_at(workspace, 9, days=1))
    send(workspace, two, "app_open", today_at(workspace, 10, days=2), utm_source="wechat")
    return one, two


def page(client, slug="acme", **params):
    return client.get(reverse("insights", args=[slug]), params)


def test_the_default_page_shows_daily_active_users_of_the_busiest_event(client_owner, shop):
    answer = page(client_owner)
    assert answer.status_code == 200
    body = answer.content.decode()
    assert 'data-testid="result"' in body and "app_open" in body
    data = json.loads(
        re.search(r'id="insight-data" type="application/json">(.*?)</script>', body).group(1)
    )
    assert data["type"] == "line" and sum(v or 0 for v in data["series"][0]["data"]) == 3


def test_a_funnel_from_the_form_with_links_to_the_persons_behind_each_step(client_owner, shop):
    answer = page(client_owner, kind="funnel", step=["app_open", "signup", ""], range="last_7_days")
    assert answer.status_code == 200
    body = answer.content.decode()
    assert 'data-testid="funnel-table"' in body
    link = re.search(r'href="(/w/acme/insights/persons/\?[^"]*)"', body.replace("&amp;", "&"))
    assert link, "a count links to its persons"
    persons = client_owner.get(link.group(1))
    assert persons.status_code == 200
    assert persons.content.decode().count('data-testid="behind-person"') == 2  # step 1: both
    step_two = client_owner.get(
        reverse("insight_persons", args=["acme"]),
        {
            "kind": "funnel",
            "step": ["app_open", "signup"],
            "range": "last_7_days",
            "sel": '{"step": 1}',
        },
        HTTP_HX_REQUEST="true",
    )
    text = step_two.content.decode()
    assert "<html" not in text and text.count('data-testid="behind-person"') == 1 and "u1" in text


@pytest.mark.parametrize(
    ("params", "marker"),
    [
        (
            {"kind": "retention", "start": "app_open", "period": "day", "range": "last_7_days"},
            "retention-table",
        ),
        ({"kind": "attribution", "conversion": "signup", "range": "last_7_days"}, "insight-table"),
        ({"kind": "lifecycle", "event": "app_open", "range": "last_7_days"}, "insight-table"),
        ({"kind": "stickiness", "event": "app_open", "range": "last_7_days"}, "insight-table"),
        ({"kind": "paths", "event": "app_open", "range": "last_7_days"}, "paths-table"),
        (
            {
                "kind": "trends",
                "event": ["app_open", "signup"],
                "math": ["dau", "dau"],
                "breakdown": "utm_source",
                "formula": "B / A * 100",
                "compare": "1",
                "fkey": ["person.city"],
                "fop": ["is_set"],
            },
            "insight-table",
        ),
    ],
)
def test_every_kind_renders(client_owner, shop, params, marker):
    answer = page(client_owner, **params)
    assert answer.status_code == 200, answer.content.decode()[:500]
    assert f'data-testid="{marker}"' in answer.content.decode()


def test_attribution_rows_are_the_channels(client_owner, shop):
    body = page(
        client_owner, kind="attribution", conversion="signup", range="last_7_days"
    ).content.decode()
    assert "douyin" in body and "wechat" in body
    csv = page(
        client_owner, kind="attribution", conversion="signup", range="last_7_days", format="csv"
    )
    assert csv["Content-Type"].startswith("text/csv")
    rows = csv.content.decode("utf-8-sig").splitlines()
    assert rows == [
        "Channel,Users,Conversions,Conversion rate",
        "douyin,1,1,100.0%",
        "wechat,1,0,0.0%",
    ]


def test_a_bad_query_is_answered_in_the_page(client_owner, shop):
    answer = page(client_owner, kind="funnel", step=["app_open"])
    assert answer.status_code == 400
    assert 'data-testid="error"' in answer.content.decode()
    bad = client_owner.get(
        reverse("insight_persons", args=["acme"]),
        {"kind": "funnel", "step": ["a", "b"], "sel": "[1"},
    )
    assert bad.status_code == 400 and 'data-testid="error"' in bad.content.decode()


def test_save_open_comment_and_delete_an_insight_on_the_page(client_owner, shop, workspace):
    from opsloop.insights.models import Insight

    url = reverse("insights", args=["acme"])
    query = {
        "kind": "funnel",
        "steps": [{"event": "app_open"}, {"event": "signup"}],
        "date_range": {"preset": "last_7_days"},
    }
    made = client_owner.post(url, {"op": "save", "name": "注册漏斗", "query": json.dumps(query)})
    insight = Insight.objects.get(workspace=workspace)
    assert made.status_code == 302 and made["Location"].endswith(f"?insight={insight.pk}")
    opened = client_owner.get(url, {"insight": insight.pk}).content.decode()
    assert "注册漏斗" in opened and 'data-testid="funnel-table"' in opened
    # Its numbers link to their persons by the builder's parameters, not the insight's id.
    assert "kind=funnel" in opened and "step=app_open" in opened
    client_owner.post(f"{url}?insight={insight.pk}", {"op": "comment", "body": "**转化**不错"})
    assert (
        "<strong>转化</strong>" in client_owner.get(url, {"insight": insight.pk}).content.decode()
    )
    client_owner.post(f"{url}?insight={insight.pk}", {"op": "update", "name": "注册漏斗（周）"})
    insight.refresh_from_db()
    assert insight.name == "注册漏斗（周）"
    bad = client_owner.post(url, {"op": "save", "name": "", "query": json.dumps(query)})
    assert bad.status_code == 400 and 'data-testid="error"' in bad.content.decode()
    client_owner.post(f"{url}?insight={insight.pk}", {"op": "delete"})
    assert not Insight.objects.filter(pk=insight.pk).exists()


def test_save_the_persons_behind_a_number_as_a_cohort_and_filter_by_it(
    client_owner, shop, workspace
):
    from opsloop.insights.models import Cohort

    url = reverse("insights", args=["acme"])
    query = {
        "kind": "funnel",
        "steps": [{"event": "app_open"}, {"event": "signup"}],
        "date_range": {"preset": "last_7_days"},
    }
    answer = client_owner.post(
        url,
        {
            "op": "cohort",
            "name": "注册了的",
            "kind": "static",
            "query": json.dumps(query),
            "selection": '{"step": 1}',
            "back": "kind=trends",
        },
    )
    assert answer.status_code == 302
    cohort = Cohort.objects.get(workspace=workspace)
    assert cohort.size == 1 and list(cohort.members.values_list("person__user_id", flat=True)) == [
        "u1"
    ]
    body = page(
        client_owner,
        kind="trends",
        event=["app_open"],
        math=["total"],
        range="last_7_days",
        cohort=str(cohort.pk),
    ).content.decode()
    data = json.loads(
        re.search(r'id="insight-data" type="application/json">(.*?)</script>', body).group(1)
    )
    assert sum(v or 0 for v in data["series"][0]["data"]) == 2  # u1's two opens, not u2's
    assert f'<option value="{cohort.pk}" selected' in body


# --- the cohorts page


def cohorts_url(slug="acme"):
    return reverse("insight_cohorts", args=[slug])


def test_the_cohorts_page_lists_them_in_words_and_pins_its_queries(
    client_owner, shop, workspace, owner, django_assert_max_num_queries
):
    from opsloop.core.models import Membership
    from opsloop.insights import actions

    owner_ms = Membership.objects.get(workspace=workspace, user=owner)
    query = {
        "kind": "funnel",
        "steps": [{"event": "app_open"}, {"event": "signup"}],
        "date_range": {"preset": "last_7_days"},
    }
    actions.do_save_cohort(actor=owner_ms, name="注册了的", query=query, selection={"step": 1})
    actions.do_save_cohort(
        actor=owner_ms,
        name="上海付费",
        kind="dynamic",
        persons={"q": "vip", "trait": ["city=上海", "plan"]},
    )
    with django_assert_max_num_queries(6):
        answer = client_owner.get(cohorts_url())
    assert answer.status_code == 200
    body = answer.content.decode()
    assert body.count('data-testid="cohort-row"') == 2
    rows = dict(
        re.findall(
            r'data-testid="cohort-name">([^<]+)<.*?data-testid="cohort-definition">(.*?)</td>',
            body,
            re.S,
        )
    )
    assert "city = 上海" in rows["上海付费"] and "plan" in rows["上海付费"]
    assert "vip" in rows["上海付费"]
    assert (
        "/w/acme/people/?q=vip&amp;trait=city%3D%E4%B8%8A%E6%B5%B7&amp;trait=plan"
        in rows["上海付费"]
    )
    assert (
        "/w/acme/insights/persons/?kind=funnel" in rows["注册了的"] and "sel=" in rows["注册了的"]
    )
    assert body.count('data-testid="refresh-cohort"') == 2
    assert body.count('data-testid="delete-cohort"') == 2
    # More cohorts, no more queries.
    for i in range(5):
        actions.do_save_cohort(actor=owner_ms, name=f"北京 {i}", persons={"trait": ["city=北京"]})
    with django_assert_max_num_queries(6):
        assert (
            client_owner.get(cohorts_url()).content.decode().count('data-testid="cohort-row"') == 7
        )


def test_the_insights_page_links_to_the_cohorts_page(client_owner, shop):
    body = page(client_owner).content.decode()
    assert f'href="{cohorts_url()}" class="" data-testid="tab-cohorts"' in body
    cohorts = client_owner.get(cohorts_url()).content.decode()
    assert 'class="active" data-testid="tab-cohorts"' in cohorts
    assert f'href="{reverse("insights", args=["acme"])}?kind=funnel"' in cohorts


def test_create_a_trait_cohort_on_the_page_and_filter_an_insight_by_it(
    client_owner, shop, workspace
):
    from opsloop.insights.models import Cohort

    one, _two = shop
    answer = client_owner.post(
        cohorts_url(),
        {
            "op": "create",
            "name": "上海用户",
            "kind": "dynamic",
            "q": "",
            "trait": "city=上海\r\n\r\n",
        },
    )
    assert answer.status_code == 302 and answer["Location"] == cohorts_url()
    cohort = Cohort.objects.get(workspace=workspace)
    assert cohort.kind == "dynamic" and cohort.definition == {
        "persons": {"q": "", "trait": ["city=上海"]}
    }
    listed = client_owner.get(cohorts_url()).content.decode()
    assert "上海用户" in listed and 'data-testid="cohort-size">1<' in listed
    body = page(
        client_owner,
        kind="trends",
        event=["app_open"],
        math=["total"],
        range="last_7_days",
        cohort=str(cohort.pk),
    ).content.decode()
    data = json.loads(
        re.search(r'id="insight-data" type="application/json">(.*?)</script>', body).group(1)
    )
    assert sum(v or 0 for v in data["series"][0]["data"]) == 2  # u1's two opens, not u2's


@pytest.mark.parametrize(
    ("posted", "where"),
    [
        ({"name": "坏的", "trait": "ci!ty=上海"}, "trait"),
        ({"name": "", "trait": "city=上海"}, "name"),
        ({"name": "空的", "trait": ""}, "trait"),
    ],
)
def test_a_refused_cohort_comes_back_in_its_form(client_owner, shop, workspace, posted, where):
    from opsloop.insights.models import Cohort

    answer = client_owner.post(cohorts_url(), {"op": "create", "kind": "dynamic", **posted})
    assert answer.status_code == 400
    body = answer.content.decode()
    form = body[body.index('data-testid="cohort-form"') :]
    assert 'data-testid="error"' in form[: form.index("</form>")]
    assert re.search(rf'name="{where}"[^>]*aria-invalid="true"', form)
    assert '<option value="dynamic" selected' in form
    assert posted["trait"] in form
    assert not Cohort.objects.exists()


def test_refresh_and_delete_on_the_page_for_who_may(client_owner, shop, workspace, owner, member):
    from opsloop.core.models import Membership
    from opsloop.events.models import Person
    from opsloop.insights import actions
    from opsloop.insights.models import Cohort

    one, two = shop
    owner_ms = Membership.objects.get(workspace=workspace, user=owner)
    cohort = actions.do_save_cohort(actor=owner_ms, name="上海", persons={"trait": ["city=上海"]})
    assert cohort.size == 1
    other = Client()
    other.force_login(member)
    listed = other.get(cohorts_url()).content.decode()
    assert "上海" in listed and 'data-testid="refresh-cohort"' not in listed
    assert other.post(cohorts_url(), {"op": "refresh", "cohort_id": cohort.pk}).status_code == 403
    assert other.post(cohorts_url(), {"op": "delete", "cohort_id": cohort.pk}).status_code == 403
    Person.objects.filter(pk=two.pk).update(traits={"city": "上海"})
    refreshed = client_owner.post(cohorts_url(), {"op": "refresh", "cohort_id": cohort.pk})
    assert refreshed.status_code == 302
    cohort.refresh_from_db()
    assert cohort.size == 2 and cohort.members.count() == 2
    assert client_owner.post(cohorts_url(), {"op": "delete", "cohort_id": 99999}).status_code == 404
    deleted = client_owner.post(cohorts_url(), {"op": "delete", "cohort_id": cohort.pk})
    assert deleted.status_code == 302 and not Cohort.objects.exists()


def test_guests_and_outsiders_do_not_see_the_cohorts_page(workspace, guest, outsider):
    for user, status in ((guest, 403), (outsider, 404)):
        client = Client()
        client.force_login(user)
        assert client.get(cohorts_url()).status_code == status
        made = client.post(cohorts_url(), {"op": "create", "name": "x", "trait": "city"})
        assert made.status_code == status


@pytest.mark.parametrize(
    ("language", "params", "header"),
    [
        ("en", dict(kind="trends", event="app_open"), "Series,Total,"),
        ("zh-hans", dict(kind="trends", event="app_open"), "指标,合计,"),
        (
            "en",
            dict(kind="funnel", step=["app_open", "signup"]),
            "Users,1. app_open,2. signup,Conversion,Median time",
        ),
        (
            "zh-hans",
            dict(kind="funnel", step=["app_open", "signup"]),
            "用户,1. app_open,2. signup,转化率,中位耗时",
        ),
        ("zh-hans", dict(kind="retention", start="app_open"), "同期群,第 0 期,"),
        ("zh-hans", dict(kind="paths", event="app_open"), "步骤,从,到,用户"),
        ("zh-hans", dict(kind="attribution", conversion="signup"), "渠道,用户,转化数,转化率"),
    ],
)
def test_the_csv_has_the_tables_headers_in_the_readers_language(
    client_owner, shop, language, params, header
):
    answer = client_owner.get(
        reverse("insights", args=["acme"]),
        {**params, "range": "last_7_days", "format": "csv"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    first = answer.content.decode("utf-8-sig").splitlines()[0]
    assert first.startswith(header), first


def test_the_fields_offer_the_event_names_and_property_keys_with_counts(client_owner, shop):
    body = page(client_owner, kind="funnel").content.decode()
    names = re.search(r'<datalist id="event-names".*?</datalist>', body).group(0)
    assert '<option value="app_open" label="3 events">' in names
    assert '<option value="signup" label="1 event">' in names
    keys = re.search(r'<datalist id="property-keys".*?</datalist>', body).group(0)
    assert '<option value="utm_source" label="2 events">' in keys
    assert '<option value="person.city" label="2 users">' in keys
    # Every event and property field offers them; a filter's value field gets its own list.
    for field in re.findall(r'<input name="(?:step|fkey)"[^>]*>', body):
        assert 'list="' in field
    assert 'data-suggest-url="/api/v1/workspaces/acme/insights/suggestions"' in body


def test_a_breakdown_everyone_is_none_under_says_why_and_links_the_person_property(
    client_owner, workspace
):
    for user, channel in (("u1", "douyin"), ("u2", "wechat")):
        person = make_person(workspace, user, channel=channel)
        send(workspace, person, "app_open", today_at(workspace, 9, days=2), utm_source=channel)
        send(workspace, person, "signup", today_at(workspace, 9, 5, days=2))
        send(workspace, person, "first_order", today_at(workspace, 9, 9, days=2))
    answer = page(
        client_owner,
        kind="funnel",
        step=["signup", "first_order"],
        breakdown="utm_source",
        range="last_7_days",
    )
    body = answer.content.decode()
    hint = re.search(r'<p class="insight-hint".*?</p>', body, re.S).group(0)
    assert "utm_source is not set on the first step" in hint and "person.channel" in hint
    link = re.search(r'href="([^"]+)" data-testid="hint-use"', hint).group(1)
    fixed = client_owner.get(reverse("insights", args=["acme"]) + link.replace("&amp;", "&"))
    assert "breakdown=person.channel" in link.replace("&amp;", "&")
    assert 'data-testid="insight-hint"' not in fixed.content.decode()
    assert "douyin" in fixed.content.decode() and "wechat" in fixed.content.decode()


def test_an_event_name_the_range_lacks_says_so_and_links_the_name_meant(client_owner, shop):
    answer = page(client_owner, kind="funnel", step=["app_open", "sigup"], range="last_7_days")
    body = answer.content.decode()
    hint = re.search(r'<p class="insight-hint".*?</p>', body, re.S).group(0)
    assert "No sigup event was received in this range" in hint
    assert "signup (1)" in hint
    link = re.search(r'href="([^"]+)" data-testid="hint-use"', hint).group(1)
    link = link.replace("&amp;", "&")
    assert "step=app_open&step=signup" in link
    fixed = client_owner.get(reverse("insights", args=["acme"]) + link).content.decode()
    assert 'data-testid="insight-hint"' not in fixed
    # In Chinese, the same hint in Chinese.
    chinese = client_owner.get(
        reverse("insights", args=["acme"]),
        {"kind": "funnel", "step": ["app_open", "sigup"], "range": "last_7_days"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).content.decode()
    assert "本时间范围内没有收到 sigup 事件" in chinese and "改用 signup" in chinese
