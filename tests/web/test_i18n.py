"""The translation catalogues (complete Russian, partial national languages) and language switching."""

from __future__ import annotations

import gettext
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import django
import polib
import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import reloader

from kenes.i18n_compile import LOCALE, compile_all
from kenes.i18n_merge import NATIONAL, coverage, report

PO_FILES = sorted(LOCALE.glob("*/LC_MESSAGES/*.po"))
RU_PO = LOCALE / "ru" / "LC_MESSAGES" / "django.po"
SRC = LOCALE.parent

# %(name)s and the other printf conversions; "%%" is a literal percent sign.
PERCENT = re.compile(r"%(?:\((?P<name>\w+)\))?[#0\- +]*(?:\d+|\*)?(?:\.\d+)?(?P<conv>[diouxXeEfFgGcrsa%])")
DJANGO_VARIABLE = re.compile(r"\{\{\s*([\w.]+)\s*\}\}")
BRACE = re.compile(r"(?<!\{)\{(\w*)\}(?!\})")


def _placeholders(text: str, flags: list[str]) -> Counter[str]:
    found: Counter[str] = Counter()
    for match in PERCENT.finditer(text):
        if match["conv"] == "%":
            continue
        if match["name"]:
            found[f"%({match['name']})"] += 1
        elif "python-format" in flags:
            found[f"%{match['conv']}"] += 1
    for name in DJANGO_VARIABLE.findall(text):
        found["{{" + name + "}}"] += 1
    if "python-brace-format" in flags:
        for name in BRACE.findall(text):
            found["{" + name + "}"] += 1
    return found


def _translations(entry: polib.POEntry) -> Iterator[tuple[str, str]]:
    """(source, translation) pairs of a translated entry; each plural form answers to the plural msgid."""
    if entry.msgid_plural:
        for _index, text in sorted(entry.msgstr_plural.items()):
            if text:
                yield entry.msgid_plural, text
    elif entry.msgstr:
        yield entry.msgid, entry.msgstr


@pytest.fixture(scope="module", autouse=True)
def _compiled() -> None:
    """The pages below need the .mo files (git-ignored); compile them and drop cached catalogues."""
    if compile_all():
        reloader.translation_file_changed(sender=None, file_path=RU_PO.with_suffix(".mo"))


def test_every_language_has_a_catalogue() -> None:
    from django.conf import settings

    codes = {po.parent.parent.name for po in PO_FILES}
    assert codes == {code for code, _name in settings.LANGUAGES} - {"en"}


def test_russian_is_complete() -> None:
    po = polib.pofile(str(RU_PO))
    assert not po.metadata_is_fuzzy
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert [e.msgid for e in po.obsolete_entries()] == []
    assert po.percent_translated() == 100
    assert po.metadata["Plural-Forms"].startswith("nplurals=3;")


def test_russian_plural_forms() -> None:
    with translation.override("ru"):
        forms = {
            n: translation.ngettext("%(n)s meeting", "%(n)s meetings", n) % {"n": n} for n in (1, 3, 5, 11, 21, 22)
        }
    assert forms == {
        1: "1 встреча",
        3: "3 встречи",
        5: "5 встреч",
        11: "11 встреч",
        21: "21 встреча",
        22: "22 встречи",
    }


@pytest.mark.parametrize("po_path", PO_FILES, ids=lambda p: p.parent.parent.name)
def test_catalogue_compiles_and_keeps_placeholders(po_path: Path, tmp_path: Path) -> None:
    po = polib.pofile(str(po_path))
    assert not po.metadata_is_fuzzy, "a fuzzy header is dropped when compiling, and Plural-Forms with it"
    mo_path = tmp_path / "django.mo"
    po.save_as_mofile(str(mo_path))
    with mo_path.open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    assert catalogue.info().get("language") == po_path.parent.parent.name

    wrong = []
    for entry in po.translated_entries():
        for source, text in _translations(entry):
            expected, got = _placeholders(source, entry.flags), _placeholders(text, entry.flags)
            if expected != got:
                wrong.append((entry.msgid, text, dict(expected), dict(got)))
    assert wrong == []


@pytest.mark.parametrize("po_path", PO_FILES, ids=lambda p: p.parent.parent.name)
def test_catalogue_holds_only_our_strings(po_path: Path) -> None:
    po = polib.pofile(str(po_path))
    outside = {path for entry in po for path, _line in entry.occurrences if not (SRC / path).is_file()}
    assert outside == set()


@pytest.mark.parametrize("language", NATIONAL)
def test_a_national_catalogue_has_every_message_and_djangos_plural_rule(language: str) -> None:
    """In step with the Russian catalogue (``python -m kenes.i18n_merge``), so a message can be
    translated at all; one plural rule per language, the one Django's own catalogue uses."""
    ours = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    reference = polib.pofile(str(RU_PO))
    assert {e.msgid for e in ours if not e.obsolete} == {e.msgid for e in reference if not e.obsolete}
    djangos = Path(django.__file__).parent / "conf" / "locale" / language / "LC_MESSAGES" / "django.po"
    theirs = polib.pofile(str(djangos))
    assert ours.metadata["Plural-Forms"] == theirs.metadata["Plural-Forms"]
    assert "UNREVIEWED" in ours.header
    nplurals = int(ours.metadata["Plural-Forms"].split("nplurals=")[1].split(";")[0])
    assert all(len(e.msgstr_plural) == nplurals for e in ours if e.msgid_plural)


def test_coverage_is_reported_per_language() -> None:
    line = report()
    for language in NATIONAL:
        done, total = coverage(language)
        assert f"{language} {100 * done // total}% ({done} of {total}, unreviewed)" in line


def test_placeholder_check_notices_a_broken_translation() -> None:
    entry = polib.POEntry(msgid="Private to %(state)s", msgstr="Только для %(strana)s", flags=["python-format"])
    [(source, text)] = list(_translations(entry))
    assert _placeholders(source, entry.flags) != _placeholders(text, entry.flags)
    assert _placeholders("{{ state }} and {{ n }}", []) == _placeholders("{{n}} и {{ state }}", [])


def _switch(client: Client, language: str) -> None:
    response = client.post("/i18n/setlang/", {"language": language, "next": "/"})
    assert response.status_code == 302


@pytest.mark.django_db
def test_switching_the_language() -> None:
    client = Client()
    _switch(client, "ru")
    page = client.get("/").content.decode()
    assert '<html lang="ru">' in page
    assert "Государства" in page
    assert "Консультативные встречи глав государств Центральной Азии" in page

    _switch(client, "en")
    page = client.get("/").content.decode()
    assert '<html lang="en">' in page
    assert "States" in page
    assert "Государства" not in page


@pytest.mark.django_db
def test_accept_language_header_selects_russian() -> None:
    page = Client(headers={"accept-language": "ru"}).get("/").content.decode()
    assert '<html lang="ru">' in page
    assert "Войти" in page


@pytest.mark.django_db
def test_partial_language_falls_back_to_english() -> None:
    client = Client()
    _switch(client, "uz")
    page = client.get("/").content.decode()
    assert '<html lang="uz">' in page
    assert "Davlatlar" in page
    # a message the Uzbek catalogue leaves empty reads in English, never as an empty string
    po = polib.pofile(str(LOCALE / "uz" / "LC_MESSAGES" / "django.po"))
    untranslated = [e.msgid for e in po.untranslated_entries() if not e.msgid_plural and not e.msgctxt]
    assert untranslated
    with translation.override("uz"):
        assert [translation.gettext(m) for m in untranslated] == untranslated


@pytest.mark.django_db
def test_not_found_page_in_russian() -> None:
    client = Client()
    _switch(client, "ru")
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert '<html lang="ru">' in page
    assert "Не найдено" in page
    assert "Not found" not in page


def test_every_translatable_string_in_the_source_is_in_the_russian_catalogue(tmp_path: Path) -> None:
    """A string marked for translation but missing from the catalogue shows in English on a Russian
    page: extract the source's strings afresh (makemessages on a copy) and compare."""
    import os
    import shutil
    import subprocess
    import sys

    if shutil.which("xgettext") is None:
        pytest.fail("xgettext (Debian's gettext) is needed to extract the source strings")
    copy = tmp_path / "kenes"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("*.mo", "__pycache__"))
    (copy / "locale" / "ru" / "LC_MESSAGES" / "django.po").unlink()
    env = {**os.environ, "PYTHONPATH": str(SRC.parent), "DJANGO_SETTINGS_MODULE": "kenes.settings"}
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "ru", "--no-location"],
        cwd=copy, env=env, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    extracted = polib.pofile(str(copy / "locale" / "ru" / "LC_MESSAGES" / "django.po"))
    assert len(extracted) > 500  # the extraction ran over the real source
    catalogue = {(e.msgctxt, e.msgid) for e in polib.pofile(str(RU_PO)) if e.translated()}
    missing = sorted(e.msgid for e in extracted if (e.msgctxt, e.msgid) not in catalogue)
    assert missing == []
