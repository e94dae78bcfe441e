"""The weekly summary email: text and HTML, in the reader's language."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from opsloop.core.markdown import render_markdown
from opsloop.core.models import User
from opsloop.progress import queries
from opsloop.progress.models import SummarySend


def send_summary_email(send: SummarySend, user: User) -> None:
    project = send.project
    with translation.override(user.message_language):
        summary = queries.weekly_summary(project, send.week)
        context = {
            "user": user,
            "sender": send.sent_by,
            "summary": summary,
            "text": summary.text,
            "html": render_markdown(summary.markdown),
            "page_url": settings.SITE_URL
            + reverse("project_progress", args=[project.workspace.slug, project.key])
            + f"?week={summary.week}",
        }
        subject = f"[opsloop] {summary.title}"
        text = render_to_string("progress/email/summary.txt", context)
        html = render_to_string("progress/email/summary.html", context)
    message = EmailMultiAlternatives(subject, text, to=[user.email])
    message.attach_alternative(html, "text/html")
    message.send()
