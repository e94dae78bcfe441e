"""`opsloop token create|list|revoke`: a user's API tokens.

`token create USERNAME [--name NAME]` prints a new token once.
The raw token is alone on the last line of the output, so a script can take it with
`opsloop token create bob | tail -n 1`; it is stored hashed and cannot be shown again.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opsloop.core.actions import do_create_token, do_revoke_token
from opsloop.core.errors import OpsloopError
from opsloop.core.models import ApiToken, User


class Command(BaseCommand):
    help = (
        "Manage API tokens: `token create USERNAME [--name NAME]`, `token list USERNAME`, "
        "`token revoke USERNAME TOKEN_ID`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser("create", help="create an API token for a user")
        create.add_argument("username")
        create.add_argument("--name", default="cli", help="what the token is for (default: cli)")
        listing = actions.add_parser("list", help="list a user's tokens (never their values)")
        listing.add_argument("username")
        revoke = actions.add_parser("revoke", help="revoke one of a user's tokens")
        revoke.add_argument("username")
        revoke.add_argument("token_id", type=int, help="the id that `token list` shows")

    def handle(self, *args: Any, **options: Any) -> None:
        user = self.get_user(options["username"])
        if options["action"] == "create":
            self.create(user=user, name=options["name"])
        elif options["action"] == "list":
            self.list_tokens(user=user)
        elif options["action"] == "revoke":
            try:
                do_revoke_token(user=user, token_id=options["token_id"])
            except OpsloopError as exc:
                raise CommandError(exc.message) from None
            self.stdout.write(f"Revoked token {options['token_id']} of {user.username}.")

    @staticmethod
    def get_user(username: str) -> User:
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None

    def create(self, *, user: User, name: str) -> None:
        try:
            created = do_create_token(user=user, name=name)
        except OpsloopError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"Created API token {created.token.name!r} for {user.username}. "
            "Copy it now; it cannot be shown again. Send it as `Authorization: Bearer <token>`."
        )
        self.stdout.write(created.raw)

    def list_tokens(self, *, user: User) -> None:
        tokens = ApiToken.objects.filter(user=user).order_by("created_at")
        if not tokens:
            self.stdout.write(f"{user.username} has no API tokens.")
        for token in tokens:
            state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            self.stdout.write(
                f"{token.pk}\t{token.prefix}…\t{token.name}\t{state}\tlast used {used}"
            )
