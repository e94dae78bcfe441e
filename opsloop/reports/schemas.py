"""Input shapes of reports, shared by the API and the pages."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field, StringConstraints

from opsloop.core.inputs import Bool, Date, Int
from opsloop.core.schemas import SINGLE_LINE

Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), SINGLE_LINE
]
Text = Annotated[str, StringConstraints(max_length=5000)]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
    SINGLE_LINE,
]
Note = Annotated[str, StringConstraints(max_length=5000)]
Markdown = Annotated[str, StringConstraints(max_length=20_000)]
BLOCKS_DOC = (
    "The blocks in order, each an object with its kind: heading {text}, text {markdown} "
    "(placeholders {period} {start} {end} {team} {workspace} {project}), kpi {kpi_id}, "
    "insight {insight_id}, objective {objective_id}, project_progress {project_id}, "
    "items {project_id, saved_view_id or query, limit}, decisions, portfolio, numbers "
    "{rows: [{kpi_id or insight_id and series, label}]}; each may have a title."
)


class ReportTemplateIn(Schema):
    name: Name
    description: Text = ""
    project_id: Int | None = Field(None, description="A project's report; empty: the workspace's.")
    blocks: list[dict[str, Any]] = Field(default_factory=list, description=BLOCKS_DOC)
    schedule: Literal["none", "weekly", "monthly"] = "none"
    weekday: Int = Field(0, description="weekly: 0 Monday … 6 Sunday.")
    day: Int = Field(1, description="monthly: the day of the month, 1-28.")
    hour: Int = Field(9, description="The hour, 0-23, in the workspace's time zone.")
    writer_id: Int | None = Field(None, description="Who writes it; the maker by default.")
    reviewer_ids: list[Int] = Field(default_factory=list)
    subscriber_ids: list[Int] = Field(default_factory=list)
    outside_emails: list[Email] = Field(default_factory=list, max_length=50)


class ReportTemplatePatch(Schema):
    name: Name | None = None
    description: Text | None = None
    blocks: list[dict[str, Any]] | None = Field(None, description=BLOCKS_DOC)
    schedule: Literal["none", "weekly", "monthly"] | None = None
    weekday: Int | None = None
    day: Int | None = None
    hour: Int | None = None
    writer_id: Int | None = None
    reviewer_ids: list[Int] | None = None
    subscriber_ids: list[Int] | None = None
    outside_emails: list[Email] | None = Field(None, max_length=50)


class ReportDraftIn(Schema):
    period_kind: Literal["week", "month", "custom"] = Field(
        "week", description="The week or month holding period_start, or custom days."
    )
    period_start: Date | None = Field(None, description="Default: the last whole period.")
    period_end: Date | None = Field(None, description="custom only.")


class ReportTextIn(Schema):
    markdown: Markdown
    version: Int | None = Field(None, description="The report's version read; 409 if it moved.")


class ReportCommentIn(Schema):
    body: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]


class ReportReviewIn(Schema):
    report_id: Int
    approve: Bool = Field(description="true approves; false requests changes (say which).")
    note: Note = ""


class ReportPublishIn(Schema):
    report_id: Int
