"""`opsloop check`'s lines for events: the store answers or not, a flusher runs or not."""

from __future__ import annotations

import contextlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from opsloop.events import inbox
from opsloop.events.flusher import Flusher, backlog, flusher_running
from tests.events._pipeline import row


def check(*args: str) -> dict[str, str]:
    out = StringIO()
    # A failing part makes the command exit 1; the report is what is read here.
    with contextlib.suppress(CommandError):
        call_command("opsloop_check", *args, stdout=out, stderr=out)
    lines = {}
    for line in out.getvalue().splitlines():
        fields = line.split(None, 2)
        if len(fields) == 3:
            lines[fields[1]] = f"{fields[0]} {fields[2]}"
    return lines


@pytest.mark.django_db
def test_the_store_answers_and_no_flusher_runs():
    lines = check()
    assert lines["events"].startswith("ok DuckDB") and "0 events" in lines["events"]
    assert lines["flusher"].startswith("warn none running")


@pytest.mark.django_db
def test_a_running_flusher_and_the_inbox_it_has_to_store(workspace):
    box = inbox.Inbox(inbox.inbox_dir())
    box.append([row(workspace_id=workspace.pk, message_id=f"m{i}") for i in range(2_000)])
    box.close()
    assert backlog() > 100_000
    flusher = Flusher().open()
    try:
        assert flusher_running()
        lines = check()
        assert lines["flusher"].startswith("ok running") and "MB in the inbox" in lines["flusher"]
    finally:
        flusher.close()
    assert not flusher_running()


@pytest.mark.django_db
def test_a_store_that_does_not_answer_fails_the_check(settings):
    settings.EVENTS_BACKEND = "clickhouse"
    settings.CLICKHOUSE_URL = "http://127.0.0.1:9/opsloop"  # nothing listens on port 9
    lines = check()
    assert lines["events"].startswith("FAIL the event store does not answer")
