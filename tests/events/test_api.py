"""The events API: sources and keys, persons with search and trait filters, events with
their filters, exports, and the 400s bad input gets."""

from __future__ import annotations

import csv
import io

import pyarrow.parquet as pq
import pytest

from opsloop.core.models import Role
from opsloop.events import keys
from opsloop.events.models import Person
from tests.conftest import ApiClient, add_member
from tests.events._pipeline import at
from tests.events.test_actions import make_person, store_events

API = "/api/v1/workspaces/acme"


@pytest.fixture
def member_api(workspace):
    return ApiClient(add_member(workspace, "member", Role.MEMBER))


def test_sources_and_keys_round_trip(api, member_api):
    made = api.post(f"{API}/sources", {"name": "鲸选 App", "kind": "ios", "rate_limit": 200})
    assert made.status_code == 201, made.content
    body = made.json()
    raw, source_id = body["write_key"], body["source"]["id"]
    assert raw.startswith("olk_") and body["key"]["prefix"] == raw[:10]
    assert body["source"]["keys"][0]["active"] is True
    assert api.post(f"{API}/sources", {"name": "鲸选 App"}).json()["code"] == "conflict"
    # Nobody sees the key again: admins its prefix, members not even that.
    listed = api.get(f"{API}/sources").json()
    assert raw not in str(listed) and listed[0]["keys"][0]["prefix"] == raw[:10]
    assert member_api.get(f"{API}/sources").json()[0]["keys"] is None
    assert member_api.get(f"{API}/sources/{source_id}/keys").status_code == 403

    rotated = api.post(f"{API}/sources/{source_id}/keys")
    assert rotated.status_code == 201
    assert len(api.get(f"{API}/sources/{source_id}/keys").json()) == 2
    first_key = body["key"]["id"]
    revoked = api.post(f"{API}/sources/{source_id}/keys/{first_key}/revoke")
    assert revoked.status_code == 200 and revoked.json()["active"] is False
    again = api.post(f"{API}/sources/{source_id}/keys/{first_key}/revoke")
    assert again.status_code == 409
    keys.clear_cache()
    assert keys.source_for_key(raw) is None
    assert keys.source_for_key(rotated.json()["write_key"]).pk == source_id

    patched = api.patch(f"{API}/sources/{source_id}", {"name": "鲸选 iOS", "rate_limit": None})
    assert (patched.json()["name"], patched.json()["rate_limit"]) == ("鲸选 iOS", None)
    assert api.delete(f"{API}/sources/{source_id}").status_code == 204
    assert api.get(f"{API}/sources/{source_id}").status_code == 404


def test_bad_source_input_says_what_is_wrong(api, workspace):
    bad = api.post(f"{API}/sources", {"name": "", "kind": "web"})
    assert (bad.status_code, bad.json()["field"]) == (400, "name")
    bad = api.post(f"{API}/sources", {"name": "x", "kind": "fax"})
    assert (bad.status_code, bad.json()["field"]) == (400, "kind")
    bad = api.post(f"{API}/sources", {"name": "x", "rate_limit": 0})
    assert (bad.status_code, bad.json()["field"]) == (400, "rate_limit")
    assert api.get(f"{API}/sources/999999").status_code == 404


def test_persons_search_filter_and_page(api, workspace):
    wang = make_person(workspace, "u1001", "anon-a", name="王小明", city="上海", vip=3)
    make_person(workspace, "u1002", "anon-b", name="李雷", city="北京")
    make_person(workspace, "", "anon-c")

    def found(**params):
        response = api.get(f"{API}/persons", params)
        assert response.status_code == 200, response.content
        return [p["user_id"] for p in response.json()["results"]]

    assert found() == ["", "u1002", "u1001"]  # last seen first
    assert found(q="上海") == ["u1001"]  # a trait value, in Chinese
    assert found(q="anon-b") == ["u1002"]  # a distinct id
    assert found(q="U100") == ["u1002", "u1001"]  # a user id, any case
    assert found(trait="city=北京") == ["u1002"]
    assert found(trait="vip=3") == ["u1001"]  # numbers match their text
    assert found(trait="vip") == ["u1001"]  # is set
    assert api.get(f"{API}/persons", {"trait": ["city", "name=李雷"]}).json()["count"] == 1
    page = api.get(f"{API}/persons", {"per_page": 2, "page": 2}).json()
    assert (page["count"], page["pages"], len(page["results"])) == (3, 2, 1)
    one = api.get(f"{API}/persons/{wang.pk}").json()
    assert one["label"] == "王小明" and one["distinct_ids"] == ["anon-a", "u1001"]
    assert one["traits"]["city"] == "上海"


def test_bad_person_filters_are_400(api, workspace):
    for params, field in (
        ({"trait": "bad key!"}, "trait"),
        ({"q": "x" * 201}, "q"),
        ({"page": "zero"}, "page"),
        ({"per_page": 1000}, "per_page"),
    ):
        response = api.get(f"{API}/persons", params)
        assert (response.status_code, response.json()["field"]) == (400, field), params


def test_a_merged_person_answers_as_the_one_it_was_merged_into(api, workspace):
    person = make_person(workspace, "u1", "anon-1")
    merged = make_person(workspace, "", "anon-2")
    Person.objects.filter(pk=merged.pk).update(merged_into=person)
    store_events(workspace, person, 2)
    store_events(workspace, merged, 1, event="app_open")
    answer = api.get(f"{API}/persons/{merged.pk}").json()
    assert answer["id"] == person.pk
    events = api.get(f"{API}/persons/{person.pk}/events").json()
    assert events["count"] == 3
    assert [e["event"] for e in events["results"]][0] == "signed_up"  # newest first
    # Merged persons are not listed on their own.
    assert api.get(f"{API}/persons").json()["count"] == 1


def test_events_filters_and_pages(api, workspace):
    a = make_person(workspace, "u1")
    b = make_person(workspace, "u2")
    store_events(workspace, a, 3, event="signup", source_id=5)
    store_events(workspace, b, 2, event="order_paid", properties={"amount": 99})

    def events(**params):
        response = api.get(f"{API}/events", params)
        assert response.status_code == 200, response.content
        return response.json()

    everything = events()
    assert everything["count"] == 5
    stamps = [e["timestamp"] for e in everything["results"]]
    assert stamps == sorted(stamps, reverse=True)
    assert events(event="order_paid")["results"][0]["properties"] == {"amount": 99}
    assert events(event="signup,order_paid")["count"] == 5
    assert events(person=b.pk)["count"] == 2
    assert events(distinct_id="u1")["count"] == 3
    assert events(since=at(1).isoformat(), until=at(2).isoformat())["count"] == 2
    assert events(since="2026-03-01T09:02:00Z")["count"] == 1
    page = events(per_page=2, page=3)
    assert (page["pages"], len(page["results"])) == (3, 1)


def test_bad_event_filters_are_400_with_a_clear_message(api, workspace):
    bad = api.get(f"{API}/events", {"since": "yesterday"})
    assert (bad.status_code, bad.json()["field"]) == (400, "since")
    assert "ISO 8601" in bad.json()["message"] and "yesterday" in bad.json()["message"]
    bad = api.get(f"{API}/events", {"until": "2026-13-01"})
    assert (bad.status_code, bad.json()["field"]) == (400, "until")
    bad = api.get(f"{API}/events", {"since": "2026-11-12", "until": "2026-11-11"})
    assert (bad.status_code, bad.json()["field"]) == (400, "since")
    assert api.get(f"{API}/events", {"person": "nobody"}).json()["field"] == "person"
    assert api.get(f"{API}/events", {"person": 99999}).status_code == 400
    assert api.get(f"{API}/events", {"source": "x"}).json()["field"] == "source"


def test_exports_as_parquet_and_csv(api, workspace, member_api):
    person = make_person(workspace, "u1", city="上海")
    store_events(workspace, person, 4)
    redirect = api.get(f"{API}/events/export", {"format": "parquet"})
    assert redirect.status_code == 302
    download = api.client.get(redirect["Location"])
    assert download.status_code == 200 and download["Content-Type"].startswith("application/")
    table = pq.read_table(io.BytesIO(b"".join(download.streaming_content)))
    assert table.num_rows == 4 and "properties" in table.column_names
    redirect = api.get(
        f"{API}/events/export",
        {"format": "csv", "since": at(2).isoformat()},
    )
    text = b"".join(api.client.get(redirect["Location"]).streaming_content).decode()
    assert len(list(csv.DictReader(io.StringIO(text)))) == 2
    redirect = api.get(f"{API}/persons/export", {"format": "csv"})
    text = b"".join(api.client.get(redirect["Location"]).streaming_content).decode()
    persons = list(csv.DictReader(io.StringIO(text)))
    assert [p["user_id"] for p in persons] == ["u1"] and "上海" in persons[0]["traits"]
    # Bad input, the wrong role, a forged link.
    assert api.get(f"{API}/events/export", {"format": "xlsx"}).json()["field"] == "format"
    assert member_api.get(f"{API}/events/export").status_code == 403
    assert api.client.get("/events/export/forged/").status_code == 404
