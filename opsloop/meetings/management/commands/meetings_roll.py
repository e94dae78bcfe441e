"""`opsloop meetings_roll`: make the next occurrence of every recurring meeting that has begun.

Run it from cron (hourly or daily); a series gets at most one new occurrence per run, and
running it twice makes nothing twice.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from opsloop.meetings.actions import do_roll_meetings


class Command(BaseCommand):
    help = "Create the next occurrence of every recurring meeting whose latest one has started."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="queue the roll for the background worker instead of running it now",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            from opsloop.meetings.tasks import roll_meetings

            result = roll_meetings.enqueue()
            self.stdout.write(f"queued as task {result.id}")
            return
        rolled = do_roll_meetings()
        for meeting in rolled.created:
            when = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M")
            self.stdout.write(f"{meeting.workspace.slug} #{meeting.pk} {when} {meeting.title}")
        for meeting in rolled.skipped:
            self.stderr.write(
                f"skipped {meeting.workspace.slug} #{meeting.pk} {meeting.title}: "
                "its organizer can no longer change it"
            )
        self.stdout.write(f"{len(rolled.created)} created, {len(rolled.skipped)} skipped")
