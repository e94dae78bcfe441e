"""The progress page: its cards, the week picker, copying and sending the summary."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from opsloop.core.models import Role
from opsloop.planning import actions as planning_actions
from opsloop.planning.schemas import MilestoneIn
from opsloop.progress.models import SummarySend
from opsloop.work import actions as work_actions
from tests.conftest import PASSWORD, add_member, membership_of
from tests.progress.conftest import at, day

URL = "/w/acme/p/D11/progress/"


def client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def history(project, make, owner, workspace):
    late = make.create("主会场海报", day(1), due_date=day(3), state_id=make.state("in_progress"))
    done = make.create("KOL 名单", day(1), due_date=day(4))
    make.move(done, "done", day(2))
    soon = make.create("直播脚本", day(3), due_date=day(6))
    planning_actions.do_create_milestone(
        actor=membership_of(owner, workspace),
        project=project,
        data=MilestoneIn(name="预热期上线", date=day(5), item_refs=[late.ref, soon.ref]),
    )
    return {"late": late, "done": done, "soon": soon}


def test_the_page_shows_every_card(owner, history, django_assert_max_num_queries):
    client = client_for(owner)
    with at(day(5)), django_assert_max_num_queries(25):
        response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="tab-progress"' in body and "active" in body
    assert "1 of 2 items due by November 6 are done (50%)." in body
    assert 'id="burnup-chart"' in body
    chart = json.loads(
        body.split('<script id="burnup-data" type="application/json">')[1].split("</script>")[0]
    )
    # The axis runs on to the latest due date (no end date is set), where the planned
    # line reaches the whole scope; the actual lines stop today.
    assert chart["days"][0] == str(day(1)) and chart["days"][-1] == str(day(6))
    assert chart["scope"] == [2, 2, 3, 3, 3, None] and chart["done"] == [0, 1, 1, 1, 1, None]
    assert chart["ideal"] == [0.0, 0.6, 1.2, 1.8, 2.4, 3.0] and chart["target"] == str(day(6))
    assert chart["labels"]["ideal"] == "Planned"
    assert 'data-testid="burn-up-plan"' in body and "whole scope done by 2026-11-07" in body
    assert '<script id="burnup-data" type="application/json">' in body
    # The table is there for a browser without JavaScript.
    assert f"<td>{day(3):%Y-%m-%d}</td><td>3</td><td>1</td>" in body
    risks = body.split('data-testid="at-risk"')[1].split("</section>")[0]
    assert history["late"].ref in risks and "2 days past due" in risks
    assert "due in 1 day and not started" in risks
    assert f'href="/w/acme/i/{history["late"].ref}/"' in risks
    milestones = body.split('data-testid="milestones"')[1].split("</section>")[0]
    assert "预热期上线" in milestones and "1 day late" in milestones
    summary = body.split('data-testid="weekly-summary"')[1]
    assert "weekly progress 2026-W45" in summary
    assert 'data-testid="copy-markdown"' in summary and 'data-testid="send-summary"' in summary
    assert "## D11 双十一大促" in summary  # the Markdown, ready to copy


def test_query_count_does_not_grow_with_items(owner, project, make, django_assert_max_num_queries):
    for i in range(30):
        item = make.create(f"T{i}", day(1), due_date=day(2 + i % 6))
        if i % 3 == 0:
            make.move(item, "done", day(3))
    client = client_for(owner)
    with at(day(5)), django_assert_max_num_queries(25):
        assert client.get(URL).status_code == 200


def test_week_picker_shows_another_week(owner, history):
    with at(day(12)):
        body = client_for(owner).get(URL, {"week": "2026-W45"}).content.decode()
    assert "weekly progress 2026-W45" in body
    assert 'href="?week=2026-W44#summary"' in body and 'href="?week=2026-W46#summary"' in body
    assert 'href="?week=2026-W46#summary">This week' in body.replace("\n", "")


def test_a_bad_week_says_so(owner, history):
    response = client_for(owner).get(URL, {"week": "next"})
    assert response.status_code == 400
    assert "week must be an ISO week like 2026-W45." in response.content.decode()


def test_members_see_no_send_button(member, history):
    body = client_for(member).get(URL).content.decode()
    assert 'data-testid="copy-text"' in body
    assert 'data-testid="send-summary"' not in body


def test_the_send_form_names_who_gets_the_summary(owner, member, workspace, project, history):
    """Only the project's members, by name: not everyone in the workspace who can see it."""
    li = add_member(workspace, "lilei", Role.MEMBER)
    li.display_name = "李雷"
    li.save()
    work_actions.do_add_project_member(
        actor=membership_of(owner, workspace), project=project, user_id=li.pk
    )
    add_member(workspace, "onlooker", Role.MEMBER)  # sees the project, is not a member
    with at(day(5)):
        body = client_for(owner).get(URL).content.decode()
    form = body.split('data-testid="send-summary"')[1].split("</details>")[0]
    names = form.split('data-testid="summary-recipients">')[1].split("</ul>")[0]
    assert "李雷" in names and "王总" in names
    assert "onlooker" not in names and "member" not in names
    assert "to the project's 2 members" in form


def test_send_from_the_page(owner, member, history, workspace, project):
    work_actions.do_add_project_member(
        actor=membership_of(owner, workspace), project=project, user_id=member.pk
    )
    client = client_for(owner)
    with at(day(5)):
        response = client.post(URL, {"week": "2026-W45"})
    assert response.status_code == 302
    assert response["Location"] == URL + "?week=2026-W45#summary"
    send = SummarySend.objects.get()
    assert send.sent_by == owner and send.week == day(1)
    with at(day(5)):
        page = client.get(response["Location"]).content.decode()
    assert "is on its way to 2 members" in page
    assert "sending" in page.split('data-testid="sends"')[1]


def test_sending_twice_shows_the_conflict(owner, history):
    client = client_for(owner)
    client.post(URL, {"week": "2026-W45"})
    response = client.post(URL, {"week": "2026-W45"})
    assert response.status_code == 409
    assert "sent a few minutes ago" in response.content.decode()
    assert SummarySend.objects.count() == 1


def test_a_member_may_not_send(member, history):
    response = client_for(member).post(URL, {"week": "2026-W45"})
    assert response.status_code == 403
    assert not SummarySend.objects.exists()


def test_the_page_in_chinese(owner, history):
    owner.language = "zh-hans"
    owner.save()
    with at(day(5)):
        body = client_for(owner).get(URL).content.decode()
    assert "计划与实际" in body and "已逾期 2 天" in body
