"""Ingestion over HTTP: Segment's tracking API, and PostHog's capture API as a second
dialect, read into rows (opsloop/events/rows.py) and appended to the inbox.

`handle(incoming)` is the whole of it, for one request, whatever carried it: the Django
views (ingest_views.py) and the lean WSGI path in front of Django (opsloop/wsgi.py) both
build an `Incoming` and send back the `Reply`. Nothing here touches Django's request, so
both answer the same to the same bytes; docs/events-ingestion.md is the user's account.

What a request goes through, in order, and what it answers when it stops there:
- not POST: 405 (OPTIONS, a browser's preflight: 204 with CORS headers);
- Content-Length or body over the limit: 413 (32 KB on a single-event path, 500 KB on a
  batch path and on PostHog's), and after decompressing gzip, the same limit again,
  counted while inflating so a gzip bomb stops at the limit;
- a key in the Authorization header that is unknown or revoked: 401, before the body is
  read (Segment: Basic with the key as user name; PostHog: Bearer);
- a body that is not JSON, or not the right shape: 400 naming what is wrong;
- no key (header or body: Segment's `writeKey`, PostHog's `api_key`/`token`), or a
  bad one: 401;
- no events, or more than MAX_EVENTS: 400 / 413;
- more events than the source's rate allows (ratelimit.py): 429 with Retry-After;
- every event is read on its own; an invalid one is left out and counted; when none is
  left, 400 (or 413 when they were all too large) with the first one's reason;
- the rows are appended to the inbox as one batch, durable when `append` returns: only
  then 200, `{}` (Segment) or `{"status": 1}` (PostHog), with the counts in the
  X-Events-Accepted and X-Events-Rejected headers, and X-Events-Rejected-Reason giving the
  first rejected event's index and code. A failing disk answers 503, so clients resend.

Choices a reader of the rows must know:
- `message_id` is the event's messageId (PostHog: uuid). Without one a random uuid is made,
  so a resend of such an event cannot be told from a new one and is stored twice.
- `timestamp` is corrected for the sender's clock: received_at - (sentAt - timestamp)
  when the request (or event) has sentAt, else the event's own timestamp
  (originalTimestamp when timestamp is missing; PostHog: received_at - offset ms when it
  sends offset instead), else received_at. A time without a zone is UTC. Times are ISO
  8601 strings in UTC, `2026-11-22T08:30:00.123000+00:00`.
- alias: the previous id goes to properties["previous_id"]; user_id is the new id (and
  distinct_id). The flusher's identity code reads it there.
- group: the group id goes to properties["group_id"] (PostHog: also "group_type"); the
  row's traits are the group's traits, not the person's.
- identify: traits are the call's traits, else context.traits.
- context: page url/path/referrer/title from context.page (a page call's properties when
  context.page has none), UTM from context.campaign (name -> utm_campaign), device type,
  os name, app version, locale, user agent, ip from context. The ip falls back to the
  client's address: REMOTE_ADDR, or, only when REMOTE_ADDR is one of
  settings.EVENTS_TRUSTED_PROXIES, the nearest untrusted address in X-Forwarded-For.
  The user agent is never taken from the request's header, which is usually the client
  library's, not the user's browser.
- PostHog: distinct_id is the user id, unless the event says it is anonymous
  ($process_person_profile false, $user_state "anonymous", or distinct_id equal to
  $device_id): then the anonymous id. An identified event carries $device_id as its
  anonymous id. `$identify` is identify (user_id distinct_id, anonymous_id
  $anon_distinct_id), `$set` and `$set_once` are identify too (their values stay in
  properties; `$set` also becomes traits), `$create_alias` is alias (user_id
  properties.alias, previous_id the event's distinct_id), `$pageview` is page,
  `$screen` is screen (name $screen_name), `$groupidentify` is group; any other event is
  a track. Context comes from $current_url, $pathname, $referrer, title, utm_*,
  $device_type, $os, $app_version, $locale/$browser_language, $ip, $raw_user_agent.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import ipaddress
import logging
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import orjson
from django.conf import settings
from django.db import DatabaseError
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from opsloop.events import inbox, keys, ratelimit
from opsloop.events.models import Source
from opsloop.events.rows import CALL_EVENTS

log = logging.getLogger(__name__)

EVENT_LIMIT = 32 * 1024  # bytes of one event, and of a single-event request's body
BATCH_LIMIT = 500 * 1024  # bytes of a batch request's body, after decompressing
MAX_EVENTS = 2500  # events in one batch
MAX_ID_LENGTH = 200  # of user, anonymous, message, group and previous ids (PersonId's column)
MAX_NAME_LENGTH = 200  # of a track's event name

SEGMENT, POSTHOG = "segment", "posthog"
BATCH = "batch"
TYPES = ("track", "identify", "page", "screen", "group", "alias")
_TYPES = frozenset(TYPES)
_EMPTY: dict[str, Any] = {}
UTC = dt.timezone.utc
# The times an event may have once corrected for the client's clock; outside them it is
# refused on its own. More than FUTURE_LIMIT ahead of the server, it is stored at the time
# received, the time it said kept in properties["original_timestamp"] (PostHog's rule).
EARLIEST = dt.datetime(1970, 1, 1, tzinfo=UTC)
AFTER_LATEST = dt.datetime(2101, 1, 1, tzinfo=UTC)
FUTURE_LIMIT = dt.timedelta(hours=23)

# path -> (dialect, call); both with and without the trailing slash. The short Segment
# paths are the ones analytics.js (analytics-next) posts to: the first letter of the call.
ROUTES: dict[str, tuple[str, str]] = {}
for _call in (*TYPES, BATCH):
    for _path in {f"/v1/{_call}", f"/v1/{_call[0]}"}:
        ROUTES[_path] = ROUTES[_path + "/"] = (SEGMENT, _call)
for _path in ("/batch", "/capture", "/e", "/i/v0/e", "/track", "/engage"):
    ROUTES[_path] = ROUTES[_path + "/"] = (POSTHOG, BATCH)
# /track/ and /engage/ are posthog-js's older paths; /v1/s is the screen call's short path.

CORS_HEADERS = (
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Allow-Methods", "POST, OPTIONS"),
    ("Access-Control-Allow-Headers", "Authorization, Content-Type, Content-Encoding"),
    ("Access-Control-Max-Age", "86400"),
)
JSON_HEADERS = (
    ("Content-Type", "application/json"),
    ("X-Content-Type-Options", "nosniff"),
    CORS_HEADERS[0],
)


class Refused(Exception):
    """A request, or one event of it, that ingestion does not take; the message is kept
    untranslated (gettext_noop) and translated when the answer is written."""

    def __init__(self, status: int, code: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.params = params
        self.retry_after = 0

    def text(self) -> str:
        message = gettext(self.message)
        if not self.params:
            return message
        return message % {
            name: value.text() if isinstance(value, Refused) else value
            for name, value in self.params.items()
        }


def _invalid(message: str, **params: Any) -> Refused:
    return Refused(400, "invalid_event", message, **params)


@dataclass
class Incoming:
    """One ingestion request, as read from whichever server carried it."""

    dialect: str
    call: str
    method: str
    read: Callable[[int], bytes]  # read(n): up to n bytes of the body
    content_length: int | None = None
    authorization: str = ""
    content_encoding: str = ""
    content_type: str = ""
    query: str = ""
    remote_addr: str = ""
    forwarded_for: str = ""
    accept_language: str = ""


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = field(default=JSON_HEADERS)


@dataclass
class _Batch:
    """What the events of one request share."""

    source: Source
    received_at: dt.datetime
    received_iso: str
    sent_at: dt.datetime | None
    context: dict[str, Any]
    ip: str
    workspace_id: int = 0
    source_id: int = 0
    # received_at - sent_at: what the batch's sentAt adds to each event's own time.
    skew: dt.timedelta | None = None
    # Events stored at the time received because they said a time too far ahead.
    future: int = 0

    def __post_init__(self) -> None:
        self.workspace_id = self.source.workspace_id
        self.source_id = self.source.pk
        if self.sent_at is not None:
            self.skew = self.received_at - self.sent_at


# --- the request


def handle(incoming: Incoming) -> Reply:
    """Answer one ingestion request; rows are in the inbox, durable, when it is a 200."""
    try:
        return _handle(incoming)
    except Refused as refused:
        return _refusal(incoming, refused)


def _handle(incoming: Incoming) -> Reply:
    if incoming.method == "OPTIONS":
        return Reply(204, b"", CORS_HEADERS)
    if incoming.method != "POST":
        raise Refused(405, "method_not_allowed", gettext_noop("Send events with POST."))
    limit = EVENT_LIMIT if incoming.dialect == SEGMENT and incoming.call != BATCH else BATCH_LIMIT
    if incoming.content_length is not None and incoming.content_length > limit:
        raise _too_large(limit)
    source = _source_from_header(incoming)
    # Never ask for more than Content-Length: some servers' streams block past it.
    wanted = limit + 1 if incoming.content_length is None else incoming.content_length
    raw = incoming.read(wanted) if wanted > 0 else b""
    if len(raw) > limit:
        raise _too_large(limit)
    body = _decoded(incoming, raw, limit)
    if incoming.dialect == SEGMENT:
        events, key, sent_raw, context = _segment_body(body, incoming.call)
    else:
        events, key, sent_raw, context = _posthog_body(body, incoming)
    if source is None:
        if not key:
            raise Refused(
                401,
                "missing_key",
                gettext_noop(
                    "No write key: send it as the user name of HTTP Basic auth or as writeKey in the body."
                )
                if incoming.dialect == SEGMENT
                else gettext_noop("No API key: send it as api_key in the body."),
            )
        source = _lookup(key)
        if source is None:
            raise _bad_key()
    if not events:
        raise Refused(400, "invalid_body", gettext_noop("The batch has no events."))
    if len(events) > MAX_EVENTS:
        raise Refused(
            413,
            "too_large",
            gettext_noop("A batch holds at most %(max)s events; this one has %(count)s."),
            max=MAX_EVENTS,
            count=len(events),
        )
    wait = ratelimit.admit(source.pk, source.rate_limit, len(events))
    if wait:
        refused = Refused(
            429,
            "rate_limited",
            gettext_noop("This source sends more than %(rate)s events a second; retry later."),
            rate=source.rate_limit,
        )
        refused.retry_after = wait
        raise refused
    received_at = dt.datetime.now(tz=UTC)
    batch = _Batch(
        source=source,
        received_at=received_at,
        received_iso=received_at.isoformat(timespec="microseconds"),
        sent_at=_parse_time(sent_raw, "sentAt") if sent_raw is not None else None,
        context=context,
        ip=_client_ip(incoming.remote_addr, incoming.forwarded_for),
    )
    rows, rejected = _rows(events, incoming, batch, measure=len(body) > EVENT_LIMIT)
    if not rows:
        index, first = rejected[0]
        if len(events) > 1:
            raise Refused(
                first.status,
                first.code,
                gettext_noop("No event is valid; the first (at index %(index)s): %(reason)s"),
                index=index,
                reason=first,
            )
        raise first
    try:
        inbox.append(rows)
    except OSError:
        log.exception("The inbox cannot be written")
        raise Refused(
            503, "unavailable", gettext_noop("Events cannot be stored right now; send them again.")
        ) from None
    if batch.future:
        _count_future_timestamps(batch)
    headers = [*JSON_HEADERS, ("X-Events-Accepted", str(len(rows)))]
    headers.append(("X-Events-Rejected", str(len(rejected))))
    if rejected:
        index, first = rejected[0]
        headers.append(("X-Events-Rejected-Reason", f"{index} {first.code}"))
    return Reply(200, b"{}" if incoming.dialect == SEGMENT else b'{"status":1}', tuple(headers))


def _count_future_timestamps(batch: _Batch) -> None:
    """The source's warning: how many of its events said a time too far ahead (stored).
    The events are durable already: a database that cannot take the count loses the
    count, not the answer."""
    try:
        Source.objects.filter(pk=batch.source_id).update(
            future_timestamps=F("future_timestamps") + batch.future,
            last_future_timestamp_at=batch.received_at,
        )
    except DatabaseError:
        log.exception("The count of future timestamps of source %s was not saved", batch.source_id)


def _rows(
    events: list[Any], incoming: Incoming, batch: _Batch, *, measure: bool
) -> tuple[list[dict[str, Any]], list[tuple[int, Refused]]]:
    rows: list[dict[str, Any]] = []
    rejected: list[tuple[int, Refused]] = []
    make = _segment_row if incoming.dialect == SEGMENT else _posthog_row
    call = "" if incoming.call == BATCH else incoming.call
    for index, event in enumerate(events):
        try:
            # Only a body over the limit can hold an event over it.
            if measure and len(orjson.dumps(event)) > EVENT_LIMIT:
                raise Refused(
                    413,
                    "too_large",
                    gettext_noop("An event may be at most %(limit)s KB of JSON."),
                    limit=EVENT_LIMIT // 1024,
                )
            rows.append(make(event, call, batch))
        except Refused as refused:
            rejected.append((index, refused))
    return rows, rejected


def _refusal(incoming: Incoming, refused: Refused) -> Reply:
    with translation.override(_language(incoming.accept_language)):
        message = refused.text()
    if incoming.dialect == SEGMENT:
        body = {"code": refused.code, "message": message}
    else:
        kind = "authentication_error" if refused.status == 401 else "validation_error"
        body = {"type": kind, "code": refused.code, "detail": message}
    headers = list(JSON_HEADERS)
    if refused.retry_after:
        headers.append(("Retry-After", str(refused.retry_after)))
    if refused.status == 405:
        headers.append(("Allow", "POST, OPTIONS"))
    return Reply(refused.status, orjson.dumps(body), tuple(headers))


def _language(accept_language: str) -> str:
    # The same in both servers: the Accept-Language header alone, no cookie or session.
    from django.utils.translation.trans_real import parse_accept_lang_header

    for code, _quality in parse_accept_lang_header(accept_language[:200]):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def _too_large(limit: int) -> Refused:
    return Refused(
        413,
        "too_large",
        gettext_noop("The body may be at most %(limit)s KB."),
        limit=limit // 1024,
    )


def _bad_key() -> Refused:
    return Refused(401, "invalid_key", gettext_noop("The write key is not valid, or was revoked."))


def _source_from_header(incoming: Incoming) -> Source | None:
    header = incoming.authorization.strip()
    if not header:
        return None
    scheme, _sep, credentials = header.partition(" ")
    scheme = scheme.lower()
    key = ""
    if scheme == "basic":
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            decoded = ""
        key = decoded.partition(":")[0]
    elif scheme == "bearer" and incoming.dialect == POSTHOG:
        key = credentials.strip()
    if not key:
        raise Refused(
            401,
            "invalid_key",
            gettext_noop(
                "The Authorization header must be HTTP Basic with the write key as user name."
            ),
        )
    source = _lookup(key)
    if source is None:
        raise _bad_key()
    return source


def _lookup(key: str) -> Source | None:
    try:
        return keys.source_for_key(key)
    except DatabaseError:
        log.exception("Write keys cannot be read")
        raise Refused(
            503, "unavailable", gettext_noop("Events cannot be stored right now; send them again.")
        ) from None


def _decoded(incoming: Incoming, raw: bytes, limit: int) -> bytes:
    encoding = incoming.content_encoding.strip().lower()
    compression = ""
    if incoming.query and incoming.dialect == POSTHOG:
        compression = (parse_qs(incoming.query).get("compression") or [""])[0].lower()
    if encoding in ("gzip", "x-gzip") or compression in ("gzip", "gzip-js"):
        return _gunzip(raw, limit)
    if encoding not in ("", "identity"):
        raise Refused(
            400,
            "unsupported_encoding",
            gettext_noop("Content-Encoding %(encoding)s is not supported; use gzip."),
            encoding=encoding[:40],
        )
    if compression == "lz64":
        raise Refused(
            400,
            "unsupported_encoding",
            gettext_noop("lz64 compression is not supported; use gzip."),
        )
    return raw


def _gunzip(raw: bytes, limit: int) -> bytes:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        # At most limit + 1 bytes come out, however small the input: no gzip bomb.
        body = inflater.decompress(raw, limit + 1)
    except zlib.error:
        raise Refused(400, "invalid_body", gettext_noop("The body is not valid gzip.")) from None
    if len(body) > limit:
        raise _too_large(limit)
    if not inflater.eof:
        raise Refused(400, "invalid_body", gettext_noop("The gzip body is cut short."))
    return body


def _load(body: bytes) -> Any:
    if not body.strip():
        raise Refused(400, "invalid_json", gettext_noop("The body is empty; send JSON."))
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise Refused(
            400,
            "invalid_json",
            gettext_noop("The body is not valid JSON: %(error)s."),
            error=str(error)[:200],
        ) from None


def _segment_body(body: bytes, call: str) -> tuple[list[Any], str, Any, dict[str, Any]]:
    data = _load(body)
    if not isinstance(data, dict):
        raise Refused(400, "invalid_body", gettext_noop("The body must be a JSON object."))
    key = data.get("writeKey")
    key = key if isinstance(key, str) else ""
    if call != BATCH:
        return [data], key, None, {}
    events = data.get("batch")
    if not isinstance(events, list):
        raise Refused(
            400, "invalid_body", gettext_noop("The body must have a batch: a list of events.")
        )
    context = data.get("context")
    if context is not None and not isinstance(context, dict):
        raise Refused(400, "invalid_body", gettext_noop("context must be an object."))
    return events, key, data.get("sentAt"), context or {}


def _posthog_body(body: bytes, incoming: Incoming) -> tuple[list[Any], str, Any, dict[str, Any]]:
    stripped = body.lstrip()
    if stripped.startswith(b"data=") or "x-www-form-urlencoded" in incoming.content_type:
        body = _posthog_form(body, incoming)
    data = _load(body)
    if isinstance(data, list):
        events, top = data, {}
    elif isinstance(data, dict):
        top = data
        if "batch" in data:
            events = data["batch"]
        elif "data" in data:
            events = data["data"] if isinstance(data["data"], list) else [data["data"]]
        else:
            events = [data]
    else:
        events, top = None, {}
    if not isinstance(events, list):
        raise Refused(
            400,
            "invalid_body",
            gettext_noop("The body must be an event, a list of events, or a batch of them."),
        )
    key = top.get("api_key") or top.get("token")
    if not key and events and isinstance(events[0], dict):
        first = events[0]
        properties = first.get("properties")
        key = first.get("api_key") or first.get("token")
        if not key and isinstance(properties, dict):
            key = properties.get("token")
    return events, key if isinstance(key, str) else "", top.get("sent_at"), {}


def _posthog_form(body: bytes, incoming: Incoming) -> bytes:
    # posthog-js's form body: data=<base64 of the JSON>, with compression=... beside it.
    try:
        form = parse_qs(body.decode("ascii"))
    except UnicodeDecodeError:
        form = {}
    data = (form.get("data") or [""])[0]
    compression = (form.get("compression") or [""])[0].lower()
    if compression == "lz64":
        raise Refused(
            400,
            "unsupported_encoding",
            gettext_noop("lz64 compression is not supported; use gzip."),
        )
    try:
        return base64.b64decode(data + "=" * (-len(data) % 4))
    except (binascii.Error, ValueError):
        raise Refused(
            400, "invalid_body", gettext_noop("The form's data field is not valid base64.")
        ) from None


# --- one event


def _segment_row(msg: Any, call: str, batch: _Batch) -> dict[str, Any]:
    # The hot loop of ingestion, some microseconds an event: the common case (strings
    # where strings belong) is tested inline, anything else goes to the helpers.
    if type(msg) is not dict:
        raise _invalid(gettext_noop("An event must be a JSON object."))
    get = msg.get
    kind = call or get("type")
    if kind not in _TYPES:
        raise _invalid(
            gettext_noop("type must be one of track, identify, page, screen, group, alias.")
        )
    user_id = get("userId")
    if type(user_id) is not str or len(user_id) > MAX_ID_LENGTH:
        user_id = _id(user_id, "userId")
    anonymous_id = get("anonymousId")
    if type(anonymous_id) is not str or len(anonymous_id) > MAX_ID_LENGTH:
        anonymous_id = _id(anonymous_id, "anonymousId")
    if not user_id and not anonymous_id:
        raise _invalid(gettext_noop("An event needs a userId or an anonymousId."))
    message_id = get("messageId")
    if type(message_id) is not str or not message_id or len(message_id) > MAX_ID_LENGTH:
        message_id = _id(message_id, "messageId") or str(uuid.uuid4())
    context = get("context")
    if context is None:
        context = batch.context
    elif type(context) is not dict:
        raise _invalid(gettext_noop("%(field)s must be an object."), field="context")
    elif batch.context:
        context = {**batch.context, **context}
    properties = get("properties")
    if type(properties) is not dict:
        properties = _object(properties, "properties")
    traits = get("traits")
    if type(traits) is not dict:
        traits = _object(traits, "traits")
    name = ""
    if kind == "track":
        event = get("event")
        if type(event) is not str or not event.strip():
            raise _invalid(gettext_noop("A track call needs an event name."))
        if len(event) > MAX_NAME_LENGTH:
            raise _invalid(
                gettext_noop("The event name may be at most %(max)s characters."),
                max=MAX_NAME_LENGTH,
            )
    else:
        event = CALL_EVENTS[kind]
        if kind == "page" or kind == "screen":
            name = _text(get("name"))
        elif kind == "identify":
            if not traits and type(context.get("traits")) is dict:
                traits = context["traits"]
        elif kind == "alias":
            previous_id = _id(get("previousId"), "previousId")
            if not previous_id:
                raise _invalid(gettext_noop("An alias call needs a previousId."))
            properties = {**properties, "previous_id": previous_id}
        else:  # group
            group_id = _id(get("groupId"), "groupId")
            if not group_id:
                raise _invalid(gettext_noop("A group call needs a groupId."))
            properties = {**properties, "group_id": group_id}
    original = get("timestamp")
    if original is None:
        original = get("originalTimestamp")
    timestamp, said = _corrected(original, get("sentAt"), None, batch)
    if said is not None:
        properties = {**properties, "original_timestamp": said}
    page = context.get("page")
    if type(page) is not dict or not page:
        page = properties if kind == "page" else _EMPTY
    campaign = context.get("campaign")
    utm = _utm(campaign) if type(campaign) is dict and campaign else _NO_UTM
    device = context.get("device")
    device_type = device.get("type") if type(device) is dict else ""
    os = context.get("os")
    os_name = os.get("name") if type(os) is dict else ""
    app = context.get("app")
    app_version = app.get("version") if type(app) is dict else ""
    url = page.get("url")
    path = page.get("path")
    referrer = page.get("referrer")
    title = page.get("title")
    locale = context.get("locale")
    ip = context.get("ip")
    user_agent = context.get("userAgent")
    return {
        "workspace_id": batch.workspace_id,
        "source_id": batch.source_id,
        "message_id": message_id,
        "type": kind,
        "event": event,
        "name": name,
        "anonymous_id": anonymous_id,
        "user_id": user_id,
        "distinct_id": user_id or anonymous_id,
        "person_id": 0,
        "timestamp": timestamp,
        "received_at": batch.received_iso,
        "url": url if type(url) is str else _text(url),
        "path": path if type(path) is str else _text(path),
        "referrer": referrer if type(referrer) is str else _text(referrer),
        "title": title if type(title) is str else _text(title),
        "utm_source": utm[0],
        "utm_medium": utm[1],
        "utm_campaign": utm[2],
        "utm_term": utm[3],
        "utm_content": utm[4],
        "device_type": device_type if type(device_type) is str else _text(device_type),
        "os": os_name if type(os_name) is str else _text(os_name),
        "app_version": app_version if type(app_version) is str else _text(app_version),
        "locale": locale if type(locale) is str else _text(locale),
        "ip": ip if type(ip) is str and ip else _text(ip) or batch.ip,
        "user_agent": user_agent if type(user_agent) is str else _text(user_agent),
        "properties": orjson.dumps(properties).decode(),
        "traits": orjson.dumps(traits).decode() if traits else "{}",
    }


_NO_UTM = ("", "", "", "", "")


def _utm(campaign: dict[str, Any]) -> tuple[str, str, str, str, str]:
    """context.campaign's source, medium, name, term and content."""
    values = (
        campaign.get("source"),
        campaign.get("medium"),
        campaign.get("name"),
        campaign.get("term"),
        campaign.get("content"),
    )
    if all(type(value) is str or value is None for value in values):
        return tuple(value or "" for value in values)  # type: ignore[return-value]
    return tuple(_text(value) for value in values)  # type: ignore[return-value]


def _posthog_row(msg: Any, _call: str, batch: _Batch) -> dict[str, Any]:
    if not isinstance(msg, dict):
        raise _invalid(gettext_noop("An event must be a JSON object."))
    event = msg.get("event")
    if not isinstance(event, str) or not event.strip():
        raise _invalid(gettext_noop("An event needs an event name."))
    if len(event) > MAX_NAME_LENGTH:
        raise _invalid(
            gettext_noop("The event name may be at most %(max)s characters."),
            max=MAX_NAME_LENGTH,
        )
    properties = _object(msg.get("properties"), "properties")
    distinct = _id(msg.get("distinct_id"), "distinct_id") or _id(
        properties.get("distinct_id"), "distinct_id"
    )
    if not distinct:
        raise _invalid(gettext_noop("An event needs a distinct_id."))
    set_ = msg.get("$set")
    if set_ is None:
        set_ = properties.get("$set")
    traits = _object(set_, "$set")
    user_id, anonymous_id, name = distinct, "", ""
    kind = "track"
    if event == "$identify":
        kind = "identify"
        anonymous_id = _id(properties.get("$anon_distinct_id"), "$anon_distinct_id")
    elif event == "$create_alias":
        kind = "alias"
        user_id = _id(properties.get("alias"), "alias")
        if not user_id:
            raise _invalid(gettext_noop("A $create_alias event needs properties.alias."))
        properties = {**properties, "previous_id": distinct}
    else:
        if event == "$groupidentify":
            kind = "group"
            group_id = _id(properties.get("$group_key"), "$group_key")
            if not group_id:
                raise _invalid(gettext_noop("A $groupidentify event needs properties.$group_key."))
            group_type = _text(properties.get("$group_type"))
            properties = {**properties, "group_id": group_id, "group_type": group_type}
            traits = _object(properties.get("$group_set"), "$group_set")
        elif event in ("$set", "$set_once"):
            kind = "identify"
        elif event == "$pageview":
            kind = "page"
        elif event == "$screen":
            kind, name = "screen", _text(properties.get("$screen_name"))
        device_id = _id(properties.get("$device_id"), "$device_id")
        if (
            properties.get("$process_person_profile") is False
            or properties.get("$user_state") == "anonymous"
            or device_id == distinct
        ):
            user_id, anonymous_id = "", distinct
        elif device_id:
            anonymous_id = device_id
    offset = msg.get("offset")
    if offset is not None and (isinstance(offset, bool) or not isinstance(offset, (int, float))):
        raise _invalid(gettext_noop("offset must be a number of milliseconds."))
    timestamp, said = _corrected(msg.get("timestamp"), msg.get("sent_at"), offset, batch)
    if said is not None:
        properties = {**properties, "original_timestamp": said}
    referrer = _text(properties.get("$referrer"))
    return {
        "workspace_id": batch.workspace_id,
        "source_id": batch.source_id,
        "message_id": _id(msg.get("uuid"), "uuid") or str(uuid.uuid4()),
        "type": kind,
        "event": event if kind == "track" else CALL_EVENTS[kind],
        "name": name,
        "anonymous_id": anonymous_id,
        "user_id": user_id,
        "distinct_id": user_id or anonymous_id,
        "person_id": 0,
        "timestamp": timestamp,
        "received_at": batch.received_iso,
        "url": _text(properties.get("$current_url")),
        "path": _text(properties.get("$pathname")),
        "referrer": "" if referrer == "$direct" else referrer,
        "title": _text(properties.get("title")),
        "utm_source": _text(properties.get("utm_source")),
        "utm_medium": _text(properties.get("utm_medium")),
        "utm_campaign": _text(properties.get("utm_campaign")),
        "utm_term": _text(properties.get("utm_term")),
        "utm_content": _text(properties.get("utm_content")),
        "device_type": _text(properties.get("$device_type")),
        "os": _text(properties.get("$os")),
        "app_version": _text(properties.get("$app_version")),
        "locale": _text(properties.get("$locale") or properties.get("$browser_language")),
        "ip": _text(properties.get("$ip")) or batch.ip,
        "user_agent": _text(properties.get("$raw_user_agent")),
        "properties": orjson.dumps(properties).decode(),
        "traits": orjson.dumps(traits).decode(),
    }


# --- fields


def _id(value: Any, name: str) -> str:
    """An id: a string or a number (made a string); absent or empty is ""."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        if len(value) > MAX_ID_LENGTH:
            raise _invalid(
                gettext_noop("%(field)s may be at most %(max)s characters."),
                field=name,
                max=MAX_ID_LENGTH,
            )
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = str(value)
        if len(text) <= MAX_ID_LENGTH:
            return text
    raise _invalid(gettext_noop("%(field)s must be a string."), field=name)


def _object(value: Any, name: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _invalid(gettext_noop("%(field)s must be an object."), field=name)
    return value


def _text(value: Any) -> str:
    """A context field: strings as they are, numbers as text, anything else empty."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return ""


def _member(context: dict[str, Any], part: str, name: str) -> Any:
    inner = context.get(part)
    return inner.get(name) if isinstance(inner, dict) else None


def _parse_time(value: Any, name: str) -> dt.datetime:
    """An ISO 8601 time, with or without its zone (then UTC)."""
    if type(value) is str and 8 <= len(value) <= 64:
        try:
            # Python 3.10's fromisoformat does not read "Z".
            parsed = _fromisoformat(value[:-1] + "+00:00" if value[-1] in "Zz" else value)
        except ValueError:
            pass
        else:
            return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
        raise _invalid(
            gettext_noop("%(field)s is not an ISO 8601 time: %(value)s."),
            field=name,
            value=value[:64],
        )
    raise _invalid(gettext_noop("%(field)s must be an ISO 8601 time."), field=name)


_fromisoformat = dt.datetime.fromisoformat


def _corrected(
    original: Any, sent: Any, offset: float | None, batch: _Batch
) -> tuple[str, str | None]:
    """The event's time on the server's clock, as ISO 8601 UTC text, and, when that is
    more than FUTURE_LIMIT after the server's clock, the time it said (then it is stored
    at the time received instead, as PostHog does, and the batch counts a warning).

    A time before 1970 or after 2100 is refused, this event alone; so is one whose
    correction leaves the calendar (a year-1 time with a sentAt, say)."""
    if original is None:
        if offset is None:
            return batch.received_iso, None
        sent_time = None
    else:
        when = _parse_time(original, "timestamp")
        sent_time = _parse_time(sent, "sentAt") if sent is not None else None
    try:
        if original is None:
            when = batch.received_at - dt.timedelta(milliseconds=offset or 0)
        elif sent_time is not None:
            when = batch.received_at - (sent_time - when)
        elif batch.skew is not None:
            when = when + batch.skew
        if when.tzinfo is not UTC:
            when = when.astimezone(UTC)
    except (OverflowError, ValueError):
        raise _invalid(gettext_noop("timestamp is out of range.")) from None
    if not EARLIEST <= when < AFTER_LATEST:
        raise _invalid(
            gettext_noop(
                "timestamp %(value)s is outside the years 1970 to 2100 that events may have."
            ),
            value=when.isoformat(timespec="seconds"),
        )
    if when - batch.received_at > FUTURE_LIMIT:
        batch.future += 1
        return batch.received_iso, when.isoformat(timespec="microseconds")
    return when.isoformat(timespec="microseconds"), None


# --- the client's address


def _client_ip(remote_addr: str, forwarded_for: str) -> str:
    trusted = _trusted_proxies()
    if not trusted or not forwarded_for or not _in(remote_addr, trusted):
        return remote_addr
    # From the nearest hop back: the first address not one of ours is the client's.
    for hop in reversed(forwarded_for.split(",")):
        address = hop.strip()
        if address and not _in(address, trusted):
            return address[:64]
    return remote_addr


_proxies_seen: tuple[Any, tuple[Any, ...]] = ((), ())


def _trusted_proxies() -> tuple[Any, ...]:
    global _proxies_seen
    configured = getattr(settings, "EVENTS_TRUSTED_PROXIES", ())
    seen, networks = _proxies_seen
    if configured is seen or configured == seen:
        return networks
    parsed = []
    for entry in configured:
        try:
            parsed.append(ipaddress.ip_network(str(entry).strip(), strict=False))
        except ValueError:
            log.warning("EVENTS_TRUSTED_PROXIES: %r is not an address or network", entry)
    _proxies_seen = (configured, tuple(parsed))
    return _proxies_seen[1]


def _in(address: str, networks: tuple[Any, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)
