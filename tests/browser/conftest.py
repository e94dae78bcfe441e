"""Browser tests: Playwright for Python driving Debian's chromium against a live server.

Playwright's own browser download cannot work here (no network but package registries),
so the machine's chromium is launched through executable_path; `make test` installs it
with apt-get when missing. Every test gets a fresh browser context (cookies, storage,
locale) on one shared browser process, which keeps the suite fast.

Fixtures: `browser`, `browser_locale` (override or parametrize it; "en" by default),
`page`, `console_errors`, `csp_violations`; helpers: `login(page, username, password)`
and `screenshot(page, name)`.

Every page runs under opsloop's Content-Security-Policy: chromium reports what the
policy refused as console errors ("Executing inline script violates the following
Content Security Policy directive ...", "Applying inline style violates ...", "Evaluating
a string as JavaScript violates ..."; older versions say "Refused to execute inline
script because it violates ..."), and the `page` fixture fails the test that caused any,
whether or not it reads `console_errors`. tests/browser/test_csp.py proves it sees them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    sync_playwright,
)

# Playwright's sync API runs an event loop in the test thread; Django would then refuse
# the test's own ORM calls as "async unsafe" although nothing runs concurrently.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("OPSLOOP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # root has no user namespace sandbox here
    "--disable-gpu",
    # Without these chromium keeps calling Google's hosts, which this network refuses.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "docs" / "screenshots"
# Screenshots of a normal run land here; docs/screenshots/ changes only on purpose
# (`make screenshots`), so a test run does not leave the committed images modified.
SCRATCH_SCREENSHOTS = ROOT / "build" / "screenshots"
FAILURES = ROOT / "build" / "test-failures"
# Waits of a click or a locator: long enough for two cores busy with the rest of the suite.
TIMEOUT_MS = 20_000
SCREENSHOT_TIMEOUT_MS = 60_000
VIEWPORT = {"width": 1280, "height": 800}
# Chromium's words for every refusal, enforced or report-only ("[Report Only] ...").
CSP_VIOLATION = re.compile(r"Content Security Policy|Content-Security-Policy")
# Chromium logs most refusals itself, but not an eval that the page's code catches (as
# Alpine's standard build would): the securitypolicyviolation event sees every one.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`Content Security Policy refused ${event.blockedURI} (${event.violatedDirective})`
    + ` at ${event.sourceFile}:${event.lineNumber}`);
});
"""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Everything under tests/browser/ drives chromium, marked or not, so `-m "not browser"`
    # reliably leaves the slow part out.
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    report = yield
    # The page fixture reads this in its teardown to keep a picture of a failure.
    item.stash.setdefault(FAILED_KEY, False)
    if report.when == "call" and report.failed:
        item.stash[FAILED_KEY] = True
    return report


FAILED_KEY = pytest.StashKey[bool]()


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run `make system-deps` (or set OPSLOOP_CHROMIUM)",
            pytrace=False,
        )
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
    )
    yield browser
    browser.close()


@pytest.fixture
def browser_locale() -> str:
    """The language the browser asks for; a test overrides it to see the Chinese UI."""
    return "en"


@pytest.fixture
def context(browser: Browser, live_server, browser_locale: str) -> Iterator[BrowserContext]:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=live_server.url,
        locale=browser_locale,
        timezone_id="Asia/Shanghai",
        viewport=VIEWPORT,
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    yield context
    context.close()


@pytest.fixture
def console_errors() -> list[str]:
    """Errors the page logged and requests that failed (a missing script, a 500)."""
    return []


@pytest.fixture
def csp_violations() -> list[str]:
    """What the Content-Security-Policy refused on the page; any fails the test."""
    return []


@pytest.fixture
def page(
    context: BrowserContext,
    console_errors: list[str],
    csp_violations: list[str],
    request: pytest.FixtureRequest,
) -> Iterator[Page]:
    page = context.new_page()

    def on_console(message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        console_errors.append(f"console: {message.text}")
        if CSP_VIOLATION.search(message.text):
            csp_violations.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: console_errors.append(f"page error: {error}"))
    page.on(
        "response",
        lambda response: (
            console_errors.append(f"HTTP {response.status}: {response.url}")
            if response.status >= 500 or (response.status == 404 and "/static/" in response.url)
            else None
        ),
    )
    yield page
    if request.node.stash.get(FAILED_KEY, False):
        FAILURES.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-150:]
        path = FAILURES / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        print(f"screenshot of the failure: {path}")
    if csp_violations:
        pytest.fail(
            "the Content-Security-Policy refused:\n" + "\n".join(csp_violations), pytrace=False
        )


def login(page: Page, username: str, password: str) -> None:
    """Log in through the login form, as a person would, and wait to leave it."""
    login_path = reverse("login")
    page.goto(login_path)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(lambda url: login_path not in url)


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page PNG named `name`, for the README and docs.

    It goes to docs/screenshots/ when that file does not exist yet or when
    OPSLOOP_SCREENSHOTS=update (`make screenshots`), else to build/screenshots/.
    """
    target = SCREENSHOTS / f"{name}.png"
    if target.exists() and os.environ.get("OPSLOOP_SCREENSHOTS") != "update":
        target = SCRATCH_SCREENSHOTS / f"{name}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    # A full page of the demo in Chinese can take more than the default wait to paint on
    # two cores busy with the rest of the suite; a slow picture is not a failure.
    page.screenshot(path=str(target), full_page=True, timeout=SCREENSHOT_TIMEOUT_MS)
    return target
