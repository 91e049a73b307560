"""English is available for every Dutch text: the English catalogue has no fuzzy or empty
entries, and the compiled catalogue the portal loads is up to date with it."""

import ast
import gettext
from pathlib import Path

from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"


def _entries(po: Path) -> list[dict]:
    """The entries of a PO file: flags, msgctxt, msgid, msgid_plural, msgstr[n] (joined)."""
    entries, entry, key = [], None, None
    for raw in [*po.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if entry and "msgid" in entry:
                entries.append(entry)
            entry, key = None, None
            continue
        entry = entry if entry is not None else {"flags": set(), "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            _append(entry, key, ast.literal_eval(line))
        else:
            key, _, value = line.partition(" ")
            _append(entry, key, ast.literal_eval(value), start=True)
    return [e for e in entries if e["msgid"]]  # the header has an empty msgid


def _append(entry: dict, key: str, text: str, start: bool = False) -> None:
    if key.startswith("msgstr"):
        index = key[7:-1] if key.startswith("msgstr[") else "0"
        entry["msgstr"][index] = ("" if start else entry["msgstr"].get(index, "")) + text
    else:
        entry[key] = ("" if start else entry.get(key, "")) + text


def test_every_dutch_text_has_an_english_translation():
    entries = _entries(LOCALE / "django.po")
    assert len(entries) > 500
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    empty = [e["msgid"] for e in entries if not all(e["msgstr"].values())]
    assert not fuzzy, f"fuzzy (a guess by makemessages, not a translation): {fuzzy[:10]}"
    assert not empty, f"not translated: {empty[:10]}"


def test_the_compiled_catalogue_matches_the_po_file():
    """compilemessages was run after the last edit of django.po."""
    with (LOCALE / "django.mo").open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    for entry in _entries(LOCALE / "django.po"):
        msgid = entry["msgid"]
        if "msgctxt" in entry:
            msgid = f"{entry['msgctxt']}\x04{msgid}"
        if "msgid_plural" in entry:
            assert catalogue.ngettext(msgid, entry["msgid_plural"], 1) == entry["msgstr"]["0"]
        else:
            assert catalogue.gettext(msgid) == entry["msgstr"]["0"], msgid
