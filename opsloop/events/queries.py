"""Reads of sources, persons and events that pages and the API share, with access checks.

Sources and persons are rows in the workspace database; events are read from the event
store (opsloop/events/store/) through EventFilter, newest first."""

from __future__ import annotations

import csv
import json
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.db.models import Prefetch, Q, QuerySet, TextField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opsloop.core.errors import Forbidden, Invalid, NotFound
from opsloop.core.models import Membership, Role, User
from opsloop.core.paging import Paged, page_numbers
from opsloop.core.queries import access_workspace
from opsloop.events.models import Person, PersonId, Source, WriteKey
from opsloop.events.store import EventFilter, get_store

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
LIVE_LIMIT = 50
MAX_Q = 200
MAX_TRAIT_FILTERS = 10
# Trait keys as products name them: letters (any script), digits, _ $ . - and spaces.
TRAIT_KEY = re.compile(r"^[\w$.\- ]{1,64}$")
EXPORT_FORMATS = ("parquet", "csv")
EXPORT_KINDS = ("events", "persons")


# --- who may do what


def check_sees_events(membership: Membership) -> None:
    if not membership.at_least(Role.MEMBER):
        raise Forbidden(_("Guests cannot see the workspace's users and events."))


def access_events(user: User, slug: str) -> Membership:
    """The caller's membership, if their role may see sources, persons and events."""
    membership = access_workspace(user, slug)
    check_sees_events(membership)
    return membership


def can_manage_sources(membership: Membership) -> bool:
    return membership.at_least(Role.ADMIN)


def check_manages_sources(membership: Membership) -> None:
    if not can_manage_sources(membership):
        raise Forbidden(_("Only owners and admins manage sources and their write keys."))


def check_admin_data(membership: Membership, what: str) -> None:
    """Exports and deleting a person's data: owners and admins only."""
    if not membership.at_least(Role.ADMIN):
        if what == "export":
            raise Forbidden(_("Only owners and admins can export events and users."))
        raise Forbidden(_("Only owners and admins can delete a user and their events."))


# --- sources


def list_sources(workspace_id: int, *, with_keys: bool = False) -> list[Source]:
    """The workspace's sources by name; with their keys (newest first) for admins."""
    sources = Source.objects.filter(workspace_id=workspace_id).order_by("name", "pk")
    if with_keys:
        sources = sources.prefetch_related(
            Prefetch("keys", queryset=WriteKey.objects.order_by("-created_at", "-pk"))
        )
    out = list(sources)
    for source in out:
        source.key_list = _keys(source.keys.all()) if with_keys else None  # type: ignore[attr-defined]
    return out


def _keys(keys: Iterable[WriteKey]) -> list[WriteKey]:
    out = list(keys)
    for key in out:
        key.active = key.revoked_at is None  # type: ignore[attr-defined]
    return out


def get_source(workspace_id: int, source_id: int) -> Source:
    source = Source.objects.filter(workspace_id=workspace_id, pk=source_id).first()
    if source is None:
        raise NotFound(_("Source not found."))
    return source


def source_keys(source: Source) -> list[WriteKey]:
    return _keys(WriteKey.objects.filter(source=source).order_by("-created_at", "-pk"))


def get_key(source: Source, key_id: int) -> WriteKey:
    key = WriteKey.objects.filter(source=source, pk=key_id).first()
    if key is None:
        raise NotFound(_("Write key not found."))
    key.active = key.revoked_at is None  # type: ignore[attr-defined]
    return key


def site_url() -> str:
    return settings.SITE_URL


def integration_snippets(write_key: str = "<WRITE_KEY>") -> dict[str, str]:
    """How to point the ordinary client libraries at this install: code shown in the
    sources page's <pre> blocks, never run there."""
    host = site_url()
    parts = urlsplit(host)
    # analytics.js takes a host without its scheme and adds /t, /i, /p... (/b batched).
    segment_host = f"{parts.netloc}{parts.path}/v1"
    segment_protocol = parts.scheme or "https"
    return {
        "segment": (
            "# pip install segment-analytics-python\n"
            "import segment.analytics as analytics\n\n"
            f'analytics.write_key = "{write_key}"\n'
            f'analytics.host = "{host}"\n\n'
            'analytics.identify("u1001", {"name": "王小明", "city": "上海"})\n'
            'analytics.track("u1001", "order_paid", {"amount": 199, "currency": "CNY"})\n'
            "analytics.flush()\n"
        ),
        "posthog": (
            "# pip install posthog\n"
            "from posthog import Posthog\n\n"
            f'posthog = Posthog("{write_key}", host="{host}")\n\n'
            'posthog.capture("order_paid", distinct_id="u1001", properties={"amount": 199})\n'
            "posthog.flush()\n"
        ),
        "posthog_js": (
            "// npm install posthog-js\n"
            'import posthog from "posthog-js";\n\n'
            f'posthog.init("{write_key}", {{\n'
            f'  api_host: "{host}",\n'
            "  advanced_disable_decide: true,\n"
            "  disable_session_recording: true,\n"
            "  disable_surveys: true,\n"
            "});\n\n"
            'posthog.identify("u1001", { name: "王小明", city: "上海" });\n'
            'posthog.capture("order_paid", { amount: 199, currency: "CNY" });\n'
        ),
        "segment_js": (
            "// npm install @segment/analytics-next\n"
            'import { AnalyticsBrowser } from "@segment/analytics-next";\n\n'
            "export const analytics = AnalyticsBrowser.load(\n"
            "  {\n"
            f'    writeKey: "{write_key}",\n'
            f'    cdnSettings: {{ integrations: {{ "Segment.io": {{ apiKey: "{write_key}" }} }} }},\n'
            "  },\n"
            "  {\n"
            "    integrations: {\n"
            f'      "Segment.io": {{ apiHost: "{segment_host}", protocol: "{segment_protocol}" }},\n'
            "    },\n"
            "  },\n"
            ");\n\n"
            'analytics.identify("u1001", { name: "王小明", city: "上海" });\n'
            'analytics.track("order_paid", { amount: 199, currency: "CNY" });\n'
        ),
        "miniprogram": (
            "// app.js\n"
            f'const OPSLOOP = "{host}";\n'
            f'const WRITE_KEY = "{write_key}";\n\n'
            "function anonymousId() {\n"
            '  let id = wx.getStorageSync("opsloop_anonymous_id");\n'
            "  if (!id) {\n"
            "    id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;\n"
            '    wx.setStorageSync("opsloop_anonymous_id", id);\n'
            "  }\n"
            "  return id;\n"
            "}\n\n"
            'function track(event, properties = {}, userId = "") {\n'
            "  const now = new Date().toISOString();\n"
            "  const message = {\n"
            '    type: "track",\n'
            "    event,\n"
            "    properties,\n"
            "    anonymousId: anonymousId(),\n"
            "    messageId: `${anonymousId()}-${Date.now()}-${Math.random().toString(36).slice(2)}`,\n"
            "    timestamp: now,\n"
            "  };\n"
            "  if (userId) message.userId = userId;\n"
            "  wx.request({\n"
            "    url: `${OPSLOOP}/v1/batch`,\n"
            '    method: "POST",\n'
            "    data: { writeKey: WRITE_KEY, sentAt: now, batch: [message] },\n"
            "  });\n"
            "}\n\n"
            'track("app_open", { scene: wx.getLaunchOptionsSync().scene });\n'
        ),
        "curl": (
            f"curl {host}/v1/track -u '{write_key}:' \\\n"
            "  -H 'Content-Type: application/json' \\\n"
            '  -d \'{"userId": "u1001", "event": "app_open"}\''
        ),
    }


# The snippets a source of each kind is shown first (the others stay a click away): the
# JavaScript libraries in a browser, a mini-program's own request API, the Python ones
# on a server. Apps' native SDKs take the same host and key.
SNIPPETS_BY_KIND: dict[str, tuple[str, ...]] = {
    "web": ("posthog_js", "segment_js"),
    "miniprogram": ("miniprogram",),
    "server": ("segment", "posthog"),
    "ios": ("segment", "posthog"),
    "android": ("segment", "posthog"),
}


SNIPPET_NAMES = ("posthog_js", "segment_js", "miniprogram", "segment", "posthog")


def snippets_first(kinds: Iterable[str]) -> list[str]:
    """The names of the snippets to show first for sources of these kinds (all the
    Python and JavaScript ones when there is no source yet); curl is always shown."""
    kinds = set(kinds) or set(SNIPPETS_BY_KIND)
    return [
        name
        for name in SNIPPET_NAMES
        if any(name in SNIPPETS_BY_KIND.get(kind, ()) for kind in kinds)
    ]


# --- pages of results


@dataclass
class Page(Paged):
    """One page of a list: its rows and where it is among the others."""

    items: list[Any]
    total: int
    page: int
    per_page: int


def parse_page(params: Mapping[str, Any]) -> tuple[int, int]:
    return page_numbers(
        params.get("page"), params.get("per_page"), default=DEFAULT_PER_PAGE, maximum=MAX_PER_PAGE
    )


def _values(params: Mapping[str, Any], name: str) -> list[str]:
    """A parameter given once, repeated, or comma-separated (a QueryDict or a dict)."""
    getlist = getattr(params, "getlist", None)
    raw = getlist(name) if getlist else params.get(name)
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = [raw]
    out: list[str] = []
    for value in raw:
        out.extend(part.strip() for part in str(value).split(",") if part.strip())
    return out


# --- persons


@dataclass(frozen=True)
class TraitFilter:
    """A trait equal to a value, or (value None) a trait that is set."""

    key: str
    value: str | None = None

    @property
    def text(self) -> str:
        return self.key if self.value is None else f"{self.key}={self.value}"


@dataclass(frozen=True)
class PersonFilters:
    q: str = ""
    traits: tuple[TraitFilter, ...] = ()
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @property
    def active(self) -> bool:
        return bool(self.q or self.traits)


def parse_trait(text: str) -> TraitFilter:
    key, sep, value = text.partition("=")
    key = key.strip()
    if not TRAIT_KEY.match(key):
        raise Invalid(
            _(
                "A trait filter is key=value or key (the trait is set); %(text)s is not. Keys "
                "are at most 64 letters, digits, spaces and _ $ . -"
            )
            % {"text": text},
            field="trait",
        )
    if not sep:
        return TraitFilter(key)
    value = value.strip()
    if len(value) > MAX_Q:
        raise Invalid(_("A trait value is at most 200 characters."), field="trait")
    return TraitFilter(key, value)


def parse_person_filters(params: Mapping[str, Any]) -> PersonFilters:
    """q (user id, distinct id or trait text), trait=key=value or trait=key, page, per_page."""
    q = str(params.get("q") or "").strip()
    if len(q) > MAX_Q:
        raise Invalid(_("The search text is too long (at most 200 characters)."), field="q")
    getlist = getattr(params, "getlist", None)
    raw = getlist("trait") if getlist else params.get("trait") or []
    if isinstance(raw, str):
        raw = [raw]
    texts = [str(t) for t in raw if str(t).strip()]
    if len(texts) > MAX_TRAIT_FILTERS:
        raise Invalid(
            _("At most %(max)d trait filters.") % {"max": MAX_TRAIT_FILTERS}, field="trait"
        )
    page, per_page = parse_page(params)
    return PersonFilters(
        q=q, traits=tuple(parse_trait(t) for t in texts), page=page, per_page=per_page
    )


def filter_persons(workspace_id: int, filters: PersonFilters) -> QuerySet[Person]:
    persons = Person.objects.filter(workspace_id=workspace_id, merged_into__isnull=True)
    if filters.q:
        q = filters.q
        # SQLite keeps JSON with non-ASCII text escaped (\u4e0a); search that form too.
        escaped = json.dumps(q)[1:-1]
        ids = PersonId.objects.filter(workspace_id=workspace_id, distinct_id__icontains=q)
        persons = persons.annotate(traits_text=Cast("traits", TextField())).filter(
            Q(user_id__icontains=q)
            | Q(pk__in=ids.values("person_id"))
            | Q(traits_text__icontains=q)
            | Q(traits_text__icontains=escaped)
        )
    for i, trait in enumerate(filters.traits):
        if trait.value is None:
            persons = persons.filter(traits__has_key=trait.key)
            continue
        name = f"trait_{i}"
        # Through KeyTextTransform, so a key holding "__" is not read as a path; as text,
        # so a number matches its digits on SQLite (a number there) and PostgreSQL (text).
        persons = persons.annotate(
            **{name: Cast(KeyTextTransform(trait.key, "traits"), TextField())}
        ).filter(**{name: trait.value})
    return persons


def list_persons(workspace_id: int, filters: PersonFilters) -> Page:
    """Persons by last seen, newest first, with their distinct ids: three queries."""
    persons = filter_persons(workspace_id, filters)
    total = persons.count()
    page = Page([], total, filters.page, filters.per_page)
    rows = list(
        persons.order_by("-last_seen", "-pk").prefetch_related("ids")[
            page.offset : page.offset + page.per_page
        ]
    )
    page.items = [_with_ids(person) for person in rows]
    return page


def persons_by_ids(workspace_id: int, person_ids: list[int]) -> list[Person]:
    """These persons of the workspace, with their distinct ids, in the order given; ids
    that are not (or no longer) persons of it are left out. Two queries."""
    found = {
        person.pk: person
        for person in Person.objects.filter(
            workspace_id=workspace_id, pk__in=person_ids
        ).prefetch_related("ids")
    }
    return [_with_ids(found[pk]) for pk in person_ids if pk in found]


def _with_ids(person: Person) -> Person:
    person.distinct_ids = sorted(p.distinct_id for p in person.ids.all())  # type: ignore[attr-defined]
    return person


def get_person(workspace_id: int, person_id: int) -> Person:
    """A person by id; one merged into another is that other (their events are theirs)."""
    from opsloop.events import identity

    person = Person.objects.filter(workspace_id=workspace_id, pk=person_id).first()
    if person is not None and person.merged_into_id is not None:
        survivor = identity.surviving_person_ids([person.pk])[person.pk]
        person = Person.objects.filter(workspace_id=workspace_id, pk=survivor).first()
    if person is None:
        raise NotFound(_("User not found."))
    person.distinct_ids = sorted(  # type: ignore[attr-defined]
        PersonId.objects.filter(workspace_id=workspace_id, person__in=person_ids_of(person))
        .values_list("distinct_id", flat=True)
        .distinct()
    )
    return person


def person_ids_of(person: Person) -> tuple[int, ...]:
    """The person ids events of this person may carry (theirs and those merged into them,
    transitively)."""
    from opsloop.events import identity

    return tuple(identity.person_ids_of(person))


def persons_by_id(workspace_id: int, ids: Iterable[int]) -> dict[int, Person]:
    """Persons of events by the ids the events carry; a merged one maps to whom it was
    merged into. A query per step of the merge chains, then one for the persons."""
    from opsloop.events import identity

    survivors = identity.surviving_person_ids({i for i in ids if i})
    found = {
        p.pk: p
        for p in Person.objects.filter(workspace_id=workspace_id, pk__in=set(survivors.values()))
    }
    return {pk: found[to] for pk, to in survivors.items() if to in found}


# --- events


def parse_time(value: str | None, name: str) -> datetime | None:
    """An ISO 8601 date or date-time; without a zone it is in the install's time zone."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    try:
        # Python 3.11 reads "Z", offsets, dates alone and "2026-11-11 08:00".
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Invalid(
            _(
                "%(name)s must be an ISO 8601 date or date-time, like 2026-11-11 or "
                "2026-11-11T08:00:00+08:00; %(value)s is not."
            )
            % {"name": name, "value": text[:50]},
            field=name,
        ) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


@dataclass(frozen=True)
class EventQuery:
    """The events a list asks for, and which page."""

    where: EventFilter
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    person: Person | None = None
    source: Source | None = None
    event_names: tuple[str, ...] = field(default=())

    @property
    def active(self) -> bool:
        return bool(self.person or self.source or self.event_names)


def parse_event_filters(workspace_id: int, params: Mapping[str, Any]) -> EventQuery:
    """event (names, repeated or comma-separated), person (an id), distinct_id, source (an
    id), since and until (ISO 8601; until exclusive), page and per_page."""
    names = tuple(dict.fromkeys(_values(params, "event")))
    if len(names) > 20 or any(len(n) > 200 for n in names):
        raise Invalid(_("At most 20 event names of at most 200 characters."), field="event")
    person = None
    person_ids: tuple[int, ...] = ()
    raw_person = str(params.get("person") or "").strip()
    if raw_person:
        try:
            person = get_person(workspace_id, int(raw_person))
        except (ValueError, NotFound):
            raise Invalid(
                _("Unknown user %(value)s.") % {"value": raw_person[:50]}, field="person"
            ) from None
        person_ids = person_ids_of(person)
    distinct_ids = tuple(_values(params, "distinct_id"))[:20]
    source = None
    raw_source = str(params.get("source") or "").strip()
    if raw_source:
        try:
            source = get_source(workspace_id, int(raw_source))
        except (ValueError, NotFound):
            raise Invalid(
                _("Unknown source %(value)s.") % {"value": raw_source[:50]}, field="source"
            ) from None
    since = parse_time(params.get("since"), "since")
    until = parse_time(params.get("until"), "until")
    if since and until and since >= until:
        raise Invalid(_("since must be before until."), field="since")
    page, per_page = parse_page(params)
    where = EventFilter(
        workspace_id=workspace_id,
        events=names,
        person_ids=person_ids,
        source_id=source.pk if source else None,
        since=since,
        until=until,
        distinct_ids=distinct_ids,
    )
    return EventQuery(
        where=where,
        page=page,
        per_page=per_page,
        person=person,
        source=source,
        event_names=names,
    )


def list_events(query: EventQuery) -> Page:
    """A page of events, newest first, with the total over all pages."""
    store = get_store()
    total = store.count_events(query.where)
    page = Page([], total, query.page, query.per_page)
    if total > page.offset:
        page.items = store.list_events(query.where, limit=page.per_page, offset=page.offset)
    return page


def latest_events(where: EventFilter, limit: int = LIVE_LIMIT) -> list[dict[str, Any]]:
    return get_store().list_events(where, limit=limit)


def person_events(person: Person, params: Mapping[str, Any]) -> Page:
    """A person's events (theirs and those of the persons merged into them), newest first."""
    page, per_page = parse_page(params)
    where = EventFilter(workspace_id=person.workspace_id, person_ids=person_ids_of(person))
    return list_events(EventQuery(where=where, page=page, per_page=per_page))


@dataclass(frozen=True)
class EventRow:
    """An event as a page lists it: the stored row with its person and source."""

    row: dict[str, Any]
    person: Person | None
    source: Source | None

    @property
    def what(self) -> str:
        """The page or screen: its name, else its path or URL."""
        for key in ("name", "path", "url", "title"):
            if self.row.get(key):
                return str(self.row[key])
        return ""


def event_rows(workspace_id: int, rows: list[dict[str, Any]]) -> list[EventRow]:
    """Rows with their persons and sources: two or three queries whatever their number."""
    persons = persons_by_id(workspace_id, (r.get("person_id") or 0 for r in rows))
    sources = {s.pk: s for s in Source.objects.filter(workspace_id=workspace_id)}
    return [
        EventRow(
            row, persons.get(row.get("person_id") or 0), sources.get(row.get("source_id") or 0)
        )
        for row in rows
    ]


def event_names(workspace_id: int, limit: int = 5000) -> list[str]:
    """Names of recent events, for the filter's suggestions (the latest `limit` events)."""
    rows = get_store().list_events(EventFilter(workspace_id=workspace_id), limit=limit)
    return sorted({str(r.get("event") or "") for r in rows} - {""})


# --- exports


@dataclass(frozen=True)
class ExportRequest:
    """What to export: events or persons, as parquet or csv, between since and until."""

    kind: str
    fmt: str
    since: datetime | None
    until: datetime | None

    @property
    def filename(self) -> str:
        def day(moment: datetime | None) -> str:
            return timezone.localtime(moment).strftime("%Y%m%d") if moment else ""

        span = "-".join(part for part in (day(self.since), day(self.until)) if part)
        return f"{self.kind}{'-' + span if span else ''}.{self.fmt}"

    def as_params(self) -> dict[str, str]:
        return {
            "what": self.kind,
            "format": self.fmt,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
        }


def parse_export(params: Mapping[str, Any]) -> ExportRequest:
    """what (events or persons), format (parquet or csv), since and until; a date `to`
    (a form's last day, included) may stand for until."""
    kind = str(params.get("what") or "events")
    if kind not in EXPORT_KINDS:
        raise Invalid(_("what is events or persons."), field="what")
    fmt = str(params.get("format") or "parquet")
    if fmt not in EXPORT_FORMATS:
        raise Invalid(_("format is parquet or csv."), field="format")
    since = parse_time(params.get("since") or params.get("from"), "since")
    until = parse_time(params.get("until"), "until")
    last_day = params.get("to")
    if until is None and last_day:
        day = parse_time(last_day, "to")
        assert day is not None
        until = day + timedelta(days=1)
    if since and until and since >= until:
        raise Invalid(_("since must be before until."), field="since")
    return ExportRequest(kind=kind, fmt=fmt, since=since, until=until)


def export_dir() -> Path:
    path = Path(settings.DATA_DIR) / "events" / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_export(workspace_id: int, request: ExportRequest) -> tuple[Path, int]:
    """Write the export to a new file under the data dir; (its path, the rows written).
    The caller removes the file once sent."""
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed at once; the path is kept)
        dir=export_dir(), prefix=f"{workspace_id}-", suffix=f".{request.fmt}", delete=False
    )
    handle.close()
    path = Path(handle.name)
    try:
        if request.kind == "events":
            where = EventFilter(workspace_id=workspace_id, since=request.since, until=request.until)
            rows = get_store().export(where, path, request.fmt)
        else:
            rows = _export_persons(workspace_id, request, path)
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return path, rows


PERSON_COLUMNS = ("id", "user_id", "distinct_ids", "first_seen", "last_seen", "traits")


def export_persons_queryset(workspace_id: int, request: ExportRequest) -> QuerySet[Person]:
    """Persons seen in the range: first seen before its end and last seen after its start."""
    persons = Person.objects.filter(workspace_id=workspace_id, merged_into__isnull=True)
    if request.since:
        persons = persons.filter(last_seen__gte=request.since)
    if request.until:
        persons = persons.filter(first_seen__lt=request.until)
    return persons.order_by("pk")


def _export_persons(workspace_id: int, request: ExportRequest, path: Path) -> int:
    persons = export_persons_queryset(workspace_id, request)
    ids: dict[int, list[str]] = {}
    for person_id, distinct_id in PersonId.objects.filter(
        workspace_id=workspace_id, person__in=persons
    ).values_list("person_id", "distinct_id"):
        ids.setdefault(person_id, []).append(distinct_id)
    columns: dict[str, list[Any]] = {name: [] for name in PERSON_COLUMNS}
    for person in persons.iterator(chunk_size=2000):
        columns["id"].append(person.pk)
        columns["user_id"].append(person.user_id)
        columns["distinct_ids"].append(" ".join(sorted(ids.get(person.pk, []))))
        columns["first_seen"].append(person.first_seen)
        columns["last_seen"].append(person.last_seen)
        columns["traits"].append(json.dumps(person.traits or {}, ensure_ascii=False))
    count = len(columns["id"])
    if request.fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.table(
            {
                "id": pa.array(columns["id"], pa.int64()),
                "user_id": pa.array(columns["user_id"], pa.string()),
                "distinct_ids": pa.array(columns["distinct_ids"], pa.string()),
                "first_seen": pa.array(columns["first_seen"], pa.timestamp("us", "UTC")),
                "last_seen": pa.array(columns["last_seen"], pa.timestamp("us", "UTC")),
                "traits": pa.array(columns["traits"], pa.string()),
            }
        )
        pq.write_table(table, path)
    else:
        with open(path, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(PERSON_COLUMNS)
            for i in range(count):
                writer.writerow(
                    [
                        columns["id"][i],
                        columns["user_id"][i],
                        columns["distinct_ids"][i],
                        columns["first_seen"][i].isoformat(),
                        columns["last_seen"][i].isoformat(),
                        columns["traits"][i],
                    ]
                )
    return count


SIGNED_SALT = "opsloop.events.export"
# Long enough to start a download, short enough that a leaked URL is soon worthless.
SIGNED_MAX_AGE = 300


def signed_export_path(membership: Membership, request: ExportRequest) -> str:
    """A URL that serves this export for a few minutes, for an API client that has just
    passed the permission check (as files' signed downloads do)."""
    token = signing.dumps(
        {"w": membership.workspace_id, "u": membership.user_id, **request.as_params()},
        salt=SIGNED_SALT,
        compress=True,
    )
    return reverse("events_export_signed", args=[token])


def export_from_signed(token: str, max_age: int = SIGNED_MAX_AGE) -> tuple[int, ExportRequest]:
    """The workspace and export a signed URL stands for, if its maker may still export."""
    try:
        data = signing.loads(token, salt=SIGNED_SALT, max_age=max_age)
        workspace_id, user_id = int(data["w"]), int(data["u"])
        request = parse_export(data)
    except (signing.BadSignature, KeyError, TypeError, ValueError, Invalid):
        raise NotFound(_("This download link has expired.")) from None
    membership = Membership.objects.filter(workspace_id=workspace_id, user_id=user_id).first()
    if membership is None or not membership.at_least(Role.ADMIN):
        raise NotFound(_("This download link has expired."))
    return workspace_id, request
