"""Who may use partners (read by tests/test_api_permissions.py and
tests/test_page_permissions.py): members, admins and the owner read and change them;
guests get 403 everywhere, shared project or not; the partner's owner (the workspace
owner here) and admins delete a partner or a line of its rate card, and who recorded a
cooperation may delete it too.

Partners are the workspace's: their names and rate cards carry no project's tag (a member
sees them all). A cooperation made for a project carries the project's tag and is hidden
from whoever does not see that project."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.base import ContentFile

R = "/workspaces/{slug}/partners"
ONE = R + "/{partner_id}"
READ = "200 200 200 403 404"
MADE = "201 201 201 403 404"
EDIT = "200 200 200 403 404"
GONE = "204 204 204 403 404"
# The partner's owner is the workspace owner: the plain member may not delete.
OWNER_GONE = "204 204 403 403 404"

API_ROUTES: dict = {
    ("GET", R): (READ, None),
    ("POST", R): (MADE, lambda c: {"name": "新合作方", "kind": "kol", "tags": ["美妆"]}),
    ("GET", R + "/price-changes"): (READ, None),
    ("GET", R + "/compare"): (READ, None),
    ("GET", ONE): (READ, None),
    ("PATCH", ONE): (EDIT, lambda c: {"rating": 4, "tags": ["头部"]}),
    ("DELETE", ONE): (OWNER_GONE, None),
    ("GET", ONE + "/contacts"): (READ, None),
    ("POST", ONE + "/contacts"): (MADE, lambda c: {"name": "李商务", "wechat": "li_biz"}),
    ("PATCH", ONE + "/contacts/{contact_id}"): (EDIT, lambda c: {"role": "商务"}),
    ("DELETE", ONE + "/contacts/{contact_id}"): (GONE, None),
    ("GET", ONE + "/accounts"): (READ, None),
    ("POST", ONE + "/accounts"): (
        MADE,
        lambda c: {
            "channel_id": c.get("partner_channel_id", 1),
            "name": "新账号",
            "followers": 1200,
        },
    ),
    ("DELETE", ONE + "/accounts/{partner_account_id}"): (GONE, None),
    ("POST", ONE + "/accounts/{partner_account_id}/followers"): (
        MADE,
        lambda c: {"followers": 52000, "day": "2026-11-20"},
    ),
    ("GET", ONE + "/interactions"): (READ, None),
    ("POST", ONE + "/interactions"): (
        MADE,
        lambda c: {"day": "2026-11-20", "kind": "wechat", "follow_up_on": "2026-12-20"},
    ),
    ("PATCH", ONE + "/interactions/{interaction_id}"): (EDIT, lambda c: {"note": "改"}),
    ("DELETE", ONE + "/interactions/{interaction_id}"): (GONE, None),
    ("GET", ONE + "/contracts"): (READ, None),
    ("POST", ONE + "/contracts"): (MADE, lambda c: {"file_id": c.get("spare_contract_file_id", 1)}),
    ("DELETE", ONE + "/contracts/{contract_file_id}"): (GONE, None),
    ("GET", ONE + "/rate-items"): (READ, None),
    ("POST", ONE + "/rate-items"): (
        MADE,
        lambda c: {"format": "抖音 60 s 视频", "price": "8000", "effective_on": "2026-10-01"},
    ),
    ("GET", ONE + "/rate-items/{rate_item_id}"): (READ, None),
    ("PATCH", ONE + "/rate-items/{rate_item_id}"): (EDIT, lambda c: {"unit": "篇"}),
    ("DELETE", ONE + "/rate-items/{rate_item_id}"): (OWNER_GONE, None),
    ("GET", ONE + "/rate-items/{rate_item_id}/changes"): (READ, None),
    ("POST", ONE + "/rate-items/{rate_item_id}/changes"): (
        MADE,
        lambda c: {"new_price": "7000", "effective_on": "2026-12-01", "note": "涨价"},
    ),
    ("GET", ONE + "/rate-items/{rate_item_id}/price"): (READ, None),
    ("GET", ONE + "/cooperations"): (READ, None),
    ("POST", ONE + "/cooperations"): (
        MADE,
        lambda c: {
            "title": "种草笔记",
            "rate_item_id": c.get("rate_item_id", 1),
            "booked_on": "2026-11-02",
            "project_key": c.get("key", "D11"),
        },
    ),
    ("GET", ONE + "/cooperations/{cooperation_id}"): (READ, None),
    ("PATCH", ONE + "/cooperations/{cooperation_id}"): (EDIT, lambda c: {"clicks": 900}),
    ("DELETE", ONE + "/cooperations/{cooperation_id}"): (OWNER_GONE, None),
    ("GET", ONE + "/costs"): (READ, None),
}


def _world(owner_ms, project, *, tag: str, name: str, file_project=None) -> dict:
    """A partner with a contact, an account with followers, an interaction, a contract,
    a rate item with a price change, and a cooperation for `project`."""
    from opsloop.channels.models import Channel
    from opsloop.files import actions as file_actions
    from opsloop.files.queries import Place
    from opsloop.partners import actions
    from opsloop.partners.schemas import (
        AccountIn,
        ContactIn,
        CooperationIn,
        InteractionIn,
        PartnerIn,
        PriceChangeIn,
        RateItemIn,
    )

    channel, _made = Channel.objects.get_or_create(
        workspace=owner_ms.workspace, name="小红书", defaults={"platform": "xiaohongshu"}
    )
    partner = actions.do_create_partner(
        actor=owner_ms,
        data=PartnerIn(name=name, kind="kol", tags=["美妆"], contract_ends_on=dt.date(2027, 3, 31)),
    )
    contact = actions.do_add_contact(actor=owner_ms, partner=partner, data=ContactIn(name="王经纪"))
    account = actions.do_link_account(
        actor=owner_ms,
        partner=partner,
        data=AccountIn(channel_id=channel.pk, name=f"{name} 小红书", followers=50000),
    )
    interaction = actions.do_add_interaction(
        actor=owner_ms,
        partner=partner,
        data=InteractionIn(day=dt.date(2026, 11, 1), kind="call", note="聊双十一报价"),
    )
    contract, spare = (
        file_actions.do_upload_file(
            actor=owner_ms,
            place=Place(project=file_project or project),
            content=ContentFile(b"%PDF-1.4 contract"),
            name=f"{stem} {tag}.pdf",
        )
        for stem in ("合同", "补充协议")
    )
    actions.do_attach_contract(actor=owner_ms, partner=partner, file_id=contract.pk)
    item = actions.do_create_rate_item(
        actor=owner_ms,
        partner=partner,
        data=RateItemIn(format="小红书图文", price=Decimal(5000), effective_on=dt.date(2026, 9, 1)),
    )
    actions.do_change_price(
        actor=owner_ms,
        item=item,
        data=PriceChangeIn(new_price=Decimal(6500), effective_on=dt.date(2026, 11, 1)),
    )
    cooperation = actions.do_create_cooperation(
        actor=owner_ms,
        partner=partner,
        data=CooperationIn(
            title=f"{tag} 种草合作",
            rate_item_id=item.pk,
            booked_on=dt.date(2026, 10, 15),
            project_key=project.key,
            clicks=1000,
        ),
    )
    return {
        "partner_id": partner.pk,
        "contact_id": contact.pk,
        "partner_account_id": account.pk,
        "partner_channel_id": channel.pk,
        "interaction_id": interaction.pk,
        "contract_file_id": contract.pk,
        "spare_contract_file_id": spare.pk,
        "rate_item_id": item.pk,
        "cooperation_id": cooperation.pk,
    }


def project_context(*, owner_ms, project, item, tag) -> dict:
    """A partner for each project, named by the project's key (not its tag: partners are
    seen by every member), with a cooperation for the project that carries the tag."""
    return _world(owner_ms, project, tag=tag, name=f"合作方 {project.key}")


P = "/w/acme/partners/"
ONE_PAGE = P + "{partner_page_id}/"
MEMBERS = dict(owner="ok", admin="ok", member="ok", guest=403, shared_guest=403, outsider=404)
DELETERS = dict(owner="ok", admin="ok", member=403, guest=403, shared_guest=403, outsider=404)
PAGE_CASES: list = [
    ("GET", "partners", P, MEMBERS),
    ("GET", "partners", P + "?kind=kol&quiet=30&contract=120&tag=美妆", MEMBERS),
    ("POST", "partners", P, MEMBERS),
    ("GET", "partner_prices", P + "prices/?from=2026-08-01&to=2026-12-31", MEMBERS),
    ("GET", "partner_compare", P + "compare/?from=2026-01-01&to=2026-12-31&sort=-cpc", MEMBERS),
    ("GET", "partner", ONE_PAGE, MEMBERS),
    ("POST", "partner", ONE_PAGE, MEMBERS),
    ("GET", "partner_edit", ONE_PAGE + "edit/", MEMBERS),
    ("POST", "partner_edit", ONE_PAGE + "edit/", MEMBERS),
    ("GET", "partner_cooperation", ONE_PAGE + "cooperations/{cooperation_page_id}/", MEMBERS),
    ("POST", "partner_cooperation", ONE_PAGE + "cooperations/{cooperation_page_id}/", MEMBERS),
    ("POST", "partner_delete", P + "{doomed_partner_id}/delete/", DELETERS),
]
PAGE_POST_DATA: dict = {
    "partners": {"name": "新合作方", "kind": "media", "tags": "美妆, 头部"},
    "partner": {"op": "add_contact", "name": "李商务"},
    "partner_edit": {"name": "小美的美妆日记", "kind": "kol", "rating": "5", "tags": "美妆"},
    "partner_cooperation": {
        "title": "双十一种草笔记",
        "status": "delivered",
        "booked_on": "2026-10-15",
        "quantity": "1",
        "agreed_price": "4800",
        "paid_amount": "0",
        "clicks": "1200",
    },
}


def page_context(*, owner_ms, project, item) -> dict:
    """A partner with its rate card and a cooperation for D11, and one to delete."""
    from opsloop.partners import actions
    from opsloop.partners.schemas import PartnerIn

    made = _world(owner_ms, project, tag="D11", name="小美的美妆日记")
    doomed = actions.do_create_partner(
        actor=owner_ms, data=PartnerIn(name="待删合作方", kind="media")
    )
    return {
        "partner_page_id": made["partner_id"],
        "cooperation_page_id": made["cooperation_id"],
        "doomed_partner_id": doomed.pk,
    }
