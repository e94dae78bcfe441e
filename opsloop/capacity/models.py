"""Who can do what and how much: skills, weekly capacity, and time logged on items."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from opsloop.core.models import Membership, Workspace
from opsloop.work.models import Item


class Skill(models.Model):
    """A workspace's tag for what people can do: 文案, 设计, 投放, 数据, 社群."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="skills")
    name = models.CharField(_("name"), max_length=40)
    color = models.CharField(_("color"), max_length=7, default="#0ea5e9")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="skill_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class MemberProfile(models.Model):
    """A member's skills and hours a week for work in this workspace."""

    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="profile")
    skills = models.ManyToManyField(Skill, related_name="members", blank=True)
    weekly_capacity = models.DecimalField(
        _("weekly capacity (hours)"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("40"),
        validators=[MinValueValidator(0), MaxValueValidator(168)],
    )


class TimeEntry(models.Model):
    """Time someone spent on an item, on a day, with a note."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="time_entries")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="time_entries"
    )
    spent_on = models.DateField(_("date"))
    minutes = models.PositiveIntegerField(
        _("minutes"), validators=[MinValueValidator(1), MaxValueValidator(24 * 60)]
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-spent_on", "-id"]
        indexes = [
            models.Index(fields=["item", "spent_on"], name="time_item_day"),
            models.Index(fields=["user", "spent_on"], name="time_user_day"),
        ]

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 2)
