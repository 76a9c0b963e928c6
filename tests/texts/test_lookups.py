"""One lookup per child object, asked by the page and the API alike (``texts.queries``): a missing
paragraph or amendment and one the reader may not know of are the same 404 on both surfaces; a
paragraph named in a form field is a 400 on that field; and a rule that lives in the action refuses
the same bad input with the same words on the page and in the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from kenes.texts import actions
from kenes.texts.models import Amendment, Text
from kenes.texts.queries import silence_zones
from tests.texts.test_api_texts import _bearer, _send
from tests.texts.test_pages_texts import (  # noqa: F401  (fixtures)
    _as,
    _make_text,
    _resolve_and_agree,
    client_for,
    people,
    text,
)

pytestmark = pytest.mark.django_db

NO_PARAGRAPH = "There is no such paragraph in this text."


def _amendment(people: dict[str, Any], text: Text) -> Amendment:  # noqa: F811
    return actions.propose_amendment(
        _as(people, "kz"), text.units.get(uid="OP1"), kind="replace", content="Ministers meet annually.", reason="Demo."
    )


def test_a_missing_paragraph_and_one_of_another_text_are_404_on_both_surfaces(
    client_for: Any,  # noqa: F811
    people: dict[str, Any],  # noqa: F811
    text: Text,  # noqa: F811
) -> None:
    other = _make_text(people, code="test-other", units=[{"kind": "operative", "content": "Only one."}])
    assert not other.units.filter(uid="PP1").exists() and text.units.filter(uid="PP1").exists()
    page, api = client_for("kz"), _bearer(people["kz"])
    for uid in ("NOPE", "PP1"):  # PP1 is a paragraph, but of the other text
        assert page.post(f"/texts/{other.code}/units/{uid}/comment/", {"body": "Hi."}).status_code == 404
        assert (
            _send(api, "post", f"/api/v1/texts/{other.code}/units/{uid}/comments", {"body": "Hi."}).status_code == 404
        )
        response = _send(api, "post", f"/api/v1/texts/{other.code}/units/{uid}/positions", {"stance": "support"})
        assert response.status_code == 404
        assert page.post(f"/texts/{other.code}/units/{uid}/position/", {"stance": "support"}).status_code == 404


def test_a_missing_amendment_and_one_on_a_hidden_text_are_404_on_both_surfaces(
    client_for: Any,  # noqa: F811
    people: dict[str, Any],  # noqa: F811
    text: Text,  # noqa: F811
) -> None:
    hidden = _make_text(people, code="test-members-only", classification="members")
    amendment = _amendment(people, hidden)
    page, api = client_for("ru"), _bearer(people["ru"])  # a guest: never reads a members-only text
    for pk in (amendment.pk, amendment.pk + 1000):
        assert page.post(f"/texts/{text.code}/amendments/{pk}/withdraw/").status_code == 404
        assert page.post(f"/texts/{text.code}/amendments/{pk}/decide/", {"decision": "accept"}).status_code == 404
        assert _send(api, "post", f"/api/v1/amendments/{pk}/withdraw").status_code == 404
        assert _send(api, "post", f"/api/v1/amendments/{pk}/decision", {"accept": True}).status_code == 404
    # the delegation that proposed it finds it on its own text, on both surfaces
    mine = _amendment(people, text)
    kz = _bearer(people["kz"])
    assert client_for("kz").post(f"/texts/{hidden.code}/amendments/{mine.pk}/withdraw/").status_code == 404
    assert _send(kz, "post", f"/api/v1/amendments/{mine.pk}/withdraw").status_code == 200


def test_a_paragraph_named_in_a_field_is_a_400_on_that_field_on_both_surfaces(
    client_for: Any,  # noqa: F811
    people: dict[str, Any],  # noqa: F811
    text: Text,  # noqa: F811
) -> None:
    page, api = client_for("kz"), _bearer(people["kz"])
    response = page.post(f"/texts/{text.code}/notes/", {"body": "Ours.", "unit": "NOPE"})
    assert response.status_code == 400 and NO_PARAGRAPH in response.content.decode()
    response = _send(api, "post", f"/api/v1/texts/{text.code}/notes", {"body": "Ours.", "unit": "NOPE"})
    assert response.status_code == 400 and response.json() == {"detail": NO_PARAGRAPH, "field": "unit"}

    chair, chair_api = client_for("secretariat"), _bearer(people["secretariat"])
    response = chair.post(f"/texts/{text.code}/units/add/", {"kind": "operative", "content": "New.", "after": "NOPE"})
    assert response.status_code == 400 and NO_PARAGRAPH in response.content.decode()
    body = {"kind": "operative", "content": "New.", "after": "NOPE"}
    response = _send(chair_api, "post", f"/api/v1/texts/{text.code}/units", body)
    assert response.status_code == 400 and response.json() == {"detail": NO_PARAGRAPH, "field": "after"}
    assert text.units.count() == 2


@pytest.mark.parametrize("code", ["new", "ab"])
def test_the_code_rule_is_the_actions_on_both_surfaces(
    code: str,
    client_for: Any,  # noqa: F811
    people: dict[str, Any],  # noqa: F811
) -> None:
    refusal = "A code has 3 to 100 small Latin letters, digits and hyphens, e.g. fm-2027-statement."
    page = client_for("secretariat").post("/texts/new/", {
        "title": "DEMO (fictional)", "code": code, "kind": "concept", "format": "ca_foreign_ministers",
        "draft": "Text.",
    })  # fmt: skip
    assert page.status_code == 400 and refusal in page.content.decode()
    api = _send(_bearer(people["secretariat"]), "post", "/api/v1/texts", {
        "code": code, "title": "DEMO (fictional)", "kind": "concept", "format": "ca_foreign_ministers",
        "units": [{"content": "Text."}],
    })  # fmt: skip
    if len(code) < 3:  # the schema publishes the same pattern and length: pydantic refuses first
        assert api.status_code == 422
    else:
        assert api.status_code == 400 and api.json() == {"detail": refusal, "field": "code"}
    assert not Text.objects.filter(code=code).exists()


@pytest.mark.clock
def test_the_silence_zones_are_the_member_states_on_both_surfaces(
    client_for: Any,  # noqa: F811
    people: dict[str, Any],  # noqa: F811
    text: Text,  # noqa: F811
) -> None:
    zones = silence_zones(text)
    assert {"Asia/Almaty", "Asia/Bishkek", "Asia/Dushanbe", "Asia/Ashgabat", "Asia/Tashkent"} <= set(zones)
    refusal = f"Choose the time zone of a member state: {', '.join(zones)}."
    deadline = (timezone.localtime() + dt.timedelta(days=3)).replace(tzinfo=None, microsecond=0)
    page = client_for("secretariat").post(
        f"/texts/{text.code}/silence/", {"deadline": deadline.strftime("%Y-%m-%dT%H:%M"), "timezone": "Europe/Paris"}
    )
    assert page.status_code == 400 and refusal in page.content.decode()
    body = {"deadline": deadline.isoformat(), "timezone": "Europe/Paris"}
    api = _send(_bearer(people["secretariat"]), "post", f"/api/v1/texts/{text.code}/silence", body)
    assert api.status_code == 400 and api.json() == {"detail": refusal, "field": "timezone"}
    # the room of a clean text offers exactly the zones the action takes
    _resolve_and_agree(people, text)
    room = client_for("secretariat").get(f"/texts/{text.code}/").content.decode()
    assert all(f'value="{zone}"' in room for zone in zones) and 'value="Europe/Paris"' not in room


def test_a_refused_change_is_the_403_page_with_the_actions_reason_in_the_readers_language(
    client_for: Any,  # noqa: F811
    text: Text,  # noqa: F811
) -> None:
    client = client_for("kz")  # a member delegate: does not hold the pen
    url = f"/texts/{text.code}/units/OP1/edit/"
    data = {"language": "ru", "content": "Other.", "revision": "1"}
    response = client.post(url, data)
    assert response.status_code == 403
    assert "Only the secretariat of this format may do this." in response.content.decode()
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="ru")
    with translation.override("ru"):
        expected = gettext("Only the secretariat of this format may do this.")
    assert expected != "Only the secretariat of this format may do this."
    assert response.status_code == 403 and expected in response.content.decode()
