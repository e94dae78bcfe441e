"""Input and output shapes of files, versions, folders and share links, shared by pages
and the API."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field, StringConstraints, field_validator

from opsloop.core.inputs import Bool, Int
from opsloop.core.schemas import SINGLE_LINE, Out, UserOut

FolderName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120), SINGLE_LINE
]
FileName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255), SINGLE_LINE
]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300), SINGLE_LINE]
ProjectKey = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10), SINGLE_LINE]
ItemRef = Annotated[str, StringConstraints(strip_whitespace=True, max_length=24), SINGLE_LINE]
# About 1.9 MB of content once decoded; bigger files go as multipart/form-data.
MAX_BASE64 = 2_500_000
ShareDays = Literal[1, 7, 30]


class PlaceIn(Schema):
    """Where an upload goes: a project's library (optionally a folder), or attached to an
    item, a comment or a meeting. The project follows from what the file is attached to."""

    project: ProjectKey | None = Field(None, description="A project key, e.g. D11.")
    folder_id: Int | None = Field(None, description="A folder of the project's library.")
    item: ItemRef | None = Field(None, description="Attach to this item, e.g. D11-42.")
    comment_id: Int | None = Field(None, description="Attach to this comment.")
    meeting_id: Int | None = Field(None, description="Attach to this meeting.")
    note: Note = Field("", description="What this upload is, shown with the version.")


class ContentIn(Schema):
    """A file's content in a JSON body, for small files sent by scripts."""

    name: FileName = Field(description="The file name; directories in it are dropped.")
    content_base64: str = Field(description="The bytes, base64-encoded (at most about 1.9 MB).")

    @field_validator("content_base64")
    @classmethod
    def _decodes(cls, value: str) -> str:
        if len(value) > MAX_BASE64:
            raise ValueError("too long for a JSON upload; send multipart/form-data")
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("not valid base64") from None
        return value

    def content(self) -> bytes:
        return base64.b64decode(self.content_base64)


class UploadJsonIn(PlaceIn, ContentIn):
    pass


class VersionJsonIn(ContentIn):
    note: Note = ""


class FilePatch(Schema):
    name: FileName | None = None
    folder_id: Int | None = Field(
        None,
        description="Move to this folder of the project; null moves to the top level.",
    )


class FolderIn(Schema):
    name: FolderName
    parent_id: Int | None = None


class FolderPatch(Schema):
    name: FolderName | None = None
    parent_id: Int | None = Field(None, description="Move under this folder; null: top level.")


class ShareIn(Schema):
    version: Int | None = Field(
        None,
        description="The version number the link gives; the current one if left out.",
    )
    expires_in_days: ShareDays = 7
    require_login: Bool = Field(
        False, description="Only signed-in members of the workspace may download."
    )


class VersionOut(Out):
    number: int
    name: str = Field(validation_alias="original_name")
    size: int
    content_type: str
    sha256: str
    note: str
    uploaded_by: UserOut | None
    uploaded_at: datetime


class FolderOut(Out):
    id: int
    name: str
    parent_id: int | None
    created_at: datetime


class FileOut(Out):
    id: int
    name: str
    project: str | None = Field(validation_alias="project_key", description="Project key.")
    folder_id: int | None
    item: str | None = Field(validation_alias="item_ref", description="Attached to this item.")
    comment_id: int | None
    meeting_id: int | None
    size: int = Field(validation_alias="current_size", description="Bytes of the current version.")
    size_total: int = Field(description="Bytes of all versions together.")
    content_type: str = Field(validation_alias="current_type")
    version: int = Field(validation_alias="current_number", description="The current version.")
    created_by: UserOut | None
    created_at: datetime
    updated_at: datetime


class LibraryOut(Schema):
    folder: FolderOut | None = Field(description="The folder listed; null for the top level.")
    path: list[FolderOut] = Field(description="Its ancestors, from the top level down.")
    folders: list[FolderOut]
    files: list[FileOut]


class ShareLinkOut(Out):
    id: int
    version: int = Field(validation_alias="version_number")
    prefix: str = Field(description="The first characters of the token, to tell links apart.")
    require_login: bool
    created_by: UserOut | None
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    download_count: int
    active: bool = Field(validation_alias="is_active")


class ShareLinkCreatedOut(ShareLinkOut):
    url: str = Field(description="The link itself. It is shown only this once.")
