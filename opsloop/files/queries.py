"""Reads of files, folders, versions and share links, with the access checks.

A member sees a file when they see what it belongs to: the project (its library, its
items and comments) or, for a meeting's file, the meeting."""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from opsloop.collab.models import Comment
from opsloop.core.errors import Forbidden, Invalid, NotFound
from opsloop.core.models import Membership, Role, User
from opsloop.core.queries import access_workspace, hash_token
from opsloop.files.models import File, FileVersion, Folder, ShareLink
from opsloop.files.schemas import PlaceIn
from opsloop.meetings.models import Meeting
from opsloop.meetings.queries import visible_meetings
from opsloop.work.models import Item, Project
from opsloop.work.queries import (
    EDIT,
    MANAGE,
    VIEW,
    can_manage_project,
    check_project_permission,
    parse_ref,
    visible_projects,
)

__all__ = ["EDIT", "MANAGE", "VIEW"]

FILE_RELATIONS = (
    "project",
    "item__project",
    "current_version",
    "created_by",
    "folder",
)


def visible_files(membership: Membership) -> QuerySet[File]:
    files = File.objects.filter(workspace_id=membership.workspace_id)
    return files.filter(
        Q(meeting__isnull=True, project__in=visible_projects(membership))
        | Q(meeting__in=visible_meetings(membership))
    )


def check_file_permission(membership: Membership, file: File, need: str) -> None:
    """VIEW for anyone who sees the file; EDIT (rename, move, new version, share) for
    members; MANAGE (delete) for its uploader, the project's owner or an admin."""
    if need == VIEW:
        return
    project = file.project
    if project is not None:
        check_project_permission(membership, project, EDIT)
    elif not membership.at_least(Role.MEMBER):
        raise Forbidden(_("Guests can only read this project."))
    if need == MANAGE and not (
        file.created_by_id == membership.user_id
        or membership.at_least(Role.ADMIN)
        or (project is not None and can_manage_project(membership, project))
    ):
        raise Forbidden(_("Only who uploaded a file, the project owner or an admin can delete it."))


@dataclass(frozen=True)
class FileAccess:
    membership: Membership
    file: File


def access_file(user: User, slug: str, file_id: int, need: str = VIEW) -> FileAccess:
    membership = access_workspace(user, slug)
    file = (
        visible_files(membership)
        .select_related(*FILE_RELATIONS, "comment", "meeting")
        .filter(pk=file_id)
        .first()
    )
    if file is None:
        raise NotFound(_("File not found."))
    check_file_permission(membership, file, need)
    return FileAccess(membership, file)


def list_folders(project: Project) -> list[Folder]:
    return list(Folder.objects.filter(project=project).order_by("name", "id"))


def get_folder(project: Project, folder_id: int | None, *, field: str | None = None) -> Folder:
    """A folder of the project; NotFound when named in the path, Invalid when in a body."""
    folder = Folder.objects.filter(project=project, pk=folder_id or 0).first()
    if folder is None:
        if field:
            raise Invalid(_("No such folder in this project."), field=field)
        raise NotFound(_("Folder not found."))
    folder.project = project
    return folder


def folder_path(folder: Folder | None, folders: list[Folder]) -> list[Folder]:
    """The folder's ancestors and itself, from the top level down."""
    by_id = {f.pk: f for f in folders}
    path: list[Folder] = []
    while folder is not None and len(path) < len(folders) + 1:
        path.insert(0, folder)
        folder = by_id.get(folder.parent_id) if folder.parent_id else None
    return path


def library_files(project: Project, folder: Folder | None) -> QuerySet[File]:
    return (
        File.objects.filter(project=project, folder=folder)
        .select_related(*FILE_RELATIONS)
        .order_by("name", "id")
    )


def list_versions(file: File) -> QuerySet[FileVersion]:
    return file.versions.select_related("uploaded_by").order_by("-number")


def get_version(file: File, number: int | None = None) -> FileVersion:
    """A version of the file by number, or its current one."""
    if number is None:
        number = file.current_number
    version = FileVersion.objects.filter(file=file, number=number).first()
    if version is None:
        raise NotFound(_("Version not found."))
    version.file = file
    return version


def download_name(version: FileVersion) -> str:
    """The name a version downloads under (Content-Disposition), by link or from the page.

    A version keeps the name it was uploaded with, so version 2 uploaded as plan-v2.pdf
    is not saved as version 1's plan.pdf, nor a .docx version under a .pdf name. Once the
    file has been renamed (its name is no longer its first version's), the chosen name
    wins, with this version's own extension where the two differ."""
    file = version.file
    first = file.versions.order_by("number").values_list("original_name", flat=True).first()
    if first is None or file.name == first:
        return version.original_name
    stem, extension = os.path.splitext(file.name)
    own = os.path.splitext(version.original_name)[1]
    if own and own.lower() != extension.lower():
        return f"{stem}{own}"
    return file.name


def list_share_links(file: File) -> QuerySet[ShareLink]:
    return (
        ShareLink.objects.filter(version__file=file)
        .select_related("version", "created_by")
        .order_by("-created_at", "-id")
    )


def get_share_link(file: File, link_id: int) -> ShareLink:
    link = list_share_links(file).filter(pk=link_id).first()
    if link is None:
        raise NotFound(_("Share link not found."))
    return link


def link_by_token(raw: str) -> ShareLink:
    """An active link by its token; unknown, expired and revoked links are all 404."""
    link = (
        ShareLink.objects.select_related("version__file")
        .filter(
            token_hash=hash_token(raw or ""),
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .first()
    )
    if link is None:
        raise NotFound(_("This link does not exist or has expired."))
    return link


def workspace_usage(workspace_id: int) -> int:
    """Bytes stored for the workspace, all versions of all files."""
    total = FileVersion.objects.filter(file__workspace_id=workspace_id).aggregate(n=Sum("size"))
    return int(total["n"] or 0)


@dataclass(frozen=True)
class Place:
    """Where an upload goes, resolved and checked."""

    project: Project | None
    folder: Folder | None = None
    item: Item | None = None
    comment: Comment | None = None
    meeting: Meeting | None = None


def resolve_place(membership: Membership, data: PlaceIn) -> Place:
    """The project, folder and attachment an upload names; Invalid (naming the field) for
    anything unknown or out of sight, Forbidden when the member may not add files there."""
    attached = [f for f in ("item", "comment_id", "meeting_id") if getattr(data, f) is not None]
    if len(attached) > 1:
        raise Invalid(_("Attach a file to one thing at a time."), field=attached[1])
    projects = visible_projects(membership)
    project: Project | None = None
    item = comment = meeting = None
    if data.item is not None:
        try:
            key, number = parse_ref(data.item)
        except NotFound:
            raise Invalid(_("No such item."), field="item") from None
        item = (
            Item.objects.select_related("project")
            .filter(project__in=projects, project__key=key, number=number)
            .first()
        )
        if item is None:
            raise Invalid(_("No such item."), field="item")
        project = item.project
    elif data.comment_id is not None:
        comment = (
            Comment.objects.select_related("project")
            .filter(project__in=projects, pk=data.comment_id, deleted_at__isnull=True)
            .first()
        )
        if comment is None:
            raise Invalid(_("No such comment."), field="comment_id")
        project = comment.project
    elif data.meeting_id is not None:
        meeting = (
            visible_meetings(membership)
            .select_related("project")
            .filter(pk=data.meeting_id)
            .first()
        )
        if meeting is None:
            raise Invalid(_("No such meeting."), field="meeting_id")
        project = meeting.project
    if data.project is not None:
        named = projects.filter(key=data.project.upper()).first()
        if named is None or (attached and named != project):
            raise Invalid(_("No such project."), field="project")
        project = named
    if project is None and meeting is None:
        raise Invalid(_("Say where the file goes: a project, item, comment or meeting."))
    folder = None
    if data.folder_id is not None:
        if project is None or attached:
            raise Invalid(_("Only files of a project's library go in folders."), field="folder_id")
        folder = get_folder(project, data.folder_id, field="folder_id")
    if project is not None:
        project.workspace = membership.workspace
        check_project_permission(membership, project, EDIT)
    elif not membership.at_least(Role.MEMBER):
        raise Forbidden(_("Guests can only read this project."))
    return Place(project=project, folder=folder, item=item, comment=comment, meeting=meeting)


def attachments(
    *,
    item: Item | None = None,
    comment: Comment | None = None,
    meeting: Meeting | None = None,
) -> QuerySet[File]:
    """Files attached to one thing, which the caller has already checked the reader sees."""
    files = File.objects.select_related("current_version", "created_by")
    if item is not None:
        return files.filter(item=item)
    if comment is not None:
        return files.filter(comment=comment)
    if meeting is not None:
        return files.filter(meeting=meeting)
    return files.none()


def thread_attachments(**thread: object) -> dict[int, list[File]]:
    """Files of the comments of one thread, by comment id, in one query; `thread` filters
    the comments (comment__item_id=..., comment__discussion_id=...)."""
    out: dict[int, list[File]] = {}
    for file in (
        File.objects.filter(**thread)
        .select_related("current_version", "created_by")
        .order_by("name", "id")
    ):
        out.setdefault(file.comment_id, []).append(file)  # type: ignore[arg-type]
    return out
