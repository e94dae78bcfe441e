"""Load the demo workspace on an install's first start, and never again.

`make run` calls this after migrating. An install that already has a workspace (the
demo from an earlier start, or real data) is not loaded into; when the demo is there,
`opsloop demo` runs anyway, since it changes nothing then and prints the login again.
`opsloop demo --reset` reloads the demo on purpose.
"""

from __future__ import annotations

import os
import sys

DEMO_SLUG = "demo"  # where `opsloop demo` puts its workspace


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsloop.settings")
    import django

    django.setup()
    from django.core.management import call_command, get_commands

    from opsloop.core.models import Workspace

    if "demo" not in get_commands():
        print("demo: this version has no `demo` command; starting as the database is.")
        return 0
    if Workspace.objects.exists() and not Workspace.objects.filter(slug=DEMO_SLUG).exists():
        print("demo: the database has workspaces of its own; not loading the demo.")
        return 0
    call_command("demo")
    return 0


if __name__ == "__main__":
    sys.exit(main())
