"""The meeting pages: list, form, the meeting page's changes, the item page's link back."""

from __future__ import annotations

import pytest
from django.test import Client

from opsloop.meetings import actions
from opsloop.meetings.models import Meeting
from opsloop.meetings.schemas import ActionItemIn, AgendaItemIn, DecisionIn
from tests.conftest import PASSWORD
from tests.meetings.conftest import at, make_meeting


def _client(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def client(owner) -> Client:
    return _client(owner)


def test_new_meeting_form_creates_and_redirects(client, member, project):
    page = client.get("/w/acme/meetings/new/?project=D11")
    assert page.status_code == 200
    assert 'value="D11" selected' in page.content.decode()
    response = client.post(
        "/w/acme/meetings/new/",
        {
            "title": "周例会",
            "kind": "meeting",
            "project_key": "D11",
            "starts_at": "2026-11-02T10:00",
            "ends_at": "",
            "location": "3F 会议室",
            "attendee_ids": [str(member.pk)],
            "private": "false",
            "recurrence": "weekly",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/w/acme/meetings/{meeting.pk}/"
    assert meeting.ends_at == at(2026, 11, 2, 11) and meeting.recurrence == "weekly"


def test_new_meeting_form_shows_the_error(client, member, admin_user):
    response = client.post(
        "/w/acme/meetings/new/",
        {
            "title": "1:1",
            "kind": "one_on_one",
            "starts_at": "2026-11-02T10:00",
            "attendee_ids": [str(member.pk), str(admin_user.pk)],
            "private": "true",
        },
    )
    assert response.status_code == 400
    assert "exactly two attendees" in response.content.decode()
    assert Meeting.objects.count() == 0


def test_meeting_page_changes_in_order(client, owner_ms, member, project):
    meeting = make_meeting(
        owner_ms, project_key="D11", attendee_ids=[member.pk], recurrence="weekly"
    )
    url = f"/w/acme/meetings/{meeting.pk}/"
    assert (
        client.post(url, {"op": "add_agenda", "title": "复盘", "owner_id": member.pk}).status_code
        == 302
    )
    assert client.post(url, {"op": "add_agenda", "title": "预算"}).status_code == 302
    topic = meeting.agenda.get(title="预算")
    client.post(url, {"op": "agenda_up", "agenda_item_id": topic.pk})
    assert [t.title for t in meeting.agenda.all()] == ["预算", "复盘"]
    client.post(url, {"op": "toggle_agenda", "agenda_item_id": topic.pk})
    client.post(url, {"op": "minutes", "minutes": "**结论**：加预算"})
    client.post(url, {"op": "add_decision", "text": "预算加 10%"})
    client.post(url, {"op": "add_action", "title": "出海报", "owner_id": member.pk, "due_date": ""})
    action = meeting.action_items.get()
    converted = client.post(
        url, {"op": "convert", "action_item_id": action.pk, "project_key": "D11"}
    )
    assert converted.status_code == 302
    action.refresh_from_db()
    assert action.work_item.ref == "D11-1"
    body = client.get(url).content.decode()
    assert "<strong>结论</strong>" in body and "预算加 10%" in body
    assert 'href="/w/acme/i/D11-1/"' in body
    following = client.post(url, {"op": "next"})
    nxt = Meeting.objects.get(previous=meeting)
    assert following["Location"] == f"/w/acme/meetings/{nxt.pk}/"
    # The topic marked done stays behind; the other carries over.
    assert [t.title for t in nxt.agenda.all()] == ["复盘"]
    assert (
        f'href="/w/acme/meetings/{meeting.pk}/"'
        in client.get(following["Location"]).content.decode()
    )


def test_meeting_page_shows_errors_without_writing(client, owner_ms):
    meeting = make_meeting(owner_ms)
    response = client.post(f"/w/acme/meetings/{meeting.pk}/", {"op": "add_agenda", "title": ""})
    assert response.status_code == 400
    assert meeting.agenda.count() == 0
    assert client.post(f"/w/acme/meetings/{meeting.pk}/", {"op": "nope"}).status_code == 400


def test_item_page_links_the_meeting_for_those_who_see_it(client, owner_ms, member, project):
    meeting = make_meeting(owner_ms, title="大促周会", project_key="D11")
    action = actions.do_add_action_item(
        actor=owner_ms, meeting=meeting, data=ActionItemIn(title="跟进")
    )
    item = actions.do_convert_action_item(actor=owner_ms, action=action)
    body = client.get(f"/w/acme/i/{item.ref}/").content.decode()
    assert "From meeting:" in body and f'href="/w/acme/meetings/{meeting.pk}/"' in body
    private = make_meeting(owner_ms, title="私下会", project_key="D11", private=True)
    hidden = actions.do_add_action_item(
        actor=owner_ms, meeting=private, data=ActionItemIn(title="x")
    )
    hidden_item = actions.do_convert_action_item(actor=owner_ms, action=hidden)
    seen_by_member = _client(member).get(f"/w/acme/i/{hidden_item.ref}/").content.decode()
    assert "私下会" not in seen_by_member and "From meeting:" not in seen_by_member
    assert "private meeting" in seen_by_member


def test_delete_meeting(client, owner_ms):
    meeting = make_meeting(owner_ms)
    response = client.post(f"/w/acme/meetings/{meeting.pk}/", {"op": "delete"})
    assert response.status_code == 302 and response["Location"] == "/w/acme/meetings/"
    assert not Meeting.objects.exists()


def test_edit_form_saves(client, owner_ms, member):
    meeting = make_meeting(owner_ms)
    response = client.post(
        f"/w/acme/meetings/{meeting.pk}/edit/",
        {
            "title": "改过",
            "kind": "meeting",
            "project_key": "",
            "starts_at": "2026-11-03T15:00",
            "ends_at": "2026-11-03T16:30",
            "location": "",
            "attendee_ids": [str(member.pk)],
            "private": "true",
            "recurrence": "none",
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.title == "改过" and meeting.private and meeting.attendees.count() == 2


def test_ics_download(client, owner_ms):
    meeting = make_meeting(owner_ms, title="周例会, 第一次", location="3F; 会议室")
    response = client.get(f"/w/acme/meetings/{meeting.pk}/meeting.ics")
    assert response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert "DTSTART:20261102T020000Z" in text and "SUMMARY:周例会\\, 第一次" in text
    assert "LOCATION:3F\\; 会议室" in text


def test_a_recurring_meeting_is_a_series_in_the_calendar(client, owner_ms):
    once = make_meeting(owner_ms, title="复盘会")
    once_text = client.get(f"/w/acme/meetings/{once.pk}/meeting.ics").content.decode()
    assert "RRULE" not in once_text and f"UID:meeting-{once.pk}@" in once_text
    first = make_meeting(owner_ms, recurrence="biweekly")
    second = actions.do_create_next_occurrence(actor=owner_ms, meeting=first)
    texts = [
        client.get(f"/w/acme/meetings/{m.pk}/meeting.ics").content.decode() for m in (first, second)
    ]
    for text in texts:
        assert "RRULE:FREQ=WEEKLY;INTERVAL=2\r\n" in text
        # One series, whichever occurrence's file is added.
        assert f"UID:meeting-series-{first.pk}@acme.opsloop" in text
    assert "DTSTART:20261102T020000Z" in texts[0] and "DTSTART:20261116T020000Z" in texts[1]
    monthly = make_meeting(owner_ms, recurrence="monthly")
    text = client.get(f"/w/acme/meetings/{monthly.pk}/meeting.ics").content.decode()
    assert "RRULE:FREQ=MONTHLY\r\n" in text


def test_lists_show_upcoming_and_past_and_the_project_tab(client, owner_ms, project):
    make_meeting(owner_ms, title="旧会", starts_at=at(2020, 1, 6))
    make_meeting(owner_ms, title="新会", project_key="D11", starts_at=at(2099, 1, 6))
    body = client.get("/w/acme/meetings/").content.decode()
    assert body.index("新会") < body.index("旧会")
    project_body = client.get("/w/acme/p/D11/meetings/").content.decode()
    assert "新会" in project_body and "旧会" not in project_body
    assert client.get("/w/acme/meetings/?scope=bad").status_code == 400


def test_list_page_query_count_is_flat(client, owner_ms, member, django_assert_max_num_queries):
    for i in range(10):
        make_meeting(
            owner_ms, title=f"会 {i}", attendee_ids=[member.pk], starts_at=at(2026, 11, i + 1)
        )
    client.get("/w/acme/meetings/")
    with django_assert_max_num_queries(14):
        response = client.get("/w/acme/meetings/")
    assert response.content.decode().count("会 ") >= 10


def test_meeting_page_query_count_is_flat(
    client, owner_ms, member, project, django_assert_max_num_queries
):
    meeting = make_meeting(owner_ms, project_key="D11", attendee_ids=[member.pk])
    for i in range(6):
        actions.do_add_agenda_item(
            actor=owner_ms, meeting=meeting, data=AgendaItemIn(title=f"议题{i}", owner_id=member.pk)
        )
        actions.do_add_decision(actor=owner_ms, meeting=meeting, data=DecisionIn(text=f"决定{i}"))
        action = actions.do_add_action_item(
            actor=owner_ms, meeting=meeting, data=ActionItemIn(title=f"待办{i}", owner_id=member.pk)
        )
        if i % 2:
            actions.do_convert_action_item(actor=owner_ms, action=action)
    client.get(f"/w/acme/meetings/{meeting.pk}/")
    with django_assert_max_num_queries(18):
        response = client.get(f"/w/acme/meetings/{meeting.pk}/")
    assert response.content.decode().count('data-testid="work-item-link"') == 3


def test_the_next_meeting_shows_last_meetings_action_items_with_their_state(
    series, member, django_assert_max_num_queries
):
    client = _client(member)
    url = f"/w/acme/meetings/{series['next'].pk}/"
    client.get(url)
    with django_assert_max_num_queries(21):
        body = client.get(url).content.decode()
    section = body.split('data-testid="previous-actions"')[1].split("</section>")[0]
    assert "Action items from last time" in section and "3 still open" in section
    assert f'href="/w/acme/meetings/{series["first"].pk}/"' in section
    rows = {a.title: a.pk for a in series["actions"].values()}

    def row(title: str) -> str:
        return section.split(f'data-testid="previous-action-{rows[title]}"')[1].split("</tr>")[0]

    assert 'data-status="done"' in row("海报定稿") and series["done"].ref in row("海报定稿")
    assert 'data-status="open"' in row("直播脚本") and "In progress" in row("直播脚本")
    assert 'data-status="open"' in row("复盘文档") and "Open, no work item" in row("复盘文档")
    assert 'data-status="hidden"' in row("预算审批")
    assert series["hidden"].ref not in section and "In a project you cannot see" in section
    # The first meeting of the series has no meeting before it.
    first = client.get(f"/w/acme/meetings/{series['first'].pk}/").content.decode()
    assert 'data-testid="previous-actions"' not in first


def test_the_previous_actions_section_in_chinese(series, member):
    member.language = "zh-hans"
    member.save()
    body = _client(member).get(f"/w/acme/meetings/{series['next'].pk}/").content.decode()
    section = body.split('data-testid="previous-actions"')[1].split("</section>")[0]
    assert "上次会议的待办" in section and "还有 3 项未完成" in section
    assert "尚未转为工作项" in section and "在你看不到的项目中" in section


def test_a_work_item_in_a_project_unseen_is_not_named_on_its_meeting(series, member, owner):
    url = f"/w/acme/meetings/{series['first'].pk}/"
    body = _client(member).get(url).content.decode()
    hidden = series["actions"]["预算审批"].pk
    row = body.split(f'data-testid="action-{hidden}"')[1].split("</tr>")[0]
    assert series["hidden"].ref not in body
    assert 'data-testid="work-item-hidden"' in row and "In a project you cannot see" in row
    assert series["done"].ref in body
    assert series["hidden"].ref in _client(owner).get(url).content.decode()
