"""`opsloop partners remind`: remind now the owners of partners of the follow-ups due and
the contracts ending within 30 days (each once; the background worker does it on the
day), and bring the rate cards' prices to the ones in force today."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from opsloop.partners.actions import do_refresh_prices, do_remind_partners


class Command(BaseCommand):
    help = "Partners: `partners remind` sends the follow-up and contract reminders due."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        commands.add_parser("remind", help="remind the owners of the follow-ups and contracts due")

    def handle(self, *args: Any, **options: Any) -> None:
        do_refresh_prices()
        told = do_remind_partners()
        self.stdout.write(f"{told} partner reminders sent")
