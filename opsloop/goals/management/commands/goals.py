"""`opsloop goals compute [--workspace SLUG]`: compute the KPIs now;
`opsloop goals schedule`: keep doing so, as `opsloop run` does.

compute: every computed KPI (from an insight or from the work) of the workspace, or of
every workspace, records today's value; one that fails is marked stale with its error
and the others go on. schedule: at start and then every OPSLOOP_KPI_INTERVAL seconds, a
background task per workspace with computed KPIs (the worker runs them), until stopped.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from opsloop.core.models import Workspace
from opsloop.goals import actions


class Command(BaseCommand):
    help = "Goals: `goals compute [--workspace SLUG]` computes the KPIs now."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        compute = commands.add_parser("compute", help="compute the KPIs now")
        compute.add_argument("--workspace", help="only this workspace's (its slug)")
        commands.add_parser("schedule", help="queue the computations every OPSLOOP_KPI_INTERVAL")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "schedule":
            self.schedule()
            return
        workspaces = Workspace.objects.order_by("pk")
        if options.get("workspace"):
            workspaces = workspaces.filter(slug=options["workspace"])
            if not workspaces.exists():
                raise CommandError(f"No workspace {options['workspace']!r}.")
        failed = 0
        for workspace in workspaces:
            good, bad = actions.do_compute_workspace_kpis(workspace_id=workspace.pk)
            failed += bad
            self.stdout.write(f"{workspace.slug}: {good} KPIs computed, {bad} failed")
        if failed:
            raise CommandError(f"{failed} KPIs failed; see each KPI's error.")

    def schedule(self) -> None:
        stop = threading.Event()

        def finish(_signum: int, _frame: object) -> None:
            stop.set()

        # SIGTERM (opsloop run stopping) and Ctrl-C end the loop between rounds.
        signal.signal(signal.SIGTERM, finish)
        signal.signal(signal.SIGINT, finish)
        every = max(60.0, float(settings.KPI_INTERVAL))
        self.stdout.write(f"Computing KPIs every {every:.0f} s until stopped (Ctrl-C).")
        while not stop.is_set():
            try:
                queued = actions.do_schedule_kpis()
            except Exception as exc:  # noqa: BLE001 (a bad round must not end the schedule)
                self.stderr.write(f"KPI schedule: {exc}")
            else:
                self.stdout.write(f"KPI schedule: {queued} workspaces queued")
            finally:
                close_old_connections()
            stop.wait(every)
