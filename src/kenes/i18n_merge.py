"""The national catalogues (kk, ky, tg, tk, uz) kept in step with the Russian one, and their coverage.

``python -m kenes.i18n_merge`` gives each national catalogue every message of the Russian catalogue
(the complete one, so the reference for what exists), keeps the translations it has, drops messages
no longer used, and fills an empty message from Django's own catalogue of that language where
Django has the very same English message ("Password", "Search", month names). Those are marked with
a translator comment naming where they came from; nothing is machine-translated or invented, and
the catalogue's header says that no native speaker has reviewed it.

``python -m kenes.i18n_merge --coverage`` prints how much of each language is translated (``./dev
test`` does this).
"""

from __future__ import annotations

import sys
from pathlib import Path

import django
import polib

from kenes.i18n_compile import LOCALE

NATIONAL = ("kk", "ky", "tg", "tk", "uz")
FROM_DJANGO = "from Django's catalogue"


def _django_messages(language: str) -> dict[tuple[str, str], polib.POEntry]:
    """Django's translated messages of one language, by (context, msgid); the first catalogue wins."""
    root = Path(django.__file__).resolve().parent
    found: dict[tuple[str, str], polib.POEntry] = {}
    for path in sorted(root.glob(f"**/locale/{language}/LC_MESSAGES/django*.po")):
        for entry in polib.pofile(str(path)).translated_entries():
            if "fuzzy" not in entry.flags:
                found.setdefault((entry.msgctxt or "", entry.msgid), entry)
    return found


def _catalogue(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def merge(language: str) -> tuple[int, int]:
    """Bring one national catalogue in step; answers (translated, total)."""
    reference = polib.pofile(str(_catalogue("ru")))
    path = _catalogue(language)
    own = polib.pofile(str(path))
    kept = {(e.msgctxt or "", e.msgid): e for e in own if not e.obsolete}
    django_has = _django_messages(language)
    merged = polib.POFile(wrapwidth=own.wrapwidth)
    merged.header = own.header
    merged.metadata = own.metadata
    nplurals = int(own.metadata["Plural-Forms"].split("nplurals=")[1].split(";")[0])
    for source in reference:
        if source.obsolete:
            continue
        key = (source.msgctxt or "", source.msgid)
        old = kept.get(key)
        entry = polib.POEntry(
            msgid=source.msgid,
            msgid_plural=source.msgid_plural,
            msgctxt=source.msgctxt,
            occurrences=source.occurrences,
            flags=[f for f in source.flags if f != "fuzzy"],
            comment=old.comment if old else "",
        )
        if source.msgid_plural:
            entry.msgstr_plural = dict.fromkeys(range(nplurals), "")
        if old is not None and (old.msgstr or any(old.msgstr_plural.values())):
            entry.msgstr = old.msgstr
            if source.msgid_plural:
                entry.msgstr_plural = dict(old.msgstr_plural)
        elif key in django_has:
            theirs = django_has[key]
            if bool(theirs.msgid_plural) == bool(source.msgid_plural) and theirs.msgid_plural == source.msgid_plural:
                entry.msgstr = theirs.msgstr
                if source.msgid_plural:
                    entry.msgstr_plural = {i: theirs.msgstr_plural.get(i, "") for i in range(nplurals)}
                entry.comment = FROM_DJANGO
        merged.append(entry)
    merged.save(str(path))
    return coverage(language)


def coverage(language: str) -> tuple[int, int]:
    po = polib.pofile(str(_catalogue(language)))
    live = [e for e in po if not e.obsolete]
    return len([e for e in live if e.translated()]), len(live)


def report() -> str:
    lines = []
    for language in NATIONAL:
        done, total = coverage(language)
        lines.append(f"{language} {100 * done // max(total, 1)}% ({done} of {total}, unreviewed)")
    return "translated: ru 100%, en source; " + "; ".join(lines)


if __name__ == "__main__":
    if "--coverage" not in sys.argv:
        for code in NATIONAL:
            merge(code)
    print(report())
