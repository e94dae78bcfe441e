"""The content calendar in a real browser: drag a piece to another day and it is planned
for that day at the same time; the piece shows there after a reload."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from playwright.sync_api import Page, expect

from opsloop.channels.actions import ensure_channels
from opsloop.channels.models import Account, Channel
from opsloop.content import actions
from opsloop.content.models import ContentPiece
from opsloop.content.schemas import PieceIn
from opsloop.core import actions as core_actions
from opsloop.core.models import Membership
from tests.browser.conftest import login
from tests.conftest import PASSWORD

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.mark.browser
def test_drag_a_content_piece_in_the_calendar(page: Page, console_errors, transactional_db):
    lead = core_actions.do_signup(username="lead", email="lead@example.com", password=PASSWORD)
    workspace = core_actions.do_create_workspace(actor=lead, slug="ops", name="运营团队")
    workspace.time_zone = "Asia/Shanghai"
    workspace.save(update_fields=["time_zone"])
    ms = Membership.objects.select_related("workspace", "user").get(user=lead)
    ensure_channels(workspace)
    xhs = Account.objects.create(
        workspace=workspace, channel=Channel.objects.get(workspace=workspace, name="小红书"),
        name="官方小红书",
    )  # fmt: skip
    piece = actions.do_create_piece(
        actor=ms,
        data=PieceIn(
            title="双十一护肤清单",
            account_id=xhs.pk,
            planned_at=dt.datetime(2026, 11, 5, 20, 30, tzinfo=SHANGHAI),
        ),
    )
    login(page, "lead", PASSWORD)
    page.goto("/w/ops/content/?mode=month&date=2026-11-05&group=account")
    chip = page.get_by_test_id(f"cc-piece-{piece.pk}")
    expect(chip).to_be_visible()
    expect(page.get_by_test_id(f"cc-cell-a{xhs.pk}-2026-11-05")).to_contain_text("双十一护肤清单")
    chip.drag_to(page.get_by_test_id(f"cc-cell-a{xhs.pk}-2026-11-12"))
    expect(page.get_by_test_id("cc-status")).to_have_text("Saved.")
    moved = ContentPiece.objects.get(pk=piece.pk)
    assert moved.planned_at == dt.datetime(2026, 11, 12, 20, 30, tzinfo=SHANGHAI)
    page.reload()
    expect(page.get_by_test_id(f"cc-cell-a{xhs.pk}-2026-11-12")).to_contain_text("双十一护肤清单")
    expect(page.get_by_test_id(f"cc-cell-a{xhs.pk}-2026-11-05")).not_to_contain_text("双十一")
    # Without dragging, the piece is a link to its page, where its time is edited.
    page.get_by_test_id(f"cc-piece-{piece.pk}").click()
    expect(page.get_by_test_id("planned-at")).to_have_text("2026-11-12 20:30")
    assert not console_errors


@pytest.mark.browser
def test_the_body_preview_shows_the_markdown(page: Page, console_errors, transactional_db):
    lead = core_actions.do_signup(username="lead", email="lead@example.com", password=PASSWORD)
    core_actions.do_create_workspace(actor=lead, slug="ops", name="运营团队")
    login(page, "lead", PASSWORD)
    page.goto("/w/ops/content/new/")
    page.get_by_test_id("piece-body-input").fill("## 清单\n\n**精华**先上")
    page.get_by_test_id("preview-button").click()
    preview = page.get_by_test_id("body-preview")
    expect(preview.locator("strong")).to_have_text("精华")
    expect(preview.locator("h2")).to_have_text("清单")
    assert not console_errors
