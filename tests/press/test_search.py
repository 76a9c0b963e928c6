"""Search of published releases on either database (issue 12, item 6): whole and prefix words in
Russian and English, the headline ranked before the body, drafts and edits kept in step with the
index, and any query a reader can type answered without an error."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kenes.press import actions
from kenes.press.search import search

pytestmark = pytest.mark.django_db


def _published(sec: Any, **fields: Any) -> Any:
    release = actions.create_release(sec, **fields)
    actions.publish_release(sec, release)
    return release


def test_words_and_their_beginnings_are_found_in_either_language(sec: Any) -> None:
    ru = _published(sec, headline="Министры обсудили водные ресурсы (тест)", body="Встреча (тест).", language="ru")
    en = _published(sec, headline="Ministers discussed water (test)", body="A fictional meeting.", language="en")
    assert ru in search("министры", "ru") and ru in search("МИНИСТРЫ водные", "ru")
    assert ru in search("министр", "ru")  # the beginning of a word
    assert en in search("minister", "en") and en in search("WATER", "en")
    assert en not in search("министры", "ru") and ru not in search("water", "en")
    assert ru not in search("министры пустыня", "ru")  # every word must be found


def test_the_headline_ranks_before_the_body(sec: Any) -> None:
    # The older one first: newest-first order alone would put it last.
    in_headline = _published(sec, headline="Glacier monitoring agreed (test)", body="Nothing else.", language="en")
    in_body = _published(sec, headline="Quarterly note (test)", body="Glacier monitoring was mentioned.", language="en")
    found = list(search("glacier", "en"))
    assert found.index(in_headline) < found.index(in_body)


def test_drafts_never_and_edits_at_once(sec: Any) -> None:
    draft = actions.create_release(sec, headline="Zeppelin draft (test)", language="en")
    assert draft not in search("zeppelin", "en")
    release = _published(sec, headline="Aurora borealis (test)", language="en")
    assert release in search("aurora", "en")
    version = release.versions.get(language="en")
    version.headline = "Midnight sun (test)"
    version.save()
    assert release not in search("aurora", "en") and release in search("midnight", "en")


@pytest.mark.parametrize("query", ['"', "*", "-", "OR", "NEAR(", "'", "a:b", '""', "^", "😀", "x" * 100, "a AND"])
def test_any_query_is_answered(client: Client, query: str) -> None:
    assert list(search(query, "en")) == list(search(query, "en"))  # runs, whatever FTS5 or tsquery makes of it
    assert client.get("/news/", {"q": query}).status_code == 200
    assert client.get("/api/v1/releases", {"q": query}).status_code == 200


def test_an_overlong_query_is_refused_by_the_api_and_cut_by_the_page(client: Client) -> None:
    refused = client.get("/api/v1/releases", {"q": "x" * 500})
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"][-1] == "q"
    assert client.get("/news/", {"q": "x" * 500}).status_code == 200
