"""Writes of the progress app: sending a project's weekly summary to its members."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opsloop.core.background import enqueue_with_transaction
from opsloop.core.errors import Conflict
from opsloop.core.models import Membership
from opsloop.progress import queries
from opsloop.progress.models import SummarySend
from opsloop.work.models import Project
from opsloop.work.queries import MANAGE, check_project_permission

logger = logging.getLogger(__name__)

# A second send of the same week this soon after the first is refused (a double click).
RESEND_AFTER = timedelta(minutes=5)


def do_send_weekly_summary(*, actor: Membership, project: Project, week: date) -> SummarySend:
    """Record the send and queue the emails (one per member, in their language)."""
    check_project_permission(actor, project, MANAGE)
    recent = SummarySend.objects.filter(
        project=project, week=week, created_at__gte=timezone.now() - RESEND_AFTER
    ).exists()
    if recent:
        raise Conflict(_("This week's summary was sent a few minutes ago."))
    recipients = list(queries.summary_recipients(project).values_list("pk", flat=True))
    with transaction.atomic():
        send = SummarySend.objects.create(
            workspace_id=project.workspace_id,
            project=project,
            week=week,
            sent_by=actor.user,
            recipient_ids=recipients,
        )
        _enqueue(send.pk)
    return send


def _enqueue(send_id: int) -> None:
    enqueue_with_transaction("opsloop.progress.tasks.send_weekly_summary", send_id)


def do_deliver_weekly_summary(*, send_id: int) -> int:
    """Email the summary to each recipient still a member; how many got it.

    Each email is written in its reader's language and shows only what every member may
    see (blockers from other projects are left out). A failed address is logged and the
    others still go; a send already delivered is not sent twice."""
    from opsloop.progress.email import send_summary_email

    send = (
        SummarySend.objects.select_related("project__workspace", "sent_by")
        .filter(pk=send_id)
        .first()
    )
    if send is None or send.sent_at is not None:
        return 0
    users = list(queries.summary_recipients(send.project).filter(pk__in=send.recipient_ids))
    delivered = 0
    error = ""
    for user in users:
        try:
            send_summary_email(send, user)
        except Exception as exc:  # noqa: BLE001 (one bad address must not stop the rest)
            logger.warning("weekly summary %s to user %s failed: %s", send.pk, user.pk, exc)
            error = str(exc)[:300]
        else:
            delivered += 1
    send.sent_at = timezone.now()
    send.delivered = delivered
    send.last_error = error
    send.save(update_fields=["sent_at", "delivered", "last_error"])
    return delivered
