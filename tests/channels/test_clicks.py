"""The known answer: a short link's click appears as an event and as a user behind the
link. Real redirects through Django's test client, the events inbox and the flusher,
then the link's clicks and users as the page and the API read them; a site's own event
with the link's UTM values, sent through the ingestion API, makes a user of it too."""

from __future__ import annotations

import base64
import datetime as dt
import json

from django.test import Client

from opsloop.channels import queries
from opsloop.events import actions as event_actions
from opsloop.events.models import PersonId
from opsloop.events.schemas import SourceIn
from opsloop.events.store import EventFilter, get_store
from tests.channels.conftest import client_of, flush, make_link
from tests.conftest import ApiClient


def click(client: Client, code: str, **headers):
    answer = client.get(f"/l/{code}", **headers)
    assert answer.status_code == 302
    return answer


def test_a_short_links_click_appears_as_an_event_and_as_a_user_behind_the_link(
    owner, owner_ms, project
):
    link = make_link(owner_ms, name="小红书笔记 双十一", project_key="D11")
    other = make_link(owner_ms, name="微博", utm_source="weibo")
    phone, laptop = Client(), Client()
    click(phone, link.code, HTTP_REFERER="https://www.xiaohongshu.com/explore/1",
          HTTP_USER_AGENT="Mozilla/5.0 (iPhone) XHS")  # fmt: skip
    click(phone, link.code)
    click(laptop, link.code, HTTP_USER_AGENT="Mozilla/5.0 (Macintosh)")
    click(laptop, other.code)
    assert flush() == 4

    # The event store holds each click as the event $link_click of the visitor's id.
    stored = get_store().list_events(
        EventFilter(workspace_id=owner_ms.workspace_id, events=("$link_click",)), limit=10
    )
    ours = [e for e in stored if e["properties"]["link_code"] == link.code]
    assert len(ours) == 3
    first = min(ours, key=lambda e: e["timestamp"])
    assert (first["utm_source"], first["utm_medium"], first["utm_campaign"]) == (
        "xiaohongshu", "social", "d11",
    )  # fmt: skip
    assert first["referrer"] == "https://www.xiaohongshu.com/explore/1"
    assert first["user_agent"] == "Mozilla/5.0 (iPhone) XHS"
    assert first["properties"]["$referrer"] == first["referrer"]
    assert first["properties"]["$current_url"] == f"http://testserver/l/{link.code}"
    assert first["properties"]["project"] == "D11" and first["ip"] == ""
    phone_id = phone.cookies["opsloop_visitor"].value
    assert first["distinct_id"] == phone_id and first["user_id"] == ""

    # Two browsers, three clicks: two users behind the link, the phone's with two.
    link.workspace = owner_ms.workspace
    clicks = queries.link_clicks(link)
    today = queries.local_today(owner_ms.workspace)
    assert clicks.days == [(today, 3, 2)] and (clicks.clicks, clicks.users) == (3, 2)
    phone_person = PersonId.objects.get(workspace=owner_ms.workspace, distinct_id=phone_id)
    by_person = {u.person_id: u.events for u in clicks.clickers}
    assert by_person[phone_person.person_id] == 2 and sorted(by_person.values()) == [1, 2]

    # The page shows them, each user linking to their page; the API says the same.
    page = client_of(owner).get(f"/w/acme/links/{link.pk}/").content.decode()
    assert 'data-testid="click-total">3<' in page and 'data-testid="click-users">2<' in page
    assert f"/w/acme/people/{phone_person.person_id}/" in page
    body = ApiClient(owner).get(f"/api/v1/workspaces/acme/links/{link.pk}/clicks").json()
    assert (body["clicks"], body["users"]) == (3, 2)
    assert body["days"] == [{"day": today.isoformat(), "clicks": 3, "users": 2}]
    assert {u["person_id"] for u in body["clickers"]} == set(by_person)
    listed = client_of(owner).get("/w/acme/links/").content.decode()
    assert f'data-code="{link.code}"' in listed
    assert queries.click_totals(owner_ms, [link, other]) == {link.code: 3, other.code: 1}


def test_users_whose_site_events_carry_the_links_utm_are_behind_it(owner, owner_ms):
    link = make_link(owner_ms)
    source = event_actions.do_create_source(actor=owner_ms, data=SourceIn(name="官网"))
    basic = base64.b64encode(f"{source.key.raw}:".encode()).decode()

    def track(anonymous_id: str, campaign: dict) -> None:
        answer = Client().post(
            "/v1/track",
            json.dumps(
                {
                    "anonymousId": anonymous_id,
                    "event": "order_paid",
                    "context": {"campaign": campaign},
                }
            ),  # fmt: skip
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Basic {basic}",
        )
        assert answer.status_code == 200, answer.content

    track("site-1", {"source": "xiaohongshu", "medium": "social", "name": "d11"})
    track("site-1", {"source": "xiaohongshu", "medium": "social", "name": "d11"})
    track("site-2", {"source": "xiaohongshu", "medium": "social", "name": "618"})
    track("site-3", {"source": "weibo", "medium": "social", "name": "d11"})
    assert flush() == 4
    link.workspace = owner_ms.workspace
    clicks = queries.link_clicks(link)
    site_1 = PersonId.objects.get(workspace=owner_ms.workspace, distinct_id="site-1").person_id
    assert [(u.person_id, u.events) for u in clicks.utm_users] == [(site_1, 2)]
    assert clicks.clicks == 0 and clicks.clickers == []


def test_clicks_are_counted_on_the_workspaces_days(owner_ms):
    link = make_link(owner_ms)
    link.workspace = owner_ms.workspace
    first, last = queries.link_days(link)
    assert first == last == queries.local_today(owner_ms.workspace)
    later = last + dt.timedelta(days=3)
    assert queries.link_days(link, later) == (first, later)
    clicks = queries.link_clicks(link, today=later)
    assert [d for d, _c, _u in clicks.days] == [first + dt.timedelta(days=i) for i in range(4)]
