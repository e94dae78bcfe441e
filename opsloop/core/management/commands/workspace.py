"""`opsloop workspace create SLUG --owner USERNAME [--name NAME]`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opsloop.core.actions import do_create_workspace
from opsloop.core.errors import OpsloopError
from opsloop.core.models import User


class Command(BaseCommand):
    help = "Manage workspaces: `workspace create SLUG --owner USERNAME [--name NAME]`."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser("create", help="create a workspace owned by a user")
        create.add_argument("slug", help="short name used in addresses, e.g. acme")
        create.add_argument("--owner", required=True, help="username of the owner")
        create.add_argument("--name", default="", help="display name (default: the slug)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "create":
            self.create(slug=options["slug"], owner=options["owner"], name=options["name"])

    def create(self, *, slug: str, owner: str, name: str) -> None:
        try:
            user = User.objects.get(username=owner)
        except User.DoesNotExist:
            raise CommandError(f"No user named {owner!r}.") from None
        try:
            workspace = do_create_workspace(actor=user, slug=slug, name=name or slug)
        except OpsloopError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"Created workspace {workspace.slug!r} ({workspace.name}), owned by {user.username}."
        )
