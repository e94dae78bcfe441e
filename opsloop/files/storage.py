"""Where file contents live: the "opsloop_files" storage (local disk or S3, by settings).

Every read and write of a blob goes through Django's storage API, so the backend is a
setting; nothing is ever served from a public URL of the storage."""

from __future__ import annotations

import uuid

from django.core.files import File as DjangoFile
from django.core.files.storage import Storage, storages
from django.db import transaction

STORAGE_ALIAS = "opsloop_files"


def file_storage() -> Storage:
    return storages[STORAGE_ALIAS]


def new_blob_name(workspace_id: int) -> str:
    """A generated name: the user's file name never reaches the storage."""
    return f"{workspace_id}/{uuid.uuid4().hex}"


def save_blob(workspace_id: int, content: DjangoFile) -> str:
    """Store the content under a new generated name and return the name the storage used."""
    content.seek(0)
    return file_storage().save(new_blob_name(workspace_id), content)


def delete_blob_later(name: str) -> None:
    """Delete a blob once the transaction that dropped its row has committed."""
    transaction.on_commit(lambda: file_storage().delete(name))
