"""The real client libraries, unchanged, against a running server: segment-analytics-python
and posthog post to opsloop, and the inbox holds exactly the rows they meant.

Two servers: pytest-django's live server (Django's views) and a threaded wsgiref server
running opsloop's WSGI fast path in front of Django, as `opsloop run` does."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import orjson
import posthog.request
import pytest
import segment.analytics.request
from django.core.handlers.wsgi import WSGIHandler
from posthog import Posthog
from segment.analytics.client import Client as SegmentClient

from opsloop.events.ingest_views import with_fast_path
from opsloop.events.models import Source
from tests.events.test_ingest import make_key, stored, stored_rows

pytestmark = pytest.mark.django_db(transaction=True)


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(autouse=True)
def _close_client_connections() -> Iterator[None]:
    # Both libraries keep one keep-alive session per process; closing it after each test
    # lets the server's threads finish with the test, not at the next one's teardown.
    yield
    segment.analytics.request._session.close()
    posthog.request.reset_sessions()


@pytest.fixture(params=["django", "fast"])
def server_url(request) -> Iterator[str]:
    if request.param == "django":
        yield request.getfixturevalue("live_server").url
        return
    request.getfixturevalue("transactional_db")
    server = make_server(
        "127.0.0.1",
        0,
        with_fast_path(WSGIHandler()),
        server_class=_ThreadingServer,
        handler_class=_QuietHandler,
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def source(workspace) -> Source:
    return Source.objects.create(workspace=workspace, name="App")


@pytest.fixture
def key(source) -> str:
    return make_key(source)


def errors_of(client_errors: list) -> list:
    return [str(error) for error, _batch in client_errors]


def test_segment_client_calls_become_exact_rows(server_url, key, source, workspace):
    failures: list = []
    analytics = SegmentClient(
        key,
        host=server_url,
        sync_mode=True,
        max_retries=0,
        on_error=lambda error, batch: failures.append((error, batch)),
    )
    when = dt.datetime(2026, 11, 11, 10, 0, 0, 123000, tzinfo=dt.timezone.utc)
    context = {
        "campaign": {"source": "wechat", "medium": "article", "name": "双十一"},
        "page": {"url": "https://m.example/d11", "path": "/d11", "title": "主会场"},
        "ip": "203.0.113.5",
    }
    analytics.track(
        "u-1",
        "下单成功",
        {"revenue": 199, "currency": "CNY"},
        context=context,
        timestamp=when,
        message_id="seg-track-1",
    )
    analytics.identify("u-1", {"email": "li@example.com"}, message_id="seg-identify-1")
    analytics.page("u-1", "Shop", "Home", {"url": "https://m.example/"}, message_id="seg-page-1")
    analytics.screen("u-1", "App", "Cart", message_id="seg-screen-1")
    analytics.group("u-1", "g-1", {"name": "Acme"}, message_id="seg-group-1")
    analytics.alias("anon-1", "u-1", message_id="seg-alias-1")
    assert failures == []
    rows = stored_rows()
    assert [row["message_id"] for row in rows] == [
        "seg-track-1",
        "seg-identify-1",
        "seg-page-1",
        "seg-screen-1",
        "seg-group-1",
        "seg-alias-1",
    ]
    assert [(row["type"], row["event"], row["name"]) for row in rows] == [
        ("track", "下单成功", ""),
        ("identify", "$identify", ""),
        ("page", "$pageview", "Home"),
        ("screen", "$screen", "Cart"),
        ("group", "$groupidentify", ""),
        ("alias", "$create_alias", ""),
    ]
    track, identify, page, screen, group, alias = rows
    assert {row["workspace_id"] for row in rows} == {workspace.pk}
    assert {row["source_id"] for row in rows} == {source.pk}
    assert {row["distinct_id"] for row in rows} == {"u-1"}
    assert orjson.loads(track["properties"]) == {"revenue": 199, "currency": "CNY"}
    assert (track["utm_source"], track["utm_medium"], track["utm_campaign"]) == (
        "wechat",
        "article",
        "双十一",
    )
    assert (track["url"], track["path"], track["title"], track["ip"]) == (
        "https://m.example/d11",
        "/d11",
        "主会场",
        "203.0.113.5",
    )
    # The client stamps sentAt as it posts; the same clock as ours, so the correction is
    # only the time in flight (received_at - sentAt), added to the event's own time.
    stamp = dt.datetime.fromisoformat(track["timestamp"])
    assert dt.timedelta(0) <= stamp - when < dt.timedelta(seconds=5)
    assert identify["traits"] == '{"email":"li@example.com"}'
    assert identify["ip"] == "127.0.0.1"  # no context.ip: the connection's address
    assert page["url"] == "https://m.example/"
    assert orjson.loads(group["properties"]) == {"group_id": "g-1"}
    assert orjson.loads(alias["properties"]) == {"previous_id": "anon-1"}
    assert len(stored()) == 6  # sync mode: one request, one inbox line, per call


def test_segment_client_batches_with_gzip(server_url, key):
    failures: list = []
    analytics = SegmentClient(
        key,
        host=server_url,
        gzip=True,
        upload_size=50,
        upload_interval=0.05,
        max_retries=0,
        on_error=lambda error, batch: failures.append((error, batch)),
    )
    for n in range(120):
        analytics.track(f"u-{n % 7}", "Viewed Item", {"n": n}, message_id=f"m-{n}")
    analytics.flush()
    analytics.join()
    assert failures == []
    rows = stored_rows()
    assert sorted(orjson.loads(row["properties"])["n"] for row in rows) == list(range(120))
    assert {row["message_id"] for row in rows} == {f"m-{n}" for n in range(120)}
    assert len(stored()) < 120  # batched


def test_segment_client_sees_a_bad_key_as_401(server_url):
    failures: list = []
    analytics = SegmentClient(
        "olk_not_a_key",
        host=server_url,
        sync_mode=True,
        max_retries=0,
    )
    try:
        analytics.track("u-1", "e")
    except Exception as error:  # the client raises APIError in sync mode
        failures.append(error)
    assert [getattr(error, "status", None) for error in failures] == [401]
    assert failures[0].code == "invalid_key"
    assert stored() == []


def test_posthog_client_calls_become_exact_rows(server_url, key, workspace):
    posthog = Posthog(key, host=server_url, sync_mode=True, max_retries=0, gzip=True)
    try:
        posthog.capture(
            "加入购物车",
            distinct_id="u-9",
            properties={"sku": "A-1", "$current_url": "https://m.example/p/1", "utm_source": "kol"},
            timestamp=dt.datetime(2026, 11, 11, 9, 0, tzinfo=dt.timezone.utc),
            uuid="0190e4a0-0000-7000-8000-00000000000a",
        )
        posthog.capture(
            "$pageview",
            distinct_id="u-9",
            properties={"$current_url": "https://m.example/", "$pathname": "/", "title": "首页"},
        )
        posthog.set(distinct_id="u-9", properties={"plan": "pro"})
        posthog.alias(previous_id="anon-3", distinct_id="u-9")
        posthog.group_identify("company", "acme", {"size": 50}, distinct_id="u-9")
        posthog.capture("anonymous_thing")  # no distinct id: a personless, anonymous event
    finally:
        posthog.shutdown()
    rows = stored_rows()
    assert [(row["type"], row["event"]) for row in rows] == [
        ("track", "加入购物车"),
        ("page", "$pageview"),
        ("identify", "$identify"),
        ("alias", "$create_alias"),
        ("group", "$groupidentify"),
        ("track", "anonymous_thing"),
    ]
    cart, page, identify, alias, group, anonymous = rows
    assert {row["workspace_id"] for row in rows} == {workspace.pk}
    assert cart["message_id"] == "0190e4a0-0000-7000-8000-00000000000a"
    assert (cart["user_id"], cart["distinct_id"], cart["url"], cart["utm_source"]) == (
        "u-9",
        "u-9",
        "https://m.example/p/1",
        "kol",
    )
    properties = orjson.loads(cart["properties"])
    assert properties["sku"] == "A-1" and properties["$lib"] == "posthog-python"
    lag = dt.datetime.fromisoformat(cart["timestamp"]) - dt.datetime(
        2026, 11, 11, 9, 0, tzinfo=dt.timezone.utc
    )
    assert dt.timedelta(0) <= lag < dt.timedelta(seconds=5)
    assert (page["url"], page["path"], page["title"]) == ("https://m.example/", "/", "首页")
    assert identify["traits"] == '{"plan":"pro"}'
    assert (alias["user_id"], orjson.loads(alias["properties"])["previous_id"]) == (
        "u-9",
        "anon-3",
    )
    assert orjson.loads(group["properties"])["group_id"] == "acme"
    assert group["traits"] == '{"size":50}'
    assert anonymous["user_id"] == ""
    assert anonymous["anonymous_id"] == anonymous["distinct_id"] != ""


def test_posthog_client_batches(server_url, key):
    posthog = Posthog(key, host=server_url, flush_at=40, flush_interval=0.05, max_retries=0)
    try:
        for n in range(100):
            posthog.capture("tick", distinct_id=f"u-{n % 3}", properties={"n": n})
        posthog.flush()
    finally:
        posthog.shutdown()
    rows = stored_rows()
    assert sorted(orjson.loads(row["properties"])["n"] for row in rows) == list(range(100))
    assert 1 < len(stored()) < 100
