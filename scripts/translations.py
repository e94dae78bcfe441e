"""Find the strings missing from the zh-Hans catalogue, and add their translations.

    python scripts/translations.py missing > todo.json
    # fill in the empty values of todo.json with the Chinese text
    python scripts/translations.py add todo.json

`missing` extracts the strings of the current code (makemessages, into a temporary
directory) and prints those not yet in django.po as a JSON object msgid -> "" (entries
with a context or a plural are keyed "context\\x04msgid" and give their plural as a
list). `add` merges such a file into django.po under a file lock, touching no other
entry, so that several people can add their strings one after another. Unlike
`makemessages`, neither rewrites entries it does not own; run `make translations`
afterwards to compile.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO_PATH = ROOT / "opsloop" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
IGNORE = [".venv", "node_modules", "data", "build", "opsloop/locale"]
SEP = "\x04"


def _key(entry) -> str:
    return f"{entry.msgctxt}{SEP}{entry.msgid}" if entry.msgctxt else entry.msgid


def extract():
    import polib

    out = Path(tempfile.mkdtemp())
    try:
        script = (
            "import django, os;"
            "os.environ.setdefault('DJANGO_SETTINGS_MODULE','opsloop.settings');"
            "django.setup();"
            "from django.test import override_settings;"
            "from django.core.management import call_command;"
            f"ctx=override_settings(LOCALE_PATHS=[{str(out)!r}]);ctx.enable();"
            "call_command('makemessages', locale=['zh_Hans'], domain='django',"
            f" no_location=True, ignore_patterns={IGNORE!r}, verbosity=0)"
        )
        env = {**os.environ, "OPSLOOP_DATA_DIR": str(out / "data")}
        subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, env=env)
        return polib.pofile(str(out / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    finally:
        shutil.rmtree(out, ignore_errors=True)


def missing() -> None:
    import polib

    known = {_key(e) for e in polib.pofile(str(PO_PATH)) if not e.obsolete}
    todo: dict[str, object] = {}
    for entry in extract():
        if _key(entry) in known:
            continue
        todo[_key(entry)] = ["", entry.msgid_plural] if entry.msgid_plural else ""
    json.dump(todo, sys.stdout, ensure_ascii=False, indent=1)
    print()


def add(path: str) -> None:
    import polib

    todo = json.loads(Path(path).read_text(encoding="utf-8"))
    empty = [k for k, v in todo.items() if not (v[0] if isinstance(v, list) else v)]
    if empty:
        sys.exit(f"no translation given for: {empty}")
    with open(PO_PATH.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        catalog = polib.pofile(str(PO_PATH))
        known = {_key(e): e for e in catalog}
        for key, value in todo.items():
            ctx, _, msgid = key.rpartition(SEP)
            if key in known:
                entry = known[key]
                entry.obsolete = False
            else:
                entry = polib.POEntry(msgid=msgid, msgctxt=ctx or None)
                catalog.append(entry)
            if "%" in msgid and "python-format" not in entry.flags:
                entry.flags.append("python-format")
            if isinstance(value, list):
                entry.msgid_plural = value[1]
                entry.msgstr_plural = {0: value[0]}
            else:
                entry.msgstr = value
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        catalog.save(str(PO_PATH))
    print(f"added {len(todo)} entries to {PO_PATH.relative_to(ROOT)}")


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "missing":
        missing()
    elif len(sys.argv) == 3 and sys.argv[1] == "add":
        add(sys.argv[2])
    else:
        sys.exit(__doc__)
