"""Helpers every page view uses: error mapping and form parsing."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from opsloop.core.errors import Forbidden, Invalid, NotFound


def page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Turn NotFound and Forbidden from actions and queries into 404 and 403 pages."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from exc

    return wrapper


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
