"""The files API: uploads both ways, versions, restore, downloads, share links, folders,
and that nobody reaches a file of what they cannot see."""

from __future__ import annotations

import base64

from django.core.files.uploadedfile import SimpleUploadedFile

from opsloop.core.models import Role
from opsloop.files.models import File, ShareLink
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ProjectIn
from tests.conftest import ApiClient, add_member, membership_of
from tests.files.conftest import PNG, stored_blobs

API = "/api/v1/workspaces/acme"


def multipart(client: ApiClient, url: str, data: dict):
    return client.client.post(url, data, HTTP_AUTHORIZATION=f"Bearer {client.token}")


def download(client: ApiClient, url: str):
    """Follow the API's redirect to the signed URL and read the streamed bytes."""
    first = client.get(url)
    assert first.status_code == 302, first.content
    response = client.client.get(first["Location"])
    return response, b"".join(response.streaming_content) if response.status_code == 200 else b""


def test_multipart_upload_to_the_library_and_a_folder(api, project, file_storage_dir):
    folder = api.post(f"{API}/projects/D11/folders", {"name": "设计稿"}).json()
    response = multipart(
        api,
        f"{API}/files",
        {
            "project": "D11",
            "folder_id": folder["id"],
            "file": SimpleUploadedFile("双11海报.png", PNG),
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "双11海报.png" and body["folder_id"] == folder["id"]
    assert body["content_type"] == "image/png" and body["version"] == 1 and body["size"] == len(PNG)
    top = api.get(f"{API}/projects/D11/files").json()
    assert [f["name"] for f in top["folders"]] == ["设计稿"] and top["files"] == []
    inside = api.get(f"{API}/projects/D11/files", {"folder_id": folder["id"]}).json()
    assert [f["name"] for f in inside["files"]] == ["双11海报.png"]
    assert len(stored_blobs(file_storage_dir)) == 1


def test_json_upload_attached_to_an_item(api, item):
    content = base64.b64encode("备注".encode()).decode()
    response = api.post(
        f"{API}/files",
        {"item": item.ref, "name": "备注.txt", "content_base64": content},
    )
    assert response.status_code == 201, response.content
    assert response.json()["item"] == item.ref and response.json()["content_type"] == "text/plain"
    bad = api.post(f"{API}/files", {"item": "D11-999", "name": "x.txt", "content_base64": content})
    assert bad.status_code == 400 and bad.json()["field"] == "item"
    nowhere = api.post(f"{API}/files", {"name": "x.txt", "content_base64": content})
    assert nowhere.status_code == 400


def test_versions_download_and_restore(api, upload):
    file = upload(name="方案.txt", data="第一版".encode())
    url = f"{API}/files/{file.pk}/versions"
    response = multipart(
        api,
        url,
        {
            "file": SimpleUploadedFile("方案-v2.txt", "第二版".encode()),
            "note": "改了标题",
        },
    )
    assert response.status_code == 201 and response.json()["number"] == 2
    assert [v["number"] for v in api.get(url).json()] == [2, 1]
    response, data = download(api, f"{url}/1/download")
    assert data == "第一版".encode()
    assert response["Content-Type"] == "text/plain"
    assert "filename*=utf-8''%E6%96%B9%E6%A1%88.txt" in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    restored = api.post(f"{url}/1/restore")
    assert restored.status_code == 201 and restored.json()["number"] == 3
    assert api.get(f"{API}/files/{file.pk}").json()["version"] == 3
    _, data = download(api, f"{url}/3/download")
    assert data == "第一版".encode()
    assert api.post(f"{url}/3/restore").status_code == 409
    assert api.get(f"{url}/9/download").status_code == 404


def test_signed_download_url_expires_and_cannot_be_forged(api, upload, settings):
    file = upload()
    location = api.get(f"{API}/files/{file.pk}/versions/1/download")["Location"]
    assert api.client.get(location.replace("/files/d/", "/files/d/x")).status_code == 404
    from opsloop.files import serving

    settings_age = serving.SIGNED_MAX_AGE
    try:
        serving.SIGNED_MAX_AGE = -1
        assert api.client.get(location).status_code == 404
    finally:
        serving.SIGNED_MAX_AGE = settings_age


def test_rename_and_move_and_delete(
    api, upload, file_storage_dir, django_capture_on_commit_callbacks
):
    file = upload(name="a.png")
    folder = api.post(f"{API}/projects/D11/folders", {"name": "归档"}).json()
    response = api.patch(f"{API}/files/{file.pk}", {"name": "../b.png", "folder_id": folder["id"]})
    assert response.json()["name"] == "b.png" and response.json()["folder_id"] == folder["id"]
    assert api.delete(f"{API}/projects/D11/folders/{folder['id']}").status_code == 409
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"{API}/files/{file.pk}").status_code == 204
    assert not File.objects.exists()
    assert stored_blobs(file_storage_dir) == []
    assert api.delete(f"{API}/projects/D11/folders/{folder['id']}").status_code == 204


def test_folder_cannot_go_inside_itself(api, project):
    a = api.post(f"{API}/projects/D11/folders", {"name": "A"}).json()
    b = api.post(f"{API}/projects/D11/folders", {"name": "B", "parent_id": a["id"]}).json()
    assert (
        api.patch(f"{API}/projects/D11/folders/{a['id']}", {"parent_id": b["id"]}).status_code
        == 409
    )
    assert api.post(f"{API}/projects/D11/folders", {"name": "A"}).status_code == 409
    same_name_elsewhere = api.post(
        f"{API}/projects/D11/folders", {"name": "A", "parent_id": b["id"]}
    )
    assert same_name_elsewhere.status_code == 201


def test_share_links_by_api(api, upload):
    file = upload()
    response = api.post(
        f"{API}/files/{file.pk}/links", {"expires_in_days": 30, "require_login": True}
    )
    assert response.status_code == 201
    link = response.json()
    assert "/s/" in link["url"] and link["require_login"] and link["active"]
    listed = api.get(f"{API}/files/{file.pk}/links").json()
    assert "url" not in listed[0] and listed[0]["prefix"] == link["prefix"]
    raw = link["url"].rsplit("/s/", 1)[1].strip("/")
    assert ShareLink.objects.get().token_hash != raw and raw not in str(listed)
    assert api.post(f"{API}/files/{file.pk}/links", {"expires_in_days": 3}).status_code == 400
    assert api.post(f"{API}/files/{file.pk}/links", {"version": 7}).status_code == 400
    assert api.delete(f"{API}/files/{file.pk}/links/{link['id']}").status_code == 204
    assert api.get(f"{API}/files/{file.pk}/links").json()[0]["active"] is False


def test_files_of_a_private_project_stay_hidden(api, owner, workspace, member, upload):
    secret = work_actions.do_create_project(
        actor=membership_of(owner, workspace),
        data=ProjectIn(name="保密", key="SEC", visibility="private"),
    )
    file = upload(name="机密.png", project=secret)
    client = ApiClient(member)
    assert client.get(f"{API}/files/{file.pk}").status_code == 404
    assert client.get(f"{API}/files/{file.pk}/versions/1/download").status_code == 404
    assert client.get(f"{API}/projects/SEC/files").status_code == 404
    content = base64.b64encode(b"x").decode()
    response = client.post(
        f"{API}/files", {"project": "SEC", "name": "x.txt", "content_base64": content}
    )
    assert response.status_code == 400 and response.json()["field"] == "project"


def test_guests_read_but_do_not_upload(workspace, owner, project, upload):
    guest = add_member(workspace, "g2", Role.GUEST)
    work_actions.do_add_project_member(
        actor=membership_of(owner, workspace), project=project, user_id=guest.pk
    )
    file = upload()
    client = ApiClient(guest)
    assert client.get(f"{API}/files/{file.pk}").status_code == 200
    response = multipart(
        client,
        f"{API}/files",
        {"project": "D11", "file": SimpleUploadedFile("a.txt", b"a")},
    )
    assert response.status_code == 403
    assert File.objects.count() == 1


def test_library_listing_query_count(api, upload, project, django_assert_max_num_queries):
    for n in range(15):
        upload(name=f"{n}.png")
    with django_assert_max_num_queries(8):
        response = api.get(f"{API}/projects/D11/files")
    assert len(response.json()["files"]) == 15
