"""Who sent each event: distinct ids to persons, and the merges identify and alias make.

The flusher calls `resolve_persons(rows)` once per batch: it loads the persons of every
distinct id the batch names in a few bulk queries, replays the batch in timestamp order in
memory, writes what changed in one transaction, and sets each row's person_id.

Rules (docs/decisions/0016-event-store.md), as PostHog has them:
- A distinct id seen for the first time gets a person of its own; first_seen and
  last_seen are the earliest and latest timestamps of its events.
- identify (user_id U, anonymous_id A): A's person merges into U's, unless A's person is
  already identified (has a user_id): an identified person is never merged by identify,
  so a shared device signing into a second account does not fold two users together; U
  then gets a person of its own.
- alias (properties.previous_id P, user_id U, else the row's distinct_id): P's person
  merges into U's, unless both are identified persons.
- A merge keeps the user's person (the target; a person already in the database rather
  than one this batch would create, when only one of them is), moves the other's
  distinct ids to it, sets its merged_into, keeps the earlier first_seen and the later
  last_seen, and merges traits key by key, the trait set by the later event winning.
- Events flushed earlier keep the person_id they were stored with; reads match every id
  `person_ids_of` returns.

The long-lived flusher passes a PersonCache: what it knows of the persons it wrote or
read (distinct id -> person, and each person's user_id, first_seen and stored last_seen,
never traits), so a pass reads from the database only the ids it has not met lately.
Traits are read only for the persons an identify or alias of the batch may change. The
cache is right only while the flusher is the only writer of persons: every other writer
goes through flusher.persons_changing(), which the flusher checks before each pass and
which clears the cache.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson
from django.db import connections, router, transaction
from django.db.models import Case, Field, Value, When

from opsloop.events.models import Person, PersonId

CHUNK = 500  # ids per IN (...), below every database's limit on parameters
# How far behind its latest event a person's last_seen may be (docs/events.md).
LAST_SEEN_STEP = dt.timedelta(minutes=5)
# Distinct ids (and as many persons) the flusher's cache keeps, those kept longest going
# first when more come: some 500 bytes an id with its person, 100 MB in all.
PERSON_CACHE_SIZE = 200_000


@dataclass(frozen=True, slots=True)
class _Known:
    """A person as the database holds it, but for traits."""

    user_id: str
    first_seen: dt.datetime
    last_seen: dt.datetime


class PersonCache:
    """Distinct ids to persons, and persons' user_id, first_seen and last_seen, as the
    flusher last wrote or read them from the database; at most `size` of each, the
    longest kept going first when more come.

    A person's state is kept once, by pk, so every id of it sees the same; an id whose
    person is not (or no longer) kept is read from the database again. Right only while
    nothing else writes persons, or what else does clears it (flusher.persons_changing)."""

    def __init__(self, size: int = PERSON_CACHE_SIZE) -> None:
        self.size = size
        self.ids: dict[tuple[int, str], int] = {}
        self.persons: dict[int, _Known] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def clear(self) -> None:
        self.ids.clear()
        self.persons.clear()

    def lookup(self, workspace_id: int, distinct_id: str) -> tuple[int, _Known] | None:
        pk = self.ids.get((workspace_id, distinct_id))
        if pk is None:
            return None
        known = self.persons.get(pk)
        return None if known is None else (pk, known)

    def remember(
        self, workspace_id: int, owners: dict[str, int], persons: dict[int, _Known]
    ) -> None:
        ids, kept = self.ids, self.persons
        for distinct_id, pk in owners.items():
            ids[(workspace_id, distinct_id)] = pk
        kept.update(persons)
        # Dicts keep their order of insertion: the first are those kept longest.
        mappings: tuple[dict[Any, Any], ...] = (ids, kept)
        for mapping in mappings:
            excess = len(mapping) - self.size
            if excess > 0:
                for key in list(itertools.islice(mapping, excess)):
                    del mapping[key]

    def forget_persons(self, pks: Iterable[int]) -> None:
        for pk in pks:
            self.persons.pop(pk, None)


@dataclass(eq=False, slots=True)
class _Node:
    """A person while a batch is replayed: one loaded from the database (or the cache)
    or a new one. A stored person's traits are read only when the batch may change them."""

    first_seen: dt.datetime
    last_seen: dt.datetime
    pk: int | None = None
    user_id: str = ""
    traits: dict[str, Any] = field(default_factory=dict)
    trait_times: dict[str, str] = field(default_factory=dict)
    new_ids: set[str] = field(default_factory=set)  # distinct ids to record for it
    parent: _Node | None = None  # merged into, in this batch
    absorbed: list[_Node] = field(default_factory=list)  # stored persons merged into it
    changed: bool = False
    # False for a stored person whose traits were not read: they must not be touched.
    has_traits: bool = True
    cached: bool = False  # as the cache knew it
    written: bool = False  # by this batch
    stored_last_seen: dt.datetime = field(init=False)

    def __post_init__(self) -> None:
        self.stored_last_seen = self.last_seen

    def traits_read(self) -> None:
        if not self.has_traits:
            # A bug, not bad input: _Batch.load reads the traits of every person that an
            # identify or alias of the batch names.
            raise RuntimeError(f"person {self.pk}: traits needed but not read")


class _Batch:
    """One workspace's part of a batch, replayed in memory."""

    def __init__(self, workspace_id: int, cache: PersonCache | None = None) -> None:
        self.workspace_id = workspace_id
        self.cache = cache
        self.owner: dict[str, _Node] = {}
        self.nodes: list[_Node] = []
        self.absorbed_pks: list[int] = []
        self.hits: set[str] = set()  # the distinct ids the cache answered for

    def load(self, distinct_ids: set[str], with_traits: set[str] | None = None) -> None:
        """The persons of these distinct ids, from the cache or the database; traits only
        for the persons of `with_traits` (all of them when None)."""
        nodes: dict[int, _Node] = {}
        missing: list[str] = []
        cache = self.cache
        if cache is not None and len(cache):
            for distinct_id in distinct_ids:
                hit = cache.lookup(self.workspace_id, distinct_id)
                if hit is None:
                    missing.append(distinct_id)
                    continue
                pk, known = hit
                self.hits.add(distinct_id)
                node = nodes.get(pk)
                if node is None:
                    node = nodes[pk] = _Node(
                        pk=pk,
                        user_id=known.user_id,
                        first_seen=known.first_seen,
                        last_seen=known.last_seen,
                        has_traits=False,
                        cached=True,
                    )
                    self.nodes.append(node)
                self.owner[distinct_id] = node
        else:
            missing = list(distinct_ids)
        if missing:
            self._read(missing, nodes)
        wanted_traits = {
            node.pk
            for node in self._with_ancestors(distinct_ids if with_traits is None else with_traits)
            if not node.has_traits and node.pk is not None
        }
        if wanted_traits:
            self._read_traits(wanted_traits, nodes)

    def _with_ancestors(self, distinct_ids: Iterable[str]) -> Iterable[_Node]:
        for distinct_id in distinct_ids:
            node = self.owner.get(distinct_id)
            while node is not None:
                yield node
                node = node.parent

    def _read_traits(self, pks: set[int], nodes: dict[int, _Node]) -> None:
        batch = sorted(pks)
        for start in range(0, len(batch), CHUNK):
            for pk, traits, times in Person.objects.filter(
                pk__in=batch[start : start + CHUNK]
            ).values_list("pk", "traits", "trait_times"):
                node = nodes[pk]
                node.traits = dict(traits or {})
                node.trait_times = dict(times or {})
                node.has_traits = True
        for pk in pks:
            # A person gone meanwhile has no traits to keep.
            nodes[pk].has_traits = True

    def _read(self, distinct_ids: list[str], nodes: dict[int, _Node]) -> None:
        ids = sorted(distinct_ids)
        owners: dict[str, int] = {}
        for start in range(0, len(ids), CHUNK):
            owners.update(
                PersonId.objects.filter(
                    workspace_id=self.workspace_id, distinct_id__in=ids[start : start + CHUNK]
                ).values_list("distinct_id", "person_id")
            )
        merged_into: dict[int, int | None] = {}
        wanted = {pk for pk in owners.values() if pk not in nodes}
        # A person's ids move to whoever it merges into, so merged_into is rarely met
        # here; follow it if it is (a merge made before ids were moved). Tuples, not
        # model instances: a busy pass loads tens of thousands of persons.
        while wanted:
            batch = sorted(wanted)
            wanted = set()
            for start in range(0, len(batch), CHUNK):
                found = Person.objects.filter(pk__in=batch[start : start + CHUNK]).values_list(
                    "pk", "user_id", "first_seen", "last_seen", "merged_into"
                )
                for pk, user_id, first_seen, last_seen, into in found:
                    nodes[pk] = _Node(
                        pk=pk,
                        user_id=user_id,
                        first_seen=first_seen,
                        last_seen=last_seen,
                        has_traits=False,
                    )
                    self.nodes.append(nodes[pk])
                    merged_into[pk] = into
                    if into and into not in nodes:
                        wanted.add(into)
        for pk, into in merged_into.items():
            if into in nodes:
                nodes[pk].parent = nodes[into]
        for distinct_id, pk in owners.items():
            if pk in nodes:  # else deleted between the two reads: a new person
                self.owner[distinct_id] = nodes[pk]

    def node(self, distinct_id: str, moment: dt.datetime) -> _Node:
        found = self.owner.get(distinct_id)
        if found is None:
            found = _Node(first_seen=moment, last_seen=moment, new_ids={distinct_id}, changed=True)
            self.owner[distinct_id] = found
            self.nodes.append(found)
        return _root(found)

    def seen(self, node: _Node, moment: dt.datetime) -> None:
        if moment < node.first_seen:
            node.first_seen, node.changed = moment, True
        if moment > node.last_seen:
            # A stored person's last_seen is written again only once it is LAST_SEEN_STEP
            # behind: otherwise every pass would rewrite every person active in it.
            if node.pk is None or moment - node.stored_last_seen >= LAST_SEEN_STEP:
                node.changed = True
            node.last_seen = moment

    def merge(self, source: _Node, target: _Node) -> None:
        if source is target:
            return
        survivor, other = target, source
        if target.pk is None and source.pk is not None:
            survivor, other = source, target
        survivor.traits_read()
        other.traits_read()
        other.parent = survivor
        survivor.changed = True
        survivor.new_ids |= other.new_ids
        other.new_ids = set()
        if other.pk is not None:
            survivor.absorbed.append(other)
        survivor.absorbed.extend(other.absorbed)
        other.absorbed = []
        survivor.user_id = survivor.user_id or other.user_id
        survivor.first_seen = min(survivor.first_seen, other.first_seen)
        survivor.last_seen = max(survivor.last_seen, other.last_seen)
        for key, value in other.traits.items():
            theirs = other.trait_times.get(key, "")
            if key not in survivor.traits or theirs > survivor.trait_times.get(key, ""):
                survivor.traits[key] = value
                survivor.trait_times[key] = theirs

    def set_traits(self, node: _Node, traits: dict[str, Any], moment: dt.datetime) -> None:
        node.traits_read()
        stamp = _stamp(moment)
        for key, value in traits.items():
            if stamp >= node.trait_times.get(key, ""):
                if node.traits.get(key) != value or node.trait_times.get(key) != stamp:
                    node.changed = True
                node.traits[key] = value
                node.trait_times[key] = stamp

    def replay(self, rows: list[dict[str, Any]], moments: list[dt.datetime]) -> None:
        if any(row.get("type") in ("identify", "alias") for row in rows):
            self._replay_in_order(rows, moments)
        else:
            self._replay_plain(rows, moments)

    def _replay_in_order(self, rows: list[dict[str, Any]], moments: list[dt.datetime]) -> None:
        order = sorted(range(len(rows)), key=moments.__getitem__)
        for index in order:
            row, moment = rows[index], moments[index]
            kind = row.get("type") or ""
            user_id = str(row.get("user_id") or "")
            distinct_id = str(row.get("distinct_id") or user_id or row.get("anonymous_id") or "")
            if not distinct_id:
                continue
            if kind == "identify" and user_id:
                anonymous_id = str(row.get("anonymous_id") or "")
                target = self.node(user_id, moment)
                if anonymous_id and anonymous_id != user_id:
                    source = self.node(anonymous_id, moment)
                    if not source.user_id:
                        self.merge(source, target)
            elif kind == "alias":
                previous_id = alias_previous_id(row)
                target_id = user_id or distinct_id
                if previous_id and previous_id != target_id:
                    source = self.node(previous_id, moment)
                    target = self.node(target_id, moment)
                    if not (source.user_id and target.user_id):
                        self.merge(source, target)
            person = self.node(distinct_id, moment)
            if user_id and distinct_id == user_id and not person.user_id:
                person.user_id, person.changed = user_id, True
            self.seen(person, moment)
            # Only an identify's traits are the person's (a group's are the group's).
            traits = _json(row.get("traits")) if kind == "identify" else {}
            if traits:
                self.set_traits(person, traits, moment)

    def _replay_plain(self, rows: list[dict[str, Any]], moments: list[dt.datetime]) -> None:
        """replay() of rows with no identify or alias, which merge no one and set no
        traits: each distinct id's person sees only the first and the last of its
        moments, in any order, to the same effect (seen() keeps the earliest and latest,
        and marks a stored person changed on the latest alone)."""
        spans: dict[str, list[Any]] = {}
        for row, moment in zip(rows, moments, strict=True):
            user_id = str(row.get("user_id") or "")
            distinct_id = str(row.get("distinct_id") or user_id or row.get("anonymous_id") or "")
            if not distinct_id:
                continue
            span = spans.get(distinct_id)
            if span is None:
                spans[distinct_id] = [moment, moment, bool(user_id) and user_id == distinct_id]
                continue
            if moment < span[0]:
                span[0] = moment
            elif moment > span[1]:
                span[1] = moment
            if not span[2] and user_id and user_id == distinct_id:
                span[2] = True
        for distinct_id, (first, last, named) in spans.items():
            person = self.node(distinct_id, first)
            if named and not person.user_id:
                person.user_id, person.changed = distinct_id, True
            self.seen(person, first)
            self.seen(person, last)

    @transaction.atomic
    def save(self) -> None:
        roots = {id(node): node for node in (_root(node) for node in self.nodes)}.values()
        created = [node for node in roots if node.pk is None]
        persons = Person.objects.bulk_create(
            [
                Person(
                    workspace_id=self.workspace_id,
                    user_id=node.user_id,
                    traits=node.traits,
                    trait_times=node.trait_times,
                    first_seen=node.first_seen,
                    last_seen=node.last_seen,
                )
                for node in created
            ]
        )
        for node, person in zip(created, persons, strict=True):
            node.pk = person.pk
            node.stored_last_seen = node.last_seen
            node.written = True
            node.changed = False
        changed = [node for node in roots if node.changed and node.pk is not None]
        merged: list[Person] = []
        for root in roots:
            for other in root.absorbed:
                merged.append(Person(pk=other.pk, merged_into_id=root.pk))
        for with_traits in (True, False):
            part = [node for node in changed if node.has_traits is with_traits]
            if not part:
                continue
            fields = ["user_id", "first_seen", "last_seen"]
            if with_traits:
                fields += ["traits", "trait_times"]
            _update_each(
                [
                    Person(
                        pk=node.pk,
                        user_id=node.user_id,
                        traits=node.traits,
                        trait_times=node.trait_times,
                        first_seen=node.first_seen,
                        last_seen=node.last_seen,
                    )
                    for node in part
                ],
                fields,
            )
        self.absorbed_pks = [int(person.pk) for person in merged]
        if merged:
            Person.objects.bulk_update(merged, ["merged_into"], batch_size=CHUNK)
            into = {person.pk: person.merged_into_id for person in merged}
            gone = sorted(into)
            for start in range(0, len(gone), CHUNK):
                pks = gone[start : start + CHUNK]
                PersonId.objects.filter(person_id__in=pks).update(
                    person_id=Case(*[When(person_id=pk, then=Value(into[pk])) for pk in pks])
                )
                # Keep merges one step deep, so person_ids_of stays a query or two.
                Person.objects.filter(merged_into_id__in=pks).update(
                    merged_into_id=Case(
                        *[When(merged_into_id=pk, then=Value(into[pk])) for pk in pks]
                    )
                )
        PersonId.objects.bulk_create(
            [
                PersonId(
                    workspace_id=self.workspace_id, distinct_id=distinct_id, person_id=int(node.pk)
                )
                for node in roots
                if node.pk is not None and node.new_ids
                for distinct_id in sorted(node.new_ids)
            ],
            batch_size=CHUNK,
        )
        for node in roots:
            if node.changed:
                node.stored_last_seen = node.last_seen
                node.written = True
            node.new_ids = set()
            node.absorbed = []
            node.changed = False

    def remember(self) -> None:
        """Tell the cache what the database holds now of this batch's persons (save has
        committed): the ids' persons, and those persons as written or read. Ids and
        persons that came from the cache and are unchanged are left as they are."""
        if self.cache is None:
            return
        self.cache.forget_persons(self.absorbed_pks)
        owners: dict[str, int] = {}
        persons: dict[int, _Known] = {}
        for distinct_id, node in self.owner.items():
            root = node
            while root.parent is not None:
                root = root.parent
            pk = root.pk
            if pk is None or (root is node and not node.written and distinct_id in self.hits):
                continue
            owners[distinct_id] = pk
            if pk not in persons and (root.written or not root.cached):
                persons[pk] = _Known(root.user_id, root.first_seen, root.stored_last_seen)
        self.cache.remember(self.workspace_id, owners, persons)

    def person_of(self, distinct_id: str) -> int:
        node = self.owner.get(distinct_id)
        return (_root(node).pk or 0) if node else 0


def _update_each(persons: list[Person], fields: list[str]) -> None:
    """One UPDATE ... WHERE id = ? per person, sent with executemany. Django's bulk_update
    writes one CASE per field over every row of a chunk instead: at the tens of thousands
    of persons a busy pass touches, compiling those took seconds, and SQLite then ran
    each CASE against every row (docs/benchmarks.md, the flusher's figures)."""
    meta = Person._meta
    connection = connections[router.db_for_write(Person)]
    quote = connection.ops.quote_name
    columns = [column for name in fields if isinstance(column := meta.get_field(name), Field)]
    # Names from the model's own metadata, quoted; every value is a parameter.
    assignments = ", ".join(f"{quote(column.column or column.name)} = %s" for column in columns)
    where = quote(meta.pk.column or "id")
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {where} = %s"  # noqa: S608
    params = [
        [column.get_db_prep_save(getattr(person, column.attname), connection) for column in columns]
        + [person.pk]
        for person in persons
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(params), CHUNK):
            cursor.executemany(sql, params[start : start + CHUNK])


def resolve_persons(rows: list[dict[str, Any]], cache: PersonCache | None = None) -> None:
    """Give every row its person_id, creating and merging persons as the rows say. A few
    bulk queries per workspace in the batch (none for persons the cache knows); replaying
    the same rows again changes nothing. Should it fail, the cache is cleared: what was
    committed of the batch is then read again."""
    try:
        _resolve(rows, cache)
    except BaseException:
        if cache is not None:
            cache.clear()
        raise


def _resolve(rows: list[dict[str, Any]], cache: PersonCache | None) -> None:
    by_workspace: dict[int, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        by_workspace[int(row["workspace_id"])].append(index)
    for workspace_id, indexes in by_workspace.items():
        part = [rows[index] for index in indexes]
        moments = [_moment(row.get("timestamp")) for row in part]
        batch = _Batch(workspace_id, cache)
        batch.load(set(_named_ids(part)), set(_merging_ids(part)))
        batch.replay(part, moments)
        batch.save()
        batch.remember()
        for row in part:
            distinct_id = str(
                row.get("distinct_id") or row.get("user_id") or row.get("anonymous_id") or ""
            )
            row["person_id"] = batch.person_of(distinct_id) if distinct_id else 0


def person_ids_of(person: Person | int) -> list[int]:
    """The person's id and the ids of everyone merged into it, transitively: the ids its
    events were stored under."""
    pk = person if isinstance(person, int) else person.pk
    found = [pk]
    known = {pk}
    frontier = [pk]
    while frontier:
        children = []
        for start in range(0, len(frontier), CHUNK):
            children += [
                child
                for child in Person.objects.filter(
                    merged_into_id__in=frontier[start : start + CHUNK]
                ).values_list("pk", flat=True)
                if child not in known
            ]
        known.update(children)
        found += sorted(children)
        frontier = children
    return found


def surviving_person_ids(person_ids: Iterable[int]) -> dict[int, int]:
    """For stored person ids, the person each reads as now (itself, or whom it was merged
    into, followed to the end): for showing events' persons."""
    result: dict[int, int] = {}
    parent: dict[int, int | None] = {}
    wanted = {int(pk) for pk in person_ids if pk}
    while wanted:
        batch = sorted(wanted)
        wanted = set()
        for start in range(0, len(batch), CHUNK):
            for pk, into in Person.objects.filter(pk__in=batch[start : start + CHUNK]).values_list(
                "pk", "merged_into_id"
            ):
                parent[pk] = into
                if into is not None and into not in parent:
                    wanted.add(into)
    for pk in {int(pk) for pk in person_ids if pk}:
        current, steps = pk, 0
        while parent.get(current) is not None and steps < 100:
            current, steps = parent[current] or current, steps + 1
        result[pk] = current
    return result


def alias_previous_id(row: dict[str, Any]) -> str:
    """An alias row's previous id: properties.previous_id, where ingestion puts Segment's
    previousId (and, for PostHog's $create_alias, the event's distinct_id)."""
    return str(_json(row.get("properties")).get("previous_id") or "")


def _named_ids(rows: list[dict[str, Any]]) -> Iterable[str]:
    """The ids whose persons a replay of the rows looks up (_Batch.replay): each row's
    distinct id, an identify's user and anonymous ids, an alias's previous and new ids.
    An event's anonymous id beside its user id names no one else."""
    for row in rows:
        user_id = row.get("user_id")
        distinct_id = row.get("distinct_id") or user_id or row.get("anonymous_id")
        if distinct_id:
            yield str(distinct_id)
        kind = row.get("type")
        if kind == "identify" and user_id:
            yield str(user_id)
            if row.get("anonymous_id"):
                yield str(row["anonymous_id"])
        elif kind == "alias":
            previous = alias_previous_id(row)
            if previous:
                yield previous
                if user_id:
                    yield str(user_id)


def _merging_ids(rows: list[dict[str, Any]]) -> Iterable[str]:
    """The ids whose persons' traits a replay of the rows may read: every id an identify
    or an alias names (they set traits, or merge persons, which merges their traits)."""
    for row in rows:
        kind = row.get("type")
        if kind == "identify" or kind == "alias":
            for key in ("distinct_id", "user_id", "anonymous_id"):
                if row.get(key):
                    yield str(row[key])
            if kind == "alias":
                previous = alias_previous_id(row)
                if previous:
                    yield previous


def _root(node: _Node) -> _Node:
    while node.parent is not None:
        node = node.parent
    return node


def _moment(value: Any) -> dt.datetime:
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    if moment.tzinfo is dt.UTC:  # the inbox's times
        return moment
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _json(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if not value:
        return {}
    try:
        loaded = orjson.loads(value)
    except orjson.JSONDecodeError:
        return {}
    return loaded if isinstance(loaded, dict) else {}
