"""Importing a table, for every kind of import (opsloop/core/tables.py): the cells as the
platforms' exports write them, CSV in UTF-8 or GB18030 and Excel files, headers mapped by
their aliases, every bad row named and nothing written, the page's steps and the API."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook
from pydantic import BaseModel

from opsloop.core.errors import Invalid, NotFound
from opsloop.core.models import Role
from opsloop.core.tables import (
    Count,
    Day,
    Money,
    Percent,
    RowsInvalid,
    guess_mapping,
    read_sheet,
    run_import,
)
from opsloop.files.models import PendingImport
from opsloop.goals import actions as goal_actions
from opsloop.goals.models import KpiValue
from opsloop.goals.schemas import KpiIn
from tests.conftest import ApiClient, add_member, membership_of
from tests.files.importer import IMPORTER, KIND


class Cells(BaseModel):
    money: Money | None = None
    count: Count | None = None
    day: Day | None = None
    percent: Percent | None = None


@pytest.mark.parametrize(
    ("field", "raw", "value"),
    [
        ("money", "¥1,234.50", Decimal("1234.50")),
        ("money", "1234.567", Decimal("1234.57")),
        ("money", "(12)", Decimal("-12.00")),
        ("money", 88.5, Decimal("88.50")),
        ("count", "12,345", 12345),
        ("count", "1.2万", 12000),
        ("count", "3亿", 300_000_000),
        ("day", "2026-11-01", dt.date(2026, 11, 1)),
        ("day", "2026/11/1", dt.date(2026, 11, 1)),
        ("day", "2026年11月1日", dt.date(2026, 11, 1)),
        ("day", "2026-11-01 00:00:00", dt.date(2026, 11, 1)),
        ("day", "20261101", dt.date(2026, 11, 1)),
        ("day", 46327, dt.date(2026, 11, 1)),
        ("percent", "1.25%", Decimal("1.25")),
        ("percent", "12", Decimal("12")),
    ],
)
def test_cells_are_read_as_the_exports_write_them(field, raw, value):
    assert getattr(Cells.model_validate({field: raw}), field) == value


@pytest.mark.parametrize(
    ("field", "raw"),
    [("money", "一千"), ("count", "1.5"), ("count", "-3"), ("day", "11/01"), ("percent", "x%")],
)
def test_cells_that_are_not_what_they_say_are_refused(field, raw):
    with pytest.raises(ValueError):
        Cells.model_validate({field: raw})


def _csv(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def _xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_files_in_every_encoding_and_excel_read_the_same():
    text = "日期,粉丝数,备注\n2026-11-01,100,首日\n\n2026-11-02,120,\n"
    for content in (_csv(text), _csv(text, "utf-8-sig"), _csv(text, "gb18030")):
        sheet = read_sheet("fans.csv", content)
        assert sheet.headers == ["日期", "粉丝数", "备注"]
        assert sheet.rows == [["2026-11-01", "100", "首日"], ["2026-11-02", "120", ""]]
    book = read_sheet("fans.xlsx", _xlsx([["日期", "粉丝数"], [dt.date(2026, 11, 1), 100]]))
    assert book.headers == ["日期", "粉丝数"] and book.rows[0][1] == 100
    tabs = read_sheet("fans.tsv", _csv("日期\t粉丝数\n2026-11-01\t1,000\n"))
    assert tabs.rows == [["2026-11-01", "1,000"]]
    for name, content, words in (
        ("fans.pdf", b"%PDF", ".csv"),
        ("fans.csv", b"\n\n", "no rows"),
        ("fans.xlsx", b"not a zip", "Excel"),
        ("fans.csv", b"\xff\xfe\x00\xd8" * 4, "UTF-8"),
    ):
        with pytest.raises(Invalid, match=words):
            read_sheet(name, content)


def test_headers_are_mapped_by_their_aliases():
    assert guess_mapping(IMPORTER, ["时间 ", "粉丝数", "其他"]) == {
        "day": "时间 ",
        "value": "粉丝数",
    }
    assert guess_mapping(IMPORTER, ["Date", "VALUE", "note"]) == {
        "day": "Date",
        "value": "VALUE",
        "note": "note",
    }


@pytest.fixture
def kpi(owner, workspace):
    return goal_actions.do_create_kpi(
        actor=membership_of(owner, workspace),
        data=KpiIn(name="公众号粉丝", source="manual", unit="人"),
    )


def test_a_table_is_imported_and_again_without_doubling(owner, workspace, kpi):
    actor = membership_of(owner, workspace)
    content = _csv('日期,粉丝数,备注\n2026-11-01,1000,\n2026-11-02,"1,050",\n')
    preview = run_import(actor, KIND, str(kpi.pk), "fans.csv", content, commit=False)
    assert (preview.total, preview.valid, preview.errors, preview.written) == (2, 2, [], 0)
    assert preview.sample[1] == {"line": 3, "day": "2026-11-02", "value": 1050, "note": ""}
    assert not KpiValue.objects.filter(kpi=kpi).exists()  # a preview writes nothing
    for _twice in range(2):
        result = run_import(actor, KIND, str(kpi.pk), "fans.csv", content)
        assert result.committed and result.written == 2
    assert sorted(KpiValue.objects.filter(kpi=kpi).values_list("day", "value")) == [
        (dt.date(2026, 11, 1), 1000.0),
        (dt.date(2026, 11, 2), 1050.0),
    ]


def test_three_bad_rows_write_nothing_and_are_named(owner, workspace, kpi):
    actor = membership_of(owner, workspace)
    content = _csv(
        "日期,粉丝数\n2026-11-01,1000\n11月2日,1010\n2026-11-03,很多\n2026-11-04,1030\n,1040\n"
    )
    with pytest.raises(RowsInvalid) as refused:
        run_import(actor, KIND, str(kpi.pk), "fans.csv", content)
    assert [(e.line, e.field) for e in refused.value.errors] == [
        (3, "day"),
        (4, "value"),
        (6, "day"),
    ]
    assert "3, 4, 6" in refused.value.message
    assert refused.value.data["error_count"] == 3
    assert not KpiValue.objects.filter(kpi=kpi).exists()


def test_rows_the_write_refuses_are_named_in_the_preview_and_nothing_is_written(
    owner, workspace, kpi
):
    actor = membership_of(owner, workspace)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    content = _csv(f"日期,粉丝数\n2026-11-01,1000\n{tomorrow.isoformat()},1010\n")
    preview = run_import(actor, KIND, str(kpi.pk), "fans.csv", content, commit=False)
    assert [(e.line, e.message) for e in preview.errors] == [(3, "in the future")]
    with pytest.raises(RowsInvalid):
        run_import(actor, KIND, str(kpi.pk), "fans.csv", content)
    assert not KpiValue.objects.filter(kpi=kpi).exists()


def test_a_mapping_must_name_the_required_columns_and_real_headers(owner, workspace, kpi):
    actor = membership_of(owner, workspace)
    content = _csv("Day,Fans\n2026-11-01,1000\n")
    with pytest.raises(Invalid) as unsaid:
        run_import(actor, KIND, str(kpi.pk), "fans.csv", content)
    assert unsaid.value.field == "mapping.value"
    result = run_import(
        actor, KIND, str(kpi.pk), "fans.csv", content, mapping={"day": "Day", "value": "Fans"}
    )
    assert result.written == 1
    for mapping in ({"day": "Day", "value": "Nope"}, {"day": "Day", "value": "Day"}):
        with pytest.raises(Invalid):
            run_import(actor, KIND, str(kpi.pk), "fans.csv", content, mapping=mapping)
    with pytest.raises(NotFound):
        run_import(actor, "no.such", "", "fans.csv", content)


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_the_page_uploads_maps_previews_and_imports(owner, workspace, kpi):
    client = _client(owner)
    url = f"/w/acme/import/{KIND}/?target={kpi.pk}&next=/w/acme/goals/"
    assert "粉丝数" in client.get(url).content.decode()  # the columns and their aliases
    upload = SimpleUploadedFile("fans.csv", _csv("Day,Fans\n2026-11-01,1000\n2026-11-02,x\n"))
    sent = client.post(url, {"op": "upload", "file": upload, "target": kpi.pk,
                             "next": "/w/acme/goals/"})  # fmt: skip
    assert sent.status_code == 302
    pending = PendingImport.objects.get()
    page = client.get(sent["Location"])
    # "Fans" is no alias: the value column is unsaid until mapped.
    assert page.status_code == 400 and 'data-testid="import-mapping"' in page.content.decode()
    form = {"pending": pending.pk, "target": kpi.pk, "next": "/w/acme/goals/",
            "map_day": "Day", "map_value": "Fans"}  # fmt: skip
    mapped = client.post(url, {**form, "op": "map"}).content.decode()
    assert "Line 3" in mapped and 'data-testid="import-button" disabled' in mapped
    refused = client.post(url, {**form, "op": "import"})
    assert refused.status_code == 400 and "Line 3" in refused.content.decode()
    assert not KpiValue.objects.filter(kpi=kpi).exists()

    upload = SimpleUploadedFile("fans.csv", _csv("Day,Fans\n2026-11-01,1000\n"))
    client.post(url, {"op": "upload", "file": upload, "target": kpi.pk})
    pending = PendingImport.objects.latest("pk")
    done = client.post(url, {**form, "pending": pending.pk, "op": "import"})
    assert done.status_code == 302 and done["Location"] == "/w/acme/goals/"
    assert KpiValue.objects.filter(kpi=kpi).count() == 1
    assert not PendingImport.objects.filter(pk=pending.pk).exists()
    # Another's upload, or an outside "next", gets nobody anywhere.
    other = add_member(workspace, "other", Role.MEMBER)
    upload = SimpleUploadedFile("fans.csv", _csv("Day,Fans\n2026-11-01,1000\n"))
    client.post(url, {"op": "upload", "file": upload, "target": kpi.pk})
    mine = PendingImport.objects.latest("pk")
    stolen = _client(other).post(url, {**form, "pending": mine.pk, "op": "import"})
    assert stolen.status_code == 404
    outside = client.post(
        f"/w/acme/import/{KIND}/?target={kpi.pk}",
        {**form, "pending": mine.pk, "op": "import", "next": "https://evil.example/"},
    )
    assert outside.status_code == 302 and "evil" not in outside["Location"]


def test_guests_cannot_import(owner, workspace, kpi):
    guest = add_member(workspace, "guest", Role.GUEST)
    assert _client(guest).get(f"/w/acme/import/{KIND}/?target={kpi.pk}").status_code == 403


def test_the_api_previews_and_imports_multipart_or_json(owner, workspace, kpi):
    api = ApiClient(owner)
    base = f"/api/v1/workspaces/acme/imports/{KIND}"
    content = _csv("日期,粉丝数\n2026-11-01,1000\n2026-11-02,x\n2026-11-03,y\n")
    headers = api._headers()
    preview = api.client.post(
        base + "/preview",
        {"file": SimpleUploadedFile("fans.csv", content), "target": str(kpi.pk)},
        **headers,
    )
    assert preview.status_code == 200
    assert [e["line"] for e in preview.json()["errors"]] == [3, 4]
    refused = api.client.post(
        base, {"file": SimpleUploadedFile("fans.csv", content), "target": str(kpi.pk)}, **headers
    )
    body = refused.json()
    assert refused.status_code == 400 and body["code"] == "invalid"
    assert [(e["line"], e["field"]) for e in body["errors"]] == [(3, "value"), (4, "value")]
    assert not KpiValue.objects.filter(kpi=kpi).exists()
    good = base64.b64encode(_csv("Day,Fans\n2026-11-01,1000\n")).decode()
    made = api.post(
        base,
        {"name": "fans.csv", "content_base64": good, "target": str(kpi.pk),
         "mapping": {"day": "Day", "value": "Fans"}},
    )  # fmt: skip
    assert made.status_code == 201 and made.json()["written"] == 1
    bad_mapping = api.client.post(
        base,
        {"file": SimpleUploadedFile("fans.csv", content), "target": str(kpi.pk),
         "mapping": json.dumps(["day"])},
        **headers,
    )  # fmt: skip
    assert bad_mapping.status_code == 400 and bad_mapping.json()["field"] == "mapping"
