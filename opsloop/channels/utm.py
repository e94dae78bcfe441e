"""The rules of a UTM value, the tracked URL a link sends to, and the short code that
names a link. Pure functions: no database, no request (docs/channels.md#utm-links).

What a value may be: analytics tools (GA4, PostHog, opsloop's own insights) take any
text, and compare it exactly, so `Douyin`, `douyin` and `douyin ` are three sources in
every report. opsloop takes lowercase ASCII letters, digits, `-`, `_` and `.`, and
Chinese characters (Chinese teams name campaigns 双十一 and 618): nothing that a URL must
escape or that reads differently in another case. A value with capitals is refused with
its lowercase form proposed, so a typo cannot split a campaign in two."""

from __future__ import annotations

import re
import secrets
import string
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.utils.translation import gettext as _

from opsloop.core.errors import Invalid

UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")
REQUIRED_FIELDS = ("utm_source", "utm_medium", "utm_campaign")
MAX_VALUE = 100
MAX_URL = 2000
# CJK unified ideographs and extension A: Chinese names of campaigns and contents.
VALUE = re.compile(r"^[a-z0-9\-_.\u3400-\u4dbf\u4e00-\u9fff]+$")

CODE_ALPHABET = string.ascii_letters + string.digits  # base62
CODE_LENGTH = 8  # 62**8 = 2.2e14 codes: not guessable, not enumerable
CODE = re.compile(r"^[A-Za-z0-9]{4,16}$")


def check_value(value: str, *, field: str) -> str:
    """A well-formed UTM value (stripped), or Invalid saying what is wrong with it."""
    value = (value or "").strip()
    if not value:
        raise Invalid(_("%(field)s cannot be empty.") % {"field": field}, field=field)
    if len(value) > MAX_VALUE:
        raise Invalid(
            _("%(field)s may be at most %(max)s characters.") % {"field": field, "max": MAX_VALUE},
            field=field,
        )
    if VALUE.match(value):
        return value
    if any(c.isspace() for c in value):
        raise Invalid(
            _("%(field)s may not contain spaces: write %(proposal)s.")
            % {"field": field, "proposal": "-".join(value.lower().split())},
            field=field,
        )
    if value.lower() != value and VALUE.match(value.lower()):
        raise Invalid(
            _("%(field)s is lowercase in the naming rules: write %(proposal)s.")
            % {"field": field, "proposal": value.lower()},
            field=field,
        )
    raise Invalid(
        _(
            "%(field)s may hold lowercase letters, digits, -, _, . and Chinese characters; "
            "%(value)s does not fit."
        )
        % {"field": field, "value": value[:MAX_VALUE]},
        field=field,
    )


def check_destination(url: str) -> str:
    """An http(s) address with a host and no UTM parameters of its own (the link's
    fields hold them); Invalid otherwise."""
    url = (url or "").strip()
    field = "destination"
    if not url:
        raise Invalid(_("Give the address the link leads to."), field=field)
    if len(url) > MAX_URL:
        raise Invalid(
            _("The address may be at most %(max)s characters.") % {"max": MAX_URL}, field=field
        )
    try:
        parts = urlsplit(url)
    except ValueError:
        raise Invalid(
            _("%(url)s is not a web address.") % {"url": url[:200]}, field=field
        ) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise Invalid(
            _("The address must start with http:// or https:// and name a host."), field=field
        )
    if any(c.isspace() for c in url):
        raise Invalid(_("The address may not contain spaces."), field=field)
    for key, _value in parse_qsl(parts.query, keep_blank_values=True):
        if key.lower() in UTM_FIELDS:
            raise Invalid(
                _("The address carries %(key)s already: remove it and set it in the builder.")
                % {"key": key},
                field=field,
            )
    return url


def tracked_url(destination: str, values: dict[str, str]) -> str:
    """The destination with the UTM parameters added after its own query (kept byte for
    byte), before its fragment; empty values are left out. Chinese values are
    percent-encoded as UTF-8."""
    parts = urlsplit(destination)
    added = urlencode([(name, values[name]) for name in UTM_FIELDS if values.get(name)])
    query = "&".join(
        part for part in (parts.query.rstrip("&") if added else parts.query, added) if part
    )
    return urlunsplit(parts._replace(query=query))


def new_code() -> str:
    """A random base62 code for /l/<code> (the secrets module's generator)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
