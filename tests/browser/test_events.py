"""Users' events in a real browser: create a source and see its write key once, then see an
event sent with it on the live events page (which refreshes by itself) and on the
person's page."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from opsloop.core import actions as core_actions
from opsloop.events import identity
from opsloop.events.models import Source
from opsloop.events.store import get_store
from tests.browser.conftest import login, screenshot
from tests.conftest import PASSWORD
from tests.events._pipeline import identify, row


def send(rows: list[dict]) -> None:
    """What the flusher does with ingested rows: persons first, then the store."""
    identity.resolve_persons(rows)
    get_store().write(rows)


@pytest.mark.browser
@pytest.mark.parametrize("browser_locale", ["zh-CN"])  # the README's tour is in Chinese
def test_a_source_key_and_its_events(
    page: Page, console_errors: list[str], transactional_db, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    lead = core_actions.do_signup(
        username="lead", email="lead@example.com", password=PASSWORD, display_name="王总"
    )
    workspace = core_actions.do_create_workspace(actor=lead, slug="ops", name="运营团队")

    login(page, "lead", PASSWORD)
    page.goto("/w/ops/")
    page.get_by_test_id("nav-sources").click()
    page.wait_for_url("**/w/ops/sources/")
    form = page.get_by_test_id("new-source")
    form.locator("input[name=name]").fill("鲸选 H5 商城")
    form.locator("select[name=kind]").select_option("web")
    page.get_by_test_id("add-source").click()
    key = page.get_by_test_id("write-key")
    raw = key.inner_text()
    assert raw.startswith("olk_")
    expect(page.get_by_test_id("snippet-segment")).to_contain_text(raw)
    screenshot(page, "events-sources")
    # Shown once: the page again has its prefix only.
    page.goto("/w/ops/sources/")
    expect(page.get_by_test_id("write-key")).to_have_count(0)
    expect(page.locator("main")).to_contain_text(raw[:10])
    assert raw not in page.content()

    source = Source.objects.get(workspace=workspace)
    now = dt.datetime.now(dt.UTC)
    common = {"workspace_id": workspace.pk, "source_id": source.pk}
    send(
        [
            row(**common, anonymous_id="anon-1", event="app_open", timestamp=now),
            identify(
                "u1001",
                "anon-1",
                traits={"name": "王小明", "city": "上海"},
                timestamp=now + dt.timedelta(seconds=1),
                **common,
            ),
        ]
    )
    page.get_by_test_id("nav-live").click()
    page.wait_for_url("**/w/ops/live/")
    rows = page.get_by_test_id("event-row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("$identify")
    # An event sent while the page is open shows up without a reload.
    send(
        [
            row(
                **common,
                user_id="u1001",
                event="order_paid",
                properties={"amount": 199},
                timestamp=now + dt.timedelta(seconds=2),
            )
        ]
    )
    expect(rows).to_have_count(3, timeout=10_000)
    expect(rows.first).to_contain_text("order_paid")
    expect(rows.first).to_contain_text("王小明")
    screenshot(page, "events-live")

    rows.first.get_by_test_id("event-person").click()
    page.wait_for_url("**/w/ops/people/*/")
    expect(page.get_by_test_id("person-label")).to_contain_text("王小明")
    expect(page.get_by_test_id("traits")).to_contain_text("上海")
    expect(page.get_by_test_id("distinct-ids")).to_contain_text("anon-1")
    expect(page.get_by_test_id("event-row")).to_have_count(3)
    expect(page.get_by_test_id("event-row").first).to_contain_text("amount=199")
    screenshot(page, "events-person")
    assert not console_errors, console_errors
