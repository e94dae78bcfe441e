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
"""

from __future__ import annotations

import datetime as dt
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


@dataclass(eq=False)
class _Node:
    """A person while a batch is replayed: one loaded from the database or a new one."""

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

    def __post_init__(self) -> None:
        self.stored_last_seen = self.last_seen


class _Batch:
    """One workspace's part of a batch, replayed in memory."""

    def __init__(self, workspace_id: int) -> None:
        self.workspace_id = workspace_id
        self.owner: dict[str, _Node] = {}
        self.nodes: list[_Node] = []

    def load(self, distinct_ids: set[str]) -> None:
        ids = sorted(distinct_ids)
        owners: dict[str, int] = {}
        for start in range(0, len(ids), CHUNK):
            owners.update(
                PersonId.objects.filter(
                    workspace_id=self.workspace_id, distinct_id__in=ids[start : start + CHUNK]
                ).values_list("distinct_id", "person_id")
            )
        merged_into: dict[int, int | None] = {}
        nodes: dict[int, _Node] = {}
        wanted = set(owners.values())
        # A person's ids move to whoever it merges into, so merged_into is rarely met
        # here; follow it if it is (a merge made before ids were moved). Tuples, not
        # model instances: a busy pass loads tens of thousands of persons.
        while wanted:
            batch = sorted(wanted)
            wanted = set()
            for start in range(0, len(batch), CHUNK):
                found = Person.objects.filter(pk__in=batch[start : start + CHUNK]).values_list(
                    "pk",
                    "user_id",
                    "traits",
                    "trait_times",
                    "first_seen",
                    "last_seen",
                    "merged_into",
                )
                for pk, user_id, traits, times, first_seen, last_seen, into in found:
                    nodes[pk] = _Node(
                        pk=pk,
                        user_id=user_id,
                        traits=dict(traits or {}),
                        trait_times=dict(times or {}),
                        first_seen=first_seen,
                        last_seen=last_seen,
                    )
                    self.nodes.append(nodes[pk])
                    merged_into[pk] = into
                    if into and into not in nodes:
                        wanted.add(into)
        for pk, into in merged_into.items():
            if into in nodes:
                nodes[pk].parent = nodes[into]
        for distinct_id, pk in owners.items():
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
        stamp = _stamp(moment)
        for key, value in traits.items():
            if stamp >= node.trait_times.get(key, ""):
                if node.traits.get(key) != value or node.trait_times.get(key) != stamp:
                    node.changed = True
                node.traits[key] = value
                node.trait_times[key] = stamp

    def replay(self, rows: list[dict[str, Any]], moments: list[dt.datetime]) -> None:
        order = sorted(range(len(rows)), key=lambda index: moments[index])
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
            node.changed = False
        changed = [node for node in roots if node.changed and node.pk is not None]
        merged: list[Person] = []
        for root in roots:
            for other in root.absorbed:
                merged.append(Person(pk=other.pk, merged_into_id=root.pk))
        if changed:
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
                    for node in changed
                ],
                ["user_id", "traits", "trait_times", "first_seen", "last_seen"],
            )
        if merged:
            Person.objects.bulk_update(merged, ["merged_into"], batch_size=CHUNK)
            into = {person.pk: person.merged_into_id for person in merged}
            gone = sorted(into)
            for start in range(0, len(gone), CHUNK):
                part = gone[start : start + CHUNK]
                PersonId.objects.filter(person_id__in=part).update(
                    person_id=Case(*[When(person_id=pk, then=Value(into[pk])) for pk in part])
                )
                # Keep merges one step deep, so person_ids_of stays a query or two.
                Person.objects.filter(merged_into_id__in=part).update(
                    merged_into_id=Case(
                        *[When(merged_into_id=pk, then=Value(into[pk])) for pk in part]
                    )
                )
        PersonId.objects.bulk_create(
            [
                PersonId(
                    workspace_id=self.workspace_id, distinct_id=distinct_id, person_id=int(node.pk)
                )
                for node in roots
                if node.pk is not None
                for distinct_id in sorted(node.new_ids)
            ],
            batch_size=CHUNK,
        )
        for node in roots:
            node.new_ids = set()
            node.absorbed = []
            node.changed = False

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


def resolve_persons(rows: list[dict[str, Any]]) -> None:
    """Give every row its person_id, creating and merging persons as the rows say. A few
    bulk queries per workspace in the batch; replaying the same rows again changes nothing."""
    by_workspace: dict[int, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        by_workspace[int(row["workspace_id"])].append(index)
    for workspace_id, indexes in by_workspace.items():
        part = [rows[index] for index in indexes]
        moments = [_moment(row.get("timestamp")) for row in part]
        batch = _Batch(workspace_id)
        batch.load(set(_named_ids(part)))
        batch.replay(part, moments)
        batch.save()
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
    for row in rows:
        for key in ("distinct_id", "user_id", "anonymous_id"):
            if row.get(key):
                yield str(row[key])
        if row.get("type") == "alias":
            previous = alias_previous_id(row)
            if previous:
                yield previous


def _root(node: _Node) -> _Node:
    while node.parent is not None:
        node = node.parent
    return node


def _moment(value: Any) -> dt.datetime:
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
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
