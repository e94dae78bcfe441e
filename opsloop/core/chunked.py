"""Request bodies sent with Transfer-Encoding: chunked, read within the size limits.

A client that streams a body (curl -T -, fetch with a ReadableStream, requests with a
generator) sends no Content-Length. gunicorn decodes the chunks, but Django reads exactly
Content-Length bytes of wsgi.input, so without one it saw an empty body: an upload arrived
without its file and a JSON body as "not valid JSON", both with a misleading 400.

This WSGI layer, in front of Django, reads such a body into a spooled file (memory up to
1 MB, then a temporary file) and gives Django its length. It stops one byte past the
largest body any request may carry (an upload at OPSLOOP_MAX_UPLOAD_MB plus its form
fields, or DATA_UPLOAD_MAX_MEMORY_SIZE of other data, whichever is larger): a longer body
gets that length, past every limit, so the checks that already refuse a declared length
answer it with 413 (JSON for the API, the form's error for pages) before anything reads
the truncated body, and the rest is never read."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable

from django.conf import settings

MB = 1024 * 1024
# Room in a request for the form fields and multipart framing around an upload's file.
FORM_ALLOWANCE = MB
_READ = 64 * 1024
_IN_MEMORY = MB


def largest_body() -> int:
    """The most bytes a request body may carry: one upload at the limit, with its form."""
    return int(settings.OPSLOOP_MAX_UPLOAD_MB) * MB + FORM_ALLOWANCE


def is_chunked(environ: dict) -> bool:
    return not environ.get("CONTENT_LENGTH") and "chunked" in (
        environ.get("HTTP_TRANSFER_ENCODING", "").lower()
    )


def with_chunked_bodies(app: Callable) -> Callable:
    """Wrap a WSGI application so that chunked bodies reach it with a Content-Length."""

    def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
        if is_chunked(environ):
            limit = max(largest_body(), settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)
            body = tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY)  # noqa: SIM115 (closed with the request)
            stream = environ["wsgi.input"]
            size = 0
            while size <= limit:
                chunk = stream.read(min(_READ, limit + 1 - size))
                if not chunk:
                    break
                body.write(chunk)
                size += len(chunk)
            body.seek(0)
            environ["wsgi.input"] = body
            environ["CONTENT_LENGTH"] = str(size)
        return app(environ, start_response)

    return application
