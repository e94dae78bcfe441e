"""The insights page: a query builder (a plain GET form, so an insight is a URL), its
result as a chart and a table, each number a link to the persons behind it, and the
table as CSV; the cohorts page: the saved cohorts, and a form to make one of the
persons whose traits match filters; and the display names page: what the workspace
calls its events, property keys and property values."""

from __future__ import annotations

import csv
import io
import json
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opsloop.core.errors import Invalid, OpsloopError
from opsloop.core.models import Membership
from opsloop.core.pages import int_param, page, raise_if_denied
from opsloop.insights import actions, builder, display, queries
from opsloop.insights.models import KIND_LABELS, Cohort, CohortKind, DisplayNameKind, Insight
from opsloop.insights.sql import EVENT_COLUMNS
from opsloop.insights.templatetags.insights_tags import duration, share

INTERVALS = [
    ("hour", gettext_lazy("Hour")),
    ("day", gettext_lazy("Day")),
    ("week", gettext_lazy("Week")),
    ("month", gettext_lazy("Month")),
]
ORDERS = [
    ("ordered", gettext_lazy("In order, anything between")),
    ("strict", gettext_lazy("In order, nothing between")),
    ("any", gettext_lazy("In any order")),
]
UNITS = [
    ("minute", gettext_lazy("minutes")),
    ("hour", gettext_lazy("hours")),
    ("day", gettext_lazy("days")),
    ("week", gettext_lazy("weeks")),
    ("month", gettext_lazy("months")),
]


def _default_query(events: list[str]) -> dict[str, Any]:
    first = events[0] if events else None
    return {
        "kind": "trends",
        "series": [{"event": first, "math": "dau"}],
        "date_range": {"preset": "last_30_days"},
    }


@login_required
@page
def insights(request: HttpRequest, slug: str) -> HttpResponse:
    """The builder and its result; with ?insight=ID, a saved insight with its comments.
    Posts save, change and delete insights, comment, and save cohorts."""
    membership = queries.access_insights(request.user, slug)
    workspace = membership.workspace
    suggestions = queries.get_suggestions(workspace)
    names = queries.get_display_names(workspace)
    events = suggestions.event_names
    saved = None
    if request.GET.get("insight"):
        saved = queries.get_insight(workspace, int_param(request.GET.get("insight")))
        data = dict(saved.query)
    elif "kind" in request.GET:
        data = builder.query_from_params(request.GET)
    else:
        data = _default_query(events)
    error: OpsloopError | None = None
    if request.method == "POST":
        try:
            return _post(request, membership, saved)
        except OpsloopError as exc:
            raise_if_denied(exc)
            error = exc
    # A kind's tab alone opens its form empty: nothing to run until events are chosen.
    fresh = set(request.GET) == {"kind"} and data["kind"] != "trends"
    result = None
    if not fresh and error is None:
        try:
            result = queries.run_insight(workspace=workspace, query=queries.check_query(data))
        except OpsloopError as exc:
            error = exc
    shown = display.tables(result) if result else None
    if request.GET.get("format") == "csv" and shown is not None and result is not None:
        return _csv(result, shown, data)
    context = {
        "membership": membership,
        "workspace": workspace,
        "nav": "insights",
        "form": builder.form_values(data),
        "result": result,
        "shown": shown,
        "error": error,
        "suggestions": suggestions,
        "event_options": [(name, n, names.events.get(name, "")) for name, n in suggestions.events],
        "property_keys": [
            (key, n, person, names.properties.get(key, ""))
            for key, n, person in _property_keys(suggestions)
        ],
        "hints": _hints(result, data) if result else [],
        "maths": list(display.MATH_LABELS.items()),
        "ranges": builder.RANGES,
        "intervals": INTERVALS,
        "periods": INTERVALS[1:],
        "orders": ORDERS,
        "units": UNITS,
        "operators": builder.OPERATORS,
        "channels": [(key, names.key(key)) for key in ("utm_source", "utm_medium", "utm_campaign")],
        "title": saved.name if saved else KIND_LABELS[data.get("kind", "trends")],
        "fresh": fresh,
        "saved": saved,
        "can_change": saved is not None and _may_change(membership, saved.created_by_id),
        "comments": queries.list_comments(saved) if saved else [],
        "saved_insights": queries.list_insights(workspace, limit=30),
        "cohorts": queries.list_cohorts(workspace),
        "query_string": urlencode(builder.params_of(data)),
        "query_json": json.dumps(data, ensure_ascii=False, indent=2),
    }
    return TemplateResponse(
        request, "insights/insights.html", context, status=error.status if error else 200
    )


def _property_keys(suggestions: queries.Suggestions) -> list[tuple[str, int, bool]]:
    """The keys the property fields offer: (key, count, of a person), the event ones that
    exist first, then the columns no event has yet, then the traits."""
    keys = [(name, n, False) for name, n in suggestions.properties]
    seen = {name for name, _n in suggestions.properties}
    keys += [(name, 0, False) for name in sorted(EVENT_COLUMNS - seen - {"event"})]
    keys += [(f"person.{name}", n, True) for name, n in suggestions.traits]
    return keys


def _hints(result: dict[str, Any], data: dict[str, Any]) -> list[dict[str, Any]]:
    """The result's hints, each with a link to the same insight using the suggested
    person property instead of the key that matched nothing, or the suggested event
    instead of a name the range does not have."""
    out = []
    for hint in result.get("hints") or []:
        row = {"message": hint["message"], "suggest": hint.get("suggest"), "url": ""}
        if hint["code"] == "event_not_received":
            if hint.get("suggest"):
                changed = _with_event(data, hint["key"], hint["suggest"])
                row["url"] = "?" + urlencode(builder.params_of(changed))
        elif hint.get("suggest"):
            trait = hint["suggest"].removeprefix("person.")
            changed = dict(data)
            if hint["code"] == "breakdown_not_set":
                changed["breakdown"] = {"type": "person", "key": trait}
            else:
                changed["filters"] = [
                    {**f, "type": "person", "key": trait}
                    if f.get("key") == hint["key"] and f.get("type", "event") == "event"
                    else f
                    for f in data.get("filters") or []
                ]
            row["url"] = "?" + urlencode(builder.params_of(changed))
        out.append(row)
    return out


def _with_event(data: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    """The query description with the event `old` replaced by `new` wherever it is named."""
    changed = dict(data)
    for field in ("series", "steps", "exclusions", "start", "returning", "conversion"):
        value = data.get(field)
        if isinstance(value, list):
            changed[field] = [
                {**s, "event": new} if isinstance(s, dict) and s.get("event") == old else s
                for s in value
            ]
        elif isinstance(value, dict) and value.get("event") == old:
            changed[field] = {**value, "event": new}
    if data.get("kind") == "paths" and data.get("event") == old:
        changed["event"] = new
    return changed


def _may_change(membership: Membership, created_by_id: int | None) -> bool:
    try:
        actions.check_changes(membership, created_by_id)
    except OpsloopError:
        return False
    return True


def _post(request: HttpRequest, membership: Membership, saved: Insight | None) -> HttpResponse:
    op = request.POST.get("op", "")
    slug = membership.workspace.slug
    here = reverse("insights", args=[slug])
    if op == "save":
        insight = actions.do_save_insight(
            actor=membership,
            name=request.POST.get("name", ""),
            query=_posted_query(request),
        )
        messages.success(request, _("Insight saved."))
        return redirect(f"{here}?insight={insight.pk}")
    if op == "cohort":
        cohort = actions.do_save_cohort(
            actor=membership,
            name=request.POST.get("name", ""),
            kind=request.POST.get("kind", "static"),
            query=_posted_query(request),
            selection=_selection(request.POST.get("selection")),
        )
        messages.success(
            request,
            _("Cohort %(name)s saved: %(n)s users.") % {"name": cohort.name, "n": cohort.size},
        )
        return redirect(f"{here}?{request.POST.get('back', '')}")
    if saved is None:
        raise Invalid(_("Unknown operation."))
    if op == "update":
        actions.do_update_insight(
            actor=membership,
            insight=saved,
            name=request.POST.get("name"),
            query=_posted_query(request) if request.POST.get("query") else None,
        )
        messages.success(request, _("Insight changed."))
        return redirect(f"{here}?insight={saved.pk}")
    if op == "delete":
        actions.do_delete_insight(actor=membership, insight=saved)
        messages.success(request, _("Insight deleted."))
        return redirect(here)
    if op == "comment":
        actions.do_comment_insight(
            actor=membership, insight=saved, body=request.POST.get("body", "")
        )
        return redirect(f"{here}?insight={saved.pk}#comments")
    raise Invalid(_("Unknown operation."))


def _posted_query(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.POST.get("query") or "")
    except json.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        raise Invalid(_("Send the query as a JSON object."), field="query")
    return data


@login_required
@page
def insight_persons(request: HttpRequest, slug: str) -> HttpResponse:
    """The persons behind one number: the builder's parameters and `sel`, the selection."""
    membership = queries.access_insights(request.user, slug)
    workspace = membership.workspace
    try:
        found = queries.list_persons_behind(
            workspace=workspace,
            query=queries.check_query(builder.query_from_params(request.GET)),
            selection=_selection(request.GET.get("sel")),
            page=request.GET.get("page"),
            per_page=request.GET.get("per_page"),
        )
    except Invalid as exc:
        found, error = None, exc
    else:
        error = None
    context = {
        "membership": membership,
        "workspace": workspace,
        "nav": "insights",
        "found": found,
        "error": error,
        "query_json": json.dumps(builder.query_from_params(request.GET), ensure_ascii=False),
        "selection_json": request.GET.get("sel") or "{}",
    }
    back = request.GET.copy()
    for key in ("sel", "page", "per_page"):
        back.pop(key, None)
    context["back_query"] = back.urlencode()
    template = "insights/persons.html"
    if request.headers.get("HX-Request"):
        template += "#persons"
    return TemplateResponse(request, template, context, status=400 if error else 200)


def _selection(text: str | None) -> dict[str, Any]:
    try:
        selection = json.loads(text or "{}")
    except json.JSONDecodeError:
        selection = None
    if not isinstance(selection, dict):
        raise Invalid(_("The selection is not valid JSON."), field="sel")
    return selection


def _csv(result: dict[str, Any], shown: dict[str, Any], data: dict[str, Any]) -> HttpResponse:
    """The table as the page shows it, its headers in the reader's language."""
    out = io.StringIO()
    writer = csv.writer(out)
    for line in _csv_lines(result, shown, data):
        writer.writerow(["" if v is None else v for v in line])
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        True, f"insight-{result['kind']}.csv"
    )
    return response


def _csv_lines(
    result: dict[str, Any], shown: dict[str, Any], data: dict[str, Any]
) -> list[list[Any]]:
    kind, head, rows = result["kind"], shown["head"], shown["rows"]

    def values(row: dict[str, Any]) -> list[Any]:
        return [share(c["value"]) if c.get("percent") else c["value"] for c in row["cells"]]

    if kind == "trends":
        return [
            [_("Series"), _("Total"), *head],
            *([row["label"], row["total"], *values(row)] for row in rows),
        ]
    if kind == "funnel":
        first = _("Break down by") if data.get("breakdown") else _("Users")
        steps = [f"{i}. {h}" for i, h in enumerate(head, start=1)]
        return [
            [first, *steps, _("Conversion"), _("Median time")],
            *(
                [row["label"], *values(row), share(row["conversion"]), duration(row["median"])]
                for row in rows
            ),
        ]
    if kind == "paths":
        return [
            [_("Step"), _("From"), _("To"), _("Users")],
            *(
                [row["label"], row["source_label"], row["target_label"], *values(row)]
                for row in rows
            ),
        ]
    first = {
        "retention": _("Cohort"),
        "stickiness": _("Event"),
        "lifecycle": _("Status"),
        "attribution": _("Channel"),
    }[kind]
    return [[first, *head], *([row["label"], *values(row)] for row in rows)]


@login_required
@page
def insight_cohorts(request: HttpRequest, slug: str) -> HttpResponse:
    """The workspace's cohorts, how each is defined, with refresh and delete for who may;
    and a form for a cohort of the persons whose traits match the people page's filters.
    Posts create, refresh and delete cohorts."""
    membership = queries.access_insights(request.user, slug)
    workspace = membership.workspace
    error: OpsloopError | None = None
    if request.method == "POST":
        try:
            return _post_cohorts(request, membership)
        except OpsloopError as exc:
            raise_if_denied(exc)
            error = exc
    creating = request.method == "POST" and request.POST.get("op") == "create"
    # A refused new cohort's form comes back as it was filled in, its error in it.
    posted = request.POST if creating else QueryDict()
    context = {
        "membership": membership,
        "workspace": workspace,
        "nav": "insights",
        "rows": [_cohort_row(membership, c) for c in queries.list_cohorts(workspace)],
        "error": None if creating else error,
        "form_error": error if creating else None,
        "form": {
            "name": posted.get("name", ""),
            "kind": posted.get("kind", CohortKind.STATIC),
            "q": posted.get("q", ""),
            "trait": "\n".join(_trait_lines(posted)),
        },
    }
    return TemplateResponse(
        request, "insights/cohorts.html", context, status=error.status if error else 200
    )


def _post_cohorts(request: HttpRequest, membership: Membership) -> HttpResponse:
    op = request.POST.get("op", "")
    here = reverse("insight_cohorts", args=[membership.workspace.slug])
    if op == "create":
        cohort = actions.do_save_cohort(
            actor=membership,
            name=request.POST.get("name", ""),
            kind=request.POST.get("kind", CohortKind.STATIC),
            persons={"q": request.POST.get("q", ""), "trait": _trait_lines(request.POST)},
        )
        messages.success(
            request,
            _("Cohort %(name)s saved: %(n)s users.") % {"name": cohort.name, "n": cohort.size},
        )
        return redirect(here)
    if op not in ("refresh", "delete"):
        raise Invalid(_("Unknown operation."))
    cohort = queries.get_cohort(membership.workspace, int_param(request.POST.get("cohort_id")))
    if op == "refresh":
        actions.do_refresh_cohort(actor=membership, cohort=cohort)
        messages.success(
            request,
            _("Cohort %(name)s refreshed: %(n)s users.") % {"name": cohort.name, "n": cohort.size},
        )
    else:
        actions.do_delete_cohort(actor=membership, cohort=cohort)
        messages.success(request, _("Cohort %(name)s deleted.") % {"name": cohort.name})
    return redirect(here)


def _trait_lines(data: QueryDict) -> list[str]:
    """The trait filters of the form: one a line of its text box (or repeated fields)."""
    return [
        line.strip() for text in data.getlist("trait") for line in text.splitlines() if line.strip()
    ]


def _cohort_row(membership: Membership, cohort: Cohort) -> dict[str, Any]:
    """A cohort as its row shows it: its trait filters with a link to the people page so
    filtered, or a link to the persons behind the number it was saved from; and whether
    this member may refresh and delete it."""
    row: dict[str, Any] = {
        "cohort": cohort,
        "filters": queries.cohort_filters(cohort),
        "can_change": _may_change(membership, cohort.created_by_id),
    }
    if row["filters"] is not None:
        filters = row["filters"]
        row["people_url"] = (
            reverse("people", args=[membership.workspace.slug])
            + "?"
            + urlencode(
                [
                    *([("q", filters.q)] if filters.q else []),
                    *(("trait", t.text) for t in filters.traits),
                ]
            )
        )
    else:
        query = cohort.definition.get("query") or {}
        selection = cohort.definition.get("selection") or {}
        row["query_kind"] = str(KIND_LABELS.get(query.get("kind", ""), query.get("kind", "")))
        row["persons_url"] = (
            reverse("insight_persons", args=[membership.workspace.slug])
            + "?"
            + urlencode([*builder.params_of(query), ("sel", json.dumps(selection))])
        )
    return row


@login_required
@page
def insight_names(request: HttpRequest, slug: str) -> HttpResponse:
    """The display names: the event names and property keys that exist (with their
    counts) and those already named, each with its name to edit; with ?key=, the
    commonest values of that property. Posts save one section's names at once."""
    membership = queries.access_insights(request.user, slug)
    workspace = membership.workspace
    key = (request.POST.get("key") or request.GET.get("key") or "").strip()
    error: OpsloopError | None = None
    posted: dict[str, dict[str, str]] = {}
    if request.method == "POST":
        try:
            return _post_names(request, membership, key)
        except OpsloopError as exc:
            raise_if_denied(exc)
            error = exc
            # The refused section comes back as it was typed.
            posted[request.POST.get("op", "")] = _posted_names(request)
    suggestions = queries.get_suggestions(workspace)
    names = queries.get_display_names(workspace)
    values: list[tuple[str, int]] = []
    key_error: OpsloopError | None = None
    if key:
        try:
            values = queries.list_property_values(workspace, key)
        except OpsloopError as exc:
            key_error = exc
    properties = [
        *suggestions.properties,
        *((f"person.{name}", n) for name, n in suggestions.traits),
    ]
    context = {
        "membership": membership,
        "workspace": workspace,
        "nav": "names",
        "error": error,
        "key": key,
        "key_error": key_error,
        "property_keys": [name for name, _n in properties],
        "sections": [
            {
                "kind": DisplayNameKind.EVENT,
                "title": _("Events"),
                "what": _("Event"),
                "counted": _("Events (90 days)"),
                "rows": _name_rows(
                    suggestions.events, names.events, posted.get(DisplayNameKind.EVENT)
                ),
            },
            {
                "kind": DisplayNameKind.PROPERTY,
                "title": _("Properties"),
                "what": _("Property"),
                "counted": _("Events or users"),
                "rows": _name_rows(
                    properties, names.properties, posted.get(DisplayNameKind.PROPERTY)
                ),
            },
        ],
        "values": _name_rows(values, names.values.get(key, {}), posted.get(DisplayNameKind.VALUE))
        if key and key_error is None
        else [],
        "key_label": names.key(key) if key else "",
    }
    return TemplateResponse(
        request, "insights/names.html", context, status=error.status if error else 200
    )


def _name_rows(
    counted: list[tuple[str, int]], named: dict[str, str], posted: dict[str, str] | None
) -> list[dict[str, Any]]:
    """One row per identifier that exists (with its count), then those named but not
    seen lately; each with its display name (as posted, when the form came back)."""
    shown = posted or {}
    rows = [
        {"id": ident, "count": n, "name": shown.get(ident, named.get(ident, ""))}
        for ident, n in counted
    ]
    seen = {ident for ident, _n in counted}
    rows += [
        {"id": ident, "count": None, "name": shown.get(ident, name)}
        for ident, name in sorted(named.items())
        if ident not in seen
    ]
    return rows


def _posted_names(request: HttpRequest) -> dict[str, str]:
    """The form's rows, {identifier: name}: the listed ones (target and name, in pairs)
    and the new row (new_target, new_name) when filled in."""
    targets, labels = request.POST.getlist("target"), request.POST.getlist("name")
    if len(targets) != len(labels):
        raise Invalid(_("Each row has an identifier and a name."), field="name")
    rows = dict(zip(targets, labels, strict=True))
    extra = request.POST.get("new_target", "").strip()
    if extra:
        rows[extra] = request.POST.get("new_name", "")
    return rows


def _post_names(request: HttpRequest, membership: Membership, key: str) -> HttpResponse:
    op = request.POST.get("op", "")
    if op not in DisplayNameKind.values:
        raise Invalid(_("Unknown operation."))
    changed = actions.do_save_display_names(
        actor=membership, kind=op, key=key, names=_posted_names(request)
    )
    messages.success(
        request,
        _("Display names saved: %(n)s changed.") % {"n": changed}
        if changed
        else _("No display name changed."),
    )
    here = reverse("insight_names", args=[membership.workspace.slug])
    return redirect(f"{here}?{urlencode({'key': key})}#{op}" if key else f"{here}#{op}")
