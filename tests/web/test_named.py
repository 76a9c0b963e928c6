"""Names that exist in one language only carry it (issue 14): the sources give formats and documents
English names, so a Russian page marks them ``lang="en"`` instead of passing them off as Russian."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from kenes.meetings.models import Document, Format, Meeting
from kenes.people.demo import DEMO_MEETING
from tests.conftest import login

pytestmark = pytest.mark.django_db


def _page(client: Client, path: str, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(path)
    assert response.status_code == 200, path
    return html.unescape(response.content.decode())


def _marked(page: str, text: str, language: str) -> bool:
    return re.search(rf'<span lang="{language}">{re.escape(text)}</span>', page) is not None


def test_an_english_format_name_is_marked_on_russian_pages() -> None:
    fmt = Format.objects.get(code="ca_foreign_ministers")
    assert not fmt.name_ru  # the data has no Russian name; if it gets one, this test must change
    client = Client()
    for path in ("/formats/", f"/formats/{fmt.code}/"):
        assert _marked(_page(client, path, "ru"), fmt.name_en, "en"), path
        assert not _marked(_page(client, path, "en"), fmt.name_en, "en"), path


def test_document_titles_and_meeting_titles_from_the_format_are_marked() -> None:
    meeting = Meeting.objects.get(code="ca_heads_of_state-IV")
    document = Document.objects.filter(meeting=meeting, classification="public").first()
    assert document is not None
    client = Client()
    page = _page(client, f"/meetings/{meeting.code}/", "ru")
    assert _marked(page, document.title_en, "en")
    assert _marked(page, f"{meeting.format.name_en} {meeting.ordinal}", "en")
    assert _marked(_page(client, f"/documents/{document.code}/", "ru"), document.title_en, "en")
    assert not _marked(_page(client, f"/meetings/{meeting.code}/", "en"), document.title_en, "en")


def test_a_russian_title_is_marked_on_english_pages(accounts: dict[str, Any]) -> None:
    meeting = Meeting.objects.get(code=DEMO_MEETING)
    meeting.title_en, meeting.title_ru = "", "ДЕМО: встреча министров (вымышленная)"
    meeting.save(update_fields=["title_en", "title_ru"])
    client = login(Client(), accounts["secretariat"])
    assert _marked(_page(client, f"/meetings/{meeting.code}/", "en"), meeting.title_ru, "ru")
    assert not _marked(_page(client, f"/meetings/{meeting.code}/", "ru"), meeting.title_ru, "ru")
