"""Pages of the file library: a project's files and folders, a file with its versions and
share links, uploads (several at once, each its own request from the page's script), and
the public page of a share link."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from opsloop.core.errors import Invalid, NotFound, OpsloopError
from opsloop.core.inputs import parse_input
from opsloop.core.models import Membership
from opsloop.core.pages import form_data, int_param, page, raise_if_denied
from opsloop.core.queries import access_workspace, is_member
from opsloop.files import actions, queries
from opsloop.files.queries import EDIT, MANAGE
from opsloop.files.schemas import FilePatch, FolderIn, FolderPatch, PlaceIn, ShareIn
from opsloop.files.serving import serve_version, version_from_signed
from opsloop.files.uploads import body_too_large, max_upload_bytes, upload_was_too_large
from opsloop.work.queries import access_project

PLACE_BLANK_NONE = ("project", "folder_id", "item", "comment_id", "meeting_id")


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _refused(request: HttpRequest, error: OpsloopError) -> HttpResponse:
    if wants_json(request):
        return JsonResponse(
            {"code": error.code, "message": error.message, "field": error.field},
            status=error.status,
        )
    back = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}):
        back = ""
    return TemplateResponse(
        request,
        "files/refused.html",
        {"error": error, "back": back},
        status=error.status,
    )


def upload_limited(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page that takes uploads: a body already declared too large is refused with 413
    before anything reads it (the CSRF check included, which then runs in the view)."""
    protected = csrf_protect(view)

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "POST" and body_too_large(request):
            return _refused(request, actions.too_large_error())
        return protected(request, *args, **kwargs)

    return csrf_exempt(wrapper)


def _back(request: HttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


def _file_json(request: HttpRequest, membership: Membership, file) -> dict:
    return {
        "id": file.pk,
        "name": file.name,
        "size": file.current_size,
        "url": reverse("file", args=[membership.workspace.slug, file.pk]),
    }


@upload_limited
@login_required
@require_POST
@page
def files_upload(request: HttpRequest, slug: str) -> HttpResponse:
    """One or several files to a place (library folder, item, comment, meeting)."""
    membership = access_workspace(request.user, slug)
    try:
        uploads = request.FILES.getlist("file")
        if upload_was_too_large(request):
            raise actions.too_large_error()
        if not uploads:
            raise Invalid(_("Choose a file to upload."), field="file")
        data = parse_input(PlaceIn, form_data(request, blank_is_none=PLACE_BLANK_NONE))
        place = queries.resolve_place(membership, data)
        files = [
            actions.do_upload_file(
                actor=membership,
                place=place,
                content=upload,
                name=upload.name or "",
                note=data.note,
            )
            for upload in uploads
        ]
    except OpsloopError as exc:
        raise_if_denied(exc)
        return _refused(request, exc)
    if wants_json(request):
        return JsonResponse(
            {"files": [_file_json(request, membership, f) for f in files]}, status=201
        )
    messages.success(
        request, _("Uploaded %(names)s.") % {"names": ", ".join(f.name for f in files)}
    )
    default = reverse("project_files", args=[slug, place.project.key]) if place.project else "/"
    return _back(request, default)


def _library_url(slug: str, key: str, folder_id: int | None) -> str:
    url = reverse("project_files", args=[slug, key])
    return f"{url}?folder={folder_id}" if folder_id else url


def _library_post(request: HttpRequest, access) -> int | None:
    """Folder and file operations of the library page; the folder to show afterwards."""
    project, actor = access.project, access.membership
    op = request.POST.get("op", "")
    data = form_data(request, blank_is_none=("parent_id", "folder_id"))
    if op == "new_folder":
        folder = actions.do_create_folder(
            actor=actor, project=project, data=parse_input(FolderIn, data)
        )
        return folder.parent_id
    if op in ("rename_folder", "move_folder", "delete_folder"):
        folder = queries.get_folder(project, int_param(request.POST.get("folder")))
        if op == "delete_folder":
            actions.do_delete_folder(actor=actor, folder=folder)
            return folder.parent_id
        patch = (
            {"name": data.get("name")}
            if op == "rename_folder"
            else {"parent_id": data.get("parent_id")}
        )
        actions.do_update_folder(actor=actor, folder=folder, data=parse_input(FolderPatch, patch))
        return folder.parent_id
    if op in ("move_file", "delete_file"):
        file = queries.access_file(
            request.user,
            project.workspace.slug,
            int_param(request.POST.get("file")),
            EDIT,
        ).file
        if file.project_id != project.pk:
            raise NotFound(_("File not found."))
        back = file.folder_id
        if op == "delete_file":
            actions.do_delete_file(actor=actor, file=file)
        else:
            actions.do_update_file(
                actor=actor,
                file=file,
                data=parse_input(FilePatch, {"folder_id": data.get("folder_id")}),
            )
        return back
    raise Invalid(_("Unknown operation."))


@login_required
@page
def project_files(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    access = access_project(request.user, slug, key)
    project = access.project
    error = None
    if request.method == "POST":
        queries.check_project_permission(access.membership, project, EDIT)
        try:
            shown = _library_post(request, access)
        except OpsloopError as exc:
            raise_if_denied(exc)
            error = exc
        else:
            messages.success(request, _("Saved."))
            return redirect(_library_url(slug, project.key, shown))
    folders = queries.list_folders(project)
    folder = None
    if request.GET.get("folder"):
        folder = queries.get_folder(project, int_param(request.GET.get("folder")))
    parent_id = folder.pk if folder else None
    path = queries.folder_path(folder, folders)
    context = {
        "membership": access.membership,
        "workspace": access.membership.workspace,
        "project": project,
        "folder": folder,
        "path": path,
        "folders": [f for f in folders if f.parent_id == parent_id],
        "all_folders": [
            (f, " / ".join(p.name for p in queries.folder_path(f, folders))) for f in folders
        ],
        "files": list(queries.library_files(project, folder)),
        "can_edit": access.membership.at_least("member"),
        "max_bytes": max_upload_bytes(),
        "place": [("project", project.key), ("folder_id", parent_id)],
        "error": error,
        "view": "files",
        "nav": f"project:{project.key}",
    }
    return TemplateResponse(
        request,
        "files/project_files.html",
        context,
        status=error.status if error else 200,
    )


def _file_post(request: HttpRequest, access) -> HttpResponse | None:
    file, actor = access.file, access.membership
    op = request.POST.get("op", "")
    if op == "new_version":
        upload = request.FILES.get("file")
        if upload_was_too_large(request):
            raise actions.too_large_error()
        if upload is None:
            raise Invalid(_("Choose a file to upload."), field="file")
        note = parse_input(PlaceIn, {"note": request.POST.get("note", "")}).note
        version = actions.do_upload_version(
            actor=actor, file=file, content=upload, name=upload.name or "", note=note
        )
        if wants_json(request):
            return JsonResponse({"version": version.number}, status=201)
        messages.success(request, _("Uploaded version %(n)d.") % {"n": version.number})
    elif op == "restore":
        version = queries.get_version(file, int_param(request.POST.get("number")))
        new = actions.do_restore_version(actor=actor, file=file, version=version)
        messages.success(request, _("Restored as version %(n)d.") % {"n": new.number})
    elif op == "rename":
        actions.do_update_file(
            actor=actor,
            file=file,
            data=parse_input(FilePatch, {"name": request.POST.get("name")}),
        )
        messages.success(request, _("Saved."))
    elif op == "move":
        data = form_data(request, blank_is_none=("folder_id",))
        actions.do_update_file(
            actor=actor,
            file=file,
            data=parse_input(FilePatch, {"folder_id": data.get("folder_id")}),
        )
        messages.success(request, _("Saved."))
    elif op == "delete":
        actions.do_delete_file(actor=actor, file=file)
        messages.success(request, _("Deleted %(name)s.") % {"name": file.name})
        if file.project_id:
            return redirect("project_files", slug=actor.workspace.slug, key=file.project.key)
        return redirect("workspace", slug=actor.workspace.slug)
    elif op == "share":
        data = parse_input(
            ShareIn,
            {
                "expires_in_days": int_param(request.POST.get("expires_in_days") or "7"),
                "require_login": bool(request.POST.get("require_login")),
                "version": request.POST.get("version") or None,
            },
        )
        version = queries.get_version(file, data.version)
        created = actions.do_create_share_link(actor=actor, file=file, version=version, data=data)
        # The token is not kept: this answer is the only time the URL can be shown.
        request.session["files_new_link"] = {
            "file": file.pk,
            "url": request.build_absolute_uri(reverse("share", args=[created.raw])),
        }
    elif op == "revoke":
        link = queries.get_share_link(file, int_param(request.POST.get("link")))
        actions.do_revoke_share_link(actor=actor, file=file, link=link)
        messages.success(request, _("The link is revoked."))
    else:
        raise Invalid(_("Unknown operation."))
    return None


@upload_limited
@login_required
@page
def file_page(request: HttpRequest, slug: str, file_id: int) -> HttpResponse:
    access = queries.access_file(request.user, slug, file_id)
    file = access.file
    error = None
    if request.method == "POST":
        need = MANAGE if request.POST.get("op") == "delete" else EDIT
        queries.check_file_permission(access.membership, file, need)
        try:
            response = _file_post(request, access)
        except OpsloopError as exc:
            raise_if_denied(exc)
            if wants_json(request):
                return _refused(request, exc)
            error = exc
        else:
            return response or redirect("file", slug=slug, file_id=file.pk)
    membership = access.membership
    new_link = request.session.pop("files_new_link", None)
    can_edit = membership.at_least("member")
    folders = queries.list_folders(file.project) if file.project_id and can_edit else []
    context = {
        "membership": membership,
        "workspace": membership.workspace,
        "project": file.project,
        "file": file,
        "versions": list(queries.list_versions(file)),
        "links": list(queries.list_share_links(file)) if can_edit else [],
        "new_link": new_link["url"] if new_link and new_link.get("file") == file.pk else "",
        "all_folders": [
            (f, " / ".join(p.name for p in queries.folder_path(f, folders))) for f in folders
        ],
        "can_edit": can_edit,
        "can_delete": _can(queries.check_file_permission, membership, file, MANAGE),
        "in_library": bool(
            file.project_id and not (file.item_id or file.comment_id or file.meeting_id)
        ),
        "max_bytes": max_upload_bytes(),
        "version_place": [("op", "new_version")],
        "error": error,
        "nav": f"project:{file.project.key}" if file.project_id else "",
    }
    return TemplateResponse(
        request,
        "files/file_detail.html",
        context,
        status=error.status if error else 200,
    )


def _can(check, *args) -> bool:
    try:
        check(*args)
    except OpsloopError:
        return False
    return True


@login_required
@page
def file_download(request: HttpRequest, slug: str, file_id: int, number: int) -> HttpResponse:
    file = queries.access_file(request.user, slug, file_id).file
    version = queries.get_version(file, number)
    return serve_version(version, name=queries.download_name(version))


@xframe_options_sameorigin
@login_required
@page
def file_preview(request: HttpRequest, slug: str, file_id: int, number: int) -> HttpResponse:
    """Shown in the page: raster images and PDF only; anything else is not previewed."""
    file = queries.access_file(request.user, slug, file_id).file
    version = queries.get_version(file, number)
    if not version_previewable(version):
        raise Http404(_("This file has no preview."))
    return serve_version(version, name=queries.download_name(version), inline=True)


def version_previewable(version) -> bool:
    from opsloop.files.uploads import is_inline

    return is_inline(version.content_type)


def _link_or_login(request: HttpRequest, token: str):
    """The link's version, or a login redirect for a link that needs a member."""
    try:
        link = queries.link_by_token(token)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if link.require_login:
        if not request.user.is_authenticated:
            return link, redirect_to_login(request.get_full_path())
        if not is_member(request.user, link.workspace_id):
            raise Http404(_("This link does not exist or has expired."))
    return link, None


def share_page(request: HttpRequest, token: str) -> HttpResponse:
    """The public page of a share link: the file's name and size, and a download button."""
    link, login = _link_or_login(request, token)
    if login:
        return login
    context = {
        "link": link,
        "version": link.version,
        "name": queries.download_name(link.version),
        "token": token,
    }
    return TemplateResponse(request, "files/share.html", context)


def share_download(request: HttpRequest, token: str) -> HttpResponse:
    link, login = _link_or_login(request, token)
    if login:
        return login
    actions.do_count_share_download(link=link)
    return serve_version(link.version, name=queries.download_name(link.version))


def file_signed(request: HttpRequest, token: str) -> HttpResponse:
    """The bytes behind the API's download redirect; the API checked who may have them."""
    try:
        version = version_from_signed(token)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return serve_version(version, name=queries.download_name(version))
