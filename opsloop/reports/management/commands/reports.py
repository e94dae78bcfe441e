"""`opsloop reports schedule`: draft the scheduled reports when their time comes, as
`opsloop run` does; `opsloop reports tick`: one round now.

At start and then every OPSLOOP_REPORT_INTERVAL seconds (300 by default), a background
task per template whose time has come and whose period has no report yet (the worker
drafts it). Rounds after a restart, or two schedulers at once, queue the same draft
again; the task finds it made and makes nothing (docs/reports.md#schedule)."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from opsloop.reports import actions


class Command(BaseCommand):
    help = "Reports: `reports schedule` drafts scheduled reports when due; `reports tick` once."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        commands.add_parser("schedule", help="queue due drafts every OPSLOOP_REPORT_INTERVAL")
        commands.add_parser("tick", help="queue the drafts due now, once")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "tick":
            self.stdout.write(f"Report schedule: {actions.do_schedule_reports()} drafts queued")
            return
        stop = threading.Event()

        def finish(_signum: int, _frame: object) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, finish)
        signal.signal(signal.SIGINT, finish)
        every = max(30.0, float(getattr(settings, "REPORT_INTERVAL", 300)))
        self.stdout.write(f"Drafting scheduled reports every {every:.0f} s until stopped.")
        while not stop.is_set():
            try:
                queued = actions.do_schedule_reports()
            except Exception as exc:  # noqa: BLE001 (a bad round must not end the schedule)
                self.stderr.write(f"Report schedule: {exc}")
            else:
                if queued:
                    self.stdout.write(f"Report schedule: {queued} drafts queued")
            finally:
                close_old_connections()
            stop.wait(every)
