"""Custom fields in a real browser: create a select field in project settings, set it on
an item, and filter the list by it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from opsloop.work import actions as work_actions
from opsloop.work.models import CustomField
from opsloop.work.schemas import ItemIn, ProjectIn
from tests.browser.conftest import login
from tests.conftest import PASSWORD, make_user, membership_of


@pytest.mark.browser
def test_create_a_field_set_it_and_filter_by_it(
    page: Page, console_errors: list[str], transactional_db
):
    from opsloop.core import actions as core_actions

    owner = make_user("wangzong", display_name="王总")
    workspace = core_actions.do_create_workspace(actor=owner, slug="acme", name="鲸选运营团队")
    actor = membership_of(owner, workspace)
    project = work_actions.do_create_project(
        actor=actor, data=ProjectIn(name="双十一大促", key="D11")
    )
    poster = work_actions.do_create_item(
        actor=actor, project=project, data=ItemIn(title="主会场海报")
    )
    work_actions.do_create_item(actor=actor, project=project, data=ItemIn(title="短信召回文案"))
    login(page, "wangzong", PASSWORD)

    page.goto("/w/acme/p/D11/settings/")
    form = page.get_by_test_id("add-field")
    form.locator("input[name=name]").fill("渠道")
    form.locator("select[name=type]").select_option("select")
    form.locator("input[name=options]").fill("抖音, 小红书")
    form.get_by_role("button").click()
    expect(page.get_by_test_id("field-渠道")).to_be_visible()
    field = CustomField.objects.get(name="渠道")
    xhs = next(o["id"] for o in field.options if o["label"] == "小红书")

    page.goto(f"/w/acme/i/{poster.ref}/")
    page.get_by_test_id(f"cf-{field.pk}").select_option(xhs)
    page.get_by_test_id("save-item").click()
    expect(page.get_by_test_id(f"cf-{field.pk}")).to_have_value(xhs)

    page.goto("/w/acme/p/D11/")
    expect(page.get_by_test_id("result-count")).to_contain_text("2")
    page.get_by_test_id("field-filters").click()
    page.get_by_test_id(f"filter-cf-{field.pk}").select_option(xhs)
    expect(page.get_by_test_id("result-count")).to_contain_text("1")
    expect(page.get_by_role("link", name="主会场海报")).to_be_visible()
    expect(page.get_by_role("link", name="短信召回文案")).to_have_count(0)
    assert f"cf_{field.pk}={xhs}" in page.url
    assert not console_errors, console_errors
