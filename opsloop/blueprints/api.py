"""API of project templates: save a project as one, list, read (with the dates a start
date gives), rename, delete, and make a project from one."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Status

from opsloop.blueprints import actions
from opsloop.blueprints.models import ProjectTemplate
from opsloop.blueprints.queries import (
    EDIT,
    Plan,
    access_template,
    can_edit_template,
    check_uses_templates,
    get_source_project,
    list_templates,
    plan_of,
    seen_sources,
    summarize,
    template_url,
)
from opsloop.blueprints.schemas import (
    ProjectMadeOut,
    TemplateDetailOut,
    TemplateIn,
    TemplateOut,
    TemplatePatch,
    TemplateQuery,
    TemplateUseIn,
)
from opsloop.core.queries import access_workspace
from opsloop.core.schemas import ERROR_CODES, ErrorOut

router = Router()

TAGS = ["Project templates"]
ERRORS = {ERROR_CODES: ErrorOut}
TEMPLATES = "/workspaces/{slug}/templates"
TEMPLATE = TEMPLATES + "/{template_id}"
EDITORS = "The template's maker and workspace admins."


def _out(template: ProjectTemplate, seen: set[int], can_edit: bool) -> dict:
    summary = summarize(template)
    source = template.source_project
    return {
        "id": template.pk,
        "name": template.name,
        "description": template.description,
        "kind": template.kind,
        "visibility": template.visibility,
        "source_project_key": source.key if source and source.pk in seen else None,
        "created_by": template.created_by,
        "created_at": template.created_at,
        "updated_at": template.updated_at,
        **summary.__dict__,
        "url": template_url(template),
        "can_edit": can_edit,
    }


def _preview(plan: Plan | None) -> dict | None:
    if plan is None or plan.start is None:
        return None
    return {
        "start_date": plan.start,
        "end_date": plan.end,
        "items": [
            {"id": r.id, "title": r.title, "start_date": r.start_date, "due_date": r.due_date}
            for r in plan.items
        ],
        "milestones": [{"name": m.name, "date": m.date} for m in plan.milestones],
        "content_slots": [
            {"title": s.title, "channel": s.channel, "planned_at": s.planned_at} for s in plan.slots
        ],
    }


def _detail(request: HttpRequest, slug: str, template_id: int, start=None) -> dict:
    access = access_template(request.auth, slug, template_id)
    template = access.template
    seen = seen_sources(access.membership, [template])
    plan = plan_of(template, start) if start is not None else None
    return _out(template, seen, access.can_edit) | {
        "body": template.body,
        "preview": _preview(plan),
    }


@router.get(
    TEMPLATES,
    response={200: list[TemplateOut], **ERRORS},
    summary="List project templates",
    description="The templates the caller sees, by name: members and above (private ones: "
    "their maker and admins). Guests get 403.",
    tags=TAGS,
)
def get_templates(request: HttpRequest, slug: str) -> list:
    membership = access_workspace(request.auth, slug)
    templates = list_templates(membership)
    seen = seen_sources(membership, templates)
    return [_out(t, seen, can_edit_template(membership, t)) for t in templates]


@router.post(
    TEMPLATES,
    response={201: TemplateDetailOut, **ERRORS},
    summary="Save a project as a template",
    description="Members and above who see the project. The template keeps the project's "
    "plan as it is now; later changes to the project do not reach it.",
    tags=TAGS,
)
def create_template(request: HttpRequest, slug: str, payload: TemplateIn) -> Status[dict]:
    membership = access_workspace(request.auth, slug)
    check_uses_templates(membership)
    project = get_source_project(membership, payload.project_key)
    template = actions.do_save_template(
        actor=membership, project=project, name=payload.name,
        description=payload.description, visibility=payload.visibility,
    )  # fmt: skip
    return Status(201, _detail(request, slug, template.pk))


@router.get(
    TEMPLATE,
    response={200: TemplateDetailOut, **ERRORS},
    summary="Get a project template",
    description="With its body; with start_date, the dates a project started that day gets.",
    tags=TAGS,
)
def get_template(
    request: HttpRequest, slug: str, template_id: int, query: Query[TemplateQuery]
) -> dict:
    return _detail(request, slug, template_id, query.start_date)


@router.patch(
    TEMPLATE,
    response={200: TemplateDetailOut, **ERRORS},
    summary="Change a project template",
    description=EDITORS + " Its name, description and visibility; what it keeps does not "
    "change (save the project again for a new plan).",
    tags=TAGS,
)
def update_template(
    request: HttpRequest, slug: str, template_id: int, payload: TemplatePatch
) -> dict:
    access = access_template(request.auth, slug, template_id, EDIT)
    actions.do_update_template(actor=access.membership, template=access.template, data=payload)
    return _detail(request, slug, template_id)


@router.delete(
    TEMPLATE,
    response={204: None, **ERRORS},
    summary="Delete a project template",
    description=EDITORS + " Projects made from it stay as they are.",
    tags=TAGS,
)
def delete_template(request: HttpRequest, slug: str, template_id: int) -> Status[None]:
    access = access_template(request.auth, slug, template_id, EDIT)
    actions.do_delete_template(actor=access.membership, template=access.template)
    return Status(204, None)


@router.post(
    TEMPLATE + "/projects",
    response={201: ProjectMadeOut, **ERRORS},
    summary="Make a project from a template",
    description="Members and above who see the template. Every date lands counted from "
    "start_date; all of it is made or, on any error, none of it. notes say what could not "
    "be made as the template says (a channel the workspace does not have).",
    tags=TAGS,
)
def use_template(
    request: HttpRequest, slug: str, template_id: int, payload: TemplateUseIn
) -> Status[dict]:
    access = access_template(request.auth, slug, template_id)
    made = actions.do_create_project_from_template(
        actor=access.membership, template=access.template, **payload.model_dump()
    )
    project = made.project
    return Status(201, {
        "key": project.key, "name": project.name, "url": f"/w/{slug}/p/{project.key}/",
        "start_date": project.start_date, "end_date": project.end_date,
        "items": made.items, "milestones": made.milestones, "dependencies": made.dependencies,
        "budget_lines": made.budget_lines, "content_pieces": made.content_pieces,
        "notes": made.notes,
    })  # fmt: skip
