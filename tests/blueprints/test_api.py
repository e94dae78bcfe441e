"""The templates API end to end: save a project, list, read with a preview, rename,
make a project, delete."""

from __future__ import annotations

from tests.conftest import ApiClient

BASE = "/api/v1/workspaces/acme/templates"


def test_the_whole_flow_through_the_api(owner, member, campaign, django_assert_max_num_queries):
    api = ApiClient(owner)
    saved = api.post(
        BASE, {"project_key": "d26", "name": "双十一模板", "description": "去年的打法"}
    )
    assert saved.status_code == 201, saved.content
    template = saved.json()
    assert (template["items"], template["milestones"], template["budget_total"]) == (
        3, 1, "30000.00")  # fmt: skip
    assert template["source_project_key"] == "D26" and template["can_edit"] is True
    assert template["body"]["project"]["duration_days"] == 50
    assert template["preview"] is None
    one = f"{BASE}/{template['id']}"
    api.post(BASE, {"project_key": "D26", "name": "第二个"})
    with django_assert_max_num_queries(6):
        listed = api.get(BASE)
    assert {t["name"] for t in listed.json()} == {"双十一模板", "第二个"}
    preview = api.get(one, {"start_date": "2027-05-01"}).json()["preview"]
    assert preview["end_date"] == "2027-06-20"
    dues = {i["title"]: i["due_date"] for i in preview["items"]}
    assert dues["主会场视觉设计"] == "2027-05-10" and dues["会场页面开发"] == "2027-05-20"
    assert preview["milestones"] == [{"name": "双十一当天", "date": "2027-06-11"}]
    assert api.get(one, {"start_date": "五月"}).status_code == 400
    renamed = api.patch(one, {"name": "双十一打法", "visibility": "private"}).json()
    assert (renamed["name"], renamed["visibility"]) == ("双十一打法", "private")
    made = ApiClient(owner).post(
        one + "/projects", {"name": "双十一 2027", "key": "d27", "start_date": "2027-05-01"}
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["key"], body["start_date"], body["end_date"]) == (
        "D27",
        "2027-05-01",
        "2027-06-20",
    )
    assert (body["items"], body["milestones"], body["dependencies"]) == (3, 1, 1)
    assert (body["budget_lines"], body["content_pieces"], body["notes"]) == (1, 1, [])
    items = api.get("/api/v1/workspaces/acme/projects/D27/items").json()["results"]
    assert {i["title"]: i["due_date"] for i in items}["会场页面开发"] == "2027-05-20"
    # The member does not see the now private template.
    assert ApiClient(member).get(one).status_code == 404
    assert api.delete(one).status_code == 204
    assert api.get(one).status_code == 404
    assert api.get("/api/v1/workspaces/acme/projects/D27").status_code == 200


def test_errors_say_which_field(owner, campaign):
    api = ApiClient(owner)
    template = api.post(BASE, {"project_key": "D26", "name": "模板"}).json()
    again = api.post(BASE, {"project_key": "D26", "name": "模板"})
    assert again.status_code == 400 and again.json()["field"] == "name"
    missing = api.post(BASE, {"project_key": "NOPE", "name": "别的"})
    assert missing.status_code == 400 and missing.json()["field"] == "project_key"
    taken = api.post(
        f"{BASE}/{template['id']}/projects",
        {"name": "重复", "key": "D26", "start_date": "2027-05-01"},
    )
    assert taken.status_code == 400 and taken.json()["field"] == "key"
    no_start = api.post(f"{BASE}/{template['id']}/projects", {"name": "无开始", "key": "NS"})
    assert no_start.status_code == 400
    for wrong in ({"start_date": 0}, {"start_date": "2027-05-01", "owner_id": True}):
        sent = api.post(f"{BASE}/{template['id']}/projects", {"name": "错", "key": "NS", **wrong})
        assert sent.status_code == 400 and sent.json()["field"] == next(reversed(wrong))
    assert api.get("/api/v1/workspaces/acme/projects/NS").status_code == 404
