"""Every write of insights: saving, changing and deleting an insight, commenting on one,
and saving, refreshing and deleting cohorts."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opsloop.core.actions import check_description, check_text, record_audit
from opsloop.core.errors import Conflict, Forbidden, Invalid
from opsloop.core.markdown import render_markdown
from opsloop.core.models import Membership, Role
from opsloop.core.rows import lock_current, save_changed
from opsloop.insights.models import Cohort, CohortKind, CohortPerson, Insight, InsightComment
from opsloop.insights.queries import (
    COHORT_MAX_PERSONS,
    check_person_filters,
    check_query,
    definition_person_ids,
    stored_person_filters,
)


def check_changes(actor: Membership, created_by_id: int | None) -> None:
    """The one who made it, and admins, change and delete an insight or a cohort."""
    if created_by_id != actor.user_id and not actor.at_least(Role.ADMIN):
        raise Forbidden(_("Only who made it, and admins, can change or delete it."))


def _stored(checked: Any) -> dict[str, Any]:
    """A checked query as kept: what differs from the defaults, and always its kind."""
    return checked.model_dump(mode="json", exclude_defaults=True) | {"kind": checked.kind}


def _keep_members(cohort: Cohort, ids: list[int]) -> None:
    CohortPerson.objects.bulk_create(
        [CohortPerson(cohort=cohort, person_id=pk) for pk in ids], batch_size=5000
    )


def do_save_insight(
    *, actor: Membership, name: str, query: dict[str, Any], description: str = ""
) -> Insight:
    checked = check_query(query, field="query")
    insight = Insight.objects.create(
        workspace_id=actor.workspace_id,
        name=check_text(name, field="name", label=_("Name"), max_length=200),
        description=check_description(description),
        kind=checked.kind,
        query=_stored(checked),
        created_by_id=actor.user_id,
    )
    return insight


def do_update_insight(
    *,
    actor: Membership,
    insight: Insight,
    name: str | None = None,
    description: str | None = None,
    query: dict[str, Any] | None = None,
) -> Insight:
    check_changes(actor, insight.created_by_id)
    values: dict[str, Any] = {}
    if name is not None:
        values["name"] = check_text(name, field="name", label=_("Name"), max_length=200)
    if description is not None:
        values["description"] = check_description(description)
    if query is not None:
        checked = check_query(query, field="query")
        values["kind"] = checked.kind
        values["query"] = checked.model_dump(mode="json", exclude_defaults=True) | {
            "kind": checked.kind
        }
    with transaction.atomic():
        before = lock_current(insight)
        for field, value in values.items():
            setattr(insight, field, value)
        save_changed(insight, before, "updated_at")
    return insight


def do_delete_insight(*, actor: Membership, insight: Insight) -> None:
    check_changes(actor, insight.created_by_id)
    record_audit(
        actor=actor.user, action="insight.delete", workspace=actor.workspace, target=insight.name
    )
    insight.delete()


def do_comment_insight(*, actor: Membership, insight: Insight, body: str) -> InsightComment:
    text = check_text(body, field="body", label=_("Comment"), max_length=20_000, multiline=True)
    return InsightComment.objects.create(
        insight=insight, author_id=actor.user_id, body=text, body_html=render_markdown(text)
    )


def check_cohort_definition(
    *,
    query: dict[str, Any] | None,
    selection: dict[str, Any] | None,
    persons: dict[str, Any] | None,
) -> dict[str, Any]:
    """A cohort's definition as kept: {"query", "selection"} (the persons behind one number
    of a query) or {"persons": {"q", "trait"}} (the people page's filters), exactly one."""
    if persons is not None:
        if query is not None or selection is not None:
            raise Invalid(
                _(
                    "A cohort is defined by a query and a selection, or by person filters: "
                    "not both."
                ),
                field="persons",
            )
        return {"persons": stored_person_filters(check_person_filters(persons, field="persons"))}
    if query is None:
        raise Invalid(
            _("A cohort is defined by a query and a selection, or by person filters."),
            field="query",
        )
    if selection is None:
        raise Invalid(_("Say which number of the query: the selection."), field="selection")
    if not isinstance(selection, dict):
        raise Invalid(_("Send the selection as a JSON object."), field="selection")
    return {"query": _stored(check_query(query, field="query")), "selection": selection}


def do_save_cohort(
    *,
    actor: Membership,
    name: str,
    query: dict[str, Any] | None = None,
    selection: dict[str, Any] | None = None,
    persons: dict[str, Any] | None = None,
    kind: str = CohortKind.STATIC,
    description: str = "",
) -> Cohort:
    """A cohort of the persons behind one number of `query`, or of those the person
    filters `persons` match; a static one's persons are copied now."""
    if kind not in CohortKind.values:
        raise Invalid(_("A cohort is static or dynamic."), field="kind")
    definition = check_cohort_definition(query=query, selection=selection, persons=persons)
    name = check_text(name, field="name", label=_("Name"), max_length=200)
    ids = definition_person_ids(
        actor.workspace, definition, limit=COHORT_MAX_PERSONS, field="definition"
    )
    try:
        with transaction.atomic():
            cohort = Cohort.objects.create(
                workspace_id=actor.workspace_id,
                name=name,
                description=check_description(description),
                kind=kind,
                definition=definition,
                size=len(ids),
                computed_at=timezone.now(),
                created_by_id=actor.user_id,
            )
            if kind == CohortKind.STATIC:
                _keep_members(cohort, ids)
    except IntegrityError:
        raise Conflict(_("A cohort with that name already exists."), field="name") from None
    return cohort


def do_refresh_cohort(*, actor: Membership, cohort: Cohort) -> Cohort:
    """Take a static cohort's persons again from its definition (a dynamic one always is)
    and count them."""
    check_changes(actor, cohort.created_by_id)
    ids = definition_person_ids(
        actor.workspace, cohort.definition, limit=COHORT_MAX_PERSONS, field="definition"
    )
    with transaction.atomic():
        if cohort.kind == CohortKind.STATIC:
            CohortPerson.objects.filter(cohort=cohort).delete()
            _keep_members(cohort, ids)
        cohort.size = len(ids)
        cohort.computed_at = timezone.now()
        cohort.save(update_fields=["size", "computed_at", "updated_at"])
    return cohort


def do_delete_cohort(*, actor: Membership, cohort: Cohort) -> None:
    check_changes(actor, cohort.created_by_id)
    record_audit(
        actor=actor.user, action="cohort.delete", workspace=actor.workspace, target=cohort.name
    )
    cohort.delete()
