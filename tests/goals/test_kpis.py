"""KPIs: values from a saved insight, from the work, and by hand (JSON, CSV, Excel);
definition changes recorded with the values' versions; a failing KPI marked stale
without stopping the others."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from opsloop.goals import actions
from opsloop.goals.models import KpiChange, KpiValue
from opsloop.goals.schemas import KpiIn, KpiPatch
from opsloop.insights import actions as insight_actions
from opsloop.insights.queries import local_today
from opsloop.work import actions as work_actions
from opsloop.work.models import State
from opsloop.work.schemas import ItemIn, ItemPatch
from tests.events.test_actions import make_person
from tests.insights.test_api import send, today_at

API = "/api/v1/workspaces/acme/kpis"


def dau_insight(owner_ms, **query):
    return insight_actions.do_save_insight(
        actor=owner_ms,
        name="日活",
        query={
            "kind": "trends",
            "series": [{"event": "open", "math": "dau"}],
            "date_range": {"preset": "last_7_days"},
            **query,
        },
    )


def values_of(kpi) -> dict[dt.date, float]:
    return dict(KpiValue.objects.filter(kpi=kpi).values_list("day", "value"))


def test_a_kpi_from_a_trend_starts_with_the_trends_days(owner_ms, workspace):
    a, b = make_person(workspace, "a"), make_person(workspace, "b")
    send(workspace, a, "open", today_at(workspace, 9, days=2))
    send(workspace, b, "open", today_at(workspace, 10, days=2))
    send(workspace, a, "open", today_at(workspace, 11, days=2))  # same person, same day
    send(workspace, a, "open", today_at(workspace, 9, days=1))
    insight = dau_insight(owner_ms)
    kpi = actions.do_create_kpi(
        actor=owner_ms,
        data=KpiIn(
            name="日活跃用户",
            source="insight",
            insight_id=insight.pk,
            definition={"series": 0},
            unit="人",
        ),
    )
    today = local_today(workspace)
    got = values_of(kpi)
    assert got[today - dt.timedelta(days=2)] == 2
    assert got[today - dt.timedelta(days=1)] == 1
    # Today is not over: the insight's last 7 days but today.
    assert today not in got and len(got) == 6
    assert not kpi.stale and kpi.computed_at is not None


def test_a_funnels_conversion_is_kept_as_a_percentage_of_today(owner_ms, workspace):
    a, b = make_person(workspace, "a"), make_person(workspace, "b")
    send(workspace, a, "open", today_at(workspace, 9, days=1))
    send(workspace, a, "signup", today_at(workspace, 9, 5, days=1))
    send(workspace, b, "open", today_at(workspace, 10, days=1))
    insight = insight_actions.do_save_insight(
        actor=owner_ms,
        name="注册转化",
        query={
            "kind": "funnel",
            "steps": [{"event": "open"}, {"event": "signup"}],
            "date_range": {"preset": "last_7_days"},
        },
    )
    kpi = actions.do_create_kpi(
        actor=owner_ms,
        data=KpiIn(
            name="注册转化率",
            source="insight",
            insight_id=insight.pk,
            definition={"measure": "conversion"},
            unit="%",
        ),
    )
    assert values_of(kpi) == {local_today(workspace): 50.0}


def test_a_change_of_definition_is_recorded_and_old_values_keep_their_version(owner_ms, workspace):
    a = make_person(workspace, "a")
    send(workspace, a, "open", today_at(workspace, 9, days=2))
    send(workspace, a, "signup", today_at(workspace, 9, 5, days=2))
    insight = dau_insight(owner_ms)
    kpi = actions.do_create_kpi(
        actor=owner_ms,
        data=KpiIn(
            name="日活跃用户", source="insight", insight_id=insight.pk, definition={"series": 0}
        ),
    )
    before = local_today(workspace) - dt.timedelta(days=2)
    yesterday = local_today(workspace) - dt.timedelta(days=1)
    other = insight_actions.do_save_insight(
        actor=owner_ms,
        name="注册",
        query={
            "kind": "trends",
            "series": [{"event": "signup", "math": "total"}, {"event": "open", "math": "total"}],
            "date_range": {"preset": "last_7_days"},
        },
    )
    actions.do_update_kpi(
        actor=owner_ms, kpi=kpi, data=KpiPatch(insight_id=other.pk, definition={"series": 0})
    )
    kpi.refresh_from_db()
    assert kpi.version == 2
    change = KpiChange.objects.get(kpi=kpi)
    assert change.before["insight_id"] == insight.pk and change.after["insight_id"] == other.pk
    kept = KpiValue.objects.get(kpi=kpi, day=before)
    assert (kept.value, kept.version) == (1, 1)  # history keeps what it was made under
    # Yesterday may have been recorded before it was over: it is taken again.
    assert KpiValue.objects.get(kpi=kpi, day=yesterday).version == 2
    # Renaming is no change of definition.
    actions.do_update_kpi(actor=owner_ms, kpi=kpi, data=KpiPatch(name="注册数"))
    assert KpiChange.objects.filter(kpi=kpi).count() == 1


def test_a_failing_kpi_is_stale_with_its_error_and_the_others_go_on(owner_ms, workspace):
    insight = dau_insight(owner_ms)
    kept = actions.do_create_kpi(
        actor=owner_ms,
        data=KpiIn(name="日活", source="insight", insight_id=insight.pk, definition={}),
    )
    gone = dau_insight(owner_ms)
    broken = actions.do_create_kpi(
        actor=owner_ms,
        data=KpiIn(name="要删的", source="insight", insight_id=gone.pk, definition={}),
    )
    insight_actions.do_delete_insight(actor=owner_ms, insight=gone)
    assert actions.do_compute_workspace_kpis(workspace_id=workspace.pk) == (1, 1)
    broken.refresh_from_db()
    kept.refresh_from_db()
    assert broken.stale and "deleted" in broken.error
    assert not kept.stale
    with pytest.raises(Exception, match="1 KPIs failed"):
        call_command("goals", "compute", "--workspace", workspace.slug)


def test_a_kpi_of_the_work_counts_items_done_by_the_day_they_were_done(
    owner_ms, workspace, project
):
    done = State.objects.get(project=project, group="done")
    items = [
        work_actions.do_create_item(actor=owner_ms, project=project, data=ItemIn(title=f"海报 {n}"))
        for n in range(3)
    ]
    for item in items[:2]:
        work_actions.do_update_item(actor=owner_ms, item=item, data=ItemPatch(state_id=done.pk))
    kpi = actions.do_create_kpi(
        actor=owner_ms,
        data=KpiIn(
            name="完成任务",
            source="work",
            definition={"measure": "items_done", "project_ids": [project.pk]},
        ),
    )
    today = local_today(workspace)
    got = values_of(kpi)
    assert got[today] == 2
    assert got[today - dt.timedelta(days=1)] == 0
    assert len(got) == actions.HISTORY_DAYS


def test_values_by_hand_in_json_csv_and_excel(api, owner_ms):
    kpi = actions.do_create_kpi(
        actor=owner_ms, data=KpiIn(name="公众号粉丝", source="manual", unit="人")
    )
    answer = api.post(
        f"{API}/{kpi.pk}/values",
        {"values": [{"day": "2026-10-01", "value": 1000}, {"day": "2026-10-02", "value": 1100}]},
    )
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"recorded": 2}
    csv_file = '日期,粉丝数\n2026-10-02,1150\n2026-10-03,"1,210"\n'.encode()
    answer = api.client.post(
        f"{API}/{kpi.pk}/values", {"file": _upload("fans.csv", csv_file)}, **api._headers()
    )
    assert answer.status_code == 200, answer.content
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["日期", "粉丝数"])
    book.active.append([dt.date(2026, 10, 4), 1300])
    content = io.BytesIO()
    book.save(content)
    answer = api.client.post(
        f"{API}/{kpi.pk}/values",
        {"file": _upload("fans.xlsx", content.getvalue())},
        **api._headers(),
    )
    assert answer.status_code == 200, answer.content
    listed = api.get(f"{API}/{kpi.pk}/values?since=2026-10-02").json()
    assert [(v["day"], v["value"]) for v in listed] == [
        ("2026-10-02", 1150.0),  # the CSV replaced the JSON's
        ("2026-10-03", 1210.0),
        ("2026-10-04", 1300.0),
    ]


def test_bad_value_files_say_which_row(api, owner_ms):
    kpi = actions.do_create_kpi(actor=owner_ms, data=KpiIn(name="GMV", source="manual"))
    bad = api.client.post(
        f"{API}/{kpi.pk}/values",
        {"file": _upload("gmv.csv", b"day,value\n2026-10-01,12\n2026-10-02,lots\n")},
        **api._headers(),
    )
    assert bad.status_code == 400
    assert "3" in bad.json()["message"] and bad.json()["field"] == "file"
    wrong_kind = api.client.post(
        f"{API}/{kpi.pk}/values", {"file": _upload("gmv.pdf", b"%PDF")}, **api._headers()
    )
    assert wrong_kind.status_code == 400
    assert KpiValue.objects.filter(kpi=kpi).count() == 0  # nothing half-written
    computed = api.post(
        API, {"name": "完成数", "source": "work", "definition": {"measure": "items_done"}}
    ).json()
    refused = api.post(
        f"{API}/{computed['id']}/values", {"values": [{"day": "2026-10-01", "value": 1}]}
    )
    assert refused.status_code == 400


def test_bad_kpi_definitions_get_a_clear_400(api, owner_ms):
    insight = dau_insight(owner_ms)
    cases = [
        ({"name": "x", "source": "telepathy"}, "source"),
        ({"name": "x", "source": "insight"}, "insight_id"),
        (
            {
                "name": "x",
                "source": "insight",
                "insight_id": insight.pk,
                "definition": {"series": 3},
            },
            "pick.series",
        ),
        ({"name": "x", "source": "work", "definition": {"measure": "vibes"}}, "definition.measure"),
        (
            {
                "name": "x",
                "source": "work",
                "definition": {"measure": "items_done", "project_ids": [999999]},
            },
            "definition.project_ids",
        ),
    ]
    for body, field in cases:
        answer = api.post(API, body)
        assert answer.status_code == 400, (body, answer.content)
        assert answer.json()["field"] == field, (body, answer.json())
    api.post(API, {"name": "粉丝", "source": "manual"})
    assert api.post(API, {"name": "粉丝", "source": "manual"}).status_code == 409


def _upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_the_schedule_queues_a_task_per_workspace_with_computed_kpis(owner_ms, workspace, project):
    from django_tasks_db.models import DBTaskResult

    from opsloop.goals.tasks import compute_workspace_kpis

    actions.do_create_kpi(actor=owner_ms, data=KpiIn(name="手填", source="manual"))
    assert actions.do_schedule_kpis() == 0  # nothing to compute
    kpi = actions.do_create_kpi(
        actor=owner_ms,
        data=KpiIn(
            name="完成任务",
            source="work",
            definition={"measure": "items_done", "project_ids": [project.pk]},
        ),
    )
    KpiValue.objects.filter(kpi=kpi).delete()
    assert actions.do_schedule_kpis() == 1
    queued = DBTaskResult.objects.get(task_path=compute_workspace_kpis.module_path)
    assert queued.args_kwargs["args"] == [workspace.pk]
    assert compute_workspace_kpis.call(workspace.pk) == [1, 0]
    assert KpiValue.objects.filter(kpi=kpi, day=local_today(workspace)).exists()


def test_a_value_file_over_the_import_limit_is_413_and_nothing_is_read(api, owner_ms, monkeypatch):
    kpi = actions.do_create_kpi(actor=owner_ms, data=KpiIn(name="GMV", source="manual"))
    monkeypatch.setattr(actions, "MAX_IMPORT_BYTES", 16)
    too_large = api.client.post(
        f"{API}/{kpi.pk}/values",
        {"file": _upload("gmv.csv", b"day,value\n2026-10-01,12\n")},
        **api._headers(),
    )
    assert too_large.status_code == 413, too_large.content
    assert too_large.json()["field"] == "file" and "16" in too_large.json()["message"]
    missing = api.client.post(f"{API}/{kpi.pk}/values", {"other": "x"}, **api._headers())
    assert missing.status_code == 400
    assert missing.json()["message"] == "Send the file in the form field named file."
    assert KpiValue.objects.filter(kpi=kpi).count() == 0
