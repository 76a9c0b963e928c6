"""Search (issue 15, item 1): what a reader finds, that the index follows the actions, and the
canary: a guest's or an anonymous search never returns or counts what the policy hides."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from kenes.meetings import actions as meeting_actions
from kenes.meetings.models import Meeting
from kenes.people.demo import DEMO_DRAFT_TEXT, DEMO_MEETING
from kenes.search import engine
from kenes.search.index import KINDS
from kenes.search.models import Entry
from kenes.texts import actions as text_actions
from kenes.texts.models import Text
from tests.conftest import login, verified

pytestmark = pytest.mark.django_db


def _found(account: Any, query: str, **filters: Any) -> set[tuple[str, int]]:
    results = engine.search(account, query, engine.Filters(**filters), limit=100)
    return {(h.kind, h.object_id) for h in results.hits}


def _hidden_from(account: Any) -> list[tuple[str, int, str]]:
    """Every indexed object the policy hides from ``account``, with its title."""
    hidden = []
    for name, kind in KINDS.items():
        ids = set(Entry.objects.filter(kind=name).values_list("object_id", flat=True))
        readable = set(
            kind.readable(account, kind.model()._default_manager.filter(pk__in=ids)).values_list("pk", flat=True)
        )
        for pk in ids - readable:
            title = Entry.objects.filter(kind=name, object_id=pk).values_list("title", flat=True).first() or ""
            hidden.append((name, pk, title))
    return hidden


def _longest_word(title: str) -> str:
    return max(re.findall(r"\w+", title) or [""], key=len)


@pytest.mark.parametrize("who", ["anonymous", "ru", "cn"])
def test_a_guest_or_anonymous_search_never_returns_or_counts_hidden_material(
    accounts: dict[str, Any], who: str
) -> None:
    from django.contrib.auth.models import AnonymousUser

    account = AnonymousUser() if who == "anonymous" else verified(accounts[who])
    hidden = _hidden_from(account)
    assert hidden, "the demo holds material this reader may not see"
    # The words of a member-only title, searched for by the reader it is hidden from.
    for kind, pk, title in hidden:
        word = _longest_word(title)
        results = engine.search(account, word, limit=100)
        assert (kind, pk) not in {(h.kind, h.object_id) for h in results.hits}, (kind, title)
        # The counts are over what is shown: nothing hidden is counted.
        assert sum(results.counts.values()) == len(results.hits) or len(results.hits) == 100


def test_the_secretariat_finds_what_a_guest_may_not(accounts: dict[str, Any]) -> None:
    text = Text.objects.get(code=DEMO_DRAFT_TEXT)
    assert text.classification != "public"
    word = _longest_word(text.title)
    assert ("text", text.pk) in _found(verified(accounts["secretariat"]), word)
    from django.contrib.auth.models import AnonymousUser

    assert ("text", text.pk) not in _found(AnonymousUser(), word)


def test_a_paragraph_is_found_in_each_language_version_and_the_index_follows_the_edit(
    accounts: dict[str, Any],
) -> None:
    text = Text.objects.get(code=DEMO_DRAFT_TEXT)
    unit = text.units.filter(removed=False).first()
    assert unit is not None
    reader = verified(accounts["secretariat"])
    assert ("text", text.pk) not in _found(reader, "Zwoelfkantig")
    text_actions.edit_unit("test", unit, language="ru", content="Пример зелёной энергетики Zwoelfkantig (демо).")
    text_actions.edit_unit("test", unit, language="en", content="A green-energy example Quaternion (demo).")
    assert ("text", text.pk) in _found(reader, "Zwoelfkantig")
    assert ("text", text.pk) in _found(reader, "энергетик")  # a prefix of the Russian word
    assert ("text", text.pk) in _found(reader, "quaternion")  # case folded
    # The old wording is no longer found: the row was rewritten, not added to.
    text_actions.edit_unit("test", unit, language="ru", content="Иная редакция (демо).")
    assert ("text", text.pk) not in _found(reader, "Zwoelfkantig")


def test_an_agenda_item_is_found_once_added_and_not_once_removed(accounts: dict[str, Any]) -> None:
    meeting = Meeting.objects.get(code=DEMO_MEETING)
    item = meeting_actions.add_agenda_item("test", meeting, title="Xylophonic corridors (demo)")
    reader = verified(accounts["secretariat"])
    assert ("agenda", item.pk) in _found(reader, "xylophonic")
    meeting_actions.remove_agenda_item("test", item)
    assert ("agenda", item.pk) not in _found(reader, "xylophonic")


def test_filters_narrow_the_results_and_the_counts_stay_per_kind(accounts: dict[str, Any]) -> None:
    reader = verified(accounts["secretariat"])
    everything = engine.search(reader, "Central Asia", limit=100)
    kinds = {h.kind for h in everything.hits}
    assert len(kinds) >= 2, kinds
    one = sorted(kinds)[0]
    narrowed = engine.search(reader, "Central Asia", engine.Filters(kind=one), limit=100)
    assert narrowed.hits and {h.kind for h in narrowed.hits} == {one}
    assert narrowed.counts == everything.counts  # the tabs show every kind's count
    year = next(e.year for e in Entry.objects.filter(year__isnull=False))
    for hit in engine.search(reader, "Central Asia", engine.Filters(year=year), limit=100).hits:
        assert Entry.objects.filter(kind=hit.kind, object_id=hit.object_id, year=year).exists()


def test_snippets_mark_the_query_words() -> None:
    snippet, marks = engine.highlight("Министры иностранных дел встречаются раз в полгода.", ["министр"])
    assert [snippet[a:b] for a, b in marks] == ["Министры"]
    long = "слово " * 100 + "цель " + "слово " * 100
    snippet, marks = engine.highlight(long, ["цель"])
    assert snippet.startswith("…") and snippet.endswith("…") and [snippet[a:b] for a, b in marks] == ["цель"]


@pytest.mark.parametrize(("language", "heading"), [("ru", "Поиск"), ("en", "Search")])
def test_the_search_page_in_the_readers_language(accounts: dict[str, Any], language: str, heading: str) -> None:
    client = login(Client(), accounts["secretariat"])
    response = client.get("/search/", {"q": "Central Asia"}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    page = response.content.decode()
    assert f"<h1>{heading}</h1>" in page
    assert "<mark>" in page
    assert 'role="search"' in page  # the header's box


@pytest.mark.parametrize(
    ("params", "field"),
    [({"kind": "secrets"}, "kind"), ({"year": "20x6"}, "year"), ({"classification": "top"}, "classification")],
)
def test_bad_filters_are_refused_on_the_page_and_in_the_api(params: dict[str, str], field: str) -> None:
    page = Client().get("/search/", {"q": "Asia", **params}, HTTP_ACCEPT_LANGUAGE="ru")
    assert page.status_code == 400
    assert 'role="alert"' in page.content.decode()
    api = Client().get("/api/v1/search", {"q": "Asia", **params})
    assert api.status_code == 400
    assert api.json()["field"] == field


def test_the_api_answers_like_the_page(accounts: dict[str, Any]) -> None:
    response = Client().get("/api/v1/search", {"q": "Central Asia"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == sum(body["counts"].values()) >= 1
    hit = body["results"][0]
    assert hit["kind"] in KINDS and hit["url"].startswith("/")
    assert all(0 <= a < b <= len(hit["snippet"]) for a, b in hit["marks"])
    assert Client().get("/api/v1/search", {"q": "x" * 201}).status_code == 422
