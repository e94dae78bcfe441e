"""`opsloop source create|list` and `opsloop events generate|flush|compact`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from opsloop.core.models import AuditLog
from opsloop.events import keys
from opsloop.events.models import Person
from opsloop.events.store import EventFilter, get_store


def run(*args) -> list[str]:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip().splitlines()


def test_source_create_prints_the_key_alone_on_its_last_line(workspace):
    lines = run("source", "create", "--workspace", "acme", "鲸选 小程序", "--kind", "miniprogram")
    raw = lines[-1]
    assert raw.startswith("olk_") and " " not in raw
    source = keys.source_for_key(raw)
    assert (source.name, source.kind) == ("鲸选 小程序", "miniprogram")
    assert AuditLog.objects.get(action="source.create").data["via"] == "cli"
    listed = run("source", "list", "--workspace", "acme")
    assert listed == [f"{source.pk}\t鲸选 小程序\tminiprogram\tno limit\t{raw[:10]}…"]
    assert raw not in "\n".join(listed)


def test_source_errors_are_command_errors(workspace):
    with pytest.raises(CommandError, match="No workspace"):
        run("source", "list", "--workspace", "nope")
    run("source", "create", "--workspace", "acme", "Web")
    with pytest.raises(CommandError, match="already exists"):
        run("source", "create", "--workspace", "acme", "Web")


def test_events_generate_then_compact(workspace):
    lines = run(
        "events", "generate", "--workspace", "acme", "--events", "3000", "--persons", "300",
        "--days", "30", "--seed", "5", "--end", "2026-11-20",
    )  # fmt: skip
    assert lines[0].startswith("Generated 3,000 events of 300 persons in acme from 2026-10-22")
    assert lines[1].startswith("Funnel: first_open 300 -> signup ")
    assert lines[2] == "Double 11 spike on 2026-11-11."
    assert Person.objects.filter(workspace=workspace).count() == 300
    assert get_store().count_events(EventFilter(workspace_id=workspace.pk)) == 3000
    assert run("events", "compact") == ["Compacted the event store."]
    assert get_store().count_events(EventFilter(workspace_id=workspace.pk)) == 3000
    with pytest.raises(CommandError, match="seed"):
        run("events", "generate", "--workspace", "acme", "--events", "10", "--persons", "5",
            "--seed", "5")  # fmt: skip
    with pytest.raises(CommandError, match="--end"):
        run("events", "generate", "--workspace", "acme", "--end", "soon")


def test_events_flush_moves_the_inbox_into_the_store(workspace):
    from opsloop.events import inbox
    from tests.events._pipeline import row

    inbox.append([row(workspace_id=workspace.pk, user_id="u1", event="app_open")])
    assert run("events", "flush") == ["Flushed 1 events."]
    stored = get_store().list_events(EventFilter(workspace_id=workspace.pk))
    assert [r["event"] for r in stored] == ["app_open"] and stored[0]["person_id"]
