"""Who may use channels, accounts and links (read by tests/test_api_permissions.py and
tests/test_page_permissions.py; docs/channels.md#who-may-do-what):

- channels and accounts belong to the workspace: everyone in it reads them, guests too;
  members and above add and change accounts and record followers (by hand, the API or a
  file); owners and admins keep the channels and the UTM naming rules;
- the naming rules are read by members and above (guests build no links);
- a link of a project is seen by whoever sees the project, guests where it is shared
  with them, a link of no project by members and above; members and above build and
  change links; a link's clicks and the users behind it are users' events, which guests
  never see."""

from __future__ import annotations

R = "/workspaces/{slug}"
ACCOUNT = R + "/accounts/{account_id}"
LINK = R + "/links/{utm_link_id}"
READ = "200 200 200 200 404"
MEMBERS_READ = "200 200 200 403 404"
MADE = "201 201 201 403 404"
EDIT = "200 200 200 403 404"
EDIT_GONE = "204 204 204 403 404"
ADMIN = "200 200 403 403 404"
ADMIN_MADE = "201 201 403 403 404"
ADMIN_GONE = "204 204 403 403 404"
FOLLOWER_DAY = "2026-03-01"


def _channel_ids(context: dict) -> list[int]:
    """Every channel of the workspace, reversed; none for a context of samples (the bad
    input tests read a body's fields at collection, with no database)."""
    from opsloop.channels.models import Channel

    if "slug" not in context:
        return []
    channels = Channel.objects.filter(workspace__slug=context["slug"])
    return list(channels.values_list("pk", flat=True))[::-1]


API_ROUTES: dict = {
    ("GET", R + "/channels"): (READ, None),
    ("POST", R + "/channels"): (ADMIN_MADE, lambda c: {"name": "得物", "platform": "other"}),
    # Read when the case runs: other apps' contexts may add channels after this one's.
    ("PUT", R + "/channels/order"): (
        ADMIN,
        lambda c: {"channel_ids": _channel_ids(c)},
    ),
    ("PATCH", R + "/channels/{channel_id}"): (ADMIN, lambda c: {"color": "#123456"}),
    ("GET", R + "/accounts"): (READ, None),
    ("POST", R + "/accounts"): (
        MADE,
        lambda c: {"channel_id": c.get("channel_id"), "name": "新账号"},
    ),
    ("GET", ACCOUNT): (READ, None),
    ("PATCH", ACCOUNT): (EDIT, lambda c: {"notes": "每周三更新"}),
    ("GET", ACCOUNT + "/followers"): (READ, None),
    ("POST", ACCOUNT + "/followers"): (
        EDIT,
        lambda c: {"counts": [{"day": "2026-03-02", "followers": 1500}]},
    ),
    ("DELETE", ACCOUNT + "/followers/{follower_day}"): (EDIT_GONE, None),
    ("GET", R + "/utm-values"): (MEMBERS_READ, None),
    ("POST", R + "/utm-values"): (ADMIN_MADE, lambda c: {"field": "utm_medium", "value": "kol"}),
    ("DELETE", R + "/utm-values/{utm_value_id}"): (ADMIN_GONE, None),
    ("GET", R + "/links"): (READ, None),
    ("POST", R + "/links"): (
        MADE,
        lambda c: {
            "destination": "https://shop.example.com/d11",
            "utm_source": "weibo",
            "utm_medium": "social",
            "utm_campaign": "d11",
            "project_key": c.get("key"),
        },
    ),
    ("GET", LINK): (READ, None),
    ("PATCH", LINK): (EDIT, lambda c: {"name": "改名"}),
    ("GET", LINK + "/clicks"): (MEMBERS_READ, None),
    ("GET", LINK + "/qr"): (READ, None),
}


def _world(owner_ms, project, tag: str | None) -> dict:
    """An account on 小红书 with a count, a link in `project` (named with the tag, so a
    leak of a hidden project's link shows), and a UTM value."""
    import datetime as dt

    from opsloop.channels import actions
    from opsloop.channels.models import Channel
    from opsloop.channels.schemas import ChannelAccountIn, LinkIn, UtmValueIn

    actions.ensure_channels(owner_ms.workspace)
    channel = Channel.objects.get(workspace=owner_ms.workspace, name="小红书")
    # Accounts are the workspace's, seen by guests: named without the project's tag.
    account = actions.do_create_account(
        actor=owner_ms, data=ChannelAccountIn(channel_id=channel.pk, name=f"{project.key} 账号")
    )
    actions.do_record_followers(
        actor=owner_ms, account=account, counts=[(dt.date.fromisoformat(FOLLOWER_DAY), 1200)]
    )
    link = actions.do_create_link(
        actor=owner_ms,
        data=LinkIn(
            name=f"{tag or project.name} 链接",
            destination="https://shop.example.com/d11",
            utm_source="xiaohongshu",
            utm_medium="social",
            utm_campaign="d11",
            project_key=project.key,
            account_id=account.pk,
        ),
    )
    # utm_term: a list on utm_campaign would refuse the next project's link.
    value = actions.do_add_utm_value(
        actor=owner_ms, data=UtmValueIn(field="utm_term", value=f"term-{project.key.lower()}")
    )
    return {
        "channel": channel,
        "account": account,
        "link": link,
        "value": value,
    }


def project_context(*, owner_ms, project, item, tag) -> dict:
    made = _world(owner_ms, project, tag)
    return {
        "channel_id": made["channel"].pk,
        "account_id": made["account"].pk,
        "follower_day": FOLLOWER_DAY,
        "utm_link_id": made["link"].pk,
        "utm_value_id": made["value"].pk,
    }


EVERYONE = dict(owner="ok", admin="ok", member="ok", guest="ok", shared_guest="ok", outsider=404)
MEMBERS = dict(owner="ok", admin="ok", member="ok", guest=403, shared_guest=403, outsider=404)
ADMINS = dict(owner="ok", admin="ok", member=403, guest=403, shared_guest=403, outsider=404)
IN_D11 = dict(owner="ok", admin="ok", member="ok", guest=404, shared_guest="ok", outsider=404)
EDIT_D11 = dict(owner="ok", admin="ok", member="ok", guest=404, shared_guest=403, outsider=404)
NO_GUESTS = dict(owner="ok", admin="ok", member="ok", guest=404, shared_guest=404, outsider=404)
L = "/w/acme/links/{channels_link_id}/"
PAGE_CASES: list = [
    ("GET", "channels", "/w/acme/channels/", EVERYONE),
    ("POST", "channels", "/w/acme/channels/", MEMBERS),
    ("GET", "channel_settings", "/w/acme/channels/settings/", ADMINS),
    ("POST", "channel_settings", "/w/acme/channels/settings/", ADMINS),
    ("GET", "channel_account", "/w/acme/channels/accounts/{channels_account_id}/", EVERYONE),
    ("POST", "channel_account", "/w/acme/channels/accounts/{channels_account_id}/", MEMBERS),
    ("GET", "links", "/w/acme/links/", EVERYONE),
    ("POST", "links", "/w/acme/links/", MEMBERS),
    ("GET", "link_rules", "/w/acme/links/rules/", MEMBERS),
    ("POST", "link_rules", "/w/acme/links/rules/", ADMINS),
    ("GET", "link", L, IN_D11),
    ("POST", "link", L, EDIT_D11),
    ("GET", "link_qr", L + "qr.png", IN_D11),
    ("GET", "link_qr", L + "qr.svg", IN_D11),
    # A link of no project: members and above.
    ("GET", "link", "/w/acme/links/{channels_loose_link_id}/", NO_GUESTS),
    ("GET", "link_qr", "/w/acme/links/{channels_loose_link_id}/qr.svg", NO_GUESTS),
]
PAGE_POST_DATA: dict = {
    "channels": lambda c: {"channel_id": str(c["channels_channel_id"]), "name": "新账号"},
    "channel_settings": {"op": "add", "name": "得物", "platform": "other", "color": "#123456"},
    "channel_account": {"op": "record", "day": "2026-03-02", "followers": "1500"},
    "links": {
        "destination": "https://shop.example.com/d11",
        "utm_source": "weibo",
        "utm_medium": "social",
        "utm_campaign": "d11",
    },
    "link": {"op": "update", "name": "改名", "destination": "https://shop.example.com/d11"},
    "link_rules": {"field": "utm_medium", "value": "kol"},
}


def page_context(*, owner_ms, project, item) -> dict:
    """An account, a link in D11 (shared with shared_guest) and a link of no project."""
    from opsloop.channels import actions
    from opsloop.channels.schemas import LinkIn

    made = _world(owner_ms, project, None)
    loose = actions.do_create_link(
        actor=owner_ms,
        data=LinkIn(
            destination="https://shop.example.com/app",
            utm_source="sms",
            utm_medium="push",
            utm_campaign="d11",
        ),
    )
    return {
        "channels_channel_id": made["channel"].pk,
        "channels_account_id": made["account"].pk,
        "channels_link_id": made["link"].pk,
        "channels_loose_link_id": loose.pk,
    }
