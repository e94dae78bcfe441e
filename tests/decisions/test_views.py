"""Pages of decisions: the log, the record with its ranking, the scoring grid, the
review, and the button on a meeting's decisions."""

from __future__ import annotations

from django.test import Client

from opsloop.decisions import actions, queries
from opsloop.decisions.schemas import ScoreIn
from opsloop.meetings import actions as meeting_actions
from opsloop.meetings.schemas import DecisionIn, MeetingIn
from tests.conftest import PASSWORD


def login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_scoring_grid_saves_and_the_record_shows_the_spread(
    scored, owner, member, member_ms, django_assert_max_num_queries
):
    record, (douyin, keep), (roi, risk) = scored
    client = login(member)
    grid = client.get(f"/w/acme/decisions/{record.pk}/score/")
    assert grid.status_code == 200 and "加码抖音" in grid.content.decode()
    saved = client.post(
        f"/w/acme/decisions/{record.pk}/score/",
        {
            f"score-{douyin.pk}-{roi.pk}": "5",
            f"score-{douyin.pk}-{risk.pk}": "1",
            f"score-{keep.pk}-{roi.pk}": "",
        },
    )
    assert saved.status_code == 302
    assert queries.my_scores(record, member.pk) == {(douyin.pk, roi.pk): 5, (douyin.pk, risk.pk): 1}
    actions.do_score(
        actor=queries.access_record(owner, "acme", record.pk).membership,
        record=record,
        scores=[ScoreIn(option_id=douyin.pk, criterion_id=roi.pk, value=3)],
    )
    with django_assert_max_num_queries(30):
        page = login(owner).get(f"/w/acme/decisions/{record.pk}/")
    body = page.content.decode()
    assert page.status_code == 200
    # ROI of douyin: 5 and 3, mean 4, range 3-5, deviation 1.
    assert "3–5 · σ 1.00" in body
    assert "3 of 8 scores given" in body


def test_the_log_filters_by_status(scored, owner, owner_ms):
    actions.do_create_record(
        actor=owner_ms,
        data=__import__(
            "opsloop.decisions.schemas", fromlist=["DecisionRecordIn"]
        ).DecisionRecordIn(title="团队分工"),
    )
    client = login(owner)
    everything = client.get("/w/acme/decisions/").content.decode()
    assert "团队分工" in everything and "双十一主会场是否加码抖音投放" in everything
    scoring = client.get("/w/acme/decisions/?status=scoring").content.decode()
    assert "团队分工" not in scoring and "双十一主会场是否加码抖音投放" in scoring
    project_log = client.get("/w/acme/p/D11/decisions/").content.decode()
    assert "团队分工" not in project_log and "双十一主会场是否加码抖音投放" in project_log


def test_meeting_decision_button_makes_a_record_that_links_back(owner, owner_ms, project):
    meeting = meeting_actions.do_create_meeting(
        actor=owner_ms,
        data=MeetingIn(
            title="大促周会", project_key=project.key, starts_at="2026-11-02T10:00:00+08:00"
        ),
    )
    decision = meeting_actions.do_add_decision(
        actor=owner_ms, meeting=meeting, data=DecisionIn(text="加码抖音")
    )
    client = login(owner)
    page = client.get(f"/w/acme/meetings/{meeting.pk}/").content.decode()
    action = f"/w/acme/meetings/{meeting.pk}/decisions/{decision.pk}/record/"
    assert action in page
    made = client.post(action)
    assert made.status_code == 302
    record_page = client.get(made["Location"]).content.decode()
    assert f'href="/w/acme/meetings/{meeting.pk}/"' in record_page and "加码抖音" in record_page
