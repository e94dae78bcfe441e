"""Ingestion never fails on what it is sent: random bytes, random and malformed JSON, wrong
types, huge strings, random gzip. Every answer is a 2xx or 4xx, a refused request appends
nothing, and an accepted one appends exactly the events it counts as accepted, each a
whole row."""

from __future__ import annotations

import gzip
import json
import zlib

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opsloop.events import ingest, ratelimit
from opsloop.events.models import Source
from opsloop.events.rows import COLUMNS, STRING_COLUMNS
from tests.events.test_ingest import Poster, basic, make_key, stored_rows

pytestmark = pytest.mark.django_db

# How many examples each tries comes from the profile (tests/conftest.py): a few in
# `make test`, many in `make fuzz`.
FUZZ = settings(
    deadline=None,
    database=None,  # no .hypothesis directory in the tree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

PATHS = sorted(ingest.ROUTES)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),  # beyond 64 bits too: the body is written by json, not orjson
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
FIELDS = [
    "type", "event", "userId", "anonymousId", "messageId", "timestamp", "originalTimestamp",
    "sentAt", "properties", "traits", "context", "name", "groupId", "previousId",
    "distinct_id", "uuid", "offset", "$set",
]  # fmt: skip
times = st.one_of(
    st.datetimes().map(lambda d: d.isoformat()),
    st.just("2026-11-11T10:00:00Z"),
    st.text(max_size=40),
)
ids = st.one_of(st.text(max_size=40), st.integers(), st.just("u" * 300), scalars)
field_values = {
    "type": st.sampled_from(["track", "identify", "page", "screen", "group", "alias", "x", 3]),
    "timestamp": times,
    "originalTimestamp": times,
    "sentAt": times,
    "userId": ids,
    "anonymousId": ids,
    "distinct_id": ids,
    "context": st.one_of(
        json_values,
        st.fixed_dictionaries(
            {},
            optional={
                "page": json_values,
                "campaign": json_values,
                "device": json_values,
                "ip": scalars,
                "traits": json_values,
            },
        ),
    ),
}
events = st.dictionaries(
    st.sampled_from(FIELDS),
    st.deferred(lambda: st.one_of(json_values, *field_values.values())),
    max_size=10,
).flatmap(
    lambda event: st.fixed_dictionaries(
        {name: field_values.get(name, json_values) for name in event}
    ).map(lambda typed: {**event, **typed})
)


def dumps(value) -> bytes:
    return json.dumps(value).encode()


@pytest.fixture
def key(workspace) -> str:
    return make_key(Source.objects.create(workspace=workspace, name="Fuzz"))


def check(poster: Poster, path: str, body: bytes, **meta: str) -> None:
    ratelimit.reset()
    before = len(stored_rows())
    answer = poster.post(path, body, **meta)
    after = stored_rows()
    assert answer.status in (200, 400, 401, 413), (answer.status, answer.body)
    payload = orjson.loads(answer.body)
    if answer.status != 200:
        assert len(after) == before, "a refused request appended rows"
        assert set(payload) in ({"code", "message"}, {"type", "code", "detail"}), payload
        return
    added = after[before:]
    assert len(added) == int(answer.headers["X-Events-Accepted"])
    for row in added:
        assert list(row) == list(COLUMNS)
        assert row["distinct_id"] and row["distinct_id"] in (row["user_id"], row["anonymous_id"])
        assert all(isinstance(row[name], str) for name in STRING_COLUMNS)
        assert isinstance(orjson.loads(row["properties"]), dict)
        assert isinstance(orjson.loads(row["traits"]), dict)


@pytest.fixture(params=["fast", "django"])
def poster(request) -> Poster:
    return Poster(request.param)


@FUZZ
@given(path=st.sampled_from(PATHS), body=st.binary(max_size=300), gz=st.booleans())
def test_random_bytes(poster, key, path, body, gz):
    meta = {"HTTP_CONTENT_ENCODING": "gzip"} if gz else {}
    check(poster, path, body, auth=basic(key), **meta)


@FUZZ
@given(path=st.sampled_from(PATHS), value=json_values)
def test_random_json_with_and_without_a_key(poster, key, path, value):
    body = dumps(value)
    check(poster, path, body)
    check(poster, path, body, auth=basic(key))


@FUZZ
@given(batch=st.lists(st.one_of(events, json_values), max_size=8), top=st.dictionaries(
    st.sampled_from(["sentAt", "context", "sent_at"]), st.one_of(times, json_values), max_size=2
))  # fmt: skip
def test_segment_batches_of_odd_events(poster, key, batch, top):
    body = dumps({**top, "batch": batch, "writeKey": key})
    check(poster, "/v1/batch", body)


@FUZZ
@given(
    path=st.sampled_from([p for p in PATHS if not p.startswith("/v1/")]),
    batch=st.lists(events, max_size=8),
)
def test_posthog_batches_of_odd_events(poster, key, path, batch):
    check(poster, path, dumps({"api_key": key, "batch": batch}))


@FUZZ
@given(
    path=st.sampled_from([p for p in PATHS if p.startswith("/v1/") and "batch" not in p]),
    event=events,
)
def test_single_calls_of_odd_events(poster, key, path, event):
    check(poster, path, dumps(event), auth=basic(key))


@FUZZ
@given(
    size=st.integers(min_value=0, max_value=3 * ingest.BATCH_LIMIT),
    cut=st.integers(min_value=0, max_value=64),
    garble=st.binary(max_size=8),
)
def test_huge_strings_and_broken_gzip(poster, key, size, cut, garble):
    event = {"type": "track", "event": "e", "userId": "u", "properties": {"s": "x" * size}}
    body = dumps({"batch": [event, {**event, "properties": {}}]})
    check(poster, "/v1/batch", body, auth=basic(key))
    packed = gzip.compress(body)
    broken = packed[: max(0, len(packed) - cut)] + garble
    check(poster, "/v1/batch", broken, auth=basic(key), HTTP_CONTENT_ENCODING="gzip")


def test_a_raw_deflate_stream_is_not_gzip(key):
    body = zlib.compress(b'{"batch": []}')
    check(Poster("fast"), "/v1/batch", body, auth=basic(key), HTTP_CONTENT_ENCODING="gzip")
