"""Input and output shapes of decision records, their options, criteria, scores and review."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field, StringConstraints

from opsloop.core.inputs import STRICT, Date, Int
from opsloop.core.schemas import SINGLE_LINE, UserOut
from opsloop.decisions.models import SCORE_MAX, SCORE_MIN

Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), SINGLE_LINE
]
LongText = Annotated[str, StringConstraints(max_length=50_000)]
ProjectKey = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10), SINGLE_LINE]
Ref = Annotated[str, StringConstraints(strip_whitespace=True, max_length=24), SINGLE_LINE]
Ids = Annotated[list[Int], Field(max_length=100)]
Refs = Annotated[list[Ref], Field(max_length=100)]
Weight = Annotated[float, Field(gt=0, le=100), STRICT]
ScoreValue = Annotated[int, Field(ge=SCORE_MIN, le=SCORE_MAX), STRICT]
StatusName = Literal["draft", "scoring", "decided", "reviewed", "withdrawn"]
OutcomeName = Literal["worked", "partly", "did_not"]


class DecisionRecordIn(Schema):
    title: Title
    project_key: ProjectKey | None = Field(
        None, description="The project the decision belongs to; none for the workspace."
    )
    problem: LongText = Field("", description="Markdown.")
    context: LongText = Field("", description="Markdown.")
    owner_id: Int | None = Field(None, description="Who decides and reviews; default the caller.")
    scorer_ids: Ids = Field([], description="The people asked to score the options.")
    kpi_ids: Ids = Field([], description="KPIs the problem is about, compared at the review.")
    insight_ids: Ids = Field([], description="Saved insights that show the problem.")
    problem_refs: Refs = Field([], description="Work items that show the problem (D11-42).")
    work_refs: Refs = Field([], description="Work items that carry the decision out.")
    review_on: Date | None = Field(None, description="When the owner is reminded to review.")


class DecisionRecordPatch(Schema):
    title: Title | None = None
    project_key: ProjectKey | None = Field(None, description='"" moves it to the workspace.')
    problem: LongText | None = None
    context: LongText | None = None
    owner_id: Int | None = None
    scorer_ids: Ids | None = Field(None, description="The whole new list.")
    kpi_ids: Ids | None = None
    insight_ids: Ids | None = None
    problem_refs: Refs | None = None
    work_refs: Refs | None = None
    review_on: Date | None = None


class DecisionStatusIn(Schema):
    status: Literal["draft", "scoring", "withdrawn"] = Field(
        description="draft and scoring move between each other; withdrawn sets it aside "
        "(from any status before reviewed); draft brings a withdrawn record back."
    )


class DecisionOptionIn(Schema):
    title: Title
    description: LongText = ""


class DecisionOptionPatch(Schema):
    title: Title | None = None
    description: LongText | None = None


class CriterionIn(Schema):
    title: Title
    weight: Weight = Field(1.0, description="Against the other criteria; more than 0, at most 100.")


class CriterionPatch(Schema):
    title: Title | None = None
    weight: Weight | None = None


class ScoreIn(Schema):
    option_id: Int
    criterion_id: Int
    value: ScoreValue | None = Field(
        description=f"{SCORE_MIN} (poor) to {SCORE_MAX} (excellent); null takes the score back."
    )


class ScoresIn(Schema):
    scores: Annotated[list[ScoreIn], Field(max_length=2000)]


class DecideIn(Schema):
    option_id: Int = Field(description="The option chosen.")
    rationale: LongText = Field("", description="Why, in Markdown.")
    review_on: Date | None = Field(None, description="When the owner is reminded to review.")
    work_refs: Refs | None = Field(None, description="The work items that carry it out.")


class DecisionReviewIn(Schema):
    outcome: OutcomeName
    note: LongText = Field("", description="Markdown.")


# --- outputs


class DecisionOptionOut(Schema):
    id: int
    title: str
    description: str
    sequence: int


class CriterionOut(Schema):
    id: int
    title: str
    weight: float
    sequence: int


class DecisionItemOut(Schema):
    id: int
    ref: str
    title: str


class DecisionKpiRefOut(Schema):
    id: int
    name: str
    unit: str


class DecisionInsightOut(Schema):
    id: int
    name: str


class DecisionMeetingOut(Schema):
    meeting_id: int
    decision_id: int
    title: str


class DecisionRecordOut(Schema):
    id: int
    title: str
    status: StatusName
    project_key: str | None
    owner: UserOut | None
    review_on: date | None
    decided_at: datetime | None
    outcome: str
    chosen_option_id: int | None
    created_at: datetime
    url: str


class DecisionRecordDetailOut(DecisionRecordOut):
    problem: str
    problem_html: str
    context: str
    context_html: str
    scorers: list[UserOut]
    options: list[DecisionOptionOut]
    criteria: list[CriterionOut]
    kpis: list[DecisionKpiRefOut]
    insights: list[DecisionInsightOut]
    problem_items: list[DecisionItemOut]
    work_items: list[DecisionItemOut]
    meeting: DecisionMeetingOut | None
    rationale: str
    rationale_html: str
    decided_by: UserOut | None
    review_note: str
    reviewed_by: UserOut | None
    reviewed_at: datetime | None
    review_reminded_at: datetime | None
    can_edit: bool
    can_score: bool


class ScoreOut(Schema):
    option_id: int
    criterion_id: int
    scorer_id: int
    value: int


class ScoreCellOut(Schema):
    criterion_id: int
    count: int
    missing: int
    mean: float | None
    low: float | None
    high: float | None
    stdev: float | None


class RankedDecisionOptionOut(Schema):
    option_id: int
    title: str
    weighted: float | None
    rank: int | None
    tied: bool
    complete: bool
    missing: int
    cells: list[ScoreCellOut]


class DecisionRankingOut(Schema):
    options: list[RankedDecisionOptionOut]
    scores_given: int
    scores_expected: int
    scorers_done: list[int] = Field(description="People asked who scored every cell.")


class DecisionKpiOut(Schema):
    kpi_id: int
    name: str
    unit: str
    before: float | None
    before_day: date | None
    after: float | None
    after_day: date | None
    change: float | None
    change_percent: float | None


class DecisionReviewOut(Schema):
    status: StatusName
    review_on: date | None
    decided_at: datetime | None
    outcome: str
    note: str
    kpis: list[DecisionKpiOut]
