"""Insights as the pages and the API ask for them: a workspace's query run over its
events, the persons snapshot current, the result cached per query and data version, and
a time limit on every statement."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time
import zoneinfo
from dataclasses import dataclass
from typing import Any

import orjson
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import ValidationError

from opsloop.core.errors import Invalid, NotFound, OpsloopError
from opsloop.core.models import Membership, User, Workspace
from opsloop.core.paging import Paged, page_numbers
from opsloop.events import queries as event_queries
from opsloop.events.models import Person
from opsloop.events.queries import PersonFilters
from opsloop.events.store import QueryTimeout, get_store
from opsloop.insights import display, suggest
from opsloop.insights.builder import OPERATORS
from opsloop.insights.engine import make_plan, persons_behind, run_query
from opsloop.insights.models import (
    Cohort,
    CohortKind,
    DisplayName,
    DisplayNameKind,
    Insight,
    InsightComment,
)
from opsloop.insights.persons import ensure_snapshot
from opsloop.insights.plan import Plan
from opsloop.insights.query import FIRST_DAY, KEY, LAST_DAY, OUTSIDE_CALENDAR, parse_query

CACHE_SECONDS = 60 * 60
# A cohort stands for at most this many persons: the ones a static cohort keeps, the ones
# a dynamic cohort's definition gives when an insight uses it.
COHORT_MAX_PERSONS = 1_000_000


class QueryTooSlow(OpsloopError):
    """A statement ran past INSIGHTS_TIMEOUT and was stopped."""

    status = 422
    code = "query_timeout"


def access_insights(user: User, slug: str) -> Membership:
    """Members and above see insights, as they see events."""
    return event_queries.access_events(user, slug)


def check_query(data: Any, *, field: str = "") -> Any:
    """A query description from JSON data, or Invalid naming where it is wrong: `field`
    is where the query sits in the request ("" when it is the whole body)."""
    if not isinstance(data, dict):
        raise Invalid(_("Send the query as a JSON object."), field=field or "kind")
    try:
        return parse_query(data)
    except ValidationError as exc:
        errors = exc.errors()
        where = _place(errors[0], data)
        what = errors[0].get("msg", "")
        if errors[0].get("type") == OUTSIDE_CALENDAR:
            what = _("the days of a custom range are from %(first)s to %(last)s") % {
                "first": FIRST_DAY.isoformat(),
                "last": LAST_DAY.isoformat(),
            }
        raise Invalid(
            _("The query is not valid: %(where)s: %(what)s")
            % {"where": where or "kind", "what": what},
            field=".".join(part for part in (field, where or "kind") if part),
            data={
                "errors": [{"loc": _place(e, data), "message": e.get("msg", "")} for e in errors]
            },
        ) from None


def _place(error: Any, data: dict[str, Any]) -> str:
    """Where an error is, as a dotted path in the query: pydantic puts the kind (the
    union's tag) first, and names no place when the kind itself is wrong."""
    if error.get("type") in ("union_tag_invalid", "union_tag_not_found"):
        return "kind"
    loc = [str(part) for part in error.get("loc", ())]
    if loc and loc[0] == data.get("kind"):
        loc = loc[1:]
    return ".".join(part for part in loc if not part.startswith("function-"))


def local_today(workspace: Workspace) -> dt.date:
    return timezone.now().astimezone(zoneinfo.ZoneInfo(workspace.time_zone)).date()


def _plan(
    workspace: Workspace, query: Any, today: dt.date | None = None
) -> tuple[Plan, str, Cohort | None]:
    """A plan over the workspace's store with its persons snapshot current, the version
    its result is cached under (the events', the snapshot's, the cohort's), and the
    query's cohort, whose persons `_with_cohort` reads only when they are needed."""
    store = get_store()
    events, snapshot = ensure_snapshot(store, workspace.pk)
    plan = make_plan(
        store,
        workspace.pk,
        workspace.time_zone,
        today or local_today(workspace),
        timeout=settings.INSIGHTS_TIMEOUT,
    )
    version = f"{events}/{snapshot}"
    cohort = None
    if query is not None and query.cohort is not None:
        cohort = get_cohort(workspace, query.cohort, field="cohort")
        version += f"/cohort:{cohort.pk}:{cohort.updated_at.isoformat()}"
    return plan, version, cohort


def _with_cohort(plan: Plan, cohort: Cohort | None, depth: int = 0) -> Plan:
    if cohort is not None:
        plan.cohort_ids = cohort_person_ids(cohort, depth)
    return plan


# --- saved insights and cohorts


def list_insights(workspace: Workspace, limit: int | None = None) -> list[Insight]:
    """The workspace's saved insights, the latest changed first, with their makers."""
    found = Insight.objects.filter(workspace=workspace).select_related("created_by")
    return list(found[:limit] if limit is not None else found)


def get_insight(workspace: Workspace, insight_id: int) -> Insight:
    insight = (
        Insight.objects.filter(workspace=workspace, pk=insight_id)
        .select_related("created_by")
        .first()
    )
    if insight is None:
        raise NotFound(_("No such insight."))
    return insight


def list_comments(insight: Insight) -> list[InsightComment]:
    return list(insight.comments.select_related("author"))


def list_cohorts(workspace: Workspace) -> list[Cohort]:
    return list(Cohort.objects.filter(workspace=workspace).select_related("created_by"))


def get_cohort(workspace: Workspace, cohort_id: int, *, field: str | None = None) -> Cohort:
    cohort = Cohort.objects.filter(workspace=workspace, pk=cohort_id).first()
    if cohort is None:
        if field:
            raise Invalid(_("No such cohort in this workspace."), field=field)
        raise NotFound(_("No such cohort."))
    return cohort


def cohort_person_ids(cohort: Cohort, depth: int = 0) -> list[int]:
    """Its persons: a static cohort's kept ones, a dynamic one's evaluated now."""
    if cohort.kind == CohortKind.STATIC:
        return list(cohort.members.order_by("person_id").values_list("person_id", flat=True))
    filters = cohort_filters(cohort)
    if filters is not None:
        return persons_of_filters(cohort.workspace_id, filters, limit=COHORT_MAX_PERSONS)
    if depth > 2:
        raise Invalid(_("Cohorts defined by cohorts go at most three deep."), field="cohort")
    return definition_person_ids(
        cohort.workspace, cohort.definition, limit=COHORT_MAX_PERSONS, depth=depth + 1
    )


def definition_person_ids(
    workspace: Workspace,
    definition: dict[str, Any],
    *,
    limit: int,
    depth: int = 0,
    field: str = "cohort",
) -> list[int]:
    """The persons a cohort's definition stands for now, by id (up to `limit`): those its
    person filters match, or those behind one number of its query."""
    if "persons" in definition:
        filters = check_person_filters(definition["persons"], field=field)
        return persons_of_filters(workspace.pk, filters, limit=limit)
    query = check_query(definition.get("query"), field=field)
    return persons_of_selection(
        workspace=workspace,
        query=query,
        selection=definition.get("selection") or {},
        limit=limit,
        depth=depth,
    )


def check_person_filters(data: Any, *, field: str = "persons") -> PersonFilters:
    """A cohort's person filters from JSON data, {"q": "...", "trait": ["city=上海",
    "plan"]}, read as the people page reads its own (q and trait=); Invalid names where
    (`field` is where they sit: "persons.trait")."""
    if not isinstance(data, dict):
        raise Invalid(_("Send the person filters as a JSON object of q and trait."), field=field)
    unknown = sorted(set(data) - {"q", "trait"})
    if unknown:
        raise Invalid(
            _("Person filters are q and trait; %(key)s is neither.") % {"key": unknown[0]},
            field=f"{field}.{unknown[0]}",
        )
    q = data.get("q") or ""
    traits = data.get("trait") or []
    if isinstance(traits, str):
        traits = [traits]
    if not isinstance(q, str):
        raise Invalid(_("The search text q is a string."), field=f"{field}.q")
    if not isinstance(traits, list) or not all(isinstance(t, str) for t in traits):
        raise Invalid(
            _("Trait filters are a list of key=value or key (the trait is set)."),
            field=f"{field}.trait",
        )
    try:
        filters = event_queries.parse_person_filters({"q": q, "trait": traits})
    except Invalid as exc:
        raise Invalid(exc.message, field=f"{field}.{exc.field}" if exc.field else field) from None
    if not filters.active:
        raise Invalid(
            _("Give at least one trait filter or a search text."),
            field=f"{field}.trait",
        )
    return filters


def stored_person_filters(filters: PersonFilters) -> dict[str, Any]:
    """Person filters as a cohort's definition keeps them (and the API shows them)."""
    return {"q": filters.q, "trait": [trait.text for trait in filters.traits]}


def cohort_filters(cohort: Cohort) -> PersonFilters | None:
    """A trait cohort's person filters; None for a cohort of a query's number."""
    if "persons" not in cohort.definition:
        return None
    return check_person_filters(cohort.definition["persons"], field="cohort")


def persons_of_filters(workspace_id: int, filters: PersonFilters, *, limit: int) -> list[int]:
    """The ids of the persons the people page's filters match, by id (up to `limit`)."""
    found = event_queries.filter_persons(workspace_id, filters).order_by("pk")
    return list(found.values_list("pk", flat=True)[:limit])


def list_cohort_persons(cohort: Cohort, *, page: Any, per_page: Any) -> PersonsPage:
    number, size = page_numbers(page, per_page)
    ids = cohort_person_ids(cohort)
    chunk = ids[(number - 1) * size : number * size]
    persons = event_queries.persons_by_ids(cohort.workspace_id, chunk)
    return PersonsPage(items=persons, total=len(ids), page=number, per_page=size)


def persons_of_selection(
    *, workspace: Workspace, query: Any, selection: dict[str, Any], limit: int, depth: int = 0
) -> list[int]:
    """The ids of every person behind one number (up to `limit`)."""
    return _persons(workspace, query, selection, limit=limit, offset=0, depth=depth)[0]


def _persons(
    workspace: Workspace,
    query: Any,
    selection: dict[str, Any],
    *,
    limit: int,
    offset: int,
    depth: int = 0,
) -> tuple[list[int], int]:
    plan, _version, cohort = _plan(workspace, query)
    try:
        return persons_behind(
            query, _with_cohort(plan, cohort, depth), selection, limit=limit, offset=offset
        )
    except QueryTimeout as exc:
        raise _too_slow(exc) from None
    except (TypeError, ValueError) as exc:
        raise Invalid(
            _("This result has no such number: %(why)s") % {"why": exc}, field="selection"
        ) from None


SUGGESTIONS_SECONDS = 300


@dataclass(frozen=True)
class Suggestions:
    """What the builder offers: event names, event property keys and trait keys, each
    with how many events (persons) carry it, the most first."""

    events: list[tuple[str, int]]
    properties: list[tuple[str, int]]
    traits: list[tuple[str, int]]

    @property
    def event_names(self) -> list[str]:
        return [name for name, _n in self.events]


def get_suggestions(workspace: Workspace) -> Suggestions:
    """The workspace's event names and property and trait keys with their counts (the
    last 90 days of events; the persons snapshot), for the builder's fields. Cached: read
    again when the events have changed and the cached lists are five minutes old, or at
    once when the workspace had no events (so a quiet workspace's first events show)."""
    key = f"insights:suggest:{workspace.pk}"
    plan, version, _cohort = _plan(workspace, None)
    cached = cache.get(key)
    if cached is not None:
        made_at, made_version, found = cached
        fresh = time.time() - made_at < SUGGESTIONS_SECONDS and bool(found.events)
        if made_version == version or fresh:
            return found
    try:
        found = Suggestions(
            events=suggest.event_counts(plan),
            properties=suggest.property_counts(plan),
            traits=suggest.trait_counts(plan),
        )
    except QueryTimeout:
        found = Suggestions(events=[], properties=[], traits=[])
    cache.set(key, (time.time(), version, found), 24 * 3600)
    return found


def list_event_names(workspace: Workspace) -> list[str]:
    """The event names of the last 90 days, the most sent first (at most 200)."""
    return get_suggestions(workspace).event_names


def list_property_values(workspace: Workspace, key: str) -> list[tuple[str, int]]:
    """The commonest values of a property (`person.x`: of a trait) with their counts,
    for the value field of a filter; Invalid for a key that is not one."""
    kind, name = (
        ("person", key.removeprefix("person."))
        if key.startswith("person.")
        else (
            "event",
            key,
        )
    )
    if not re.match(KEY, name):
        raise Invalid(_("Not a property key: %(key)s") % {"key": key}, field="key")
    cache_key = f"insights:values:{workspace.pk}:{hashlib.sha256(key.encode()).hexdigest()}"
    plan, version, _cohort = _plan(workspace, None)
    cached = cache.get(cache_key)
    if cached is not None and cached[0] == version:
        return cached[1]
    try:
        values = suggest.value_counts(plan, kind, name)
    except QueryTimeout:
        values = []
    cache.set(cache_key, (version, values), SUGGESTIONS_SECONDS)
    return values


def run_insight(
    *, workspace: Workspace, query: Any, today: dt.date | None = None
) -> dict[str, Any]:
    """The query's result (docs/metrics.md), from the cache when the events, the persons
    snapshot, the zone and today's date are what they were. `today` (the workspace's
    date by default) is what relative date ranges count back from."""
    plan, version, cohort = _plan(workspace, query, today)
    key = _cache_key(workspace, query, plan, version)
    cached = cache.get(key)
    if cached is not None:
        return _shown(workspace, query, cached)
    try:
        result = run_query(query, _with_cohort(plan, cohort))
        # Facts, cached with the result; put in words in the reader's language below.
        names = get_display_names(workspace).events
        result["hints"] = suggest.hints(query, result, plan, names)
    except QueryTimeout as exc:
        raise _too_slow(exc) from None
    result["time_zone"] = workspace.time_zone
    cache.set(key, result, CACHE_SECONDS)
    return _shown(workspace, query, result)


def cached_insight(
    *, workspace: Workspace, query: Any, today: dt.date | None = None
) -> dict[str, Any] | None:
    """The query's result if the cache holds it for the data as it is now, else None:
    for a page that shows what is ready at once and fetches the rest after."""
    plan, version, _cohort = _plan(workspace, query, today)
    cached = cache.get(_cache_key(workspace, query, plan, version))
    return _shown(workspace, query, cached) if cached is not None else None


def _shown(workspace: Workspace, query: Any, result: dict[str, Any]) -> dict[str, Any]:
    """The result as a reader gets it: the workspace's display names beside the raw
    values, the hints in words. Both are added to a copy after the cache, so renaming an
    event or changing language needs no query run again."""
    names = get_display_names(workspace)
    return _worded(display.labelled(result, query, names), names)


def _worded(result: dict[str, Any], names: display.Names | None = None) -> dict[str, Any]:
    """The result with each hint's message in the active language (a copy: the cached
    result keeps the facts alone, for readers of any language)."""
    if not result.get("hints"):
        return result
    return {
        **result,
        "hints": [{**h, "message": describe_hint(h, names)} for h in result["hints"]],
    }


def _filter_text(hint: dict[str, Any]) -> str:
    key = ("person." if hint["type"] == "person" else "") + hint["key"]
    op = str(dict(OPERATORS).get(hint["op"], hint["op"]))
    value = hint.get("value")
    if value is None:
        return f"{key} {op}"
    shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return f"{key} {op} {shown}"


def _events_text(names: list[str]) -> str:
    return ", ".join(n or _("any event") for n in names)


def _counted_events(found: list[list[Any]], names: display.Names | None) -> str:
    """[[name, count], ...] as "first_order (首单, 12), ...": each event's display name
    beside it, when it has one."""
    shown = []
    for name, n in found:
        label = names.events.get(name, "") if names is not None else ""
        shown.append(f"{name} ({label}, {n:,})" if label and label != name else f"{name} ({n:,})")
    return ", ".join(shown)


def _describe_missing_event(hint: dict[str, Any], names: display.Names | None) -> str:
    """An event_not_received hint in words: not in the range (ever, or since when), and
    what the range has that was likely meant."""
    values = {"key": hint["key"], "day": hint.get("last_seen") or ""}
    if hint.get("last_seen"):
        parts = [
            _("No %(key)s event was received in this range; the last one came on %(day)s.") % values
        ]
    else:
        parts = [_("No %(key)s event was received in this range, nor at any other time.") % values]
    if hint.get("named"):
        values["events"] = _counted_events(hint["named"], names)
        parts.append(
            _("%(key)s is the display name of %(events)s: queries name the event itself.") % values
        )
    if hint.get("similar"):
        values["events"] = _counted_events(hint["similar"], names)
        parts.append(_("Events of the range with a similar name: %(events)s.") % values)
    if hint.get("received"):
        values["events"] = _counted_events(hint["received"], names)
        parts.append(_("The range's commonest events: %(events)s.") % values)
    return " ".join(parts)


def describe_hint(hint: dict[str, Any], names: display.Names | None = None) -> str:
    """A hint's facts (suggest.hints) in words: why nothing matched, what to use.
    `names`: the workspace's display names, shown beside the events named."""
    code, key = hint["code"], hint["key"]
    if code == "event_not_received":
        return _describe_missing_event(hint, names)
    values = {"key": key, "events": _events_text(hint.get("events") or [])}
    parts: list[str] = []
    if code == "breakdown_not_set":
        if hint["type"] == "person":
            parts.append(_("No user has the trait %(key)s, so everyone is under (none).") % values)
        elif hint.get("reads") == "first_step":
            parts.append(
                _(
                    "A funnel is broken down by the value on each user's first event of step "
                    "1, and %(key)s is not set on the first step's events (%(events)s), so "
                    "everyone is under (none)."
                )
                % values
            )
        else:
            parts.append(
                _(
                    "%(key)s is not set on the series' events (%(events)s), so everyone is "
                    "under (none)."
                )
                % values
            )
    elif code == "filter_matches_nothing":
        values["filter"] = _filter_text(hint)
        if hint.get("is_set"):
            parts.append(
                _("The filter %(filter)s matches none of the %(events)s events in the range.")
                % values
            )
        else:
            parts.append(
                _(
                    "The filter %(filter)s matches nothing: %(key)s is not set on the "
                    "%(events)s events in the range."
                )
                % values
            )
    elif code == "filter_matches_no_person":
        values["filter"] = _filter_text(hint)
        values["n"] = hint.get("having", 0)
        parts.append(
            _("The filter %(filter)s matches no user (%(n)s users have the trait %(key)s).")
            % values
        )
    else:  # filter_on_returns
        values["filter"] = _filter_text(hint)
        parts.append(
            _(
                "Filters apply to every event the insight reads, the returns too: no user of "
                "these cohorts came back with an event where %(filter)s."
            )
            % values
        )
    if hint.get("set_on"):
        where = ", ".join(f"{name} ({n:,})" for name, n in hint["set_on"])
        parts.append(_("%(key)s is set on: %(where)s.") % {"key": key, "where": where})
    if hint.get("suggest"):
        parts.append(
            _(
                "The user's own property %(suggest)s keeps it for every event (for a channel, "
                "the first touch): use it instead."
            )
            % {"suggest": hint["suggest"]}
        )
    if hint.get("channels"):
        parts.append(_("The Channels tab counts users by the UTM of their first or last touch."))
    return " ".join(parts)


@dataclass
class PersonsPage(Paged):
    items: list[Person]
    total: int
    page: int
    per_page: int


def list_persons_behind(
    *, workspace: Workspace, query: Any, selection: dict[str, Any], page: Any, per_page: Any
) -> PersonsPage:
    """The persons behind one number of the query's result, by id, a page at a time."""
    number, size = page_numbers(page, per_page)
    ids, total = _persons(workspace, query, selection, limit=size, offset=(number - 1) * size)
    persons = event_queries.persons_by_ids(workspace.pk, ids)
    return PersonsPage(items=persons, total=total, page=number, per_page=size)


def _too_slow(exc: QueryTimeout) -> QueryTooSlow:
    return QueryTooSlow(
        _(
            "The query ran longer than %(seconds)s seconds and was stopped. "
            "Try a shorter date range or fewer steps."
        )
        % {"seconds": f"{exc.seconds:g}"}
    )


def _cache_key(workspace: Workspace, query: Any, plan: Plan, version: str) -> str:
    described = orjson.dumps(query.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
    digest = hashlib.sha256(
        b"|".join(
            [
                described,
                workspace.time_zone.encode(),
                plan.today.isoformat().encode(),
                version.encode(),
                # The hints point at events by their display names (suggest.hints).
                _event_names_version(workspace).encode(),
            ]
        )
    ).hexdigest()
    return f"insights:{workspace.pk}:{digest}"


def _event_names_version(workspace: Workspace) -> str:
    events = get_display_names(workspace).events
    return hashlib.sha256(orjson.dumps(events, option=orjson.OPT_SORT_KEYS)).hexdigest()


# --- display names (docs/insights.md#display-names)

DISPLAY_NAMES_SECONDS = 24 * 3600


def display_names_cache_key(workspace_id: int) -> str:
    return f"insights:names:{workspace_id}"


def get_display_names(workspace: Workspace) -> display.Names:
    """The workspace's display names as dicts, read once and cached until one changes
    (actions drop the cached copy), so labelling a result costs no query per label."""
    key = display_names_cache_key(workspace.pk)
    found = cache.get(key)
    if found is not None:
        return found
    events: dict[str, str] = {}
    properties: dict[str, str] = {}
    values: dict[str, dict[str, str]] = {}
    rows = DisplayName.objects.filter(workspace=workspace).values_list(
        "kind", "key", "value", "name"
    )
    for kind, name_key, value, name in rows:
        if kind == DisplayNameKind.EVENT:
            events[name_key] = name
        elif kind == DisplayNameKind.PROPERTY:
            properties[name_key] = name
        else:
            values.setdefault(name_key, {})[value] = name
    found = display.Names(events=events, properties=properties, values=values)
    cache.set(key, found, DISPLAY_NAMES_SECONDS)
    return found


def list_display_names(workspace: Workspace, *, kind: str = "", key: str = "") -> list[DisplayName]:
    """The workspace's display names, by kind, key and value; of one kind (and one
    property's values) when given."""
    found = DisplayName.objects.filter(workspace=workspace)
    if kind:
        found = found.filter(kind=kind)
    if key:
        found = found.filter(key=key)
    return list(found.select_related("updated_by"))


def get_display_name(workspace: Workspace, name_id: int) -> DisplayName:
    found = DisplayName.objects.filter(workspace=workspace, pk=name_id).first()
    if found is None:
        raise NotFound(_("No such display name."))
    return found
