"""Compile every opsloop/**/locale/*/LC_MESSAGES/*.po into its .mo, when the .po is newer.

Uses polib (pure Python, pinned in requirements.lock) rather than `django-admin
compilemessages`, which needs GNU gettext's msgfmt on the machine: `make run` must work
on a machine that has nothing but Python and Node. Like msgfmt, fuzzy and untranslated
entries are left out. Exits 1, naming the file, when a .po cannot be parsed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def po_files() -> list[Path]:
    return sorted((ROOT / "opsloop").glob("**/locale/*/LC_MESSAGES/*.po"))


def main() -> int:
    sources = po_files()
    if not sources:
        print("translations: no .po files yet; nothing to compile.")
        return 0
    compiled = 0
    for po_path in sources:
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        try:
            catalog = polib.pofile(str(po_path))
        except (OSError, ValueError) as exc:
            print(f"translations: cannot read {po_path.relative_to(ROOT)}: {exc}")
            return 1
        catalog.save_as_mofile(str(mo_path))
        compiled += 1
    print(f"translations: {len(sources)} catalogues, {compiled} compiled.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
