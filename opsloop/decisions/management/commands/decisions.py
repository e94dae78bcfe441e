"""`opsloop decisions remind`: remind now the owners of the decisions whose review day has
come (each owner once per decision; the background worker does it on the review day)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from opsloop.decisions.actions import do_remind_reviews


class Command(BaseCommand):
    help = "Decisions: `decisions remind` reminds the owners of reviews that are due."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        commands.add_parser("remind", help="remind the owners of the reviews due now")

    def handle(self, *args: Any, **options: Any) -> None:
        told = do_remind_reviews()
        self.stdout.write(f"{told} review reminders sent")
