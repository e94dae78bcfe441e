"""Follower counts from a file: matched to accounts by name or ID, all or nothing, the
same file twice writing the same counts (opsloop/channels/importers.py)."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from opsloop.channels import actions
from opsloop.channels.models import Channel, FollowerCount
from opsloop.channels.schemas import ChannelAccountIn
from opsloop.core.errors import Forbidden, NotFound
from opsloop.core.tables import RowsInvalid, run_import

KIND = "channels.followers"


@pytest.fixture
def accounts(member_ms):
    actions.ensure_channels(member_ms.workspace)
    channels = {c.name: c for c in Channel.objects.filter(workspace=member_ms.workspace)}

    def make(name, channel, handle=""):
        return actions.do_create_account(
            actor=member_ms,
            data=ChannelAccountIn(channel_id=channels[channel].pk, name=name, handle=handle),
        )

    return {
        "oa": make("Acme 服务号", "微信公众号", handle="gh_acme"),
        "xhs": make("Acme 小红书", "小红书", handle="acme_xhs"),
        "dy": make("Acme", "抖音"),
        "dy2": make("Acme", "快手"),
    }


def csv_bytes(text: str, encoding: str = "utf-8-sig") -> bytes:
    return text.encode(encoding)


def history(account) -> list[tuple[str, int, str]]:
    return [
        (c.day.isoformat(), c.followers, c.source)
        for c in FollowerCount.objects.filter(account=account).order_by("day")
    ]


def test_a_fan_report_matches_accounts_by_name_or_id(member_ms, accounts):
    report = "日期,账号,粉丝数\n2026/3/1,Acme 服务号,\"12,000\"\n2026年3月2日,gh_acme,1.21万\n" \
             "2026-03-02,ACME 小红书,800\n"  # fmt: skip
    result = run_import(member_ms, KIND, "", "粉丝.csv", csv_bytes(report, "gb18030"))
    assert (result.written, result.mapping) == (3, {"account": "账号", "day": "日期",
                                                   "followers": "粉丝数"})  # fmt: skip
    assert history(accounts["oa"]) == [
        ("2026-03-01", 12000, "import"),
        ("2026-03-02", 12100, "import"),
    ]
    accounts["oa"].refresh_from_db()
    assert (accounts["oa"].followers, str(accounts["oa"].followers_on)) == (12100, "2026-03-02")
    # The same file again: the same counts, none doubled.
    run_import(member_ms, KIND, "", "粉丝.csv", csv_bytes(report, "gb18030"))
    assert FollowerCount.objects.count() == 3


def test_bad_rows_are_named_and_nothing_is_written(member_ms, accounts):
    report = ("账号,日期,粉丝数\nAcme 服务号,2026-03-01,100\n没有这个号,2026-03-01,5\n"
              "Acme,2026-03-01,7\n,2026-03-01,9\nAcme 小红书,2999-01-01,1\nAcme 小红书,昨天,1\n")  # fmt: skip
    with pytest.raises(RowsInvalid) as refused:
        run_import(member_ms, KIND, "", "r.csv", csv_bytes(report))
    errors = {(e.line, e.field) for e in refused.value.errors}
    assert errors == {(7, "day")}  # cells that do not parse are refused before the write
    preview = run_import(member_ms, KIND, "", "r.csv", csv_bytes(report), commit=False)
    assert [(e.line, e.field) for e in preview.errors] == [
        (3, "account"), (4, "account"), (5, "account"), (6, "day"), (7, "day"),
    ]  # fmt: skip
    assert "2 accounts are named Acme" in preview.errors[1].message
    fixed = report.replace("昨天", "2026-03-01")
    with pytest.raises(RowsInvalid) as still:
        run_import(member_ms, KIND, "", "r.csv", csv_bytes(fixed))
    assert [e.line for e in still.value.errors] == [3, 4, 5, 6]
    assert FollowerCount.objects.count() == 0


def test_from_an_accounts_page_every_row_is_that_accounts(member_ms, accounts):
    book = Workbook()
    sheet = book.active
    sheet.append(["date", "followers"])
    sheet.append(["2026-03-01", 1000])
    sheet.append(["2026-03-04", 1100])
    out = io.BytesIO()
    book.save(out)
    target = str(accounts["dy"].pk)
    result = run_import(member_ms, KIND, target, "fans.xlsx", out.getvalue())
    assert result.written == 2 and history(accounts["dy"])[-1] == ("2026-03-04", 1100, "import")
    other = "账号,日期,粉丝\nAcme 小红书,2026-03-05,1\n"
    with pytest.raises(RowsInvalid) as refused:
        run_import(member_ms, KIND, target, "x.csv", csv_bytes(other))
    assert refused.value.errors[0].field == "account"


def test_guests_and_unknown_accounts_are_refused(member_ms, guest_ms, accounts):
    report = csv_bytes("账号,日期,粉丝数\nAcme 服务号,2026-03-01,100\n")
    with pytest.raises(Forbidden):
        run_import(guest_ms, KIND, "", "r.csv", report)
    with pytest.raises(NotFound):
        run_import(member_ms, KIND, "999999", "r.csv", report)


def test_the_import_page_takes_a_fan_report_from_an_accounts_page(member, guest, accounts):
    from tests.channels.conftest import client_of

    account = accounts["xhs"]
    page = f"/w/acme/channels/accounts/{account.pk}/"
    body = client_of(member).get(page).content.decode()
    link = f"/w/acme/import/channels.followers/?target={account.pk}&amp;next="
    assert link in body
    assert client_of(member).get(f"/w/acme/import/{KIND}/?target={account.pk}").status_code == 200
    assert client_of(guest).get(f"/w/acme/import/{KIND}/?target={account.pk}").status_code == 403
    assert 'data-testid="import-followers"' not in client_of(guest).get(page).content.decode()
