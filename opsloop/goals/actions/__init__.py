"""Every write of goals, one module per subject: KPIs (kpis), their values entered and
imported (values), objectives and key results (objectives), alert rules (alert_rules),
a campaign's cohorts (campaign), and the checks they share (common).

Callers import this package (`from opsloop.goals import actions; actions.do_create_kpi`),
which re-exports every public name. Inputs are the schemas of opsloop/goals/schemas.py,
given as `data` (decision 0004)."""

from opsloop.goals.actions.alert_rules import (
    ALERT_HISTORY_DAYS,
    alert_text,
    do_check_alerts,
    do_create_alert_rule,
    do_delete_alert_rule,
)
from opsloop.goals.actions.campaign import do_set_campaign_cohorts
from opsloop.goals.actions.common import (
    check_changes,
    check_day,
    check_member,
    check_number,
)
from opsloop.goals.actions.kpis import (
    HISTORY_DAYS,
    KpiDefinition,
    check_kpi_definition,
    do_compute_kpi,
    do_compute_workspace_kpis,
    do_create_kpi,
    do_delete_kpi,
    do_schedule_kpis,
    do_update_kpi,
)
from opsloop.goals.actions.objectives import (
    check_period,
    do_add_key_result,
    do_create_objective,
    do_delete_key_result,
    do_delete_objective,
    do_link_work,
    do_update_key_result,
    do_update_objective,
)
from opsloop.goals.actions.values import (
    MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
    check_records,
    check_values,
    do_record_kpi_values,
    parse_value_file,
    store_values,
)

__all__ = [
    "ALERT_HISTORY_DAYS",
    "HISTORY_DAYS",
    "MAX_IMPORT_BYTES",
    "MAX_IMPORT_ROWS",
    "KpiDefinition",
    "alert_text",
    "check_changes",
    "check_day",
    "check_kpi_definition",
    "check_member",
    "check_number",
    "check_period",
    "check_records",
    "check_values",
    "do_add_key_result",
    "do_check_alerts",
    "do_compute_kpi",
    "do_compute_workspace_kpis",
    "do_create_alert_rule",
    "do_create_kpi",
    "do_create_objective",
    "do_delete_alert_rule",
    "do_delete_key_result",
    "do_delete_kpi",
    "do_delete_objective",
    "do_link_work",
    "do_record_kpi_values",
    "do_schedule_kpis",
    "do_set_campaign_cohorts",
    "do_update_key_result",
    "do_update_kpi",
    "do_update_objective",
    "parse_value_file",
    "store_values",
]
