"""`opsloop send_notifications`: send every pending notification email now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from opsloop.inbox.actions import do_send_all_notification_email


class Command(BaseCommand):
    help = (
        "Send every pending notification email now, without waiting for its batch "
        "(after the mail server was down, or where no worker runs)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent, failed = do_send_all_notification_email()
        self.stdout.write(f"Sent {sent} notification email(s).")
        if failed:
            raise CommandError(
                f"{failed} email(s) could not be sent; they stay pending and are retried later."
            )
