"""Decision records: a problem with its options scored against weighted criteria by the
people asked, the decision and why, the work that carries it out, and a review on a
date of whether it worked (docs/decisions-log.md).

Links to what the problem is about (KPIs, saved insights, work items) are many-to-many
fields here, decisions being above goals, insights and work in the layering. Feedback
(issue 21) attaches the same way: its app sits below decisions, and a later migration
of this app adds `feedback = ManyToManyField("feedback.<Model>", related_name=
"decision_records")`, read and written through the same `*_ids` inputs as the others."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opsloop.core.models import Workspace
from opsloop.goals.models import Kpi
from opsloop.insights.models import Insight
from opsloop.meetings.models import Decision as MeetingDecision
from opsloop.work.models import Item, Project

# The scale of a score: 1 (poor) to 5 (excellent) on a criterion.
SCORE_MIN, SCORE_MAX = 1, 5


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCORING = "scoring", _("Scoring")
    DECIDED = "decided", _("Decided")
    REVIEWED = "reviewed", _("Reviewed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Outcome(models.TextChoices):
    WORKED = "worked", _("It worked")
    PARTLY = "partly", _("Partly")
    DID_NOT = "did_not", _("It did not work")


class DecisionRecord(models.Model):
    """A decision to take or taken: the problem, its options and criteria, the choice
    and why, and whether it worked."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="decision_records"
    )
    project = models.ForeignKey(
        Project,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="decision_records",
    )
    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(_("problem"), blank=True)
    problem_html = models.TextField(blank=True)
    context = models.TextField(_("context"), blank=True)
    context_html = models.TextField(blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    scorers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="decisions_to_score"
    )
    # What the problem is about.
    kpis = models.ManyToManyField(Kpi, blank=True, related_name="decision_records")
    insights = models.ManyToManyField(Insight, blank=True, related_name="decision_records")
    problem_items = models.ManyToManyField(Item, blank=True, related_name="decision_problems")
    # The work that carries the decision out.
    work_items = models.ManyToManyField(Item, blank=True, related_name="decision_records")
    # The meeting decision this record was made from; one record per meeting decision.
    meeting_decision = models.OneToOneField(
        MeetingDecision,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="record",
    )
    chosen_option = models.ForeignKey(
        "Option", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rationale = models.TextField(_("why"), blank=True)
    rationale_html = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(null=True, blank=True)
    review_on = models.DateField(_("review date"), null=True, blank=True)
    # Set once, by the one reminder that claims it (actions.do_remind_review).
    review_reminded_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    review_note_html = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "decided_at"], name="decision_ws_decided"),
            models.Index(fields=["status", "review_on"], name="decision_review_due"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def open(self) -> bool:
        """Options, criteria and scores may still change."""
        return self.status in (Status.DRAFT, Status.SCORING)


class Option(models.Model):
    """One of the courses of action a record weighs."""

    record = models.ForeignKey(DecisionRecord, on_delete=models.CASCADE, related_name="options")
    title = models.CharField(_("option"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    sequence = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sequence", "id"]

    def __str__(self) -> str:
        return self.title


class Criterion(models.Model):
    """What the options are judged on, with its weight against the other criteria."""

    record = models.ForeignKey(DecisionRecord, on_delete=models.CASCADE, related_name="criteria")
    title = models.CharField(_("criterion"), max_length=200)
    weight = models.FloatField(_("weight"), default=1)
    sequence = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sequence", "id"]
        constraints = [models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight")]

    def __str__(self) -> str:
        return self.title


class Score(models.Model):
    """One person's score of one option on one criterion, SCORE_MIN to SCORE_MAX."""

    record = models.ForeignKey(DecisionRecord, on_delete=models.CASCADE, related_name="scores")
    option = models.ForeignKey(Option, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    scorer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    value = models.PositiveSmallIntegerField(_("score"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["option", "criterion", "scorer"]
        constraints = [
            models.UniqueConstraint(
                fields=["option", "criterion", "scorer"], name="decision_score_once"
            ),
            models.CheckConstraint(
                condition=Q(value__gte=SCORE_MIN) & Q(value__lte=SCORE_MAX),
                name="decision_score_scale",
            ),
        ]
