"""Pages of users' events: sources and their keys, the people list, a person's page, the
live events page (refreshed by htmx polling) and exports."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opsloop.core.errors import Invalid, OpsloopError
from opsloop.core.inputs import parse_input
from opsloop.core.models import Membership
from opsloop.core.pages import form_data, int_param, page, raise_if_denied
from opsloop.events import actions, queries
from opsloop.events.models import SourceKind
from opsloop.events.schemas import SourceIn, SourcePatch
from opsloop.events.store import EventFilter

CONTENT_TYPES = {"parquet": "application/vnd.apache.parquet", "csv": "text/csv; charset=utf-8"}


def _base(membership: Membership, nav: str) -> dict:
    return {
        "membership": membership,
        "workspace": membership.workspace,
        "nav": nav,
        "is_admin": queries.can_manage_sources(membership),
    }


# --- sources


@login_required
@page
def sources(request: HttpRequest, slug: str) -> HttpResponse:
    """The workspace's sources; admins add, rename and delete them and rotate and revoke
    keys. A new key is shown on the answer to the post that made it, and never again."""
    membership = queries.access_events(request.user, slug)
    error = None
    created: actions.CreatedKey | None = None
    created_for = None
    if request.method == "POST":
        queries.check_manages_sources(membership)
        data = form_data(request, blank_is_none=("rate_limit",))
        op = data.pop("op", "create")
        try:
            if op == "create":
                made = actions.do_create_source(actor=membership, data=parse_input(SourceIn, data))
                created, created_for = made.key, made.source
            else:
                source = queries.get_source(
                    membership.workspace_id, int_param(data.pop("source_id", None))
                )
                if op == "rotate":
                    created = actions.do_rotate_key(actor=membership, source=source)
                    created_for = source
                elif op == "revoke":
                    key = queries.get_key(source, int_param(data.pop("key_id", None)))
                    actions.do_revoke_key(actor=membership, key=key)
                    messages.success(request, _("Key revoked."))
                elif op == "delete":
                    actions.do_delete_source(actor=membership, source=source)
                    messages.success(request, _("Source deleted."))
                elif op == "update":
                    actions.do_update_source(
                        actor=membership, source=source, data=parse_input(SourcePatch, data)
                    )
                    messages.success(request, _("Saved."))
                else:
                    raise Invalid(_("Unknown operation."))
        except OpsloopError as exc:
            raise_if_denied(exc)
            error = exc
        else:
            if created is None:
                return redirect("sources", slug=slug)
    admin = queries.can_manage_sources(membership)
    listed = queries.list_sources(membership.workspace_id, with_keys=admin)
    # A new key's source gets the snippets of its kind first; else those of every kind here.
    kinds = [created_for.kind] if created_for else [source.kind for source in listed]
    first = queries.snippets_first(kinds)
    snippets = queries.integration_snippets(created.raw if created else "<WRITE_KEY>")
    context = _base(membership, "sources") | {
        "sources": listed,
        "kinds": SourceKind.choices,
        "created": created,
        "created_for": created_for,
        "snippets": snippets,
        "snippets_first": [(name, snippets[name]) for name in first],
        "snippets_other": [
            (name, snippets[name]) for name in queries.SNIPPET_NAMES if name not in first
        ],
        "site_url": queries.site_url(),
        "error": error,
    }
    status = error.status if error else 200
    return TemplateResponse(request, "events/sources.html", context, status=status)


# --- people


@login_required
@page
def people(request: HttpRequest, slug: str) -> HttpResponse:
    membership = queries.access_events(request.user, slug)
    error = None
    try:
        filters = queries.parse_person_filters(request.GET)
    except Invalid as exc:
        error = exc
        filters = queries.PersonFilters()
    found = queries.list_persons(membership.workspace_id, filters)
    context = _base(membership, "people") | {
        "filters": filters,
        "found": found,
        "error": error,
    }
    template = "events/people.html"
    if request.headers.get("HX-Request"):
        template += "#results"
    return TemplateResponse(request, template, context, status=error.status if error else 200)


@login_required
@page
def person(request: HttpRequest, slug: str, person_id: int) -> HttpResponse:
    """A person's traits, ids and events; admins delete them and their events here."""
    membership = queries.access_events(request.user, slug)
    found = queries.get_person(membership.workspace_id, person_id)
    if request.method == "POST":
        queries.check_admin_data(membership, "delete")
        if request.POST.get("op") != "delete":
            messages.error(request, _("Unknown operation."))
            return redirect("person", slug=slug, person_id=found.pk)
        deleted = actions.do_delete_person(actor=membership, person=found)
        messages.success(
            request,
            ngettext(
                "The user and their %(events)d event were deleted.",
                "The user and their %(events)d events were deleted.",
                deleted.events,
            )
            % {"events": deleted.events},
        )
        return redirect("people", slug=slug)
    error = None
    try:
        events = queries.person_events(found, request.GET)
    except Invalid as exc:
        error = exc
        events = queries.person_events(found, {})
    context = _base(membership, "people") | {
        "person": found,
        "traits": sorted((found.traits or {}).items()),
        "events": events,
        "rows": queries.event_rows(membership.workspace_id, events.items),
        "error": error,
    }
    return TemplateResponse(
        request, "events/person.html", context, status=error.status if error else 200
    )


# --- live events


@login_required
@page
def live_events(request: HttpRequest, slug: str) -> HttpResponse:
    """The latest events under the filters; the table asks for itself again every few
    seconds (htmx), so a developer sees their integration's events come in."""
    membership = queries.access_events(request.user, slug)
    error = None
    try:
        query = queries.parse_event_filters(membership.workspace_id, request.GET)
    except Invalid as exc:
        error = exc
        query = queries.EventQuery(where=EventFilter(workspace_id=membership.workspace_id))
    rows = queries.latest_events(query.where)
    context = _base(membership, "live") | {
        "query": query,
        "rows": queries.event_rows(membership.workspace_id, rows),
        "sources": queries.list_sources(membership.workspace_id),
        "event_names": queries.event_names(membership.workspace_id),
        "refresh_url": f"{reverse('live_events', args=[slug])}?{request.GET.urlencode()}",
        "error": error,
    }
    template = "events/live.html"
    if request.headers.get("HX-Request"):
        template += "#rows"
    return TemplateResponse(request, template, context, status=error.status if error else 200)


# --- exports


def _file(path: Path, export: queries.ExportRequest) -> FileResponse:
    handle = open(path, "rb")  # noqa: SIM115 (FileResponse closes it)
    size = path.stat().st_size
    # The file needs no name once open; removed now, it cannot be left behind.
    path.unlink(missing_ok=True)
    response = FileResponse(handle, content_type=CONTENT_TYPES[export.fmt])
    response["Content-Length"] = str(size)
    response["Content-Disposition"] = content_disposition_header(True, export.filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@page
def events_export(request: HttpRequest, slug: str) -> HttpResponse:
    """Events or persons of a date range as Parquet or CSV: owners and admins."""
    membership = queries.access_events(request.user, slug)
    queries.check_admin_data(membership, "export")
    try:
        export = queries.parse_export(request.GET)
    except Invalid as exc:
        messages.error(request, exc.message)
        return redirect("live_events", slug=slug)
    path, _rows = queries.write_export(membership.workspace_id, export)
    return _file(path, export)


@page
def events_export_signed(request: HttpRequest, token: str) -> HttpResponse:
    """An export by the short-lived URL the API answered with."""
    workspace_id, export = queries.export_from_signed(token)
    path, _rows = queries.write_export(workspace_id, export)
    return _file(path, export)
