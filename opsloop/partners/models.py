"""Partners: the media, KOLs, agencies, merchants and suppliers operations buys from, a
small CRM (docs/partners.md).

A partner has contacts, accounts on channels (opsloop.channels' Account, external, with
its follower history there), tags, a rating, notes and an owner; contacts made with it
(Interaction) tell "not contacted for N days". Its rate card lists a price per format;
every change of a price is kept (PriceChange), so the price on any date is known and a
cooperation booked on that date takes it. A cooperation is what was bought: when, at
what agreed price, what was paid, for which campaign and content, and what it brought.

Money is Decimal with its currency, never a float."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opsloop.channels.models import Account, Channel
from opsloop.content.models import ContentPiece
from opsloop.core.models import Workspace
from opsloop.files.models import File
from opsloop.work.models import Project

MONEY = {"max_digits": 14, "decimal_places": 2}


class PartnerKind(models.TextChoices):
    MEDIA = "media", _("Media outlet")
    KOL = "kol", _("KOL")
    KOC = "koc", _("KOC")
    AGENCY = "agency", _("Agency")
    MERCHANT = "merchant", _("Merchant")
    SUPPLIER = "supplier", _("Supplier")


class Partner(models.Model):
    """Someone operations buys from or works with."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=PartnerKind.choices)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)  # 1-5
    notes = models.TextField(_("notes"), blank=True)
    notes_html = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    accounts = models.ManyToManyField(Account, blank=True, related_name="partners")
    contracts = models.ManyToManyField(File, blank=True, related_name="+")
    contract_ends_on = models.DateField(_("contract ends"), null=True, blank=True)
    # The contract end the owner was reminded of (once per end date: a new date re-arms it).
    contract_reminded_for = models.DateField(null=True, blank=True)
    # The last Interaction's day, kept here for "not contacted for N days" lists.
    last_contacted_on = models.DateField(_("last contacted"), null=True, blank=True)
    archived = models.BooleanField(_("archived"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="partner_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person at a partner."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=120)
    role = models.CharField(_("role"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    wechat = models.CharField(_("WeChat"), max_length=80, blank=True)
    email = models.EmailField(_("email"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["name", "pk"]


class InteractionKind(models.TextChoices):
    CALL = "call", _("Call")
    WECHAT = "wechat", _("WeChat")
    MEETING = "meeting", _("Meeting")
    EMAIL = "email", _("Email")
    OTHER = "other", _("Other")


class Interaction(models.Model):
    """A contact made with a partner, and the next step agreed."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="interactions")
    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=10, choices=InteractionKind.choices)
    note = models.TextField(_("note"), blank=True)
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    follow_up_reminded = models.BooleanField(default=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "-pk"]


class RateItem(models.Model):
    """A line of a partner's rate card: a format (小红书图文, 抖音 60 s 视频, 公众号头条) at
    its current price; the history of the price is its PriceChange rows."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="rate_items")
    format = models.CharField(_("format"), max_length=120)
    channel = models.ForeignKey(
        Channel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)  # 篇, 条, 场
    price = models.DecimalField(_("price"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    active = models.BooleanField(_("offered"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["format", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "format"], name="rate_item_format_unique")
        ]

    def __str__(self) -> str:
        return self.format


class PriceChange(models.Model):
    """A price from a day on: the first row is the price the item was listed at (no old
    price), each later one a change. The price on a day is the latest row on or before it."""

    rate_item = models.ForeignKey(RateItem, on_delete=models.CASCADE, related_name="changes")
    effective_on = models.DateField(_("from"))
    old_price = models.DecimalField(_("old price"), null=True, blank=True, **MONEY)
    new_price = models.DecimalField(_("new price"), **MONEY)
    note = models.CharField(_("note"), max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["effective_on", "pk"]
        indexes = [models.Index(fields=["rate_item", "effective_on"], name="price_item_day")]


class CooperationStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    BOOKED = "booked", _("Booked")
    DELIVERED = "delivered", _("Delivered")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


class Cooperation(models.Model):
    """Something bought from a partner: what, when, the agreed price (the rate card's on
    the day booked, unless changed), what was paid, and what it brought."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="cooperations")
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="cooperations"
    )
    rate_item = models.ForeignKey(
        RateItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="cooperations"
    )
    title = models.CharField(_("what was bought"), max_length=200)
    # The content pieces it produced (a KOL's note, an outlet's article).
    pieces = models.ManyToManyField(ContentPiece, blank=True, related_name="cooperations")
    status = models.CharField(
        _("status"), max_length=10, choices=CooperationStatus.choices, default="planned"
    )
    booked_on = models.DateField(_("booked on"))
    publish_on = models.DateField(_("goes out on"), null=True, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    list_price = models.DecimalField(_("rate card price"), null=True, blank=True, **MONEY)
    agreed_price = models.DecimalField(_("agreed price"), **MONEY)
    paid_amount = models.DecimalField(_("paid"), default=0, **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    # Results, entered or imported (clicks and attributed users may also come from events
    # through the cooperation's links: opsloop.money's results).
    reach = models.PositiveBigIntegerField(_("reach"), null=True, blank=True)
    clicks = models.PositiveBigIntegerField(_("clicks"), null=True, blank=True)
    attributed_users = models.PositiveBigIntegerField(_("users brought"), null=True, blank=True)
    conversions = models.PositiveBigIntegerField(_("conversions"), null=True, blank=True)
    revenue = models.DecimalField(_("revenue"), null=True, blank=True, **MONEY)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-booked_on", "-pk"]
        indexes = [models.Index(fields=["workspace", "booked_on"], name="cooperation_ws_day")]

    def __str__(self) -> str:
        return self.title
