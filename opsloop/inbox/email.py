"""The batched notification email: one message per person, text and HTML, in their language."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from opsloop.core.models import User
from opsloop.inbox.models import Notification


def subject_for(rows: list[Notification]) -> str:
    """ "[opsloop] 3 new notifications in 鲸选运营团队", in the active language."""
    workspaces = {row.workspace_id: row.workspace for row in rows}
    count = len(rows)
    if len(workspaces) == 1:
        workspace = next(iter(workspaces.values()))
        text = ngettext(
            "%(count)d new notification in %(workspace)s",
            "%(count)d new notifications in %(workspace)s",
            count,
        ) % {"count": count, "workspace": workspace.name}
    else:
        text = ngettext("%(count)d new notification", "%(count)d new notifications", count) % {
            "count": count
        }
    return f"[opsloop] {text}"


def send_digest(user: User, rows: list[Notification]) -> None:
    """Send one email covering `rows` (each with its workspace loaded); raises when SMTP fails."""
    site = settings.SITE_URL
    groups: dict[int, dict] = defaultdict(lambda: {"workspace": None, "notifications": []})
    for row in sorted(rows, key=lambda r: (r.workspace.name, r.created_at)):
        group = groups[row.workspace_id]
        group["workspace"] = row.workspace
        row.link = site + reverse("inbox_open", args=[row.workspace.slug, row.pk])
        group["notifications"].append(row)
    first_slug = rows[0].workspace.slug
    with translation.override(user.message_language):
        context = {
            "user": user,
            "groups": list(groups.values()),
            "count": len(rows),
            "inbox_url": site + reverse("inbox", args=[first_slug]),
            "preferences_url": site + reverse("inbox_preferences", args=[first_slug]),
        }
        subject = subject_for(rows)
        text = render_to_string("inbox/email/digest.txt", context)
        html = render_to_string("inbox/email/digest.html", context)
    message = EmailMultiAlternatives(subject, text, to=[user.email])
    message.attach_alternative(html, "text/html")
    message.send()
