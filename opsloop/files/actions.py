"""Writes of files, versions, folders and share links: checks, blobs, quota.

A blob is written before its rows and deleted again when the rows cannot be; rows are
deleted first and their blobs once that has committed (see apps.FilesConfig.ready), so
a failure leaves at worst an unreferenced blob, never a row without its content."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.files import File as DjangoFile
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from opsloop.core.errors import Conflict, Invalid
from opsloop.core.models import Membership, Workspace
from opsloop.core.queries import hash_token
from opsloop.core.rows import lock_current, save_changed
from opsloop.files.models import File, FileVersion, Folder, ShareLink
from opsloop.files.queries import (
    EDIT,
    MANAGE,
    Place,
    check_file_permission,
    get_folder,
    workspace_usage,
)
from opsloop.files.schemas import FilePatch, FolderIn, FolderPatch, ShareIn
from opsloop.files.storage import file_storage, save_blob
from opsloop.files.uploads import (  # TooLarge and too_large_error: actions' errors too
    Received,
    TooLarge,
    clean_name,
    max_upload_bytes,
    receive,
    too_large_error,
    workspace_quota_bytes,
)
from opsloop.work.models import Project
from opsloop.work.queries import check_project_permission


def check_upload_size(size: int, workspace_id: int) -> None:
    """Per-file limit and workspace quota, checked before anything is stored."""
    if size > max_upload_bytes():
        raise too_large_error()
    quota = workspace_quota_bytes()
    if workspace_usage(workspace_id) + size > quota:
        raise TooLarge(
            _("The workspace's storage is full (%(max)s); delete old files or versions first.")
            % {"max": filesizeformat(quota)},
            field="file",
        )


def _store(workspace_id: int, received: Received) -> str:
    check_upload_size(received.size, workspace_id)
    return save_blob(workspace_id, received.content)


def _version_row(
    *,
    actor: Membership,
    file: File,
    number: int,
    blob: str,
    received: Received,
    note: str,
) -> FileVersion:
    return FileVersion.objects.create(
        file=file,
        number=number,
        blob=blob,
        original_name=received.name,
        size=received.size,
        content_type=received.content_type,
        sha256=received.sha256,
        note=note,
        uploaded_by=actor.user,
    )


def _locked_quota_check(workspace_id: int, size: int) -> None:
    # Concurrent uploads of one workspace queue here, so two cannot both fit the last space.
    Workspace.objects.select_for_update().filter(pk=workspace_id).first()
    if workspace_usage(workspace_id) + size > workspace_quota_bytes():
        check_upload_size(size, workspace_id)


def do_upload_file(
    *, actor: Membership, place: Place, content: DjangoFile, name: str, note: str = ""
) -> File:
    """A new file (version 1) at a place resolve_place checked."""
    received = receive(content, name)
    workspace_id = actor.workspace_id
    blob = _store(workspace_id, received)
    try:
        with transaction.atomic():
            _locked_quota_check(workspace_id, received.size)
            file = File.objects.create(
                workspace_id=workspace_id,
                project=place.project,
                folder=place.folder,
                item=place.item,
                comment=place.comment,
                meeting=place.meeting,
                name=received.name,
                size_total=received.size,
                created_by=actor.user,
                updated_by=actor.user,
            )
            version = _version_row(
                actor=actor,
                file=file,
                number=1,
                blob=blob,
                received=received,
                note=note,
            )
            file.current_version = version
            file.save(update_fields=["current_version"])
    except BaseException:
        file_storage().delete(blob)
        raise
    return file


def _add_version(*, actor: Membership, file: File, received: Received, note: str) -> FileVersion:
    blob = _store(file.workspace_id, received)
    try:
        with transaction.atomic():
            _locked_quota_check(file.workspace_id, received.size)
            locked = File.objects.select_for_update().get(pk=file.pk)
            number = (
                locked.versions.order_by("-number").values_list("number", flat=True).first() or 0
            ) + 1
            version = _version_row(
                actor=actor,
                file=file,
                number=number,
                blob=blob,
                received=received,
                note=note,
            )
            File.objects.filter(pk=file.pk).update(
                current_version=version,
                size_total=F("size_total") + received.size,
                updated_by=actor.user,
                updated_at=timezone.now(),
            )
    except BaseException:
        file_storage().delete(blob)
        raise
    file.refresh_from_db()
    file.current_version = version
    return version


def do_upload_version(
    *, actor: Membership, file: File, content: DjangoFile, name: str, note: str = ""
) -> FileVersion:
    """Replace a file's content: a new version; the old ones stay."""
    check_file_permission(actor, file, EDIT)
    return _add_version(actor=actor, file=file, received=receive(content, name), note=note)


def do_restore_version(*, actor: Membership, file: File, version: FileVersion) -> FileVersion:
    """Make an old version current again, as a new version with a copy of its content."""
    check_file_permission(actor, file, EDIT)
    if version.number == file.current_number:
        raise Conflict(_("Version %(n)d is already the current one.") % {"n": version.number})
    with file_storage().open(version.blob, "rb") as source:
        content = ContentFile(source.read())
    received = Received(
        content=content,
        name=version.original_name,
        size=version.size,
        content_type=version.content_type,
        sha256=version.sha256,
    )
    note = _("Restored from version %(n)d") % {"n": version.number}
    return _add_version(actor=actor, file=file, received=received, note=note)


def do_update_file(*, actor: Membership, file: File, data: FilePatch) -> File:
    """Rename a file or move it to another folder of its project."""
    check_file_permission(actor, file, EDIT)
    changes = data.model_dump(exclude_unset=True)
    name = clean_name(changes["name"]) if changes.get("name") is not None else None
    folder = None
    if "folder_id" in changes and changes["folder_id"] is not None:
        if file.project is None or file.item_id or file.comment_id or file.meeting_id:
            raise Invalid(
                _("Only files of a project's library go in folders."),
                field="folder_id",
            )
        folder = get_folder(file.project, changes["folder_id"], field="folder_id")
    with transaction.atomic():
        # What is returned is the file as it is now (a version added meanwhile included).
        before = lock_current(file)
        if name is not None:
            file.name = name
        if "folder_id" in changes:
            file.folder = folder
        file.updated_by = actor.user
        save_changed(file, before, "updated_by", "updated_at")
    return file


def do_delete_file(*, actor: Membership, file: File) -> None:
    """Delete a file with all its versions and share links; blobs go once that commits."""
    check_file_permission(actor, file, MANAGE)
    file.delete()


# --- folders


def _check_folder_name(
    project: Project, parent: Folder | None, name: str, exclude: int = 0
) -> None:
    taken = Folder.objects.filter(project=project, parent=parent, name=name).exclude(pk=exclude)
    if taken.exists():
        raise Conflict(_("There is already a folder named %(name)s here.") % {"name": name})


def do_create_folder(*, actor: Membership, project: Project, data: FolderIn) -> Folder:
    check_project_permission(actor, project, EDIT)
    parent = get_folder(project, data.parent_id, field="parent_id") if data.parent_id else None
    _check_folder_name(project, parent, data.name)
    try:
        with transaction.atomic():
            return Folder.objects.create(
                workspace_id=project.workspace_id,
                project=project,
                parent=parent,
                name=data.name,
                created_by=actor.user,
            )
    except IntegrityError:
        raise Conflict(
            _("There is already a folder named %(name)s here.") % {"name": data.name}
        ) from None


def do_update_folder(*, actor: Membership, folder: Folder, data: FolderPatch) -> Folder:
    """Rename a folder or move it under another one (not under itself or its own subfolders)."""
    project = folder.project
    check_project_permission(actor, project, EDIT)
    changes = data.model_dump(exclude_unset=True)
    with transaction.atomic():
        # A rename keeps the place it has now, a move the name it has now.
        before = lock_current(folder)
        if "parent_id" in changes:
            parent_id = changes["parent_id"]
            parent = get_folder(project, parent_id, field="parent_id") if parent_id else None
            ancestor = parent
            while ancestor is not None:
                if ancestor.pk == folder.pk:
                    raise Conflict(_("A folder cannot go inside itself."))
                ancestor = ancestor.parent
            folder.parent = parent
        if changes.get("name") is not None:
            folder.name = changes["name"]
        _check_folder_name(project, folder.parent, folder.name, exclude=folder.pk)
        save_changed(folder, before)
    return folder


def do_delete_folder(*, actor: Membership, folder: Folder) -> None:
    """Delete an empty folder; a folder with files or folders in it stays."""
    check_project_permission(actor, folder.project, EDIT)
    if folder.children.exists() or folder.files.exists():
        raise Conflict(_("Only an empty folder can be deleted; move or delete what is in it."))
    folder.delete()


# --- share links


@dataclass(frozen=True)
class CreatedLink:
    link: ShareLink
    raw: str


def do_create_share_link(
    *, actor: Membership, file: File, version: FileVersion, data: ShareIn
) -> CreatedLink:
    """A link to exactly this version; the raw token is returned once and only its hash kept."""
    check_file_permission(actor, file, EDIT)
    raw = secrets.token_urlsafe(32)
    link = ShareLink.objects.create(
        workspace_id=file.workspace_id,
        version=version,
        token_hash=hash_token(raw),
        prefix=raw[:8],
        require_login=data.require_login,
        created_by=actor.user,
        expires_at=timezone.now() + timedelta(days=data.expires_in_days),
    )
    link.version = version
    return CreatedLink(link, raw)


def do_revoke_share_link(*, actor: Membership, file: File, link: ShareLink) -> ShareLink:
    check_file_permission(actor, file, EDIT)
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    return link


def do_count_share_download(*, link: ShareLink) -> None:
    ShareLink.objects.filter(pk=link.pk).update(
        download_count=F("download_count") + 1, last_downloaded_at=timezone.now()
    )


def content_from_json(data: bytes, name: str) -> DjangoFile:
    return ContentFile(data, name=name)
