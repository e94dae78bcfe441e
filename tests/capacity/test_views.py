"""Pages: team, the item page's time and suggestions, logging time, the report, the workload."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from opsloop.capacity import actions
from opsloop.capacity.models import TimeEntry
from opsloop.capacity.schemas import ProfilePatch, SkillIn, TimeEntryIn
from opsloop.core.models import Role
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ItemPatch, LabelIn
from tests.conftest import PASSWORD, add_member, membership_of


def login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def owner_ms(owner, workspace):
    return membership_of(owner, workspace)


@pytest.fixture
def designer(workspace, owner_ms):
    user = add_member(workspace, "designer", Role.MEMBER)
    skill = actions.do_create_skill(actor=owner_ms, data=SkillIn(name="设计"))
    actions.do_update_profile(
        actor=owner_ms,
        member=membership_of(user, workspace),
        data=ProfilePatch(weekly_capacity=10, skill_ids=[skill.pk]),
    )
    return user


def test_team_page_edits_own_profile_and_admins_manage_skills(owner, designer, workspace):
    client = login(designer)
    page = client.get("/w/acme/team/").content.decode()
    assert "设计" in page and 'value="10.0"' in page
    response = client.post("/w/acme/team/", {"weekly_capacity": "12", "skill_ids": []})
    assert response.status_code == 302
    bad = client.post("/w/acme/team/", {"weekly_capacity": "200"})
    assert bad.status_code == 400 and "weekly_capacity" in bad.content.decode()
    assert client.post("/w/acme/team/skills/", {"op": "create", "name": "数据"}).status_code == 403
    owner_client = login(owner)
    owner_client.post("/w/acme/team/skills/", {"op": "create", "name": "数据", "color": "#112233"})
    page = owner_client.get("/w/acme/team/").content.decode()
    assert "数据" in page and 'value="12.0"' in page


def test_item_page_logs_time_outside_the_edit_form(owner, owner_ms, item, designer):
    work_actions.do_update_item(actor=owner_ms, item=item, data=ItemPatch(estimate_hours=4))
    client = login(owner)
    page = client.get(f"/w/acme/i/{item.ref}/").content.decode()
    edit_form = page[
        page.index('id="item-form"') : page.index("</form>", page.index('id="item-form"'))
    ]
    # The inputs sit in the side panel but belong to a form of their own, after the edit form.
    assert 'form="capacity-log-time"' in edit_form
    assert 'id="capacity-log-time"' not in edit_form and 'id="capacity-log-time"' in page
    assert "0m of 4 h" in page
    response = client.post(f"/w/acme/i/{item.ref}/time/", {"duration": "1h30m", "note": "初稿"})
    assert response.status_code == 302 and response["Location"].endswith("#time")
    page = client.get(f"/w/acme/i/{item.ref}/").content.decode()
    assert "1h 30m of 4 h" in page and "初稿" in page
    bad = client.post(f"/w/acme/i/{item.ref}/time/", {"duration": "几个小时"})
    assert bad.status_code == 400 and 'data-testid="error"' in bad.content.decode()
    assert TimeEntry.objects.count() == 1


def test_entry_edit_and_delete(owner, owner_ms, item, designer, workspace):
    entry = actions.do_log_time(actor=owner_ms, item=item, data=TimeEntryIn(duration="1h"))
    url = f"/w/acme/i/{item.ref}/time/{entry.pk}/"
    assert login(designer).get(url).status_code == 403
    client = login(owner)
    assert 'value="1h"' in client.get(url).content.decode()
    client.post(url, {"op": "update", "duration": "2h", "note": "改"})
    assert TimeEntry.objects.get().minutes == 120
    client.post(url, {"op": "delete"})
    assert not TimeEntry.objects.exists()


def test_suggestions_on_the_item_page(owner, owner_ms, item, designer):
    label = work_actions.do_create_label(actor=owner_ms, data=LabelIn(name="设计"))
    work_actions.do_update_item(actor=owner_ms, item=item, data=ItemPatch(label_ids=[label.pk]))
    page = login(owner).get(f"/w/acme/i/{item.ref}/").content.decode()
    suggestions = page[page.index('data-testid="suggestions"') :]
    first = re.search(r'data-assign="(\d+)"', suggestions)
    assert first and int(first.group(1)) == designer.pk
    assert "设计 · " in suggestions


def test_workload_page_shows_over_allocation_in_red(
    owner, owner_ms, item, designer, django_assert_max_num_queries
):
    work_actions.do_update_item(
        actor=owner_ms,
        item=item,
        data=ItemPatch(estimate_hours=12, due_date="2026-11-18", assignee_ids=[designer.pk]),
    )
    client = login(owner)
    with django_assert_max_num_queries(16):
        page = client.get("/w/acme/workload/", {"from": "2026-11-16"}).content.decode()
    assert 'data-level="over"' in page and "12<span" in page
    cell = client.get(
        "/w/acme/workload/cell/",
        {"user": designer.pk, "week": "2026-11-16"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert item.title in cell and "<html" not in cell
    assert client.get("/w/acme/workload/", {"weeks": "x"}).status_code == 400


@pytest.mark.parametrize("params", [{"user": "abc"}, {}, {"user": "designer", "week": "someday"}])
def test_a_bad_workload_cell_is_a_400_saying_why(owner, designer, params):
    params = {k: designer.pk if v == "designer" else v for k, v in params.items()}
    response = login(owner).get("/w/acme/workload/cell/", params)
    assert response.status_code == 400
    message = re.search(r'data-testid="error">(.*?)<', response.content.decode()).group(1)
    assert message and "request was not understood" not in message


def test_time_report_page(owner, owner_ms, item):
    actions.do_log_time(
        actor=owner_ms, item=item, data=TimeEntryIn(duration="2h", spent_on="2026-01-05")
    )
    page = (
        login(owner)
        .get("/w/acme/time/", {"from": "2026-01-01", "to": "2026-01-31"})
        .content.decode()
    )
    assert "王总" in page and "双十一大促" in page and ">2.0<" in page
