"""Every write of insights: saving, changing and deleting an insight, commenting on one,
saving, refreshing and deleting cohorts, and the workspace's display names."""

from __future__ import annotations

import re
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opsloop.core.actions import check_description, check_text, record_audit
from opsloop.core.errors import Conflict, Forbidden, Invalid
from opsloop.core.markdown import render_markdown
from opsloop.core.models import Membership, Role
from opsloop.core.rows import lock_current, save_changed
from opsloop.insights.models import (
    Cohort,
    CohortKind,
    CohortPerson,
    DisplayName,
    DisplayNameKind,
    Insight,
    InsightComment,
)
from opsloop.insights.queries import (
    COHORT_MAX_PERSONS,
    check_person_filters,
    check_query,
    definition_person_ids,
    display_names_cache_key,
    stored_person_filters,
)
from opsloop.insights.query import KEY


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


# --- display names (docs/insights.md#display-names)

DISPLAY_NAME_MAX = 100
EVENT_NAME_MAX = 200
VALUE_MAX = 500


def check_edits_display_names(actor: Membership) -> None:
    """Who may save insights names the workspace's events and values: members and up."""
    if not actor.at_least(Role.MEMBER):
        raise Forbidden(_("Only members and above name events and values."))


def check_display_target(kind: str, key: str, value: str) -> tuple[str, str, str]:
    """What a display name is of: an event name, a property key as queries name it
    (utm_source, person.city), or a value of one; Invalid naming the field otherwise."""
    if kind not in DisplayNameKind.values:
        raise Invalid(
            _("A display name is of an event, a property or a property value."), field="kind"
        )
    key = (key or "").strip()
    value = value or ""
    if kind == DisplayNameKind.EVENT:
        if not key or len(key) > EVENT_NAME_MAX:
            raise Invalid(
                _("Give the event's name (at most %(max)d characters).") % {"max": EVENT_NAME_MAX},
                field="key",
            )
        if value:
            raise Invalid(_("Only a property value has a value."), field="value")
        return kind, key, ""
    if not re.match(KEY, key.removeprefix("person.")):
        raise Invalid(_("Not a property key: %(key)s") % {"key": key}, field="key")
    if kind == DisplayNameKind.PROPERTY:
        if value:
            raise Invalid(_("Only a property value has a value."), field="value")
        return kind, key, ""
    if not value.strip() or len(value) > VALUE_MAX:
        raise Invalid(
            _("Give the property's value (at most %(max)d characters).") % {"max": VALUE_MAX},
            field="value",
        )
    return kind, key, value


def _names_changed(workspace_id: int) -> None:
    """Drop the cached names now and again when the change commits, so no reader keeps
    (or caches anew, mid-transaction) the names as they were."""
    key = display_names_cache_key(workspace_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def do_set_display_name(
    *, actor: Membership, kind: str, key: str, value: str = "", name: str
) -> DisplayName:
    """Name an event, a property or a property's value (a second call renames it)."""
    check_edits_display_names(actor)
    kind, key, value = check_display_target(kind, key, value)
    name = check_text(name, field="name", label=_("Display name"), max_length=DISPLAY_NAME_MAX)
    with transaction.atomic():
        found, _made = DisplayName.objects.update_or_create(
            workspace_id=actor.workspace_id,
            kind=kind,
            key=key,
            value=value,
            defaults={"name": name, "updated_by_id": actor.user_id},
        )
        _names_changed(actor.workspace_id)
    return found


def do_delete_display_name(*, actor: Membership, display_name: DisplayName) -> None:
    """Forget a display name: the raw identifier shows again."""
    check_edits_display_names(actor)
    with transaction.atomic():
        display_name.delete()
        _names_changed(actor.workspace_id)


def do_save_display_names(
    *, actor: Membership, kind: str, names: dict[str, str], key: str = ""
) -> int:
    """The page's form: display names of many events (or property keys, or values of the
    property `key`) at once, {identifier: name}; an emptied name forgets it. Returns how
    many changed. All or none: one bad name refuses the whole form."""
    check_edits_display_names(actor)
    wanted: dict[tuple[str, str], str] = {}
    for identifier, name in names.items():
        if kind == DisplayNameKind.VALUE:
            target = check_display_target(kind, key, identifier)
        else:
            target = check_display_target(kind, identifier, "")
        label = check_text(
            name,
            field="name",
            label=_("Display name"),
            max_length=DISPLAY_NAME_MAX,
            required=False,
        )
        wanted[(target[1], target[2])] = label
    current = {
        (row.key, row.value): row
        for row in DisplayName.objects.filter(workspace_id=actor.workspace_id, kind=kind)
    }
    try:
        changed = _save_names(actor, kind, wanted, current)
    except IntegrityError:
        raise Conflict(
            _("Someone named these at the same moment; look again and save."), field="name"
        ) from None
    return changed


def _save_names(
    actor: Membership,
    kind: str,
    wanted: dict[tuple[str, str], str],
    current: dict[tuple[str, str], DisplayName],
) -> int:
    changed = 0
    with transaction.atomic():
        for (name_key, value), label in wanted.items():
            row = current.get((name_key, value))
            if not label:
                if row is not None:
                    row.delete()
                    changed += 1
            elif row is None:
                DisplayName.objects.create(
                    workspace_id=actor.workspace_id,
                    kind=kind,
                    key=name_key,
                    value=value,
                    name=label,
                    updated_by_id=actor.user_id,
                )
                changed += 1
            elif row.name != label:
                row.name = label
                row.updated_by_id = actor.user_id
                row.save(update_fields=["name", "updated_by", "updated_at"])
                changed += 1
        if changed:
            _names_changed(actor.workspace_id)
    return changed
