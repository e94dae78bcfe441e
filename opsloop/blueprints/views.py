"""Pages of project templates: the list, a template with its plan in days from the start,
the form that makes a project from it (with the dates a start date gives), and "Save as
template" for a project."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opsloop.blueprints import actions, queries
from opsloop.blueprints.models import TemplateVisibility
from opsloop.blueprints.queries import EDIT, TemplateAccess
from opsloop.blueprints.schemas import TemplateIn, TemplatePatch, TemplateUseIn
from opsloop.core.errors import Invalid, OpsloopError
from opsloop.core.inputs import parse_input
from opsloop.core.models import Role
from opsloop.core.pages import form_data, page, raise_if_denied
from opsloop.core.queries import access_workspace, list_members
from opsloop.work.models import Visibility
from opsloop.work.queries import access_project


def _day(value: str | None) -> dt.date | None:
    """A start date from a form or a link; blank is none, anything else not a date Invalid."""
    if not value:
        return None
    try:
        day = parse_date(value)
    except ValueError:
        day = None
    if day is None:
        raise Invalid(
            _("%(field)s must be a date (YYYY-MM-DD).") % {"field": "start_date"},
            field="start_date",
        )
    return day


@login_required
@page
def blueprint_list(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug, Role.MEMBER)
    templates = queries.list_templates(membership)
    rows = [(t, queries.summarize(t), queries.can_edit_template(membership, t)) for t in templates]
    context = {
        "membership": membership,
        "workspace": membership.workspace,
        "rows": rows,
        "nav": "blueprints",
    }
    return TemplateResponse(request, "blueprints/blueprint_list.html", context)


def _detail_context(access: TemplateAccess, start: dt.date | None) -> dict:
    template = access.template
    seen = queries.seen_sources(access.membership, [template])
    return {
        "membership": access.membership,
        "workspace": access.membership.workspace,
        "template": template,
        "summary": queries.summarize(template),
        "plan": queries.plan_of(template, start),
        "source": template.source_project if template.source_project_id in seen else None,
        "can_edit": access.can_edit,
        "visibilities": TemplateVisibility.choices,
        "nav": "blueprints",
    }


@login_required
@page
def blueprint_detail(request: HttpRequest, slug: str, template_id: int) -> HttpResponse:
    """The template's plan; its maker and admins rename it here."""
    access = queries.access_template(request.user, slug, template_id)
    error = None
    if request.method == "POST":
        queries.check_can_edit(access.membership, access.template)
        try:
            values = form_data(request)
            actions.do_update_template(
                actor=access.membership,
                template=access.template,
                data=parse_input(TemplatePatch, {
                    "name": values.get("name", ""), "description": values.get("description", ""),
                    "visibility": values.get("visibility") or None}),
            )  # fmt: skip
        except OpsloopError as exc:
            error = exc
            raise_if_denied(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("blueprint", slug=slug, template_id=template_id)
    context = _detail_context(access, None) | {"error": error, "tab": "plan"}
    return TemplateResponse(
        request,
        "blueprints/blueprint_detail.html",
        context,
        status=error.status if error else 200,
    )


@login_required
@page
def blueprint_use(request: HttpRequest, slug: str, template_id: int) -> HttpResponse:
    """Make a project from the template: name, key and start date, with the dates that
    start gives shown before (a GET with ?start_date=) and beside the form."""
    access = queries.access_template(request.user, slug, template_id)
    queries.check_uses_templates(access.membership)
    template = access.template
    error: OpsloopError | None = None
    source = request.POST if request.method == "POST" else request.GET
    values = {
        "name": source.get("name", ""),
        "key": source.get("key", ""),
        "start_date": source.get("start_date", ""),
        "owner_id": source.get("owner_id", "") or str(access.membership.user_id),
        "visibility": source.get("visibility", "")
        or queries.read_body(template).project.visibility,
    }
    start = None
    try:
        start = _day(values["start_date"])
    except Invalid as exc:
        error = exc
    if request.method == "POST" and error is None:
        try:
            data = parse_input(TemplateUseIn, {
                "name": values["name"], "key": values["key"],
                "start_date": values["start_date"] or None,
                "owner_id": values["owner_id"] or None,
                "visibility": values["visibility"] or None})  # fmt: skip
            made = actions.do_create_project_from_template(
                actor=access.membership, template=template, **data.model_dump()
            )
        except OpsloopError as exc:
            error = exc
            raise_if_denied(exc)
        else:
            messages.success(
                request,
                _("Project %(key)s made from the template %(name)s.")
                % {"key": made.project.key, "name": template.name},
            )
            for note in made.notes:
                messages.warning(request, note)
            return redirect("project_items", slug=slug, key=made.project.key)
    context = _detail_context(access, start) | {
        "values": values,
        "error": error,
        "people": [m.user for m in list_members(access.membership.workspace)
                   if m.role != Role.GUEST],
        "project_visibilities": Visibility.choices,
        "tab": "use",
    }  # fmt: skip
    return TemplateResponse(
        request, "blueprints/blueprint_use.html", context, status=error.status if error else 200
    )


@login_required
@require_POST
@page
def blueprint_delete(request: HttpRequest, slug: str, template_id: int) -> HttpResponse:
    access = queries.access_template(request.user, slug, template_id, EDIT)
    actions.do_delete_template(actor=access.membership, template=access.template)
    messages.success(request, _("Template deleted."))
    return redirect("blueprints", slug=slug)


@login_required
@page
def project_save_template(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """ "Save as template" for a project: its plan as it is now, kept under a name."""
    project_access = access_project(request.user, slug, key)
    membership, project = project_access.membership, project_access.project
    queries.check_uses_templates(membership)
    error = None
    default_visibility = (
        TemplateVisibility.PRIVATE
        if project.visibility == Visibility.PRIVATE
        else TemplateVisibility.WORKSPACE
    )
    values = {"name": project.name, "description": "", "visibility": default_visibility}
    if request.method == "POST":
        values = form_data(request)
        try:
            data = parse_input(TemplateIn, {
                "project_key": project.key, "name": values.get("name", ""),
                "description": values.get("description", ""),
                "visibility": values.get("visibility") or None})  # fmt: skip
            template = actions.do_save_template(
                actor=membership, project=project, name=data.name,
                description=data.description, visibility=data.visibility,
            )  # fmt: skip
        except OpsloopError as exc:
            error = exc
            raise_if_denied(exc)
        else:
            messages.success(
                request, _("Saved as the template %(name)s.") % {"name": template.name}
            )
            return redirect("blueprint", slug=slug, template_id=template.pk)
    context = {
        "membership": membership,
        "workspace": membership.workspace,
        "project": project,
        "values": values,
        "error": error,
        "visibilities": TemplateVisibility.choices,
        "nav": f"project:{project.key}",
        "view": "save_template",
    }
    return TemplateResponse(
        request,
        "blueprints/project_save_template.html",
        context,
        status=error.status if error else 200,
    )
