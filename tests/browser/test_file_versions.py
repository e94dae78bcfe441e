"""A file's page in a real browser: a new version takes the note typed after choosing it,
and the share form's checkbox sits by its label."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import Page, expect

from opsloop.core import actions as core_actions
from opsloop.files import actions
from opsloop.files.models import File, FileVersion
from opsloop.files.queries import Place
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ProjectIn
from tests.browser.conftest import login
from tests.conftest import PASSWORD, make_user, membership_of


@pytest.fixture
def plan(transactional_db, settings, tmp_path) -> File:
    settings.STORAGES = {
        **settings.STORAGES,
        "opsloop_files": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files")},
        },
    }
    owner = make_user("lead", display_name="运营负责人")
    workspace = core_actions.do_create_workspace(actor=owner, slug="acme", name="Acme 运营")
    actor = membership_of(owner, workspace)
    project = work_actions.do_create_project(
        actor=actor, data=ProjectIn(name="双十一大促", key="D11")
    )
    return actions.do_upload_file(
        actor=actor,
        place=Place(project=project),
        content=ContentFile("第一版".encode()),
        name="投放计划.txt",
    )


@pytest.mark.browser
def test_the_note_typed_after_choosing_the_file_goes_up_with_the_version(
    page: Page, console_errors: list[str], plan: File
):
    login(page, "lead", PASSWORD)
    page.goto(f"/w/acme/files/{plan.pk}/")
    expect(page.get_by_test_id("upload-submit")).to_be_disabled()

    page.get_by_test_id("file-input").set_input_files(
        {"name": "投放计划-v2.txt", "mimeType": "text/plain", "buffer": "第二版".encode()}
    )
    # Choosing the file names it and waits: nothing is uploaded before the note is typed.
    expect(page.get_by_test_id("upload-chosen")).to_contain_text("投放计划-v2.txt")
    expect(page.get_by_test_id("upload-note")).to_be_focused()
    page.wait_for_timeout(300)
    assert FileVersion.objects.filter(file=plan).count() == 1

    page.get_by_test_id("upload-note").fill("改了预算")
    page.get_by_test_id("upload-submit").click()
    expect(page.get_by_test_id("current-version")).to_have_text("v2")
    expect(page.get_by_test_id("version-row")).to_have_count(2)
    expect(page.get_by_test_id("versions")).to_contain_text("改了预算")
    assert FileVersion.objects.get(file=plan, number=2).note == "改了预算"
    assert console_errors == []


@pytest.mark.browser
def test_the_share_forms_checkbox_sits_by_its_label(page: Page, plan: File):
    login(page, "lead", PASSWORD)
    page.goto(f"/w/acme/files/{plan.pk}/")
    label = page.locator("label.check", has=page.locator("input[name=require_login]"))
    box, text = label.evaluate(
        """(label) => {
            const input = label.querySelector("input");
            const node = [...label.childNodes].find(
                (n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
            const range = document.createRange();
            range.selectNodeContents(node);
            const r = input.getBoundingClientRect();
            const t = range.getClientRects()[0];
            return [{left: r.left, right: r.right, mid: (r.top + r.bottom) / 2},
                    {left: t.left, mid: (t.top + t.bottom) / 2}];
        }"""
    )
    assert 0 <= text["left"] - box["right"] <= 12, (box, text)
    assert box["right"] - box["left"] <= 24  # a checkbox, not a field-wide bar
    assert abs(text["mid"] - box["mid"]) <= 10  # on the label's first line
