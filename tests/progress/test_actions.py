"""Sending the weekly summary: who may, who gets it, in which language, through real SMTP."""

from __future__ import annotations

import re
import time

import pytest

from opsloop.core.errors import Conflict, Forbidden
from opsloop.core.models import Role
from opsloop.progress import actions, queries
from opsloop.progress.models import SummarySend
from opsloop.progress.tasks import send_weekly_summary
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ProjectIn
from tests.conftest import add_member, membership_of
from tests.inbox.conftest import parts, smtp, smtp_down, subject  # noqa: F401 (fixtures)
from tests.progress.conftest import at, day


@pytest.fixture
def team(workspace, project, make, owner):
    """李雷 reads English, 张敏 Chinese, both members of the project; 韩梅 is a workspace
    member who can see the project but is not one of its members; the guest is not in it."""
    li = add_member(workspace, "lilei", Role.MEMBER)
    li.display_name, li.language = "李雷", "en"
    li.save()
    zhang = add_member(workspace, "zhangmin", Role.MEMBER)
    zhang.display_name, zhang.language = "张敏", "zh-hans"
    zhang.save()
    for user in (li, zhang):
        work_actions.do_add_project_member(
            actor=membership_of(owner, workspace), project=project, user_id=user.pk
        )
    han = add_member(workspace, "hanmei", Role.MEMBER)
    han.display_name = "韩梅"
    han.save()
    add_member(workspace, "guest", Role.GUEST)
    late = make.create("主会场海报", day(1), due_date=day(3))
    done = make.create("KOL 名单", day(1))
    make.move(done, "done", day(2))
    return {"li": li, "zhang": zhang, "han": han, "late": late}


def send(owner, workspace, project, week=None) -> SummarySend:
    with at(day(5)):
        return actions.do_send_weekly_summary(
            actor=membership_of(owner, workspace), project=project, week=week or day(1)
        )


def test_each_member_gets_the_summary_in_their_language(smtp, team, owner, workspace, project):  # noqa: F811
    record = send(owner, workspace, project)
    with at(day(5)):
        assert send_weekly_summary.call(record.pk) == 3
    smtp.wait(3)
    by_address = {rcpt[0]: message for rcpt, message in smtp.messages}
    assert set(by_address) == {"owner@example.com", "lilei@example.com", "zhangmin@example.com"}
    english = by_address["lilei@example.com"]
    assert subject(english) == (
        "[opsloop] D11 双十一大促: weekly progress 2026-W45 (November 2 – November 8)"
    )
    text = parts(english)["text/plain"]
    assert "Hello 李雷," in text
    assert "王总 sent you this week's progress of the project." in text
    assert f"- {team['late'].ref} 主会场海报 — 2 days past due" in text
    assert "/w/acme/p/D11/progress/?week=2026-W45" in text
    html = parts(english)["text/html"]
    assert "<h3>Slipped (1)</h3>" in html and f"/w/acme/i/{team['late'].ref}/" in html
    chinese = parts(by_address["zhangmin@example.com"])["text/plain"]
    assert "张敏" in chinese and "已逾期 2 天" in chinese
    record.refresh_from_db()
    assert record.sent_at is not None and record.delivered == 3
    # Delivered once: running the task again sends nothing more.
    assert send_weekly_summary.call(record.pk) == 0
    assert len(smtp.messages) == 3


def test_the_summary_goes_to_the_project_members_exactly(smtp, team, owner, workspace, project):  # noqa: F811
    """Not to everyone who can see the project: the admin, 韩梅 and the guest see it or
    are in the workspace, but only the owner, 李雷 and 张敏 are its members."""
    add_member(workspace, "admin", Role.ADMIN)
    assert {u.label for u in queries.summary_recipients(project)} == {"张敏", "李雷", "王总"}
    record = send(owner, workspace, project)
    assert set(record.recipient_ids) == {owner.pk, team["li"].pk, team["zhang"].pk}
    with at(day(5)):
        assert send_weekly_summary.call(record.pk) == 3
    smtp.wait(3)
    time.sleep(0.2)  # anything more than the three would have arrived by now
    delivered = sorted(address for rcpt, _message in smtp.messages for address in rcpt)
    assert delivered == ["lilei@example.com", "owner@example.com", "zhangmin@example.com"]


def test_what_people_typed_is_plain_text_in_the_email(smtp, owner, workspace, project, make):  # noqa: F811
    """An item's title cannot put a link or a tracking image into mail to the project."""
    title = "海报 ![t](http://track.example/p.png) [点我](http://evil.example) **急** <http://x.example>"
    make.create(title, day(1), due_date=day(3))
    record = send(owner, workspace, project)
    send_weekly_summary.call(record.pk)
    smtp.wait(1)
    html = parts(smtp.messages[0][1])["text/html"]
    assert "<img" not in html and "<strong>" not in html
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert hrefs and not [h for h in hrefs if "example" in h]
    assert "![t](http://track.example/p.png)" in html and "**急**" in html
    text = parts(smtp.messages[0][1])["text/plain"]
    assert title in text


def test_a_private_project_goes_to_its_members_only(smtp, workspace, owner, member):  # noqa: F811
    outsider_member = add_member(workspace, "other", Role.MEMBER)
    secret = work_actions.do_create_project(
        actor=membership_of(owner, workspace),
        data=ProjectIn(name="保密复盘", key="SEC", visibility="private", member_ids=[member.pk]),
    )
    record = send(owner, workspace, secret)
    assert set(record.recipient_ids) == {owner.pk, member.pk}
    assert outsider_member.pk not in record.recipient_ids
    send_weekly_summary.call(record.pk)
    smtp.wait(2)
    assert sorted(r[0] for r, _m in smtp.messages) == ["member@example.com", "owner@example.com"]


def test_someone_who_left_before_the_email_does_not_get_it(smtp, team, owner, workspace, project):  # noqa: F811
    record = send(owner, workspace, project)
    team["li"].memberships.all().delete()
    assert send_weekly_summary.call(record.pk) == 2
    smtp.wait(2)
    assert "lilei@example.com" not in [r[0] for r, _m in smtp.messages]


def test_a_failed_server_is_recorded(smtp_down, team, owner, workspace, project):  # noqa: F811
    record = send(owner, workspace, project)
    assert send_weekly_summary.call(record.pk) == 0
    record.refresh_from_db()
    assert record.delivered == 0 and record.last_error


def test_only_managers_send(team, workspace, project):
    with pytest.raises(Forbidden):
        actions.do_send_weekly_summary(
            actor=membership_of(team["li"], workspace), project=project, week=day(1)
        )
    assert not SummarySend.objects.exists()


def test_the_same_week_twice_in_a_row_is_refused(team, owner, workspace, project):
    send(owner, workspace, project)
    with pytest.raises(Conflict):
        send(owner, workspace, project)
    # Another week is another summary.
    send(owner, workspace, project, week=day(8))
    assert SummarySend.objects.count() == 2


def test_sending_queues_a_task(team, owner, workspace, project):
    from django_tasks_db.models import DBTaskResult

    record = send(owner, workspace, project)
    queued = DBTaskResult.objects.get(task_path="opsloop.progress.tasks.send_weekly_summary")
    assert queued.args_kwargs["args"] == [record.pk]
