"""The import page's steps over opsloop.core.tables: a table uploaded is kept as a
PendingImport (its owner's, for a day) while its columns are mapped and previewed, then
imported all or nothing and forgotten."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opsloop.core import tables
from opsloop.core.errors import Forbidden, NotFound
from opsloop.core.models import Membership, Role
from opsloop.files.models import PendingImport

KEPT_FOR = dt.timedelta(days=1)


def check_importer(actor: Membership, kind: str, target: str) -> tables.Importer:
    """The importer, if the actor may import into the target (guests never import)."""
    if not actor.at_least(Role.MEMBER):
        raise Forbidden(_("Guests cannot import."))
    importer = tables.get_importer(kind)
    importer.check(actor, target)
    return importer


def do_upload_import(
    *, actor: Membership, kind: str, target: str, filename: str, content: bytes
) -> PendingImport:
    """Keep the file for the next steps, once it reads as a table."""
    check_importer(actor, kind, target)
    tables.read_sheet(filename, content)
    with transaction.atomic():
        PendingImport.objects.filter(
            user_id=actor.user_id, created_at__lt=timezone.now() - KEPT_FOR
        ).delete()
        return PendingImport.objects.create(
            workspace_id=actor.workspace_id,
            user_id=actor.user_id,
            kind=kind,
            target=target[:200],
            filename=filename[:255],
            content=content,
        )


def get_pending(actor: Membership, kind: str, pending_id: int) -> PendingImport:
    found = PendingImport.objects.filter(
        pk=pending_id,
        workspace_id=actor.workspace_id,
        user_id=actor.user_id,
        kind=kind,
        created_at__gte=timezone.now() - KEPT_FOR,
    ).first()
    if found is None:
        raise NotFound(_("That upload is gone: upload the file again."))
    return found


def preview_pending(
    actor: Membership, pending: PendingImport, mapping: dict[str, str] | None
) -> tables.ImportResult:
    return tables.run_import(
        actor,
        pending.kind,
        pending.target,
        pending.filename,
        bytes(pending.content),
        mapping=mapping or None,
        commit=False,
    )


def do_import_pending(
    *, actor: Membership, pending: PendingImport, mapping: dict[str, str] | None
) -> tables.ImportResult:
    result = tables.run_import(
        actor,
        pending.kind,
        pending.target,
        pending.filename,
        bytes(pending.content),
        mapping=mapping or None,
    )
    pending.delete()
    return result
