"""Links in a real browser, as a channel operator would: build a UTM link in the builder
(the channel gives its utm_source, the preview shows the tracked URL), open its short
address as a visitor, and see the click and the user behind it on the link's page;
then record an account's followers and see its history drawn."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from opsloop.channels import actions as channel_actions
from opsloop.channels.models import Channel, Link
from opsloop.channels.schemas import ChannelAccountIn
from opsloop.core import actions as core_actions
from opsloop.events import flusher
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ProjectIn
from tests.browser.conftest import login, screenshot
from tests.conftest import PASSWORD, membership_of


@pytest.fixture
def team(transactional_db, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.INSIGHTS_PERSONS_TTL = 0
    lead = core_actions.do_signup(
        username="lead", email="lead@example.com", password=PASSWORD, display_name="林晓"
    )
    workspace = core_actions.do_create_workspace(actor=lead, slug="ops", name="鲸选运营团队")
    lead_ms = membership_of(lead, workspace)
    work_actions.do_create_project(
        actor=lead_ms, data=ProjectIn(name="双十一大促", key="D11", kind="campaign")
    )
    channel_actions.ensure_channels(workspace)
    return lead_ms


@pytest.mark.browser
def test_build_a_link_follow_it_and_see_the_click(
    page: Page, console_errors: list[str], team, live_server
):
    login(page, "lead", PASSWORD)
    page.goto("/w/ops/links/")
    builder = page.get_by_test_id("builder-form")
    builder.get_by_test_id("builder-destination").fill(
        f"{live_server.url}/accounts/login/?from=poster"
    )
    builder.locator("input[name=name]").fill("小红书笔记 双十一")
    builder.locator("select[name=project_key]").select_option("D11")
    builder.locator("select[name=channel_id]").select_option(label="小红书")
    page.get_by_test_id("builder-utm_medium").fill("social")
    page.get_by_test_id("builder-utm_campaign").fill("d11")
    expect(page.get_by_test_id("builder-preview")).to_have_text(
        f"{live_server.url}/accounts/login/?from=poster&utm_source=xiaohongshu&utm_medium=social"
        "&utm_campaign=d11"
    )
    page.get_by_test_id("build-link").click()
    page.wait_for_url(re.compile(r"/w/ops/links/\d+/$"))
    link = Link.objects.get(name="小红书笔记 双十一")
    assert (link.utm_source, link.channel.name, link.project.key) == (
        "xiaohongshu",
        "小红书",
        "D11",
    )
    expect(page.get_by_test_id("short-url")).to_contain_text(f"/l/{link.code}")
    expect(page.get_by_test_id("qr-image")).to_be_visible()
    expect(page.get_by_test_id("click-total")).to_have_text("0")

    # A visitor opens the short address: on to the destination, with the UTM values.
    visitor = page.context.browser.new_context(base_url=live_server.url)
    tab = visitor.new_page()
    tab.goto(f"/l/{link.code}")
    assert "utm_source=xiaohongshu" in tab.url and "from=poster" in tab.url
    visitor.close()
    assert flusher.drain() == 1

    page.reload()
    expect(page.get_by_test_id("click-total")).to_have_text("1")
    expect(page.get_by_test_id("click-users")).to_have_text("1")
    expect(page.get_by_test_id("clicker")).to_have_count(1)
    expect(page.get_by_test_id("clicks-chart").locator("svg")).to_have_count(1)
    screenshot(page, "link")
    page.get_by_test_id("clicker").locator("a").click()
    page.wait_for_url(re.compile(r"/w/ops/people/\d+/$"))
    expect(page.locator("body")).to_contain_text("$link_click")

    page.goto("/w/ops/links/")
    expect(page.get_by_test_id("link-clicks")).to_have_text("1")
    assert console_errors == []


@pytest.mark.browser
def test_record_followers_and_see_their_history(page: Page, console_errors: list[str], team):
    xhs = Channel.objects.get(workspace=team.workspace, name="小红书")
    account = channel_actions.do_create_account(
        actor=team, data=ChannelAccountIn(channel_id=xhs.pk, name="鲸选小红书", handle="jingxuan")
    )
    login(page, "lead", PASSWORD)
    page.goto("/w/ops/channels/")
    page.get_by_role("link", name="鲸选小红书").click()
    form = page.get_by_test_id("followers-form")
    for day, followers in (("2026-03-01", "1000"), ("2026-03-08", "1250")):
        form.locator("input[name=day]").fill(day)
        form.get_by_test_id("followers-input").fill(followers)
        form.get_by_test_id("record-followers").click()
        page.wait_for_url(f"**/channels/accounts/{account.pk}/")
    expect(page.get_by_test_id("latest-followers")).to_have_text("1,250")
    expect(page.get_by_test_id("follower-count")).to_have_count(2)
    expect(page.get_by_test_id("follower-chart").locator("svg")).to_have_count(1)
    page.goto("/w/ops/channels/")
    expect(page.get_by_test_id("account-followers")).to_have_text("1,250")
    screenshot(page, "channels")
    assert console_errors == []
