"""The `opsloop` command: everything an operator of an install does.

opsloop run [--host H] [--port P]   serve pages and API, with the background worker
opsloop migrate                     create or upgrade the database
opsloop demo                        load the demo workspace (again)
opsloop createsuperuser             make an account that can use /admin/
opsloop workspace create SLUG --owner USERNAME [--name NAME]
opsloop token create USERNAME [--name NAME]   prints the token alone on its last line
opsloop check                       what is configured and whether each part answers
opsloop send_notifications          send the pending notification emails now
opsloop meetings_roll               create the next occurrence of recurring meetings
opsloop source create --workspace SLUG NAME [--kind web]   prints the write key alone on its last line
opsloop events flush [--follow]     store the accepted events now (or keep doing so)
opsloop events generate --workspace SLUG --events N --persons M   benchmark and demo events
opsloop goals compute [--workspace SLUG]   compute the KPIs now (`run` does it every hour)
opsloop reports tick                queue the report drafts due now (`run` looks every 5 minutes)
opsloop decisions remind            remind owners of the decision reviews due now
opsloop partners remind             remind partners' owners of follow-ups and contracts ending
opsloop content remind              remind owners of the content pieces due to go out now
Any other Django management command works too (opsloop help).
"""

from __future__ import annotations

import os
import sys

# Our names for commands whose Django names are taken by something else.
ALIASES = {"run": "serve", "check": "opsloop_check"}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsloop.settings")
    if not argv or argv[0] in {"-h", "--help"}:
        print(__doc__)
        return
    if argv[0] == "help" and len(argv) == 1:
        argv = ["help"]
    argv[0] = ALIASES.get(argv[0], argv[0])
    from django.core.management import execute_from_command_line

    execute_from_command_line(["opsloop", *argv])


if __name__ == "__main__":
    main()
