"""Pages: sources (a key shown once), people with search and trait filters, a person's
page with their events, live events and its htmx refresh, exports, deleting a person."""

from __future__ import annotations

import datetime as dt
import html
import re

from django.test import Client
from django.utils import timezone

from opsloop.core.models import Role
from opsloop.events import keys
from opsloop.events.models import Person, Source, WriteKey
from tests.conftest import PASSWORD, add_member
from tests.events.test_actions import make_person, store_events
from tests.events.test_ingest import basic, make_key, track


def login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_sources_page_shows_a_new_key_once_and_the_client_snippets(owner, workspace, settings):
    settings.SITE_URL = "https://ops.example.com"
    client = login(owner)
    page = html.unescape(client.get("/w/acme/sources/").content.decode())
    assert 'analytics.host = "https://ops.example.com"' in page
    assert 'host="https://ops.example.com"' in page
    made = client.post("/w/acme/sources/", {"op": "create", "name": "鲸选 H5", "kind": "web"})
    assert made.status_code == 200
    raw = re.search(r'data-testid="write-key">(olk_[\w-]+)<', made.content.decode()).group(1)
    assert f'analytics.write_key = "{raw}"' in html.unescape(made.content.decode())
    assert keys.source_for_key(raw).name == "鲸选 H5"
    again = client.get("/w/acme/sources/").content.decode()
    assert raw not in again and raw[:10] in again
    source = Source.objects.get(name="鲸选 H5")
    rotated = client.post("/w/acme/sources/", {"op": "rotate", "source_id": source.pk})
    assert rotated.status_code == 200 and 'data-testid="write-key"' in rotated.content.decode()
    old = WriteKey.objects.filter(source=source).order_by("pk").first()
    revoked = client.post(
        "/w/acme/sources/", {"op": "revoke", "source_id": source.pk, "key_id": old.pk}
    )
    assert revoked.status_code == 302
    assert WriteKey.objects.get(pk=old.pk).revoked_at is not None
    bad = client.post("/w/acme/sources/", {"op": "create", "name": "", "kind": "web"})
    assert bad.status_code == 400 and 'data-testid="error"' in bad.content.decode()


def test_members_see_sources_without_keys(owner, workspace):
    client = login(owner)
    client.post("/w/acme/sources/", {"op": "create", "name": "小程序", "kind": "miniprogram"})
    prefix = WriteKey.objects.get().prefix
    page = login(add_member(workspace, "m", Role.MEMBER)).get("/w/acme/sources/").content.decode()
    assert "小程序" in page and prefix not in page and "add-source" not in page


def test_sources_warn_of_events_that_said_a_time_far_ahead(owner, workspace, api):
    source = Source.objects.create(workspace=workspace, name="鲸选 App")
    ahead = (timezone.now() + dt.timedelta(days=3)).isoformat()
    sent = Client().post(
        "/v1/track",
        {**track(), "timestamp": ahead},
        content_type="application/json",
        HTTP_AUTHORIZATION=basic(make_key(source)),
    )
    assert sent.status_code == 200
    client = login(owner)
    client.cookies["django_language"] = "zh-hans"
    page = client.get("/w/acme/sources/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    warning = re.search(rf'data-testid="future-timestamps-{source.pk}">(.*?)</p>', page, re.S)
    assert warning and "鲸选 App：有 1 个事件的时间比服务器时钟快 23 小时以上" in warning.group(1)
    listed = api.get("/api/v1/workspaces/acme/sources").json()
    assert [(s["name"], s["future_timestamps"]) for s in listed] == [("鲸选 App", 1)]
    assert listed[0]["last_future_timestamp_at"] is not None


def test_people_page_searches_filters_and_pins_its_queries(
    owner, workspace, django_assert_max_num_queries
):
    for i in range(30):
        make_person(workspace, f"u{i:04d}", f"anon-{i}", city="上海" if i % 3 else "北京")
    client = login(owner)
    with django_assert_max_num_queries(12):
        page = client.get("/w/acme/people/").content.decode()
    assert page.count('data-testid="person-row"') == 30
    narrowed = client.get("/w/acme/people/", {"trait": "city=北京"}).content.decode()
    assert narrowed.count('data-testid="person-row"') == 10 and "city = 北京 ×" in narrowed
    found = client.get("/w/acme/people/", {"q": "anon-7"}).content.decode()
    assert found.count('data-testid="person-row"') == 1 and "u0007" in found
    paged = client.get("/w/acme/people/", {"per_page": 20, "page": 2}).content.decode()
    assert paged.count('data-testid="person-row"') == 10
    bad = client.get("/w/acme/people/", {"trait": "no good!"})
    assert bad.status_code == 400 and "trait" in bad.content.decode()


def test_person_page_shows_traits_ids_and_events_newest_first(owner, workspace):
    person = make_person(workspace, "u1001", "anon-1", name="王小明", city="上海")
    store_events(workspace, person, 3, event="order_paid", properties={"amount": 199})
    page = login(owner).get(f"/w/acme/people/{person.pk}/").content.decode()
    assert "王小明" in page and "上海" in page and "anon-1" in page
    assert page.count('data-testid="event-row"') == 3 and "amount=199" in page
    assert 'data-testid="delete-person"' in page
    # The breadcrumb ends in the person, not in a bare separator.
    crumbs = re.search(r'data-testid="crumbs">(.*?)</div>', page).group(1)
    assert re.sub(r"<[^>]+>", "", crumbs).split() == ["People", "/", "u1001"]


def test_admins_delete_a_person_from_their_page(owner, workspace):
    person = make_person(workspace, "u1001")
    store_events(workspace, person, 2)
    member = login(add_member(workspace, "m", Role.MEMBER))
    assert (
        'data-testid="delete-person"'
        not in member.get(f"/w/acme/people/{person.pk}/").content.decode()
    )
    assert member.post(f"/w/acme/people/{person.pk}/", {"op": "delete"}).status_code == 403
    response = login(owner).post(f"/w/acme/people/{person.pk}/", {"op": "delete"})
    assert response.status_code == 302 and response["Location"] == "/w/acme/people/"
    assert not Person.objects.filter(pk=person.pk).exists()


def test_live_events_page_filters_and_refreshes_itself(owner, workspace):
    person = make_person(workspace, "u1", name="王小明")
    store_events(workspace, person, 2, event="signup")
    store_events(workspace, person, 1, event="order_paid")
    client = login(owner)
    page = client.get("/w/acme/live/").content.decode()
    assert page.count('data-testid="event-row"') == 3
    assert 'hx-trigger="every 3s"' in page and "王小明" in page
    narrowed = client.get("/w/acme/live/", {"event": "signup"}).content.decode()
    assert narrowed.count('data-testid="event-row"') == 2
    assert 'hx-get="/w/acme/live/?event=signup"' in narrowed
    # The refresh asks for the table alone.
    partial = client.get("/w/acme/live/", {"event": "signup"}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert body.lstrip().startswith("<section") and "<html" not in body
    assert client.get("/w/acme/live/", {"since": "nope"}).status_code == 400


def test_export_page_button_downloads_csv(owner, workspace):
    person = make_person(workspace, "u1")
    store_events(workspace, person, 3)
    client = login(owner)
    assert 'data-testid="export-form"' in client.get("/w/acme/live/").content.decode()
    response = client.get(
        "/w/acme/events/export/", {"what": "events", "format": "csv", "from": "2026-03-01"}
    )
    assert response.status_code == 200
    assert 'filename="events-20260301.csv"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content).decode().count("\n") == 4
    bad = client.get("/w/acme/events/export/", {"format": "xlsx"})
    assert bad.status_code == 302


def snippet_sections(page: str) -> tuple[str, str]:
    """The page's snippets shown first, and those under "Other clients", as text."""
    text = html.unescape(page)
    first = text.split('data-testid="snippets-first"', 1)[1].split('data-testid="snippet-curl"')[0]
    other = text.split('data-testid="snippets-other"', 1)[1] if "snippets-other" in text else ""
    return first, other


def created_page(client: Client, kind: str) -> tuple[str, str]:
    made = client.post("/w/acme/sources/", {"op": "create", "name": f"app {kind}", "kind": kind})
    assert made.status_code == 200
    page = made.content.decode()
    return page, re.search(r'data-testid="write-key">(olk_[\w-]+)<', page).group(1)


def test_a_web_sources_new_key_comes_with_javascript_snippets(owner, workspace, settings):
    settings.SITE_URL = "https://ops.example.com"
    page, raw = created_page(login(owner), "web")
    first, other = snippet_sections(page)
    assert "npm install posthog-js" in first
    assert f'posthog.init("{raw}", {{' in first
    assert 'api_host: "https://ops.example.com"' in first
    assert "npm install @segment/analytics-next" in first
    assert f'writeKey: "{raw}"' in first and f'apiKey: "{raw}"' in first
    assert '"Segment.io": { apiHost: "ops.example.com/v1", protocol: "https" }' in first
    # The Python libraries are a click away, not first.
    assert "pip install" not in first and "pip install segment-analytics-python" in other
    assert "<script" not in first  # shown as text in <pre>, never run


def test_a_server_source_is_shown_the_python_snippets_first(owner, workspace, settings):
    settings.SITE_URL = "https://ops.example.com"
    page, raw = created_page(login(owner), "server")
    first, other = snippet_sections(page)
    assert f'analytics.write_key = "{raw}"' in first and "pip install posthog" in first
    assert "posthog-js" not in first and "analytics-next" not in first
    assert "npm install posthog-js" in other


def test_a_mini_program_source_is_shown_wx_request_with_its_key(owner, workspace, settings):
    settings.SITE_URL = "https://ops.example.com"
    page, raw = created_page(login(owner), "miniprogram")
    first, _other = snippet_sections(page)
    assert f'const WRITE_KEY = "{raw}";' in first
    assert 'const OPSLOOP = "https://ops.example.com";' in first
    assert "wx.request({" in first and "url: `${OPSLOOP}/v1/batch`" in first
    assert "pip install" not in first


def test_without_a_new_key_the_snippets_follow_the_workspaces_sources(owner, workspace):
    client = login(owner)
    # No source yet: every library first, with the placeholder key.
    first, _other = snippet_sections(client.get("/w/acme/sources/").content.decode())
    assert "posthog-js" in first and "wx.request" in first and "pip install" in first
    assert 'posthog.init("<WRITE_KEY>"' in first
    Source.objects.create(workspace=workspace, name="官网", kind="web")
    first, other = snippet_sections(client.get("/w/acme/sources/").content.decode())
    assert "posthog-js" in first and "pip install" not in first and "wx.request" in other


def test_the_snippets_send_to_ingestion_routes(settings):
    from opsloop.events import ingest, queries

    settings.SITE_URL = "https://ops.example.com/opsloop"
    snippets = queries.integration_snippets("olk_x")
    # analytics.js posts to https://<apiHost>/<first letter of the call>, or /b batched.
    api_host = re.search(r'apiHost: "([^"]+)", protocol: "https"', snippets["segment_js"])
    assert api_host.group(1) == "ops.example.com/opsloop/v1"
    for path in ("t", "i", "p", "a", "g", "s", "b"):
        assert f"/v1/{path}" in ingest.ROUTES
    # posthog-js posts to <api_host>/e/ (and /i/v0/e/, /batch/ in other versions).
    assert 'api_host: "https://ops.example.com/opsloop"' in snippets["posthog_js"]
    for path in ("/e/", "/i/v0/e/", "/batch/"):
        assert path in ingest.ROUTES
    assert "url: `${OPSLOOP}/v1/batch`" in snippets["miniprogram"]
    assert "/v1/batch" in ingest.ROUTES
    assert "https://ops.example.com/opsloop/v1/track " in snippets["curl"]
    assert "/v1/track" in ingest.ROUTES


def test_the_mini_program_snippets_message_is_accepted(workspace, settings):
    from tests.events.test_ingest import stored_rows

    source = Source.objects.create(workspace=workspace, name="小程序", kind="miniprogram")
    raw = make_key(source)
    now = "2026-11-11T08:00:00.000Z"
    # What the snippet's track("app_open", {scene: 1001}) sends: the key in the body.
    message = {
        "type": "track",
        "event": "app_open",
        "properties": {"scene": 1001},
        "anonymousId": "mabc-0123",
        "messageId": "mabc-0123-1-xyz",
        "timestamp": now,
    }
    answer = Client().post(
        "/v1/batch",
        data={"writeKey": raw, "sentAt": now, "batch": [message]},
        content_type="application/json",
    )
    assert answer.status_code == 200 and answer["X-Events-Accepted"] == "1"
    (row,) = stored_rows()
    assert (row["event"], row["anonymous_id"], row["source_id"]) == (
        "app_open",
        "mabc-0123",
        source.pk,
    )
