"""The pages and the short address: what each shows, what its forms do, and how the
redirect behaves for a visitor."""

from __future__ import annotations

from django.test import Client

from opsloop.channels import actions, views
from opsloop.channels.models import Account, Channel, FollowerCount, Link, UtmValue
from opsloop.channels.schemas import ChannelAccountIn
from opsloop.events import inbox
from tests.channels.conftest import client_of, flush, make_link


def waiting_rows() -> list[dict]:
    rows = []
    for segment in inbox.segments():
        rows += [r for _s, _e, batch in inbox.read_batches(segment.path, 0) for r in batch]
    return rows


# --- the short address


def test_the_redirect_sets_a_first_party_visitor_id_and_sends_nothing_of_it_on(owner_ms):
    link = make_link(owner_ms)
    client = Client()
    answer = client.get(f"/l/{link.code}")
    assert answer.status_code == 302
    assert answer["Location"] == (
        "https://shop.example.com/d11?from=app&utm_source=xiaohongshu&utm_medium=social"
        "&utm_campaign=d11"
    )
    assert answer["Cache-Control"] == "no-store"
    cookie = answer.cookies["opsloop_visitor"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/l/"
    assert int(cookie["max-age"]) >= 365 * 24 * 3600
    assert cookie.value not in answer["Location"]
    # The same browser again: the same id, not a new one.
    again = client.get(f"/l/{link.code}")
    assert again.cookies["opsloop_visitor"].value == cookie.value
    assert [r["distinct_id"] for r in waiting_rows()] == [cookie.value, cookie.value]


def test_a_forged_visitor_cookie_is_replaced(owner_ms):
    link = make_link(owner_ms)
    client = Client()
    client.cookies["opsloop_visitor"] = "admin' OR 1=1"
    answer = client.get(f"/l/{link.code}")
    assert len(answer.cookies["opsloop_visitor"].value) == 32
    assert waiting_rows()[0]["distinct_id"] == answer.cookies["opsloop_visitor"].value


def test_unknown_and_archived_codes_are_not_found(owner_ms):
    link = make_link(owner_ms)
    Link.objects.filter(pk=link.pk).update(archived=True)
    assert Client().get(f"/l/{link.code}").status_code == 404
    assert Client().get("/l/nosuchcode").status_code == 404
    assert Client().get("/l/" + "x" * 40).status_code == 404
    assert waiting_rows() == []


def test_a_head_request_redirects_without_counting(owner_ms):
    link = make_link(owner_ms)
    assert Client().head(f"/l/{link.code}").status_code == 302
    assert Client().post(f"/l/{link.code}").status_code == 405
    assert waiting_rows() == []


def test_past_the_rate_a_visitor_still_goes_on_uncounted(owner_ms, monkeypatch):
    monkeypatch.setattr(views, "CLICK_RATE", "2/m")
    link = make_link(owner_ms)
    client = Client()
    answers = [client.get(f"/l/{link.code}") for _ in range(4)]
    assert [a.status_code for a in answers] == [302] * 4
    assert len(waiting_rows()) == 2


def test_a_full_disk_loses_the_click_not_the_visitor(owner_ms, monkeypatch):
    link = make_link(owner_ms)

    def refuse(rows):
        raise OSError("disk full")

    monkeypatch.setattr(inbox, "append", refuse)
    assert Client().get(f"/l/{link.code}").status_code == 302


# --- channels and accounts


def test_the_channels_page_lists_channels_and_accounts_in_few_queries(
    owner, owner_ms, django_assert_max_num_queries
):
    client = client_of(owner)
    client.get("/w/acme/channels/")  # seeds the channels
    xhs = Channel.objects.get(workspace=owner_ms.workspace, name="小红书")
    for n in range(6):
        made = actions.do_create_account(
            actor=owner_ms,
            data=ChannelAccountIn(channel_id=xhs.pk, name=f"账号{n}", owner_id=owner.pk),
        )
        actions.do_record_followers(
            actor=owner_ms, account=made, counts=[(made.created_at.date(), 100 + n)]
        )
    with django_assert_max_num_queries(12):
        page = client.get("/w/acme/channels/")
    body = page.content.decode()
    assert page.status_code == 200 and body.count('data-testid="account-row"') == 6
    assert "微信公众号" in body and "105" in body


def test_members_add_accounts_from_the_channels_page(owner, member, workspace):
    client = client_of(member)
    client.get("/w/acme/channels/")
    douyin = Channel.objects.get(workspace=workspace, name="抖音")
    answer = client.post(
        "/w/acme/channels/",
        {
            "channel_id": douyin.pk,
            "name": "Acme 抖音",
            "handle": "acme666",
            "external": "on",
            "owner_id": owner.pk,
        },  # fmt: skip
    )
    made = Account.objects.get(name="Acme 抖音")
    assert (
        answer.status_code == 302 and answer["Location"] == f"/w/acme/channels/accounts/{made.pk}/"
    )
    assert (made.channel, made.external, made.owner) == (douyin, True, owner)
    bad = client.post("/w/acme/channels/", {"channel_id": douyin.pk, "name": "x", "url": "nope"})
    assert bad.status_code == 400 and 'data-testid="error"' in bad.content.decode()


def test_the_account_page_records_followers_and_draws_their_history(member, workspace, member_ms):
    actions.ensure_channels(workspace)
    xhs = Channel.objects.get(workspace=workspace, name="小红书")
    fans = actions.do_create_account(
        actor=member_ms, data=ChannelAccountIn(channel_id=xhs.pk, name="号")
    )
    client = client_of(member)
    url = f"/w/acme/channels/accounts/{fans.pk}/"
    for day, n in (("2026-03-01", "1000"), ("2026-03-05", "1300"), ("2026-03-03", "1100")):
        assert client.post(url, {"op": "record", "day": day, "followers": n}).status_code == 302
    fans.refresh_from_db()
    assert (fans.followers, str(fans.followers_on)) == (1300, "2026-03-05")
    body = client.get(url).content.decode()
    assert 'data-testid="follower-chart"' in body and "1,300" in body
    assert '"days": ["2026-03-01", "2026-03-03", "2026-03-05"]' in body
    assert '"followers": [1000, 1100, 1300]' in body
    bad = client.post(url, {"op": "record", "day": "2999-01-01", "followers": "5"})
    assert bad.status_code == 400 and "after today" in bad.content.decode()
    assert client.post(url, {"op": "delete_count", "day": "2026-03-05"}).status_code == 302
    fans.refresh_from_db()
    assert fans.followers == 1100 and FollowerCount.objects.filter(account=fans).count() == 2
    assert client.post(url, {"op": "update", "channel_id": xhs.pk, "name": "新名",
                             "archived": "on"}).status_code == 302  # fmt: skip
    fans.refresh_from_db()
    assert (fans.name, fans.archived) == ("新名", True)


def test_admins_manage_the_channels(owner, workspace):
    client = client_of(owner)
    assert client.get("/w/acme/channels/settings/").status_code == 200
    assert client.post("/w/acme/channels/settings/", {"op": "add", "name": "得物",
                       "platform": "other", "utm_source": "dewu"}).status_code == 302  # fmt: skip
    dewu = Channel.objects.get(workspace=workspace, name="得物")
    assert (dewu.utm_source, dewu.position) == ("dewu", 14)
    client.post("/w/acme/channels/settings/", {"op": "up", "channel_id": dewu.pk})
    dewu.refresh_from_db()
    assert dewu.position == 13
    client.post("/w/acme/channels/settings/", {"op": "archive", "channel_id": dewu.pk})
    dewu.refresh_from_db()
    assert dewu.archived
    dup = client.post("/w/acme/channels/settings/", {"op": "add", "name": "抖音"})
    assert dup.status_code == 409


# --- links


def test_the_builder_makes_a_link_and_refuses_one_against_the_rules(owner, owner_ms, project):
    actions.do_add_utm_value(actor=owner_ms, data=_value("utm_campaign", "d11"))
    client = client_of(owner)
    page = client.get("/w/acme/links/").content.decode()
    assert 'data-testid="builder-utm_campaign"' in page and '<option value="d11">' in page
    weibo = Channel.objects.get(workspace=owner_ms.workspace, name="微博")
    made = client.post("/w/acme/links/", {"destination": "https://shop.example.com/d11",
                       "channel_id": weibo.pk, "utm_source": "", "utm_medium": "social",
                       "utm_campaign": "d11", "project_key": "D11", "name": "微博置顶"})  # fmt: skip
    link = Link.objects.get(name="微博置顶")
    assert made.status_code == 302 and made["Location"] == f"/w/acme/links/{link.pk}/"
    assert (link.utm_source, link.project, link.channel) == ("weibo", project, weibo)
    refused = client.post("/w/acme/links/", {"destination": "https://shop.example.com/d11",
                          "utm_source": "Weibo", "utm_medium": "social", "utm_campaign": "d11"})  # fmt: skip
    assert refused.status_code == 400 and "write weibo" in refused.content.decode()
    assert Link.objects.count() == 1


def _value(field, value):
    from opsloop.channels.schemas import UtmValueIn

    return UtmValueIn(field=field, value=value)


def test_the_link_list_in_few_queries(owner, owner_ms, project, django_assert_max_num_queries):
    for n in range(8):
        make_link(owner_ms, name=f"链接{n}", project_key="D11" if n % 2 else None)
    client = client_of(owner)
    client.get("/w/acme/links/")
    with django_assert_max_num_queries(16):
        page = client.get("/w/acme/links/")
    assert page.content.decode().count('data-testid="link-row"') == 8


def test_the_link_page_shows_the_qr_code_and_the_guest_no_clicks(owner, owner_ms, guest, project):
    from opsloop.work import actions as work_actions

    link = make_link(owner_ms, project_key="D11")
    body = client_of(owner).get(f"/w/acme/links/{link.pk}/").content.decode()
    assert f"/w/acme/links/{link.pk}/qr.svg" in body and link.short_url in body
    assert 'data-testid="link-clicks"' in body
    work_actions.do_add_project_member(actor=owner_ms, project=project, user_id=guest.pk)
    as_guest = client_of(guest).get(f"/w/acme/links/{link.pk}/").content.decode()
    assert link.short_url in as_guest and 'data-testid="link-clicks"' not in as_guest
    png = client_of(guest).get(f"/w/acme/links/{link.pk}/qr.png?download=1")
    assert png.content.startswith(b"\x89PNG") and "attachment" in png["Content-Disposition"]
    svg = client_of(owner).get(f"/w/acme/links/{link.pk}/qr.svg")
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    assert client_of(owner).get(f"/w/acme/links/{link.pk}/qr.gif").status_code == 404


def test_archiving_a_link_from_its_page_closes_its_short_address(owner, owner_ms):
    link = make_link(owner_ms)
    client = client_of(owner)
    assert client.post(f"/w/acme/links/{link.pk}/", {"op": "archive"}).status_code == 302
    assert Client().get(f"/l/{link.code}").status_code == 404
    client.post(f"/w/acme/links/{link.pk}/", {"op": "restore"})
    assert Client().get(f"/l/{link.code}").status_code == 302
    flush()


def test_the_rules_page_adds_and_removes_values(owner, member, owner_ms):
    client = client_of(owner)
    assert client.post("/w/acme/links/rules/", {"field": "utm_medium", "value": "kol",
                                                "label": "达人"}).status_code == 302  # fmt: skip
    value = UtmValue.objects.get(field="utm_medium")
    assert "达人" in client_of(member).get("/w/acme/links/rules/").content.decode()
    bad = client.post("/w/acme/links/rules/", {"field": "utm_medium", "value": "K O L"})
    assert bad.status_code == 400
    client.post("/w/acme/links/rules/", {"op": "delete", "utm_value_id": value.pk})
    assert not UtmValue.objects.exists()
