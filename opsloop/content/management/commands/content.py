"""`opsloop content remind`: remind now the owners of the content pieces whose planned
publish time has come (each owner once per piece; the background worker does it at the
planned time)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from opsloop.content.actions import do_remind_publishing


class Command(BaseCommand):
    help = "Content: `content remind` reminds the owners of pieces due to go out."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        commands.add_parser("remind", help="remind the owners of the pieces due now")

    def handle(self, *args: Any, **options: Any) -> None:
        told = do_remind_publishing()
        self.stdout.write(f"{told} publish reminders sent")
