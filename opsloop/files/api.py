"""API of the file library: files, versions, folders and share links."""

from __future__ import annotations

from django.conf import settings
from django.core.files import File as DjangoFile
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import BaseModel

from opsloop.core.errors import Invalid, NotFound
from opsloop.core.inputs import Int, json_body, parse_input
from opsloop.core.queries import access_workspace
from opsloop.core.schemas import ERROR_CODES, ErrorOut
from opsloop.files import actions
from opsloop.files.models import File, FileVersion, Folder, ShareLink
from opsloop.files.queries import (
    EDIT,
    access_file,
    folder_path,
    get_folder,
    get_share_link,
    get_version,
    library_files,
    list_folders,
    list_share_links,
    list_versions,
    resolve_place,
)
from opsloop.files.schemas import (
    FileOut,
    FilePatch,
    FolderIn,
    FolderOut,
    FolderPatch,
    LibraryOut,
    PlaceIn,
    ShareIn,
    ShareLinkCreatedOut,
    ShareLinkOut,
    UploadJsonIn,
    VersionJsonIn,
    VersionOut,
)
from opsloop.files.serving import signed_download_path
from opsloop.files.uploads import (
    body_too_large,
    is_multipart,
    too_large_error,
    upload_was_too_large,
    uploaded_file,
)
from opsloop.work.queries import access_project

router = Router()

FILES = ["Files"]
ERRORS = {ERROR_CODES: ErrorOut}
UPLOAD_ERRORS = {ERROR_CODES | {413}: ErrorOut}
WS_FILES = "/workspaces/{slug}/files"
FILE = WS_FILES + "/{file_id}"
FOLDERS = "/workspaces/{slug}/projects/{key}/folders"
PLACE_FIELDS = ("project", "folder_id", "item", "comment_id", "meeting_id", "note")


def _upload_body(json_schema: type[BaseModel], description: str) -> dict:
    """Both ways to send a file, for the OpenAPI document (the handler reads either)."""
    fields = {
        "file": {"type": "string", "format": "binary"},
        **{
            name: {"type": "integer" if name.endswith("_id") else "string"}
            for name in PLACE_FIELDS
            if json_schema is UploadJsonIn or name == "note"
        },
    }
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": fields,
                        "required": ["file"],
                    }
                },
                "application/json": {"schema": json_schema.model_json_schema()},
            },
        }
    }


def _read_upload(
    request: HttpRequest, json_schema: type[BaseModel]
) -> tuple[DjangoFile, str, dict]:
    """The uploaded file, its name and the other fields, from multipart or JSON."""
    if body_too_large(request) or upload_was_too_large(request):
        raise too_large_error()
    if is_multipart(request):
        upload = uploaded_file(request)
        fields = {k: request.POST[k] for k in PLACE_FIELDS if request.POST.get(k, "") != ""}
        return upload, upload.name or "", fields
    if len(request.body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        raise too_large_error()
    data = parse_input(json_schema, json_body(request))
    fields = data.model_dump(exclude={"name", "content_base64"})
    content = actions.content_from_json(data.content(), data.name)  # type: ignore[attr-defined]
    return content, data.name, fields  # type: ignore[attr-defined]


class LibraryQuery(Schema):
    folder_id: Int | None = None


@router.get(
    "/workspaces/{slug}/projects/{key}/files",
    response={200: LibraryOut, **ERRORS},
    summary="List a project's file library",
    description="The folders and files in one folder (folder_id), or at the top level. "
    "Files attached to items and comments of the project are at the top level unless moved.",
    tags=FILES,
)
def get_library(request: HttpRequest, slug: str, key: str, query: Query[LibraryQuery]) -> dict:
    project = access_project(request.auth, slug, key).project
    folder = get_folder(project, query.folder_id) if query.folder_id else None
    folders = list_folders(project)
    return {
        "folder": folder,
        "path": folder_path(folder, folders)[:-1] if folder else [],
        "folders": [f for f in folders if f.parent_id == (folder.pk if folder else None)],
        "files": list(library_files(project, folder)),
    }


@router.post(
    WS_FILES,
    response={201: FileOut, **UPLOAD_ERRORS},
    summary="Upload a file",
    description="multipart/form-data with the file in `file`, or a JSON body with `name` and "
    "`content_base64` for small files. Say where it goes: `project` (and `folder_id`) for the "
    "library, or one of `item`, `comment_id`, `meeting_id` to attach it. Members and above; "
    "413 past OPSLOOP_MAX_UPLOAD_MB or the workspace's quota.",
    tags=FILES,
    openapi_extra=_upload_body(UploadJsonIn, "The file and where it goes."),
)
def upload_file(request: HttpRequest, slug: str) -> Status[File]:
    membership = access_workspace(request.auth, slug)
    content, name, fields = _read_upload(request, UploadJsonIn)
    data = parse_input(PlaceIn, fields)
    place = resolve_place(membership, data)
    file = actions.do_upload_file(
        actor=membership, place=place, content=content, name=name, note=data.note
    )
    return Status(201, file)


@router.get(FILE, response={200: FileOut, **ERRORS}, summary="Get a file", tags=FILES)
def get_file(request: HttpRequest, slug: str, file_id: int) -> File:
    return access_file(request.auth, slug, file_id).file


@router.patch(
    FILE,
    response={200: FileOut, **ERRORS},
    summary="Rename or move a file",
    description="`folder_id` moves a library file to a folder of its project (null: top level).",
    tags=FILES,
)
def update_file(request: HttpRequest, slug: str, file_id: int, payload: FilePatch) -> File:
    access = access_file(request.auth, slug, file_id, EDIT)
    return actions.do_update_file(actor=access.membership, file=access.file, data=payload)


@router.delete(
    FILE,
    response={204: None, **ERRORS},
    summary="Delete a file",
    description="With all its versions and share links. Its uploader, the project's owner "
    "or an admin.",
    tags=FILES,
)
def delete_file(request: HttpRequest, slug: str, file_id: int) -> Status[None]:
    access = access_file(request.auth, slug, file_id)
    actions.do_delete_file(actor=access.membership, file=access.file)
    return Status(204, None)


@router.get(
    FILE + "/versions",
    response={200: list[VersionOut], **ERRORS},
    summary="List a file's versions",
    description="Newest first.",
    tags=FILES,
)
def get_versions(request: HttpRequest, slug: str, file_id: int) -> QuerySet[FileVersion]:
    return list_versions(access_file(request.auth, slug, file_id).file)


@router.post(
    FILE + "/versions",
    response={201: VersionOut, **UPLOAD_ERRORS},
    summary="Upload a new version",
    description="Replaces the file's content; the old versions stay. multipart/form-data "
    "(`file`, optional `note`) or JSON (`name`, `content_base64`, `note`).",
    tags=FILES,
    openapi_extra=_upload_body(VersionJsonIn, "The new content."),
)
def upload_version(request: HttpRequest, slug: str, file_id: int) -> Status[FileVersion]:
    access = access_file(request.auth, slug, file_id, EDIT)
    content, name, fields = _read_upload(request, VersionJsonIn)
    note = parse_input(PlaceIn, {"note": fields.get("note", "")}).note
    version = actions.do_upload_version(
        actor=access.membership, file=access.file, content=content, name=name, note=note
    )
    return Status(201, version)


@router.post(
    FILE + "/versions/{number}/restore",
    response={201: VersionOut, 413: ErrorOut, **ERRORS},
    summary="Restore a version",
    description="A new version with that version's content; 409 if it is the current one.",
    tags=FILES,
)
def restore_version(
    request: HttpRequest, slug: str, file_id: int, number: int
) -> Status[FileVersion]:
    access = access_file(request.auth, slug, file_id, EDIT)
    version = get_version(access.file, number)
    return Status(
        201,
        actions.do_restore_version(actor=access.membership, file=access.file, version=version),
    )


@router.get(
    FILE + "/versions/{number}/download",
    response={302: None, **ERRORS},
    summary="Download a version",
    description="Answers 302 with a URL that serves the bytes for the next five minutes "
    "(follow redirects: `curl -L`), as an attachment with the sniffed content type.",
    tags=FILES,
)
def download_version(request: HttpRequest, slug: str, file_id: int, number: int):
    file = access_file(request.auth, slug, file_id).file
    return HttpResponseRedirect(signed_download_path(get_version(file, number)))


@router.get(
    FILE + "/links",
    response={200: list[ShareLinkOut], **ERRORS},
    summary="List a file's share links",
    description="Active, expired and revoked. Members and above.",
    tags=FILES,
)
def get_links(request: HttpRequest, slug: str, file_id: int) -> QuerySet[ShareLink]:
    return list_share_links(access_file(request.auth, slug, file_id, EDIT).file)


@router.post(
    FILE + "/links",
    response={201: ShareLinkCreatedOut, **ERRORS},
    summary="Share a version by link",
    description="A link to exactly one version (the current one unless `version` says), "
    "expiring after 1, 7 or 30 days; with `require_login` only members of the workspace "
    "may use it. The URL is in this answer only.",
    tags=FILES,
)
def create_link(request: HttpRequest, slug: str, file_id: int, payload: ShareIn) -> Status[dict]:
    access = access_file(request.auth, slug, file_id, EDIT)
    try:
        version = get_version(access.file, payload.version)
    except NotFound:
        raise Invalid(_("No such version."), field="version") from None
    created = actions.do_create_share_link(
        actor=access.membership, file=access.file, version=version, data=payload
    )
    out = ShareLinkOut.model_validate(created.link).model_dump()
    url = request.build_absolute_uri(reverse("share", args=[created.raw]))
    return Status(201, {**out, "url": url})


@router.delete(
    FILE + "/links/{link_id}",
    response={204: None, **ERRORS},
    summary="Revoke a share link",
    description="The link answers 404 from now on; it stays listed as revoked.",
    tags=FILES,
)
def revoke_link(request: HttpRequest, slug: str, file_id: int, link_id: int) -> Status[None]:
    access = access_file(request.auth, slug, file_id, EDIT)
    link = get_share_link(access.file, link_id)
    actions.do_revoke_share_link(actor=access.membership, file=access.file, link=link)
    return Status(204, None)


@router.get(
    FOLDERS,
    response={200: list[FolderOut], **ERRORS},
    summary="List a project's folders",
    description="All of them, each with its parent_id.",
    tags=FILES,
)
def get_folders(request: HttpRequest, slug: str, key: str) -> list[Folder]:
    return list_folders(access_project(request.auth, slug, key).project)


@router.post(
    FOLDERS,
    response={201: FolderOut, **ERRORS},
    summary="Create a folder",
    description="Names are unique within their parent folder. Members and above.",
    tags=FILES,
)
def create_folder(request: HttpRequest, slug: str, key: str, payload: FolderIn) -> Status[Folder]:
    access = access_project(request.auth, slug, key, EDIT)
    return Status(
        201,
        actions.do_create_folder(actor=access.membership, project=access.project, data=payload),
    )


@router.patch(
    FOLDERS + "/{folder_id}",
    response={200: FolderOut, **ERRORS},
    summary="Rename or move a folder",
    tags=FILES,
)
def update_folder(
    request: HttpRequest, slug: str, key: str, folder_id: int, payload: FolderPatch
) -> Folder:
    access = access_project(request.auth, slug, key, EDIT)
    folder = get_folder(access.project, folder_id)
    return actions.do_update_folder(actor=access.membership, folder=folder, data=payload)


@router.delete(
    FOLDERS + "/{folder_id}",
    response={204: None, **ERRORS},
    summary="Delete a folder",
    description="Only an empty one (409 otherwise).",
    tags=FILES,
)
def delete_folder(request: HttpRequest, slug: str, key: str, folder_id: int) -> Status[None]:
    access = access_project(request.auth, slug, key, EDIT)
    actions.do_delete_folder(actor=access.membership, folder=get_folder(access.project, folder_id))
    return Status(204, None)
