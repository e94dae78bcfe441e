"""Pages of projects and work items: projects, list, board, item, my work, settings, labels."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from opsloop.core.errors import Invalid, OpsloopError
from opsloop.core.inputs import parse_input
from opsloop.core.markdown import render_markdown
from opsloop.core.models import Membership, Role
from opsloop.core.pages import form_data, int_param, page, raise_if_denied
from opsloop.core.queries import access_workspace, list_members
from opsloop.work import actions, queries
from opsloop.work.export import csv_response
from opsloop.work.models import (
    PRIORITY_NAMES,
    CustomField,
    FieldType,
    Priority,
    Project,
    ProjectKind,
    Stage,
    StateGroup,
    Visibility,
)
from opsloop.work.queries import EDIT, MANAGE, VIEW
from opsloop.work.schemas import (
    BulkIn,
    CustomFieldIn,
    CustomFieldPatch,
    ItemIn,
    ItemMoveIn,
    ItemPatch,
    LabelIn,
    ProjectIn,
    ProjectPatch,
    SavedViewIn,
    SavedViewPatch,
    StateIn,
    StatePatch,
)

PROJECT_FIELDS_BLANK_NONE = ("start_date", "end_date", "budget", "owner_id")
ITEM_FIELDS_BLANK_NONE = ("start_date", "due_date", "estimate_hours", "parent_id", "state_id")
PRIORITIES = [(PRIORITY_NAMES[value], label) for value, label in Priority.choices]


def _choices() -> dict:
    return {
        "kinds": ProjectKind.choices,
        "stages": Stage.choices,
        "visibilities": Visibility.choices,
        "priorities": PRIORITIES,
        "groups": StateGroup.choices,
        "sort_choices": [
            ("manual", _("Manual order")),
            ("priority", _("Priority")),
            ("due", _("Due date")),
            ("-created", _("Newest")),
            ("-updated", _("Recently updated")),
            ("title", _("Title")),
            ("number", _("Number")),
        ],
        "group_choices": [
            ("none", _("No grouping")),
            ("state", _("Group by state")),
            ("assignee", _("Group by assignee")),
            ("priority", _("Group by priority")),
            ("label", _("Group by label")),
        ],
    }


@login_required
@page
def workspace_home(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    context = {
        "membership": membership,
        "workspace": membership.workspace,
        "projects": queries.list_projects(membership),
        "nav": "projects",
        **_choices(),
    }
    return TemplateResponse(request, "work/workspace_home.html", context)


@login_required
@page
def project_new(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug, Role.MEMBER)
    error = None
    values: dict = {"kind": "general", "stage": "planning", "visibility": "workspace"}
    if request.method == "POST":
        values = form_data(request, lists=("member_ids",), blank_is_none=PROJECT_FIELDS_BLANK_NONE)
        try:
            project = actions.do_create_project(
                actor=membership, data=parse_input(ProjectIn, values)
            )
        except OpsloopError as exc:
            error = exc
        else:
            return redirect("project_items", slug=slug, key=project.key)
    context = {
        "membership": membership,
        "workspace": membership.workspace,
        "values": values,
        "error": error,
        "people": [m.user for m in list_members(membership.workspace)],
        "nav": "projects",
        **_choices(),
    }
    return TemplateResponse(
        request, "work/project_new.html", context, status=error.status if error else 200
    )


COLUMN_CHOICES = [
    ("state", _lazy("State")),
    ("priority", _lazy("Priority")),
    ("assignees", _lazy("Assignees")),
    ("labels", _lazy("Labels")),
    ("start", _lazy("Start")),
    ("due", _lazy("Due")),
    ("estimate", _lazy("Estimate (h)")),
    ("progress", _lazy("Progress")),
    ("updated", _lazy("Updated")),
]


def _field_choices(fields: list[CustomField]) -> dict:
    """Sort, group and column choices of the custom fields."""
    return {
        "field_sorts": [(f"cf_{f.pk}", f.name) for f in fields],
        "field_groups": [(f"cf_{f.pk}", f.name) for f in fields if f.type in queries.GROUPABLE],
        "column_choices": [*COLUMN_CHOICES, *[(f"cf_{f.pk}", f.name) for f in fields]],
    }


def _list_context(
    request: HttpRequest,
    access: queries.ProjectAccess,
    filters: queries.ItemFilters,
    fields: list[CustomField],
) -> dict:
    project = access.project
    params = request.GET.copy()
    params.pop("page", None)
    for name in ("column", "offset", "format"):
        params.pop(name, None)
    return {
        "fields": fields,
        "field_filters": {f.field.pk: f for f in filters.custom},
        "column_fields": [f for f in fields if f"cf_{f.pk}" in filters.columns],
        "view_query": params.urlencode(),
        **_field_choices(fields),
        "membership": access.membership,
        "workspace": access.membership.workspace,
        "project": project,
        "filters": filters,
        "states": list(queries.list_states(project)),
        "labels": list(queries.list_labels(project.workspace_id)),
        "people": list(queries.assignable_users(project)),
        "can_edit": access.membership.at_least(Role.MEMBER),
        "query": request.GET.urlencode(),
        "nav": f"project:{project.key}",
        **_choices(),
    }


@login_required
@page
def project_items(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    access = queries.access_project(request.user, slug, key)
    fields = list(queries.applicable_fields(access.project))
    error = None
    try:
        filters = queries.parse_item_filters(request.GET, me=request.user, fields=fields)
        if request.GET.get("format") == "csv":
            return csv_response(access.project, filters, fields)
        result = queries.list_items(
            access.project,
            filters,
            page=request.GET.get("page"),
            per_page=request.GET.get("per_page"),
        )
        counts = result.group_sizes
    except Invalid as exc:
        error, filters = exc, queries.ItemFilters()
        result = queries.list_items(access.project, filters)
        counts = {}
    context = _list_context(request, access, filters, fields) | {
        "page_obj": result,
        "group_counts": counts,
        "error": error,
        "view": "list",
    }
    template = (
        "work/project_items.html#results"
        if request.htmx and request.htmx.target == "results"
        else "work/project_items.html"
    )
    return TemplateResponse(request, template, context, status=400 if error else 200)


@login_required
@page
def project_board(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    access = queries.access_project(request.user, slug, key)
    fields = list(queries.applicable_fields(access.project))
    error = None
    try:
        filters = queries.parse_item_filters(request.GET, me=request.user, fields=fields)
    except Invalid as exc:
        error, filters = exc, queries.ItemFilters()
    if "column" in request.GET and not error:
        return _board_more(request, access, filters)
    context = _list_context(request, access, filters, fields) | {"error": error, "view": "board"}
    context["columns"] = queries.board_columns(access.project, filters)
    return TemplateResponse(
        request, "work/project_board.html", context, status=400 if error else 200
    )


def _board_more(
    request: HttpRequest, access: queries.ProjectAccess, filters: queries.ItemFilters
) -> HttpResponse:
    """The "show more" of one board column: its next cards and a new button, for htmx."""
    try:
        column = queries.board_column_more(
            access.project,
            filters,
            int_param(request.GET.get("column")),
            int_param(request.GET.get("offset")),
        )
    except Invalid as exc:
        return HttpResponse(exc.message, status=400)
    params = request.GET.copy()
    params.pop("column")
    params.pop("offset", None)
    context = {
        "workspace": access.membership.workspace,
        "project": access.project,
        "col": column,
        "query": params.urlencode(),
    }
    return TemplateResponse(request, "work/project_board.html#more", context)


@login_required
@require_POST
@page
def item_quick_create(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    access = queries.access_project(request.user, slug, key, EDIT)
    data = form_data(
        request, lists=("assignee_ids", "label_ids"), blank_is_none=ITEM_FIELDS_BLANK_NONE
    )
    back = request.POST.get("next") or ""
    try:
        item = actions.do_create_item(
            actor=access.membership, project=access.project, data=parse_input(ItemIn, data)
        )
    except OpsloopError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Created %(ref)s.") % {"ref": item.ref})
    if back and url_has_allowed_host_and_scheme(
        back, {request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("project_items", slug=slug, key=key)


@login_required
@page
def item_detail(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    access = queries.access_item(request.user, slug, ref)
    item = access.item
    error = None
    can_edit = access.membership.at_least(Role.MEMBER)
    if request.method == "POST":
        op = request.POST.get("op", "update")
        try:
            if op == "delete":
                actions.do_delete_item(actor=access.membership, item=item)
                messages.success(request, _("Deleted %(ref)s.") % {"ref": item.ref})
                return redirect("project_items", slug=slug, key=item.project.key)
            data = form_data(
                request, lists=("assignee_ids", "label_ids"), blank_is_none=ITEM_FIELDS_BLANK_NONE
            )
            data.pop("op", None)
            data.setdefault("parent_id", None)
            data = _without_field_inputs(data) | _field_inputs(request)
            actions.do_update_item(
                actor=access.membership, item=item, data=parse_input(ItemPatch, data)
            )
            messages.success(request, _("Saved."))
            return redirect("item_detail", slug=slug, ref=item.ref)
        except OpsloopError as exc:
            error = exc
            raise_if_denied(exc)
    project = item.project
    context = {
        "membership": access.membership,
        "workspace": access.membership.workspace,
        "project": project,
        "item": item,
        "description_html": render_markdown(item.description),
        "states": list(queries.list_states(project)),
        "labels": list(queries.list_labels(project.workspace_id)),
        "people": list(queries.assignable_users(project)),
        "assignee_ids": {u.pk for u in item.assignees.all()},
        "label_ids": {label.pk for label in item.labels.all()},
        "children": queries.list_children(item),
        "fields": list(queries.applicable_fields(project)),
        "cf_readonly": not can_edit,
        "possible_parents": queries.possible_parents(item),
        "can_edit": can_edit,
        "error": error,
        "nav": f"project:{project.key}",
        **_choices(),
    }
    return TemplateResponse(
        request, "work/item_detail.html", context, status=error.status if error else 200
    )


def _without_field_inputs(data: dict) -> dict:
    return {k: v for k, v in data.items() if not k.startswith("cf_")}


def _field_inputs(request: HttpRequest, *, skip_blank: bool = False) -> dict:
    """custom_fields from a form: each field's inputs are named cf_<id>, and cf_shown lists
    the fields the form had (an unchecked checkbox sends nothing at all)."""
    values: dict = {}
    for field_id in request.POST.getlist("cf_shown"):
        sent = [v for v in request.POST.getlist(f"cf_{field_id}") if v != ""]
        kind = request.POST.get(f"cf_type_{field_id}", "")
        if kind == FieldType.MULTI_SELECT:
            value: object = sent
        elif kind == FieldType.CHECKBOX:
            value = bool(sent)
        else:
            value = sent[-1] if sent else None
        if skip_blank and value in (None, [], False):
            continue
        values[field_id] = value
    return {"custom_fields": values} if values else {}


@login_required
@require_POST
@page
def item_move(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    """The board's drag and drop: a new state and neighbours; answers JSON."""
    access = queries.access_item(request.user, slug, ref, EDIT)
    data = form_data(request, blank_is_none=("before_id", "after_id"))
    try:
        item = actions.do_move_item(
            actor=access.membership, item=access.item, data=parse_input(ItemMoveIn, data)
        )
    except OpsloopError as exc:
        return JsonResponse({"code": exc.code, "message": exc.message}, status=exc.status)
    return JsonResponse({"ref": item.ref, "state_id": item.state_id, "sort_order": item.sort_order})


@login_required
@page
def my_work(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    context = {
        "membership": membership,
        "workspace": membership.workspace,
        "work": queries.my_work(membership, page=request.GET.get("page")),
        "nav": "my",
    }
    return TemplateResponse(request, "work/my_work.html", context)


@login_required
@page
def project_settings(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    access = queries.access_project(request.user, slug, key, VIEW)
    project = access.project
    error = None
    if request.method == "POST":
        queries.check_project_permission(access.membership, project, MANAGE)
        try:
            _handle_settings_post(request, access)
        except OpsloopError as exc:
            error = exc
            raise_if_denied(exc)
        else:
            project = queries.access_project(request.user, slug, key).project
            return redirect("project_settings", slug=slug, key=project.key)
    context = {
        "membership": access.membership,
        "workspace": access.membership.workspace,
        "project": project,
        "states": list(queries.list_states(project)),
        "members": list(queries.list_project_members(project)),
        "own_fields": list(queries.project_own_fields(project)),
        "shared_fields": list(queries.workspace_fields(project.workspace_id)),
        "field_types": FieldType.choices,
        "people": [m.user for m in list_members(access.membership.workspace)],
        "can_manage": queries.can_manage_project(access.membership, project)
        and access.membership.at_least(Role.MEMBER),
        "error": error,
        "nav": f"project:{project.key}",
        "view": "settings",
        **_choices(),
    }
    return TemplateResponse(
        request, "work/project_settings.html", context, status=error.status if error else 200
    )


def _handle_settings_post(request: HttpRequest, access: queries.ProjectAccess) -> None:
    op = request.POST.get("op")
    actor, project = access.membership, access.project
    if op == "details":
        data = form_data(request, blank_is_none=PROJECT_FIELDS_BLANK_NONE)
        data.pop("op", None)
        actions.do_update_project(
            actor=actor, project=project, data=parse_input(ProjectPatch, data)
        )
        messages.success(request, _("Project saved."))
    elif op == "add_state":
        actions.do_create_state(
            actor=actor,
            project=project,
            data=parse_input(
                StateIn,
                {
                    "name": request.POST.get("name", ""),
                    "group": request.POST.get("group", ""),
                    "color": request.POST.get("color") or "#94a3b8",
                },
            ),
        )
    elif op == "edit_state":
        state = queries.get_project_state(project, int_param(request.POST.get("state_id")))
        actions.do_update_state(
            actor=actor,
            state=state,
            data=parse_input(
                StatePatch,
                {
                    "name": request.POST.get("name") or None,
                    "color": request.POST.get("color") or None,
                    "is_default": bool(request.POST.get("is_default")) or None,
                },
            ),
        )
    elif op in ("state_up", "state_down"):
        ids = [state.pk for state in queries.list_states(project)]
        state_id = int_param(request.POST.get("state_id"))
        if state_id in ids:
            i = ids.index(state_id)
            j = i - 1 if op == "state_up" else i + 1
            if 0 <= j < len(ids):
                ids[i], ids[j] = ids[j], ids[i]
        actions.do_reorder_states(actor=actor, project=project, state_ids=ids)
    elif op == "delete_state":
        state = queries.get_project_state(project, int_param(request.POST.get("state_id")))
        move_to = request.POST.get("move_to")
        actions.do_delete_state(
            actor=actor, state=state, move_to_id=int_param(move_to) if move_to else None
        )
    elif op == "add_member":
        actions.do_add_project_member(
            actor=actor, project=project, user_id=int_param(request.POST.get("user_id"))
        )
    elif op == "remove_member":
        actions.do_remove_project_member(
            actor=actor, project=project, user_id=int_param(request.POST.get("user_id"))
        )
    elif op == "delete":
        actions.do_delete_project(actor=actor, project=project)
    elif op and op.startswith("field_"):
        _handle_field_post(request, actor, project)
    else:
        raise Invalid(_("Unknown operation."))


def _handle_field_post(request: HttpRequest, actor: Membership, project: Project | None) -> None:
    """The custom field forms of project settings and of the workspace's fields page."""
    op = request.POST.get("op")
    if op == "field_add":
        actions.do_create_field(
            actor=actor,
            project=project,
            data=parse_input(
                CustomFieldIn,
                {
                    "name": request.POST.get("name", ""),
                    "type": request.POST.get("type", ""),
                    "options": [
                        {"label": label}
                        for label in dict.fromkeys(
                            p.strip() for p in request.POST.get("options", "").split(",")
                        )
                        if label
                    ],
                },
            ),
        )
        return
    workspace_id = actor.workspace_id
    field = queries.get_field(workspace_id, int_param(request.POST.get("field_id")), project)
    if op in ("field_up", "field_down"):
        ids = [
            f.pk
            for f in (
                queries.project_own_fields(project)
                if project
                else queries.workspace_fields(workspace_id)
            )
        ]
        i = ids.index(field.pk)
        j = i - 1 if op == "field_up" else i + 1
        if 0 <= j < len(ids):
            ids[i], ids[j] = ids[j], ids[i]
        actions.do_reorder_fields(actor=actor, project=project, field_ids=ids)
    elif op == "field_delete":
        actions.do_delete_field(actor=actor, field=field)
    elif op == "field_rename":
        data = parse_input(CustomFieldPatch, {"name": request.POST.get("name", "")})
        actions.do_update_field(actor=actor, field=field, data=data)
    elif op in ("field_option_add", "field_option_edit", "field_option_remove"):
        options = [dict(o) for o in field.options]
        option_id = request.POST.get("option_id")
        label = request.POST.get("label", "")
        color = request.POST.get("color") or "#94a3b8"
        if op == "field_option_add":
            options.append({"label": label, "color": color})
        elif op == "field_option_edit":
            options = [
                {**o, "label": label, "color": color} if o.get("id") == option_id else o
                for o in options
            ]
        else:
            options = [o for o in options if o.get("id") != option_id]
        data = parse_input(CustomFieldPatch, {"options": options})
        actions.do_update_field(actor=actor, field=field, data=data)
    else:
        raise Invalid(_("Unknown operation."))


@login_required
@page
def labels(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    error = None
    if request.method == "POST":
        try:
            if request.POST.get("op") == "delete":
                label = queries.get_label(
                    membership.workspace_id, int_param(request.POST.get("label_id"))
                )
                actions.do_delete_label(actor=membership, label=label)
            else:
                actions.do_create_label(
                    actor=membership,
                    data=parse_input(
                        LabelIn,
                        {
                            "name": request.POST.get("name", ""),
                            "color": request.POST.get("color") or "#6366f1",
                        },
                    ),
                )
        except OpsloopError as exc:
            error = exc
            raise_if_denied(exc)
        else:
            return redirect("labels", slug=slug)
    context = {
        "membership": membership,
        "workspace": membership.workspace,
        "labels": queries.list_labels(membership.workspace.pk),
        "error": error,
        "nav": "labels",
    }
    return TemplateResponse(
        request, "work/labels.html", context, status=error.status if error else 200
    )


@login_required
@page
def workspace_fields(request: HttpRequest, slug: str) -> HttpResponse:
    """Fields every project's items carry; admins change them."""
    membership = access_workspace(request.user, slug)
    error = None
    if request.method == "POST":
        try:
            _handle_field_post(request, membership, None)
        except OpsloopError as exc:
            error = exc
            raise_if_denied(exc)
        else:
            return redirect("workspace_fields", slug=slug)
    context = {
        "membership": membership,
        "workspace": membership.workspace,
        "own_fields": list(queries.workspace_fields(membership.workspace_id)),
        "field_types": FieldType.choices,
        "can_manage_fields": membership.at_least(Role.ADMIN),
        "error": error,
        "nav": "fields",
    }
    return TemplateResponse(
        request, "work/workspace_fields.html", context, status=error.status if error else 200
    )


def _back_to_list(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    url = reverse("project_items", args=[slug, key])
    query = request.POST.get("query", "")
    return redirect(f"{url}?{query}" if query else url)


@login_required
@require_POST
@page
def item_bulk(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """The list's bulk bar: the same changes on every checked item."""
    access = queries.access_project(request.user, slug, key, EDIT)
    post = request.POST
    changes: dict = {
        name: post[name]
        for name in ("state_id", "priority", "start_date", "due_date", "shift_days")
        if post.get(name)
    }
    for thing, name in (("assignee", "assignee_ids"), ("label", "label_ids")):
        chosen = [v for v in post.getlist(f"{thing}_id") if v]
        mode = post.get(f"{thing}_mode", "add")
        if chosen:
            target = name if mode == "replace" else f"{mode}_{name}"
            changes[target if target != f"replace_{name}" else name] = chosen
    changes |= _field_inputs(request, skip_blank=True)
    versions = {}
    for pair in post.getlist("versions"):
        ref, _sep, version = pair.partition(":")
        if version.isdigit():
            versions[ref] = int(version)
    refs = post.getlist("refs")
    try:
        data = parse_input(
            BulkIn,
            {
                "refs": refs,
                "changes": changes,
                "versions": {r: versions[r] for r in refs if r in versions},
            },
        )
        changed = actions.do_bulk_update_items(
            actor=access.membership,
            project=access.project,
            refs=data.refs,
            changes=data.changes,
            versions=data.versions,
        )
    except OpsloopError as exc:
        raise_if_denied(exc)
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            ngettext("Changed %(n)d item.", "Changed %(n)d items.", len(changed))
            % {"n": len(changed)},
        )
    return _back_to_list(request, slug, key)


@login_required
@page
def project_views(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """Saved views of a project: save the current one, rename, share, delete."""
    access = queries.access_project(request.user, slug, key)
    actor, project = access.membership, access.project
    error = None
    if request.method == "POST":
        op = request.POST.get("op", "create")
        try:
            if op == "create":
                data = parse_input(
                    SavedViewIn,
                    {
                        "name": request.POST.get("name", ""),
                        "layout": request.POST.get("layout") or "list",
                        "query": request.POST.get("query", ""),
                        "shared": bool(request.POST.get("shared")),
                    },
                )
                view = actions.do_create_view(actor=actor, project=project, data=data)
                messages.success(request, _("View saved."))
                return redirect(queries.saved_view_url(view, slug, project.key))
            view = queries.get_saved_view(actor, project, int_param(request.POST.get("view_id")))
            if op == "delete":
                actions.do_delete_view(actor=actor, view=view)
            elif op == "rename":
                patch = {"name": request.POST.get("name", "")}
                if "shared" in request.POST:
                    patch["shared"] = request.POST.get("shared") == "1"
                actions.do_update_view(
                    actor=actor, view=view, data=parse_input(SavedViewPatch, patch)
                )
            else:
                raise Invalid(_("Unknown operation."))
        except OpsloopError as exc:
            error = exc
            raise_if_denied(exc)
        else:
            return redirect("project_views", slug=slug, key=project.key)
    views = list(queries.list_saved_views(actor, project))
    for view in views:
        view.url = queries.saved_view_url(view, slug, project.key)
        view.editable = view.owner_id == actor.user_id or (
            view.shared
            and actor.at_least(Role.MEMBER)
            and queries.can_manage_project(actor, project)
        )
    context = {
        "membership": actor,
        "workspace": actor.workspace,
        "project": project,
        "views": views,
        "can_edit": actor.at_least(Role.MEMBER),
        "error": error,
        "nav": f"project:{project.key}",
        "view": "views",
    }
    return TemplateResponse(
        request, "work/project_views.html", context, status=error.status if error else 200
    )
