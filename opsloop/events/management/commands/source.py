"""`opsloop source create|list`: a workspace's event sources and their write keys.

`source create --workspace SLUG NAME [--kind web]` prints the new source's write key alone
on the last line of the output, so a script can take it with `| tail -n 1`; it is stored
hashed and cannot be shown again. The command acts as the workspace's first owner (the
audit log says it came from the command line).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opsloop.core.errors import OpsloopError
from opsloop.core.inputs import parse_input
from opsloop.core.models import Membership, Role
from opsloop.events import actions, queries
from opsloop.events.models import SourceKind
from opsloop.events.schemas import SourceIn


class Command(BaseCommand):
    help = (
        "Event sources: `source create --workspace SLUG NAME [--kind KIND] [--rate-limit N]` "
        "(prints the write key on its last line), `source list --workspace SLUG`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions_ = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions_.add_parser("create", help="create a source and its first write key")
        create.add_argument("--workspace", required=True, help="the workspace's slug")
        create.add_argument("name")
        create.add_argument(
            "--kind", default=SourceKind.WEB, choices=SourceKind.values, help="default: web"
        )
        create.add_argument(
            "--rate-limit", type=int, default=None, help="events a second (default: no limit)"
        )
        listing = actions_.add_parser("list", help="list sources (never their keys)")
        listing.add_argument("--workspace", required=True, help="the workspace's slug")

    def handle(self, *args: Any, **options: Any) -> None:
        owner = self.owner(options["workspace"])
        if options["action"] == "create":
            try:
                made = actions.do_create_source(
                    actor=owner,
                    data=parse_input(
                        SourceIn,
                        {
                            "name": options["name"],
                            "kind": options["kind"],
                            "rate_limit": options["rate_limit"],
                        },
                    ),
                    via="cli",
                )
            except OpsloopError as exc:
                raise CommandError(exc.message) from None
            self.stdout.write(
                f"Created source {made.source.name!r} ({made.source.kind}, id {made.source.pk}) "
                f"in {owner.workspace.slug}. Copy its write key now; it cannot be shown again."
            )
            self.stdout.write(made.key.raw)
        else:
            sources = queries.list_sources(owner.workspace_id, with_keys=True)
            if not sources:
                self.stdout.write(f"{owner.workspace.slug} has no sources.")
            for source in sources:
                keys = [k for k in source.key_list if k.active]  # type: ignore[attr-defined]
                prefixes = ", ".join(f"{k.prefix}…" for k in keys) or "no active key"
                limit = f"{source.rate_limit}/s" if source.rate_limit else "no limit"
                self.stdout.write(f"{source.pk}\t{source.name}\t{source.kind}\t{limit}\t{prefixes}")

    @staticmethod
    def owner(slug: str) -> Membership:
        owner = (
            Membership.objects.select_related("workspace", "user")
            .filter(workspace__slug=slug, role=Role.OWNER)
            .order_by("joined_at", "pk")
            .first()
        )
        if owner is None:
            raise CommandError(f"No workspace {slug!r} (or it has no owner).")
        return owner
