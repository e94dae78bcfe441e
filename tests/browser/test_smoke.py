"""The smallest proof that pages work in a real browser: the login page and its form."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser.conftest import login, screenshot
from tests.conftest import PASSWORD, make_user


@pytest.mark.browser
def test_login_page_shows_its_form_and_loads_its_scripts(page: Page, console_errors: list[str]):
    page.goto(reverse("login"))

    expect(page.locator("input[name=username]")).to_be_visible()
    expect(page.locator("input[name=password]")).to_have_attribute("type", "password")
    expect(page.locator("form button[type=submit]")).to_be_enabled()
    # htmx and Alpine come from static/vendor/, served by our own server, not a CDN.
    assert page.evaluate("typeof window.htmx") == "object"
    assert console_errors == []
    screenshot(page, "login")


@pytest.mark.browser
@pytest.mark.parametrize("browser_locale", ["zh-CN"])
def test_login_page_speaks_the_browsers_language(page: Page, browser_locale: str):
    page.goto(reverse("login"))

    assert page.locator("html").get_attribute("lang") in {"zh-hans", "zh-Hans"}


@pytest.mark.browser
def test_login_form_logs_a_user_in(page: Page, transactional_db):
    make_user("lin")

    login(page, "lin", PASSWORD)

    assert "/accounts/login/" not in page.url
    assert "sessionid" in {cookie["name"] for cookie in page.context.cookies()}
