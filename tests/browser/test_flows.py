"""What a new user does in a real browser: sign up, create a workspace and project, add
items, drag one across the board, filter the list, switch to Chinese and back."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from opsloop.work.models import Item
from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD


@pytest.mark.browser
def test_new_user_from_sign_up_to_a_board(page: Page, console_errors: list[str], transactional_db):
    page.goto("/accounts/signup/")
    page.fill("input[name=username]", "xiaoli")
    page.fill("input[name=display_name]", "小李")
    page.fill("input[name=email]", "xiaoli@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))

    page.get_by_role("link", name="New workspace").click()
    page.fill("input[name=name]", "增长小组")
    page.fill("input[name=slug]", "growth")
    page.locator("form button[type=submit]").click()
    page.wait_for_url("**/w/growth/")

    page.get_by_test_id("new-project").click()
    page.fill("input[name=name]", "双十一大促")
    page.fill("input[name=key]", "D11")
    page.select_option("select[name=kind]", "campaign")
    page.fill("textarea[name=goal]", "GMV 同比增长 30%")
    page.locator("[data-testid=project-form] button[type=submit]").click()
    page.wait_for_url("**/w/growth/p/D11/")

    for title, priority in [
        ("主会场海报设计", "urgent"),
        ("KOL 投放排期", "high"),
        ("短信召回文案", "low"),
    ]:
        quick = page.get_by_test_id("quick-create")
        quick.locator("input[name=title]").fill(title)
        quick.locator("select[name=priority]").select_option(priority)
        quick.locator("input[name=title]").press("Enter")
        expect(page.get_by_role("link", name=title)).to_be_visible()
    expect(page.get_by_test_id("result-count")).to_contain_text("3")

    # Filter the list: htmx swaps the results in place and keeps the URL shareable.
    page.select_option("#filters select[name=priority]", "urgent")
    expect(page.get_by_test_id("result-count")).to_contain_text("1")
    expect(page.get_by_role("link", name="主会场海报设计")).to_be_visible()
    expect(page.get_by_role("link", name="短信召回文案")).to_have_count(0)
    assert "priority=urgent" in page.url
    page.fill("#filters input[name=q]", "KOL")
    page.select_option("#filters select[name=priority]", "")
    expect(page.get_by_test_id("result-count")).to_contain_text("1")
    expect(page.get_by_role("link", name="KOL 投放排期")).to_be_visible()

    # Drag a card from "To do" to "In progress" on the board.
    page.get_by_test_id("tab-board").click()
    page.wait_for_url("**/board/")
    card = page.locator("[data-testid=column-todo] .card-item", has_text="主会场海报设计")
    target = page.locator("[data-testid=column-in_progress] .cards")
    card.drag_to(target)
    expect(
        page.locator("[data-testid=column-in_progress] .card-item[data-saved='1']")
    ).to_have_count(1)
    assert Item.objects.get(title="主会场海报设计").state.group == "in_progress"
    page.reload()
    expect(
        page.locator("[data-testid=column-in_progress] .card-item", has_text="主会场海报设计")
    ).to_be_visible()

    # Switch the interface to Chinese and back.
    page.get_by_test_id("lang-zh").click()
    expect(page.get_by_test_id("tab-board")).to_contain_text("看板")
    page.get_by_test_id("lang-en").click()
    expect(page.get_by_test_id("tab-board")).to_contain_text("Board")
    assert console_errors == []


@pytest.mark.browser
@pytest.mark.parametrize("browser_locale", ["zh-CN"])
def test_demo_workspace_pages_in_chinese(
    page: Page, console_errors: list[str], transactional_db, browser_locale
):
    """The demo, as a newcomer first sees it; these pictures are the README's tour."""
    from opsloop.demo.loader import load_demo

    result = load_demo(password=PASSWORD)
    page.goto("/accounts/login/")
    page.fill("input[name=username]", result.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url("**/w/demo/")
    expect(page.get_by_role("heading", name="项目")).to_be_visible()
    screenshot(page, "projects")
    page.goto("/w/demo/p/D11/")
    expect(page.get_by_test_id("result-count")).to_be_visible()
    screenshot(page, "list")
    page.goto("/w/demo/p/D11/?group=assignee&sort=priority")
    screenshot(page, "list-grouped")
    page.goto("/w/demo/p/D11/board/")
    expect(page.locator(".card-item").first).to_be_visible()
    screenshot(page, "board")
    from django.db.models import Count

    from opsloop.work.models import Item as WorkItem

    richest = (
        WorkItem.objects.filter(project__key="D11")
        .annotate(n=Count("comments"))
        .exclude(description="")
        .order_by("-n", "number")
        .first()
    )
    page.goto(f"/w/demo/i/{richest.ref}/")
    expect(page.locator(".item-side")).to_be_visible()
    screenshot(page, "item")
    page.goto("/w/demo/my/")
    screenshot(page, "my-work")
    page.goto("/w/demo/members/")
    screenshot(page, "members")
    _collaboration_tour(page)
    _planning_tour(page)
    page.goto("/api/v1/docs")
    # Swagger UI lays out the whole document in the browser: seconds on two busy cores.
    expect(page.locator("body")).to_contain_text("opsloop API", timeout=30_000)
    screenshot(page, "api-docs")
    assert console_errors == []


def _collaboration_tour(page: Page) -> None:
    """Inbox, discussions, activity, meetings and files of the demo, for the README."""
    from opsloop.collab.models import Discussion
    from opsloop.files.models import File
    from opsloop.meetings.models import Meeting

    page.goto("/w/demo/inbox/")
    expect(page.get_by_test_id("notification").first).to_be_visible()
    screenshot(page, "inbox")
    discussion = Discussion.objects.filter(project__key="D11").first()
    page.goto(f"/w/demo/p/D11/discussions/{discussion.pk}/")
    expect(page.get_by_text(discussion.title).first).to_be_visible()
    screenshot(page, "discussion")
    page.goto("/w/demo/p/D11/activity/")
    screenshot(page, "activity")
    page.goto("/w/demo/meetings/")
    screenshot(page, "meetings")
    sync = Meeting.objects.filter(title="运营周例会").order_by("starts_at").first()
    page.goto(f"/w/demo/meetings/{sync.pk}/")
    expect(page.get_by_text("预热期提前到 10 月 20 日").first).to_be_visible()
    screenshot(page, "meeting")
    page.goto("/w/demo/p/D11/files/")
    screenshot(page, "files")
    kv = File.objects.get(name="主会场KV.png", item__isnull=True)
    page.goto(f"/w/demo/files/{kv.pk}/")
    expect(page.locator("img").first).to_be_visible()
    screenshot(page, "file")


def _planning_tour(page: Page) -> None:
    """Timeline, calendar and progress of the demo's campaign, for the README."""
    page.goto("/w/demo/p/D11/timeline/")
    expect(page.locator(".tl-bar").first).to_be_visible()
    screenshot(page, "timeline")
    page.goto("/w/demo/p/D11/calendar/")
    screenshot(page, "calendar")
    page.goto("/w/demo/workload/")
    expect(page.locator("table").first).to_be_visible()
    screenshot(page, "workload")
    page.goto("/w/demo/p/D11/progress/")
    expect(page.locator("[data-testid=burn-up] canvas").first).to_be_visible()
    screenshot(page, "progress")
