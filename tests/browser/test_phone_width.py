"""The work pages on a 390 px wide phone: the page itself never scrolls sideways.

A board may scroll its columns inside its own container; the document may not be wider
than the viewport (document.documentElement.scrollWidth <= 390)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from opsloop.core import actions as core_actions
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ItemIn, LabelIn, ProjectIn
from tests.browser.conftest import login
from tests.conftest import PASSWORD, make_user, membership_of

PHONE = {"width": 390, "height": 844}
LONG_TITLE = "准备双十一主会场海报和详情页首屏（含预热期、正式期、返场期三套尺寸）"


@pytest.fixture
def phone(page: Page) -> Page:
    page.set_viewport_size(PHONE)
    return page


@pytest.fixture
def work(transactional_db):
    owner = make_user("lead", display_name="运营负责人")
    workspace = core_actions.do_create_workspace(actor=owner, slug="acme", name="Acme 运营")
    actor = membership_of(owner, workspace)
    project = work_actions.do_create_project(
        actor=actor,
        data=ProjectIn(name="双十一大促 · 全渠道", key="D11", kind="campaign"),
    )
    labels = [
        work_actions.do_create_label(actor=actor, data=LabelIn(name=name)).pk
        for name in ("设计", "小红书投放", "直播间")
    ]
    today = timezone.localdate()
    items = [
        work_actions.do_create_item(
            actor=actor,
            project=project,
            data=ItemIn(
                title=f"{LONG_TITLE} {n}",
                priority=priority,
                assignee_ids=[owner.pk],
                label_ids=labels,
                due_date=today + timedelta(days=days),
            ),
        )
        for n, (priority, days) in enumerate([("urgent", -3), ("high", 2), ("medium", 10)])
    ]
    return {"workspace": workspace, "project": project, "items": items}


def page_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def assert_no_sideways_scroll(page: Page, path: str) -> None:
    page.goto(path)
    page.wait_for_load_state("load")
    width = page_width(page)
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
            .filter((el) => !el.closest('.board'))
            .slice(0, 8)
            .map((el) => el.tagName.toLowerCase() + '.' + el.className)"""
    )
    assert width <= PHONE["width"], f"{path} is {width} px wide; too wide: {wide}"


@pytest.mark.browser
def test_my_work_fits_a_phone(phone: Page, work):
    login(phone, "lead", PASSWORD)
    assert_no_sideways_scroll(phone, "/w/acme/my/")


@pytest.mark.browser
def test_board_fits_a_phone_and_scrolls_its_columns_inside(phone: Page, work):
    login(phone, "lead", PASSWORD)
    assert_no_sideways_scroll(phone, "/w/acme/p/D11/board/")
    board = phone.locator(".board")
    # The columns are still there, side by side, reachable by scrolling the board itself.
    assert board.evaluate("(el) => el.scrollWidth > el.clientWidth")
    assert board.evaluate("(el) => el.getBoundingClientRect().right") <= PHONE["width"]


@pytest.mark.browser
def test_item_list_fits_a_phone(phone: Page, work):
    login(phone, "lead", PASSWORD)
    assert_no_sideways_scroll(phone, "/w/acme/p/D11/")


@pytest.mark.browser
def test_item_page_fits_a_phone(phone: Page, work):
    login(phone, "lead", PASSWORD)
    assert_no_sideways_scroll(phone, f"/w/acme/i/{work['items'][0].ref}/")
