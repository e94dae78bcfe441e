"""The demo workspace: what it holds, who sees what, and that loading it again is safe."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import F, Max
from django.test import override_settings
from django.utils.timezone import localtime
from django_tasks_db.models import DBTaskResult

from opsloop.collab.models import Comment
from opsloop.core.models import AuditLog, Membership, Role, User, Workspace
from opsloop.demo import data
from opsloop.demo.loader import DEFAULT_PASSWORD, delete_demo, load_demo
from opsloop.work.actions import do_delete_project
from opsloop.work.models import Activity, Item, Project, State
from opsloop.work.queries import my_work, visible_projects

# A Sunday: "due this week" is then today alone, the narrowest case.
SUNDAY = date(2026, 11, 22)
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(scope="module")
def shared_demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """One load for the whole module, since a load takes seconds. Every test still runs in a
    transaction, so whatever a test does to it (even a reset) is rolled back; the events'
    store is a directory of the module's own, and is not (a test that deletes or reloads
    the demo empties it: the events test comes first)."""
    events_dir = override_settings(DATA_DIR=tmp_path_factory.mktemp("demo-data"))
    events_dir.enable()
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        last_audit = AuditLog.objects.aggregate(m=Max("id"))["m"] or 0
        tasks_before = set(DBTaskResult.objects.values_list("pk", flat=True))
        result = load_demo(today=SUNDAY)
    yield result
    with django_db_blocker.unblock():
        delete_demo()
        AuditLog.objects.filter(pk__gt=last_audit).delete()
        # The load queued tasks (notification emails, decision reviews): they go too, or
        # the tests of other modules in this process would count them as theirs.
        DBTaskResult.objects.exclude(pk__in=tasks_before).delete()
    events_dir.disable()


@pytest.fixture
def demo(shared_demo, db):
    return shared_demo


@pytest.fixture
def no_demo(db):
    """An install without the demo, whether or not the shared one is loaded."""
    delete_demo()


def membership(username: str) -> Membership:
    return Membership.objects.select_related("workspace", "user").get(
        workspace__slug="demo", user__username=username
    )


def snapshot() -> list[tuple]:
    """What a visitor sees of every item, in a stable order."""
    items = (
        Item.objects.filter(workspace__slug="demo")
        .select_related("project", "state", "parent")
        .prefetch_related("assignees", "labels")
        .order_by("project__key", "number")
    )
    return [
        (
            item.ref,
            item.title,
            item.state.name,
            item.priority,
            item.progress,
            item.start_date,
            item.due_date,
            item.parent.number if item.parent else None,
            sorted(u.username for u in item.assignees.all()),
            sorted(label.name for label in item.labels.all()),
        )
        for item in items
    ]


def operations_snapshot() -> tuple[list[tuple], list[tuple]]:
    """The placements' figures and the content results, which the seed makes."""
    from django.db.models import Sum

    from opsloop.content.models import ContentResult
    from opsloop.money.models import Placement

    placements = (
        Placement.objects.filter(workspace__slug="demo")
        .values_list("name")
        .annotate(spend=Sum("days__spend"), clicks=Sum("days__clicks"))
        .order_by("name")
    )
    results = ContentResult.objects.filter(piece__workspace__slug="demo").order_by(
        "piece__title", "day"
    )
    return list(placements), list(
        results.values_list("piece__title", "day", "views", "likes", "followers_gained")
    )


def test_demo_holds_a_whole_team_at_work(demo):
    workspace = demo.workspace
    assert demo.created
    assert (workspace.slug, workspace.name) == ("demo", "鲸选运营团队")
    roles = dict(
        Membership.objects.filter(workspace=workspace).values_list("user__username", "role")
    )
    assert len(roles) == len(data.PEOPLE) == 10
    assert roles["lead"] == Role.OWNER
    assert sorted(roles.values()).count(Role.ADMIN) == 1
    assert [u for u, role in roles.items() if role == Role.GUEST] == ["xinghe"]
    assert User.objects.get(username="amy").display_name == "张敏"

    projects = {p.key: p for p in Project.objects.filter(workspace=workspace)}
    assert sorted(projects) == ["ADS", "CNT", "D11", "GRW"]
    d11 = projects["D11"]
    assert (d11.name, d11.kind, d11.stage, d11.budget) == (
        "双十一大促",
        "campaign",
        "executing",
        500000,
    )
    assert d11.start_date < SUNDAY < d11.end_date
    assert projects["ADS"].visibility == "private"
    assert projects["ADS"].stage == "monitoring"
    for project in projects.values():
        assert 25 <= project.items.count() <= 45, project.key

    items = Item.objects.filter(workspace=workspace)
    groups = set(items.values_list("state__group", flat=True))
    assert groups == {"backlog", "todo", "in_progress", "in_review", "done", "cancelled"}
    assert items.filter(parent__isnull=False).count() >= 8
    assert items.filter(due_date__lt=SUNDAY).exists() and items.filter(due_date__gt=SUNDAY).exists()
    assert not items.filter(state__group="done").exclude(progress=100).exists()
    assert Comment.objects.filter(workspace=workspace).count() >= 25
    assert "<table>" in Comment.objects.filter(body__contains="| ---").first().body_html
    # Items walked through the workflow, so their history shows state changes.
    assert Activity.objects.filter(item__workspace=workspace, field="state").count() > 60


def test_demo_users_send_events_from_two_sources(demo):
    from collections import Counter

    from opsloop.events.models import Person, Source
    from opsloop.events.store import EventFilter, get_store

    workspace = demo.workspace
    sources = {s.name: s for s in Source.objects.filter(workspace=workspace)}
    assert sorted((s.name, s.kind) for s in sources.values()) == sorted(data.EVENT_SOURCES)
    assert all(s.keys.filter(revoked_at__isnull=True).exists() for s in sources.values())
    persons = Person.objects.filter(workspace=workspace)
    assert persons.count() == data.EVENTS["persons"]
    assert persons.exclude(user_id="").count() > 1000
    store = get_store()
    where = EventFilter(workspace_id=workspace.pk)
    assert store.count_events(where) == data.EVENTS["events"]
    latest = store.list_events(where, limit=1)[0]
    # None in the future: the events end with the day before the demo was loaded.
    assert localtime(latest["timestamp"]).date() == SUNDAY - timedelta(days=1)
    assert {r["source_id"] for r in store.list_events(where, limit=2000)} == {
        s.pk for s in sources.values()
    }
    # The funnel narrows, and the Double 11 (in the 90 days before SUNDAY) is the busiest day.
    funnel = [
        store.count_events(EventFilter(workspace_id=workspace.pk, events=(name,)))
        for name in ("signup", "activate", "first_order")
    ]
    assert funnel == sorted(funnel, reverse=True) and funnel[-1] > 100
    days = Counter(
        row[0]
        for row in store.sql(workspace.pk, "SELECT (timestamp + INTERVAL 8 HOUR)::DATE FROM events")
    )
    assert max(days, key=days.get) == date(2026, 11, 11)


def test_demo_has_saved_insights_that_answer_over_its_events(demo):
    from opsloop.events.store import get_store
    from opsloop.insights.engine import make_plan, run_query
    from opsloop.insights.models import Insight
    from opsloop.insights.persons import ensure_snapshot
    from opsloop.insights.query import parse_query

    workspace = demo.workspace
    saved = {i.name: i for i in Insight.objects.filter(workspace=workspace)}
    assert set(saved) == {i["name"] for i in data.INSIGHTS}
    store = get_store()
    ensure_snapshot(store, workspace.pk)

    def run(name):
        query = parse_query(saved[name].query)
        return run_query(query, make_plan(store, workspace.pk, workspace.time_zone, SUNDAY))

    funnel = run("注册到首单（按渠道）")
    counts = [step["count"] for step in funnel["steps"]]
    assert counts == sorted(counts, reverse=True) and counts[-1] > 50
    assert {row["value"] for row in funnel["breakdown"]} >= {"douyin", "wechat", "xiaohongshu"}
    retention = run("新注册用户周留存")
    assert retention["curve"][0] == 1.0 and 0 < retention["curve"][1] < 1
    channels = run("首单渠道归因（首次触点）")
    assert (
        sum(c["conversions"] for c in channels["channels"]) == counts[-1]
        or channels["conversions"] > 0
    )
    daily = run("日活与下单用户")
    assert max(daily["series"][0]["data"]) > 100 and daily["formula"][0]["data"]


def test_demo_campaign_results_have_a_cac_and_roas(demo):
    """D11's spend (placements, KOL fees, coupons, production) joined to the new users its
    UTM values brought, in the events of the presale (double11_presale)."""
    from opsloop.money.results import Range, get_conversion, project_results

    conversion = get_conversion(demo.workspace.pk)
    assert (conversion.event, conversion.revenue_property, conversion.window_days) == (
        "order_paid",
        "amount",
        30,
    )
    d11 = Project.objects.get(workspace=demo.workspace, key="D11")
    found = project_results(d11, Range(d11.start_date, d11.end_date, "first"))
    totals = found.totals
    print(
        f"D11: spend {totals.spend} new users {totals.new_users} conversions "
        f"{totals.conversions} revenue {totals.revenue} CAC {totals.cac} ROAS {totals.roas}"
    )
    assert found.currency == "CNY"
    assert totals.new_users > 300 and totals.conversions > 50
    assert totals.cac is not None and 20 <= totals.cac <= 60
    assert totals.roas is not None and Decimal("0.2") <= totals.roas <= 5
    placements = {row.detail: row.figures for row in found.placements}
    assert set(placements) == {"Ocean Engine (巨量引擎)", "Xiaohongshu Juguang (小红书聚光)"}
    for figures in placements.values():
        assert figures.new_users > 50 and figures.clicks > 1000
        assert figures.cac is not None and 15 <= figures.cac <= 80
    # The KOLs' fees are spend of their own partners.
    partners = {row.label: row.figures.spend for row in found.partners}
    assert partners["小美的美妆日记"] == Decimal("11500.00")

    ads = Project.objects.get(workspace=demo.workspace, key="ADS")
    always_on = project_results(ads, Range(ads.start_date, SUNDAY, "first")).totals
    assert always_on.new_users > 500 and always_on.cac is not None and always_on.roas


def test_demo_has_the_quarters_goals_measured_by_its_kpis(demo):
    from opsloop.goals.models import Kpi, KpiValue, Objective
    from opsloop.goals.queries import report_objectives

    workspace = demo.workspace
    # The KPIs of data.KPIS, and the one that watches the always-on ads' budget.
    kpis = {k.name: k for k in Kpi.objects.filter(workspace=workspace, budget_watch__isnull=True)}
    assert set(kpis) == {k["name"] for k in data.KPIS}
    watched = Kpi.objects.get(workspace=workspace, budget_watch__project__key="ADS")
    assert watched.unit == "%" and watched.alerts.filter(kind="below").exists()
    assert not [k.name for k in kpis.values() if k.stale]
    daily = KpiValue.objects.filter(kpi=kpis["日活跃用户"], day__lt=SUNDAY)
    assert daily.count() >= 28 and min(daily.values_list("value", flat=True)) > 20
    assert KpiValue.objects.filter(kpi=kpis["公众号粉丝"]).count() == 45
    assert 0 < KpiValue.objects.get(kpi=kpis["首单转化率"], day=SUNDAY).value < 100
    objectives = list(Objective.objects.filter(workspace=workspace).order_by("pk"))
    assert [o.title for o in objectives] == [o["title"] for o in data.OBJECTIVES]
    reports = report_objectives(objectives, SUNDAY)
    for report in reports:
        assert report.progress is not None
        assert all(kr.current is not None for kr in report.key_results)
    statuses = {kr.status for r in reports for kr in r.key_results}
    assert len(statuses) >= 2  # a spread, not one colour
    linked = (
        objectives[0]
        .key_results.get(title="日活跃用户提升 20%")
        .projects.values_list("key", flat=True)
    )
    assert sorted(linked) == ["D11", "GRW"]


def test_demo_targets_of_counted_kpis_are_whole_numbers(demo):
    from opsloop.goals.models import KeyResult

    results = KeyResult.objects.filter(objective__workspace=demo.workspace).select_related("kpi")
    counted = [kr for kr in results if kr.kpi.unit in ("人", "个")]
    assert counted
    for kr in counted:
        assert float(kr.target_value) == int(kr.target_value), (kr.title, kr.target_value)
        assert float(kr.start_value) == int(kr.start_value), (kr.title, kr.start_value)


def test_demo_names_its_events_and_channels_in_chinese(demo):
    from opsloop.insights import display, queries
    from opsloop.insights.models import Insight
    from opsloop.insights.queries import check_query, run_insight

    names = queries.get_display_names(demo.workspace)
    assert names.event("first_order") == "首单"
    assert names.value("utm_source", "xiaohongshu") == "小红书"
    assert names.value("person.channel", "xiaohongshu") == "小红书"
    funnel = Insight.objects.get(workspace=demo.workspace, name="注册到首单（按渠道）")
    result = run_insight(workspace=demo.workspace, query=check_query(funnel.query), today=SUNDAY)
    shown = display.tables(result)
    assert shown["head"][-1] == "首单"
    assert {"小红书", "抖音", "微信"} <= {row["label"] for row in shown["rows"]}


def test_workflows_are_in_chinese_with_extra_states(demo):
    states = State.objects.filter(project__workspace=demo.workspace)
    assert not states.filter(name__in=["Backlog", "To do", "In progress", "Done"]).exists()
    assert states.get(project__key="D11", name="已排期").group == "todo"
    assert states.get(project__key="CNT", name="已排期").group == "in_review"
    assert states.get(project__key="GRW", name="实验中").group == "in_progress"
    assert states.get(project__key="D11", group="done").name == "已上线"


def test_every_item_is_in_a_state_of_its_own_project(demo):
    items = Item.objects.filter(workspace=demo.workspace)
    assert items.count() > 100
    assert not items.exclude(state__project=F("project")).exists()
    assert not items.filter(parent__isnull=False).exclude(parent__project=F("project")).exists()


def test_text_refers_to_the_right_items(demo):
    # Descriptions and comments cite items by reference; the numbers must match.
    assert Item.objects.get(project__key="D11", number=18).title.startswith("GMV 目标拆解")
    assert Item.objects.get(project__key="GRW", number=2).title.startswith("新人礼包改版")
    assert Item.objects.get(project__key="GRW", number=3).title.startswith("邀请有礼")


def test_guest_sees_only_double_11(demo):
    guest = membership("xinghe")
    assert guest.role == Role.GUEST
    assert list(visible_projects(guest).values_list("key", flat=True)) == ["D11"]
    assert Item.objects.filter(project__key="D11", assignees__username="xinghe").exists()


def test_private_project_is_shared_with_its_members_only(demo):
    assert "ADS" not in visible_projects(membership("amy")).values_list("key", flat=True)
    assert "ADS" in visible_projects(membership("data")).values_list("key", flat=True)
    assert "ADS" in visible_projects(membership("hao")).values_list("key", flat=True)


def test_owner_has_overdue_and_due_this_week_work(demo):
    work = my_work(membership("lead"), today=SUNDAY)
    assert len(work.overdue) >= 2
    assert len(work.due_this_week) >= 2
    assert work.assigned.total >= 8
    assert {item.project.key for item in work.overdue + work.due_this_week} >= {"D11", "GRW"}


def test_owner_logs_in_with_the_demo_password(demo):
    assert (demo.username, demo.password) == ("lead", DEFAULT_PASSWORD)
    assert demo.url.endswith("/w/demo/")
    assert authenticate(username="lead", password=DEFAULT_PASSWORD) is not None
    assert authenticate(username="xinghe", password=DEFAULT_PASSWORD) is not None


def test_loading_again_changes_nothing(demo):
    before = snapshot()
    counts = (Item.objects.count(), Comment.objects.count(), Activity.objects.count())
    again = load_demo(today=SUNDAY)
    assert not again.created
    assert again.workspace.pk == demo.workspace.pk
    assert snapshot() == before
    assert (Item.objects.count(), Comment.objects.count(), Activity.objects.count()) == counts


def test_reset_reloads_the_same_demo(demo):
    before = snapshot()
    operations = operations_snapshot()
    assert len(operations[0]) == 4 and operations[1]
    result = load_demo(today=SUNDAY, reset=True)
    assert result.created
    assert result.workspace.pk != demo.workspace.pk
    assert Workspace.objects.filter(slug="demo").count() == 1
    assert snapshot() == before  # same seed, same demo
    assert operations_snapshot() == operations
    assert User.objects.filter(username="lead").count() == 1


def test_delete_keeps_other_workspaces(demo, workspace, project, item):
    assert delete_demo()
    assert not Workspace.objects.filter(slug="demo").exists()
    assert not User.objects.filter(username="kevin").exists()
    assert Item.objects.filter(pk=item.pk).exists()
    assert not delete_demo()


def test_a_taken_username_stops_the_load_and_writes_nothing(no_demo):
    User.objects.create_user("kevin", "kevin@elsewhere.example", "x")
    with pytest.raises(CommandError, match="kevin"):
        call_command("demo", stdout=StringIO())
    assert not Workspace.objects.filter(slug="demo").exists()
    assert not User.objects.filter(username="lead").exists()


def test_command_loads_once_and_prints_the_login(no_demo):
    out = StringIO()
    call_command("demo", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert lines[-2] == "Demo workspace: http://127.0.0.1:8000/w/demo/"
    assert lines[-1] == f"Log in as: lead / {DEFAULT_PASSWORD}"
    pk = Workspace.objects.get(slug="demo").pk
    # Loaded for the real today, whatever day of the week: the owner's work is still there.
    work = my_work(membership("lead"))
    assert work.overdue and work.due_this_week

    out = StringIO()
    call_command("demo", stdout=out)
    assert "already exists" in out.getvalue()
    assert out.getvalue().strip().splitlines()[-1] == f"Log in as: lead / {DEFAULT_PASSWORD}"
    assert Workspace.objects.get(slug="demo").pk == pk

    out = StringIO()
    # A password that sign-up would refuse (too short) is fine for the demo.
    call_command("demo", "--reset", "--password", "demo", stdout=out)
    assert out.getvalue().strip().splitlines()[-1] == "Log in as: lead / demo"
    assert Workspace.objects.get(slug="demo").pk != pk
    assert authenticate(username="lead", password="demo") is not None

    out = StringIO()
    call_command("demo", stdout=out)
    assert "already exists" in out.getvalue()
    assert "lead / " not in out.getvalue()  # the default password no longer opens it


def test_an_admin_can_delete_a_project_that_has_items(demo):
    # Item.state is PROTECT; deleting a project once failed on its own items.
    project = Project.objects.get(workspace=demo.workspace, key="CNT")
    others = Item.objects.filter(workspace=demo.workspace).exclude(project=project).count()
    do_delete_project(actor=membership("hao"), project=project)
    assert not Project.objects.filter(pk=project.pk).exists()
    assert Item.objects.filter(workspace=demo.workspace).count() == others


def test_demo_team_talks_and_shares_files(demo):
    from opsloop.collab.models import Comment, Discussion, Reaction
    from opsloop.files.models import File
    from opsloop.inbox.models import Notification

    workspace = demo.workspace
    replies = Comment.objects.filter(workspace=workspace, parent__isnull=False)
    assert replies.count() == len(data.REPLIES)
    assert Reaction.objects.filter(comment__workspace=workspace).count() == len(data.REACTIONS)
    project_comments = Comment.objects.filter(
        workspace=workspace, item__isnull=True, discussion__isnull=True
    )
    assert project_comments.count() == len(data.PROJECT_COMMENTS)
    discussions = Discussion.objects.filter(workspace=workspace)
    assert sorted(d.post_count for d in discussions) == sorted(
        len(d["posts"]) for d in data.DISCUSSIONS
    )
    # Mentions in the demo's text became links and notifications.
    assert Comment.objects.filter(workspace=workspace, body_html__contains='class="mention"')
    kv = File.objects.get(workspace=workspace, name="主会场KV.png", item__isnull=True)
    assert kv.versions.count() == 3 and kv.current_version.number == 3
    assert kv.current_version.content_type == "image/png"
    assert File.objects.filter(workspace=workspace, item__isnull=False).count() == 2
    lead_inbox = Notification.objects.filter(workspace=workspace, recipient__username="lead")
    assert lead_inbox.filter(read_at__isnull=True).exists()
    # Made-up people are never emailed.
    assert not Notification.objects.filter(workspace=workspace, email_due=True).exists()


def test_demo_team_meets_weekly_and_acts_on_it(demo):
    from opsloop.meetings.models import ActionItem, Meeting

    meetings = Meeting.objects.filter(workspace=demo.workspace)
    sync = meetings.filter(title="运营周例会").order_by("starts_at")
    first, second = sync
    assert second.previous_id == first.pk and second.starts_at - first.starts_at == timedelta(
        days=7
    )
    from django.utils import timezone

    assert timezone.localtime(first.starts_at).weekday() == 0  # a Monday, in the install's zone
    # On the day the demo was loaded, this week's has been held (or is that day); the next
    # one is coming up.
    assert timezone.localtime(first.starts_at).date() <= SUNDAY
    assert timezone.localtime(second.starts_at).date() > SUNDAY
    # The topic not done carried over to the next occurrence.
    assert [t.title for t in second.agenda.all()] == ["小红书 KOL 合作进度"]
    converted = ActionItem.objects.filter(meeting=first, work_item__isnull=False)
    assert converted.count() == 2
    assert all(a.work_item.assignee_list == [a.owner] for a in converted)
    one_to_one = meetings.get(kind="one_on_one")
    assert one_to_one.private and one_to_one.attendees.count() == 2


def test_demo_campaign_has_links_and_milestones(demo):
    from opsloop.planning.models import Dependency, Milestone

    links = Dependency.objects.filter(workspace=demo.workspace, kind="blocks")
    assert links.count() == len(data.DEPENDENCIES)
    page = Item.objects.get(workspace=demo.workspace, title="主会场活动页上线（H5 + 小程序）")
    assert links.filter(target=page).count() == 3
    milestones = Milestone.objects.filter(project__key="D11", workspace=demo.workspace)
    assert [m.name for m in milestones] == ["预售开启", "正式开售"]
    assert all(m.items.count() == 4 for m in milestones)


def test_demo_history_is_spread_over_the_project_not_stamped_at_load(demo):
    from django.db.models import Max, Min
    from django.utils import timezone

    from opsloop.work.models import Activity

    span = Activity.objects.filter(workspace=demo.workspace, item__isnull=False).aggregate(
        first=Min("created_at"), last=Max("created_at")
    )
    assert span["last"] <= timezone.now()
    assert (span["last"] - span["first"]).days >= 30
    done = Item.objects.filter(workspace=demo.workspace, completed_at__isnull=False)
    # Work finished on time was completed by its due date, not on the day of loading.
    assert done.filter(completed_at__date__lt=timezone.localdate()).exists()


def test_demo_items_carry_custom_fields_and_a_shared_view(demo):
    from opsloop.work.models import CustomField, CustomFieldValue, SavedView

    channel = CustomField.objects.get(workspace=demo.workspace, name="渠道")
    assert channel.project.key == "D11" and len(channel.options) == len(data.CHANNELS)
    budget = CustomField.objects.get(workspace=demo.workspace, name="预算", project=None)
    assert CustomFieldValue.objects.filter(field=channel).count() == data.FIELD_ITEMS
    assert CustomFieldValue.objects.filter(field=budget, number__gt=0).count() == data.FIELD_ITEMS
    view = SavedView.objects.get(project__key="D11", workspace=demo.workspace)
    assert view.shared and f"group=cf_{channel.pk}" in view.query


def test_demo_team_has_skills_capacity_and_logged_time(demo):
    from opsloop.capacity.models import MemberProfile, TimeEntry

    profiles = MemberProfile.objects.filter(membership__workspace=demo.workspace)
    assert profiles.count() == len(data.PROFILES)
    designer = profiles.get(membership__user__username="design")
    assert [s.name for s in designer.skills.all()] == ["设计"] and designer.weekly_capacity == 36
    entries = TimeEntry.objects.filter(workspace=demo.workspace)
    assert entries.count() == len(data.TIME_LOGS)
    assert sum(e.minutes for e in entries) == 6 * 60 + 270 + 180 + 120 + 90


def test_demo_text_written_by_the_actions_is_chinese(demo):
    from opsloop.meetings.models import ActionItem

    converted = ActionItem.objects.filter(
        meeting__workspace=demo.workspace, work_item__isnull=False
    ).first()
    assert "From the meeting" not in converted.work_item.description


def test_demo_has_a_weekly_report_published_for_three_weeks(demo):
    from opsloop.reports.models import Report, ReportTemplate

    weekly = ReportTemplate.objects.get(workspace=demo.workspace, name="运营周报")
    assert (weekly.schedule, weekly.weekday, weekly.hour) == ("weekly", 0, 9)
    published = list(Report.objects.filter(template=weekly, status="published"))
    assert len(published) == 3
    numbers = next(b for b in published[0].blocks if b["kind"] == "numbers")
    assert numbers["error"] == "" and len(numbers["table"]["rows"]) == 4
    assert all(isinstance(row[2], float) for row in numbers["table"]["rows"]), numbers["table"]
    assert all(b["error"] == "" for r in published for b in r.blocks), [
        (b["kind"], b["error"]) for r in published for b in r.blocks if b["error"]
    ]
    monthly = ReportTemplate.objects.get(workspace=demo.workspace, name="月度运营复盘")
    assert Report.objects.filter(template=monthly, status="draft").count() == 1


def test_demo_campaign_has_its_budget_placements_and_spend(demo):
    from opsloop.money.models import BudgetWatch, Placement, PlacementDay, SpendEntry
    from opsloop.money.queries import budget_of

    d11 = Project.objects.get(workspace=demo.workspace, key="D11")
    budget = budget_of(d11)
    assert budget.planned_from == "lines" and budget.planned == d11.budget == 500000
    assert {line.line.category for line in budget.lines if line.line} == {
        "ads", "kol", "coupons", "production",
    }  # fmt: skip
    assert 0 < budget.actual < budget.planned
    placements = {p.platform: p for p in Placement.objects.filter(project=d11)}
    assert set(placements) == {"ocean_engine", "xhs_juguang"}
    douyin, xhs = placements["ocean_engine"], placements["xhs_juguang"]
    assert (douyin.channel.name, douyin.utm_source, douyin.utm_campaign) == (
        "抖音", "douyin", "double11_presale",
    )  # fmt: skip
    assert (xhs.channel.name, xhs.utm_source, xhs.utm_campaign) == (
        "小红书", "xiaohongshu", "double11_presale",
    )  # fmt: skip
    assert douyin.link.utm_medium == "cpc" and douyin.budget_line.planned == 200000
    so_far = (SUNDAY - d11.start_date).days
    for placement in placements.values():
        days = PlacementDay.objects.filter(placement=placement)
        assert days.count() == so_far
        assert days.filter(day__gte=SUNDAY).count() == 0
        assert not days.filter(spend__lte=0).exists() and not days.filter(clicks=0).exists()
    # The Double 11 of the events is the placements' busiest day.
    busiest = PlacementDay.objects.filter(placement=douyin).order_by("-spend").first()
    assert busiest.day == date(2026, 11, 11)
    kol = SpendEntry.objects.filter(project=d11, line__category="kol")
    assert kol.count() == 3 and not kol.filter(cooperation__isnull=True).exists()
    assert SpendEntry.objects.filter(project=d11, line__category="coupons").exists()
    assert SpendEntry.objects.filter(project=d11, line__category="production").exists()

    ads = Project.objects.get(workspace=demo.workspace, key="ADS")
    always_on = Placement.objects.filter(project=ads)
    assert sorted(always_on.values_list("platform", flat=True)) == ["baidu", "ocean_engine"]
    assert all(p.days.count() == (SUNDAY - ads.start_date).days for p in always_on)
    watch = BudgetWatch.objects.get(project=ads)
    left = list(watch.kpi.values.values_list("value", flat=True))
    assert left and 0 < left[-1] < 50  # most of the budget spent, not overspent


def test_demo_partners_keep_the_price_of_the_day_they_were_booked(demo):
    from opsloop.channels.models import FollowerCount
    from opsloop.partners.models import Cooperation, Interaction, Partner, RateItem

    partners = {p.name: p for p in Partner.objects.filter(workspace=demo.workspace)}
    kinds = sorted(p.kind for p in partners.values())
    assert kinds == ["agency", "koc", "kol", "kol", "media"]
    assert all(p.contacts.exists() for p in partners.values())
    xiaomei = partners["小美的美妆日记"]
    account = xiaomei.accounts.get()
    assert account.external and account.followers > 300_000
    assert FollowerCount.objects.filter(account=account).count() == 8
    note = RateItem.objects.get(partner=xiaomei, format="小红书图文")
    changes = list(note.changes.order_by("effective_on"))
    assert [(c.old_price, c.new_price) for c in changes] == [(None, 5000), (5000, 6500)]
    rise = changes[1].effective_on
    assert rise == SUNDAY - timedelta(days=40) and note.price == 6500
    before, after = (
        Cooperation.objects.filter(rate_item=note).order_by("booked_on").select_related("project")
    )
    assert before.booked_on < rise <= after.booked_on
    assert (before.list_price, before.agreed_price) == (5000, 5000)
    assert (after.list_price, after.agreed_price) == (6500, 6500)
    assert before.project.key == "D11" and before.pieces.get().status == "published"
    assert before.revenue > 0 and before.attributed_users > 0 and before.reach > 0
    follow_up = Interaction.objects.get(partner=xiaomei, follow_up_on__isnull=False)
    assert SUNDAY < follow_up.follow_up_on <= SUNDAY + timedelta(days=7)
    assert xiaomei.last_contacted_on == SUNDAY - timedelta(days=3)
    assert Cooperation.objects.filter(workspace=demo.workspace, project__key="D11").count() == 6


def test_demo_content_goes_through_its_pipeline_with_results(demo):
    from opsloop.content.models import CadenceTarget, ContentPiece, ContentResult

    pieces = ContentPiece.objects.filter(workspace=demo.workspace)
    statuses = set(pieces.values_list("status", flat=True))
    assert statuses == {"idea", "writing", "in_review", "scheduled", "published"}
    assert set(pieces.values_list("channel__name", flat=True)) >= {
        "微信公众号", "小红书", "抖音", "B站", "视频号",
    }  # fmt: skip
    assert set(pieces.values_list("project__key", flat=True)) == {"CNT", "D11"}
    published = pieces.filter(status="published")
    assert published.count() >= 15
    assert not published.filter(results__isnull=True).exists()
    assert not published.filter(published_at__date__gte=SUNDAY).exists()
    for result in ContentResult.objects.filter(piece__in=published):
        assert result.views > 0 and result.likes is not None and result.collects is not None
        assert result.followers_gained is not None and result.day < SUNDAY
    for piece in pieces.filter(status="scheduled"):
        assert SUNDAY < localtime(piece.planned_at).date() <= SUNDAY + timedelta(days=9)
    assert not pieces.filter(status="in_review", reviewers__isnull=True).exists()
    assert pieces.filter(reviews__decision="changes").exists()
    assert pieces.filter(link__utm_content__startswith="piece-").count() == 1
    cadence = set(
        CadenceTarget.objects.filter(account__workspace=demo.workspace).values_list(
            "account__name", "per_week"
        )
    )
    assert cadence == {("鲸选 小红书", 3), ("鲸选 公众号", 2), ("鲸选 抖音", 3)}


def test_demo_accounts_have_follower_history_and_links_follow_the_rules(demo):
    from opsloop.channels.models import Account, FollowerCount, Link, UtmValue

    own = Account.objects.filter(workspace=demo.workspace, external=False)
    assert sorted(own.values_list("name", flat=True)) == sorted(
        ["鲸选 公众号", "鲸选 小红书", "鲸选 抖音", "鲸选 视频号", "鲸选 B站"]
    )
    for account in own:
        history = list(FollowerCount.objects.filter(account=account).order_by("day"))
        assert len(history) == 8 and history[-1].day == SUNDAY
        assert (history[-1].day - history[0].day).days == 49
        counts = [h.followers for h in history]
        assert counts == sorted(counts) and counts[0] < counts[-1] == account.followers
    rules = UtmValue.objects.filter(workspace=demo.workspace)
    assert set(rules.filter(field="utm_medium").values_list("value", flat=True)) >= {
        "cpc", "social", "kol", "push", "sms",
    }  # fmt: skip
    assert set(rules.filter(field="utm_campaign").values_list("value", flat=True)) >= {
        "double11_presale", "always_on",
    }  # fmt: skip
    note = Link.objects.get(workspace=demo.workspace, name="双11 主会场 · 小红书达人笔记")
    assert (note.project.key, note.utm_source, note.utm_medium, note.utm_campaign) == (
        "D11", "xiaohongshu", "kol", "double11_presale",
    )  # fmt: skip
    assert Link.objects.filter(project__key="D11", utm_source="douyin").count() == 2


def test_demo_has_the_four_project_templates(demo):
    from opsloop.blueprints.models import ProjectTemplate

    names = set(
        ProjectTemplate.objects.filter(workspace=demo.workspace).values_list("name", flat=True)
    )
    assert names == {"双十一大促", "618", "新品上市", "月度内容计划"}
