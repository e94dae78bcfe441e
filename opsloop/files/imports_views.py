"""The import page, for every kind of import (opsloop/core/tables.py): upload a table,
map its columns with a preview that names each row that would fail, then import it all
or nothing and go back where the import was asked from."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

from opsloop.core.errors import Invalid
from opsloop.core.pages import int_param, page, run_post
from opsloop.core.queries import access_workspace
from opsloop.files import imports
from opsloop.files.uploads import uploaded_file


def _next(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return ""


def _mapping(request: HttpRequest, importer) -> dict[str, str]:
    return {
        c.name: request.POST[f"map_{c.name}"]
        for c in importer.columns
        if request.POST.get(f"map_{c.name}")
    }


@login_required
@page
def import_file(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    target = (request.POST.get("target") or request.GET.get("target") or "")[:200]
    importer = imports.check_importer(membership, kind, target)
    back = _next(request)
    state: dict = {}

    def post() -> HttpResponse | None:
        op = request.POST.get("op", "")
        if op == "upload":
            upload = uploaded_file(request, max_bytes=imports.tables.MAX_BYTES)
            pending = imports.do_upload_import(
                actor=membership, kind=kind, target=target,
                filename=upload.name or "", content=upload.read(),
            )  # fmt: skip
            query = {"pending": pending.pk, "target": target, **({"next": back} if back else {})}
            return redirect(reverse("import_file", args=[slug, kind]) + "?" + urlencode(query))
        pending = imports.get_pending(membership, kind, int_param(request.POST.get("pending")))
        mapping = _mapping(request, importer)
        state["pending"], state["mapping"] = pending, mapping
        if op == "import":
            result = imports.do_import_pending(actor=membership, pending=pending, mapping=mapping)
            messages.success(
                request, _("Imported %(n)s rows from %(file)s.")
                % {"n": result.written, "file": pending.filename},
            )  # fmt: skip
            again = reverse("import_file", args=[slug, kind]) + "?" + urlencode({"target": target})
            return redirect(back or again)
        return None  # op "map": show the preview with the new mapping

    response, error = run_post(request, post)
    if response is not None:
        return response
    pending = state.get("pending")
    if pending is None and request.GET.get("pending"):
        pending = imports.get_pending(membership, kind, int_param(request.GET.get("pending")))
    preview, headers = None, []
    if pending is not None:
        headers = imports.tables.read_sheet(pending.filename, bytes(pending.content)).headers
        try:
            preview = imports.preview_pending(membership, pending, state.get("mapping"))
        except Invalid as exc:  # a mapping that leaves a column unsaid
            error = error or exc
    context = {
        "membership": membership,
        "workspace": membership.workspace,
        "importer": importer,
        "target": target,
        "next": back,
        "pending": pending,
        "preview": preview,
        "headers": headers,
        "mapped": (preview.mapping if preview else state.get("mapping")) or {},
        "error": error,
    }
    status = error.status if error else 200
    return TemplateResponse(request, "files/import.html", context, status=status)
