"""Writes of channels, accounts, follower counts, naming rules and links, with their
checks."""

from __future__ import annotations

import datetime as dt

import pytest

from opsloop.channels import actions, queries
from opsloop.channels.models import Account, Channel, FollowerCount, Link
from opsloop.channels.schemas import (
    ChannelAccountIn,
    ChannelAccountPatch,
    ChannelIn,
    ChannelPatch,
    LinkPatch,
    UtmValueIn,
)
from opsloop.core.errors import Conflict, Forbidden, Invalid
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ProjectIn
from tests.channels.conftest import make_link

SEEDED = ["微信公众号", "视频号", "微博", "抖音", "小红书", "B站", "知乎", "快手", "社群/微信群",
          "App 推送", "短信", "邮件", "官网", "线下"]  # fmt: skip


def channel(workspace, name: str) -> Channel:
    actions.ensure_channels(workspace)
    return Channel.objects.get(workspace=workspace, name=name)


def account(actor, name="Acme 官方", channel_name="小红书", **extra) -> Account:
    return actions.do_create_account(
        actor=actor,
        data=ChannelAccountIn(
            channel_id=channel(actor.workspace, channel_name).pk, name=name, **extra
        ),
    )


# --- channels


def test_a_workspace_is_seeded_with_fourteen_channels_once(workspace):
    actions.ensure_channels(workspace)
    seeded = list(queries.list_channels(workspace.pk))
    assert [c.name for c in seeded] == SEEDED
    assert [c.utm_source for c in seeded] == [
        "wechat", "channels", "weibo", "douyin", "xiaohongshu", "bilibili", "zhihu",
        "kuaishou", "community", "app_push", "sms", "email", "website", "offline",
    ]  # fmt: skip
    assert seeded[0].platform == "wechat_oa" and seeded[4].platform == "xiaohongshu"
    Channel.objects.filter(workspace=workspace, name="微博").update(name="新浪微博", archived=True)
    actions.ensure_channels(workspace)
    assert Channel.objects.filter(workspace=workspace).count() == 14
    assert not Channel.objects.filter(workspace=workspace, name="微博").exists()


def test_admins_add_rename_archive_and_reorder_channels(owner_ms, member_ms):
    made = actions.do_create_channel(
        actor=owner_ms, data=ChannelIn(name="得物", platform="other", utm_source="dewu")
    )
    assert (made.position, made.utm_source) == (14, "dewu")
    defaulted = actions.do_create_channel(
        actor=owner_ms, data=ChannelIn(name="抖音企业号", platform="douyin")
    )
    assert defaulted.utm_source == "douyin"
    with pytest.raises(Conflict):
        actions.do_create_channel(actor=owner_ms, data=ChannelIn(name="得物"))
    with pytest.raises(Forbidden):
        actions.do_create_channel(actor=member_ms, data=ChannelIn(name="闲鱼"))
    with pytest.raises(Invalid) as bad:
        actions.do_update_channel(
            actor=owner_ms, channel=made, data=ChannelPatch(utm_source="De Wu")
        )
    assert bad.value.field == "utm_source"
    actions.do_update_channel(
        actor=owner_ms, channel=made, data=ChannelPatch(name="得物 App", archived=True)
    )
    made.refresh_from_db()
    assert (made.name, made.archived) == ("得物 App", True)
    assert made not in queries.list_channels(owner_ms.workspace_id)
    ids = list(Channel.objects.filter(workspace=owner_ms.workspace).values_list("pk", flat=True))
    actions.do_reorder_channels(actor=owner_ms, channel_ids=list(reversed(ids)))
    assert list(
        Channel.objects.filter(workspace=owner_ms.workspace).values_list("pk", flat=True)
    ) == list(reversed(ids))
    with pytest.raises(Invalid):
        actions.do_reorder_channels(actor=owner_ms, channel_ids=ids[:3])
    first = Channel.objects.filter(workspace=owner_ms.workspace).first()
    actions.do_move_channel(actor=owner_ms, channel=first, step=1)
    assert Channel.objects.filter(workspace=owner_ms.workspace)[1].pk == first.pk


# --- accounts and followers


def test_members_add_accounts_guests_do_not(member_ms, guest_ms, owner):
    made = account(member_ms, handle="acme_official", owner_id=owner.pk, url="https://x.example/a")
    assert (made.channel.name, made.owner, made.handle) == ("小红书", owner, "acme_official")
    with pytest.raises(Forbidden):
        account(guest_ms)
    with pytest.raises(Invalid) as bad_url:
        account(member_ms, url="javascript:alert(1)")
    assert bad_url.value.field == "url"
    with pytest.raises(Invalid) as bad_owner:
        account(member_ms, owner_id=guest_ms.user_id)
    assert bad_owner.value.field == "owner_id"
    Channel.objects.filter(workspace=member_ms.workspace, name="快手").update(archived=True)
    with pytest.raises(Invalid) as archived:
        account(member_ms, channel_name="快手")
    assert archived.value.field == "channel_id"
    actions.do_update_account(
        actor=member_ms, account=made, data=ChannelAccountPatch(name="Acme 小红书", owner_id=0)
    )
    made.refresh_from_db()
    assert (made.name, made.owner) == ("Acme 小红书", None)


def test_the_latest_count_is_the_accounts_followers(member_ms, guest_ms):
    fans = account(member_ms)
    day = dt.date(2026, 3, 1)
    record = actions.do_record_followers
    record(actor=member_ms, account=fans, counts=[(day, 1000), (day + dt.timedelta(2), 1200)])
    assert (fans.followers, fans.followers_on) == (1200, day + dt.timedelta(2))
    # An earlier day fills the history; the latest stays.
    record(actor=member_ms, account=fans, counts=[(day - dt.timedelta(1), 990)])
    fans.refresh_from_db()
    assert (fans.followers, fans.followers_on) == (1200, day + dt.timedelta(2))
    # A day recorded again is replaced, not doubled.
    record(actor=member_ms, account=fans, counts=[(day + dt.timedelta(2), 1250)], source="api")
    assert [(c.day.day, c.followers, c.source) for c in queries.follower_history(fans)] == [
        (28, 990, "manual"), (1, 1000, "manual"), (3, 1250, "api"),
    ]  # fmt: skip
    actions.do_delete_follower_count(actor=member_ms, account=fans, day=day + dt.timedelta(2))
    fans.refresh_from_db()
    assert (fans.followers, fans.followers_on) == (1000, day)
    with pytest.raises(Invalid) as future:
        record(actor=member_ms, account=fans, counts=[(dt.date(2999, 1, 1), 5)])
    assert future.value.field == "counts.0.day"
    with pytest.raises(Forbidden):
        record(actor=guest_ms, account=fans, counts=[(day, 5)])
    assert FollowerCount.objects.filter(account=fans).count() == 2


# --- naming rules and links


def test_naming_rules_take_well_formed_values_once(owner_ms, member_ms):
    made = actions.do_add_utm_value(
        actor=owner_ms, data=UtmValueIn(field="utm_campaign", value="d11", label="双十一")
    )
    with pytest.raises(Conflict):
        actions.do_add_utm_value(actor=owner_ms, data=UtmValueIn(field="utm_campaign", value="d11"))
    with pytest.raises(Invalid):
        actions.do_add_utm_value(actor=owner_ms, data=UtmValueIn(field="utm_campaign", value="D12"))
    with pytest.raises(Forbidden):
        actions.do_add_utm_value(actor=member_ms, data=UtmValueIn(field="utm_medium", value="kol"))
    assert [v.value for v in queries.utm_lists(owner_ms.workspace_id)["utm_campaign"]] == ["d11"]
    actions.do_delete_utm_value(actor=owner_ms, value=made)
    assert queries.utm_lists(owner_ms.workspace_id) == {}


def test_a_field_with_a_list_takes_only_its_values(owner_ms, member_ms):
    actions.do_add_utm_value(actor=owner_ms, data=UtmValueIn(field="utm_campaign", value="d11"))
    actions.do_add_utm_value(actor=owner_ms, data=UtmValueIn(field="utm_campaign", value="618"))
    assert make_link(member_ms, utm_campaign="618").utm_campaign == "618"
    with pytest.raises(Invalid) as refused:
        make_link(member_ms, utm_campaign="d12")
    assert refused.value.field == "utm_campaign" and "d11" in refused.value.message
    # Fields without a list take any well-formed value, but never capitals or spaces.
    assert make_link(member_ms, utm_medium="kol-post").utm_medium == "kol-post"
    with pytest.raises(Invalid) as capital:
        make_link(member_ms, utm_medium="KOL")
    assert "kol" in capital.value.message
    with pytest.raises(Invalid) as missing:
        make_link(member_ms, utm_medium="")
    assert missing.value.field == "utm_medium"


def test_a_link_takes_its_channels_source_and_its_accounts_channel(member_ms):
    fans = account(member_ms, channel_name="抖音")
    link = make_link(member_ms, utm_source="", account_id=fans.pk)
    assert (link.channel.name, link.utm_source, link.account) == ("抖音", "douyin", fans)
    assert len(link.code) == 8 and link.created_by == member_ms.user
    assert link.tracked_url == (
        "https://shop.example.com/d11?from=app&utm_source=douyin&utm_medium=social&utm_campaign=d11"
    )
    with pytest.raises(Invalid) as mismatch:
        make_link(member_ms, account_id=fans.pk, channel_id=channel(member_ms.workspace, "微博").pk)
    assert mismatch.value.field == "account_id"
    with pytest.raises(Invalid) as no_source:
        make_link(member_ms, utm_source="")
    assert no_source.value.field == "utm_source"


def test_links_follow_the_project_wall(owner_ms, member_ms, guest_ms, project):
    secret = work_actions.do_create_project(
        actor=owner_ms, data=ProjectIn(name="保密", key="SEC", visibility="private")
    )
    in_d11 = make_link(member_ms, project_key="D11")
    assert in_d11.project == project
    with pytest.raises(Invalid) as hidden:
        make_link(member_ms, project_key="SEC")
    assert hidden.value.field == "project_key"
    secret_link = make_link(owner_ms, project_key=secret.key)
    loose = make_link(member_ms)
    with pytest.raises(Forbidden):
        make_link(guest_ms)
    assert set(queries.visible_links(owner_ms)) == {in_d11, secret_link, loose}
    assert set(queries.visible_links(member_ms)) == {in_d11, loose}
    assert set(queries.visible_links(guest_ms)) == set()
    work_actions.do_add_project_member(actor=owner_ms, project=project, user_id=guest_ms.user_id)
    assert set(queries.visible_links(guest_ms)) == {in_d11}


def test_a_links_name_destination_and_place_change_not_its_code_or_utm(member_ms):
    link = make_link(member_ms)
    code = link.code
    actions.do_update_link(
        actor=member_ms,
        link=link,
        data=LinkPatch(name="海报", destination="https://m.example.com/x", archived=True),
    )
    link = Link.objects.get(pk=link.pk)
    assert (link.code, link.name, link.archived, link.utm_campaign) == (code, "海报", True, "d11")
    assert link.tracked_url.startswith("https://m.example.com/x?utm_source=xiaohongshu")
    assert queries.link_for_redirect(code) is None
    with pytest.raises(Invalid):
        actions.do_update_link(
            actor=member_ms, link=link, data=LinkPatch(destination="https://a.example/?utm_term=x")
        )
