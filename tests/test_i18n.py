"""The Simplified Chinese catalogue is complete, well-formed and used by the pages.

- Every entry of opsloop/locale/zh_Hans/LC_MESSAGES/django.po is translated, none is
  fuzzy, and each translation keeps the placeholders of its source string.
- Every string the code marks for translation (gettext in Python, {% translate %} and
  {% blocktranslate %} in templates) is in the catalogue: makemessages extracts the
  strings of the current code into a temporary directory and the two are compared.
- A page asked for in Chinese comes back in Chinese, and in English when asked for English.

docs/i18n.md explains how to update the catalogue when one of these fails.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.test import Client, override_settings

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "opsloop" / "locale"
LOCALE = "zh_Hans"
PO_PATH = LOCALE_DIR / LOCALE / "LC_MESSAGES" / "django.po"
# The same exclusions as the documented makemessages command (docs/i18n.md).
IGNORE = [".venv", "node_modules", "data"]

# A printf conversion as Python's % operator reads it: %(name)s, %d, %.1f, or %%.
PERCENT = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?P<conv>[a-zA-Z%])"
)


def load_catalog() -> polib.POFile:
    assert PO_PATH.exists(), f"{PO_PATH.relative_to(ROOT)} is missing; see docs/i18n.md"
    return polib.pofile(str(PO_PATH))


def entry_key(entry: polib.POEntry) -> tuple[str, str]:
    return (entry.msgctxt or "", entry.msgid)


def describe(entry: polib.POEntry) -> str:
    context = f" (context {entry.msgctxt!r})" if entry.msgctxt else ""
    return f"{entry.msgid!r}{context}"


def translations_of(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def conversions(text: str) -> tuple[list[str], str]:
    """The sorted conversions of a python-format string, and what is left once they are removed."""
    found = sorted(
        f"%({m['name']}){m['conv']}" if m["name"] is not None else f"%{m['conv']}"
        for m in PERCENT.finditer(text)
    )
    return found, PERCENT.sub("", text)


# --- (a) the catalogue itself


def test_catalog_header():
    catalog = load_catalog()
    assert not catalog.metadata_is_fuzzy, "the header of django.po is marked fuzzy"
    assert catalog.metadata.get("Language") == LOCALE
    assert catalog.metadata.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;"
    assert "charset=UTF-8" in catalog.metadata.get("Content-Type", "")


def test_every_entry_is_translated_and_none_is_fuzzy():
    catalog = load_catalog()
    entries = [e for e in catalog if not e.obsolete]
    assert entries, "django.po has no entries"
    problems = []
    for entry in entries:
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy (check the translation, then drop the flag): {describe(entry)}")
        if not all(text.strip() for text in translations_of(entry)):
            problems.append(f"untranslated: {describe(entry)}")
        if entry.msgid_plural and sorted(entry.msgstr_plural) != [0]:
            problems.append(f"Chinese has one plural form, msgstr[0] only: {describe(entry)}")
    assert not problems, f"{len(problems)} problems in django.po:\n" + "\n".join(problems)


def test_translations_keep_their_placeholders():
    catalog = load_catalog()
    problems = []
    for entry in catalog:
        if entry.obsolete or "python-format" not in entry.flags:
            continue
        sources = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
        expected = [conversions(source)[0] for source in sources]
        for text in translations_of(entry):
            found, rest = conversions(text)
            if found not in expected:
                problems.append(f"{describe(entry)}: has {found}, needs {expected[-1]}")
            if "%" in rest:
                problems.append(f"{describe(entry)}: a lone % in {text!r} (write %%)")
    assert not problems, "placeholders differ:\n" + "\n".join(problems)


# --- (b) the catalogue covers the current code


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> polib.POFile:
    """The strings of the current code, extracted by makemessages into a temporary dir.

    opsloop/locale is ignored, so no file maps to it and everything goes to the first
    LOCALE_PATHS entry: the temporary directory. The real catalogue is not touched."""
    if not shutil.which("xgettext") or not shutil.which("msguniq"):
        pytest.fail("makemessages needs GNU gettext (apt-get install gettext); see docs/i18n.md")
    out = tmp_path_factory.mktemp("locale")
    with pytest.MonkeyPatch.context() as mp, override_settings(LOCALE_PATHS=[str(out)]):
        mp.chdir(ROOT)
        call_command(
            "makemessages",
            locale=[LOCALE],
            domain="django",
            no_location=True,
            ignore_patterns=[*IGNORE, "opsloop/locale"],
            verbosity=0,
        )
    path = out / LOCALE / "LC_MESSAGES" / "django.po"
    assert path.exists(), "makemessages wrote no catalogue"
    return polib.pofile(str(path))


def test_every_string_in_the_code_is_in_the_catalog(extracted):
    known = {entry_key(e): e for e in load_catalog() if not e.obsolete}
    missing = [describe(e) for e in extracted if entry_key(e) not in known]
    assert not missing, (
        f"{len(missing)} strings in the code are not in django.po; run makemessages and "
        f"translate them (docs/i18n.md): {missing}"
    )
    plural_changed = [
        describe(e) for e in extracted if known[entry_key(e)].msgid_plural != e.msgid_plural
    ]
    assert not plural_changed, f"plural forms changed in the code: {plural_changed}"


def test_extraction_found_the_code(extracted):
    """Guards the check above against an extraction that silently finds nothing."""
    ids = {e.msgid for e in extracted}
    assert {"Log in", "My work", "Backlog"} <= ids


# --- (c) pages come back in the language asked for


@pytest.fixture(scope="session")
def compiled_messages():
    """Compile django.po when its .mo is missing or older (the .mo files are not committed)."""
    mo_path = PO_PATH.with_suffix(".mo")
    if mo_path.exists() and mo_path.stat().st_mtime >= PO_PATH.stat().st_mtime:
        return
    if shutil.which("msgfmt"):
        with pytest.MonkeyPatch.context() as mp:
            mp.chdir(ROOT)
            call_command("compilemessages", locale=[LOCALE], ignore_patterns=IGNORE, verbosity=0)
    else:
        # What `make translations` does on a machine without GNU gettext.
        polib.pofile(str(PO_PATH)).save_as_mofile(str(mo_path))
    # Forget catalogues an earlier test may have loaded before the .mo existed.
    from django.utils.translation import trans_real

    trans_real._translations = {}
    trans_real._default = None


@pytest.mark.django_db
def test_login_page_in_chinese(compiled_messages):
    response = Client().get("/accounts/login/", headers={"accept-language": "zh-hans"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "登录" in page
    # Strings that only opsloop's own catalogue translates, not Django's.
    assert "注册账号" in page
    assert "忘记密码？" in page
    assert "Log in" not in page


@pytest.mark.django_db
def test_login_page_in_english(compiled_messages):
    response = Client().get("/accounts/login/", headers={"accept-language": "en"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Log in" in page
    assert "Create an account" in page
    assert "登录" not in page
