"""Custom fields: values per type, item page and API, list filters, sort, group, columns, CSV."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from opsloop.core.errors import Forbidden, Invalid
from opsloop.work import actions
from opsloop.work.models import Activity, CustomFieldValue
from opsloop.work.schemas import CustomFieldIn, CustomFieldPatch, ItemIn, ItemPatch, OptionIn
from tests.conftest import PASSWORD, ApiClient, membership_of

P = "/api/v1/workspaces/acme/projects/D11"


@pytest.fixture
def actor(owner, workspace):
    return membership_of(owner, workspace)


@pytest.fixture
def channel(actor, project):
    return actions.do_create_field(
        actor=actor,
        project=project,
        data=CustomFieldIn(
            name="渠道",
            type="select",
            options=[OptionIn(label="抖音"), OptionIn(label="小红书", color="#ef4444")],
        ),
    )


@pytest.fixture
def budget(actor):
    return actions.do_create_field(
        actor=actor, project=None, data=CustomFieldIn(name="预算", type="number")
    )


def option(field, label):
    return next(o["id"] for o in field.options if o["label"] == label)


def make(actor, project, title, **values):
    return actions.do_create_item(
        actor=actor, project=project, data=ItemIn(title=title, custom_fields=values)
    )


@pytest.mark.parametrize(
    ("kind", "good", "stored", "bad"),
    [
        ("text", " 你好 ", "你好", ["x" * 2001, [1]]),
        ("number", "12.5", 12.5, ["abc", "1e20", True]),
        ("date", "2026-11-11", "2026-11-11", ["11/11/2026", "2026-13-01"]),
        ("url", "https://example.com/a", "https://example.com/a", ["javascript:alert(1)", "ftp://x.com"]),
        ("checkbox", True, True, ["maybe"]),
    ],
)  # fmt: skip
def test_values_are_checked_per_type(actor, project, item, kind, good, stored, bad):
    field = actions.do_create_field(
        actor=actor, project=project, data=CustomFieldIn(name=kind, type=kind)
    )
    item = actions.do_update_item(
        actor=actor, item=item, data=ItemPatch(custom_fields={str(field.pk): good})
    )
    assert item.custom_field_values[str(field.pk)] == stored
    for value in bad:
        with pytest.raises(Invalid) as exc:
            actions.do_update_item(
                actor=actor, item=item, data=ItemPatch(custom_fields={str(field.pk): value})
            )
        assert exc.value.field == f"custom_fields.{field.pk}"
    # Empty clears: the row goes.
    actions.do_update_item(
        actor=actor, item=item, data=ItemPatch(custom_fields={str(field.pk): ""})
    )
    assert not CustomFieldValue.objects.filter(field=field).exists()


def test_select_user_and_multi_values(actor, project, item, channel, member, outsider):
    person = actions.do_create_field(
        actor=actor, project=project, data=CustomFieldIn(name="负责人", type="user")
    )
    tags = actions.do_create_field(
        actor=actor,
        project=project,
        data=CustomFieldIn(name="人群", type="multi_select", options=[OptionIn(label="新客"), OptionIn(label="老客")]),
    )  # fmt: skip
    new, old = option(tags, "新客"), option(tags, "老客")
    values = {
        str(channel.pk): option(channel, "抖音"),
        str(person.pk): member.pk,
        str(tags.pk): [new, old],
    }
    item = actions.do_update_item(actor=actor, item=item, data=ItemPatch(custom_fields=values))
    assert item.custom_field_values == {
        str(channel.pk): option(channel, "抖音"),
        str(person.pk): member.pk,
        str(tags.pk): [new, old],
    }
    for key, value in ((channel.pk, "zz"), (person.pk, outsider.pk), (tags.pk, [new, "zz"])):
        with pytest.raises(Invalid):
            actions.do_update_item(
                actor=actor, item=item, data=ItemPatch(custom_fields={str(key): value})
            )
    with pytest.raises(Invalid) as exc:
        actions.do_update_item(actor=actor, item=item, data=ItemPatch(custom_fields={"999": "x"}))
    assert exc.value.field == "custom_fields.999"
    # One activity per changed field, named after the field, with readable values.
    activity = Activity.objects.get(item=item, field="cf:渠道")
    assert (activity.old_value, activity.new_value) == ("", "抖音")
    # Removing an option clears the values that chose it; ids of the others stay.
    kept = [OptionIn(id=old, label="老用户")]
    tags = actions.do_update_field(actor=actor, field=tags, data=CustomFieldPatch(options=kept))
    assert tags.options == [{"id": old, "label": "老用户", "color": "#94a3b8"}]
    assert CustomFieldValue.objects.get(field=tags).text == f",{old},"


def test_field_names_and_rights(actor, project, channel, budget, workspace, member):
    with pytest.raises(Invalid):
        actions.do_create_field(
            actor=actor, project=project, data=CustomFieldIn(name="预算", type="text")
        )
    with pytest.raises(Invalid):
        actions.do_create_field(
            actor=actor,
            project=None,
            data=CustomFieldIn(name="x", type="text", options=[OptionIn(label="a")]),
        )
    member_ms = membership_of(member, workspace)
    with pytest.raises(Forbidden):
        actions.do_create_field(
            actor=member_ms, project=None, data=CustomFieldIn(name="y", type="text")
        )
    with pytest.raises(Forbidden):
        actions.do_delete_field(actor=member_ms, field=channel)
    other = actions.do_create_field(
        actor=actor, project=project, data=CustomFieldIn(name="z", type="text")
    )
    actions.do_reorder_fields(actor=actor, project=project, field_ids=[other.pk, channel.pk])
    channel.refresh_from_db()
    assert channel.sequence == 1
    actions.do_delete_field(actor=actor, field=channel)
    assert not CustomFieldValue.objects.filter(field_id=channel.pk).exists()


def test_list_filters_sorts_and_groups_by_fields(
    actor, project, channel, budget, owner, django_assert_max_num_queries
):
    douyin, xhs = option(channel, "抖音"), option(channel, "小红书")
    a = make(actor, project, "甲", **{str(channel.pk): xhs, str(budget.pk): 300})
    b = make(actor, project, "乙", **{str(channel.pk): douyin, str(budget.pk): 100})
    c = make(actor, project, "丙")
    for i in range(30):
        make(actor, project, f"填充{i}", **{str(channel.pk): douyin, str(budget.pk): 50 + i})
    api = ApiClient(owner)

    def refs(query):
        response = api.get(f"{P}/items?per_page=200&{query}")
        assert response.status_code == 200, response.content
        return [r["ref"] for r in response.json()["results"]]

    assert refs(f"cf_{channel.pk}={xhs}") == [a.ref]
    assert refs(f"cf_{channel.pk}=__none") == [c.ref]
    assert refs(f"cf_{budget.pk}_from=100&cf_{budget.pk}_to=300") == [a.ref, b.ref]
    assert refs(f"sort=-cf_{budget.pk}")[:2] == [a.ref, b.ref]
    assert refs(f"sort=cf_{budget.pk}")[-1] == c.ref  # empty last
    assert refs(f"sort=cf_{channel.pk}")[0] == b.ref  # options in their order
    grouped = api.get(f"{P}/items?group=cf_{channel.pk}&per_page=200").json()["results"]
    assert [r["group_key"] for r in grouped][:1] == [douyin] and grouped[-1]["group_key"] is None
    assert api.get(f"{P}/items?cf_999=1").status_code == 400
    assert api.get(f"{P}/items?group=cf_{budget.pk}").status_code == 400
    assert api.get(f"{P}/items?cf_{budget.pk}=abc").json()["field"] == f"cf_{budget.pk}"
    # The query count does not grow with the rows: one query per page for the values.
    for query in (f"cf_{channel.pk}={douyin}&sort=-cf_{budget.pk}", f"group=cf_{channel.pk}"):
        with django_assert_max_num_queries(11):
            assert len(refs(query)) > 1
    client = Client()
    assert client.login(username=owner.username, password=PASSWORD)
    with django_assert_max_num_queries(21):
        body = client.get(
            f"/w/acme/p/D11/?group=cf_{channel.pk}&columns=state,cf_{budget.pk},cf_{channel.pk}"
        ).content.decode()
    assert "group-row" in body and "小红书" in body and ">300<" in body


def test_item_page_edits_fields(actor, project, item, channel, budget, owner):
    client = Client()
    assert client.login(username=owner.username, password=PASSWORD)
    page = client.get(f"/w/acme/i/{item.ref}/").content.decode()
    assert 'data-testid="item-fields"' in page and "渠道" in page
    response = client.post(
        f"/w/acme/i/{item.ref}/",
        {
            "op": "update",
            "version": item.version,
            "title": item.title,
            "priority": "none",
            "cf_shown": [channel.pk, budget.pk],
            f"cf_type_{channel.pk}": "select",
            f"cf_{channel.pk}": option(channel, "小红书"),
            f"cf_type_{budget.pk}": "number",
            f"cf_{budget.pk}": "88",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.custom_field_values == {
        str(channel.pk): option(channel, "小红书"),
        str(budget.pk): 88,
    }
    bad = client.post(
        f"/w/acme/i/{item.ref}/",
        {"op": "update", "title": item.title, "priority": "none", "cf_shown": [budget.pk], f"cf_{budget.pk}": "多少"},
    )  # fmt: skip
    assert bad.status_code == 400 and "预算" in bad.content.decode()


def test_api_fields_crud_and_item_values(api, project, item, budget):
    created = api.post(
        f"{P}/custom-fields", {"name": "渠道", "type": "select", "options": [{"label": "抖音"}]}
    )
    assert created.status_code == 201
    field = created.json()
    assert [f["name"] for f in api.get(f"{P}/custom-fields").json()] == ["预算", "渠道"]
    douyin = field["options"][0]["id"]
    patched = api.patch(
        f"{P}/custom-fields/{field['id']}",
        {"options": [{"id": douyin, "label": "抖音", "color": "#111111"}, {"label": "B站"}]},
    ).json()
    assert patched["options"][0]["id"] == douyin and len(patched["options"]) == 2
    response = api.patch(
        f"/api/v1/workspaces/acme/items/{item.ref}",
        {"custom_fields": {str(field["id"]): douyin, str(budget.pk): 1.5}},
    )
    assert response.json()["custom_fields"] == {str(field["id"]): douyin, str(budget.pk): 1.5}
    made = api.post(f"{P}/items", {"title": "新", "custom_fields": {str(budget.pk): "7"}})
    assert made.json()["custom_fields"] == {str(budget.pk): 7}
    assert api.delete(f"{P}/custom-fields/{field['id']}").status_code == 204
    item_out = api.get(f"/api/v1/workspaces/acme/items/{item.ref}").json()
    assert item_out["custom_fields"] == {str(budget.pk): 1.5}


def test_csv_export_has_bom_chinese_custom_columns_and_honours_filters(
    actor, project, channel, budget, owner, api
):
    make(
        actor,
        project,
        "主会场海报",
        **{str(channel.pk): option(channel, "小红书"), str(budget.pk): 300},
    )
    make(actor, project, "短信文案")
    response = api.get(f"{P}/items?format=csv&cf_{channel.pk}=__none")
    assert response["Content-Type"].startswith("text/csv")
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][-2:] == ["预算", "渠道"] and [r[1] for r in rows[1:]] == ["短信文案"]
    client = Client()
    assert client.login(username=owner.username, password=PASSWORD)
    page = client.get("/w/acme/p/D11/?format=csv&sort=title")
    rows = list(csv.reader(io.StringIO(b"".join(page.streaming_content).decode("utf-8-sig"))))
    assert {r[1] for r in rows[1:]} == {"主会场海报", "短信文案"}
    poster = next(r for r in rows if r[1] == "主会场海报")
    assert poster[-2:] == ["300", "小红书"]
