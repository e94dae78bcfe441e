"""The channels API end to end: channels, accounts and their followers, the naming rules,
links with their QR codes, and the lists' query counts."""

from __future__ import annotations

from opsloop.channels import actions
from opsloop.channels.models import Channel
from opsloop.channels.schemas import ChannelAccountIn
from tests.channels.conftest import make_link
from tests.conftest import ApiClient

W = "/api/v1/workspaces/acme"


def test_channels_are_seeded_listed_added_reordered_and_archived(owner, member):
    api = ApiClient(owner)
    listed = api.get(f"{W}/channels").json()
    assert [c["name"] for c in listed][:3] == ["微信公众号", "视频号", "微博"]
    assert listed[3] == {**listed[3], "platform": "douyin", "utm_source": "douyin", "position": 3}
    made = api.post(f"{W}/channels", {"name": "得物", "utm_source": "dewu", "color": "#111111"})
    assert made.status_code == 201 and made.json()["position"] == 14
    assert api.post(f"{W}/channels", {"name": "得物"}).status_code == 409
    assert ApiClient(member).post(f"{W}/channels", {"name": "闲鱼"}).status_code == 403
    bad = api.post(f"{W}/channels", {"name": "x", "utm_source": "Bad Source"})
    assert bad.status_code == 400 and bad.json()["field"] == "utm_source"
    ids = [c["id"] for c in api.get(f"{W}/channels").json()]
    order = api.put(f"{W}/channels/order", {"channel_ids": [ids[-1], *ids[:-1]]})
    assert [c["name"] for c in order.json()][:2] == ["得物", "微信公众号"]
    gone = api.patch(f"{W}/channels/{made.json()['id']}", {"archived": True}).json()
    assert gone["archived"] is True
    assert "得物" not in [c["name"] for c in api.get(f"{W}/channels").json()]
    assert "得物" in [c["name"] for c in api.get(f"{W}/channels?archived=true").json()]


def test_accounts_and_their_followers(owner, member, guest):
    api, reader = ApiClient(member), ApiClient(guest)
    xhs = next(c for c in api.get(f"{W}/channels").json() if c["name"] == "小红书")
    made = api.post(f"{W}/accounts", {"channel_id": xhs["id"], "name": "Acme 小红书",
                                       "handle": "acme", "owner_id": owner.pk})  # fmt: skip
    assert made.status_code == 201, made.content
    account = made.json()
    assert account["channel"]["name"] == "小红书" and account["owner"]["id"] == owner.pk
    one = f"{W}/accounts/{account['id']}"
    recorded = api.post(one + "/followers", {"counts": [
        {"day": "2026-03-01", "followers": 1000}, {"day": "2026-03-08", "followers": 1250}]})  # fmt: skip
    assert recorded.json() == {"written": 2, "followers": 1250, "followers_on": "2026-03-08"}
    assert [c["followers"] for c in reader.get(one + "/followers").json()] == [1000, 1250]
    assert reader.get(one + "/followers").json()[0]["source"] == "api"
    assert reader.get(one).json()["followers"] == 1250
    assert reader.post(one + "/followers", {"counts": [{"day": "2026-03-02", "followers": 1}]}
                       ).status_code == 403  # fmt: skip
    zero = api.post(one + "/followers", {"counts": [{"day": 0, "followers": 1}]})
    assert zero.status_code == 400 and zero.json()["field"].startswith("counts.0.day")
    assert api.delete(one + "/followers/2026-03-08").status_code == 204
    assert api.get(one).json()["followers"] == 1000
    assert api.delete(one + "/followers/2026-03-08").status_code == 204
    assert api.delete(one + "/followers/3-8").status_code == 400
    patched = api.patch(one, {"external": True, "notes": "代理商在管"}).json()
    assert (patched["external"], patched["notes"]) == (True, "代理商在管")
    assert [a["id"] for a in api.get(f"{W}/accounts?external=true").json()] == [account["id"]]
    assert api.get(f"{W}/accounts?external=false").json() == []
    assert api.get(f"{W}/accounts?channel=x").status_code == 400


def test_lists_answer_in_few_queries(owner, owner_ms, project, django_assert_max_num_queries):
    actions.ensure_channels(owner_ms.workspace)
    xhs = Channel.objects.get(workspace=owner_ms.workspace, name="小红书")
    for n in range(8):
        actions.do_create_account(
            actor=owner_ms,
            data=ChannelAccountIn(channel_id=xhs.pk, name=f"号{n}", owner_id=owner.pk),
        )
        make_link(owner_ms, name=f"链接{n}", project_key="D11", channel_id=xhs.pk)
    api = ApiClient(owner)
    for path, most in (("/channels", 6), ("/accounts", 6), ("/links", 8), ("/utm-values", 6)):
        with django_assert_max_num_queries(most):
            answer = api.get(W + path)
        assert answer.status_code == 200


def test_links_through_the_api(owner, owner_ms, member, guest, project):
    api = ApiClient(member)
    made = api.post(f"{W}/links", {"destination": "https://shop.example.com/d11?from=app#top",
                                    "utm_source": "weibo", "utm_medium": "social",
                                    "utm_campaign": "双十一", "project_key": "D11"})  # fmt: skip
    assert made.status_code == 201, made.content
    link = made.json()
    assert link["project_key"] == "D11" and len(link["code"]) == 8
    assert link["short_url"].endswith(f"/l/{link['code']}")
    assert link["tracked_url"] == (
        "https://shop.example.com/d11?from=app&utm_source=weibo&utm_medium=social"
        "&utm_campaign=%E5%8F%8C%E5%8D%81%E4%B8%80#top"
    )
    one = f"{W}/links/{link['id']}"
    assert api.patch(one, {"name": "微博置顶", "project_key": ""}).json()["project_key"] is None
    refused = api.post(f"{W}/links", {"destination": "https://a.example/", "utm_source": "a b",
                                       "utm_medium": "x", "utm_campaign": "y"})  # fmt: skip
    assert refused.status_code == 400 and refused.json()["field"] == "utm_source"
    png = api.get(one + "/qr")
    assert png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG")
    svg = api.get(one + "/qr?format=svg&scale=4")
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    assert api.get(one + "/qr?format=gif").status_code == 400
    # A link of no project: hidden from guests, its clicks too.
    assert ApiClient(guest).get(one).status_code == 404
    assert [x["code"] for x in api.get(f"{W}/links?campaign=双十一").json()] == [link["code"]]
    assert api.get(f"{W}/links?archived=true").json() == []
    clicks = api.get(one + "/clicks").json()
    assert (clicks["clicks"], clicks["users"], clicks["clickers"]) == (0, 0, [])


def test_naming_rules_through_the_api(owner, member):
    api = ApiClient(owner)
    made = api.post(f"{W}/utm-values", {"field": "utm_campaign", "value": "d11", "label": "双十一"})
    assert made.status_code == 201
    assert api.post(f"{W}/utm-values", {"field": "utm_campaign", "value": "d11"}).status_code == 409
    assert api.post(f"{W}/utm-values", {"field": "utm_nope", "value": "d11"}).status_code == 400
    assert ApiClient(member).get(f"{W}/utm-values").json() == [made.json()]
    refused = ApiClient(member).post(f"{W}/links", {"destination": "https://a.example/",
        "utm_source": "sms", "utm_medium": "push", "utm_campaign": "d12"})  # fmt: skip
    assert refused.status_code == 400 and "d11" in refused.json()["message"]
    assert api.delete(f"{W}/utm-values/{made.json()['id']}").status_code == 204
    assert api.get(f"{W}/utm-values").json() == []
