"""Who may call this app's API routes and pages (see tests/test_api_permissions.py and
tests/test_page_permissions.py, which read this module)."""

from __future__ import annotations

import base64

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from opsloop.files import actions
from opsloop.files.queries import Place
from opsloop.files.schemas import FolderIn, ShareIn
from opsloop.goals import actions as goal_actions
from opsloop.goals.schemas import KpiIn
from tests.files.importer import KIND as IMPORT_KIND

ALL_READ = "200 200 200 200 404"
ALL_EDIT = "200 200 200 403 404"
CREATE = "201 201 201 403 404"
FILE = "/workspaces/{slug}/files/{file_id}"
FOLDERS = "/workspaces/{slug}/projects/{key}/folders"
IMPORTS = "/workspaces/{slug}/imports/{kind}"
VALUES = "日期,粉丝数\n2026-11-01,1000\n"
# 1x1 transparent PNG: previewable, so the preview page answers.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


# (method, path) -> (statuses of owner admin member guest outsider on a shared project, body)
API_ROUTES: dict = {
    ("GET", "/workspaces/{slug}/projects/{key}/files"): (ALL_READ, None),
    ("POST", "/workspaces/{slug}/files"): (
        CREATE,
        lambda c: {
            "project": c.get("key"),
            "name": "上传.txt",
            "content_base64": _b64("你好"),
        },
    ),
    ("GET", FILE): (ALL_READ, None),
    ("PATCH", FILE): (ALL_EDIT, lambda c: {"name": "改名.json"}),
    # The file is the owner's: its uploader, the project's owner or an admin deletes it.
    ("DELETE", FILE): ("204 204 403 403 404", None),
    ("GET", FILE + "/versions"): (ALL_READ, None),
    ("POST", FILE + "/versions"): (
        CREATE,
        lambda c: {
            "name": "数据.json",
            "content_base64": _b64('{"v": 3}'),
            "note": "第三版",
        },
    ),
    ("POST", FILE + "/versions/{number}/restore"): (CREATE, None),
    # A redirect to a short-lived signed URL of the bytes.
    ("GET", FILE + "/versions/{number}/download"): ("302 302 302 302 404", None),
    ("GET", FILE + "/links"): (ALL_EDIT, None),
    ("POST", FILE + "/links"): (CREATE, lambda c: {"expires_in_days": 7}),
    ("DELETE", FILE + "/links/{link_id}"): ("204 204 204 403 404", None),
    ("GET", FOLDERS): (ALL_READ, None),
    ("POST", FOLDERS): (CREATE, lambda c: {"name": "新文件夹"}),
    ("PATCH", FOLDERS + "/{folder_id}"): (ALL_EDIT, lambda c: {"name": "改名"}),
    ("DELETE", FOLDERS + "/{folder_id}"): ("204 204 204 403 404", None),
    # Imports (tests/files/importer.py's kind, a manual KPI's values): members and above.
    ("POST", IMPORTS + "/preview"): (
        ALL_EDIT,
        lambda c: {
            "name": "值.csv",
            "content_base64": _b64(VALUES),
            "target": str(c.get("kpi_id", 1)),
        },
    ),
    ("POST", IMPORTS): (
        CREATE,
        lambda c: {
            "name": "值.csv",
            "content_base64": _b64(VALUES),
            "target": str(c.get("kpi_id", 1)),
        },
    ),
}

_OK = dict(owner="ok", admin="ok", member="ok")
PAGE_CASES: list = [
    (
        "GET",
        "project_files",
        "/w/acme/p/D11/files/",
        dict(**_OK, guest=404, shared_guest="ok", outsider=404),
    ),
    (
        "GET",
        "project_files",
        "/w/acme/p/SEC/files/",
        dict(
            owner="ok",
            admin="ok",
            member=404,
            guest=404,
            shared_guest=404,
            outsider=404,
        ),
    ),
    (
        "POST",
        "project_files",
        "/w/acme/p/D11/files/",
        dict(**_OK, guest=404, shared_guest=403, outsider=404),
    ),
    # The form names the project; one the guest cannot see is a bad field, not a page.
    (
        "POST",
        "files_upload",
        "/w/acme/files/upload/",
        dict(**_OK, guest=400, shared_guest=403, outsider=404),
    ),
    (
        "GET",
        "file",
        "/w/acme/files/{file_id}/",
        dict(**_OK, guest=404, shared_guest="ok", outsider=404),
    ),
    (
        "POST",
        "file",
        "/w/acme/files/{file_id}/",
        dict(**_OK, guest=404, shared_guest=403, outsider=404),
    ),
    (
        "GET",
        "file_download",
        "/w/acme/files/{file_id}/v/1/",
        dict(**_OK, guest=404, shared_guest="ok", outsider=404),
    ),
    (
        "GET",
        "file_preview",
        "/w/acme/files/{file_id}/v/1/preview/",
        dict(**_OK, guest=404, shared_guest="ok", outsider=404),
    ),
    (
        "GET",
        "import_file",
        "/w/acme/import/" + IMPORT_KIND + "/?target={kpi_id}",
        dict(**_OK, guest=403, shared_guest=403, outsider=404),
    ),
    (
        "POST",
        "import_file",
        "/w/acme/import/" + IMPORT_KIND + "/?target={kpi_id}",
        dict(**_OK, guest=403, shared_guest=403, outsider=404),
    ),
]
PAGE_POST_DATA: dict = {
    "project_files": {"op": "new_folder", "name": "新文件夹"},
    "files_upload": lambda c: {
        "project": "D11",
        "file": SimpleUploadedFile("说明.txt", "你好".encode(), content_type="text/plain"),
    },
    "file": {"op": "rename", "name": "改名.png"},
    "import_file": lambda c: {
        "op": "upload",
        "file": SimpleUploadedFile("值.csv", VALUES.encode()),
    },
}


def project_context(*, owner_ms, project, item, tag) -> dict:
    """Ids the API routes above need, made in `project` (its names carry `tag`)."""
    file = actions.do_upload_file(
        actor=owner_ms,
        place=Place(project=project),
        content=ContentFile(b'{"v": 1}'),
        name=f"{tag} 数据.json",
    )
    actions.do_upload_version(
        actor=owner_ms,
        file=file,
        content=ContentFile(b'{"v": 2}'),
        name=f"{tag} 数据.json",
    )
    link = actions.do_create_share_link(
        actor=owner_ms, file=file, version=file.current_version, data=ShareIn()
    ).link
    folder = actions.do_create_folder(
        actor=owner_ms, project=project, data=FolderIn(name=f"{tag} 文件夹")
    )
    kpi = goal_actions.do_create_kpi(
        actor=owner_ms, data=KpiIn(name=f"粉丝 {project.key}", source="manual", unit="人")
    )
    return {
        "file_id": file.pk,
        "number": 1,
        "link_id": link.pk,
        "folder_id": folder.pk,
        "kpi_id": kpi.pk,
        "kind": IMPORT_KIND,
    }


def page_context(*, owner_ms, project, item) -> dict:
    """Ids the pages above need, made in D11."""
    file = actions.do_upload_file(
        actor=owner_ms,
        place=Place(project=project),
        content=ContentFile(PNG),
        name="海报.png",
    )
    kpi = goal_actions.do_create_kpi(
        actor=owner_ms, data=KpiIn(name="页面粉丝", source="manual", unit="人")
    )
    return {"file_id": file.pk, "kpi_id": kpi.pk}
