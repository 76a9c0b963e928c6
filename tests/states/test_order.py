"""Lists of states follow the alphabet of the reader's language (issue 14): Китай comes before
Кыргызстан in Russian, China before Kazakhstan in English."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from kenes.states.models import State
from kenes.states.queries import by_name
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_state_list_is_in_the_readers_alphabet(language: str) -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get("/states/").content.decode()
    shown = re.findall(r'<a href="/states/([A-Z]{2})/">', page)
    with translation.override(language):
        expected = [s.iso2 for s in sorted(State.objects.all(), key=lambda s: s.name.casefold())]
    assert shown == expected
    assert len(shown) == State.objects.count()


def test_the_two_alphabets_differ_where_the_names_do() -> None:
    with translation.override("ru"):
        russian = [s.iso2 for s in by_name(State.objects.all())]
    with translation.override("en"):
        english = [s.iso2 for s in by_name(State.objects.all())]
    assert russian.index("CN") > russian.index("KZ") and english.index("CN") < english.index("KZ")


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_new_meetings_host_choices_are_in_the_readers_alphabet(accounts: dict[str, Any], language: str) -> None:
    client = login(Client(), accounts["secretariat"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get("/formats/ca_foreign_ministers/new-meeting/").content.decode()
    select = re.search(r'<select id="id_country".*?</select>', page, re.S)
    assert select is not None
    shown = re.findall(r'<option value="([A-Z]{2})"', select.group(0))
    with translation.override(language):
        assert shown == [s.iso2 for s in by_name(State.objects.all())]
