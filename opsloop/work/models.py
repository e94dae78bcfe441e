"""Projects, their workflows, labels, work items and the activity history of items."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opsloop.core.models import Workspace

key_validator = RegexValidator(
    r"^[A-Z][A-Z0-9]{1,9}$", _("Use 2-10 capital letters and digits, starting with a letter.")
)


class ProjectKind(models.TextChoices):
    CAMPAIGN = "campaign", _("Campaign")
    CONTENT = "content", _("Content")
    GROWTH = "growth", _("User growth")
    CHANNEL = "channel", _("Channel")
    GENERAL = "general", _("General")


class Stage(models.TextChoices):
    PLANNING = "planning", _("Planning")
    EXECUTING = "executing", _("Executing")
    MONITORING = "monitoring", _("Monitoring")
    CLOSED = "closed", _("Closed")


class Visibility(models.TextChoices):
    WORKSPACE = "workspace", pgettext_lazy("visibility", "Workspace")
    PRIVATE = "private", _("Private")


class Project(models.Model):
    """A body of work with a goal, dates, budget, owner and its own workflow."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="projects")
    key = models.CharField(_("key"), max_length=10, validators=[key_validator])
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(
        _("kind"), max_length=12, choices=ProjectKind.choices, default=ProjectKind.GENERAL
    )
    goal = models.TextField(_("goal"), blank=True)
    scope = models.TextField(_("scope"), blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    budget = models.DecimalField(
        _("budget"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_projects",
    )
    stage = models.CharField(
        _("stage"), max_length=12, choices=Stage.choices, default=Stage.PLANNING
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.WORKSPACE
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="ProjectMember", related_name="projects", blank=True
    )
    item_counter = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "key"], name="project_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.name}"


class ProjectMember(models.Model):
    """A user who belongs to a project; how guests and private projects are shared."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_memberships"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="project_member_unique")
        ]


class StateGroup(models.TextChoices):
    BACKLOG = "backlog", _("Backlog")
    TODO = "todo", _("To do")
    IN_PROGRESS = "in_progress", _("In progress")
    IN_REVIEW = "in_review", _("In review")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


# Groups whose items count as finished (progress, overdue and "my work" ignore them).
CLOSED_GROUPS = (StateGroup.DONE, StateGroup.CANCELLED)


class State(models.Model):
    """A workflow state of a project; belongs to one fixed group."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="states")
    name = models.CharField(_("name"), max_length=60)
    group = models.CharField(_("group"), max_length=12, choices=StateGroup.choices)
    color = models.CharField(_("color"), max_length=7, default="#94a3b8")
    sequence = models.PositiveIntegerField(default=0)
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["sequence", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="state_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Label(models.Model):
    """A workspace-wide tag for items."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="labels")
    name = models.CharField(_("name"), max_length=50)
    color = models.CharField(_("color"), max_length=7, default="#6366f1")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="label_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Priority(models.IntegerChoices):
    # Stored as a number so that sorting by priority is an index scan.
    URGENT = 4, _("Urgent")
    HIGH = 3, _("High")
    MEDIUM = 2, _("Medium")
    LOW = 1, _("Low")
    NONE = 0, _("None")


PRIORITY_NAMES = {4: "urgent", 3: "high", 2: "medium", 1: "low", 0: "none"}
PRIORITY_VALUES = {name: value for value, name in PRIORITY_NAMES.items()}


class Item(models.Model):
    """A work item (task) in a project, numbered per project as KEY-N."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="items")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="items")
    number = models.PositiveIntegerField()
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    state = models.ForeignKey(State, on_delete=models.RESTRICT, related_name="items")
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NONE
    )
    assignees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="ItemAssignee", related_name="assigned_items", blank=True
    )
    labels = models.ManyToManyField(Label, related_name="items", blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    estimate_hours = models.DecimalField(
        _("estimate (hours)"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    progress = models.PositiveSmallIntegerField(
        _("progress"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    sort_order = models.FloatField(default=0)
    completed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="item_number_unique")
        ]
        indexes = [
            models.Index(fields=["project", "sort_order", "id"], name="item_project_order"),
            models.Index(fields=["project", "state", "sort_order"], name="item_project_state"),
            # Within a project, highest priority first, then manual order: sort=priority.
            models.Index(
                fields=["project", "-priority", "sort_order", "id"], name="item_project_priority"
            ),
            models.Index(fields=["project", "due_date"], name="item_project_due"),
            models.Index(fields=["project", "updated_at"], name="item_project_updated"),
            models.Index(fields=["workspace", "due_date"], name="item_workspace_due"),
        ]

    def __str__(self) -> str:
        return f"{self.project.key}-{self.number} {self.title}"

    @property
    def ref(self) -> str:
        return f"{self.project.key}-{self.number}"

    @property
    def project_key(self) -> str:
        return self.project.key

    # Lists read an item's people and labels for a whole page at once (work.queries' _load
    # sets these two, which are not database fields); a lone item reads its relations.
    loaded_assignees: list
    loaded_labels: list
    loaded_field_rows: dict

    @property
    def assignee_list(self) -> list:
        loaded = self.__dict__.get("loaded_assignees")
        return loaded if loaded is not None else list(self.assignees.all())

    @property
    def label_list(self) -> list:
        loaded = self.__dict__.get("loaded_labels")
        return loaded if loaded is not None else list(self.labels.all())

    @property
    def priority_name(self) -> str:
        return PRIORITY_NAMES[self.priority]

    # Lists read the custom field values of a whole page at once (loaded_field_rows);
    # a lone item reads its own once and keeps them.
    @property
    def field_rows(self) -> dict[int, CustomFieldValue]:
        loaded = self.__dict__.get("loaded_field_rows")
        if loaded is None:
            loaded = {
                row.field_id: row for row in self.field_values.select_related("field", "user")
            }
            self.__dict__["loaded_field_rows"] = loaded
        return loaded

    @property
    def custom_field_values(self) -> dict[str, object]:
        """{field id: value} as the API gives it."""
        return {str(field_id): row.value for field_id, row in self.field_rows.items()}


class ItemAssignee(models.Model):
    """One assignee of an item, with the item's project copied onto the row."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The item's project, so that a project's assignments are one range of an index: the
    # sizes of a list grouped by assignee, and the items of an assignee, are read from
    # the index alone instead of joining every item to its rows (docs/benchmarks.md).
    # The item actions write it with each row (_set_assignees). An action that moved an
    # item to another project would have to rewrite its rows; none does (do_move_item
    # moves within the project). No index of its own: the two below start with it.
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        # The table and unique index are those Django made for the former automatic
        # through table (migration work/0006 adopted them, rows and all).
        db_table = "work_item_assignees"
        unique_together = [("item", "user")]
        indexes = [
            # Group sizes and "assigned to" filters within a project.
            models.Index(fields=["project", "user", "item"], name="item_assignee_project_user"),
            # How many of a project's items have someone (the "no assignee" group).
            models.Index(fields=["project", "item"], name="item_assignee_project_item"),
        ]


class Activity(models.Model):
    """One change to an item or project: who changed which field from what to what."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="activities")
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.CASCADE, related_name="activities"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    verb = models.CharField(max_length=20)  # created, updated, deleted
    field = models.CharField(max_length=40, blank=True)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["item", "created_at"], name="activity_item_time")]


# --- custom fields and saved views


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    SELECT = "select", _("Single select")
    MULTI_SELECT = "multi_select", _("Multi select")
    USER = "user", _("Person")
    URL = "url", _("URL")
    CHECKBOX = "checkbox", _("Checkbox")


class CustomField(models.Model):
    """A field every item of the workspace (or of one project) may carry."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="custom_fields")
    # Empty: the field belongs to every project of the workspace.
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="custom_fields"
    )
    name = models.CharField(_("name"), max_length=60)
    type = models.CharField(_("type"), max_length=14, choices=FieldType.choices)
    # Select fields: [{"id": "a1", "label": "小红书", "color": "#ef4444"}, ...]; ids never reused.
    options = models.JSONField(default=list, blank=True)
    sequence = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sequence", "id"]

    def __str__(self) -> str:
        return self.name


class CustomFieldValue(models.Model):
    """One item's value of one field, in the column of its type (so it sorts and filters)."""

    field = models.ForeignKey(CustomField, on_delete=models.CASCADE, related_name="values")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="field_values")
    # Text and URL fields; the option id of a single select; a multi select's option ids
    # as ",a1,b2," so that "has option b2" is a LIKE on this column (decision 0015).
    text = models.TextField(blank=True)
    number = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    date = models.DateField(null=True, blank=True)
    flag = models.BooleanField(null=True, blank=True)  # checkbox: only checked ones have a row
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["field", "item"], name="field_value_unique")]
        indexes = [
            models.Index(fields=["field", "text"], name="field_value_text"),
            models.Index(fields=["field", "number"], name="field_value_number"),
            models.Index(fields=["field", "date"], name="field_value_date"),
            models.Index(fields=["field", "user"], name="field_value_user"),
        ]

    @property
    def value(self) -> object:
        """The value as the API gives and takes it."""
        kind = self.field.type
        if kind == FieldType.NUMBER and self.number is not None:
            return (
                int(self.number)
                if self.number == self.number.to_integral_value()
                else float(self.number)
            )
        if kind == FieldType.DATE and self.date is not None:
            return self.date.isoformat()
        if kind == FieldType.MULTI_SELECT:
            return [option for option in self.text.split(",") if option]
        if kind == FieldType.USER:
            return self.user_id
        if kind == FieldType.CHECKBOX:
            return bool(self.flag)
        return self.text


class Layout(models.TextChoices):
    LIST = "list", _("List")
    BOARD = "board", _("Board")
    TIMELINE = "timeline", _("Timeline")
    CALENDAR = "calendar", _("Calendar")


class SavedView(models.Model):
    """A named layout of a project's items with its filters, sort and grouping."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="saved_views")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(_("name"), max_length=80)
    layout = models.CharField(_("layout"), max_length=10, choices=Layout.choices, default="list")
    # The list's query string: filters, sort, group, columns, as the list page reads them.
    query = models.CharField(max_length=2000, blank=True)
    # Shared views are seen by everyone who sees the project; others by their owner only.
    shared = models.BooleanField(_("shared with the project"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
