"""Alert rules on KPIs: checked as values arrive, the owner told in the inbox (and by
email), once a day per rule, and a work item made with the chart attached when asked."""

from __future__ import annotations

import datetime as dt
import struct
import zlib

import pytest

from opsloop.files.models import File
from opsloop.goals import actions
from opsloop.goals.chart import LAST, line_png
from opsloop.goals.models import AlertFiring
from opsloop.goals.schemas import AlertIn, KpiIn
from opsloop.inbox.models import Notification
from opsloop.insights.queries import local_today
from opsloop.work.models import Priority

API = "/api/v1/workspaces/acme/kpis"


@pytest.fixture
def fans(owner_ms, workspace):
    kpi = actions.do_create_kpi(
        actor=owner_ms, data=KpiIn(name="公众号粉丝", source="manual", unit="人")
    )
    today = local_today(workspace)
    actions.do_record_kpi_values(
        actor=owner_ms, kpi=kpi, values=[(today - dt.timedelta(days=2), 1200.0)]
    )
    return kpi


def record(owner_ms, kpi, value: float, days_ago: int = 0) -> None:
    day = local_today(kpi.workspace) - dt.timedelta(days=days_ago)
    actions.do_record_kpi_values(actor=owner_ms, kpi=kpi, values=[(day, value)])


def test_a_value_below_the_threshold_tells_the_owner_once_a_day(owner, owner_ms, fans):
    actions.do_create_alert_rule(
        actor=owner_ms, kpi=fans, data=AlertIn(kind="below", threshold=1000)
    )
    record(owner_ms, fans, 1100, days_ago=1)
    assert not AlertFiring.objects.exists()
    record(owner_ms, fans, 950)
    firing = AlertFiring.objects.get()
    assert (firing.value, firing.numbers) == (950, {"threshold": 1000})
    note = Notification.objects.get(recipient=owner, kind="kpi_alert")
    assert "公众号粉丝" in note.title and "950" in note.title and "1000" in note.title
    assert note.url.endswith(f"#kpi-{fans.pk}") and note.email_due
    record(owner_ms, fans, 900)  # the same day again: told once
    assert AlertFiring.objects.count() == 1
    assert Notification.objects.filter(kind="kpi_alert").count() == 1


def test_a_rule_can_make_a_work_item_with_the_chart_attached(owner, owner_ms, fans, project):
    actions.do_create_alert_rule(
        actor=owner_ms,
        kpi=fans,
        data=AlertIn(kind="change", percent=20, create_item=True, project_id=project.pk),
    )
    record(owner_ms, fans, 1000, days_ago=1)
    record(owner_ms, fans, 700)  # -30%
    firing = AlertFiring.objects.get()
    item = firing.item
    assert item.project == project and "公众号粉丝" in item.title and item.priority == Priority.HIGH
    assert list(item.assignees.all()) == [owner]
    assert "-30" in item.description
    attached = File.objects.get(item=item)
    assert attached.name.endswith(".png")
    assert attached.current_version.content_type == "image/png"


def test_bad_rules_get_a_clear_400(api, owner_ms, fans):
    for body, field in [
        ({"kind": "vibes"}, "kind"),
        ({"kind": "below"}, "threshold"),
        ({"kind": "change", "percent": -5}, "percent"),
        ({"kind": "weekday", "weeks": 2}, "weeks"),
        ({"kind": "forecast", "create_item": True}, "project_id"),
    ]:
        answer = api.post(f"{API}/{fans.pk}/alerts", body)
        assert answer.status_code == 400, (body, answer.content)
        assert answer.json()["field"] == field, (body, answer.json())
    made = api.post(f"{API}/{fans.pk}/alerts", {"kind": "below", "threshold": 1300})
    assert made.status_code == 201 and made.json()["recent"] == []
    record(owner_ms, fans, 1250)
    listed = api.get(f"{API}/{fans.pk}/alerts").json()
    assert [(f["value"], f["numbers"]) for f in listed[0]["recent"]] == [
        (1250, {"threshold": 1300})
    ]
    assert api.delete(f"{API}/{fans.pk}/alerts/{made.json()['id']}").status_code == 204


def test_the_chart_is_a_png_with_the_last_value_marked():
    png = line_png([10, 12, 11, 15], target=14, width=80, height=40)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (80, 40)
    start = png.index(b"IDAT") + 4
    length = struct.unpack(">I", png[start - 8 : start - 4])[0]
    raw = zlib.decompress(png[start : start + length])
    rows = [raw[r * (1 + 3 * width) + 1 : (r + 1) * (1 + 3 * width)] for r in range(height)]
    # The last value is the highest: top right, inside the margin, in red.
    x, y = 80 - 12, 12
    assert rows[y][3 * x : 3 * x + 3] == bytes(LAST)
