"""Comments in a real browser: a mention picked from the autocomplete, another member's
reaction, and a reply in the thread."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from opsloop.collab.models import Comment, Reaction
from opsloop.core import actions as core_actions
from opsloop.core.models import Membership, Role
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ItemIn, ProjectIn
from tests.browser.conftest import login
from tests.conftest import PASSWORD, make_user


@pytest.mark.browser
def test_mention_react_and_reply(
    page: Page, context: BrowserContext, console_errors: list[str], transactional_db
):
    lead = make_user("lead", display_name="李经理")
    workspace = core_actions.do_create_workspace(actor=lead, slug="acme", name="Acme 运营")
    zhang = make_user("zhangmin", display_name="张敏")
    Membership.objects.create(workspace=workspace, user=zhang, role=Role.MEMBER)
    lead_ms = Membership.objects.select_related("workspace", "user").get(user=lead)
    project = work_actions.do_create_project(
        actor=lead_ms, data=ProjectIn(name="双十一大促", key="D11")
    )
    work_actions.do_create_item(actor=lead_ms, project=project, data=ItemIn(title="主会场海报"))

    login(page, "lead", PASSWORD)
    page.goto("/w/acme/i/D11-1/")
    editor = page.get_by_test_id("comment-form")
    box = editor.locator("textarea[name=body]")
    box.click()
    box.press_sequentially("请 @张")
    menu = editor.get_by_test_id("mention-menu")
    expect(menu.get_by_role("option")).to_have_count(1)
    menu.get_by_role("option", name="张敏").click()
    expect(box).to_have_value("请 @zhangmin ")
    box.press_sequentially("确认尺寸")
    editor.get_by_role("button", name="Comment").click()
    page.wait_for_url("**/w/acme/i/D11-1/#comment-*")
    mention = page.locator(".comment-body a.mention")
    expect(mention).to_have_text("@张敏")
    comment = Comment.objects.get()
    assert comment.body == "请 @zhangmin 确认尺寸"

    # 张敏 reacts and replies.
    context.clear_cookies()
    login(page, "zhangmin", PASSWORD)
    # The mention reached 张敏's inbox: the badge counts it, the inbox names it.
    expect(page.get_by_test_id("inbox-badge")).to_have_attribute("data-count", "1")
    page.get_by_test_id("inbox-badge").click()
    expect(page.get_by_test_id("notification")).to_contain_text("李经理")
    expect(page.get_by_test_id("notification")).to_contain_text("D11-1")
    page.goto("/w/acme/i/D11-1/")
    first = page.locator(f"#comment-{comment.pk}")
    first.get_by_test_id("react").first.click()
    first.get_by_test_id("emoji-1").first.click()
    page.wait_for_url(f"**/#comment-{comment.pk}")
    reaction = page.locator(f"#comment-{comment.pk} > .comment-foot [data-testid=reaction]")
    expect(reaction).to_contain_text("👍 1")
    expect(reaction).to_have_attribute("title", "张敏")
    assert Reaction.objects.get().user == zhang

    first = page.locator(f"#comment-{comment.pk}")
    first.get_by_test_id("reply").click()
    reply_form = first.get_by_test_id("reply-form")
    reply_form.locator("textarea[name=body]").fill("尺寸没问题，@lead")
    reply_form.get_by_role("button", name="Reply").click()
    page.wait_for_url("**/#comment-*")
    replies = page.locator(f"#comment-{comment.pk} .replies .comment")
    expect(replies).to_have_count(1)
    expect(replies.first.locator("a.mention")).to_have_text("@李经理")
    assert Comment.objects.get(parent=comment).author == zhang
    assert console_errors == []
