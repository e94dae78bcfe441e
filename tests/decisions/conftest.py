from __future__ import annotations

import pytest

from opsloop.decisions import actions
from opsloop.decisions.schemas import CriterionIn, DecisionOptionIn, DecisionRecordIn
from tests.conftest import membership_of


@pytest.fixture
def owner_ms(owner, workspace):
    return membership_of(owner, workspace)


@pytest.fixture
def member_ms(member, workspace):
    return membership_of(member, workspace)


@pytest.fixture
def scored(owner_ms, member, project):
    """A record of D11 being scored by the owner and the member: two options, two criteria."""
    record = actions.do_create_record(
        actor=owner_ms,
        data=DecisionRecordIn(
            title="双十一主会场是否加码抖音投放",
            project_key=project.key,
            scorer_ids=[owner_ms.user_id, member.pk],
        ),
    )
    douyin = actions.do_add_option(
        actor=owner_ms, record=record, data=DecisionOptionIn(title="加码抖音")
    )
    keep = actions.do_add_option(
        actor=owner_ms, record=record, data=DecisionOptionIn(title="维持原预算")
    )
    roi = actions.do_add_criterion(
        actor=owner_ms, record=record, data=CriterionIn(title="ROI", weight=3)
    )
    risk = actions.do_add_criterion(
        actor=owner_ms, record=record, data=CriterionIn(title="风险", weight=1)
    )
    actions.do_set_status(actor=owner_ms, record=record, status="scoring")
    return record, (douyin, keep), (roi, risk)
