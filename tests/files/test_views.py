"""Pages of the file library, the file page, previews and share links."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from opsloop.core.models import Role
from opsloop.files import actions
from opsloop.files.models import File, ShareLink
from opsloop.files.schemas import ShareIn
from tests.conftest import PASSWORD, add_member, make_user
from tests.files.conftest import PDF, PNG

HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'


def login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def browser(owner):
    return login(owner)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_library_page_lists_folders_and_files(
    browser, upload, project, django_assert_max_num_queries
):
    for n in range(12):
        upload(name=f"图{n}.png")
    browser.post("/w/acme/p/D11/files/", {"op": "new_folder", "name": "设计稿"})
    with django_assert_max_num_queries(14):
        response = browser.get("/w/acme/p/D11/files/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "设计稿" in html and html.count('data-testid="file-row"') == 12
    assert 'data-testid="tab-files"' in html


def test_several_files_at_once_without_javascript(browser, project):
    response = browser.post(
        "/w/acme/files/upload/",
        {
            "project": "D11",
            "next": "/w/acme/p/D11/files/",
            "file": [
                SimpleUploadedFile("一.txt", b"1"),
                SimpleUploadedFile("二.png", PNG),
            ],
        },
    )
    assert response.status_code == 302 and response["Location"] == "/w/acme/p/D11/files/"
    assert sorted(File.objects.values_list("name", flat=True)) == ["一.txt", "二.png"]


def test_the_page_script_gets_json(browser, project):
    response = browser.post(
        "/w/acme/files/upload/",
        {"project": "D11", "file": SimpleUploadedFile("a.png", PNG)},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 201
    assert response.json()["files"][0]["name"] == "a.png"
    too_big = browser.post(
        "/w/acme/files/upload/",
        {"project": "D11", "file": SimpleUploadedFile("b.bin", b"x" * 1_500_000)},
        HTTP_ACCEPT="application/json",
    )
    assert too_big.status_code == 413 and too_big.json()["code"] == "too_large"


def test_folders_rename_move_and_delete_from_the_library(browser, upload, project):
    browser.post("/w/acme/p/D11/files/", {"op": "new_folder", "name": "A"})
    browser.post("/w/acme/p/D11/files/", {"op": "new_folder", "name": "B"})
    a, b = project.folders.order_by("name")
    browser.post("/w/acme/p/D11/files/", {"op": "rename_folder", "folder": a.pk, "name": "甲"})
    browser.post("/w/acme/p/D11/files/", {"op": "move_folder", "folder": b.pk, "parent_id": a.pk})
    file = upload()
    browser.post("/w/acme/p/D11/files/", {"op": "move_file", "file": file.pk, "folder_id": b.pk})
    page = browser.get(f"/w/acme/p/D11/files/?folder={b.pk}").content.decode()
    assert "甲" in page and "海报.png" in page  # breadcrumbs and the moved file
    refused = browser.post("/w/acme/p/D11/files/", {"op": "delete_folder", "folder": a.pk})
    assert refused.status_code == 409
    browser.post("/w/acme/p/D11/files/", {"op": "delete_file", "file": file.pk})
    browser.post("/w/acme/p/D11/files/", {"op": "delete_folder", "folder": b.pk})
    assert list(project.folders.values_list("name", flat=True)) == ["甲"]
    assert not File.objects.exists()


def test_file_page_new_version_and_restore(browser, upload):
    file = upload(name="海报.png")
    url = f"/w/acme/files/{file.pk}/"
    response = browser.post(
        url,
        {
            "op": "new_version",
            "note": "换了主图",
            "file": SimpleUploadedFile("new.png", PNG),
        },
    )
    assert response.status_code == 302
    html = browser.get(url).content.decode()
    assert html.count('data-testid="version-row"') == 2 and "换了主图" in html
    browser.post(url, {"op": "restore", "number": 1})
    file.refresh_from_db()
    assert file.current_number == 3 and file.versions.count() == 3


def test_preview_only_for_images_and_pdf(browser, upload):
    for data, name, inline in [
        (PNG, "a.png", True),
        (PDF, "a.pdf", True),
        (HTML, "x.png", False),
        (SVG, "x.svg", False),
        (HTML, "x.html", False),
    ]:
        file = upload(name=name, data=data)
        preview = browser.get(f"/w/acme/files/{file.pk}/v/1/preview/")
        download = browser.get(f"/w/acme/files/{file.pk}/v/1/")
        assert download["Content-Disposition"].startswith("attachment")
        assert "text/html" not in download["Content-Type"] and "svg" not in download["Content-Type"]
        assert download["X-Content-Type-Options"] == "nosniff"
        if inline:
            assert preview.status_code == 200 and preview["Content-Disposition"].startswith(
                "inline"
            )
            assert preview["X-Frame-Options"] == "SAMEORIGIN"
        else:
            assert preview.status_code == 404
        page = browser.get(f"/w/acme/files/{file.pk}/").content.decode()
        assert ("/preview/" in page) is inline


def test_png_named_txt_is_served_as_png(browser, upload):
    file = upload(name="notes.txt", data=PNG)
    response = browser.get(f"/w/acme/files/{file.pk}/v/1/")
    assert response["Content-Type"] == "image/png"
    assert body(response) == PNG


def test_chinese_name_in_content_disposition(browser, upload):
    file = upload(name="双11海报.png")
    response = browser.get(f"/w/acme/files/{file.pk}/v/1/")
    assert (
        response["Content-Disposition"]
        == "attachment; filename*=utf-8''%E5%8F%8C11%E6%B5%B7%E6%8A%A5.png"
    )


def _share(browser, file, **fields):
    browser.post(f"/w/acme/files/{file.pk}/", {"op": "share", "expires_in_days": "7", **fields})
    page = browser.get(f"/w/acme/files/{file.pk}/").content.decode()
    start = page.index('data-testid="new-link-url"')
    url = page[
        page.index("value=", start - 200) + 7 : page.index(
            '"', page.index("value=", start - 200) + 7
        )
    ]
    assert "/s/" in url
    again = browser.get(f"/w/acme/files/{file.pk}/").content.decode()
    assert url not in again  # shown only once
    return url.split("testserver", 1)[1]


def test_share_link_gives_exactly_one_version(browser, upload, project):
    file = upload(name="方案.txt", data=b"v1")
    actions.do_upload_version(
        actor=file.created_by.memberships.get(),
        file=file,
        content=SimpleUploadedFile("x", b"v2"),
        name="方案.txt",
    )
    path = _share(browser, file, version="1")
    public = Client()
    page = public.get(path)
    html = page.content.decode()
    assert page.status_code == 200 and "方案.txt" in html
    assert "双十一大促" not in html and "Acme" not in html  # no workspace data
    download = public.get(path + "download/")
    assert body(download) == b"v1"
    assert download["Content-Disposition"].startswith("attachment")
    assert public.get(f"/w/acme/files/{file.pk}/").status_code == 302  # the file page needs login
    assert public.get(f"/w/acme/files/{file.pk}/v/2/").status_code == 302
    assert ShareLink.objects.get().download_count == 1


def _new_version(file, name: str, data: bytes):
    return actions.do_upload_version(
        actor=file.created_by.memberships.get(),
        file=file,
        content=SimpleUploadedFile("x", data),
        name=name,
    )


def test_share_link_of_version_2_downloads_under_version_2s_name(browser, upload, api):
    file = upload(name="plan.txt", data=b"v1")
    _new_version(file, "plan-v2.pdf", PDF)
    path = _share(browser, file, version="2")
    public = Client()
    assert "plan-v2.pdf" in public.get(path).content.decode()
    download = public.get(path + "download/")
    assert body(download) == PDF
    assert download["Content-Disposition"] == 'attachment; filename="plan-v2.pdf"'
    # The link to version 1 still gives version 1 under its own name.
    first = public.get(_share(browser, file, version="1") + "download/")
    assert first["Content-Disposition"] == 'attachment; filename="plan.txt"'
    # The file page's download of each version, and the API's signed URL, agree.
    page = browser.get(f"/w/acme/files/{file.pk}/v/2/")
    assert page["Content-Disposition"] == 'attachment; filename="plan-v2.pdf"'
    signed = api.get(f"/api/v1/workspaces/acme/files/{file.pk}/versions/2/download")
    assert signed.status_code == 302
    via_api = api.client.get(signed["Location"])
    assert via_api["Content-Disposition"] == 'attachment; filename="plan-v2.pdf"'


def test_a_renamed_file_downloads_under_its_name_with_each_versions_extension(browser, upload):
    file = upload(name="IMG_2031.png")
    _new_version(file, "poster-final.pdf", PDF)
    browser.post(f"/w/acme/files/{file.pk}/", {"op": "rename", "name": "双11海报.png"})
    v1 = browser.get(f"/w/acme/files/{file.pk}/v/1/")
    assert v1["Content-Disposition"].endswith("%E5%8F%8C11%E6%B5%B7%E6%8A%A5.png")
    v2 = browser.get(f"/w/acme/files/{file.pk}/v/2/")
    assert v2["Content-Disposition"].endswith("%E5%8F%8C11%E6%B5%B7%E6%8A%A5.pdf")


def test_expired_revoked_and_unknown_links_are_404(browser, upload, owner, workspace):
    file = upload()
    path = _share(browser, file)
    link = ShareLink.objects.get()
    assert Client().get(path).status_code == 200
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Client().get(path).status_code == 404
    assert Client().get(path + "download/").status_code == 404
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() + timedelta(days=1))
    browser.post(f"/w/acme/files/{file.pk}/", {"op": "revoke", "link": link.pk})
    assert Client().get(path).status_code == 404
    assert Client().get(path + "download/").status_code == 404
    assert Client().get("/s/not-a-token/").status_code == 404


def test_require_login_link_is_for_members_only(browser, upload, workspace):
    file = upload()
    path = _share(browser, file, require_login="1")
    anonymous = Client().get(path)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert login(make_user("stranger")).get(path).status_code == 404
    guest = add_member(workspace, "g3", Role.GUEST)  # any member, even one not in the project
    assert login(guest).get(path).status_code == 200
    assert body(login(guest).get(path + "download/")) == PNG


def test_share_link_created_by_action_reaches_only_its_version(upload, owner_ms):
    file = upload(data=b"one", name="a.txt")
    actions.do_upload_version(
        actor=owner_ms, file=file, content=SimpleUploadedFile("b", b"two"), name="a.txt"
    )
    first = file.versions.get(number=1)
    raw = actions.do_create_share_link(actor=owner_ms, file=file, version=first, data=ShareIn()).raw
    assert body(Client().get(f"/s/{raw}/download/")) == b"one"


def test_attachments_on_the_item_page(browser, item, upload):
    upload(name="参考图.png", item=item, project=item.project)
    html = browser.get(f"/w/acme/i/{item.ref}/").content.decode()
    assert "参考图.png" in html and 'data-testid="attachments"' in html
    assert 'name="item" value="D11-1"' in html


def test_a_member_cannot_delete_someone_elses_file(workspace, upload):
    member = add_member(workspace, "m2", Role.MEMBER)
    file = upload()
    client = login(member)
    assert client.post(f"/w/acme/files/{file.pk}/", {"op": "delete"}).status_code == 403
    assert 'data-testid="download"' in client.get(f"/w/acme/files/{file.pk}/").content.decode()
    assert File.objects.filter(pk=file.pk).exists()
