"""What the workspace database keeps of users' events: where they come from (sources and
their write keys) and who sent them (persons and the ids they are known by).

The events themselves are not rows here: they live in the event store (Parquet files read
by DuckDB, or ClickHouse; opsloop/events/store/), written by the flusher from the inbox.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opsloop.core.models import Workspace


class SourceKind(models.TextChoices):
    WEB = "web", _("Web app")
    IOS = "ios", _("iOS app")
    ANDROID = "android", _("Android app")
    MINIPROGRAM = "miniprogram", _("Mini-program")
    SERVER = "server", _("Server")


class Source(models.Model):
    """Where events come from: an app, a site, a mini-program or a server, with its keys."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="sources")
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(
        _("kind"), max_length=12, choices=SourceKind.choices, default=SourceKind.WEB
    )
    # Events a second this source may send, over a short burst; none: no limit of its own.
    rate_limit = models.PositiveIntegerField(_("events per second"), null=True, blank=True)
    # Events that said a time more than 23 hours ahead and were stored at the time
    # received instead (opsloop/events/ingest.py): a client with a wrong clock.
    future_timestamps = models.PositiveBigIntegerField(default=0)
    last_future_timestamp_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="source_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class WriteKey(models.Model):
    """A source's write key; only its SHA-256 is kept. Rotating adds a key; the old one
    works until it is revoked, so apps in the field can move over."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="keys")
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]


class Person(models.Model):
    """Someone who sent events: one or more distinct ids (anonymous ids before they signed
    in, their user id after), merged by identify and alias."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="persons")
    # The user id the product knows them by, once identified.
    user_id = models.CharField(max_length=200, blank=True, db_index=True)
    traits = models.JSONField(default=dict, blank=True)
    # When each trait was last set (ISO 8601 per key): a trait from an older event never
    # overwrites one from a newer event, whatever order they arrive in (identity.py).
    trait_times = models.JSONField(default=dict, blank=True)
    first_seen = models.DateTimeField(db_index=True)
    last_seen = models.DateTimeField(db_index=True)
    # Set when this person was merged into another: their events belong to that one now.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        ordering = ["-last_seen", "-pk"]
        indexes = [models.Index(fields=["workspace", "-last_seen"], name="person_recent")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        traits = self.traits or {}
        for key in ("name", "nickname", "username", "email", "phone"):
            if traits.get(key):
                return str(traits[key])
        return self.user_id or f"#{self.pk}"


class PersonId(models.Model):
    """A distinct id (a user id or an anonymous id) and the person it belongs to."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    distinct_id = models.CharField(max_length=200)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="ids")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "distinct_id"], name="person_distinct_id_unique"
            )
        ]
