"""The docs cannot drift from the code (Datasette's habit).

Every environment variable opsloop/settings.py reads is in docs/settings.md; every API
route in the OpenAPI document is in docs/api.md, and docs/api.md names no route that
is gone; every `opsloop` command in opsloop/cli.py's help is in docs/cli.md; every
image the README and docs show exists or is taken by a browser test; every relative
link and anchor in README.md and docs/ leads somewhere.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.core.management import get_commands
from django.test import Client

import opsloop.cli
from opsloop.cli import ALIASES

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"
SETTINGS = ROOT / "opsloop" / "settings.py"
SCREENSHOTS = DOCS / "screenshots"
BROWSER_TESTS = ROOT / "tests" / "browser"

METHODS = ("get", "post", "put", "patch", "delete")
ROUTE_RE = re.compile(r"`(GET|POST|PUT|PATCH|DELETE) (/api/v1/[^`?\s]*)")
IMAGE_RE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)|<img[^>]*\bsrc=\"([^\"]+)\"")
LINK_RE = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
SCREENSHOT_CALL_RE = re.compile(r"\bscreenshot\(\s*\w+\s*,\s*[\"']([^\"']+)[\"']\s*\)")
CODE_BLOCK_RE = re.compile(r"^(?:```|~~~).*?^(?:```|~~~)", re.S | re.M)


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def doc_pages() -> list[Path]:
    return [README, *sorted(DOCS.rglob("*.md"))]


# --- settings


def settings_variables() -> set[str]:
    """Names read from the environment in settings.py: env(), env_bool(), os.environ, os.getenv."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(read(SETTINGS))):
        if isinstance(node, ast.Call):
            func = node.func
            called = (
                func.id
                if isinstance(func, ast.Name)
                else f"{ast.unparse(func.value)}.{func.attr}"
                if isinstance(func, ast.Attribute)
                else ""
            )
            if called in {"env", "env_bool", "os.environ.get", "os.getenv", "environ.get"} and (
                node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                names.add(node.args[0].value)
        elif (
            isinstance(node, ast.Subscript)
            and ast.unparse(node.value) in {"os.environ", "environ"}
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, str)
        ):
            names.add(node.slice.value)
    return names


def test_settings_parser_finds_the_variables():
    # A parser that finds nothing would make the next test pass vacuously.
    names = settings_variables()
    assert {"OPSLOOP_DATA_DIR", "DATABASE_URL", "OPSLOOP_DEBUG"} <= names


def test_every_setting_is_documented():
    text = read(DOCS / "settings.md")
    missing = sorted(name for name in settings_variables() if f"`{name}`" not in text)
    assert not missing, f"docs/settings.md does not name: {', '.join(missing)}"


def test_settings_doc_documents_no_variable_that_is_gone():
    rows = re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", read(DOCS / "settings.md"), re.M)
    assert rows, "docs/settings.md has no table of variables"
    gone = sorted(set(rows) - settings_variables())
    assert not gone, f"docs/settings.md documents variables settings.py does not read: {gone}"


# --- the API


@pytest.fixture(scope="module")
def openapi_routes() -> set[str]:
    # Served as a client would fetch it; building the document needs no database.
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    routes = {
        f"{method.upper()} {path}"
        for path, ops in paths.items()
        for method in ops
        if method in METHODS
    }
    assert len(routes) > 10
    return routes


def test_every_api_route_is_documented(openapi_routes: set[str]):
    text = read(DOCS / "api.md")
    missing = sorted(route for route in openapi_routes if f"`{route}`" not in text)
    assert not missing, "docs/api.md does not list:\n" + "\n".join(missing)


def test_api_doc_lists_no_route_that_is_gone(openapi_routes: set[str]):
    named = {f"{method} {path}" for method, path in ROUTE_RE.findall(read(DOCS / "api.md"))}
    gone = sorted(named - openapi_routes)
    assert not gone, "docs/api.md names routes the API does not serve:\n" + "\n".join(gone)


# --- the opsloop command


def cli_subcommands() -> set[str]:
    """Subcommands the `opsloop` help names: `opsloop run [...]` -> "run",
    `opsloop token create USERNAME` -> "token create"."""
    doc = opsloop.cli.__doc__ or ""
    return set(re.findall(r"\bopsloop ([a-z_]+(?: [a-z_]+)*)", doc))


def test_cli_help_names_commands():
    assert {"run", "check", "token create", "workspace create"} <= cli_subcommands()


def test_every_cli_subcommand_is_documented():
    text = read(DOCS / "cli.md")
    missing = sorted(sub for sub in cli_subcommands() if f"opsloop {sub}" not in text)
    assert not missing, f"docs/cli.md does not describe: {', '.join(missing)}"


def test_cli_help_and_doc_name_real_commands():
    # `help` is Django's ManagementUtility itself, not a command module.
    commands = set(get_commands()) | set(ALIASES) | {"help"}
    named = {sub.split()[0] for sub in cli_subcommands()}
    named |= set(re.findall(r"^## opsloop ([a-z_]+)", read(DOCS / "cli.md"), re.M))
    unknown = sorted(named - commands)
    assert not unknown, f"no such opsloop command: {', '.join(unknown)}"


# --- README and screenshots


def browser_screenshots() -> set[str]:
    return {
        name
        for path in BROWSER_TESTS.rglob("*.py")
        for name in SCREENSHOT_CALL_RE.findall(read(path))
    }


def images(page: Path) -> list[str]:
    text = CODE_BLOCK_RE.sub("", read(page))
    return [a or b for a, b in IMAGE_RE.findall(text)]


def test_readme_opens_with_the_two_commands():
    text = read(README)
    first_section = text.split("\n## ", 1)[0]
    assert "make run" in first_section
    assert "make test" in first_section
    assert "http://127.0.0.1:8000" in first_section


@pytest.mark.parametrize("page", doc_pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_image_exists_or_is_taken_by_a_browser_test(page: Path):
    taken = browser_screenshots()
    for src in images(page):
        target = (page.parent / src).resolve()
        assert target.parent == SCREENSHOTS, f"{page.name}: {src} is not in docs/screenshots/"
        assert target.exists() or target.stem in taken, (
            f"{page.name}: {src} does not exist and no browser test calls "
            f'screenshot(page, "{target.stem}")'
        )


def test_readme_shows_every_screenshot_the_browser_tests_take():
    shown = {Path(src).stem for src in images(README)}
    assert browser_screenshots(), "found no screenshot(page, ...) calls in tests/browser/"
    missing = sorted(browser_screenshots() - shown)
    assert not missing, f"README.md does not show: {', '.join(missing)}"


# --- links


def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = CODE_BLOCK_RE.sub("", read(page))
    return {slug(h) for h in re.findall(r"^#{1,6} (.+)$", text, re.M)}


def written_by_a_script(target: Path) -> bool:
    """A page a script generates (docs/benchmarks.md by `make bench`) may not exist yet."""
    relative = target.relative_to(ROOT).as_posix()
    parts = target.relative_to(ROOT).parts
    joined = " / ".join(f'"{p}"' for p in parts)
    return any(
        relative in read(script) or joined in read(script)
        for script in (ROOT / "scripts").glob("*.py")
    )


@pytest.mark.parametrize("page", doc_pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_leads_somewhere(page: Path):
    text = CODE_BLOCK_RE.sub("", read(page))
    broken = []
    for href in LINK_RE.findall(text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", href):
            continue  # http:, https:, mailto:
        path, _, anchor = href.partition("#")
        target = (page.parent / path).resolve() if path else page
        if not target.exists():
            if not (ROOT in target.parents and written_by_a_script(target)):
                broken.append(href)
            continue
        if anchor and target.suffix == ".md" and anchor not in anchors(target):
            broken.append(href)
    assert not broken, f"{page.relative_to(ROOT)}: links that lead nowhere: {broken}"
