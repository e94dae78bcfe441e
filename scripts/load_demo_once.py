"""Load the demo workspace on an install's first start, and never again.

`make run` calls this after migrating. An install that already has a workspace (the
demo from an earlier start, or real data) is left alone; `opsloop demo` reloads the demo
on purpose.
"""

from __future__ import annotations

import os
import sys


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsloop.settings")
    import django

    django.setup()
    from django.core.management import call_command, get_commands

    from opsloop.core.models import Workspace

    if Workspace.objects.exists():
        print("demo: the database already has a workspace; not loading the demo again.")
        return 0
    if "demo" not in get_commands():
        print("demo: this version has no `demo` command; starting with an empty database.")
        return 0
    call_command("demo")
    return 0


if __name__ == "__main__":
    sys.exit(main())
