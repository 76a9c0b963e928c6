"""Sources on public pages are linked outlet names, never file names or bare ids ("S13"); the
research notes, which exist only in English, carry lang="en" and a quiet "English source" label
(issue 14)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils.html import strip_tags

from kenes.states.models import Source

pytestmark = pytest.mark.django_db

PAGES = [
    "/meetings/ca_heads_of_state-IV/",
    "/states/KZ/",
    "/states/RU/",
    "/formats/ca_heads_of_state/",
    "/formats/ca_foreign_ministers/",
    "instruction",  # the proposal of 2022 that the follow-up shows
]
INTERNAL = re.compile(r"\bS\d{1,3}\b|\b[a-z0-9_-]+\.(?:csv|json|tab)\b|\b(?:text|name)_(?:ru|en)\b|seed article")


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("path", PAGES)
def test_public_pages_name_outlets_not_ids_or_files(path: str, language: str) -> None:
    client = Client()
    client.cookies["django_language"] = language
    if path == "instruction":
        from kenes.decisions.models import Instruction

        path = f"/instructions/{Instruction.objects.filter(proposal__isnull=False).first().pk}/"  # type: ignore[union-attr]
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    words = strip_tags(html)
    assert INTERNAL.findall(words) == [], path
    assert re.search(r'<a href="https?://[^"]+" rel="noopener noreferrer">[^<S][^<]*</a>', html), path


def test_a_note_is_english_labelled_in_the_readers_language_with_its_sources_linked() -> None:
    client = Client()
    client.cookies["django_language"] = "ru"
    html = client.get("/states/RU/").content.decode()
    note = re.search(
        r'<p class="note" lang="en"><span class="muted small" lang="ru">(.*?):</span>(.*?)</p>', html, re.S
    )
    assert note is not None
    assert note.group(1) == "источник на английском"
    tass = Source.objects.get(code="S13")
    name, url = tass.links[0]
    assert f'(<a href="{url}" rel="noopener noreferrer">{name}</a>)' in note.group(2)


def test_the_sources_cadence_wording_is_marked_english_on_a_russian_page() -> None:
    client = Client()
    client.cookies["django_language"] = "ru"
    for path in ("/formats/", "/formats/ca_foreign_ministers/"):
        html = client.get(path).content.decode()
        assert '<span lang="en">regular (agreed 2021); at least once every six months (proposed 2022)</span>' in html
        assert "(источник на английском)" in html


def test_the_links_of_a_source() -> None:
    one = Source(code="S1", title="euractiv.com", urls="https://www.euractiv.com/x\n")
    assert one.links == [("euractiv.com", "https://www.euractiv.com/x")]
    two = Source(code="S2", title="24.kg; iica.uz", urls="https://24.kg/a\nhttps://iica.uz/b")
    assert two.links == [("24.kg", "https://24.kg/a"), ("iica.uz", "https://iica.uz/b")]
    hosts = Source(code="S3", title="a report", urls="https://www.example.org/a\nhttps://example.net/b")
    assert hosts.links == [("example.org", "https://www.example.org/a"), ("example.net", "https://example.net/b")]
    bare = Source(code="S4", title="UN M49 standard", urls="")
    assert bare.links == [("UN M49 standard", "")]
    local = Source(code="S5", title="repo owner/codes, data/iso_3166-1.json; local copy (/usr/share/x)", urls="")
    assert local.links == [("repo owner/codes", "")]
