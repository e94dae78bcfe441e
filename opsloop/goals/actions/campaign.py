"""A campaign project's cohorts: the one it targeted and the control it is held against
(the impact itself is read by opsloop/goals/campaign.py)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from opsloop.core.actions import record_audit
from opsloop.core.errors import Invalid, NotFound
from opsloop.core.models import Membership
from opsloop.events.queries import check_sees_events
from opsloop.goals import sources
from opsloop.goals.models import CampaignCohorts
from opsloop.goals.schemas import CampaignCohortsIn
from opsloop.insights.models import Cohort
from opsloop.insights.queries import get_cohort
from opsloop.work import queries as work_queries
from opsloop.work.models import Project, ProjectKind


def _cohort(actor: Membership, value: int | None, field: str) -> Cohort | None:
    if value is None:
        return None
    return get_cohort(actor.workspace, sources._int(value, field), field=field)


def do_set_campaign_cohorts(
    *, actor: Membership, project: Project, data: CampaignCohortsIn
) -> CampaignCohorts:
    """The cohort a campaign targeted and the control cohort it is held against; None
    clears one. Who may edit the project sets them; both of its workspace, and not the
    same one. Audit-logged."""
    if project.workspace_id != actor.workspace_id:
        raise NotFound(_("Project not found."))
    check_sees_events(actor)
    work_queries.check_project_permission(actor, project, work_queries.EDIT)
    if project.kind != ProjectKind.CAMPAIGN:
        raise Invalid(_("Only a campaign project has a target and a control cohort."))
    chosen = _cohort(actor, data.target, "target")
    held = _cohort(actor, data.control, "control")
    if chosen is not None and held is not None and chosen.pk == held.pk:
        raise Invalid(_("The control cohort must differ from the target cohort."), field="control")
    with transaction.atomic():
        cohorts, _made = CampaignCohorts.objects.update_or_create(
            project=project, defaults={"target": chosen, "control": held}
        )
        record_audit(
            actor=actor.user,
            action="project.campaign_cohorts",
            workspace=actor.workspace,
            target=project.key,
            target_id=chosen.pk if chosen else None,
            control_id=held.pk if held else None,
        )
    return cohorts
