"""What `opsloop check` says of events: whether the store answers, and whether a flusher
moves the inbox into it (else accepted events wait, safe, in the inbox)."""

from __future__ import annotations

from opsloop.core.management.commands.opsloop_check import FAIL, OK, WARN, Finding
from opsloop.events import flusher
from opsloop.events.store import get_store


def check_events() -> list[Finding]:
    try:
        findings = [Finding("events", OK, get_store().check())]
    except Exception as exc:
        findings = [Finding("events", FAIL, f"the event store does not answer: {exc}")]
    waiting = flusher.backlog() / 1e6
    if flusher.flusher_running():
        findings.append(Finding("flusher", OK, f"running; {waiting:,.1f} MB in the inbox"))
    else:
        findings.append(
            Finding(
                "flusher",
                WARN,
                f"none running for this data dir; {waiting:,.1f} MB of accepted events wait "
                "in the inbox (`opsloop run`, or `opsloop events flush --follow`)",
            )
        )
    return findings
