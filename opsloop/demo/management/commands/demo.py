"""`opsloop demo`: load the demo workspace once; --reset deletes and reloads it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opsloop.core.errors import OpsloopError
from opsloop.core.models import User
from opsloop.demo.loader import DEFAULT_PASSWORD, load_demo


class Command(BaseCommand):
    help = (
        "Load the demo workspace (slug 'demo'): a Chinese e-commerce app's operations team with "
        "projects, items and comments. Does nothing when it exists, unless --reset is given. "
        f"Every demo account logs in with --password, default '{DEFAULT_PASSWORD}'; the password "
        "rules for sign-up do not apply to it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset", action="store_true", help="Delete the demo workspace and load it again."
        )
        parser.add_argument(
            "--password",
            default=None,
            help=f"Password of the demo accounts (default: {DEFAULT_PASSWORD}).",
        )

    def handle(self, *args: Any, reset: bool = False, password: str | None = None, **opts: Any):
        try:
            result = load_demo(password=password, reset=reset)
        except OpsloopError as exc:
            raise CommandError(exc.message) from exc
        if result.created:
            projects = result.workspace.projects.count()
            items = result.workspace.items.count()
            self.stdout.write(
                f"Loaded the demo workspace {result.workspace.name}: "
                f"{projects} projects, {items} items."
            )
            login = f"{result.username} / {result.password}"
        else:
            self.stdout.write(
                "The demo workspace already exists; `opsloop demo --reset` deletes and reloads it."
            )
            owner = User.objects.filter(username=result.username).first()
            login = (
                f"{result.username} / {result.password}"
                if owner is not None and owner.check_password(result.password)
                else f"{result.username} (its password was changed after the demo was loaded)"
            )
        self.stdout.write(f"Demo workspace: {result.url}")
        self.stdout.write(f"Log in as: {login}")
