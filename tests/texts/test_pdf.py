"""PDF export of a text: the classification marking at the top and bottom of every page, page
numbers, Cyrillic in an embedded font, one language or two side by side, the access policy (404)
and an audit trace of every export of protected material.

The PDF's words are read back with a small extractor below (fpdf2 writes text as glyph ids; the
font's ToUnicode map turns them back into characters), from an uncompressed rendering."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from kenes.audit.models import AuditEvent
from kenes.meetings.models import Format, Meeting
from kenes.texts import actions, pdf
from kenes.texts.models import Text
from tests.conftest import login
from tests.texts.test_api_texts import _bearer
from tests.texts.test_negotiation import _all_support, _resolve_bracket, people, text  # noqa: F401

MARKING = "PARTICIPANTS ONLY — DEMO joint statement (fictional)"


# --- Reading a PDF back -----------------------------------------------------------------------


def _objects(data: bytes) -> dict[int, bytes]:
    """Every indirect object's bytes, found through the cross-reference table."""
    xref_at = int(data[data.rindex(b"startxref") + 9 :].split()[0])
    lines = data[xref_at:].split(b"\n")
    assert lines[0].strip() == b"xref"
    first, count = (int(n) for n in lines[1].split())
    offsets = {first + i: int(lines[2 + i][:10]) for i in range(count) if lines[2 + i][17:18] == b"n"}
    ordered = sorted(offsets.items(), key=lambda item: item[1])
    ends = [offset for _n, offset in ordered[1:]] + [xref_at]
    return {number: data[offset:end] for (number, offset), end in zip(ordered, ends, strict=True)}


def _stream(raw: bytes) -> bytes:
    length = int(re.search(rb"/Length (\d+)", raw)[1])  # type: ignore[index]
    start = raw.index(b"stream\n") + len(b"stream\n")
    return raw[start : start + length]


def _cmap(stream: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
        for code, target in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(code, 16)] = bytes.fromhex(target.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", stream, re.S):
        for low, high, target in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            for offset in range(int(high, 16) - int(low, 16) + 1):
                mapping[int(low, 16) + offset] = chr(int(target, 16) + offset)
    return mapping


_ESCAPES = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}
_FONT = re.compile(rb"/(F\d+)\s+[\d.]+\s+Tf")


def _strings(content: bytes) -> Iterator[tuple[bytes, bytes | None]]:
    """(font, string) for every literal string drawn in a content stream; (font, None) at the end of
    each text object (``ET``), so that the pieces of one line can be joined."""
    font, i = b"", 0
    while i < len(content):
        if content[i : i + 1] == b"/" and (match := _FONT.match(content, i)):
            font, i = match[1], match.end()
            continue
        if content[i : i + 2] == b"ET" and content[i - 1 : i] in b" \n" and content[i + 2 : i + 3] in b" \n":
            yield font, None
            i += 2
            continue
        if content[i : i + 1] != b"(":
            i += 1
            continue
        depth, i, out = 1, i + 1, bytearray()
        while True:
            ch = content[i]
            if ch == 0x5C:
                following = content[i + 1]
                if chr(following) in "01234567":
                    digits = re.match(rb"[0-7]{1,3}", content[i + 1 : i + 4])[0]  # type: ignore[index]
                    out.append(int(digits, 8))
                    i += 1 + len(digits)
                    continue
                out += _ESCAPES.get(following, bytes([following]))
                i += 2
                continue
            if ch == ord("("):
                depth += 1
            elif ch == ord(")"):
                depth -= 1
                if not depth:
                    break
            out.append(ch)
            i += 1
        i += 1
        yield font, bytes(out)


def pages_text(data: bytes) -> list[str]:
    """The text drawn on each page, in order; each drawn string on a line of its own."""
    objects = _objects(data)
    pages_object = next(raw for raw in objects.values() if re.search(rb"/Type /Pages\b", raw))
    kids = [int(n) for n in re.findall(rb"(\d+) 0 R", re.search(rb"/Kids \[([^\]]*)\]", pages_object)[1])]  # type: ignore[index]
    result = []
    for kid in kids:
        page = objects[kid]
        resources = objects[int(re.search(rb"/Resources (\d+) 0 R", page)[1])]  # type: ignore[index]
        fonts = {}
        for name, number in re.findall(rb"/(F\d+) (\d+) 0 R", resources):
            to_unicode = int(re.search(rb"/ToUnicode (\d+) 0 R", objects[int(number)])[1])  # type: ignore[index]
            fonts[name] = _cmap(_stream(objects[to_unicode]))
        content = _stream(objects[int(re.search(rb"/Contents (\d+) 0 R", page)[1])])  # type: ignore[index]
        lines, line = [], ""
        for font, raw in _strings(content):
            if raw is None:
                if line:
                    lines.append(line)
                line = ""
                continue
            codes = [int.from_bytes(raw[k : k + 2], "big") for k in range(0, len(raw) - 1, 2)]
            line += "".join(fonts[font].get(code, "\ufffd") for code in codes)
        result.append("\n".join([*lines, line] if line else lines))
    return result


# --- The export ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_long_text_has_the_marking_at_top_and_bottom_of_every_page(text: Text, people: dict[str, Any]) -> None:  # noqa: F811
    for number in range(118):
        actions.add_unit(people["secretariat"], text, kind="operative", content=(
            f"Министры иностранных дел проводят консультации по вопросу {number} (демо) и докладывают главам "
            "государств о ходе выполнения решений [в установленный срок {KZ} | ежегодно {TM}]."
        ))  # fmt: skip
    text.refresh_from_db()
    data = pdf.render(text, languages=["ru"], compress=False)
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert b"NotoSans" in data and b"/FontFile2" in data  # the font is embedded
    pages = pages_text(data)
    assert len(pages) >= 5
    for number, page in enumerate(pages, start=1):
        lines = page.splitlines()
        assert lines[0] == MARKING and lines[-2] == MARKING, f"page {number}"  # header, footer
        assert lines[-1] == f"Page {number} of {len(pages)}"
        assert page.count(MARKING) == 2
    whole = "\n".join(pages)
    assert whole.count("Министры иностранных дел проводят консультации") == 118  # Cyrillic, every unit
    assert "Ministers meet [at least once every six months {KZ,UZ} | annually {TM}]." in whole  # brackets as typed
    assert "Draft under negotiation; 119 open brackets" in whole
    assert "machine" not in whole.lower() and "official" not in whole.lower()


@pytest.mark.django_db
def test_side_by_side_shows_both_languages(text: Text, people: dict[str, Any]) -> None:  # noqa: F811
    pp1 = text.units.get(uid="PP1")
    actions.edit_unit(people["secretariat"], pp1, language="en", content="Recalling the IV meeting (demo),")
    actions.edit_unit(people["secretariat"], pp1, language="ru", content="Ссылаясь на IV встречу (демо),")
    text.refresh_from_db()
    pages = pages_text(pdf.render(text, languages=["ru", "en"], compress=False))
    whole = "\n".join(pages)
    assert "Русский" in whole and "English" in whole  # the column headings
    assert "Ссылаясь на IV встречу (демо)," in whole and "Recalling the IV meeting (demo)," in whole
    assert "Out of date: this paragraph changed in another language" in whole  # English is stale now
    assert "No text in this language yet." in whole  # OP1 has no English
    single = "\n".join(pages_text(pdf.render(text, languages=["en"], compress=False)))
    assert "Recalling the IV meeting (demo)," in single and "Ссылаясь" not in single


@pytest.mark.django_db
def test_an_adopted_text_shows_its_hashes_and_signatures(text: Text, people: dict[str, Any]) -> None:  # noqa: F811
    _resolve_bracket(people, text)
    _all_support(people, text)
    actions.adopt_by_consensus(people["secretariat"], text)
    text.refresh_from_db()
    actions.sign(people["uz"], text)
    whole = "\n".join(pages_text(pdf.render(text, languages=["ru"], compress=False)))
    assert "Adopted by consensus at a meeting on" in whole
    assert text.adopted_hashes["ru"] in whole
    assert "Uzbekistan" in whole and "Dilnoza Demo-Focal" in whole and "hashes match" in whole
    assert "[" not in whole.split("Adopted and frozen")[1]  # no brackets left


@pytest.mark.django_db
def test_download_is_audited_and_guests_get_404(text: Text, people: dict[str, Any]) -> None:  # noqa: F811
    members_only = actions.create_text(
        people["secretariat"], fmt=Format.objects.get(code="ca_foreign_ministers"),
        meeting=Meeting.objects.get(code="demo-fm-2027"), code="demo-members-pdf", title="DEMO members text (pdf)",
        kind="concept", classification="members", languages=["ru", "en"], units=[{"content": "Текст (демо)."}],
    )  # fmt: skip
    kz, guest = _bearer(people["kz"]), _bearer(people["cn"])
    before = AuditEvent.objects.filter(verb="text.exported").count()
    for url in (f"/texts/{members_only.code}/pdf/", f"/api/v1/texts/{members_only.code}/pdf"):
        response = guest.get(url)
        assert response.status_code == 404, url
        assert b"%PDF" not in response.content and "DEMO members text" not in response.content.decode()
        assert Client().get(url).status_code == 404
    assert AuditEvent.objects.filter(verb="text.exported").count() == before

    response = kz.get(f"/api/v1/texts/{members_only.code}/pdf?languages=ru,en")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="demo-members-pdf-v1-ru-en.pdf"'
    event = AuditEvent.objects.filter(verb="text.exported").order_by("-seq").first()
    assert event is not None and event.actor_id == people["kz"].pk and event.target_id == str(members_only.pk)
    assert event.data["languages"] == ["ru", "en"] and event.data["classification"] == "members"

    page = login(Client(), people["cn"]).get(f"/texts/{text.code}/pdf/?language=en")  # participants: guests read it
    assert page.status_code == 200 and page["Content-Disposition"].startswith("attachment;")
    assert AuditEvent.objects.filter(verb="text.exported").count() == before + 2

    bad = kz.get(f"/api/v1/texts/{text.code}/pdf?languages=ru,fr")
    assert bad.status_code == 400 and bad.json()["field"] == "languages"
    assert login(Client(), people["kz"]).get(f"/texts/{text.code}/pdf/?language=fr").status_code == 400


@pytest.mark.django_db
def test_a_public_text_is_marked_public(people: dict[str, Any]) -> None:  # noqa: F811
    public = actions.create_text(
        people["secretariat"], fmt=Format.objects.get(code="ca_foreign_ministers"), code="demo-public-pdf",
        title="DEMO public text (pdf)", kind="communique", classification="public",
        units=[{"content": "Public words (demo)."}],
    )  # fmt: skip
    before = AuditEvent.objects.filter(verb="text.exported").count()
    response = Client().get(f"/texts/{public.code}/pdf/")
    assert response.status_code == 200
    pages = pages_text(pdf.render(public, languages=["ru"], compress=False))
    assert all(page.splitlines()[0] == page.splitlines()[-2] == "Public" for page in pages)
    assert "MEMBERS ONLY" not in "\n".join(pages) and "PARTICIPANTS ONLY" not in "\n".join(pages)
    assert AuditEvent.objects.filter(verb="text.exported").count() == before  # public: not traced
