"""A campaign's impact (opsloop/goals/campaign.py): known answers planted in a KPI's daily
values and in a funnel's events, found against the baseline before the campaign and
against a control cohort; none found where none was planted; the reasons when there is
nothing to measure; the cohorts' action, its API and the Impact page."""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo

import pytest
from django.test import Client

from opsloop.core import actions as core_actions
from opsloop.core.errors import Forbidden, Invalid
from opsloop.core.inputs import parse_input
from opsloop.core.models import Role
from opsloop.events.store import get_store
from opsloop.goals import actions, campaign
from opsloop.goals.models import CampaignCohorts
from opsloop.goals.schemas import CampaignCohortsIn, KeyResultIn, KpiIn, LinksIn, ObjectiveIn
from opsloop.insights import actions as insight_actions
from opsloop.insights.queries import local_today
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ProjectIn, ProjectPatch
from tests.conftest import add_member, make_user, membership_of
from tests.events._pipeline import row
from tests.events.test_actions import make_person

DAYS = 14


@pytest.fixture
def today(workspace):
    return local_today(workspace)


@pytest.fixture
def campaign_project(owner_ms, project, today):
    """D11, a campaign of the last 14 days (to yesterday); its baseline the 14 before."""
    return work_actions.do_update_project(
        actor=owner_ms,
        project=project,
        data=ProjectPatch(
            start_date=today - dt.timedelta(days=DAYS), end_date=today - dt.timedelta(days=1)
        ),
    )


def link(owner_ms, project, kpi):
    """A key result measured by the KPI, linked to the project."""
    objective = actions.do_create_objective(
        actor=owner_ms,
        data=ObjectiveIn(title=f"目标 {kpi.name}", start_date=local_today(owner_ms.workspace)),
    )
    key_result = actions.do_add_key_result(
        actor=owner_ms,
        objective=objective,
        data=KeyResultIn(title=f"提升 {kpi.name}", kpi_id=kpi.pk, target_value=1),
    )
    actions.do_link_work(
        actor=owner_ms, key_result=key_result, data=LinksIn(project_ids=[project.pk])
    )
    return key_result


def daily_kpi(owner_ms, project, today, *, baseline: float, during: float, name="日活"):
    """A KPI kept by hand, noisy around `baseline` in the 14 days before the campaign and
    around `during` in the campaign's 14 days."""
    rng = random.Random(7)
    kpi = actions.do_create_kpi(actor=owner_ms, data=KpiIn(name=name, source="manual", unit="人"))
    values = []
    for n in range(2 * DAYS):
        day = today - dt.timedelta(days=2 * DAYS - n)
        mean = baseline if n < DAYS else during
        values.append((day, mean + rng.gauss(0, 30)))
    actions.do_record_kpi_values(actor=owner_ms, kpi=kpi, values=values)
    link(owner_ms, project, kpi)
    return kpi


def at(workspace, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    zone = zoneinfo.ZoneInfo(workspace.time_zone)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone).astimezone(dt.UTC)


def plant_funnel(workspace, day, persons, converted: int) -> None:
    """Each person opens on `day`; the first `converted` of them sign up."""
    rows = []
    for i, person in enumerate(persons):
        rows.append(row(workspace_id=workspace.pk, person_id=person.pk, event="open",
                        timestamp=at(workspace, day, 9)))  # fmt: skip
        if i < converted:
            rows.append(row(workspace_id=workspace.pk, person_id=person.pk, event="signup",
                            timestamp=at(workspace, day, 9, 30)))  # fmt: skip
    get_store().write(rows)


def people(workspace, prefix: str, n: int, **traits):
    return [make_person(workspace, f"{prefix}{i}", **traits) for i in range(n)]


def funnel_kpi(owner_ms, project, *, name="注册转化率"):
    insight = insight_actions.do_save_insight(
        actor=owner_ms,
        name=f"{name} 漏斗",
        query={"kind": "funnel", "steps": [{"event": "open"}, {"event": "signup"}]},
    )
    kpi = actions.do_create_kpi(
        actor=owner_ms,
        data=KpiIn(
            name=name,
            source="insight",
            insight_id=insight.pk,
            definition={"measure": "conversion"},
            unit="%",
        ),
    )
    link(owner_ms, project, kpi)
    return kpi


def cohorts(owner_ms):
    target = insight_actions.do_save_cohort(
        actor=owner_ms, name="上海用户", kind="dynamic", persons={"trait": ["city=上海"]}
    )
    control = insight_actions.do_save_cohort(
        actor=owner_ms, name="北京用户", kind="dynamic", persons={"trait": ["city=北京"]}
    )
    return target, control


# --- the periods


def test_the_campaign_runs_to_yesterday_and_the_baseline_is_as_long_just_before(
    owner_ms, project, today
):
    project = work_actions.do_update_project(
        actor=owner_ms,
        project=project,
        data=ProjectPatch(
            start_date=today - dt.timedelta(days=5), end_date=today + dt.timedelta(days=10)
        ),
    )
    first, before, reason = campaign.periods(project, today)
    assert reason == ""
    assert (first.first, first.last, first.days) == (
        today - dt.timedelta(days=5), today - dt.timedelta(days=1), 5,
    )  # fmt: skip
    assert (before.first, before.last) == (
        today - dt.timedelta(days=10), today - dt.timedelta(days=6),
    )  # fmt: skip


def test_no_report_without_a_campaign_with_dates_under_way(owner_ms, project, today):
    report = campaign.campaign_impact(project, owner_ms)
    assert report.rows == [] and "start and end dates" in report.reason
    general = work_actions.do_create_project(
        actor=owner_ms,
        data=ProjectIn(name="日常", key="GEN", start_date=today - dt.timedelta(days=9),
                       end_date=today - dt.timedelta(days=1)),
    )  # fmt: skip
    assert "not a campaign" in campaign.campaign_impact(general, owner_ms).reason
    upcoming = work_actions.do_update_project(
        actor=owner_ms,
        project=project,
        data=ProjectPatch(start_date=today, end_date=today + dt.timedelta(days=3)),
    )
    assert "not had a whole day" in campaign.campaign_impact(upcoming, owner_ms).reason


def test_a_campaign_with_no_kpi_linked_says_so(owner_ms, campaign_project):
    report = campaign.campaign_impact(campaign_project, owner_ms)
    assert report.campaign is not None and report.rows == []
    assert "No KPI is linked" in report.reason


# --- daily values against the baseline


def test_a_lift_planted_in_daily_values_is_found_and_clear(owner_ms, campaign_project, today):
    kpi = daily_kpi(owner_ms, campaign_project, today, baseline=1000, during=1150)
    report = campaign.campaign_impact(campaign_project, owner_ms)
    assert report.reason == ""
    (row_,) = report.rows
    assert row_.kpi == kpi and row_.comparison == campaign.BASELINE
    assert row_.method == campaign.MEAN_LIFT and not row_.rate
    assert row_.campaign_n == row_.baseline_n == DAYS
    assert row_.lift == pytest.approx(150, abs=30)
    assert row_.low > 0 and row_.low < row_.lift < row_.high
    assert row_.clear is True
    assert "unlikely to be chance" in row_.words and row_.reason == ""


def test_no_lift_planted_is_no_clear_effect(owner_ms, campaign_project, today):
    daily_kpi(owner_ms, campaign_project, today, baseline=1000, during=1000)
    (row_,) = campaign.campaign_impact(campaign_project, owner_ms).rows
    assert row_.low < 0 < row_.high
    assert row_.clear is False and "no clear effect" in row_.words


def test_too_few_values_give_a_reason_not_a_lift(owner_ms, campaign_project, today):
    kpi = actions.do_create_kpi(actor=owner_ms, data=KpiIn(name="粉丝", source="manual"))
    actions.do_record_kpi_values(
        actor=owner_ms, kpi=kpi, values=[(today - dt.timedelta(days=2), 5.0)]
    )
    link(owner_ms, campaign_project, kpi)
    (row_,) = campaign.campaign_impact(campaign_project, owner_ms).rows
    assert row_.lift is None and row_.clear is None
    assert "the campaign has 1, the baseline before it 0" in row_.reason


def test_a_kpi_of_a_projects_own_objective_counts_and_each_kpi_once(
    owner_ms, campaign_project, today
):
    kpi = daily_kpi(owner_ms, campaign_project, today, baseline=10, during=10)
    own = actions.do_create_objective(
        actor=owner_ms,
        data=ObjectiveIn(
            title="项目目标", start_date=today, level="project", project_id=campaign_project.pk
        ),
    )
    actions.do_add_key_result(
        actor=owner_ms,
        objective=own,
        data=KeyResultIn(title="同一指标", kpi_id=kpi.pk, target_value=1),
    )
    other = actions.do_create_kpi(
        actor=owner_ms, data=KpiIn(name="项目自己的指标", source="manual")
    )
    actions.do_add_key_result(
        actor=owner_ms,
        objective=own,
        data=KeyResultIn(title="另一个", kpi_id=other.pk, target_value=1),
    )
    names = [r.kpi.name for r in campaign.campaign_impact(campaign_project, owner_ms).rows]
    assert names == ["日活", "项目自己的指标"]


# --- a funnel's rate against the baseline


def test_a_lift_planted_in_a_funnels_conversion_is_found_by_two_proportions(
    owner_ms, workspace, campaign_project, today
):
    # The baseline: 200 open, 40 sign up (20%); the campaign: 200 open, 80 sign up (40%).
    plant_funnel(workspace, today - dt.timedelta(days=20), people(workspace, "b", 200), 40)
    plant_funnel(workspace, today - dt.timedelta(days=5), people(workspace, "c", 200), 80)
    funnel_kpi(owner_ms, campaign_project)
    (row_,) = campaign.campaign_impact(campaign_project, owner_ms).rows
    assert row_.method == campaign.TWO_PROPORTIONS and row_.rate
    assert (row_.campaign, row_.baseline) == pytest.approx((40.0, 20.0))
    assert row_.lift == pytest.approx(20.0)  # percentage points
    assert row_.relative == pytest.approx(1.0)
    assert (row_.campaign_n, row_.baseline_n) == (200, 200)
    # By hand: se = sqrt(.4*.6/200 + .2*.8/200) = 0.04472; 1.96 * se = 8.77 pp.
    assert row_.low == pytest.approx(20 - 8.765, abs=0.01)
    assert row_.high == pytest.approx(20 + 8.765, abs=0.01)
    assert row_.clear and row_.p_value < 0.001
    assert "+20.00 pp (+100.0%) against the baseline" in row_.words


def test_the_same_conversion_in_both_periods_is_no_clear_effect(
    owner_ms, workspace, campaign_project, today
):
    plant_funnel(workspace, today - dt.timedelta(days=20), people(workspace, "b", 100), 30)
    plant_funnel(workspace, today - dt.timedelta(days=5), people(workspace, "c", 100), 31)
    funnel_kpi(owner_ms, campaign_project)
    (row_,) = campaign.campaign_impact(campaign_project, owner_ms).rows
    assert row_.clear is False and row_.p_value > 0.5


def test_a_funnel_no_one_entered_gives_a_reason(owner_ms, campaign_project):
    funnel_kpi(owner_ms, campaign_project)
    (row_,) = campaign.campaign_impact(campaign_project, owner_ms).rows
    assert row_.lift is None and "No one entered the funnel" in row_.reason


# --- the target cohort against the control


def test_a_targeted_cohort_is_held_against_the_control_cohort(
    owner_ms, workspace, campaign_project, today
):
    # Over the campaign: 上海 (targeted) 100 open, 50 sign up; 北京 100 open, 20 sign up.
    day = today - dt.timedelta(days=3)
    plant_funnel(workspace, day, people(workspace, "sh", 100, city="上海"), 50)
    plant_funnel(workspace, day, people(workspace, "bj", 100, city="北京"), 20)
    target, control = cohorts(owner_ms)
    actions.do_set_campaign_cohorts(
        actor=owner_ms,
        project=campaign_project,
        data=CampaignCohortsIn(target=target.pk, control=control.pk),
    )
    funnel_kpi(owner_ms, campaign_project)
    report = campaign.campaign_impact(campaign_project, owner_ms)
    assert report.compares_cohorts and (report.target, report.control) == (target, control)
    against_baseline, against_control = report.rows
    assert against_baseline.comparison == campaign.BASELINE
    # Nobody in the baseline's days: no lift there, but one between the cohorts.
    assert "No one entered" in against_baseline.reason
    assert against_control.comparison == campaign.COHORT
    assert (against_control.campaign, against_control.baseline) == pytest.approx((50.0, 20.0))
    assert against_control.lift == pytest.approx(30.0) and against_control.clear
    assert "against the control cohort" in against_control.words


def test_a_trend_split_by_cohort_is_taken_per_person_of_each_cohort(
    owner_ms, workspace, campaign_project, today
):
    # Each of 10 targeted persons opens every campaign day; 5 of 20 controls do.
    targeted = people(workspace, "sh", 10, city="上海")
    controls = people(workspace, "bj", 20, city="北京")
    rows = [
        row(workspace_id=workspace.pk, person_id=p.pk, event="open",
            timestamp=at(workspace, today - dt.timedelta(days=d), 10))
        for d in range(1, DAYS + 1)
        for p in [*targeted, *controls[:5]]
    ]  # fmt: skip
    get_store().write(rows)
    insight = insight_actions.do_save_insight(
        actor=owner_ms, name="日活趋势",
        query={"kind": "trends", "series": [{"event": "open", "math": "dau"}]},
    )  # fmt: skip
    kpi = actions.do_create_kpi(
        actor=owner_ms,
        data=KpiIn(name="日活", source="insight", insight_id=insight.pk, definition={"series": 0}),
    )
    link(owner_ms, campaign_project, kpi)
    target, control = cohorts(owner_ms)
    actions.do_set_campaign_cohorts(
        actor=owner_ms,
        project=campaign_project,
        data=CampaignCohortsIn(target=target.pk, control=control.pk),
    )
    _baseline, split = campaign.campaign_impact(campaign_project, owner_ms).rows
    assert split.comparison == campaign.COHORT and split.method == campaign.MEAN_LIFT
    # 10 of 10 a day against 5 of 20: 1.0 against 0.25 per person, every day alike.
    assert (split.campaign, split.baseline) == pytest.approx((1.0, 0.25))
    assert (split.low, split.lift, split.high) == pytest.approx((0.75, 0.75, 0.75))
    assert split.campaign_n == split.baseline_n == DAYS and split.clear


def test_a_kpi_kept_by_hand_cannot_be_split_by_cohort(owner_ms, campaign_project, today):
    daily_kpi(owner_ms, campaign_project, today, baseline=10, during=12)
    target, control = cohorts(owner_ms)
    actions.do_set_campaign_cohorts(
        actor=owner_ms,
        project=campaign_project,
        data=CampaignCohortsIn(target=target.pk, control=control.pk),
    )
    baseline_row, cohort_row = campaign.campaign_impact(campaign_project, owner_ms).rows
    assert baseline_row.lift is not None
    assert cohort_row.lift is None and "funnel or a trend" in cohort_row.reason


# --- setting the cohorts


@pytest.fixture
def foreign_cohort(db):
    stranger = make_user("stranger")
    elsewhere = core_actions.do_create_workspace(actor=stranger, slug="other", name="别家")
    return insight_actions.do_save_cohort(
        actor=membership_of(stranger, elsewhere), name="别家的人群", kind="dynamic",
        persons={"trait": ["city=上海"]},
    )  # fmt: skip


def test_set_cohorts_records_them_and_an_audit_row(owner_ms, campaign_project):
    from opsloop.core.models import AuditLog

    target, control = cohorts(owner_ms)
    chosen = actions.do_set_campaign_cohorts(
        actor=owner_ms,
        project=campaign_project,
        data=CampaignCohortsIn(target=target.pk, control=str(control.pk)),
    )
    assert (chosen.target, chosen.control) == (target, control)
    audit = AuditLog.objects.get(action="project.campaign_cohorts")
    assert audit.target == "D11" and audit.data == {
        "target_id": target.pk, "control_id": control.pk,
    }  # fmt: skip
    cleared = actions.do_set_campaign_cohorts(
        actor=owner_ms, project=campaign_project, data=CampaignCohortsIn()
    )
    assert cleared.pk == chosen.pk and (cleared.target, cleared.control) == (None, None)
    assert CampaignCohorts.objects.count() == 1


def test_a_cohort_of_another_workspace_is_refused_and_nothing_written(
    owner_ms, campaign_project, foreign_cohort
):
    from opsloop.core.models import AuditLog

    target, _control = cohorts(owner_ms)
    with pytest.raises(Invalid) as refused:
        actions.do_set_campaign_cohorts(
            actor=owner_ms,
            project=campaign_project,
            data=CampaignCohortsIn(target=target.pk, control=foreign_cohort.pk),
        )
    assert refused.value.field == "control"
    assert not CampaignCohorts.objects.exists()
    assert not AuditLog.objects.filter(action="project.campaign_cohorts").exists()


def test_bad_cohort_choices_are_refused(owner_ms, campaign_project, today):
    target, _control = cohorts(owner_ms)
    with pytest.raises(Invalid) as same:
        actions.do_set_campaign_cohorts(
            actor=owner_ms,
            project=campaign_project,
            data=CampaignCohortsIn(target=target.pk, control=target.pk),
        )
    assert same.value.field == "control"
    with pytest.raises(Invalid) as not_a_number:
        parse_input(CampaignCohortsIn, {"target": "x"})  # as the page and the API parse it
    assert not_a_number.value.field == "target"
    general = work_actions.do_create_project(actor=owner_ms, data=ProjectIn(name="日常", key="GEN"))
    with pytest.raises(Invalid, match="Only a campaign project"):
        actions.do_set_campaign_cohorts(
            actor=owner_ms, project=general, data=CampaignCohortsIn(target=target.pk)
        )
    assert not CampaignCohorts.objects.exists()


def test_guests_may_not_set_cohorts(workspace, owner_ms, campaign_project):
    guest = membership_of(add_member(workspace, "guest", Role.GUEST), workspace)
    work_actions.do_add_project_member(
        actor=owner_ms, project=campaign_project, user_id=guest.user_id
    )
    with pytest.raises(Forbidden):
        actions.do_set_campaign_cohorts(
            actor=guest, project=campaign_project, data=CampaignCohortsIn()
        )


# --- the API


API = "/api/v1/workspaces/acme/projects/D11"


def test_the_api_gives_the_report_and_sets_the_cohorts(
    api, owner_ms, campaign_project, today, django_assert_max_num_queries
):
    kpi = daily_kpi(owner_ms, campaign_project, today, baseline=1000, during=1150)
    target, control = cohorts(owner_ms)
    answer = api.put(f"{API}/campaign-cohorts", {"target": target.pk, "control": control.pk})
    assert answer.status_code == 200, answer.content
    assert answer.json() == {
        "target": {"id": target.pk, "name": "上海用户", "size": 0},
        "control": {"id": control.pk, "name": "北京用户", "size": 0},
    }
    with django_assert_max_num_queries(12):
        answer = api.get(f"{API}/impact")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["project"]["key"] == "D11" and body["reason"] == ""
    assert body["campaign"] == {
        "first": (today - dt.timedelta(days=DAYS)).isoformat(),
        "last": (today - dt.timedelta(days=1)).isoformat(),
        "days": DAYS,
    }
    assert body["baseline"]["last"] == (today - dt.timedelta(days=DAYS + 1)).isoformat()
    assert body["target"]["id"] == target.pk and body["control"]["id"] == control.pk
    first, second = body["rows"]
    assert first["kpi"] == {"id": kpi.pk, "name": "日活", "unit": "人"}
    assert first["comparison"] == "baseline" and first["clear"] is True
    assert first["lift"] == pytest.approx(150, abs=30) and first["words"]
    assert second["comparison"] == "cohort" and second["lift"] is None and second["reason"]


def test_the_api_refuses_bad_cohorts_with_the_field(
    api, owner_ms, campaign_project, foreign_cohort
):
    target, _control = cohorts(owner_ms)
    answer = api.put(f"{API}/campaign-cohorts", {"target": target.pk, "control": foreign_cohort.pk})
    assert answer.status_code == 400
    assert answer.json()["field"] == "control" and answer.json()["message"]
    answer = api.put(f"{API}/campaign-cohorts", {"target": target.pk, "control": target.pk})
    assert answer.status_code == 400 and answer.json()["field"] == "control"
    assert not CampaignCohorts.objects.exists()


def test_the_api_says_why_a_project_has_no_impact(api, project):
    answer = api.get(f"{API}/impact")
    assert answer.status_code == 200
    body = answer.json()
    assert body["rows"] == [] and body["campaign"] is None and "dates" in body["reason"]


# --- the page


PAGE = "/w/acme/p/D11/impact/"


@pytest.fixture
def client_owner(owner):
    client = Client()
    client.force_login(owner)
    return client


def test_the_impact_page_shows_each_lift_in_numbers_and_words(
    client_owner, owner_ms, campaign_project, today, django_assert_max_num_queries
):
    daily_kpi(owner_ms, campaign_project, today, baseline=1000, during=1150)
    with django_assert_max_num_queries(20):
        page = client_owner.get(PAGE)
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="tab-impact"' in text and 'class="active" data-testid="tab-impact"' in text
    assert 'data-testid="impact-row"' in text and "日活" in text
    assert 'data-testid="impact-clear"' in text and "unlikely to be chance" in text
    assert 'data-testid="impact-chart"' in text and 'id="impact-data"' in text
    assert 'data-testid="cohorts-form"' in text
    assert "opsloop/campaign.js" in text and "vendor/echarts.min.js" in text


def test_the_impact_tab_shows_only_on_campaign_projects(client_owner, owner_ms, project):
    assert 'data-testid="tab-impact"' in client_owner.get("/w/acme/p/D11/").content.decode()
    work_actions.do_create_project(actor=owner_ms, data=ProjectIn(name="日常", key="GEN"))
    assert 'data-testid="tab-impact"' not in client_owner.get("/w/acme/p/GEN/").content.decode()


def test_the_page_form_sets_and_refuses_cohorts(client_owner, owner_ms, campaign_project):
    target, control = cohorts(owner_ms)
    done = client_owner.post(PAGE, {"target": str(target.pk), "control": str(control.pk)})
    assert done.status_code == 302 and done["Location"] == PAGE
    chosen = CampaignCohorts.objects.get(project=campaign_project)
    assert (chosen.target, chosen.control) == (target, control)
    page = client_owner.get(PAGE).content.decode()
    assert 'data-testid="impact-cohorts"' in page and "上海用户" in page
    refused = client_owner.post(PAGE, {"target": str(target.pk), "control": str(target.pk)})
    assert refused.status_code == 400
    assert 'data-testid="error"' in refused.content.decode()
    chosen.refresh_from_db()
    assert chosen.control == control
