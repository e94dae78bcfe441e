"""The meetings API: create, read, change, agenda, decisions, action items, next occurrence."""

from __future__ import annotations

import pytest

from opsloop.meetings.models import Meeting
from opsloop.work.models import Item
from tests.conftest import ApiClient
from tests.meetings.conftest import at, make_meeting

URL = "/api/v1/workspaces/acme/meetings"


def test_create_and_get_a_meeting_with_everything(api, member, project):
    created = api.post(
        URL,
        {
            "title": "周例会",
            "project_key": "D11",
            "starts_at": "2026-11-02T10:00",
            "location": "https://meeting.tencent.com/dm/abc",
            "attendee_ids": [member.pk],
            "recurrence": "weekly",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["ends_at"] == "2026-11-02T03:00:00Z"
    assert body["project_key"] == "D11"
    assert {a["username"] for a in body["attendees"]} == {"owner", "member"}
    mid = body["id"]
    assert (
        api.post(f"{URL}/{mid}/agenda", {"title": "复盘", "owner_id": member.pk}).status_code == 201
    )
    assert api.post(f"{URL}/{mid}/decisions", {"text": "预算加 10%"}).status_code == 201
    action = api.post(
        f"{URL}/{mid}/action-items",
        {"title": "排期", "owner_id": member.pk, "due_date": "2026-11-05"},
    ).json()
    assert action["work_item_ref"] is None
    assert (
        api.patch(f"{URL}/{mid}", {"minutes": "# 纪要\n- 一"})
        .json()["minutes_html"]
        .startswith("<h1>纪要</h1>")
    )
    detail = api.get(f"{URL}/{mid}").json()
    assert [t["title"] for t in detail["agenda"]] == ["复盘"]
    assert [d["text"] for d in detail["decisions"]] == ["预算加 10%"]
    assert detail["action_items"][0]["owner"]["username"] == "member"


def test_convert_returns_the_item_and_refuses_twice(api, owner_ms, member, project):
    meeting = make_meeting(owner_ms, project_key="D11", attendee_ids=[member.pk])
    action = api.post(
        f"{URL}/{meeting.pk}/action-items", {"title": "出海报", "owner_id": member.pk}
    ).json()
    converted = api.post(f"{URL}/{meeting.pk}/action-items/{action['id']}/convert", {})
    assert converted.status_code == 201, converted.content
    ref = converted.json()["ref"]
    assert converted.json()["action_item"]["work_item_ref"] == ref
    item = Item.objects.get(project=project, number=int(ref.split("-")[1]))
    assert [u.username for u in item.assignees.all()] == ["member"]
    again = api.post(f"{URL}/{meeting.pk}/action-items/{action['id']}/convert", {})
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    unknown = api.post(
        f"{URL}/{meeting.pk}/action-items/{action['id'] + 1000}/convert", {"project_key": "D11"}
    )
    assert unknown.status_code == 404


def test_convert_to_an_unknown_project_names_the_field(api, owner_ms):
    meeting = make_meeting(owner_ms)
    action = api.post(f"{URL}/{meeting.pk}/action-items", {"title": "x"}).json()
    bad = api.post(
        f"{URL}/{meeting.pk}/action-items/{action['id']}/convert", {"project_key": "NOPE"}
    )
    assert bad.status_code == 400 and bad.json()["field"] == "project_key"
    missing = api.post(f"{URL}/{meeting.pk}/action-items/{action['id']}/convert", {})
    assert missing.status_code == 400 and missing.json()["field"] == "project_key"


def test_next_occurrence_then_conflict(api, owner_ms):
    meeting = make_meeting(owner_ms, recurrence="monthly")
    following = api.post(f"{URL}/{meeting.pk}/next")
    assert following.status_code == 201
    assert following.json()["previous_id"] == meeting.pk
    assert following.json()["starts_at"] == "2026-12-02T02:00:00Z"
    assert api.get(f"{URL}/{meeting.pk}").json()["next_id"] == following.json()["id"]
    assert api.post(f"{URL}/{meeting.pk}/next").status_code == 409


def test_one_to_one_errors_are_clear(api, member, admin_user):
    body = {"title": "1:1", "kind": "one_on_one", "starts_at": "2026-11-02T10:00"}
    crowd = api.post(URL, {**body, "attendee_ids": [member.pk, admin_user.pk]})
    assert crowd.status_code == 400 and crowd.json()["field"] == "attendee_ids"
    public = api.post(URL, {**body, "attendee_ids": [member.pk], "private": False})
    assert public.status_code == 400 and public.json()["field"] == "private"
    assert Meeting.objects.count() == 0


def test_reorder_and_patch_agenda(api, owner_ms):
    meeting = make_meeting(owner_ms)
    ids = [api.post(f"{URL}/{meeting.pk}/agenda", {"title": t}).json()["id"] for t in "abc"]
    order = api.put(f"{URL}/{meeting.pk}/agenda/order", {"agenda_item_ids": ids[::-1]})
    assert [t["title"] for t in order.json()] == ["c", "b", "a"]
    partial = api.put(f"{URL}/{meeting.pk}/agenda/order", {"agenda_item_ids": ids[:2]})
    assert partial.status_code == 400 and partial.json()["field"] == "agenda_item_ids"
    done = api.patch(f"{URL}/{meeting.pk}/agenda/{ids[0]}", {"done": True})
    assert done.json()["done"] is True


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["全员会", "大促会", "成员会"]),
        ("?project=D11", ["大促会"]),
        ("?mine=true", ["全员会", "大促会"]),
        ("?kind=one_on_one", []),
        ("?from=2026-11-10", ["成员会"]),
        ("?to=2026-11-05", ["全员会", "大促会"]),
    ],
)
def test_list_meetings(api, owner_ms, member_ms, project, query, expected):
    make_meeting(owner_ms, title="全员会", starts_at=at(2026, 11, 2, 9))
    make_meeting(owner_ms, title="大促会", project_key="D11")
    make_meeting(member_ms, title="成员会", starts_at=at(2026, 11, 16))
    response = api.get(URL + query)
    assert response.status_code == 200
    assert [m["title"] for m in response.json()] == expected


def test_bad_filters_and_ids_are_400(api, owner_ms):
    assert api.get(URL + "?from=yesterday").json()["field"] == "from"
    assert api.get(URL + "?kind=party").json()["field"] == "kind"
    assert api.get(f"{URL}/abc").json()["field"] == "meeting_id"
    meeting = make_meeting(owner_ms)
    for path in ("agenda/987654", "decisions/987654", "action-items/987654"):
        assert api.delete(f"{URL}/{meeting.pk}/{path}").status_code == 404


def test_list_query_count_is_flat(api, owner_ms, member, django_assert_max_num_queries):
    for i in range(8):
        make_meeting(owner_ms, title=f"会 {i}", attendee_ids=[member.pk])
    with django_assert_max_num_queries(8):
        assert len(api.get(URL).json()) == 8


def test_guest_reads_but_cannot_write(guest, owner_ms, project):
    from opsloop.work import actions as work_actions

    work_actions.do_add_project_member(actor=owner_ms, project=project, user_id=guest.pk)
    meeting = make_meeting(owner_ms, project_key="D11", attendee_ids=[guest.pk])
    client = ApiClient(guest)
    assert client.get(f"{URL}/{meeting.pk}").status_code == 200
    refused = client.post(f"{URL}/{meeting.pk}/agenda", {"title": "x"})
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"


def test_the_meeting_detail_has_last_meetings_action_items_with_their_state(series, member):
    body = ApiClient(member).get(f"{URL}/{series['next'].pk}").json()
    previous = {row["title"]: row for row in body["previous_action_items"]}
    assert list(previous) == ["海报定稿", "直播脚本", "复盘文档", "预算审批"]
    assert previous["海报定稿"] | {"id": 0, "owner": None} == {
        "id": 0,
        "title": "海报定稿",
        "owner": None,
        "due_date": None,
        "status": "done",
        "done": True,
        "work_item_ref": series["done"].ref,
        "work_item_state": "Done",
        "work_item_state_group": "done",
        "text": "Done",
    }
    assert (previous["直播脚本"]["status"], previous["直播脚本"]["work_item_state_group"]) == (
        "open",
        "in_progress",
    )
    assert previous["复盘文档"]["work_item_ref"] is None
    # A work item in a project the caller cannot see: no reference, no state.
    hidden = previous["预算审批"]
    assert (hidden["status"], hidden["work_item_ref"], hidden["work_item_state"]) == (
        "hidden",
        None,
        None,
    )
    first = ApiClient(member).get(f"{URL}/{series['first'].pk}").json()
    assert first["previous_action_items"] == []


def test_an_action_items_work_item_in_a_project_unseen_is_not_named(series, member, owner_ms):
    """The meeting itself, not only the next one, keeps the private project's item to
    itself: no reference, a flag saying why, while its owner sees the reference."""
    url = f"{URL}/{series['first'].pk}"
    rows = {row["title"]: row for row in ApiClient(member).get(url).json()["action_items"]}
    assert (rows["预算审批"]["work_item_ref"], rows["预算审批"]["work_item_hidden"]) == (None, True)
    assert rows["海报定稿"]["work_item_ref"] == series["done"].ref
    assert rows["海报定稿"]["work_item_hidden"] is False
    assert rows["复盘文档"]["work_item_hidden"] is False
    action = series["actions"]["预算审批"]
    one = ApiClient(member).patch(f"{url}/action-items/{action.pk}", {"title": "预算审批 v2"})
    assert one.status_code == 200 and one.json()["work_item_ref"] is None
    owner_rows = {r["title"]: r for r in ApiClient(owner_ms.user).get(url).json()["action_items"]}
    assert owner_rows["预算审批 v2"]["work_item_ref"] == series["hidden"].ref
