"""Comments on work items (threads, reactions and versions come with the collaboration work)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opsloop.core.models import Workspace
from opsloop.work.models import Item


class Comment(models.Model):
    """A Markdown comment on a work item; body_html is the sanitized rendering."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("comment"))
    body_html = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
