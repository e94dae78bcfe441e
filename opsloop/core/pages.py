"""Helpers every page view uses: error mapping and form parsing."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from opsloop.core.errors import Forbidden, Invalid, NotFound, OpsloopError


def page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Turn NotFound and Forbidden from actions and queries into 404 and 403 pages, and
    any other error of theirs that the view did not show in a form (a bad query
    parameter, say) into a page with its status (400, 409, 413) and its message."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from exc
        except OpsloopError as exc:
            return TemplateResponse(
                request,
                "400.html",
                {"status": exc.status, "message": exc.message},
                status=exc.status,
            )

    return wrapper


def raise_if_denied(exc: OpsloopError) -> None:
    """Let a 403 or 404 from a form's action go on to its error page (`page` makes one);
    the form shows any other error beside the fields."""
    if exc.status in (403, 404):
        raise exc


def run_post(
    request: HttpRequest, post: Callable[[], HttpResponse]
) -> tuple[HttpResponse | None, OpsloopError | None]:
    """Run a page's POST: its response (a redirect), or the error to show in the form.
    (None, None) for a GET."""
    if request.method != "POST":
        return None, None
    try:
        return post(), None
    except OpsloopError as exc:
        raise_if_denied(exc)
        return None, exc


def form_data(
    request: HttpRequest, *, lists: tuple[str, ...] = (), blank_is_none: tuple[str, ...] = ()
) -> dict:
    """POST data as a dict for a pydantic schema: list fields as lists, blanks as None."""
    data: dict = {}
    for key in request.POST:
        if key == "csrfmiddlewaretoken":
            continue
        if key in lists:
            data[key] = [v for v in request.POST.getlist(key) if v != ""]
        else:
            value = request.POST.get(key, "")
            data[key] = None if (value == "" and key in blank_is_none) else value
    for key in lists:
        data.setdefault(key, [])
    return data


def int_param(value: str | None) -> int:
    """A whole number from a form field, or Invalid."""
    try:
        return int(value or "")
    except ValueError:
        raise Invalid(_("A number was expected.")) from None
