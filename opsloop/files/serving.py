"""Sending a stored version to the browser with headers that keep it inert."""

from __future__ import annotations

from django.core import signing
from django.http import FileResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from opsloop.core.errors import NotFound
from opsloop.files.models import FileVersion
from opsloop.files.storage import file_storage
from opsloop.files.uploads import is_inline


def serve_version(version: FileVersion, *, name: str, inline: bool = False) -> FileResponse:
    """The version's bytes as a download (or, for raster images and PDF only, inline).

    The type is the one sniffed at upload; nosniff stops the browser guessing another,
    and the sandbox policy keeps anything opened from it away from opsloop's origin."""
    inline = inline and is_inline(version.content_type)
    response = FileResponse(
        file_storage().open(version.blob, "rb"), content_type=version.content_type
    )
    response["Content-Length"] = str(version.size)
    # RFC 6266/5987: an ASCII fallback and filename*=UTF-8'' for names like 双11海报.png.
    response["Content-Disposition"] = content_disposition_header(not inline, name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


SIGNED_SALT = "opsloop.files.download"
# Long enough to start a download, short enough that a leaked URL is soon worthless.
SIGNED_MAX_AGE = 300


def signed_download_path(version: FileVersion) -> str:
    """A URL that downloads this one version for a few minutes, for an API client that
    has just passed the permission check (like a storage's presigned URL)."""
    token = signing.dumps({"v": version.pk}, salt=SIGNED_SALT, compress=True)
    return reverse("file_signed", args=[token])


def version_from_signed(token: str) -> FileVersion:
    try:
        data = signing.loads(token, salt=SIGNED_SALT, max_age=SIGNED_MAX_AGE)
        version = FileVersion.objects.select_related("file").get(pk=int(data["v"]))
    except (
        signing.BadSignature,
        FileVersion.DoesNotExist,
        KeyError,
        TypeError,
        ValueError,
    ):
        raise NotFound(_("This download link has expired.")) from None
    return version
