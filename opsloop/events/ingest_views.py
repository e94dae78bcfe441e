"""The ingestion endpoints, served two ways that share ingest.handle:

- `ingest`, a Django view (ingest_urls.py), for any server that runs Django's application
  as it is (runserver, the test client, pytest-django's live server);
- `with_fast_path(application)`, which opsloop/wsgi.py wraps around Django's application:
  a POST to an ingestion path goes straight to ingest.handle, past the middleware, URL
  resolving and request objects that a page needs and an event does not. What it keeps
  of them: ALLOWED_HOSTS is checked, database connections are closed after the request
  as Django closes them, and the answer carries the same headers.

No session, no login, no CSRF: a write key is the only credential.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.db import close_old_connections
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port, validate_host
from django.views.decorators.csrf import csrf_exempt

from opsloop.events.ingest import ROUTES, Incoming, Reply, handle


@csrf_exempt
def ingest(request: HttpRequest, dialect: str, call: str) -> HttpResponse:
    reply = handle(_incoming(request.META, dialect, call, request.read))
    response = HttpResponse(reply.body, status=reply.status)
    for name, value in reply.headers:
        response[name] = value
    return response


def _incoming(meta: dict[str, Any], dialect: str, call: str, read: Callable[[int], bytes]):
    try:
        length: int | None = int(meta.get("CONTENT_LENGTH") or "")
    except ValueError:
        length = None
    return Incoming(
        dialect=dialect,
        call=call,
        method=meta.get("REQUEST_METHOD", "").upper(),
        read=read,
        content_length=length,
        authorization=meta.get("HTTP_AUTHORIZATION", ""),
        content_encoding=meta.get("HTTP_CONTENT_ENCODING", ""),
        content_type=meta.get("CONTENT_TYPE", ""),
        query=meta.get("QUERY_STRING", ""),
        remote_addr=meta.get("REMOTE_ADDR", ""),
        forwarded_for=meta.get("HTTP_X_FORWARDED_FOR", ""),
        accept_language=meta.get("HTTP_ACCEPT_LANGUAGE", ""),
    )


WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def with_fast_path(application: WSGIApp) -> WSGIApp:
    """Django's WSGI application, with ingestion answered in front of it."""

    def fast_path(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        route = ROUTES.get(environ.get("PATH_INFO", ""))
        if route is None:
            return application(environ, start_response)
        if not _allowed_host(environ):
            reply = Reply(400, b'{"code":"invalid_host","message":"Bad Request"}')
        else:
            stream = environ["wsgi.input"]
            read = stream.read
            if not environ.get("CONTENT_LENGTH") and not environ.get("wsgi.input_terminated"):
                # No length and no server-side framing: reading could block for ever.
                read = _nothing
            try:
                reply = handle(_incoming(environ, route[0], route[1], read))
            finally:
                close_old_connections()
        status = HTTPStatus(reply.status)
        headers = [*reply.headers, ("Content-Length", str(len(reply.body)))]
        start_response(f"{status.value} {status.phrase}", headers)
        return [reply.body]

    return fast_path


def _nothing(_size: int) -> bytes:
    return b""


def _allowed_host(environ: dict[str, Any]) -> bool:
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    domain, _port = split_domain_port(host)
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    return bool(domain) and validate_host(domain, allowed)
