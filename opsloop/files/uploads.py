"""Receiving uploads: the streaming size limit, safe names and sniffed content types."""

from __future__ import annotations

import hashlib
import os
import unicodedata
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files import File as DjangoFile
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, QueryDict
from django.template.defaultfilters import filesizeformat
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from opsloop.core.chunked import MB, largest_body
from opsloop.core.errors import Invalid, OpsloopError

MAX_NAME = 255
SNIFF_BYTES = 8192
# Shown in the page (img, PDF frame) when asked; everything else is only ever downloaded.
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"})
# Types given by extension alone, and only to UTF-8 text: sniffing cannot tell text kinds apart.
TEXT_TYPES = {
    ".txt": "text/plain",
    ".md": "text/plain",
    ".csv": "text/plain",
    ".tsv": "text/plain",
    ".log": "text/plain",
    ".json": "application/json",
}
FALLBACK_TYPE = "application/octet-stream"
_TOO_LARGE = "_opsloop_upload_too_large"


def max_upload_bytes() -> int:
    return int(settings.OPSLOOP_MAX_UPLOAD_MB) * MB


def workspace_quota_bytes() -> int:
    return int(settings.OPSLOOP_WORKSPACE_STORAGE_MB) * MB


class TooLarge(OpsloopError):
    """The upload is over the per-file limit or the workspace's storage quota."""

    status = 413
    code = "too_large"


def too_large_error(limit: int | None = None) -> TooLarge:
    """413 for a file over `limit` bytes (the upload limit, OPSLOOP_MAX_UPLOAD_MB, by default)."""
    return TooLarge(
        _("The file is too large: at most %(max)s per file.")
        % {"max": filesizeformat(max_upload_bytes() if limit is None else limit)},
        field="file",
    )


def is_multipart(request: HttpRequest) -> bool:
    return (request.content_type or "").startswith("multipart/")


def uploaded_file(
    request: HttpRequest,
    *,
    field: str = "file",
    max_bytes: int | None = None,
    missing: str | None = None,
) -> UploadedFile:
    """The file in `field` of a multipart request, for every page and endpoint that takes
    one: 413 when the request or the file is over the upload limit (or over `max_bytes`,
    a smaller limit of the caller's), 400 with `missing` (or a plain sentence) when the
    field holds no file."""
    if body_too_large(request) or upload_was_too_large(request):
        raise too_large_error()
    upload = request.FILES.get(field)
    # Reading FILES is what runs the upload handler that may refuse the body.
    if upload_was_too_large(request):
        raise too_large_error()
    if upload is None:
        raise Invalid(
            missing or _("Send the file in the form field named %(field)s.") % {"field": field},
            field=field,
        )
    if max_bytes is not None and (upload.size or 0) > max_bytes:
        raise too_large_error(max_bytes)
    return upload


def body_too_large(request: HttpRequest) -> bool:
    """The declared Content-Length already exceeds what an upload request may carry."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > largest_body()


def upload_was_too_large(request: HttpRequest) -> bool:
    """Whether the upload handler refused this request's body (see LimitedUploadHandler)."""
    return bool(getattr(request, _TOO_LARGE, False))


class LimitedUploadHandler(FileUploadHandler):
    """Counts each file's bytes as they stream in and stops reading past OPSLOOP_MAX_UPLOAD_MB.

    Listed first in FILE_UPLOAD_HANDLERS, so it runs for every multipart request, before
    anything (the CSRF check included) has read the body. A body whose Content-Length is
    already too large is not read at all. Either way the request is marked and the view
    answers 413; the files parsed so far are dropped with it."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.limit = max_upload_bytes()
        self.received = 0

    def _refuse(self) -> None:
        if self.request is not None:
            setattr(self.request, _TOO_LARGE, True)

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > largest_body():
            self._refuse()
            return QueryDict(encoding=encoding), MultiValueDict()
        return None

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self._refuse()
            # connection_reset: do not read the rest of the body just to throw it away.
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def clean_name(raw: str) -> str:
    """A file name safe to show and to put in a header: the last path part, without
    control or formatting characters, reserved characters or "..", at most 255 characters.
    Chinese and other scripts are kept as they are."""
    name = unicodedata.normalize("NFC", str(raw or ""))
    # Control (Cc), format (Cf: bidi overrides), unassigned, surrogate and private characters.
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join("_" if ch in '<>:"|?*' else ch for ch in name)
    while ".." in name:
        name = name.replace("..", ".")
    name = name.strip().strip(".").strip()
    if not name:
        return "file"
    if len(name) > MAX_NAME:
        stem, ext = os.path.splitext(name)
        ext = ext[:16]
        name = stem[: MAX_NAME - len(ext)] + ext
    return name


def sniff_type(head: bytes, name: str) -> str:
    """The content type from the first bytes, never from what the client said.

    Known binary formats by their signature; UTF-8 text by a few extensions; the rest
    (HTML and SVG included) is application/octet-stream."""
    kind = filetype.guess(head)
    if kind is not None:
        return str(kind.mime)
    text_type = TEXT_TYPES.get(os.path.splitext(name)[1].lower())
    if text_type and b"\x00" not in head:
        try:
            # The sample may end inside a character; only a bad byte before that counts.
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:
                return FALLBACK_TYPE
        return text_type
    return FALLBACK_TYPE


def is_inline(content_type: str) -> bool:
    return content_type in INLINE_TYPES


@dataclass(frozen=True)
class Received:
    """An upload measured and typed, ready to store."""

    content: DjangoFile
    name: str
    size: int
    content_type: str
    sha256: str


def receive(content: DjangoFile, name: str) -> Received:
    """Measure, hash and sniff an uploaded (or otherwise given) file."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    content.seek(0)
    for chunk in content.chunks():
        if len(head) < SNIFF_BYTES:
            head += chunk[: SNIFF_BYTES - len(head)]
        digest.update(chunk)
        size += len(chunk)
    content.seek(0)
    clean = clean_name(name)
    return Received(content, clean, size, sniff_type(head, clean), digest.hexdigest())
