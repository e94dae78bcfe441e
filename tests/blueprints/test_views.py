"""Pages of templates: the list, a template's plan, making a project from it with the
dates shown first, and "Save as template" on a project."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from opsloop.blueprints import actions
from opsloop.blueprints.models import ProjectTemplate
from opsloop.content.models import ContentPiece
from opsloop.work.models import Item, Project
from tests.conftest import PASSWORD


def login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_save_as_template_from_the_project(owner, campaign):
    client = login(owner)
    head = client.get("/w/acme/p/D26/").content.decode()
    assert "/w/acme/p/D26/save-as-template/" in head
    form = client.get("/w/acme/p/D26/save-as-template/")
    assert form.status_code == 200 and "双十一大促 2026" in form.content.decode()
    saved = client.post(
        "/w/acme/p/D26/save-as-template/",
        {"name": "双十一打法", "description": "去年的", "visibility": "workspace"},
    )
    template = ProjectTemplate.objects.get(name="双十一打法")
    assert saved.status_code == 302 and saved["Location"] == f"/w/acme/templates/{template.pk}/"
    assert template.body["items"][0]["title"] == "主会场视觉设计"
    again = client.post("/w/acme/p/D26/save-as-template/", {"name": "双十一打法"})
    assert again.status_code == 400 and "already exists" in again.content.decode()


def test_the_list_and_the_plan(owner, owner_ms, campaign, django_assert_max_num_queries):
    actions.seed_demo_templates(owner_ms)
    template = actions.do_save_template(actor=owner_ms, project=campaign["project"], name="模板")
    client = login(owner)
    with django_assert_max_num_queries(8):
        listed = client.get("/w/acme/templates/")
    body = listed.content.decode()
    assert listed.status_code == 200
    for name in ("双十一大促", "618", "新品上市", "月度内容计划", "模板"):
        assert name in body
    assert "500,000.00" in body
    plan = client.get(f"/w/acme/templates/{template.pk}/").content.decode()
    assert "主会场视觉设计" in plan and "Day 9" in plan and "双十一当天" in plan
    assert "抖音信息流" in plan and "种草笔记" in plan
    renamed = client.post(
        f"/w/acme/templates/{template.pk}/", {"name": "新名字", "visibility": "private"}
    )
    assert renamed.status_code == 302
    template.refresh_from_db()
    assert (template.name, template.visibility) == ("新名字", "private")


def test_make_a_project_from_a_template(owner, owner_ms, campaign):
    template = actions.do_save_template(actor=owner_ms, project=campaign["project"], name="模板")
    client = login(owner)
    url = f"/w/acme/templates/{template.pk}/use/"
    preview = client.get(url, {"name": "双十一 2027", "key": "D27", "start_date": "2027-05-01"})
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "2027-05-10" in page and "2027-05-20" in page and "2027-06-11" in page
    assert 'value="双十一 2027"' in page
    assert not Project.objects.filter(key="D27").exists()
    bad = client.get(url, {"start_date": "2027-13-45"})
    assert bad.status_code == 400
    made = client.post(
        url,
        {"name": "双十一 2027", "key": "D27", "start_date": "2027-05-01",
         "owner_id": str(owner.pk), "visibility": "workspace"},
    )  # fmt: skip
    assert made.status_code == 302 and made["Location"] == "/w/acme/p/D27/"
    project = Project.objects.get(key="D27")
    assert project.start_date == dt.date(2027, 5, 1)
    assert Item.objects.get(project=project, title="会场页面开发").due_date == dt.date(2027, 5, 20)
    assert ContentPiece.objects.filter(project=project).count() == 1
    taken = client.post(url, {"name": "再来", "key": "D27", "start_date": "2027-05-01"})
    assert taken.status_code == 400 and "already exists" in taken.content.decode()


def test_delete_from_the_list(owner, owner_ms, campaign):
    template = actions.do_save_template(actor=owner_ms, project=campaign["project"], name="模板")
    client = login(owner)
    assert (
        f"/w/acme/templates/{template.pk}/delete/"
        in client.get("/w/acme/templates/").content.decode()
    )
    gone = client.post(f"/w/acme/templates/{template.pk}/delete/")
    assert gone.status_code == 302 and not ProjectTemplate.objects.filter(pk=template.pk).exists()
    assert Project.objects.filter(key="D26").exists()
