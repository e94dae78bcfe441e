"""The file library in a real browser: several files at once with progress bars, then a
new version of one of them."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from opsloop.core import actions as core_actions
from opsloop.files.models import File
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ProjectIn
from tests.browser.conftest import login
from tests.conftest import PASSWORD, make_user, membership_of

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6364606060000000050001a5f645400000000049454e44ae426082"
)


@pytest.fixture
def files_dir(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "opsloop_files": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files")},
        },
    }


@pytest.mark.browser
def test_upload_several_files_then_a_new_version(
    page: Page, console_errors: list[str], transactional_db, files_dir
):
    owner = make_user("lead", display_name="运营负责人")
    workspace = core_actions.do_create_workspace(actor=owner, slug="acme", name="Acme 运营")
    work_actions.do_create_project(
        actor=membership_of(owner, workspace), data=ProjectIn(name="双十一大促", key="D11")
    )
    login(page, "lead", PASSWORD)
    page.goto("/w/acme/p/D11/")
    page.get_by_test_id("tab-files").click()
    page.wait_for_url("**/w/acme/p/D11/files/")

    page.get_by_test_id("file-input").set_input_files(
        [
            {"name": "双11海报.png", "mimeType": "image/png", "buffer": PNG},
            {"name": "投放计划.txt", "mimeType": "text/plain", "buffer": "第一版".encode()},
        ]
    )
    progress = page.get_by_test_id("upload-progress").locator("li")
    expect(progress).to_have_count(2)
    expect(progress.locator("progress")).to_have_count(2)
    expect(page.get_by_test_id("upload-progress").locator("li[data-state=done]")).to_have_count(2)
    library = page.get_by_test_id("library")
    expect(library.get_by_role("link", name="双11海报.png")).to_be_visible()
    expect(library.get_by_role("link", name="投放计划.txt")).to_be_visible()
    assert File.objects.count() == 2

    library.get_by_role("link", name="投放计划.txt").click()
    page.wait_for_url("**/w/acme/files/*/")
    expect(page.get_by_test_id("version-row")).to_have_count(1)
    page.fill("input[name=note]", "改了预算")
    page.get_by_test_id("file-input").set_input_files(
        {"name": "投放计划-v2.txt", "mimeType": "text/plain", "buffer": "第二版".encode()}
    )
    page.get_by_test_id("upload-submit").click()
    expect(page.get_by_test_id("version-row")).to_have_count(2)
    expect(page.get_by_test_id("current-version")).to_have_text("v2")
    expect(page.get_by_test_id("versions")).to_contain_text("改了预算")
    assert console_errors == []
