"""Channels and the accounts on them: where operations publish and buy (docs/channels.md).

A workspace's channels (微信公众号, 抖音, 小红书 ...) are rows it may rename, add to and
archive, seeded on first use. An account is a presence on a channel: the team's own
(`external` false) or a partner's (a KOL's 小红书 account, an outlet's 公众号: external,
linked from opsloop.partners). Followers are recorded per account and day, however they
arrive (by hand, a file, the API), so a count over time is one table for both.

UTM naming rules (the values a link may use) and short links with their QR codes live
here too: a link is the thread from a channel's post to the users' events."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opsloop.channels.utm import UTM_FIELDS, tracked_url
from opsloop.core.models import Workspace
from opsloop.work.models import Project


class Platform(models.TextChoices):
    """What a channel is, whatever the workspace calls it: it picks the icon, the default
    utm_source and which ad or content exports fit it."""

    WECHAT_OA = "wechat_oa", _("WeChat official account")
    WECHAT_CHANNELS = "wechat_channels", _("WeChat Channels")
    WEIBO = "weibo", _("Weibo")
    DOUYIN = "douyin", _("Douyin")
    XIAOHONGSHU = "xiaohongshu", _("Xiaohongshu")
    BILIBILI = "bilibili", _("Bilibili")
    ZHIHU = "zhihu", _("Zhihu")
    KUAISHOU = "kuaishou", _("Kuaishou")
    COMMUNITY = "community", _("Community / WeChat groups")
    APP_PUSH = "app_push", _("App push")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")
    WEBSITE = "website", _("Website")
    OFFLINE = "offline", _("Offline")
    OTHER = "other", _("Other")


class Channel(models.Model):
    """A channel of the workspace: a platform under the team's name for it."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="channels")
    name = models.CharField(_("name"), max_length=60)
    platform = models.CharField(
        _("platform"), max_length=20, choices=Platform.choices, default=Platform.OTHER
    )
    # The utm_source its links carry and its events are matched on (douyin, xiaohongshu).
    utm_source = models.CharField(_("utm_source"), max_length=60, blank=True)
    color = models.CharField(_("colour"), max_length=7, default="#64748b")
    position = models.PositiveIntegerField(default=0)
    archived = models.BooleanField(_("archived"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="channel_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Account(models.Model):
    """A presence on a channel: the team's own, or a partner's (external)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    # A channel with accounts is archived, not deleted; RESTRICT (not PROTECT) still lets
    # the workspace go with all its channels and accounts at once.
    channel = models.ForeignKey(Channel, on_delete=models.RESTRICT, related_name="accounts")
    name = models.CharField(_("name"), max_length=120)
    handle = models.CharField(_("account ID"), max_length=120, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    external = models.BooleanField(_("a partner's"), default=False)
    # The latest recorded count, kept with the history's last row for lists.
    followers = models.PositiveBigIntegerField(_("followers"), null=True, blank=True)
    followers_on = models.DateField(null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    archived = models.BooleanField(_("archived"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["channel__position", "name", "pk"]
        indexes = [models.Index(fields=["workspace", "external"], name="account_ws_external")]

    def __str__(self) -> str:
        return self.name


class FollowerSource(models.TextChoices):
    MANUAL = "manual", _("By hand")
    IMPORT = "import", _("Imported")
    API = "api", _("API")


class FollowerCount(models.Model):
    """An account's followers on a day (one row per day; a later record replaces it)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="follower_counts")
    day = models.DateField(_("day"))
    followers = models.PositiveBigIntegerField(_("followers"))
    source = models.CharField(max_length=10, choices=FollowerSource.choices, default="manual")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["account", "day"], name="follower_count_per_day")
        ]


class UtmField(models.TextChoices):
    SOURCE = "utm_source", "utm_source"
    MEDIUM = "utm_medium", "utm_medium"
    CAMPAIGN = "utm_campaign", "utm_campaign"
    CONTENT = "utm_content", "utm_content"
    TERM = "utm_term", "utm_term"


class UtmValue(models.Model):
    """An allowed value of a UTM parameter: when a field has any, a link may use only
    those (the workspace's naming rules); a field with none takes any well-formed value."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    field = models.CharField(max_length=12, choices=UtmField.choices)
    value = models.CharField(_("value"), max_length=100)
    label = models.CharField(_("meaning"), max_length=120, blank=True)

    class Meta:
        ordering = ["field", "value"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "field", "value"], name="utm_value_unique")
        ]


class Link(models.Model):
    """A tracked link: a destination with its UTM parameters, served as /l/<code>, which
    redirects and records a click event into the event store."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    destination = models.URLField(_("destination"), max_length=2000)
    utm_source = models.CharField(max_length=100, blank=True)
    utm_medium = models.CharField(max_length=100, blank=True)
    utm_campaign = models.CharField(max_length=100, blank=True)
    utm_content = models.CharField(max_length=100, blank=True)
    utm_term = models.CharField(max_length=100, blank=True)
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="links"
    )
    channel = models.ForeignKey(
        Channel, null=True, blank=True, on_delete=models.SET_NULL, related_name="links"
    )
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="links"
    )
    archived = models.BooleanField(_("archived"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["workspace", "utm_campaign"], name="link_ws_campaign"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(code=""), name="link_code_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name or self.code

    @property
    def utm_values(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in UTM_FIELDS}

    @property
    def tracked_url(self) -> str:
        """Where /l/<code> sends a visitor: the destination with the UTM parameters."""
        return tracked_url(self.destination, self.utm_values)

    @property
    def short_path(self) -> str:
        return f"/l/{self.code}"

    @property
    def short_url(self) -> str:
        """The address to share, on this install's SITE_URL."""
        return settings.SITE_URL + self.short_path

    @property
    def project_key(self) -> str | None:
        return self.project.key if self.project_id and self.project else None
