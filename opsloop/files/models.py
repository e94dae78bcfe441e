"""Files: folders, stored files with versions, and share links.

A file belongs to a project (its library, or attached to one of the project's items,
comments or meetings) or, attached to a meeting without a project, to the workspace.
Its content lives in versions; each version's blob is stored under a generated name
through the "opsloop_files" storage, never under the name the user gave it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opsloop.collab.models import Comment
from opsloop.core.models import Workspace
from opsloop.meetings.models import Meeting
from opsloop.work.models import Item, Project


class Folder(models.Model):
    """A folder of a project's file library; folders nest, names are unique per parent."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="folders")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    name = models.CharField(_("name"), max_length=120)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "parent", "name"],
                name="folder_name_unique_in_parent",
            ),
            # NULLs are distinct in a unique index, so the top level needs its own.
            models.UniqueConstraint(
                fields=["project", "name"],
                condition=Q(parent__isnull=True),
                name="folder_name_unique_at_top",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class File(models.Model):
    """A file in a project's library or attached to an item, comment or meeting."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="files"
    )
    folder = models.ForeignKey(
        Folder, null=True, blank=True, on_delete=models.SET_NULL, related_name="files"
    )
    # An attachment goes when what it is attached to goes.
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("name"), max_length=255)
    current_version = models.ForeignKey(
        "FileVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Bytes of all versions together; what the file counts against the workspace quota.
    size_total = models.BigIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["project", "folder"], name="file_project_folder")]

    def __str__(self) -> str:
        return self.name

    @property
    def project_key(self) -> str | None:
        return self.project.key if self.project_id else None

    @property
    def item_ref(self) -> str | None:
        return self.item.ref if self.item_id else None

    @property
    def current_size(self) -> int:
        return self.current_version.size if self.current_version else 0

    @property
    def current_type(self) -> str:
        return self.current_version.content_type if self.current_version else ""

    @property
    def current_number(self) -> int:
        return self.current_version.number if self.current_version else 0


class FileVersion(models.Model):
    """One upload of a file: its blob, sanitized original name, size, sniffed type and hash."""

    file = models.ForeignKey(File, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    blob = models.CharField(max_length=255, unique=True)
    original_name = models.CharField(max_length=255)
    size = models.BigIntegerField()
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)
    note = models.CharField(_("note"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["file", "number"], name="file_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.original_name} v{self.number}"


class ShareLink(models.Model):
    """A link to exactly one file version, expiring; only the token's SHA-256 is stored."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(FileVersion, on_delete=models.CASCADE, related_name="share_links")
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    require_login = models.BooleanField(_("login required"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    download_count = models.PositiveIntegerField(default=0)
    last_downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    @property
    def version_number(self) -> int:
        return self.version.number

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class PendingImport(models.Model):
    """A table uploaded to be imported, kept between the import page's steps (mapping,
    preview, import) and deleted once imported, or after a day."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=60)
    target = models.CharField(max_length=200, blank=True)
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    mapping = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
