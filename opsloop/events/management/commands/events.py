"""`opsloop events generate|flush|compact`: made-up events, and the event store's upkeep.

`events generate --workspace SLUG --events N --persons M --days D --seed S [--end DAY]`
makes N events of M persons over the D days ending DAY (default yesterday), the same for the
same arguments (opsloop/events/generate.py); ten million take minutes.
`events flush [--follow]` stores all the inbox holds now, or keeps doing so for as long as it
runs (`opsloop run` starts one). `events compact` merges the store's small files.
"""

from __future__ import annotations

import datetime as dt
import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opsloop.core.errors import OpsloopError
from opsloop.core.models import Workspace


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--end takes a day like 2026-11-30, not {text!r}.") from None


class Command(BaseCommand):
    help = (
        "Events: `events generate --workspace SLUG --events N --persons M --days D --seed S` "
        "(made-up events for benchmarks and demos), `events flush [--follow]` (inbox to "
        "event store), `events compact` (merge the store's small files)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        make = actions.add_parser("generate", help="make deterministic events and persons")
        make.add_argument("--workspace", required=True, help="the workspace's slug")
        make.add_argument("--events", type=int, default=100_000, help="how many events")
        make.add_argument("--persons", type=int, default=10_000, help="how many persons")
        make.add_argument("--days", type=int, default=90, help="over how many days")
        make.add_argument("--seed", type=int, default=1, help="same seed, same data")
        make.add_argument(
            "--end",
            type=_day,
            default=None,
            help="the last day (default yesterday, so that no event is in the future)",
        )
        flush = actions.add_parser("flush", help="move the inbox into the event store")
        flush.add_argument(
            "--follow", action="store_true", help="keep flushing until stopped (Ctrl-C)"
        )
        actions.add_parser("compact", help="merge the event store's small files")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "generate":
            self.generate(options)
        elif action == "flush":
            self.flush(follow=options["follow"])
        elif action == "compact":
            from opsloop.events.store import get_store

            get_store().compact()
            self.stdout.write("Compacted the event store.")

    def generate(self, options: dict[str, Any]) -> None:
        from opsloop.events.generate import generate

        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace {options['workspace']!r}.")
        verbose = options.get("verbosity", 1) > 1
        try:
            made = generate(
                workspace=workspace,
                events=options["events"],
                persons=options["persons"],
                days=options["days"],
                seed=options["seed"],
                end=options["end"],
                progress=self.stdout.write if verbose else None,
            )
        except OpsloopError as exc:
            raise CommandError(exc.message) from None
        funnel = " -> ".join(f"{name} {n:,}" for name, n in made.funnel.items())
        self.stdout.write(
            f"Generated {made.events:,} events of {made.persons:,} persons in {workspace.slug} "
            f"from {made.first_day} to {made.last_day} in {made.seconds:.1f}s."
        )
        self.stdout.write(f"Funnel: {funnel}")
        if made.spike_day:
            self.stdout.write(f"Double 11 spike on {made.spike_day}.")

    def flush(self, *, follow: bool) -> None:
        from opsloop.events import flusher

        if not follow:
            try:
                stored = flusher.drain()
            except flusher.FlusherBusy as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"Flushed {stored} events.")
            return
        stop = threading.Event()

        def finish(_signum: int, _frame: object) -> None:
            stop.set()

        # SIGTERM (opsloop run stopping) and Ctrl-C end the loop between passes.
        signal.signal(signal.SIGTERM, finish)
        signal.signal(signal.SIGINT, finish)
        self.stdout.write("Flushing events until stopped (Ctrl-C).")
        flusher.run_forever(stop=stop)
