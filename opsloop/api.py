"""The REST API at /api/v1/: authentication, error shapes, and each app's router."""

from __future__ import annotations

import copy

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.urls import re_path
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from opsloop.core.errors import Forbidden, OpsloopError
from opsloop.core.inputs import BadJson, json_body
from opsloop.core.queries import user_for_token


class JsonParser(Parser):
    """JSON bodies must be objects; anything else says why instead of a bare parse error."""

    def parse_body(self, request: HttpRequest) -> dict:
        return json_body(request)


class TokenAuth(HttpBearer):
    """Authorization: Bearer <token> with a token made in the UI or by `opsloop token create`."""

    def authenticate(self, request: HttpRequest, token: str):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The browser's session; unsafe methods need the CSRF token as for any form."""

    param_name = "sessionid"

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        # Without a signed-in session there is nothing to forge, and the caller must hear 401.
        if user is None or not user.is_authenticated:
            return None
        if check_csrf(request):
            raise Forbidden(_("CSRF check failed: send the X-CSRFToken header with the session."))
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None):
        user = getattr(request, "user", None)
        return user if key and user is not None and user.is_authenticated else None


class OpsloopAPI(NinjaAPI):
    """The API, answering unknown paths under it with a JSON 404 instead of an HTML page."""

    _schemas: dict[tuple, dict]

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        # Building the document takes about a second and it only changes with the code.
        key = (path_prefix, tuple(sorted((path_params or {}).items())))
        cache = self.__dict__.setdefault("_schemas", {})
        if key not in cache:
            cache[key] = _lift_definitions(
                super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
            )
        return copy.deepcopy(cache[key])

    @property
    def urls(self) -> tuple[list, str, str]:
        patterns, app_name, namespace = super().urls
        return [*patterns, re_path(r"", unknown_endpoint)], app_name, namespace


def _lift_definitions(document: dict) -> dict:
    """A request body given as a pydantic schema of its own (openapi_extra, e.g. the
    insights query's union of kinds) brings its definitions under "$defs": they move to
    components/schemas, where its references point, and the body is that schema alone."""
    components = document.setdefault("components", {}).setdefault("schemas", {})
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            content = (operation.get("requestBody") or {}).get("content", {})
            for media in content.values():
                schema = media.get("schema", {})
                if "$defs" in schema:
                    components.update(schema.pop("$defs"))
                    media["schema"] = {
                        key: value
                        for key, value in schema.items()
                        if key not in ("additionalProperties", "title", "type")
                    }
    return document


def unknown_endpoint(request: HttpRequest) -> HttpResponse:
    return _error(request, 404, "not_found", _("There is no such API endpoint."))


api = OpsloopAPI(
    title="opsloop API",
    version="1",
    description=(
        "The opsloop REST API. Authenticate with `Authorization: Bearer <token>`; create a token "
        "on your account page or with `opsloop token create USERNAME`. Errors answer "
        '`{"code": ..., "message": ...}` with a 4xx status.'
    ),
    auth=[TokenAuth(), SessionAuth()],
    parser=JsonParser(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def _error(request, status: int, code: str, message: str, **extra):
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


@api.exception_handler(OpsloopError)
def on_opsloop_error(request, exc: OpsloopError):
    extra = {"field": exc.field} if exc.field else {}
    return _error(request, exc.status, exc.code, exc.message, **extra, **exc.data)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    if any(tuple(e.get("loc", ())) == ("body", "payload") for e in exc.errors):
        # The whole body is missing, not one of its fields.
        return _error(request, 400, "bad_json", _("Send a JSON object in the request body."))
    errors = []
    for error in exc.errors:
        loc = list(error.get("loc", ()))
        # ("body", "payload", "title") names the field title; a field may itself be named body.
        if loc and loc[0] in ("body", "query", "path", "header", "cookie", "form"):
            loc = loc[2:] if loc[0] == "body" and loc[1:2] == ["payload"] else loc[1:]
        errors.append({"field": ".".join(str(p) for p in loc), "message": error.get("msg", "")})
    first = errors[0] if errors else {"field": "", "message": _("Invalid input.")}
    message = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
    extra = {"field": first["field"]} if first["field"] else {}
    return _error(request, 400, "invalid", message, **extra, errors=errors)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return _error(
        request, 401, "unauthenticated", _("Authentication required: send a valid Bearer token.")
    )


@api.exception_handler(RequestDataTooBig)
def on_body_too_large(request, exc: RequestDataTooBig):
    return _error(
        request,
        413,
        "too_large",
        _("The request body is larger than %(max)s; files go as multipart/form-data.")
        % {"max": filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)},
    )


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    # ninja wraps any failure of the body parser in HttpError(400); the cause says what it was.
    if isinstance(exc.__cause__, BadJson):
        return on_opsloop_error(request, exc.__cause__)
    if isinstance(exc.__cause__, RequestDataTooBig):
        return on_body_too_large(request, exc.__cause__)
    return _error(request, exc.status_code, "error", str(exc))


@api.exception_handler(Http404)
def on_not_found(request, exc: Http404):
    return _error(request, 404, "not_found", _("Not found."))


def _register_routers() -> None:
    from opsloop.capacity.api import router as capacity_router
    from opsloop.collab.api import router as collab_router
    from opsloop.core.api import router as core_router
    from opsloop.files.api import router as files_router
    from opsloop.inbox.api import router as inbox_router
    from opsloop.meetings.api import router as meetings_router
    from opsloop.planning.api import router as planning_router
    from opsloop.progress.api import router as progress_router
    from opsloop.work.api import router as work_router

    api.add_router("", core_router)
    api.add_router("", work_router)
    api.add_router("", inbox_router)
    api.add_router("", collab_router)
    api.add_router("", meetings_router)
    api.add_router("", files_router)
    api.add_router("", "opsloop.files.imports_api.router")
    api.add_router("", planning_router)
    api.add_router("", capacity_router)
    api.add_router("", progress_router)
    api.add_router("", "opsloop.events.api.router")
    api.add_router("", "opsloop.insights.api.router")
    api.add_router("", "opsloop.goals.api.router")
    api.add_router("", "opsloop.goals.campaign_api.router")
    api.add_router("", "opsloop.portfolio.api.router")
    api.add_router("", "opsloop.dashboards.api.router")
    api.add_router("", "opsloop.decisions.api.router")
    api.add_router("", "opsloop.reports.api.router")
    api.add_router("", "opsloop.channels.api.router")
    api.add_router("", "opsloop.content.api.router")
    api.add_router("", "opsloop.partners.api.router")
    api.add_router("", "opsloop.money.api.router")
    api.add_router("", "opsloop.money.results_api.router")
    api.add_router("", "opsloop.blueprints.api.router")


_register_routers()
